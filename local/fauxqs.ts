/**
 * Starts fauxqs, a maintained S3/SQS/SNS emulator from npm (MIT), in a process of its own: it is ESM-only and needs
 * Node >= 22.5 for node:sqlite, so it cannot be `require`d here. The port is the one the OS picks, read from the line
 * the process prints. The local S3 (s3.ts) and the local SQS (aws/sqs.ts) each run one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

const REPO_ROOT = path.resolve(__dirname, '..');

/** A running fauxqs process. */
export interface FauxqsProcess {
  /** e.g. http://127.0.0.1:41857 */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface FauxqsOptions {
  /** Host of the queue URLs it makes (`sqs.<region>.<host>`); without one they name the host each request was sent to. */
  readonly queueUrlHost?: string;
  /** @default 20_000 */
  readonly timeoutMs?: number;
}

/**
 * Why fauxqs cannot run on this Node (it needs >= 22.5: node:sqlite), or undefined. The local cloud checks it before
 * it starts anything, so that an old Node gets one clear error instead of a half-started cloud.
 */
export function fauxqsNodeProblem(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) return undefined;
  return `fauxqs needs Node >= 22.5, this is v${version}: run through npm (npm start, npm test), which uses the Node this repository installs`;
}

/** Starts fauxqs on a free port (it listens on every interface; clients use 127.0.0.1). */
export async function startFauxqs(options: FauxqsOptions = {}): Promise<FauxqsProcess> {
  const problem = fauxqsNodeProblem();
  if (problem !== undefined) throw new Error(problem);
  // Run with `--input-type=module` from the repository root, where the bare specifier resolves.
  const server = `
import { startFauxqs } from 'fauxqs';
const server = await startFauxqs({ port: 0, logger: false${options.queueUrlHost === undefined ? '' : `, host: ${JSON.stringify(options.queueUrlHost)}`} });
console.log(JSON.stringify({ port: server.port }));
`;
  const { FAUXQS_HOST: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--input-type=module', '-e', server], { cwd: REPO_ROOT, env: { ...env, FAUXQS_LOGGER: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await firstPort(child, options.timeoutMs ?? 20_000);
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function firstPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`fauxqs ${why}: ${stderr.trim()}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code) => fail(`exited with ${code}`));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const port = (JSON.parse(line) as { port?: unknown }).port;
      if (typeof port === 'number') resolve(port);
      else fail(`printed ${line}`);
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
