import type { Command } from 'commander';
import { stageData, type StagedObject } from '../../datasets/stage';
import { assembleRunConfig, type RunConfigSettings } from '../../fl-training/config';
import { openDataStore } from '../../fl-training/data/cloud-data-stores';
import { cloudOf, parseDataUrl } from '../../fl-training/data/data-store';

interface StageOptions extends RunConfigSettings {
  readonly aws?: string;
  readonly azure?: string;
  readonly blobAccountUrl?: string;
  readonly json: boolean;
}

/** One line per object written. */
export function renderStaged(staged: readonly StagedObject[]): string {
  return staged.map((s) => `${s.part.padEnd(12)} ${s.cloud.padEnd(6)} ${String(s.bytes).padStart(11)} B  ${s.url}`).join('\n');
}

/** A data URL given for `cloud` must be that cloud's storage. */
function urlFor(cloud: 'aws' | 'azure', url: string | undefined): string | undefined {
  if (url !== undefined && cloudOf(parseDataUrl(url)) !== cloud) throw new Error(`--${cloud} ${url} is not ${cloud} storage`);
  return url;
}

export function registerStageData(program: Command, exit: (code: number) => void): void {
  program
    .command('stage-data')
    .description('stage a run\'s training data: each shard only to the clouds its residency allows (S3 for aws, Blob for azure), the test set to Azure for the aggregator')
    .option('--config <file>', 'the run configuration JSON the aggregator runs (SPOTON_FL_CONFIG)')
    .option('--config-json <json>', 'the same, inline (SPOTON_FL_CONFIG_JSON)')
    .option('--run-id <id>', 'run id, as the aggregator is given it')
    .option('--task <name>', 'mnist | blobs')
    .option('--seed <n>', 'run seed', (v) => Number(v))
    .option('--shards <list>', 'shards and residency, as SPOTON_SHARDS (e.g. shard-0:any,shard-1:aws)')
    .option('--aws <url>', 'AWS trainers\' data: s3://<bucket>/<prefix> (the CDK output TrainingDataBucketName); credentials from the AWS SDK\'s default chain')
    .option('--azure <url>', 'Azure\'s data: blob://<container>/<prefix> (the Terraform output training_data_container)')
    .option('--blob-account-url <url>', 'the storage account for blob:// (Entra ID); locally SPOTON_BLOB_CONNECTION_STRING')
    .option('--json', 'print the staged objects as JSON', false)
    .addHelpText('after', '\nThe trainers\' and the aggregator\'s SPOTON_DATA_URL (chart value data.url) must name the same places. Exit code 0 once every object is written.')
    .action(async (options: StageOptions) => {
      const config = assembleRunConfig(options);
      const aws = urlFor('aws', options.aws);
      const azure = urlFor('azure', options.azure);
      const blob = { blobAccountUrl: options.blobAccountUrl, blobConnectionString: process.env.SPOTON_BLOB_CONNECTION_STRING };
      const staged = await stageData(config, { ...(aws ? { aws: openDataStore(aws) } : {}), ...(azure ? { azure: openDataStore(azure, blob) } : {}) });
      process.stdout.write(options.json ? `${JSON.stringify({ runId: config.runId, staged })}\n` : `${renderStaged(staged)}\n`);
      exit(0);
    });
}
