/**
 * HTTP plumbing shared by the local AWS protocols: the request body, the SigV4 credential scope (any signature
 * is accepted, but the scope must name the right service and region, as AWS checks it), and answers in each
 * protocol's documented shape:
 * - AWS JSON 1.1: `application/x-amz-json-1.1`, errors `{ "__type": ..., "message": ... }`.
 * - REST-JSON (EKS): `application/json`, errors named by the `x-amzn-ErrorType` header with `message` in the body.
 * Every answer carries an `x-amzn-RequestId`.
 */
import type { IncomingMessage } from 'node:http';
import { AwsServiceError } from './errors';

/** The protocols the local AWS speaks. */
export type AwsProtocol = 'awsJson1_1' | 'restJson1';

/** An HTTP answer. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a SigV4 Authorization header's credential scope says. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const CONTENT_TYPE: Readonly<Record<AwsProtocol, string>> = {
  awsJson1_1: 'application/x-amz-json-1.1',
  restJson1: 'application/json',
};

/** Largest request body accepted (an SQS batch of 1 MiB plus JSON overhead). */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

/** Reads the request body as UTF-8; a body over MAX_REQUEST_BYTES is refused with 413. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) throw new AwsServiceError('RequestEntityTooLargeException', `Request body over ${MAX_REQUEST_BYTES} bytes.`, { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The credential scope of a SigV4 `Authorization` header, or undefined if it is not one. */
export function parseCredentialScope(authorization: string | undefined): CredentialScope | undefined {
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request\s*,/.exec(authorization ?? '');
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service] = match as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}

/**
 * Checks that the request is SigV4-signed for `service` in `region` (the signature itself is not verified:
 * there are no real credentials here). Throws the error AWS answers otherwise.
 */
export function checkCredentialScope(authorization: string | undefined, service: string, region: string): CredentialScope {
  const scope = parseCredentialScope(authorization);
  if (scope === undefined) {
    throw new AwsServiceError(
      authorization === undefined ? 'MissingAuthenticationTokenException' : 'IncompleteSignatureException',
      authorization === undefined ? 'Missing Authentication Token' : 'Authorization header requires a SigV4 Credential scope.',
      { status: 403 },
    );
  }
  if (scope.service !== service) {
    throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'. `, { status: 403 });
  }
  if (scope.region !== region) {
    throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to a valid region. (the local AWS serves ${region})`, {
      status: 403,
    });
  }
  return scope;
}

/** A success answer with a JSON body. */
export function jsonAnswer(protocol: AwsProtocol, body: unknown, requestId: string, status = 200): WireAnswer {
  return { status, headers: { 'content-type': CONTENT_TYPE[protocol], 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

export interface ErrorShape {
  /** Namespace prefixed to `__type`; codes that carry their own `#` keep theirs. */
  readonly typeNamespace?: string;
  /** Member name of the message in the body. @default 'message' */
  readonly messageKey?: 'message' | 'Message';
}

/** An error answer in the protocol's shape. */
export function errorAnswer(protocol: AwsProtocol, error: AwsServiceError, requestId: string, shape: ErrorShape = {}): WireAnswer {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[protocol], 'x-amzn-requestid': requestId };
  const shortCode = error.code.includes('#') ? (error.code.split('#')[1] as string) : error.code;
  const messageKey = shape.messageKey ?? 'message';
  if (protocol === 'restJson1') {
    headers['x-amzn-errortype'] = shortCode;
    return { status: error.status, headers, body: JSON.stringify({ ...error.fields, [messageKey]: error.message }) };
  }
  const type = error.code.includes('#') || shape.typeNamespace === undefined ? error.code : `${shape.typeNamespace}#${error.code}`;
  return { status: error.status, headers, body: JSON.stringify({ __type: type, [messageKey]: error.message, ...error.fields }) };
}
