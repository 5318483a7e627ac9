/**
 * CheckpointStore on Azure Blob Storage (Azurite locally). Production uses Entra ID (the storage account has
 * shared keys disabled): `BlobCheckpointStore.fromAccountUrl(url)` with DefaultAzureCredential (workload
 * identity on AKS). Locally: `fromConnectionString(azurite.connectionString)`.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { Gate } from '../gate';
import { CONTAINER } from '../../protocol/blob-layout';
import { ObjectExistsError, PreconditionFailedError } from '../errors';
import type { CheckpointStore, StoredObject } from './checkpoint-store';

/** Blocks of one object uploaded at once: enough to overlap the round trips, few enough to bound memory. */
const PARALLEL_BLOCKS = 4;

const statusOf = (error: unknown): number | undefined => (error instanceof RestError ? error.statusCode : undefined);

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export class BlobCheckpointStore implements CheckpointStore {
  readonly description: string;

  constructor(private readonly container: ContainerClient) {
    this.description = container.url;
  }

  /** A store from a connection string (Azurite or a key-based account). */
  static fromConnectionString(connectionString: string, containerName: string = CONTAINER): BlobCheckpointStore {
    return new BlobCheckpointStore(BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName));
  }

  /** A store from an account URL with Entra ID credentials (DefaultAzureCredential unless given). */
  static fromAccountUrl(accountUrl: string, containerName: string = CONTAINER, credential = new DefaultAzureCredential()): BlobCheckpointStore {
    return new BlobCheckpointStore(new BlobServiceClient(accountUrl, credential).getContainerClient(containerName));
  }

  /** Creates the container if it is missing (local use; in Azure, Terraform creates it). */
  async ensureContainer(): Promise<this> {
    await this.container.createIfNotExists();
    return this;
  }

  private async upload(path: string, data: Uint8Array, conditions: { ifNoneMatch?: string; ifMatch?: string }): Promise<{ etag: string }> {
    const response = await this.container.getBlockBlobClient(path).uploadData(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      conditions,
      blobHTTPHeaders: { blobContentType: path.endsWith('.json') || path.endsWith('LATEST') ? 'application/json' : 'application/octet-stream' },
    });
    return { etag: response.etag ?? '' };
  }

  async create(path: string, data: Uint8Array): Promise<{ etag: string }> {
    try {
      return await this.upload(path, data, { ifNoneMatch: '*' });
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) throw new ObjectExistsError(path, { cause: error });
      throw error;
    }
  }

  async createFromParts(path: string, parts: Iterable<Uint8Array>): Promise<{ etag: string }> {
    const iterator = parts[Symbol.iterator]();
    const first = iterator.next();
    const second = first.done ? first : iterator.next();
    // One part: one PUT, as `create` (a block list costs a second request).
    if (second.done) return this.create(path, first.done ? new Uint8Array(0) : first.value);
    const blob = this.container.getBlockBlobClient(path);
    const uploads = new Gate(PARALLEL_BLOCKS);
    const ids: string[] = [];
    const staged: Promise<unknown>[] = [];
    let failure: unknown;
    const all = function* (): Generator<Uint8Array> {
      yield first.value;
      yield second.value;
      for (let next = iterator.next(); !next.done; next = iterator.next()) yield next.value;
    };
    for (const part of all()) {
      if (failure !== undefined) break;
      const id = Buffer.from(String(ids.length).padStart(8, '0')).toString('base64');
      ids.push(id);
      // The next part is taken only once this one has a place: at most PARALLEL_BLOCKS parts are held at a time.
      await new Promise<void>((placed) => {
        const upload = uploads.run(() => (placed(), blob.stageBlock(id, Buffer.from(part.buffer, part.byteOffset, part.byteLength), part.byteLength)));
        upload.catch((error: unknown) => (failure ??= error));
        staged.push(upload);
      });
    }
    await Promise.all(staged);
    try {
      const response = await blob.commitBlockList(ids, { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
      return { etag: response.etag ?? '' };
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) throw new ObjectExistsError(path, { cause: error });
      throw error;
    }
  }

  async replace(path: string, data: Uint8Array, etag: string): Promise<{ etag: string }> {
    try {
      return await this.upload(path, data, { ifMatch: etag });
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) throw new PreconditionFailedError(path, { cause: error });
      throw error;
    }
  }

  async put(path: string, data: Uint8Array): Promise<{ etag: string }> {
    return this.upload(path, data, {});
  }

  async get(path: string): Promise<StoredObject | undefined> {
    try {
      const response = await this.container.getBlobClient(path).download();
      return { data: await readAll(response.readableStreamBody), etag: response.etag ?? '' };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names.sort();
  }
}
