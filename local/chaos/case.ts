/** One chaos case and the HTTP helpers cases share. */
import { request as httpRequest } from 'node:http';
import { sign } from '../../protocol/signing';
import type { Harness } from './harness';

/** An attack or fault, what it must come to, and how to observe what it came to. */
export interface ChaosCase {
  /** Stable id, `<target>/<what>`: `brain/signals/forged`. */
  readonly id: string;
  /** The component and endpoint (or dependency) under attack. */
  readonly target: string;
  /** What must happen, in the same words `run` reports. */
  readonly expected: string;
  /** Runs the case; resolves what happened (compared with `expected`). */
  run(harness: Harness): Promise<string>;
}

/** What an HTTP answer says, as cases compare it: `<status> <error code or status field>`. */
export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
  readonly headers: Headers;
}

export async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> } = {}): Promise<Answer> {
  const response = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }), signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, headers: response.headers };
}

/** Bytes an oversize request declares. */
const OVERSIZE_BYTES = 5 * 1024 * 1024;

/**
 * A POST that declares 5 MiB and streams it: the answer is read as soon as it comes, because a server that refuses
 * an oversize body answers before reading it and closes the connection under the rest (fetch reports that as a
 * failure, which would hide the answer).
 */
export function sendOversize(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    let answered = false;
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(OVERSIZE_BYTES) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, headers: new Headers(Object.entries(res.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []))) });
        req.destroy();
      });
    });
    // The server may cut the upload (EPIPE, reset) just before its answer is read: give the answer a moment.
    req.on('error', (error) => setTimeout(() => (answered ? undefined : reject(error)), 1_000));
    const pump = () => {
      while (written < OVERSIZE_BYTES && !req.destroyed) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end();
    };
    // A server that checks the declared length answers at the headers; only then is the body streamed.
    req.flushHeaders();
    setTimeout(() => (answered ? undefined : pump()), 200);
  });
}

/** `401 bad-signature`, `202 recorded`, `200`: the status and the code that says why. */
export function summary(answer: Answer): string {
  const code = answer.json?.error ?? answer.json?.outcome ?? answer.json?.status;
  return typeof code === 'string' ? `${answer.status} ${code}` : String(answer.status);
}

/** Resolves once `check` holds, or with its last value after `timeoutMs`. */
export async function waitFor<T>(read: () => Promise<T> | T, check: (value: T) => boolean, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await read();
  }
  return value;
}

/** JSON content type and the signature headers of `bytes` (protocol/signing.ts) signed with `key` at `atMs`. */
export const signedJson = (key: string, bytes: string | Uint8Array, atMs = Date.now()): Record<string, string> => ({
  'content-type': 'application/json',
  ...(sign(key, Buffer.from(bytes), atMs) as unknown as Record<string, string>),
});

/** A signal posted to the brain, signed with `key` (the signal ring's by default). */
export const postSignal = (h: Harness, body: string, key = h.keys.signal, contentType = 'application/json'): Promise<Answer> =>
  send(`${h.brainUrl}/api/signals`, { method: 'POST', headers: { ...signedJson(key, body), 'content-type': contentType }, body });

/** A case id segment from a description: `signed POST /epoch` -> `signed-post-epoch`. */
export const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

let sequence = 0;
/** A fresh id for this run of the suite. */
export const freshId = (prefix: string): string => `${prefix}-${process.pid}-${++sequence}`;
