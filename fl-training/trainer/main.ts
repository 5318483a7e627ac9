/**
 * The trainer process: `node --import tsx fl-training/trainer/main.ts [flags]` (flags or SPOTON_* env, see
 * --help). Exit codes: 0 run complete or flushed cleanly (POST /checkpoint or SIGTERM), 2 invalid settings,
 * 3 shard residency forbids this cloud, 1 anything else.
 */
import { z } from 'zod';
import { CloudSchema } from '../../protocol/run-status';
import { PathSegmentSchema } from '../../protocol/blob-layout';
import { Ec2InstanceIdSchema } from '../../protocol/ids';
import { ConfigError, ShardResidencyError } from '../errors';
import { readSettings, setting, usage, type SettingSpec } from '../settings';
import { openDataStore } from '../data/cloud-data-stores';
import { DataUrlSchema, requireOwnCloud } from '../data/data-store';
import { openStore } from '../store/open-store';
import { initBackend } from '../task/backend';
import { resolveInstanceId } from './instance-identity';
import { KEY_RING_SETTINGS } from '../../protocol/keys';
import { Trainer } from './trainer';
import { createTracing } from '../../protocol/tracer';

export const TRAINER_SETTINGS = {
  aggregatorUrl: { flag: 'aggregator-url', env: 'SPOTON_AGGREGATOR_URL', description: 'aggregator base URL', schema: setting.url() },
  clientId: { flag: 'client-id', env: 'SPOTON_CLIENT_ID', description: 'trainer id (the pod name)', schema: PathSegmentSchema },
  cloud: { flag: 'cloud', env: 'SPOTON_CLOUD', description: 'aws | azure', schema: CloudSchema },
  shard: { flag: 'shard', env: 'SPOTON_SHARD', description: 'data shard id, e.g. shard-0; unset, the aggregator assigns one', schema: PathSegmentSchema.optional() },
  instanceId: { flag: 'instance-id', env: 'SPOTON_INSTANCE_ID', description: 'EC2 instance id (i-...); on AWS read from instance metadata when unset', schema: Ec2InstanceIdSchema.optional() },
  nodeName: { flag: 'node-name', env: 'SPOTON_NODE_NAME', description: 'Kubernetes node name', schema: setting.text().optional() },
  port: { flag: 'port', env: 'TRAINER_PORT', description: 'port of POST /checkpoint [8080]', schema: setting.port().default(8080) },
  host: { flag: 'host', env: 'SPOTON_POD_IP', description: 'address the flush endpoint listens on (the pod IP) [0.0.0.0]', schema: setting.text().optional() },
  events: { flag: 'events', env: 'SPOTON_EVENTS', description: 'json: also print machine-readable JSON lines (ready, flush-durable, exit) for the local drill', schema: z.enum(['json']).optional() },
  trainerKeys: { flag: 'trainer-keys', env: KEY_RING_SETTINGS.trainer, secret: true, description: 'trainer key ring: signs every request to the aggregator', schema: setting.keyRing('trainer') },
  flushKeys: { flag: 'flush-keys', env: KEY_RING_SETTINGS.flush, secret: true, description: 'flush key ring: verifies POST /checkpoint (AWS trainers; unset, the endpoint takes no flush requests)', schema: setting.keyRing('flush').optional() },
  dataUrl: { flag: 'data-url', env: 'SPOTON_DATA_URL', description: 'this cloud\'s training data: s3://<bucket>/<prefix> on AWS, blob://<container>/<prefix> on Azure', schema: DataUrlSchema },
  blobConnectionString: { flag: 'blob-connection-string', env: 'SPOTON_BLOB_CONNECTION_STRING', secret: true, description: 'Blob for flushed updates when the aggregator is unreachable, and blob:// data (Azurite)', schema: setting.text().optional() },
  blobAccountUrl: { flag: 'blob-account-url', env: 'SPOTON_BLOB_ACCOUNT_URL', description: 'same, by account URL with DefaultAzureCredential', schema: setting.url().optional() },
  container: { flag: 'container', env: 'SPOTON_BLOB_CONTAINER', description: 'Blob container [spot-on]', schema: setting.text().optional() },
  minBatchMs: { flag: 'min-batch-ms', env: 'SPOTON_MIN_BATCH_MS', description: 'pace each local batch to at least this many ms (the local drill\'s stand-in for GPU time) [0]', schema: z.coerce.number().int().min(0).max(60_000).default(0) },
  sigtermGraceMs: { flag: 'sigterm-grace-ms', env: 'SPOTON_SIGTERM_GRACE_MS', description: 'flush deadline after SIGTERM in ms [25000]', schema: setting.positiveInt().default(25_000) },
} satisfies Record<string, SettingSpec>;

/** Runs one trainer; resolves its exit code. */
export async function main(argv = process.argv.slice(2), env = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage(TRAINER_SETTINGS));
    return 0;
  }
  const withDefaults = { ...env, SPOTON_CLIENT_ID: env.SPOTON_CLIENT_ID ?? env.HOSTNAME };
  const s = readSettings(TRAINER_SETTINGS, argv, withDefaults);
  const line = (text: string) => console.log(`${new Date().toISOString()} [trainer ${s.clientId}] ${text}`);
  const event = (name: string, detail: object) => {
    if (s.events === 'json') console.log(JSON.stringify({ event: name, clientId: s.clientId, at: new Date().toISOString(), ...detail }));
  };
  requireOwnCloud(s.dataUrl, s.cloud);
  await initBackend(line);
  const store = await openStore(s, false);
  const data = openDataStore(s.dataUrl, s);
  const instanceId = await resolveInstanceId(s.cloud, s.instanceId, line);
  const tracing = createTracing(env, 'spot-on-trainer');
  const trainer = new Trainer({
    aggregatorUrl: s.aggregatorUrl,
    clientId: s.clientId,
    cloud: s.cloud,
    ...(s.shard ? { shard: s.shard } : {}),
    keys: { trainer: s.trainerKeys, ...(s.flushKeys ? { flush: s.flushKeys } : {}) },
    port: s.port,
    log: line,
    sigtermGraceMs: s.sigtermGraceMs,
    minBatchMs: s.minBatchMs,
    onFlushDurable: (flush) => {
      event('flush-durable', flush);
      // A Spot warning's flush joins its incident's trace; a drain (SIGTERM) is no incident of its own.
      if (flush.traceparent !== undefined) tracing.record('flush durable', { component: 'trainer', step: 'flush-durable', parent: flush.traceparent, startTime: new Date(Date.now() - flush.ms), attributes: { requestId: flush.requestId, examples: flush.examples } });
    },
    onRegistered: (registration) => event('registered', registration),
    onDataLoaded: (loaded) => event('data-loaded', loaded),
    data,
    ...(s.host ? { host: s.host } : {}),
    ...(instanceId ? { instanceId } : {}),
    ...(s.nodeName ? { nodeName: s.nodeName } : {}),
    ...(store ? { store } : {}),
  });
  const url = await trainer.start();
  event('ready', { flushUrl: `${url}/checkpoint` });
  line(`flush endpoint ${url}/checkpoint; aggregator ${s.aggregatorUrl}; ${s.cloud}, shard ${s.shard ?? 'assigned by the aggregator'}${store ? `; Blob fallback ${store.description}` : ''}`);
  process.once('SIGTERM', () => trainer.terminate('SIGTERM'));
  process.once('SIGINT', () => trainer.terminate('SIGINT'));
  try {
    const result = await trainer.run();
    line(`exiting (${result.exit}): contributed ${result.examplesContributed} of ${result.examplesProcessed} examples trained, rounds ${result.rounds.join(', ') || 'none'}`);
    event('exit', result);
    return 0;
  } catch (error) {
    if (error instanceof ShardResidencyError) {
      line(`refusing to start: ${error.message}`);
      return 3;
    }
    throw error;
  } finally {
    await trainer.close();
    await tracing.shutdown();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${new Date().toISOString()} [trainer] ${error instanceof ConfigError ? error.message : `failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
