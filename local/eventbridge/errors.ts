/**
 * A pattern EventBridge would refuse at PutRule. Thrown at rule registration so a bad rule fails loudly before
 * any event is routed, never while matching.
 */
export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';

  constructor(
    /** Where in the pattern the problem is, e.g. `$.detail.state[0].numeric`. */
    readonly path: string,
    /** What is wrong there, worded like EventBridge's own `InvalidEventPatternException` reasons. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Invalid event pattern at ${path}: ${reason}`, options);
  }
}
