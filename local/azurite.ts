/**
 * Starts Azurite, the official Azure Storage emulator, as child processes (blob and queue services on ports the
 * OS picks). `require('azurite')` in-process does not work, so each service runs its own `main.js`; the port is
 * read from the line Azurite prints once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { StorageSharedKeyCredential } from '@azure/storage-blob';

/** Azurite's well-known development account (public, documented; never a production secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export type AzuriteService = 'blob' | 'queue';

export interface Azurite {
  /** e.g. http://127.0.0.1:41857/devstoreaccount1 */
  readonly blobUrl: string;
  readonly queueUrl: string;
  readonly credential: StorageSharedKeyCredential;
  /** A connection string for both services, as Functions and the SDKs accept. */
  readonly connectionString: string;
  stop(): Promise<void>;
}

const AZURITE_DIR = path.dirname(require.resolve('azurite/package.json'));
const LISTENING = /successfully listens on (http:\/\/[\d.]+:(\d+))/;

async function startService(service: AzuriteService, timeoutMs: number, location: string | undefined): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      path.join(AZURITE_DIR, 'dist', 'src', service, 'main.js'),
      ...(location === undefined ? ['--inMemoryPersistence', '--extentMemoryLimit', '1024'] : ['--location', path.join(location, service)]),
      `--${service}Host`, '127.0.0.1',
      `--${service}Port`, '0',
      '--skipApiVersionCheck', // current SDKs send API versions newer than Azurite knows
      '--disableTelemetry',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite ${service} did not start within ${timeoutMs} ms: ${output.trim()}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`Azurite ${service} exited with ${code}: ${output.trim()}`)));
  });
  child.stdout?.resume(); // keep draining so the child never blocks on a full pipe
  return { url: `${url}/${AZURITE_ACCOUNT}`, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts Azurite's blob and queue services; call `stop()` when done. In memory (at most 1 GiB of blob data) unless
 * `location` names a folder to keep the data in (benchmarks that store gigabytes).
 */
export async function startAzurite(options: { timeoutMs?: number; location?: string } = {}): Promise<Azurite> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const [blob, queue] = await Promise.all([startService('blob', timeoutMs, options.location), startService('queue', timeoutMs, options.location)]);
  return {
    blobUrl: blob.url,
    queueUrl: queue.url,
    credential: new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `BlobEndpoint=${blob.url};QueueEndpoint=${queue.url};`,
    stop: async () => {
      await Promise.all([stopChild(blob.child), stopChild(queue.child)]);
    },
  };
}
