/**
 * SHA-256 off the event loop: a checkpoint's model.bin is hashed on a worker thread while its blocks upload, instead
 * of on the event loop between uploads (100 MB takes about 90 ms of a core: most of what a checkpoint cost over a
 * plain upload).
 *
 * One worker per process, started on first use and unref'd while idle (it never keeps the process alive). Each
 * block is copied once into a buffer that is transferred, not cloned: a clone of a view would copy its whole
 * underlying buffer, the whole model, every block. The worker runs plain JavaScript from a string, so it loads the
 * same whether the code runs under tsx, ts-jest or a bundle.
 */
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', ({ id, block }) => {
  if (!hashes.has(id)) hashes.set(id, createHash('sha256'));
  if (block) return void hashes.get(id).update(new Uint8Array(block));
  const hex = hashes.get(id).digest('hex');
  hashes.delete(id);
  parentPort.postMessage({ id, hex });
});
`;

let worker: Worker | undefined;
/** Workers that failed: a hash begun on one can never finish. */
const failed = new WeakSet<Worker>();
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (error: Error) => void }>();
let nextId = 0;

function hashWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(WORKER_SOURCE, { eval: true });
  started.unref();
  started.on('message', ({ id, hex }: { id: number; hex: string }) => {
    waiting.get(id)?.resolve(hex);
    waiting.delete(id);
    if (waiting.size === 0) started.unref();
  });
  const fail = (error: Error) => {
    failed.add(started);
    if (worker === started) worker = undefined;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  started.on('error', fail);
  started.on('exit', (code) => fail(new Error(`the hash worker exited with code ${code}`)));
  worker = started;
  return started;
}

/** A SHA-256 computed on the hash worker: `update` returns at once, `digest` resolves when the worker is done. */
export class BackgroundSha256 {
  private readonly id = nextId++;
  private readonly worker = hashWorker();

  /** Queues bytes (copied: the caller may change its buffer afterwards). */
  update(bytes: Uint8Array): void {
    const copy = new Uint8Array(bytes);
    this.worker.postMessage({ id: this.id, block: copy.buffer }, [copy.buffer]);
  }

  /** The hex digest of everything queued, in order. */
  digest(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (failed.has(this.worker)) return reject(new Error('the hash worker failed before this digest was asked for'));
      waiting.set(this.id, { resolve, reject });
      this.worker.ref(); // a digest being computed keeps the process alive until it arrives
      this.worker.postMessage({ id: this.id });
    });
  }
}
