/**
 * EKS authentication without kubectl or @kubernetes/client-node: the bearer token `aws eks get-token` and
 * aws-iam-authenticator produce, plus the cluster's endpoint and CA from eks:DescribeCluster.
 *
 * Token = "k8s-aws-v1." + base64url(no padding) of a SigV4-presigned URL for
 * `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` whose signed headers
 * include `x-k8s-aws-id: <cluster name>`, with X-Amz-Expires=60. EKS replays the URL against STS to learn the
 * caller; STS honours such a URL for 15 minutes after X-Amz-Date whatever X-Amz-Expires says.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** X-Amz-Expires of the presigned URL, as aws-iam-authenticator sets it. */
export const EKS_TOKEN_PRESIGN_SECONDS = 60;
/** How long one token is reused: well inside STS's 15-minute acceptance of the presigned URL. */
export const EKS_TOKEN_REUSE_MS = 10 * 60 * 1000;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

export interface EksTokenInput {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentials | AwsCredentialsProvider;
  /** Signing time; the token is a pure function of its inputs. */
  readonly signingDate: Date;
}

function stsHostname(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

// RFC 3986 percent-encoding, the form SigV4 canonicalises to.
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: Record<string, string | string[] | null> = {}): string {
  return Object.keys(query)
    .sort()
    .flatMap((key) => {
      const value = query[key];
      const values = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
      return values.map((v) => `${encodeRfc3986(key)}=${encodeRfc3986(v)}`);
    })
    .join('&');
}

/** An EKS bearer token for `clusterName`, signed with `credentials` at `signingDate`. */
export async function eksToken(input: EksTokenInput): Promise<string> {
  const hostname = stsHostname(input.region);
  const signer = new SignatureV4({ credentials: input.credentials, region: input.region, service: 'sts', sha256: Sha256 });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
  });
  const presigned = await signer.presign(request, { expiresIn: EKS_TOKEN_PRESIGN_SECONDS, signingDate: input.signingDate });
  const url = `https://${hostname}/?${queryString(presigned.query)}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** Everything needed to call the cluster's API server. */
export interface ClusterConnection {
  /** `https://…` API server endpoint. */
  readonly endpoint: string;
  /** PEM of the cluster CA, which signs the API server's certificate. */
  readonly caPem: string;
  readonly token: string;
}

/** Supplies a current connection to the EKS cluster. */
export interface ClusterAccess {
  connection(): Promise<ClusterConnection>;
}

/** DescribeCluster failed or the cluster has no endpoint or CA yet. Retried. */
export class ClusterLookupError extends Error {
  override readonly name = 'ClusterLookupError';
}

export interface EksClusterAccessOptions {
  readonly eks: EKSClient;
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  readonly now?: () => Date;
}

/**
 * Cluster access via eks:DescribeCluster (endpoint and CA cached for the life of the container; a failure is
 * not cached) and a token regenerated every EKS_TOKEN_REUSE_MS.
 */
export function eksClusterAccess(options: EksClusterAccessOptions): ClusterAccess {
  const now = options.now ?? (() => new Date());
  let cluster: Promise<{ endpoint: string; caPem: string }> | undefined;
  let token: { value: Promise<string>; expiresAtMs: number } | undefined;

  const describe = async () => {
    let response;
    try {
      response = await options.eks.send(new DescribeClusterCommand({ name: options.clusterName }));
    } catch (error) {
      throw new ClusterLookupError(`cannot describe EKS cluster ${options.clusterName}: ${(error as Error).message}`, { cause: error });
    }
    const endpoint = response.cluster?.endpoint;
    const caData = response.cluster?.certificateAuthority?.data;
    if (!endpoint || !caData) {
      throw new ClusterLookupError(`EKS cluster ${options.clusterName} has no endpoint or CA yet (status ${response.cluster?.status ?? 'unknown'})`);
    }
    return { endpoint, caPem: Buffer.from(caData, 'base64').toString('utf8') };
  };

  const currentToken = (): Promise<string> => {
    const signingDate = now();
    if (token === undefined || signingDate.getTime() >= token.expiresAtMs) {
      const value = eksToken({ clusterName: options.clusterName, region: options.region, credentials: options.credentials, signingDate });
      const entry = { value, expiresAtMs: signingDate.getTime() + EKS_TOKEN_REUSE_MS };
      token = entry;
      value.catch(() => {
        if (token === entry) token = undefined;
      });
    }
    return token.value;
  };

  return {
    async connection() {
      cluster ??= describe().catch((error: unknown) => {
        cluster = undefined;
        throw error;
      });
      const [{ endpoint, caPem }, bearer] = await Promise.all([cluster, currentToken()]);
      return { endpoint, caPem, token: bearer };
    },
  };
}
