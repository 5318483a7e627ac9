/**
 * The run configuration: one typed, validated table for everything a run needs (Flower's run config).
 * The aggregator owns it and hands it to trainers (GET /config), so every process trains with the same values.
 *
 * | setting | default (mnist / blobs) | meaning |
 * |---|---|---|
 * | runId | `fl-local` | names the run's folder in Blob Storage |
 * | task | `mnist` | `mnist` (digits, 784-64-10 MLP) or `blobs` (seeded synthetic 4-feature, 3-class set) |
 * | data.trainExamples / testExamples | 3000, 1000 / 600, 150 | examples drawn from the task's data |
 * | model.hidden | [64] / [16] | hidden layer widths of the MLP |
 * | rounds | 10 / 5 | rounds to train (round 0 is the initial model) |
 * | localEpochs | 1 | passes over the shard per round |
 * | batchSize | 32 / 16 | examples per local step |
 * | learningRate | 0.1 | local optimizer learning rate |
 * | optimizer | `sgd` | local optimizer, `sgd` or `adam`; fresh every round (clients are stateless) |
 * | strategy | `{ name: 'fedavg' }` | `fedavg` (optionally `clipNorm`: each update's delta clipped to that L2 norm), `fedmedian` (coordinate-wise median), or `fedadam` with server eta, beta1, beta2, tau |
 * | updateBounds | `{ maxAbsValue: 1e6 }` | an update with a weight beyond ±maxAbsValue, or (when set) a delta from the global weights with an L2 norm over maxDeltaNorm, is refused (422 `out-of-bounds`) |
 * | quorum | `{ minTrainers: 1, fraction: 0.5 }` | a round commits with every live trainer in, or at the deadline with max(minTrainers, ceil(fraction x live)) |
 * | roundDeadlineMs | 60000 | after this a round commits with a quorum instead of waiting for all |
 * | trainerTimeoutMs | 30000 | a trainer silent this long no longer counts as live |
 * | awsSilenceTimeoutMs | 120000 | no AWS trainer heard for this long: signal `aws-silent` |
 * | seed | 42 | seeds data split, data order and initial weights |
 * | shards | shard-0..2, residency `any` | data shards and where each may be processed |
 * | evaluate | true | evaluate the global model on the test set after every round |
 * | deadlineMs | none | the run must finish this long after it started (status.json's `schedule.deadlineAt`); may change on a resume |
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PathSegmentSchema } from '../protocol/blob-layout';
import { canonicalJson } from '../protocol/canonical-json';
import { ResidencySchema } from '../protocol/run-status';
import { ConfigError } from './errors';
import { issueList } from '../protocol/zod-issues';

export const TaskNameSchema = z.enum(['mnist', 'blobs']);
export type TaskName = z.infer<typeof TaskNameSchema>;

export const OptimizerNameSchema = z.enum(['sgd', 'adam']);
export type OptimizerName = z.infer<typeof OptimizerNameSchema>;

export const ShardConfigSchema = z.strictObject({ id: PathSegmentSchema, residency: ResidencySchema });
export type ShardConfig = z.infer<typeof ShardConfigSchema>;

export const StrategyConfigSchema = z.discriminatedUnion('name', [
  z.strictObject({
    name: z.literal('fedavg'),
    /** Clip each update's delta from the global weights to this L2 norm before averaging (off when unset). */
    clipNorm: z.number().positive().optional(),
  }),
  z.strictObject({ name: z.literal('fedmedian') }),
  z.strictObject({
    name: z.literal('fedadam'),
    /** Server learning rate. */
    eta: z.number().positive().max(10).default(0.01),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.99),
    /** Adaptivity (epsilon) of the server step. */
    tau: z.number().positive().default(1e-3),
  }),
]);
export type StrategyConfig = z.infer<typeof StrategyConfigSchema>;

/** Examples per digit class in the mnist package (digit 5 has the fewest). */
export const MNIST_MIN_PER_CLASS = 863;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const RunConfigSchema = z
  .strictObject({
    runId: PathSegmentSchema,
    task: TaskNameSchema,
    data: z.strictObject({ trainExamples: int(3, 100_000), testExamples: int(1, 100_000) }),
    model: z.strictObject({ hidden: z.array(int(1, 8192)).max(8) }),
    rounds: int(1, 999_999),
    localEpochs: int(1, 1000),
    batchSize: int(1, 65_536),
    learningRate: z.number().positive().max(10),
    optimizer: OptimizerNameSchema,
    strategy: StrategyConfigSchema,
    updateBounds: z.strictObject({ maxAbsValue: z.number().positive(), maxDeltaNorm: z.number().positive().optional() }).default({ maxAbsValue: 1e6 }),
    quorum: z.strictObject({ minTrainers: int(1, 10_000), fraction: z.number().gt(0).max(1) }),
    roundDeadlineMs: int(100, 86_400_000),
    trainerTimeoutMs: int(100, 86_400_000),
    awsSilenceTimeoutMs: int(100, 86_400_000),
    seed: int(0, 0xffff_ffff),
    shards: z.array(ShardConfigSchema).min(1).max(10_000),
    evaluate: z.boolean(),
    deadlineMs: int(60_000, 366 * 86_400_000).optional(),
  })
  .superRefine((config, ctx) => {
    const ids = config.shards.map((s) => s.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['shards'], message: `shard id ${duplicate} appears twice` });
    if (config.shards.length > config.data.trainExamples) {
      ctx.addIssue({ code: 'custom', path: ['shards'], message: `${config.shards.length} shards need at least as many training examples` });
    }
    if (config.task === 'mnist') {
      const perClass = Math.ceil(config.data.trainExamples / 10) + Math.ceil(config.data.testExamples / 10);
      if (perClass > MNIST_MIN_PER_CLASS) {
        ctx.addIssue({ code: 'custom', path: ['data'], message: `mnist has ${MNIST_MIN_PER_CLASS} digits per class; train + test need ${perClass}` });
      }
    }
  });
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** Defaults per task: MNIST small enough that 3 trainers x 10 rounds take seconds on two cores with wasm. */
export function defaultRunConfig(task: TaskName): RunConfig {
  const common = {
    runId: 'fl-local',
    rounds: 10,
    localEpochs: 1,
    learningRate: 0.1,
    optimizer: 'sgd',
    strategy: { name: 'fedavg' },
    updateBounds: { maxAbsValue: 1e6 },
    quorum: { minTrainers: 1, fraction: 0.5 },
    roundDeadlineMs: 60_000,
    trainerTimeoutMs: 30_000,
    awsSilenceTimeoutMs: 120_000,
    seed: 42,
    shards: [0, 1, 2].map((i) => ({ id: `shard-${i}`, residency: 'any' as const })),
    evaluate: true,
  } as const;
  return task === 'mnist'
    ? { ...common, task, data: { trainExamples: 3000, testExamples: 1000 }, model: { hidden: [64] }, batchSize: 32, shards: [...common.shards], strategy: { ...common.strategy } }
    : { ...common, task, data: { trainExamples: 600, testExamples: 150 }, model: { hidden: [16] }, batchSize: 16, rounds: 5, shards: [...common.shards], strategy: { ...common.strategy } };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a (possibly partial) run configuration over the defaults of its task. Nested objects merge one
 * level deep (`{ quorum: { minTrainers: 3 } }` keeps the default fraction); arrays and `strategy` replace.
 * Throws ConfigError naming every invalid setting.
 */
export function parseRunConfig(input: unknown): RunConfig {
  if (!isPlainObject(input)) throw new ConfigError('run configuration must be a JSON object');
  const task = TaskNameSchema.safeParse(input.task ?? 'mnist');
  if (!task.success) throw new ConfigError(`run configuration: task must be one of ${TaskNameSchema.options.join(', ')}`, { cause: task.error });
  const defaults: Record<string, unknown> = defaultRunConfig(task.data);
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(input)) {
    const base = defaults[key];
    merged[key] = key !== 'strategy' && isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  const result = RunConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  throw new ConfigError(`run configuration: ${issueList(result.error)}`, { cause: result.error });
}

export { canonicalJson };

/** Settings that change what is computed; the others (rounds, quorum, timeouts) may change on a resume. */
const HASHED: ReadonlyArray<keyof RunConfig> = ['task', 'data', 'model', 'localEpochs', 'batchSize', 'learningRate', 'optimizer', 'strategy', 'seed', 'shards'];

/** SHA-256 of the settings that determine the computation; a resume under another hash is refused. */
export function configHash(config: RunConfig): string {
  const picked = Object.fromEntries(HASHED.map((key) => [key, config[key]]));
  return createHash('sha256').update(canonicalJson(picked)).digest('hex');
}

/** Whether a cloud may process a shard of this residency. */
export function mayProcess(cloud: 'aws' | 'azure', residency: ShardConfig['residency']): boolean {
  return residency === 'any' || residency === cloud;
}

/** Parses `shard-0:aws,shard-1:any` (or a bare count `3`) into shard settings. */
export function parseShardList(text: string): ShardConfig[] {
  if (/^\d+$/.test(text.trim())) return Array.from({ length: Number(text) }, (_, i) => ({ id: `shard-${i}`, residency: 'any' as const }));
  return text.split(',').map((part) => {
    const [id, residency = 'any'] = part.trim().split(':');
    const parsed = ShardConfigSchema.safeParse({ id, residency });
    if (!parsed.success) throw new ConfigError(`shard ${JSON.stringify(part)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return parsed.data;
  });
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read run configuration ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The settings that make up the run configuration (the aggregator's; `spot-on stage-data` takes the same). */
export interface RunConfigSettings {
  readonly config?: string | undefined;
  readonly configJson?: string | undefined;
  readonly runId?: string | undefined;
  readonly task?: TaskName | undefined;
  readonly rounds?: number | undefined;
  readonly seed?: number | undefined;
  readonly shards?: string | undefined;
  readonly minTrainers?: number | undefined;
}

/** The run configuration from the settings: the file, then the inline JSON, then the single-value flags. */
export function assembleRunConfig(s: RunConfigSettings): RunConfig {
  let input: Record<string, unknown> = {};
  if (s.config) input = { ...input, ...(readJsonFile(s.config) as Record<string, unknown>) };
  if (s.configJson) {
    try {
      input = { ...input, ...(JSON.parse(s.configJson) as Record<string, unknown>) };
    } catch (error) {
      throw new ConfigError('--config-json / SPOTON_FL_CONFIG_JSON is not JSON', { cause: error });
    }
  }
  if (s.runId) input.runId = s.runId;
  if (s.task) input.task = s.task;
  if (s.rounds) input.rounds = s.rounds;
  if (s.seed !== undefined) input.seed = s.seed;
  if (s.shards) input.shards = parseShardList(s.shards);
  if (s.minTrainers) input.quorum = { ...(input.quorum as object | undefined), minTrainers: s.minTrainers };
  return parseRunConfig(input);
}
