/**
 * SQS errors as the service answers them over the JSON protocol: the modeled shape name (the SDK's error
 * class) and the awsQueryError code in `x-amzn-query-error`, which @aws-sdk/client-sqs (awsQueryCompatible)
 * reads first and maps back to the modeled class. Messages follow the service's wording.
 */
import { AwsServiceError } from './errors';

export const sqsErrors = {
  queueDoesNotExist: () =>
    new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.', { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' }),
  queueNameExists: (attribute: string) =>
    new AwsServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attribute}`, {
      queryCode: 'QueueAlreadyExists',
    }),
  invalidAddress: (url: string) =>
    new AwsServiceError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, { status: 404, queryCode: 'InvalidAddress' }),
  receiptHandleIsInvalid: (handle: string) =>
    new AwsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, {
      status: 404,
      queryCode: 'ReceiptHandleIsInvalid',
    }),
  /** What ChangeMessageVisibility answers for a deleted, re-received or no longer in-flight message. */
  notInFlight: (handle: string) =>
    new AwsServiceError(
      'InvalidParameterValue',
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      { queryCode: 'InvalidParameterValue' },
    ),
  invalidParameterValue: (message: string) => new AwsServiceError('InvalidParameterValue', message, { queryCode: 'InvalidParameterValue' }),
  missingParameter: (parameter: string) =>
    new AwsServiceError('MissingParameter', `The request must contain the parameter ${parameter}.`, { queryCode: 'MissingParameter' }),
  invalidAttributeName: (name: string) => new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string, reason: string) =>
    new AwsServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}`),
  purgeQueueInProgress: (queueName: string) =>
    new AwsServiceError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`, {
      status: 403,
      queryCode: 'AWS.SimpleQueueService.PurgeQueueInProgress',
    }),
  emptyBatchRequest: (entryName: string) =>
    new AwsServiceError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`, {
      queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest',
    }),
  tooManyEntriesInBatchRequest: (count: number) =>
    new AwsServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${count}.`, {
      queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    }),
  batchEntryIdsNotDistinct: (id: string) =>
    new AwsServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' }),
  invalidBatchEntryId: () =>
    new AwsServiceError(
      'InvalidBatchEntryId',
      'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId' },
    ),
  batchRequestTooLong: (bytes: number, limit: number) =>
    new AwsServiceError('BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${bytes} bytes.`, {
      queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong',
    }),
  unsupportedOperation: (what: string) =>
    new AwsServiceError('UnsupportedOperation', what, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' }),
} as const;
