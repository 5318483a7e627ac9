/**
 * EventBridge rule patterns, derived from the event modules (registry.ts) so that each event's source and
 * detail-type are written once, in its module. The CDK InterruptionIngest construct deploys exactly these,
 * and the local EventBridge bus routes with them, so what is tested locally is what runs in AWS.
 */
import { EVENT_MODULES, type KnownEventModule } from './registry';

export { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME } from './kinds/alarm-state-change';
export { INSTANCE_DOWN_STATES } from './kinds/instance-state-change';

/** An EventBridge event pattern (content filter), as JSON. */
export type EventPattern = { readonly [field: string]: unknown };

type PatternOf<M extends KnownEventModule> = {
  readonly source: readonly [M['source']];
  readonly 'detail-type': readonly [M['detailType']];
} & (M extends { readonly ingestDetail: infer Detail } ? { readonly detail: Detail } : unknown);

/** One pattern per module, keyed by the module's `ingestRule`. */
export type IngestRules = { readonly [M in KnownEventModule as M['ingestRule']]: PatternOf<M> };
export type IngestRuleName = keyof IngestRules;

/** The pattern routing one module's events: its source and detail-type, and its detail filter if it has one. */
export function ingestPattern(module: { readonly source: string; readonly detailType: string; readonly ingestDetail?: Readonly<Record<string, unknown>> }): EventPattern {
  return {
    source: [module.source],
    'detail-type': [module.detailType],
    ...(module.ingestDetail === undefined ? {} : { detail: module.ingestDetail }),
  };
}

function deriveRules(): IngestRules {
  const rules: Record<string, EventPattern> = {};
  for (const module of EVENT_MODULES) {
    if (module.ingestRule in rules) throw new Error(`two event modules name the ingest rule ${module.ingestRule}`);
    rules[module.ingestRule] = ingestPattern(module);
  }
  return rules as IngestRules;
}

export const INGEST_RULES: IngestRules = deriveRules();
