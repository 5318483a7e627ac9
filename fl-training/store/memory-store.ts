/** CheckpointStore in memory, with the same conditional semantics as Blob Storage. */
import { ObjectExistsError, PreconditionFailedError } from '../errors';
import type { CheckpointStore, StoredObject } from './checkpoint-store';

export class MemoryCheckpointStore implements CheckpointStore {
  readonly description = 'memory';
  private readonly objects = new Map<string, StoredObject>();
  private version = 0;

  private write(path: string, data: Uint8Array): { etag: string } {
    const etag = `"0x${(++this.version).toString(16).padStart(8, '0')}"`;
    this.objects.set(path, { data: Buffer.from(data), etag });
    return { etag };
  }

  async create(path: string, data: Uint8Array): Promise<{ etag: string }> {
    if (this.objects.has(path)) throw new ObjectExistsError(path);
    return this.write(path, data);
  }

  async createFromParts(path: string, parts: readonly Uint8Array[]): Promise<{ etag: string }> {
    return this.create(path, Buffer.concat(parts));
  }

  async replace(path: string, data: Uint8Array, etag: string): Promise<{ etag: string }> {
    if (this.objects.get(path)?.etag !== etag) throw new PreconditionFailedError(path);
    return this.write(path, data);
  }

  async put(path: string, data: Uint8Array): Promise<{ etag: string }> {
    return this.write(path, data);
  }

  async get(path: string): Promise<StoredObject | undefined> {
    const object = this.objects.get(path);
    return object && { data: Buffer.from(object.data), etag: object.etag };
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((p) => p.startsWith(prefix)).sort();
  }
}
