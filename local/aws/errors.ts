/**
 * The one error class the local AWS services throw. Each wire protocol renders it in its own documented shape
 * (wire.ts): `__type` + `message` for the JSON protocols (plus `x-amzn-query-error` for SQS), the
 * `x-amzn-ErrorType` header for EKS's REST-JSON.
 */

export interface AwsServiceErrorOptions {
  /** HTTP status. @default 400 */
  readonly status?: number;
  /** SQS only: the awsQueryError code the SDK maps back to the modeled error, e.g. AWS.SimpleQueueService.NonExistentQueue. */
  readonly queryCode?: string;
  /** Extra members of the error body (EKS puts `clusterName` there). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** A request refused the way the service refuses it; `code` is the modeled error's shape name. */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  /** Shape name of the error, e.g. QueueDoesNotExist, ResourceNotFoundException. */
  readonly code: string;
  readonly status: number;
  readonly queryCode: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: AwsServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? 400;
    this.queryCode = options.queryCode;
    this.fields = options.fields ?? {};
  }

  /** True when the caller is at fault (4xx): SQS batch results report it as SenderFault. */
  get senderFault(): boolean {
    return this.status < 500;
  }
}
