/**
 * How Lambda reads an SQS-triggered function's answer (Lambda Developer Guide, "Handling errors for an SQS
 * event source", reporting batch item failures):
 * - without ReportBatchItemFailures, any answer is a complete success (a thrown error or timeout is a failure);
 * - with it, a missing, null or empty answer, or an empty or null `batchItemFailures`, is a complete success;
 * - an `itemIdentifier` that is missing, empty, not a string or not a message id of the batch, or an answer
 *   that is not such an object, fails the whole batch;
 * - otherwise the listed messages failed and the rest succeeded.
 * Lambda deletes the succeeded messages; failed ones reappear when their visibility timeout ends. A handler that
 * throws or outlives the function timeout fails the whole batch (judgeInvocation).
 */

/** The invocation outlived the function timeout. */
export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

/** The function's answer broke the batch-item-failures contract. */
export class InvalidBatchResponseError extends Error {
  override readonly name = 'InvalidBatchResponseError';
}

/** How an invocation ended: the handler's promise settled, or the function timeout came first. */
export type Settled = { readonly kind: 'returned'; readonly value: unknown } | { readonly kind: 'threw'; readonly error: unknown } | { readonly kind: 'timeout' };

/** An invocation's outcome: the messages left for redelivery, and why the whole batch failed if it did. */
export interface InvocationVerdict {
  readonly failed: ReadonlySet<string>;
  readonly error?: { readonly name: string; readonly message: string };
}

function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** Judges how an invocation of the batch with `messageIds` ended. */
export function judgeInvocation(settled: Settled, messageIds: readonly string[], options: { readonly reportBatchItemFailures: boolean; readonly timeoutMs: number }): InvocationVerdict {
  const all = new Set(messageIds);
  if (settled.kind === 'threw') return { failed: all, error: errorSummary(settled.error) };
  if (settled.kind === 'timeout') return { failed: all, error: errorSummary(new LambdaTimeoutError(`Task timed out after ${(options.timeoutMs / 1000).toFixed(2)} seconds`)) };
  const verdict = judgeBatchResponse(settled.value, messageIds, options.reportBatchItemFailures);
  if (verdict.kind === 'failure') return { failed: all, error: errorSummary(new InvalidBatchResponseError(verdict.reason)) };
  return { failed: verdict.kind === 'partial' ? verdict.failedMessageIds : new Set() };
}

/** The verdict on one invocation's answer. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedMessageIds: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

/** Judges a handler's answer for the batch with `messageIds`. */
export function judgeBatchResponse(response: unknown, messageIds: readonly string[], reportBatchItemFailures: boolean): BatchVerdict {
  if (!reportBatchItemFailures || response === undefined || response === null || response === '') return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', reason: `the function answered ${JSON.stringify(response)}, not an object with batchItemFailures` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: `invalid itemIdentifier ${JSON.stringify(id ?? null)}` };
    if (!inBatch.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is not a message of this batch` };
    failed.add(id);
  }
  return { kind: 'partial', failedMessageIds: failed };
}
