/**
 * The AKS GPU Spot agent pool through ARM (@azure/arm-containerservice 25.x). AKS has no scale API: the brain
 * GETs the pool and PUTs it back with the new `count` (autoscaler off) or `minCount` (autoscaler on), with
 * If-Match on the pool's eTag so it never overwrites a change it did not see.
 *
 * The PUT is a long-running operation. The brain never waits for it inside an invocation: `createOrUpdate`
 * returns a poller, `submitted()` resolves once ARM accepted the PUT, and `serialize()` gives a resume token that
 * any later invocation turns back into a poller (`restorePoller`) to read the outcome with one `poll()`.
 *
 * Errors: the SDK retries 429 and 5xx itself, honouring Retry-After (3 retries); an abort signal bounds the whole
 * call so a long Retry-After cannot hold an HTTP invocation. 409 OperationNotAllowed (another operation runs),
 * 412 (the pool changed) and a 429 that outlived the retries are "busy": the continuation looks again. Other 4xx
 * (quota, capacity, invalid request, authorization) are a rejection with ARM's code, which fails the operation.
 */
import { restorePoller, type AgentPool, type ContainerServiceClient } from '@azure/arm-containerservice';
import type { DriveResult } from '../domain/operation';
import { poolMeetsTarget, isPoolBusy, scalingFields, type PoolView } from '../domain/pool-target';
import type { FailureDetail } from '../domain/state';
import { codeOf, messageOf, statusOf } from '../errors';
import { isAbort, isRestError, retryAfterOf, transientOr } from './azure-errors';

/** What one look at the operation behind a resume token found. */
export type OperationCheck =
  | { readonly status: 'running' }
  | { readonly status: 'succeeded' }
  | { readonly status: 'failed'; readonly error: FailureDetail }
  | { readonly status: 'unknown'; readonly reason: string };

/** The pool as ARM shows it, with the eTag for conditional PUTs. */
export interface PoolSnapshot extends PoolView {
  readonly eTag?: string;
}

/** The GPU Spot pool the brain scales. */
export interface GpuPool {
  /** The pool now. Throws ArmRefusedError for a permanent ARM error, TransientDependencyError for a transient one. */
  read(): Promise<PoolSnapshot>;
  /** Starts bringing the pool to `target` nodes without waiting for the operation. */
  requestScale(target: number): Promise<DriveResult>;
  /** Reads the outcome of an accepted PUT once. */
  checkOperation(resumeToken: string): Promise<OperationCheck>;
}

/** ARM refused a request for good (404, 403, 400...): a failed operation with ARM's code, not a retry. */
export class ArmRefusedError extends Error {
  override readonly name = 'ArmRefusedError';
  readonly status: number | undefined;
  readonly code: string;
  constructor(message: string, options: { status?: number; code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.code = options.code;
  }
}

export interface ArmGpuPoolOptions {
  readonly client: ContainerServiceClient;
  readonly resourceGroup: string;
  readonly clusterName: string;
  readonly poolName: string;
  /** Upper bound for one ARM call including the SDK's own retries. */
  readonly timeoutMs: number;
}

const FAILED_OPERATION = /The long-running operation has failed\.\s*([A-Za-z0-9_.-]+)\.\s*([\s\S]*)$/;

/** The code and message of a failed long-running operation as core-lro reports it. */
export function failureOfOperationError(error: unknown): FailureDetail | undefined {
  const message = messageOf(error);
  if (!message.startsWith('The long-running operation has failed')) return undefined;
  const match = FAILED_OPERATION.exec(message);
  return match?.[1] === undefined ? { code: 'OperationFailed', message } : { code: match[1], message: match[2]?.trim() || message };
}

function viewOf(pool: AgentPool): PoolSnapshot {
  return {
    provisioningState: pool.provisioningState ?? 'Unknown',
    count: pool.count ?? 0,
    enableAutoScaling: pool.enableAutoScaling ?? false,
    ...(pool.minCount === undefined || pool.minCount === null ? {} : { minCount: pool.minCount }),
    ...(pool.maxCount === undefined || pool.maxCount === null ? {} : { maxCount: pool.maxCount }),
    ...(pool.eTag === undefined ? {} : { eTag: pool.eTag as string }),
  };
}

function refused(what: string, error: unknown): ArmRefusedError {
  const status = statusOf(error);
  return new ArmRefusedError(`${what}: ${status ?? ''} ${messageOf(error)}`.replace(/\s+/g, ' '), {
    ...(status === undefined ? {} : { status }),
    code: codeOf(error) ?? (status === undefined ? 'ArmError' : `Http${status}`),
    cause: error,
  });
}

/** The GPU pool through the real ARM SDK client. */
export function armGpuPool(options: ArmGpuPoolOptions): GpuPool {
  const { client, resourceGroup, clusterName, poolName } = options;
  const where = `agent pool ${clusterName}/${poolName}`;

  async function get(): Promise<AgentPool> {
    try {
      return await client.agentPools.get(resourceGroup, clusterName, poolName, { abortSignal: AbortSignal.timeout(options.timeoutMs) });
    } catch (error) {
      const transient = transientOr('arm', `reading ${where}`, error);
      if (transient !== error || !isRestError(error)) throw transient;
      throw refused(`reading ${where}`, error);
    }
  }

  return {
    async read() {
      return viewOf(await get());
    },

    async requestScale(target) {
      let current: AgentPool;
      try {
        current = await get();
      } catch (error) {
        if (error instanceof ArmRefusedError) return { kind: 'rejected', error: { code: error.code, message: error.message } };
        throw error;
      }
      const view = viewOf(current);
      if (isPoolBusy(view)) return { kind: 'busy', reason: `an operation runs on ${where} (${view.provisioningState})` };
      if (poolMeetsTarget(view, target)) return { kind: 'already-at-target', pool: view };
      const fields = scalingFields(view, target);
      try {
        const poller = client.agentPools.createOrUpdate(resourceGroup, clusterName, poolName, { ...current, ...fields }, {
          ...(current.eTag === undefined ? {} : { ifMatch: current.eTag as string }),
          abortSignal: AbortSignal.timeout(options.timeoutMs),
        });
        await poller.submitted();
        const resumeToken = await poller.serialize();
        return {
          kind: 'submitted',
          resumeToken,
          pool: { ...view, ...fields, provisioningState: poller.result?.provisioningState ?? 'Accepted' },
        };
      } catch (error) {
        const status = statusOf(error);
        if (status === 409) return { kind: 'busy', reason: `${codeOf(error) ?? 'Conflict'}: ${messageOf(error)}` };
        if (status === 412) return { kind: 'busy', reason: `${where} changed since it was read (eTag): will read it again` };
        if (status === 429) {
          const retryAfter = retryAfterOf(error);
          return { kind: 'busy', reason: `throttled by ARM (${codeOf(error) ?? '429'})`, ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) };
        }
        if (isAbort(error)) return { kind: 'busy', reason: `no answer from ARM within ${options.timeoutMs} ms: will look again` };
        const transient = transientOr('arm', `PUT ${where}`, error);
        if (transient !== error || !isRestError(error)) throw transient;
        return { kind: 'rejected', error: { code: codeOf(error) ?? `Http${status ?? ''}`, message: messageOf(error) } };
      }
    },

    async checkOperation(resumeToken) {
      let poller;
      try {
        poller = restorePoller(client, resumeToken, client.agentPools.createOrUpdate, { abortSignal: AbortSignal.timeout(options.timeoutMs) });
      } catch (error) {
        return { status: 'unknown', reason: `resume token unusable: ${messageOf(error)}` };
      }
      try {
        const state = await poller.poll();
        switch (state.status) {
          case 'succeeded':
            return { status: 'succeeded' };
          case 'failed':
            return { status: 'failed', error: failureOfOperationError(state.error) ?? { code: 'OperationFailed', message: messageOf(state.error) } };
          case 'canceled':
            return { status: 'failed', error: { code: 'Canceled', message: 'the operation was canceled' } };
          default:
            return { status: 'running' };
        }
      } catch (error) {
        const failure = failureOfOperationError(error);
        if (failure !== undefined) return { status: 'failed', error: failure };
        if (statusOf(error) === 404) return { status: 'unknown', reason: `operation no longer known to ARM: ${messageOf(error)}` };
        const transient = transientOr('arm', `polling the operation on ${where}`, error);
        if (transient !== error) throw transient;
        return { status: 'unknown', reason: messageOf(error) };
      }
    },
  };
}
