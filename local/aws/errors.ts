/**
 * The one error class the local AWS services throw. Each wire protocol renders it in its own documented shape
 * (wire.ts): `__type` + `message` for JSON 1.1, the `x-amzn-ErrorType` header for EKS's REST-JSON.
 */

export interface AwsServiceErrorOptions {
  /** HTTP status. @default 400 */
  readonly status?: number;
  /** Extra members of the error body (EKS puts `clusterName` there). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** A request refused the way the service refuses it; `code` is the modeled error's shape name. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  /** Shape name of the error, e.g. ResourceNotFoundException. */
  readonly code: string;
  readonly status: number;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: AwsServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 400;
    this.fields = options.fields ?? {};
  }

}
