/**
 * Where checkpoints, updates and status live: a small object-store interface with exactly the conditional
 * writes the checkpoint protocol needs. Implementations: in memory (tests, dev) and Azure Blob Storage.
 *
 * Conditions never use `If-Match: *`: Azurite 3.35 lets it succeed on a missing blob, so "create" is always
 * `If-None-Match: *` and "replace" is always `If-Match: <etag read before>`.
 */

export interface StoredObject {
  readonly data: Buffer;
  readonly etag: string;
}

export interface CheckpointStore {
  /** For logs: where the objects are. */
  readonly description: string;
  /** Writes `path` only if it does not exist; throws ObjectExistsError otherwise. */
  create(path: string, data: Uint8Array): Promise<{ etag: string }>;
  /**
   * `create` of the parts concatenated (e.g. a model's tensors as bytes), without copying them into a whole. The
   * store picks how to send them: Blob makes one PUT up to 256 MiB and stages blocks beyond, then commits create-only.
   */
  createFromParts(path: string, parts: readonly Uint8Array[]): Promise<{ etag: string }>;
  /** Replaces `path` only if its ETag is still `etag`; throws PreconditionFailedError otherwise (also when it is gone). */
  replace(path: string, data: Uint8Array, etag: string): Promise<{ etag: string }>;
  /** Writes unconditionally (last writer wins): only for views such as status.json. */
  put(path: string, data: Uint8Array): Promise<{ etag: string }>;
  /** The object and its ETag, or undefined when there is none. */
  get(path: string): Promise<StoredObject | undefined>;
  /** Paths under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}
