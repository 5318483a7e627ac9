/**
 * Starts a TypeScript entry point of the local cloud as its own Node process (through tsx) and waits until it is
 * ready: the first JSON line it prints on stdout, or a readiness check. Every other JSON line goes to `onLine`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LocalProcess<Ready> {
  readonly child: ChildProcess;
  readonly ready: Ready;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, as a reclaimed Spot instance or a killed container sees it. */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly onLine?: (line: unknown) => void;
  readonly onStderr?: (text: string) => void;
  /** Every stdout line that is not JSON (the process's log). */
  readonly onText?: (line: string) => void;
  readonly timeoutMs?: number;
  /** Ready when this resolves, instead of on the first JSON line (for processes that print none). */
  readonly readiness?: (signal: AbortSignal) => Promise<unknown>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns `node --require tsx/cjs <entry>` and resolves with the first JSON object it prints. */
export async function startLocalProcess<Ready>(entry: string, options: StartOptions): Promise<LocalProcess<Ready>> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', entry], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderr = (stderr + text).slice(-4000);
    options.onStderr?.(text);
  });
  const giveUp = new AbortController();
  const ready = await new Promise<Ready>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`${entry} did not get ready within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      giveUp.abort();
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${stderr.trim()}`));
    };
    child.once('exit', (code, signal) => fail(new Error(`${entry} exited (${signal ?? code}) before it was ready`)));
    if (options.readiness) {
      options.readiness(giveUp.signal).then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(value as Ready);
        },
        (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
      );
    }
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        options.onText?.(line); // a log line, not a message
        return;
      }
      if (!settled && !options.readiness) {
        settled = true;
        clearTimeout(timer);
        resolve(parsed as Ready);
      } else {
        options.onLine?.(parsed);
      }
    });
  });
  return {
    child,
    ready,
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited(child);
      clearTimeout(timer);
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
