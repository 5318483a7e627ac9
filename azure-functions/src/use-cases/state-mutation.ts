/**
 * Compare-and-swap on the state document: read (with its ETag), apply a pure change, write with If-Match (or
 * If-None-Match: * for the first write); on a lost race read again and re-apply, a bounded number of times. The
 * change function must return the very same state object when nothing changes: then nothing is written.
 *
 * A write whose answer is lost is ambiguous: the storage SDK retries it, and the retry fails its own condition
 * (412/409) because the first attempt did commit. Re-applying the change to our own committed state would then
 * decide "duplicate" and drop the actions that state needs (the failover stalls). So every write carries a fresh
 * `writeId`, and after a lost race a re-read that finds our id means our write landed: we return it, with its
 * result, as written. (Comparing the whole document is not enough: two copies of one signal deciding in the same
 * millisecond write identical documents, and the loser would take the winner's write for its own.)
 *
 * Whatever a change creates (an incident, an operation, a deferred signal) is linked to the active trace
 * (domain/trace-links.ts).
 */
import { randomUUID } from 'node:crypto';
import { activeTraceparent } from '../../../protocol/tracer';
import { initialState, type FailoverState } from '../domain/state';
import { linkToTrace } from '../domain/trace-links';
import { StateConflictError, StateContentionError } from '../errors';
import type { BrainServices } from './services';

/** What a change function returns: the next state and whatever the caller wants back. */
export interface Mutation<T> {
  readonly state: FailoverState;
  readonly result: T;
}

export interface MutationOutcome<T> extends Mutation<T> {
  /** False when the change left the state as it was (nothing written). */
  readonly written: boolean;
  /** Attempts used (1 when the first write won). */
  readonly attempts: number;
}

/** Most read-decide-write rounds before giving up with StateContentionError (the caller answers 503). */
export const MAX_CAS_ATTEMPTS = 12;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Applies `change` to the run's state with optimistic concurrency. */
export async function mutateState<T>(
  services: Pick<BrainServices, 'stateStore' | 'clock' | 'sleep'>,
  runId: string,
  change: (current: FailoverState, now: Date) => Mutation<T>,
): Promise<MutationOutcome<T>> {
  const sleep = services.sleep ?? defaultSleep;
  let unconfirmed: Mutation<T> | undefined;
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt += 1) {
    const now = services.clock();
    const stored = await services.stateStore.read(runId);
    if (unconfirmed !== undefined && stored !== undefined && stored.state.writeId === unconfirmed.state.writeId) {
      return { ...unconfirmed, written: true, attempts: attempt - 1 };
    }
    const current = stored?.state ?? initialState(runId, now);
    const decided = change(current, now);
    if (decided.state === current) return { state: current, result: decided.result, written: false, attempts: attempt };
    const state: FailoverState = { ...linkToTrace(current, decided.state, activeTraceparent()), writeId: randomUUID() };
    const { result } = decided;
    try {
      if (stored === undefined) await services.stateStore.create(state);
      else await services.stateStore.replace(state, stored.etag);
      return { state, result, written: true, attempts: attempt };
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      unconfirmed = { state, result };
      // Someone else wrote first (or our own write did): spread the retries so writers do not collide in lockstep.
      await sleep(Math.floor(Math.random() * 20 * attempt));
    }
  }
  throw new StateContentionError(`state of run ${runId} kept changing: ${MAX_CAS_ATTEMPTS} compare-and-swap attempts lost`);
}
