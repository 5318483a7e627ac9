/**
 * Starts the local cloud's S3: fauxqs, a maintained in-process S3/SQS/SNS emulator from npm, in a process of its
 * own (it is ESM-only and needs Node >= 22.5 for node:sqlite, so it cannot be `require`d here). The port is the one
 * the OS picks, read from the line the process prints. Clients reach it through AWS_ENDPOINT_URL_S3 (`env`) with
 * path-style addressing (fl-training/data/cloud-data-stores.ts) and any credentials.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3DataStore } from '../fl-training/data/cloud-data-stores';
import { parseDataUrl } from '../fl-training/data/data-store';

const REPO_ROOT = path.resolve(__dirname, '..');

/** Run with `--input-type=module` from the repository root, where the bare specifier resolves. */
const SERVER = `
import { startFauxqs } from 'fauxqs';
const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
console.log(JSON.stringify({ port: server.port }));
`;

export interface LocalS3 {
  /** e.g. http://127.0.0.1:41857 */
  readonly endpoint: string;
  /** What an AWS process needs to use it: the endpoint, a region and dummy credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** A client for the drill's own checks. */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** The data store an s3:// URL names, here (without touching process.env). */
  dataStore(url: string): S3DataStore;
  stop(): Promise<void>;
}

export async function startLocalS3(options: { timeoutMs?: number } = {}): Promise<LocalS3> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`the local S3 (fauxqs) needs Node >= 22.5, this is ${process.version}: run through npm (npm start, npm test), which uses the Node this repository installs`);
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], { cwd: REPO_ROOT, env: { ...process.env, FAUXQS_LOGGER: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await firstPort(child, options.timeoutMs ?? 20_000);
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const client = () => new S3Client({ endpoint, region: env.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    endpoint,
    env,
    client,
    createBucket: async (name) => {
      await client().send(new CreateBucketCommand({ Bucket: name }));
    },
    dataStore: (url) => {
      const location = parseDataUrl(url);
      if (location.scheme !== 's3') throw new Error(`${url} is not an s3:// data URL`);
      return new S3DataStore(url, client(), location.bucket, location.prefix);
    },
    stop: () => stopChild(child),
  };
}

function firstPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the local S3 (fauxqs) ${why}: ${stderr.trim()}`));
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
