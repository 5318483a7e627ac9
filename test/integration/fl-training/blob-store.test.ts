import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { ObjectExistsError } from '../../../fl-training/errors';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { describeCheckpointStore } from '../../unit/fl-training/support/checkpoint-store-contract';

let azurite: Azurite;
afterAll(async () => azurite?.stop());

describeCheckpointStore('Azure Blob (Azurite)', async () => {
  azurite = await startAzurite();
  return BlobCheckpointStore.fromConnectionString(azurite.connectionString).ensureContainer();
});

describe('BlobCheckpointStore.createFromParts on Azurite', () => {
  const parts = Array.from({ length: 5 }, (_, i) => Buffer.from(Array.from({ length: 3000 + i }, (_, j) => (i * 17 + j) % 256)));
  const bytes = parts.reduce((sum, p) => sum + p.length, 0);
  let container: ContainerClient;
  beforeAll(async () => {
    azurite ??= await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('parts-test');
    await container.createIfNotExists();
  });

  const committedBlocks = async (path: string) => (await container.getBlockBlobClient(path).getBlockList('committed')).committedBlocks ?? [];

  it('sends an object up to the single-PUT limit as one PUT (no blocks), streamed from its parts', async () => {
    const store = new BlobCheckpointStore(container, { singlePutMaxBytes: bytes });
    await store.createFromParts('single.bin', parts);
    expect((await store.get('single.bin'))?.data.equals(Buffer.concat(parts))).toBe(true);
    expect(await committedBlocks('single.bin')).toHaveLength(0);
    await expect(store.createFromParts('single.bin', parts)).rejects.toThrow(ObjectExistsError);
  });

  it('stages a larger object in blocks of the block size, then commits it create-only', async () => {
    const store = new BlobCheckpointStore(container, { singlePutMaxBytes: bytes - 1, blockBytes: 4096 });
    await store.createFromParts('staged.bin', parts);
    expect((await store.get('staged.bin'))?.data.equals(Buffer.concat(parts))).toBe(true);
    const blocks = await committedBlocks('staged.bin');
    expect(blocks.map((b) => b.size)).toStrictEqual(parts.map((p) => p.length));
    await expect(store.createFromParts('staged.bin', parts)).rejects.toThrow(ObjectExistsError);
    expect((await store.get('staged.bin'))?.data.equals(Buffer.concat(parts))).toBe(true);
  });

  it('refuses a single-PUT limit above what one PUT may carry here', () => {
    expect(() => new BlobCheckpointStore(container, { singlePutMaxBytes: 256 * 1024 * 1024 + 1 })).toThrow(RangeError);
  });
});
