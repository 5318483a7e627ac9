import { z } from 'zod';

/** An input file is missing, unreadable or not what it should be; the message names the file and the setting. */
export class PreflightInputError extends Error {
  override readonly name = 'PreflightInputError';
}

/** Validates `value` with `schema`; throws PreflightInputError naming `source` with zod's own readable issue list. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new PreflightInputError(`${source}:\n${z.prettifyError(result.error)}`, { cause: result.error });
}
