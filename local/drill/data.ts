/**
 * The drill's data plane, as a deployment has it: the local S3 (fauxqs) for AWS and Azurite for Azure, the run's
 * data staged into them by residency (datasets/stage.ts), and the environment that points each kind of process at
 * its own cloud's store. Azure processes get no AWS endpoint or credentials at all.
 */
import type { Azurite } from '../azurite';
import { startLocalS3, type LocalS3 } from '../s3';
import { stageData, type StagedObject } from '../../datasets/stage';
import type { RunConfig } from '../../fl-training/config';
import { openDataStore } from '../../fl-training/data/cloud-data-stores';
import { parseDataUrl, type DataStore } from '../../fl-training/data/data-store';
import type { Cloud } from '../../protocol/run-status';

export interface DrillData {
  readonly urls: Readonly<Record<Cloud, string>>;
  readonly staged: readonly StagedObject[];
  /** The AWS store (the local S3), for the drill's own checks. */
  readonly awsStore: DataStore;
  /** Environment per cloud for trainers (and the aggregator: Azure). */
  readonly env: Readonly<Record<Cloud, Readonly<Record<string, string>>>>;
  stop(): Promise<void>;
}

/**
 * Stages a run's data into the local cloud as `spot-on stage-data` does into a deployment: the local S3 for AWS (its
 * bucket created first) and Azurite for Azure. The drill, the chaos federations and the process tests stage this way.
 */
export async function stageLocally(config: RunConfig, urls: Readonly<Record<Cloud, string>>, s3: LocalS3, azurite: Pick<Azurite, 'connectionString'>): Promise<{ staged: StagedObject[]; awsStore: DataStore }> {
  const bucket = parseDataUrl(urls.aws);
  if (bucket.scheme !== 's3') throw new Error(`AWS trainers' data URL ${urls.aws} is not in S3`);
  await s3.createBucket(bucket.bucket);
  const awsStore = s3.dataStore(urls.aws);
  const staged = await stageData(config, { aws: awsStore, azure: openDataStore(urls.azure, { blobConnectionString: azurite.connectionString }) });
  return { staged, awsStore };
}

/** Starts the local S3, creates the bucket and container the URLs name, and stages the run's data. */
export async function startDrillData(config: RunConfig, urls: Readonly<Record<Cloud, string>>, azurite: Azurite): Promise<DrillData> {
  const s3: LocalS3 = await startLocalS3();
  try {
    const { staged, awsStore } = await stageLocally(config, urls, s3, azurite);
    return {
      urls,
      staged,
      awsStore,
      env: { aws: { ...s3.env, SPOTON_DATA_URL: urls.aws }, azure: { SPOTON_DATA_URL: urls.azure } },
      stop: () => s3.stop(),
    };
  } catch (error) {
    await s3.stop();
    throw error;
  }
}

/** The environment without any AWS setting: what an Azure process starts from. */
export function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AWS_')));
}
