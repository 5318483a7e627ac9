/** Errors of `spot-on cost`'s inputs: a file that is not a drill report, a drill summary or a ledger. */

/** The input is unreadable or invalid; the message names the file, the cause is the parse or zod error. */
export class CostInputError extends Error {
  override readonly name = 'CostInputError';
}
