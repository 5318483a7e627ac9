/**
 * The aggregator process: `node --import tsx fl-training/aggregator/main.ts [flags]` (flags or SPOTON_* env,
 * see --help). Prints one line per round; exits 0 on SIGTERM/SIGINT (or when the run completes with
 * --exit-when-done), 2 on invalid settings, 1 when another aggregator owns the run.
 */
import { z } from 'zod';
import { assembleRunConfig, TaskNameSchema, type RunConfig } from '../config';
import { openDataStore, type BlobAccess } from '../data/cloud-data-stores';
import { DataUrlSchema, requireOwnCloud } from '../data/data-store';
import { loadTestSet } from '../data/load';
import { ConfigError } from '../errors';
import { readSettings, setting, usage, type SettingSpec } from '../settings';
import { openStore } from '../store/open-store';
import { initBackend } from '../task/backend';
import { createEvaluator } from '../task/evaluator';
import { Aggregator, type CommitInfo, type Evaluator } from './aggregator';
import { httpSignalSender } from './brain';
import { KEY_RING_SETTINGS } from '../../protocol/keys';
import { startAggregatorServer } from './http';
import { IncidentRounds, tracedSignalSender } from './incident-trace';
import { createTracing } from '../../protocol/tracer';

export const AGGREGATOR_SETTINGS = {
  config: { flag: 'config', env: 'SPOTON_FL_CONFIG', description: 'run configuration JSON file (partial; merged over the task defaults)', schema: setting.text().optional() },
  configJson: { flag: 'config-json', env: 'SPOTON_FL_CONFIG_JSON', description: 'run configuration as inline JSON (applied after --config)', schema: setting.text().optional() },
  runId: { flag: 'run-id', env: 'SPOTON_RUN_ID', description: 'run id (overrides the configuration)', schema: setting.text().optional() },
  task: { flag: 'task', env: 'SPOTON_TASK', description: 'mnist | blobs', schema: TaskNameSchema.optional() },
  rounds: { flag: 'rounds', env: 'SPOTON_ROUNDS', description: 'rounds to train', schema: setting.positiveInt().optional() },
  seed: { flag: 'seed', env: 'SPOTON_SEED', description: 'run seed', schema: z.coerce.number().int().min(0).optional() },
  shards: { flag: 'shards', env: 'SPOTON_SHARDS', description: 'shards: a count, or id:residency,... (e.g. shard-0:aws,shard-1:any)', schema: setting.text().optional() },
  minTrainers: { flag: 'min-trainers', env: 'SPOTON_MIN_TRAINERS', description: 'quorum: minimum trainers per round', schema: setting.positiveInt().optional() },
  port: { flag: 'port', env: 'SPOTON_AGGREGATOR_PORT', description: 'HTTP port (0 picks one) [8000]', schema: setting.port().default(8000) },
  host: { flag: 'host', env: 'SPOTON_AGGREGATOR_HOST', description: 'listen address [0.0.0.0]', schema: setting.text().default('0.0.0.0') },
  blobConnectionString: { flag: 'blob-connection-string', env: 'SPOTON_BLOB_CONNECTION_STRING', secret: true, description: 'Blob connection string (Azurite)', schema: setting.text().optional() },
  blobAccountUrl: { flag: 'blob-account-url', env: 'SPOTON_BLOB_ACCOUNT_URL', description: 'Blob account URL, with DefaultAzureCredential', schema: setting.url().optional() },
  container: { flag: 'container', env: 'SPOTON_BLOB_CONTAINER', description: 'Blob container [spot-on]', schema: setting.text().optional() },
  dataUrl: { flag: 'data-url', env: 'SPOTON_DATA_URL', description: 'where the test set is staged: blob://<container>/<prefix> (needed when the run evaluates)', schema: DataUrlSchema.optional() },
  memoryStore: { flag: 'memory-store', env: 'SPOTON_MEMORY_STORE', description: 'keep checkpoints in memory (development only)', schema: setting.flag(), boolean: true },
  trainerKeys: { flag: 'trainer-keys', env: KEY_RING_SETTINGS.trainer, secret: true, description: 'trainer key ring: every trainer request must be signed with one of its keys', schema: setting.keyRing('trainer') },
  signalKeys: { flag: 'signal-keys', env: KEY_RING_SETTINGS.signal, secret: true, description: 'signal key ring: its first key signs the signals to the brain', schema: setting.keyRing('signal').optional() },
  brainUrl: { flag: 'brain-url', env: 'SPOTON_BRAIN_URL', description: 'failover brain POST /api/signals URL (aws-silent / aws-recovered)', schema: setting.url().optional() },
  exitWhenDone: { flag: 'exit-when-done', env: 'SPOTON_EXIT_WHEN_DONE', description: 'exit 0 once every round is committed', schema: setting.flag(), boolean: true },
  minAwsTrainers: { flag: 'min-aws-trainers', env: 'SPOTON_MIN_AWS_TRAINERS', description: 'live AWS trainers the brain keeps covered; back at it after a loss, signal aws-recovered', schema: setting.positiveInt().optional() },
  statePollMs: { flag: 'state-poll-ms', env: 'SPOTON_STATE_POLL_MS', description: 'how often to read the brain epoch from state/<runId>.json in ms [10000]', schema: setting.positiveInt().default(10_000) },
  concurrentUpdates: { flag: 'concurrent-updates', env: 'SPOTON_CONCURRENT_UPDATES', description: 'update bodies read and folded in at once; the rest wait unread, so memory holds a few models whatever the trainers [2]', schema: setting.positiveInt().default(2) },
  tickMs: { flag: 'tick-ms', env: 'SPOTON_TICK_MS', description: 'round clock period in ms [1000]', schema: setting.positiveInt().default(1000) },
  signalBackoffMs: { flag: 'signal-backoff-ms', env: 'SPOTON_SIGNAL_BACKOFF_MS', description: 'first wait between the few quick tries of one signal send, doubling [500]', schema: setting.positiveInt().default(500) },
  signalRetryMs: { flag: 'signal-retry-ms', env: 'SPOTON_SIGNAL_RETRY_MS', description: 'first wait before resending a signal the brain did not take, doubling [15000]', schema: setting.positiveInt().default(15_000) },
  signalMaxRetryMs: { flag: 'signal-max-retry-ms', env: 'SPOTON_SIGNAL_MAX_RETRY_MS', description: 'longest wait between resends of a signal [120000]', schema: setting.positiveInt().default(120_000) },
} satisfies Record<string, SettingSpec>;

const line = (text: string) => console.log(`${new Date().toISOString()} [aggregator] ${text}`);

/** The evaluator on the staged test set, read from the aggregator's own cloud (Azure). */
async function openEvaluator(config: RunConfig, s: { dataUrl?: string | undefined } & BlobAccess): Promise<Evaluator> {
  if (!s.dataUrl) throw new ConfigError('the run evaluates the global model (evaluate: true): set --data-url / SPOTON_DATA_URL to where its test set is staged');
  requireOwnCloud(s.dataUrl, 'azure');
  const test = await loadTestSet(openDataStore(s.dataUrl, s), config);
  await initBackend(line);
  line(`test set: ${test.size} examples from ${s.dataUrl}`);
  return createEvaluator(config, test);
}

/** Runs the aggregator until a signal (or completion with --exit-when-done); resolves the exit code. */
export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage(AGGREGATOR_SETTINGS));
    return 0;
  }
  const s = readSettings(AGGREGATOR_SETTINGS, argv, env);
  if (s.brainUrl && !s.signalKeys) throw new ConfigError(`--brain-url needs ${KEY_RING_SETTINGS.signal} (signals are signed)`);
  const config = assembleRunConfig(s);
  const store = (await openStore(s, true))!;
  const evaluator = config.evaluate ? await openEvaluator(config, s) : undefined;
  const tracing = createTracing(env, 'spot-on-aggregator');
  const signals = s.brainUrl && s.signalKeys ? tracedSignalSender(httpSignalSender({ url: s.brainUrl, secret: s.signalKeys.signing, backoffMs: s.signalBackoffMs, log: line }), tracing) : undefined;
  const aggregator = await Aggregator.open({ config, store, log: line, tickMs: s.tickMs, statePollMs: s.statePollMs, ...(s.minAwsTrainers ? { minAwsTrainers: s.minAwsTrainers } : {}), ...(evaluator ? { evaluator } : {}), ...(signals ? { signals, signalRetry: { retryMs: s.signalRetryMs, maxRetryMs: s.signalMaxRetryMs } } : {}) });
  const incidentRounds = new IncidentRounds(tracing);
  aggregator.on('committed', (info: CommitInfo) => incidentRounds.committed(info, aggregator.incidentTraceparent));
  const server = await startAggregatorServer(aggregator, { port: s.port, host: s.host, trainerKeys: s.trainerKeys, log: line, concurrentUpdates: s.concurrentUpdates });
  line(`listening on ${server.url} (run ${config.runId}, task ${config.task}, ${config.rounds} rounds, ${config.shards.length} shards, strategy ${config.strategy.name})`);
  return new Promise<number>((resolve) => {
    const stop = async (code: number, why: string) => {
      line(`stopping: ${why}`);
      await server.close();
      await aggregator.close();
      await tracing.shutdown();
      resolve(code);
    };
    process.once('SIGTERM', () => void stop(0, 'SIGTERM'));
    process.once('SIGINT', () => void stop(0, 'SIGINT'));
    aggregator.once('fatal', (error: Error) => void stop(1, error.message));
    if (s.exitWhenDone) {
      if (aggregator.done) void stop(0, 'run complete');
      else aggregator.once('done', () => void stop(0, 'run complete'));
    }
  });
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      line(error instanceof ConfigError ? error.message : `failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
