import type { ActedOnKind, EventModule } from './registry-types';
import { alarmStateChange } from './kinds/alarm-state-change';
import { asgTerminateLifecycle } from './kinds/asg-terminate-lifecycle';
import { awsHealth } from './kinds/aws-health';
import { capacityReservationInterruption } from './kinds/capacity-reservation-interruption';
import { instanceStateChange } from './kinds/instance-state-change';
import { rebalanceRecommendation } from './kinds/rebalance-recommendation';
import { spotInterruption } from './kinds/spot-interruption';

// Each module checks its own detail type, so lookups return them type-erased.
type AnyEventModule = EventModule<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every event kind Spot-On understands. Adding a kind means adding a module here: the ingest rules
 * (rules.ts) and the signals' source blocks (EVENT_ORIGINS) follow from it.
 */
export const EVENT_MODULES = [
  spotInterruption,
  capacityReservationInterruption,
  rebalanceRecommendation,
  instanceStateChange,
  awsHealth,
  asgTerminateLifecycle,
  alarmStateChange,
] as const satisfies readonly AnyEventModule[];

export type KnownEventModule = (typeof EVENT_MODULES)[number];

const registryKey = (source: string, detailType: string) => `${source}\u0000${detailType}`;

function indexModules(modules: readonly AnyEventModule[]): ReadonlyMap<string, AnyEventModule> {
  const index = new Map<string, AnyEventModule>();
  for (const module of modules) {
    const key = registryKey(module.source, module.detailType);
    if (index.has(key)) throw new Error(`two event modules for ${module.source} "${module.detailType}"`);
    index.set(key, module);
  }
  return index;
}

const REGISTRY = indexModules(EVENT_MODULES);

/** The module for (source, detail-type), or undefined for an event Spot-On does not handle. */
export function lookupEventModule(source: string, detailType: string): AnyEventModule | undefined {
  return REGISTRY.get(registryKey(source, detailType));
}

/** Where a kind of message comes from: the EventBridge `source` and `detail-type` of its module. */
export interface EventOrigin {
  readonly source: string;
  readonly detailType: string;
}

type ProducedKind = KnownEventModule['kinds'][number];

/** The origin of every kind `modules` produce; throws if two modules claim one kind (its origin would be ambiguous). */
export function originsByKind(modules: readonly AnyEventModule[]): Readonly<Record<string, EventOrigin>> {
  const origins: Record<string, EventOrigin> = {};
  for (const module of modules) {
    for (const kind of module.kinds) {
      if (kind in origins) throw new Error(`message kind ${kind} comes from two event modules`);
      origins[kind] = { source: module.source, detailType: module.detailType };
    }
  }
  return origins;
}

/**
 * The origin of each acted-on message kind (a signal's `source` block), derived from the modules. Typed over
 * the kinds the modules declare, so a message kind that no module produces fails to compile here.
 */
export const EVENT_ORIGINS: Readonly<Record<ActedOnKind, EventOrigin>> = originsByKind(EVENT_MODULES) as Readonly<Record<ProducedKind, EventOrigin>>;
