/** The two clouds' data stores: S3 on AWS, Blob on Azure, each with its SDK's default credentials. */
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import type { Cloud } from '../../protocol/run-status';
import { ConfigError, DataNotStagedError } from '../errors';
import { keyUnder, parseDataUrl, type DataStore } from './data-store';

export class S3DataStore implements DataStore {
  readonly cloud: Cloud = 'aws';
  constructor(
    readonly url: string,
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  async read(name: string): Promise<Uint8Array> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: keyUnder(this.prefix, name) }));
      return await answer.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey) throw new DataNotStagedError(`${this.url}/${name}`, { cause: error });
      throw error;
    }
  }

  /** Multipart in parallel parts (lib-storage): one PUT is capped at 5 GB, and a shard of real data can be larger. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    await new Upload({ client: this.client, params: { Bucket: this.bucket, Key: keyUnder(this.prefix, name), Body: bytes, ContentType: 'application/octet-stream' } }).done();
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    const start = this.prefix === '' ? '' : `${this.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: start, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key.slice(start.length));
      token = page.NextContinuationToken;
    } while (token);
    return names.sort();
  }
}

export class BlobDataStore implements DataStore {
  readonly cloud: Cloud = 'azure';
  private ensured: Promise<void> | undefined;
  constructor(
    readonly url: string,
    private readonly container: ContainerClient,
    private readonly prefix: string,
  ) {}

  async read(name: string): Promise<Uint8Array> {
    try {
      return await this.container.getBlobClient(keyUnder(this.prefix, name)).downloadToBuffer();
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) throw new DataNotStagedError(`${this.url}/${name}`, { cause: error });
      throw error;
    }
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    // Once per store, not once per object; a failed attempt is tried again by the next write.
    this.ensured ??= this.container.createIfNotExists().then(
      () => undefined,
      (error: unknown) => {
        this.ensured = undefined;
        throw error;
      },
    );
    await this.ensured;
    await this.container.getBlockBlobClient(keyUnder(this.prefix, name)).uploadData(bytes, { blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
  }

  async list(): Promise<string[]> {
    const start = this.prefix === '' ? '' : `${this.prefix}/`;
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix: start })) names.push(blob.name.slice(start.length));
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error; // no container: nothing staged
    }
    return names.sort();
  }
}

/** How a process reaches Blob: its storage account's URL (Entra ID) or, locally, a connection string. */
export interface BlobAccess {
  readonly blobConnectionString?: string | undefined;
  readonly blobAccountUrl?: string | undefined;
}

/** Opens the store a data URL names. S3 is configured as the SDK is, from the process environment. */
export function openDataStore(url: string, blob: BlobAccess = {}): DataStore {
  const env = process.env;
  const location = parseDataUrl(url);
  if (location.scheme === 's3') {
    // A custom endpoint (the local cloud's S3) has no per-bucket host names, so it is addressed by path there.
    const customEndpoint = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
    // The bucket's region need not be configured: S3 answers a request to the wrong region with the right one.
    const client = new S3Client({ region: env.AWS_REGION ?? 'us-east-1', followRegionRedirects: true, forcePathStyle: customEndpoint });
    return new S3DataStore(url, client, location.bucket, location.prefix);
  }
  const service = blob.blobConnectionString
    ? BlobServiceClient.fromConnectionString(blob.blobConnectionString)
    : blob.blobAccountUrl
      ? new BlobServiceClient(blob.blobAccountUrl, new DefaultAzureCredential())
      : undefined;
  if (!service) throw new ConfigError(`data URL ${url} is in Blob storage: set SPOTON_BLOB_ACCOUNT_URL (or a connection string locally)`);
  return new BlobDataStore(url, service.getContainerClient(location.container), location.prefix);
}
