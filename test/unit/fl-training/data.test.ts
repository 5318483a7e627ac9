/** Staged training data: the object format, data URLs, where staging puts each part, and what a process reads back. */
import { memoryDataStores } from '../../../datasets/in-memory';
import { sourceTaskData } from '../../../datasets/source';
import { stageData, stagingPlan } from '../../../datasets/stage';
import { parseRunConfig, parseShardList } from '../../../fl-training/config';
import { dataId, decodeDataPart, encodeDataPart } from '../../../fl-training/data/data-part';
import { MemoryDataStore, parseDataUrl, requireOwnCloud } from '../../../fl-training/data/data-store';
import { loadShard, loadTestSet } from '../../../fl-training/data/load';
import { ConfigError, DataCorruptError, DataNotStagedError } from '../../../fl-training/errors';

const config = parseRunConfig({ runId: 'data-test', task: 'blobs', data: { trainExamples: 90, testExamples: 30 }, shards: parseShardList('us:aws,eu:azure,free:any') });
const expected = { location: 'x', dataId: dataId(config), part: 'us', features: 4, classes: 3 };

describe('a staged data part', () => {
  const shard = sourceTaskData(config).shards.get('us')!;
  const bytes = encodeDataPart(dataId(config), 'us', shard);

  it('reads back as the examples it was made from', () => {
    const read = decodeDataPart(bytes, expected);
    expect(read.size).toBe(shard.size);
    expect(read.x).toStrictEqual(shard.x);
    expect(read.y).toStrictEqual(shard.y);
  });

  it('is refused when torn, altered, another part, or staged for another configuration', () => {
    const altered = Buffer.from(bytes);
    altered[altered.length - 5]! ^= 1;
    expect(() => decodeDataPart(altered, expected)).toThrow(new DataCorruptError('x', 'payload does not match its SHA-256 (torn or altered)'));
    expect(() => decodeDataPart(bytes.subarray(0, bytes.length - 4), expected)).toThrow(/payload of \d+ bytes; 30 examples need \d+/);
    expect(() => decodeDataPart(bytes, { ...expected, part: 'eu' })).toThrow('holds part us, not eu');
    const reseeded = dataId({ ...config, seed: config.seed + 1 });
    expect(() => decodeDataPart(bytes, { ...expected, dataId: reseeded })).toThrow(/staged for another run configuration/);
    expect(() => decodeDataPart(Buffer.from('not a frame at all'), expected)).toThrow(DataCorruptError);
  });
});

describe('data URLs', () => {
  it('name an S3 bucket or a Blob container, and a prefix', () => {
    expect(parseDataUrl('s3://spot-on-data-1/runs/fl-1')).toStrictEqual({ scheme: 's3', bucket: 'spot-on-data-1', prefix: 'runs/fl-1' });
    expect(parseDataUrl('blob://spot-on-data/')).toStrictEqual({ scheme: 'blob', container: 'spot-on-data', prefix: '' });
    for (const bad of ['https://acct.blob.core.windows.net/c/p', 's3://UPPER/p', 'blob://a--b/p', 's3://bucket/../etc', 'file:///data']) expect(() => parseDataUrl(bad)).toThrow(ConfigError);
  });

  it('are refused in another cloud than the process', () => {
    expect(() => requireOwnCloud('s3://spot-on-data/p', 'azure')).toThrow('data URL s3://spot-on-data/p is aws storage; a process on azure reads data only from its own cloud (blob://)');
    expect(() => requireOwnCloud('blob://spot-on-data/p', 'aws')).toThrow(ConfigError);
    expect(() => requireOwnCloud('blob://spot-on-data/p', 'azure')).not.toThrow();
  });
});

describe('staging', () => {
  it('puts each shard only where its residency allows, and the test set with the aggregator', async () => {
    expect(stagingPlan(config)).toStrictEqual([
      { part: 'us', clouds: ['aws'] },
      { part: 'eu', clouds: ['azure'] },
      { part: 'free', clouds: ['aws', 'azure'] },
      { part: 'test', clouds: ['azure'] },
    ]);
    const stores = memoryDataStores();
    const staged = await stageData(config, stores);
    expect(await stores.aws.list()).toStrictEqual(['shards/free.spoton', 'shards/us.spoton']);
    expect(await stores.azure.list()).toStrictEqual(['shards/eu.spoton', 'shards/free.spoton', 'test.spoton']);
    expect(staged.map((s) => `${s.cloud} ${s.part}`)).toStrictEqual(['aws us', 'azure eu', 'aws free', 'azure free', 'azure test']);
  });

  it('refuses to start without a store for a cloud that needs one, or with a store of the wrong cloud', async () => {
    await expect(stageData(config, { azure: new MemoryDataStore('memory://azure', 'azure') })).rejects.toThrow('the run has data for aws (us, free) but no aws data store was given');
    await expect(stageData(config, { aws: new MemoryDataStore('memory://a', 'azure'), azure: new MemoryDataStore('memory://b', 'azure') })).rejects.toThrow('memory://a is azure storage, given as aws\'s');
  });

  it('gives each process back exactly its own part', async () => {
    const stores = memoryDataStores();
    await stageData(config, stores);
    const source = sourceTaskData(config);
    expect((await loadShard(stores.aws, config, 'us')).x).toStrictEqual(source.shards.get('us')!.x);
    expect((await loadTestSet(stores.azure, config)).y).toStrictEqual(source.test.y);
    await expect(loadShard(stores.azure, config, 'us')).rejects.toThrow(new DataNotStagedError('memory://azure-data/shards/us.spoton'));
  });
});
