/** Runs the `spot-on` command as a user does, in its own process, and collects what it printed. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const BIN = path.resolve(__dirname, '../../../bin/spot-on.cjs');

export interface SpotOnRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `spot-on <args...>` with `env` (default: this process's). */
export function runSpotOn(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<SpotOnRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
