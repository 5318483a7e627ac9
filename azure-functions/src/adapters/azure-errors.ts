/** Sorting Azure SDK errors (RestError) into transient and permanent ones. */
import { isTransientStatus, messageOf, statusOf, TransientDependencyError } from '../errors';

/** True for an Azure SDK RestError (network failures are RestErrors without a status). */
export function isRestError(error: unknown): boolean {
  return (error as { name?: unknown } | undefined)?.name === 'RestError';
}

/** True for an abort or timeout of our own AbortSignal. */
export function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Seconds of a Retry-After header on a RestError's response, if any. */
export function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } } | undefined)?.response?.headers;
  const value = headers?.get?.('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * Rethrows `error` as a TransientDependencyError when it is a network error, timeout, 5xx, 408 or 429 of
 * `dependency`; otherwise returns it unchanged for the caller to classify.
 */
export function transientOr(dependency: string, what: string, error: unknown): unknown {
  if (isAbort(error) || (isRestError(error) && isTransientStatus(statusOf(error)))) {
    const status = statusOf(error);
    const retryAfter = retryAfterOf(error);
    return new TransientDependencyError(dependency, `${what}: ${status === undefined ? '' : `${status} `}${messageOf(error)}`, {
      cause: error,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  return error;
}
