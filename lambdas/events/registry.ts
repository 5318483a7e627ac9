import type { EventModule } from './registry-types';
import { alarmStateChange } from './kinds/alarm-state-change';
import { asgTerminateLifecycle } from './kinds/asg-terminate-lifecycle';
import { awsHealth } from './kinds/aws-health';
import { instanceStateChange } from './kinds/instance-state-change';
import { rebalanceRecommendation } from './kinds/rebalance-recommendation';
import { spotInterruption } from './kinds/spot-interruption';

// Each module checks its own detail type, so the table stores them type-erased.
type AnyEventModule = EventModule<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every event kind Spot-On understands. Adding a kind means adding a module here. */
export const EVENT_MODULES: readonly AnyEventModule[] = [
  spotInterruption,
  rebalanceRecommendation,
  instanceStateChange,
  awsHealth,
  asgTerminateLifecycle,
  alarmStateChange,
];

const registryKey = (source: string, detailType: string) => `${source}\u0000${detailType}`;

const REGISTRY: ReadonlyMap<string, AnyEventModule> = new Map(
  EVENT_MODULES.map((module) => [registryKey(module.source, module.detailType), module]),
);

/** The module for (source, detail-type), or undefined for an event Spot-On does not handle. */
export function lookupEventModule(source: string, detailType: string): AnyEventModule | undefined {
  return REGISTRY.get(registryKey(source, detailType));
}
