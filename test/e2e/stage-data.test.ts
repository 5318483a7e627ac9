/** `spot-on stage-data` as a user runs it, against the local cloud's S3 and Azurite. */
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../local/azurite';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { runSpotOn } from './support/spot-on';

let azurite: Azurite;
let s3: LocalS3;
beforeAll(async () => {
  [azurite, s3] = await Promise.all([startAzurite(), startLocalS3()]);
  await s3.createBucket('spot-on-data-1');
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), s3?.stop()]);
});

const env = () => ({ ...process.env, ...s3.env, SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString });
const args = ['--run-id', 'fl-1', '--task', 'blobs', '--shards', 'us:aws,eu:azure,free:any'];

describe('spot-on stage-data', () => {
  it('writes each shard only to the clouds its residency allows, and the test set to Azure', async () => {
    const run = await runSpotOn(['stage-data', ...args, '--aws', 's3://spot-on-data-1/fl-1', '--azure', 'blob://spot-on-data/fl-1', '--json'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { staged } = JSON.parse(run.stdout) as { staged: { part: string; url: string }[] };
    expect(staged.map((s) => s.url)).toStrictEqual([
      's3://spot-on-data-1/fl-1/shards/us.spoton',
      'blob://spot-on-data/fl-1/shards/eu.spoton',
      's3://spot-on-data-1/fl-1/shards/free.spoton',
      'blob://spot-on-data/fl-1/shards/free.spoton',
      'blob://spot-on-data/fl-1/test.spoton',
    ]);
    expect(await s3.dataStore('s3://spot-on-data-1/fl-1').list()).toStrictEqual(['shards/free.spoton', 'shards/us.spoton']);
    const blobs: string[] = [];
    for await (const blob of BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on-data').listBlobsFlat()) blobs.push(blob.name);
    expect(blobs.sort()).toStrictEqual(['fl-1/shards/eu.spoton', 'fl-1/shards/free.spoton', 'fl-1/test.spoton']);
  });

  it('refuses a data URL in the wrong cloud, and a run with data for a cloud it was given no store for', async () => {
    const crossed = await runSpotOn(['stage-data', ...args, '--aws', 'blob://spot-on-data/fl-1', '--azure', 'blob://spot-on-data/fl-1'], env());
    expect(crossed.code).toBe(1);
    expect(crossed.stderr).toContain('--aws blob://spot-on-data/fl-1 is not aws storage');
    const missing = await runSpotOn(['stage-data', ...args, '--azure', 'blob://spot-on-data/fl-1'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the run has data for aws (us, free) but no aws data store was given');
  });
});
