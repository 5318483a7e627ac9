/** The dependencies of the use cases: adapters behind interfaces, so tests and the local drill swap them. */
import type { KeyRing } from '../../../protocol/keys';
import { createTracing, type Tracing } from '../../../protocol/tracer';
import type { GpuPool } from '../adapters/agent-pool';
import type { ContinuationQueue } from '../adapters/continuation-queue';
import type { RunStatusReader } from '../adapters/run-status-reader';
import type { StateStore } from '../adapters/state-store';
import type { TrainerScaler } from '../adapters/trainer-scaler';
import type { FailoverPolicy } from '../domain/policy';
import { capacityOf, type PendingOperation } from '../domain/state';

/** The settings the use cases read. */
export interface BrainSettings {
  readonly runId: string;
  readonly signalKeys: KeyRing;
  readonly policy: FailoverPolicy;
  /** First delay of an operation continuation, and the most any re-check waits. */
  readonly continuation: { readonly delaySeconds: number; readonly maxDelaySeconds: number };
}

export interface BrainServices {
  readonly settings: BrainSettings;
  readonly stateStore: StateStore;
  readonly runStatus: RunStatusReader;
  /** The Azure Spot GPU pool. */
  readonly pool: GpuPool;
  /** The on-demand GPU pool of the deadline safety net, when the deployment has one (policy.onDemandSafetyNet). */
  readonly onDemandPool?: GpuPool;
  readonly trainers: TrainerScaler;
  readonly continuations: ContinuationQueue;
  readonly clock: () => Date;
  /** The brain's spans (protocol/tracer.ts). @default spans that go nowhere */
  readonly tracing?: Tracing;
  /** Waits between compare-and-swap attempts (injectable so unit tests do not sleep). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Structured logging the handlers map onto the invocation context. */
export interface BrainLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const untraced = createTracing({}, 'spot-on-brain');

/** The services' tracing, or one that exports nowhere (tests, tools). */
export function tracingOf(services: Pick<BrainServices, 'tracing'>): Tracing {
  return services.tracing ?? untraced;
}

/** A log that drops everything. */
export const silentLog: BrainLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The pool an operation scales. An on-demand operation without an on-demand pool is a configuration bug. */
export function poolOf(services: BrainServices, operation: PendingOperation): GpuPool {
  if (capacityOf(operation) === 'spot') return services.pool;
  if (services.onDemandPool === undefined) throw new Error(`operation ${operation.id} scales the on-demand pool, and SPOTON_ON_DEMAND_POOL_NAME names none`);
  return services.onDemandPool;
}
