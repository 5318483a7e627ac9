/** Finds the field's checking tools (helm, terraform, cfn-lint) so that tests needing one skip visibly without it. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `command` on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
