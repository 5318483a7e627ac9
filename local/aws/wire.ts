/**
 * The local AWS protocols' wire shapes: the SigV4 credential scope (any signature is accepted, but the scope must name
 * the right service and region, as AWS checks it), and answers in each protocol's documented shape:
 * - AWS JSON 1.1: `application/x-amz-json-1.1`, errors `{ "__type": ..., "message": ... }`.
 * - REST-JSON (EKS): `application/json`, errors named by the `x-amzn-ErrorType` header with `message` in the body.
 * Every answer carries an `x-amzn-RequestId`.
 */
import { AwsServiceError } from './errors';

/** The protocols the local AWS speaks. */
export type AwsProtocol = 'awsJson1_1' | 'restJson1';

/** An HTTP answer. */
export interface WireAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const CONTENT_TYPE: Readonly<Record<AwsProtocol, string>> = { awsJson1_1: 'application/x-amz-json-1.1', restJson1: 'application/json' };

/** The credential scope of a SigV4 `Authorization` header, or undefined if it is not one. */
export function parseCredentialScope(authorization: string | undefined): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request\s*,/.exec(authorization ?? '');
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service] = match as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}

/**
 * Checks that the request is SigV4-signed for `service` in `region` (the signature itself is not verified: there are
 * no real credentials here). Throws the error AWS answers otherwise.
 */
export function checkCredentialScope(authorization: string | undefined, service: string, region: string): void {
  const scope = parseCredentialScope(authorization);
  if (scope === undefined && authorization === undefined) throw new AwsServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token', { status: 403 });
  if (scope === undefined) throw new AwsServiceError('IncompleteSignatureException', 'Authorization header requires a SigV4 Credential scope.', { status: 403 });
  if (scope.service !== service) throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'. `, { status: 403 });
  if (scope.region !== region) {
    throw new AwsServiceError('InvalidSignatureException', `Credential should be scoped to a valid region. (the local AWS serves ${region})`, { status: 403 });
  }
}

/** A success answer with a JSON body. */
export function jsonAnswer(protocol: AwsProtocol, body: unknown, requestId: string): WireAnswer {
  return { status: 200, headers: { 'content-type': CONTENT_TYPE[protocol], 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

/** An error answer in the protocol's shape; `messageKey` is the body member of the message (Secrets Manager's is `Message`). */
export function errorAnswer(protocol: AwsProtocol, error: AwsServiceError, requestId: string, messageKey: 'message' | 'Message' = 'message'): WireAnswer {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[protocol], 'x-amzn-requestid': requestId };
  if (protocol === 'restJson1') {
    headers['x-amzn-errortype'] = error.code;
    return { status: error.status, headers, body: JSON.stringify({ ...error.fields, [messageKey]: error.message }) };
  }
  return { status: error.status, headers, body: JSON.stringify({ __type: error.code, [messageKey]: error.message, ...error.fields }) };
}
