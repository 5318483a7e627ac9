import { startAzurite, type Azurite } from '../../../local/azurite';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { describeCheckpointStore } from '../../unit/fl-training/support/checkpoint-store-contract';

let azurite: Azurite;
afterAll(async () => azurite?.stop());

describeCheckpointStore('Azure Blob (Azurite)', async () => {
  azurite = await startAzurite();
  return BlobCheckpointStore.fromConnectionString(azurite.connectionString).ensureContainer();
});
