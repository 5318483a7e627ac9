/**
 * The emulator's HTTP edge: reading a request into an {@link ArmRequest}, and writing an {@link Answer} (or an
 * ARM error body for a refusal) with the headers ARM sends on every answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmRequestError } from './errors';

/** What a route handler answers: status, JSON body, extra headers. */
export interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One request as the route handlers see it, its body read. */
export interface ArmRequest {
  /** Upper case. */
  readonly method: string;
  readonly url: URL;
  readonly body: string;
  /** https://host:port as the client addressed the emulator: the base of URLs in answers. */
  readonly origin: string;
  header(name: string): string | undefined;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({ status, body, headers });

/** A request header, repeated values joined as Node joins them. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The request body as text; 413 RequestEntityTooLarge over 1 MiB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ArmRequestError(413, 'RequestEntityTooLarge', `The request content is larger than ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The body as JSON; 400 InvalidRequestContent when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') {
    throw new ArmRequestError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: the body is empty.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArmRequestError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The answer to a refused request: ArmRequestError as it is, anything else as a 500 InternalServerError. */
export function refusal(error: unknown): { readonly answer: Answer; readonly code: string } {
  const refused =
    error instanceof ArmRequestError
      ? error
      : new ArmRequestError(500, 'InternalServerError', `Emulator error: ${(error as Error).message}`, { cause: error });
  return { answer: { status: refused.status, body: refused.toBody(), headers: refused.options.headers ?? {} }, code: refused.code };
}

/** Writes `answer` with ARM's request-id headers (the client's correlation and client request ids echoed). */
export function writeAnswer(req: IncomingMessage, res: ServerResponse, answer: Answer, requestId: string): void {
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...(payload === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': String(Buffer.byteLength(payload)),
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': header(req, 'x-ms-correlation-request-id') ?? requestId,
    ...(header(req, 'x-ms-client-request-id') === undefined ? {} : { 'x-ms-client-request-id': header(req, 'x-ms-client-request-id') }),
    ...answer.headers,
  });
  res.end(payload);
}
