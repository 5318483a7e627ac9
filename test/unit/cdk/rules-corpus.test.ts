/**
 * The synthesized EventBridge rules, read back from the CloudFormation template, route the recorded corpus
 * exactly as intended: each AWS event reaches the rules it should, decoys reach none, and everything routed
 * is understood by classify().
 */
import { Template } from 'aws-cdk-lib/assertions';
import { classify } from '../../../lambdas/events/classify';
import { INGEST_RULES, type IngestRuleName } from '../../../lambdas/events/rules';
import { matchesPattern, validatePattern, type EventPattern } from '../../../local/eventbridge/pattern';
import { listEvents, loadEvent } from '../../support/events';
import { buildTestApp, exampleConfig, type TestApp } from './helpers';

// Hook notifications sent straight to SQS or through SNS, and SQS wrappers, never pass through EventBridge.
const NOT_EVENTBRIDGE = new Set([
  'aws.autoscaling/terminate-lifecycle/sqs-direct.json',
  'aws.autoscaling/terminate-lifecycle/test-notification.json',
  'aws.autoscaling/terminate-lifecycle/sns-envelope.json',
]);
const routed = listEvents().filter((file) => !file.startsWith('malformed/') && !file.startsWith('sqs/') && !NOT_EVENTBRIDGE.has(file));

/** The rules each recorded event should reach; anything not listed should reach none. */
function expectedRules(file: string): IngestRuleName[] {
  if (file.startsWith('aws.ec2/spot-interruption/')) return ['spotInterruption'];
  if (file.startsWith('aws.ec2/capacity-reservation-interruption/')) return ['capacityReservationInterruption'];
  if (file.startsWith('aws.ec2/rebalance-recommendation/')) return ['rebalanceRecommendation'];
  if (file.startsWith('aws.ec2/instance-state-change/')) return /\/(pending|running)\.json$/.test(file) ? [] : ['instanceStateChange'];
  if (file.startsWith('aws.health/')) return ['health'];
  if (file.startsWith('aws.autoscaling/terminate-lifecycle/eventbridge')) return ['asgTerminateLifecycle'];
  if (file.startsWith('aws.cloudwatch/alarm-state-change/')) return ['alarmStateChange'];
  return [];
}

describe('synthesized ingest rules against the recorded corpus', () => {
  let built: TestApp;
  let synthesized: Map<IngestRuleName, EventPattern>;

  beforeAll(() => {
    built = buildTestApp(exampleConfig(), { nag: false, bundle: false });
    const rules = Template.fromStack(built.stack).findResources('AWS::Events::Rule');
    synthesized = new Map();
    for (const rule of Object.values(rules) as { Properties: { Description?: string; EventPattern: unknown } }[]) {
      const key = /^Spot-On ingest rule "(\w+)"/.exec(rule.Properties.Description ?? '')?.[1] as IngestRuleName | undefined;
      if (key !== undefined) synthesized.set(key, validatePattern(rule.Properties.EventPattern));
    }
  });
  afterAll(() => built?.dispose());

  it('deploys one valid rule per INGEST_RULES entry', () => {
    expect([...synthesized.keys()].sort()).toStrictEqual(Object.keys(INGEST_RULES).sort());
  });

  it('covers the whole corpus', () => {
    expect(routed.length).toBeGreaterThanOrEqual(30);
    expect(routed.filter((file) => file.startsWith('decoys/')).length).toBeGreaterThanOrEqual(6);
  });

  it.each(routed)('%s reaches exactly its rules', (file) => {
    const event = loadEvent(file);
    const matched = [...synthesized].filter(([, pattern]) => matchesPattern(pattern, event)).map(([key]) => key);
    expect(matched).toStrictEqual(expectedRules(file));
  });

  it('routes nothing that classify cannot read', () => {
    for (const file of routed) {
      const event = loadEvent(file);
      if (![...synthesized.values()].some((pattern) => matchesPattern(pattern, event))) continue;
      expect(() => classify(event)).not.toThrow();
    }
  });
});
