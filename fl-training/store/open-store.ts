/** Picks the CheckpointStore an entry point was configured with. */
import { CONTAINER } from '../../protocol/blob-layout';
import { ConfigError } from '../errors';
import { BlobCheckpointStore } from './blob-store';
import type { CheckpointStore } from './checkpoint-store';
import { MemoryCheckpointStore } from './memory-store';

export interface StoreSettings {
  /** Azurite or a key-based account (local use). */
  readonly blobConnectionString?: string | undefined;
  /** Production: the account URL, with DefaultAzureCredential (workload identity). */
  readonly blobAccountUrl?: string | undefined;
  readonly container?: string | undefined;
  /** In-memory store: nothing survives the process (development only). */
  readonly memoryStore?: boolean | undefined;
}

/** Opens the configured store; undefined when none is configured and `required` is false. */
export async function openStore(settings: StoreSettings, required: boolean): Promise<CheckpointStore | undefined> {
  const chosen = [settings.blobConnectionString, settings.blobAccountUrl, settings.memoryStore ? 'memory' : undefined].filter(Boolean);
  if (chosen.length > 1) throw new ConfigError('choose one store: --blob-connection-string, --blob-account-url or --memory-store');
  const container = settings.container ?? CONTAINER;
  if (settings.blobConnectionString) return BlobCheckpointStore.fromConnectionString(settings.blobConnectionString, container).ensureContainer();
  if (settings.blobAccountUrl) return BlobCheckpointStore.fromAccountUrl(settings.blobAccountUrl, container);
  if (settings.memoryStore) return new MemoryCheckpointStore();
  if (required) throw new ConfigError('no store configured: set SPOTON_BLOB_CONNECTION_STRING (Azurite), SPOTON_BLOB_ACCOUNT_URL (Entra ID) or --memory-store');
  return undefined;
}
