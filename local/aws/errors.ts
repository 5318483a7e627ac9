/**
 * The one error class the local AWS services throw. Each wire protocol renders it in its own documented shape
 * (wire.ts): `__type` + `message` for JSON 1.1, the `x-amzn-ErrorType` header for EKS's REST-JSON.
 */

/** A request refused the way the service refuses it; `code` is the modeled error's shape name. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  /** HTTP status. */
  readonly status: number;
  /** Extra members of the error body (EKS puts `clusterName` there). */
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(
    /** Shape name of the error, e.g. ResourceNotFoundException. */
    readonly code: string,
    message: string,
    options: { readonly status?: number; readonly fields?: Readonly<Record<string, unknown>>; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 400;
    this.fields = options.fields ?? {};
  }
}
