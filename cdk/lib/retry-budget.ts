/**
 * How long an SQS message survives failing consumers before it is dead-lettered, as pure arithmetic on seconds.
 * Shared by the configuration schema (to fail fast naming the setting) and HardenedQueue (to derive the redrive
 * policy), so both use the same numbers.
 *
 * A message is received at t = 0, t >= V, t >= 2V, ... (V: visibility timeout, which nobody shortens: the Lambdas
 * never call ChangeMessageVisibility). The receive that would exceed maxReceiveCount moves it to the dead-letter
 * queue instead, so it is dead-lettered no earlier than maxReceiveCount x V after it was first received.
 */

/** Visibility timeout per consumer (Lambda) timeout: AWS's guidance for SQS event sources is six times. */
export const VISIBILITY_TIMEOUTS_PER_CONSUMER_TIMEOUT = 6;
/** Receives added on top of the outage window: the first receive, and a poller that is slow to come back. */
export const OUTAGE_RECEIVE_MARGIN = 2;
/** The queue's retention must be at least this many times its redrive window, so no message expires undelivered. */
export const RETENTION_OVER_REDRIVE_WINDOW = 2;
/** SQS's largest maxReceiveCount. */
export const SQS_MAX_RECEIVE_COUNT = 1000;
/** SQS's largest visibility timeout, seconds (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/** Visibility timeout (seconds) of a queue consumed by a Lambda with `consumerTimeoutSeconds`. */
export function visibilityTimeoutSeconds(consumerTimeoutSeconds: number): number {
  return consumerTimeoutSeconds * VISIBILITY_TIMEOUTS_PER_CONSUMER_TIMEOUT;
}

/** maxReceiveCount that keeps a message out of the dead-letter queue through `outageSeconds` of failed deliveries. */
export function receivesToSurvive(outageSeconds: number, visibilitySeconds: number, margin = OUTAGE_RECEIVE_MARGIN): number {
  if (!(outageSeconds > 0) || !(visibilitySeconds > 0)) throw new RangeError('outage and visibility timeout must be positive');
  return Math.ceil(outageSeconds / visibilitySeconds) + margin;
}

/** Seconds from the first receive until a message that always fails is dead-lettered. */
export function redriveWindowSeconds(maxReceiveCount: number, visibilitySeconds: number): number {
  return maxReceiveCount * visibilitySeconds;
}

/** Shortest retention (seconds) that is "well above" the redrive window: messages never expire in the queue. */
export function minimumRetentionSeconds(maxReceiveCount: number, visibilitySeconds: number): number {
  return RETENTION_OVER_REDRIVE_WINDOW * redriveWindowSeconds(maxReceiveCount, visibilitySeconds);
}
