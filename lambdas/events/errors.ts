import type { z } from 'zod';

/** An event of a kind Spot-On knows that does not have the documented shape. Never retried: it is poison. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(
    message: string,
    options?: { cause?: z.core.$ZodIssue[] | unknown },
  ) {
    super(message, options);
  }
}
