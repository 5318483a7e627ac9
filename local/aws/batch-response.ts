/**
 * How Lambda reads an SQS-triggered function's answer with ReportBatchItemFailures (Lambda Developer Guide,
 * "Handling errors for an SQS event source", reporting batch item failures):
 * - a missing, null or empty answer, or an empty or null `batchItemFailures`, is a complete success;
 * - an `itemIdentifier` that is missing, empty, not a string or not a message id of the batch, or an answer
 *   that is not such an object, fails the whole batch;
 * - otherwise the listed messages failed and the rest succeeded.
 * Lambda deletes the succeeded messages; failed ones reappear when their visibility timeout ends. A handler that
 * throws or outlives the function timeout fails the whole batch (judgeInvocation).
 */

/** How an invocation ended: the handler's promise settled, or the function timeout came first. */
export type Settled = { readonly kind: 'returned'; readonly value: unknown } | { readonly kind: 'threw'; readonly error: unknown } | { readonly kind: 'timeout' };

/** The verdict on one invocation's answer. */
export type BatchVerdict =
  | { readonly kind: 'success' }
  | { readonly kind: 'partial'; readonly failedMessageIds: ReadonlySet<string> }
  | { readonly kind: 'failure'; readonly reason: string };

function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** Judges how an invocation of the batch with `messageIds` ended: the messages left for redelivery, and why the whole batch failed if it did. */
export function judgeInvocation(settled: Settled, messageIds: readonly string[], timeoutMs: number): { readonly failed: ReadonlySet<string>; readonly error?: { readonly name: string; readonly message: string } } {
  const all = new Set(messageIds);
  if (settled.kind === 'threw') return { failed: all, error: errorSummary(settled.error) };
  if (settled.kind === 'timeout') return { failed: all, error: { name: 'LambdaTimeoutError', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } };
  const verdict = judgeBatchResponse(settled.value, messageIds);
  if (verdict.kind === 'failure') return { failed: all, error: { name: 'InvalidBatchResponseError', message: verdict.reason } };
  return { failed: verdict.kind === 'partial' ? verdict.failedMessageIds : new Set() };
}

/** Judges a handler's answer for the batch with `messageIds`. */
export function judgeBatchResponse(response: unknown, messageIds: readonly string[]): BatchVerdict {
  if (response === undefined || response === null || response === '') return { kind: 'success' };
  if (typeof response !== 'object' || Array.isArray(response)) {
    return { kind: 'failure', reason: `the function answered ${JSON.stringify(response)}, not an object with batchItemFailures` };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure', reason: `invalid itemIdentifier ${JSON.stringify(id ?? null)}` };
    if (!inBatch.has(id)) return { kind: 'failure', reason: `itemIdentifier ${id} is not a message of this batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'success' } : { kind: 'partial', failedMessageIds: failed };
}
