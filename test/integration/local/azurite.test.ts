import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { startAzurite, type Azurite } from '../../../local/azurite';

describe('startAzurite', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('serves blobs with ETag preconditions through the real SDK', async () => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
    await container.create();
    const blob = container.getBlockBlobClient('state/run-1.json');
    const first = await blob.upload('{"epoch":0}', 11, { conditions: { ifNoneMatch: '*' } });
    await expect(blob.upload('{"epoch":9}', 11, { conditions: { ifNoneMatch: '*' } })).rejects.toMatchObject({ statusCode: 409 });
    await blob.upload('{"epoch":1}', 11, { conditions: { ifMatch: first.etag } });
    await expect(blob.upload('{"epoch":2}', 11, { conditions: { ifMatch: first.etag } })).rejects.toMatchObject({ statusCode: 412 });
    expect((await blob.downloadToBuffer()).toString()).toBe('{"epoch":1}');
  });

  it('serves queues with visibility timeouts', async () => {
    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient('continuations');
    await queue.create();
    await queue.sendMessage('poll-1', { visibilityTimeout: 0 });
    const received = await queue.receiveMessages({ numberOfMessages: 1, visibilityTimeout: 30 });
    expect(received.receivedMessageItems.map((m) => m.messageText)).toStrictEqual(['poll-1']);
    expect((await queue.receiveMessages({ numberOfMessages: 1 })).receivedMessageItems).toStrictEqual([]);
  });

  it('stops both services', async () => {
    const other = await startAzurite();
    await other.stop();
    await expect(fetch(`${other.blobUrl}?comp=list`)).rejects.toThrow('fetch failed');
    await expect(fetch(`${other.queueUrl}?comp=list`)).rejects.toThrow('fetch failed');
  });
});
