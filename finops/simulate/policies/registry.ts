/** Every policy `spot-on simulate` knows, in report order. Adding a policy means adding it here. */
import { awsSpotWaitPolicy } from './aws-spot-wait';
import { greedyPolicy, greedySinglePolicy } from './greedy';
import { omniscientPolicy } from './omniscient';
import { onDemandPolicy } from './on-demand';
import type { Policy } from './policy';
import { spotOnPolicy } from './spot-on';
import { spotOnDeadlinePolicy } from './spot-on-deadline';
import { uniformProgressPolicy } from './uniform-progress';

// Each policy keeps its own memory type; the table stores them type-erased (the engine is generic per call).
type AnyPolicy = Policy<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const POLICIES: readonly AnyPolicy[] = [
  onDemandPolicy,
  awsSpotWaitPolicy,
  greedyPolicy,
  greedySinglePolicy,
  uniformProgressPolicy,
  spotOnPolicy,
  spotOnDeadlinePolicy,
  omniscientPolicy,
];

export const POLICY_NAMES: readonly string[] = POLICIES.map((policy) => policy.name);

/** The policy called `name`, or undefined. */
export function policyNamed(name: string): AnyPolicy | undefined {
  return POLICIES.find((policy) => policy.name === name);
}
