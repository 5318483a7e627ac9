/**
 * Where a process reads its part of the training data: its own cloud's object store, named by a data URL.
 *
 *   s3://<bucket>/<prefix>        S3 (AWS trainers), with the SDK's default credentials (EKS Pod Identity)
 *   blob://<container>/<prefix>   Blob (Azure trainers, the aggregator), in the storage account the process is
 *                                 configured with (SPOTON_BLOB_ACCOUNT_URL, or a connection string locally)
 *
 * A process reads its own cloud's store only (`requireOwnCloud`): data pinned to AWS is staged to S3 and nowhere
 * else, so nothing an Azure process is configured with can reach it.
 */
import { z } from 'zod';
import type { Cloud } from '../../protocol/run-status';
import { ConfigError, DataNotStagedError } from '../errors';

export interface DataStore {
  /** The data URL, for logs and errors. */
  readonly url: string;
  /** The cloud whose storage this is; undefined for memory. */
  readonly cloud: Cloud | undefined;
  /** An object's bytes; DataNotStagedError when there is none. */
  read(name: string): Promise<Uint8Array>;
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Names of every object under the prefix. */
  list(): Promise<string[]>;
}

const PREFIX = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*)(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BLOB_CONTAINER = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

export type DataLocation = { readonly scheme: 's3'; readonly bucket: string; readonly prefix: string } | { readonly scheme: 'blob'; readonly container: string; readonly prefix: string };

/** Parses a data URL; the message says what is wrong with it. */
export function parseDataUrl(text: string): DataLocation {
  const match = /^(s3|blob):\/\/([^/]+)(?:\/(.*?))?\/?$/.exec(text.trim());
  if (!match) throw new ConfigError(`data URL ${text} must be s3://<bucket>/<prefix> or blob://<container>/<prefix>`);
  const [, scheme, root, prefix = ''] = match as unknown as [string, 's3' | 'blob', string, string | undefined];
  if (prefix !== '' && !PREFIX.test(prefix)) throw new ConfigError(`data URL ${text}: the prefix must be /-separated segments of [A-Za-z0-9._-]`);
  if (scheme === 's3') {
    if (!S3_BUCKET.test(root)) throw new ConfigError(`data URL ${text}: ${root} is not an S3 bucket name (3-63 of a-z 0-9 . -)`);
    return { scheme, bucket: root, prefix };
  }
  if (!BLOB_CONTAINER.test(root)) throw new ConfigError(`data URL ${text}: ${root} is not a Blob container name (3-63 of a-z 0-9 and single hyphens)`);
  return { scheme, container: root, prefix };
}

/** A data URL setting (trainer and aggregator entry points). */
export const DataUrlSchema = z
  .string()
  .trim()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      parseDataUrl(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** The cloud whose storage a data location is in. */
export function cloudOf(location: DataLocation): Cloud {
  return location.scheme === 's3' ? 'aws' : 'azure';
}

/** Refuses a data URL in another cloud than the process's own: data must not cross clouds to be trained. */
export function requireOwnCloud(url: string, cloud: Cloud): void {
  const storeCloud = cloudOf(parseDataUrl(url));
  if (storeCloud !== cloud) throw new ConfigError(`data URL ${url} is ${storeCloud} storage; a process on ${cloud} reads data only from its own cloud (${cloud === 'aws' ? 's3://' : 'blob://'})`);
}

/** The key of an object under a prefix. */
export function keyUnder(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** Objects in memory: tests and the in-process federations. */
export class MemoryDataStore implements DataStore {
  readonly cloud: Cloud | undefined;
  private readonly objects = new Map<string, Uint8Array>();
  constructor(readonly url = 'memory://data', cloud?: Cloud) {
    this.cloud = cloud;
  }

  read(name: string): Promise<Uint8Array> {
    const bytes = this.objects.get(name);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new DataNotStagedError(`${this.url}/${name}`));
  }

  write(name: string, bytes: Uint8Array): Promise<void> {
    this.objects.set(name, Uint8Array.from(bytes));
    return Promise.resolve();
  }

  list(): Promise<string[]> {
    return Promise.resolve([...this.objects.keys()].sort());
  }
}
