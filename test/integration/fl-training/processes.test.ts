/**
 * The entry points as separate processes (as the local drill spawns them): `node --import tsx
 * fl-training/aggregator/main.ts` and `.../trainer/main.ts` against Azurite, configured by flags and env.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { startAzurite, type Azurite } from '../../../local/azurite';
import { startLocalS3, type LocalS3 } from '../../../local/s3';
import { stageLocally } from '../../../local/drill/data';
import { parseRunConfig, parseShardList } from '../../../fl-training/config';
import { BlobCheckpointStore } from '../../../fl-training/store/blob-store';
import { blobPaths } from '../../../protocol/blob-layout';
import { RunStatusSchema } from '../../../protocol/run-status';

jest.setTimeout(85_000);

const ROOT = path.resolve(__dirname, '../../..');
const SECRET = 'process-test-flush-key-of-32-characters';
const TRAINER_KEY = 'process-test-trainer-key-of-32-characters';

interface Proc {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

const procs: Proc[] = [];

function start(script: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'fl-training', script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitFor: (pattern, timeoutMs = 40_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(proc.output);
          if (match) {
            clearTimeout(timer);
            child.stdout?.off('data', check);
            resolve(match);
          }
        };
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${proc.output}`)), timeoutMs);
        child.stdout?.on('data', check);
        check();
      }),
  };
  const append = (chunk: Buffer) => {
    proc.output += chunk.toString();
    if (process.env.DEBUG_FL) process.stdout.write(chunk);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  procs.push(proc);
  return proc;
}

const SHARDS = 'shard-0,shard-1,shard-2,pinned:aws';
const DATA = { aws: 's3://spot-on-data/proc-run', azure: 'blob://spot-on-data/proc-run' };

let azurite: Azurite;
let s3: LocalS3;
beforeAll(async () => {
  [azurite, s3] = await Promise.all([startAzurite(), startLocalS3()]);
  // The staging step of a deployment: each shard to the clouds its residency allows, the test set to Azure.
  const config = parseRunConfig({ runId: 'proc-run', task: 'blobs', shards: parseShardList(SHARDS) });
  await stageLocally(config, DATA, s3, azurite);
});
afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all([azurite?.stop(), s3?.stop()]);
});

const trainerEnv = (url: string, clientId: string, shard: string, cloud: 'aws' | 'azure' = 'aws') => ({
  ...(cloud === 'aws' ? s3.env : {}),
  SPOTON_DATA_URL: DATA[cloud],
  SPOTON_AGGREGATOR_URL: url,
  SPOTON_CLIENT_ID: clientId,
  SPOTON_CLOUD: cloud,
  SPOTON_SHARD: shard,
  SPOTON_FLUSH_KEYS: SECRET,
  SPOTON_TRAINER_KEYS: TRAINER_KEY,
  SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString,
  TRAINER_PORT: '0',
});

describe('entry points as processes', () => {
  it('train a run to completion on Azurite; SIGTERM flushes a trainer; a pinned shard is refused on Azure', async () => {
    const aggregator = start('aggregator/main.ts', ['--task', 'blobs', '--run-id', 'proc-run', '--rounds', '4', '--shards', SHARDS, '--min-trainers', '2', '--port', '0', '--tick-ms', '100', '--exit-when-done'], {
      SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString,
      SPOTON_DATA_URL: DATA.azure,
      SPOTON_TRAINER_KEYS: TRAINER_KEY,
    });
    const [, url] = await aggregator.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    // proc-2 registers first, so every round waits for it until SIGTERM makes it flush and leave (round 3).
    const victim = start('trainer/main.ts', [], trainerEnv(url!, 'proc-2', 'shard-2'));
    const refused = start('trainer/main.ts', [], trainerEnv(url!, 'proc-azure', 'pinned', 'azure'));
    await victim.waitFor(/registered with/);
    const trainers = [...[0, 1].map((i) => start('trainer/main.ts', [], trainerEnv(url!, `proc-${i}`, `shard-${i}`))), victim];
    await aggregator.waitFor(/round 2\/4 committed/);
    victim.child.kill('SIGTERM');
    const codes = await Promise.all([aggregator.exited, ...trainers.map((t) => t.exited), refused.exited]);

    expect(codes).toStrictEqual([0, 0, 0, 0, 3]);
    expect(aggregator.output).toMatch(/tfjs backend: wasm/);
    expect(aggregator.output).toMatch(/test set: \d+ examples from blob:\/\/spot-on-data\/proc-run/);
    expect(trainers[0]!.output).toMatch(/shard shard-0 \(any\): \d+ examples from s3:\/\/spot-on-data\/proc-run/);
    expect(aggregator.output).toMatch(/round 4\/4 committed \(all-reported\): 2 trainer\(s\)/);
    expect(trainers[2]!.output).toMatch(/flush requested \(SIGTERM/);
    expect(trainers[2]!.output).toMatch(/exiting \(flushed\)/);
    expect(refused.output).toMatch(/refusing to start: shard pinned is pinned to aws; a trainer on azure refuses to process it/);

    const store = BlobCheckpointStore.fromConnectionString(azurite.connectionString);
    const status = RunStatusSchema.parse(JSON.parse((await store.get(blobPaths.status('proc-run')))!.data.toString()));
    expect(status.round).toBe(4);
    expect(status.shards.find((s) => s.shard === 'pinned')).toStrictEqual({ shard: 'pinned', residency: 'aws', movableToAzure: false });
    expect(status.trainers.map((t) => t.clientId)).toStrictEqual(['proc-0', 'proc-1', 'proc-2']);
  });

  it('fails fast with exit code 2 and names the missing settings', async () => {
    const trainer = start('trainer/main.ts', [], { SPOTON_CLOUD: 'gcp' });
    const aggregator = start('aggregator/main.ts', ['--task', 'blobs'], { SPOTON_TRAINER_KEYS: TRAINER_KEY });
    expect(await Promise.all([trainer.exited, aggregator.exited])).toStrictEqual([2, 2]);
    expect(trainer.output).toContain('--aggregator-url / SPOTON_AGGREGATOR_URL: missing');
    expect(trainer.output).toContain('--cloud / SPOTON_CLOUD: Invalid option: expected one of "aws"|"azure"');
    expect(aggregator.output).toContain('no store configured');
  });

  it('refuses to read data from another cloud\'s store (exit 2) and says when a shard was never staged (exit 1)', async () => {
    const crossing = start('trainer/main.ts', [], { ...trainerEnv('http://127.0.0.1:9', 'proc-crossing', 'shard-0', 'azure'), SPOTON_DATA_URL: DATA.aws });
    const aggregator = start('aggregator/main.ts', ['--task', 'blobs', '--run-id', 'unstaged', '--port', '0'], {
      SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString,
      SPOTON_TRAINER_KEYS: TRAINER_KEY,
      SPOTON_DATA_URL: 'blob://spot-on-data/never-staged',
    });
    expect(await Promise.all([crossing.exited, aggregator.exited])).toStrictEqual([2, 1]);
    expect(crossing.output).toContain('data URL s3://spot-on-data/proc-run is aws storage; a process on azure reads data only from its own cloud');
    expect(aggregator.output).toContain('blob://spot-on-data/never-staged/test.spoton does not exist: stage the run\'s data first');
  });
});
