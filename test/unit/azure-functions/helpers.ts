/** Fixtures and in-memory fakes for the failover brain's unit tests (no network anywhere). */
import { parseKeyRing } from '../../../protocol/keys';
import { InvocationContext } from '@azure/functions';
import type { RunStatus } from '../../../protocol/run-status';
import type { Signal, SignalType } from '../../../protocol/signal';
import type { GpuPool, OperationCheck, PoolSnapshot } from '../../../azure-functions/src/adapters/agent-pool';
import type { ContinuationQueue } from '../../../azure-functions/src/adapters/continuation-queue';
import type { RunStatusReader } from '../../../azure-functions/src/adapters/run-status-reader';
import type { StateStore, StoredState } from '../../../azure-functions/src/adapters/state-store';
import type { TrainerScaler } from '../../../azure-functions/src/adapters/trainer-scaler';
import type { ContinuationMessage } from '../../../azure-functions/src/domain/continuation-message';
import type { DriveResult } from '../../../azure-functions/src/domain/operation';
import type { FailoverPolicy } from '../../../azure-functions/src/domain/policy';
import type { FailoverState } from '../../../azure-functions/src/domain/state';
import { StateConflictError } from '../../../azure-functions/src/errors';
import type { BrainServices } from '../../../azure-functions/src/use-cases/services';

export const RUN = 'run-42';
export const SECRET = 'unit-test-signal-key-of-32-characters';
export const T0 = new Date('2026-03-01T12:00:00.000Z');

export const POLICY: FailoverPolicy = {
  minAwsTrainers: 4,
  maxAzureNodes: 3,
  failbackCooldownSeconds: 600,
  minPhaseDurationSeconds: 120,
  recheckSeconds: 60,
  maxDeferredChecks: 3,
  leaseSeconds: 30,
  operationTimeoutSeconds: 1800,
  maxPutAttempts: 3,
  onDemandSafetyNet: false,
  replacementGraceSeconds: 0,
  expectedMoveSeconds: 900,
};

export const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
export const iso = (seconds: number): string => at(seconds).toISOString();

export const INSTANCES = ['i-0a00000000000000a', 'i-0b00000000000000b', 'i-0c00000000000000c', 'i-0d00000000000000d'] as const;

/** A v1 signal for RUN. */
export function signal(type: SignalType, id: string, extra: Partial<Signal> = {}): Signal {
  return {
    version: 1,
    id,
    type,
    runId: RUN,
    issuedAt: iso(0),
    source: { eventId: `evt-${id}`, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: iso(0) },
    ...extra,
  };
}

/** A run status: `aws` AWS trainers on INSTANCES (shards shard-0..), `pinned` of them on shards pinned to AWS. */
export function runStatus(options: { aws?: number; reportingAws?: number; azure?: number; pinned?: number } = {}): RunStatus {
  const aws = options.aws ?? 4;
  const pinned = options.pinned ?? 0;
  const trainers = Array.from({ length: aws }, (_, index) => ({
    clientId: `aws-${index}`,
    cloud: 'aws' as const,
    shard: `shard-${index}`,
    residency: index < pinned ? ('aws' as const) : ('any' as const),
    instanceId: INSTANCES[index % INSTANCES.length] ?? INSTANCES[0],
    lastSeenAt: iso(0),
  }));
  return {
    version: 1,
    runId: RUN,
    round: 7,
    epoch: 0,
    updatedAt: iso(0),
    trainers,
    shards: trainers.map((trainer) => ({ shard: trainer.shard, residency: trainer.residency, movableToAzure: trainer.residency !== 'aws' })),
    reporting: { aws: options.reportingAws ?? aws, azure: options.azure ?? 0 },
  };
}

/** The state store in memory, with ETags, and knobs to lose races or fail. */
export class MemoryStateStore implements StateStore {
  private doc: { text: string; etag: string } | undefined;
  private version = 0;
  /** Writes that will lose the race (StateConflictError) before one succeeds. */
  conflicts = 0;
  /** Writes that commit but whose answer is lost: the SDK's retry then fails its own condition (StateConflictError). */
  lostAnswers = 0;
  /** Errors the next writes throw (in order). */
  writeFailures: Error[] = [];
  /** Errors the next reads throw (in order). */
  readFailures: Error[] = [];
  writes = 0;

  async read(runId: string): Promise<StoredState | undefined> {
    const failure = this.readFailures.shift();
    if (failure !== undefined) throw failure;
    if (this.doc === undefined) return undefined;
    const state = JSON.parse(this.doc.text) as FailoverState;
    if (state.runId !== runId) return undefined;
    return { state, etag: this.doc.etag };
  }

  async create(state: FailoverState): Promise<string> {
    this.beforeWrite();
    if (this.doc !== undefined) throw new StateConflictError('exists');
    return this.store(state);
  }

  async replace(state: FailoverState, etag: string): Promise<string> {
    this.beforeWrite();
    if (this.doc?.etag !== etag) throw new StateConflictError('etag moved');
    const written = this.store(state);
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new StateConflictError('412 on the retry of a write that had committed');
    }
    return written;
  }

  /** The stored state (throws if none). */
  get state(): FailoverState {
    if (this.doc === undefined) throw new Error('no state stored');
    return JSON.parse(this.doc.text) as FailoverState;
  }

  /** Puts a state in place directly. */
  seed(state: FailoverState): void {
    this.store(state);
  }

  private beforeWrite(): void {
    const failure = this.writeFailures.shift();
    if (failure !== undefined) throw failure;
    if (this.conflicts > 0) {
      this.conflicts -= 1;
      // Another writer got in first: bump the ETag under the caller's feet.
      if (this.doc !== undefined) this.doc = { ...this.doc, etag: `"v${++this.version}"` };
      throw new StateConflictError('lost the race');
    }
  }

  private store(state: FailoverState): string {
    this.writes += 1;
    const etag = `"v${++this.version}"`;
    this.doc = { text: JSON.stringify(state), etag };
    return etag;
  }
}

/** A scriptable GPU pool: answers come from queues, with the last one repeated. */
export class FakePool implements GpuPool {
  view: PoolSnapshot = { provisioningState: 'Succeeded', count: 0, enableAutoScaling: false };
  scaleResults: DriveResult[] = [];
  checkResults: OperationCheck[] = [];
  readError: Error | undefined;
  readonly requested: number[] = [];
  readonly checked: string[] = [];

  async read(): Promise<PoolSnapshot> {
    if (this.readError !== undefined) throw this.readError;
    return this.view;
  }

  async requestScale(target: number): Promise<DriveResult> {
    this.requested.push(target);
    const next = this.scaleResults.length > 1 ? this.scaleResults.shift() : this.scaleResults[0];
    if (next === undefined) return { kind: 'submitted', resumeToken: `token-${this.requested.length}`, pool: { ...this.view, count: target, provisioningState: 'Scaling' } };
    return next;
  }

  async checkOperation(resumeToken: string): Promise<OperationCheck> {
    this.checked.push(resumeToken);
    return (this.checkResults.length > 1 ? this.checkResults.shift() : this.checkResults[0]) ?? { status: 'running' };
  }
}

export class FakeTrainers implements TrainerScaler {
  readonly calls: number[] = [];
  failures: Error[] = [];
  /** Ready pods; undefined: every replica of the last scale is ready at once. */
  ready: number | undefined;
  async scale(replicas: number): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.calls.push(replicas);
  }
  async readyReplicas(): Promise<number> {
    return this.ready ?? this.calls.at(-1) ?? 0;
  }
}

export class FakeQueue implements ContinuationQueue {
  readonly sent: { message: ContinuationMessage; delaySeconds: number }[] = [];
  failures: Error[] = [];
  async send(message: ContinuationMessage, delaySeconds: number): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push({ message, delaySeconds });
  }
}

export class FakeRunStatus implements RunStatusReader {
  constructor(public status: RunStatus | undefined = runStatus()) {}
  async read() {
    return this.status === undefined ? { status: undefined, problem: 'runs/run-42/status.json does not exist yet' } : { status: this.status };
  }
}

export interface Fakes {
  readonly services: BrainServices;
  readonly store: MemoryStateStore;
  readonly pool: FakePool;
  readonly trainers: FakeTrainers;
  readonly queue: FakeQueue;
  readonly runStatus: FakeRunStatus;
  /** Moves the fake clock to T0 + seconds. */
  setTime(seconds: number): void;
}

/** Services over fakes, with a settable clock starting at T0. */
export function fakes(options: { policy?: Partial<FailoverPolicy>; status?: RunStatus | undefined } = {}): Fakes {
  let now = T0;
  const store = new MemoryStateStore();
  const pool = new FakePool();
  const trainers = new FakeTrainers();
  const queue = new FakeQueue();
  const runStatusReader = new FakeRunStatus('status' in options ? options.status : runStatus());
  return {
    services: {
      settings: { runId: RUN, signalKeys: parseKeyRing('signal', SECRET), policy: { ...POLICY, ...options.policy }, continuation: { delaySeconds: 10, maxDelaySeconds: 60 } },
      stateStore: store,
      runStatus: runStatusReader,
      pool,
      trainers,
      continuations: queue,
      clock: () => now,
      sleep: async () => undefined,
    },
    store,
    pool,
    trainers,
    queue,
    runStatus: runStatusReader,
    setTime: (seconds) => {
      now = at(seconds);
    },
  };
}

/** An invocation context whose logs are collected instead of printed. */
export function quietContext(functionName = 'test'): InvocationContext & { logs: string[] } {
  const logs: string[] = [];
  const context = new InvocationContext({
    invocationId: 'test-invocation',
    functionName,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  return Object.assign(context, { logs });
}
