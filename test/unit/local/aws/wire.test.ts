/** Wire shapes: SigV4 scope checks and each protocol's error shape, without a socket. */
import { AwsServiceError } from '../../../../local/aws/errors';
import { checkCredentialScope, errorAnswer, parseCredentialScope } from '../../../../local/aws/wire';

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-west-2/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';

describe('SigV4 credential scope', () => {
  it('reads the scope and accepts any signature for the right service and region', () => {
    expect(parseCredentialScope(AUTH)).toStrictEqual({ accessKeyId: 'AKIDEXAMPLE', date: '20260301', region: 'us-west-2', service: 'sqs' });
    expect(() => checkCredentialScope(AUTH, 'sqs', 'us-west-2')).not.toThrow();
  });

  it.each([
    [undefined, 'sqs', 'us-west-2', 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    ['Bearer x', 'sqs', 'us-west-2', 'IncompleteSignatureException', 'Authorization header requires a SigV4 Credential scope.'],
    [AUTH, 'events', 'us-west-2', 'InvalidSignatureException', "Credential should be scoped to correct service: 'events'. "],
    [AUTH, 'sqs', 'eu-west-1', 'InvalidSignatureException', 'Credential should be scoped to a valid region. (the local AWS serves eu-west-1)'],
  ])('refuses %s for %s in %s', (authorization, service, region, code, message) => {
    expect(() => checkCredentialScope(authorization, service, region)).toThrow(expect.objectContaining({ code, message, status: 403 }));
  });
});

describe('errorAnswer', () => {
  it('renders JSON 1.1 errors with __type, the message and the headers', () => {
    expect(errorAnswer('awsJson1_1', new AwsServiceError('ValidationException', 'bad'), 'req-1')).toStrictEqual({
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'req-1' },
      body: JSON.stringify({ __type: 'ValidationException', message: 'bad' }),
    });
  });

  it('renders JSON 1.1 errors with the service message key', () => {
    const notFound = new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    expect(JSON.parse(errorAnswer('awsJson1_1', notFound, 'r', 'Message').body)).toStrictEqual({
      __type: 'ResourceNotFoundException',
      Message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('renders REST-JSON errors with x-amzn-ErrorType', () => {
    const notFound = new AwsServiceError('ResourceNotFoundException', 'No cluster found for name: x.', { status: 404, fields: { clusterName: 'x' } });
    expect(errorAnswer('restJson1', notFound, 'r')).toStrictEqual({
      status: 404,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'r', 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ clusterName: 'x', message: 'No cluster found for name: x.' }),
    });
  });
});
