import type { z } from 'zod';

/** An event of a kind Spot-On knows that does not have the documented shape (cause: the zod issues). Never retried: poison. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

// A union's own issue says only "Invalid input": report why its first alternative, by convention the
// kind's main shape (the others are special cases such as a test notification), did not match.
function mainIssues(issues: readonly z.core.$ZodIssue[]): readonly z.core.$ZodIssue[] {
  const [first] = issues;
  if (first?.code !== 'invalid_union') return issues;
  const main = first.errors[0];
  return main === undefined || main.length === 0 ? issues : mainIssues(main.map((issue) => ({ ...issue, path: [...first.path, ...issue.path] })));
}

/** One line for a zod error: the first issue's path and message, and how many more there are. */
export function summariseIssues(issues: readonly z.core.$ZodIssue[]): string {
  const reported = mainIssues(issues);
  const [first] = reported;
  if (first === undefined) return 'invalid';
  const path = first.path.length > 0 ? first.path.join('.') : '(root)';
  const more = reported.length > 1 ? ` (and ${reported.length - 1} more)` : '';
  return `${path}: ${first.message}${more}`;
}

/** `value` parsed by `schema`, or InvalidEventError "malformed <what>: <first issue>" with the zod issues as cause. */
export function parseEventPart<T>(schema: z.ZodType<T, unknown>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidEventError(`malformed ${what}: ${summariseIssues(result.error.issues)}`, { cause: result.error.issues });
  }
  return result.data;
}
