/**
 * Starts the local cloud's S3: fauxqs (fauxqs.ts) in a process of its own. Clients reach it through
 * AWS_ENDPOINT_URL_S3 (`env`) with path-style addressing (fl-training/data/cloud-data-stores.ts) and any credentials.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3DataStore } from '../fl-training/data/cloud-data-stores';
import { parseDataUrl } from '../fl-training/data/data-store';
import { startFauxqs } from './fauxqs';

export interface LocalS3 {
  /** e.g. http://127.0.0.1:41857 */
  readonly endpoint: string;
  /** What an AWS process needs to use it: the endpoint, a region and dummy credentials. */
  readonly env: Readonly<Record<string, string>>;
  /** A client for the drill's own checks. */
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  /** The data store an s3:// URL names, here (without touching process.env). */
  dataStore(url: string): S3DataStore;
  stop(): Promise<void>;
}

export async function startLocalS3(options: { timeoutMs?: number } = {}): Promise<LocalS3> {
  const fauxqs = await startFauxqs({ queueUrlHost: '127.0.0.1', ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
  const endpoint = fauxqs.endpoint;
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
  const client = () => new S3Client({ endpoint, region: env.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return {
    endpoint,
    env,
    client,
    createBucket: async (name) => {
      await client().send(new CreateBucketCommand({ Bucket: name }));
    },
    dataStore: (url) => {
      const location = parseDataUrl(url);
      if (location.scheme !== 's3') throw new Error(`${url} is not an s3:// data URL`);
      return new S3DataStore(url, client(), location.bucket, location.prefix);
    },
    stop: () => fauxqs.stop(),
  };
}
