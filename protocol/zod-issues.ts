/**
 * A zod error as one line, `path: problem; path: problem`, for HTTP 400 bodies, log lines and configuration errors
 * (z.prettifyError writes one line per issue and an arrow per path: right for a terminal, not for a JSON field).
 */
import type { z } from 'zod';

/** Every issue of `error` on one line; an issue at the top level is named `root`. */
export function issueList(error: z.ZodError, root = '(root)'): string {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || root}: ${issue.message}`).join('; ');
}
