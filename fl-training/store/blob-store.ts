/**
 * CheckpointStore on Azure Blob Storage (Azurite locally). Production uses Entra ID (the storage account has
 * shared keys disabled): `BlobCheckpointStore.fromAccountUrl(url)` with DefaultAzureCredential (workload
 * identity on AKS). Locally: `fromConnectionString(azurite.connectionString)`.
 */
import { Readable } from 'node:stream';
import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { Gate } from '../gate';
import { CONTAINER } from '../../protocol/blob-layout';
import { ObjectExistsError, PreconditionFailedError } from '../errors';
import { weightBlocks } from '../wire/weights';
import type { CheckpointStore, StoredObject } from './checkpoint-store';

/**
 * Objects up to this size go up in one PUT, as `uploadData` sends them (its default `maxSingleShotSize`): on Azurite a
 * staged upload of 100 MB costs the server a third more CPU than one PUT, and the commit is one more round trip.
 */
const SINGLE_PUT_MAX_BYTES = 256 * 1024 * 1024;
/** Bytes per staged block of a larger object. */
const BLOCK_BYTES = 8 * 1024 * 1024;
/** Blocks of one object uploaded at once: enough to overlap the round trips, few enough to bound memory. */
const PARALLEL_BLOCKS = 4;

export interface BlobStoreOptions {
  /** Largest object sent in one PUT, at most 256 MiB (tests lower it to exercise staged blocks). */
  readonly singlePutMaxBytes?: number;
  readonly blockBytes?: number;
}

/** A request body: bytes, or a stream of parts made afresh for each attempt (the SDK retries by calling it again). */
type Body = Uint8Array | (() => NodeJS.ReadableStream);

const asBuffer = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const statusOf = (error: unknown): number | undefined => (error instanceof RestError ? error.statusCode : undefined);

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export class BlobCheckpointStore implements CheckpointStore {
  readonly description: string;

  private readonly singlePutMaxBytes: number;
  private readonly blockBytes: number;

  constructor(private readonly container: ContainerClient, options: BlobStoreOptions = {}) {
    this.description = container.url;
    this.singlePutMaxBytes = options.singlePutMaxBytes ?? SINGLE_PUT_MAX_BYTES;
    if (this.singlePutMaxBytes > SINGLE_PUT_MAX_BYTES) throw new RangeError(`one PUT carries at most ${SINGLE_PUT_MAX_BYTES} bytes here`);
    this.blockBytes = options.blockBytes ?? BLOCK_BYTES;
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

  private async upload(path: string, body: Body, bytes: number, conditions: { ifNoneMatch?: string; ifMatch?: string }): Promise<{ etag: string }> {
    const blob = this.container.getBlockBlobClient(path);
    const options = { conditions, blobHTTPHeaders: { blobContentType: path.endsWith('.json') || path.endsWith('LATEST') ? 'application/json' : 'application/octet-stream' } };
    // Bytes go through uploadData (one PUT below 256 MiB, blocks above); a stream of parts is one PUT (checked by the caller).
    const response = typeof body === 'function' ? await blob.upload(body, bytes, options) : await blob.uploadData(asBuffer(body), options);
    return { etag: response.etag ?? '' };
  }

  /** A create-only write; "exists" (409, or 412 from If-None-Match) becomes ObjectExistsError. */
  private async createOnly(path: string, write: () => Promise<{ etag: string }>): Promise<{ etag: string }> {
    try {
      return await write();
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) throw new ObjectExistsError(path, { cause: error });
      throw error;
    }
  }

  async create(path: string, data: Uint8Array): Promise<{ etag: string }> {
    return this.createOnly(path, () => this.upload(path, data, data.byteLength, { ifNoneMatch: '*' }));
  }

  async createFromParts(path: string, parts: readonly Uint8Array[]): Promise<{ etag: string }> {
    const bytes = parts.reduce((sum, part) => sum + part.byteLength, 0);
    if (bytes > this.singlePutMaxBytes) return this.stageAndCommit(path, parts);
    // One PUT streamed from the parts: no copy into a whole, and nothing to commit afterwards.
    const body: Body = parts.length === 1 ? parts[0]! : () => Readable.from(parts.map(asBuffer), { objectMode: false });
    return this.createOnly(path, () => this.upload(path, body, bytes, { ifNoneMatch: '*' }));
  }

  /** Stages the parts as blocks, a few at a time, then commits the block list create-only. */
  private async stageAndCommit(path: string, parts: readonly Uint8Array[]): Promise<{ etag: string }> {
    const blob = this.container.getBlockBlobClient(path);
    const uploads = new Gate(PARALLEL_BLOCKS);
    const ids: string[] = [];
    const staged: Promise<unknown>[] = [];
    let failure: unknown;
    for (const block of weightBlocks(parts, this.blockBytes)) {
      if (failure !== undefined) break;
      const id = Buffer.from(String(ids.length).padStart(8, '0')).toString('base64');
      ids.push(id);
      // The next block is taken only once this one has a place: at most PARALLEL_BLOCKS gathered copies at a time.
      await new Promise<void>((placed) => {
        const upload = uploads.run(() => (placed(), blob.stageBlock(id, asBuffer(block), block.byteLength)));
        upload.catch((error: unknown) => (failure ??= error));
        staged.push(upload);
      });
    }
    await Promise.all(staged);
    return this.createOnly(path, async () => {
      const response = await blob.commitBlockList(ids, { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'application/octet-stream' } });
      return { etag: response.etag ?? '' };
    });
  }

  async replace(path: string, data: Uint8Array, etag: string): Promise<{ etag: string }> {
    try {
      return await this.upload(path, data, data.byteLength, { ifMatch: etag });
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) throw new PreconditionFailedError(path, { cause: error });
      throw error;
    }
  }

  async put(path: string, data: Uint8Array): Promise<{ etag: string }> {
    return this.upload(path, data, data.byteLength, {});
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
