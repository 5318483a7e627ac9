/**
 * Failure classes of the brain. Every failure is sorted three ways: drop (logged, e.g. an unparseable queue
 * message), retry (TransientDependencyError: 503 to the AWS signal Lambda, a rethrow to the queue host), or fail
 * loudly (everything else: a bug or a misconfiguration, 500 and an error log).
 */

/** Storage, ARM or the Kubernetes API could not be reached or answered 5xx/408/429: try again later. */
export class TransientDependencyError extends Error {
  override readonly name = 'TransientDependencyError';
  /** The dependency: blob, queue, arm, kubernetes. */
  readonly dependency: string;
  /** A hint for Retry-After, when the dependency gave one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(dependency: string, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, { cause: options?.cause });
    this.dependency = dependency;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The state document changed under us more often than the retry budget allows (heavy contention). */
export class StateContentionError extends Error {
  override readonly name = 'StateContentionError';
}

/**
 * The state document exists but is not a valid v1 state (an operator must look; never overwritten), or the brain was
 * about to write one that would not read back (a bug; refused, so the last good document stays).
 */
export class CorruptStateError extends Error {
  override readonly name = 'CorruptStateError';
}

/** A conditional write lost the race (412, or 409 on create): re-read and decide again. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}

/** The Kubernetes API refused for good (401/403/404/422): a misconfiguration to fix, not to retry. */
export class TrainerScaleError extends Error {
  override readonly name = 'TrainerScaleError';
  readonly status: number | undefined;
  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.status = options?.status;
  }
}

/** True for errors worth retrying later (HTTP 503 / queue redelivery). */
export function isRetryable(error: unknown): boolean {
  return error instanceof TransientDependencyError || error instanceof StateContentionError;
}

/** Status codes (and no status: a network error) that mean "try again later". */
export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 408 || status === 429;
}

/** The HTTP status of an Azure SDK RestError (or anything shaped like it). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service error code of an Azure SDK RestError (or anything shaped like it). */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short message for logs and notes. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
