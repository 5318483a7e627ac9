/** The drill's data-residency check finds a pinned shard's bytes wherever they reach Azure, and nothing otherwise. */
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { startDrillData, type DrillData } from '../../../local/drill/data';
import { checkResidency } from '../../../local/drill/residency';
import { parseRunConfig, parseShardList } from '../../../fl-training/config';
import { dataObjectName } from '../../../fl-training/data/data-part';

jest.setTimeout(60_000);

const config = parseRunConfig({ runId: 'residency', task: 'mnist', data: { trainExamples: 300, testExamples: 50 }, shards: parseShardList('us:aws,free:any') });
let azurite: Azurite;
let data: DrillData;
beforeAll(async () => {
  azurite = await startAzurite();
  data = await startDrillData(config, { aws: 's3://spot-on-data-1/run', azure: 'blob://spot-on-data/run' }, azurite);
});
afterAll(async () => {
  await data?.stop();
  await azurite?.stop();
});

const check = (trainers: Parameters<typeof checkResidency>[0]['trainers'] = []) => checkResidency({ data, pinnedToAws: new Set(['us']), storage: azurite.connectionString, trainers });
const azureTrainer = (shard: string, url: string) => ({ spec: { clientId: 'fl-trainer-1', cloud: 'azure' as const, nodeName: 'aks-gpuspot-0', podIP: '127.0.0.1' }, dataLoaded: [{ shard, url, examples: 150 }] });

describe('the data-residency check', () => {
  it('passes when only movable shards and the test set are in Azure, and Azure trainers read only those', async () => {
    const report = await check([azureTrainer('free', 'blob://spot-on-data/run/shards/free.spoton')]);
    expect(report).toMatchObject({ pinnedToAws: ['us'], azureObjectsScanned: 2, azureReads: 1, leaks: [] });
  });

  it('finds a pinned shard copied whole, or a slice of it inside another blob, and an Azure pod that read it', async () => {
    const pinned = Buffer.from(await data.awsStore.read(dataObjectName('us')));
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('spot-on');
    await container.createIfNotExists();
    await container.getBlockBlobClient('copied.bin').uploadData(pinned);
    await container.getBlockBlobClient('slice.bin').uploadData(Buffer.concat([Buffer.from('header'), pinned.subarray(pinned.length / 2 + 1001, pinned.length / 2 + 1001 + 6_400)]));
    const report = await check([azureTrainer('us', 's3://spot-on-data-1/run/shards/us.spoton')]);
    expect(report.leaks).toStrictEqual([
      'Azure storage spot-on/copied.bin is the staged us',
      'Azure storage spot-on/copied.bin holds examples of us',
      'Azure storage spot-on/slice.bin holds examples of us',
      'Azure node aks-gpuspot-0: fl-trainer-1 read us',
      'Azure node aks-gpuspot-0: fl-trainer-1 read s3://spot-on-data-1/run/shards/us.spoton, outside Azure',
    ]);
  });
});
