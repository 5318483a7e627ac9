import { createHash, createHmac } from 'node:crypto';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { ClusterLookupError, eksClusterAccess, eksToken, EKS_TOKEN_PREFIX } from '../../../lambdas/adapters/eks-auth';

// AWS's documented example credentials; nothing here is a real key.
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SIGNING_DATE = new Date('2026-03-01T12:00:05.000Z');

function decode(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url without padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 query signature recomputed from the AWS documentation, independently of @smithy/signature-v4. */
function expectedSignature(url: URL, clusterName: string, secretAccessKey: string): string {
  const params = [...url.searchParams.entries()].filter(([key]) => key !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const scope = `${amzDate.slice(0, 8)}/us-west-2/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, amzDate.slice(0, 8)), 'us-west-2'), 'sts'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('eksToken', () => {
  it('is k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL bound to the cluster', async () => {
    const token = await eksToken({ clusterName: 'spot-on', region: 'us-west-2', credentials: CREDENTIALS, signingDate: SIGNING_DATE });
    const url = decode(token);

    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('https://sts.us-west-2.amazonaws.com/');
    expect(Object.fromEntries(url.searchParams)).toStrictEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260301/us-west-2/sts/aws4_request',
      'X-Amz-Date': '20260301T120005Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
      'X-Amz-Signature': expectedSignature(url, 'spot-on', CREDENTIALS.secretAccessKey),
    });
    // Deterministic for fixed inputs.
    expect(await eksToken({ clusterName: 'spot-on', region: 'us-west-2', credentials: CREDENTIALS, signingDate: SIGNING_DATE })).toBe(token);
  });

  it('carries a session token and is bound to the cluster name', async () => {
    const withSession = { ...CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEXAMPLE/+=' };
    const url = decode(await eksToken({ clusterName: 'spot-on', region: 'us-west-2', credentials: () => Promise.resolve(withSession), signingDate: SIGNING_DATE }));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEXAMPLE/+=');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'spot-on', CREDENTIALS.secretAccessKey));

    const other = decode(await eksToken({ clusterName: 'other', region: 'us-west-2', credentials: CREDENTIALS, signingDate: SIGNING_DATE }));
    expect(other.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(other, 'other', CREDENTIALS.secretAccessKey));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(expectedSignature(other, 'spot-on', CREDENTIALS.secretAccessKey));
  });
});

describe('eksClusterAccess', () => {
  const eksMock = mockClient(EKSClient);
  const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
  beforeEach(() => eksMock.reset());

  it('describes the cluster once and reuses the token for ten minutes', async () => {
    eksMock.on(DescribeClusterCommand, { name: 'spot-on' }).resolves({
      cluster: { endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com', certificateAuthority: { data: Buffer.from(CA_PEM).toString('base64') }, status: 'ACTIVE' },
    });
    let now = SIGNING_DATE;
    const access = eksClusterAccess({ eks: new EKSClient({ region: 'us-west-2' }), clusterName: 'spot-on', region: 'us-west-2', credentials: () => Promise.resolve(CREDENTIALS), now: () => now });

    const first = await access.connection();
    expect(first).toStrictEqual({
      endpoint: 'https://ABC.gr7.us-west-2.eks.amazonaws.com',
      caPem: CA_PEM,
      token: await eksToken({ clusterName: 'spot-on', region: 'us-west-2', credentials: CREDENTIALS, signingDate: SIGNING_DATE }),
    });
    now = new Date(SIGNING_DATE.getTime() + 9 * 60_000);
    expect((await access.connection()).token).toBe(first.token);
    now = new Date(SIGNING_DATE.getTime() + 10 * 60_000);
    expect((await access.connection()).token).not.toBe(first.token);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(1);
  });

  it('does not cache a failed lookup', async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(new Error('Rate exceeded')).resolves({ cluster: { status: 'CREATING' } });
    const access = eksClusterAccess({ eks: new EKSClient({ region: 'us-west-2' }), clusterName: 'spot-on', region: 'us-west-2', credentials: () => Promise.resolve(CREDENTIALS) });

    const first = (await access.connection().catch((error: unknown) => error)) as ClusterLookupError;
    expect(first).toBeInstanceOf(ClusterLookupError);
    expect([first.name, first.message, (first.cause as Error).message]).toStrictEqual([
      'ClusterLookupError',
      'cannot describe EKS cluster spot-on: Rate exceeded',
      'Rate exceeded',
    ]);
    await expect(access.connection()).rejects.toThrow(new ClusterLookupError('EKS cluster spot-on has no endpoint or CA yet (status CREATING)'));
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });
});
