/**
 * The chart's values as Helm sees them for one release: fl-training/chart/values.yaml, then each `-f` file merged
 * over it (maps merge key by key, anything else replaces, null deletes), validated for the settings preflight reads.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { PreflightInputError, parseInput } from './errors';

/** The two releases of the chart: EKS (trainers, `fl.cloud: aws`) and AKS (aggregator and standby trainers, `azure`). */
export const CLUSTERS = ['eks', 'aks'] as const;
export type Cluster = (typeof CLUSTERS)[number];
/** The `fl.cloud` each cluster's release must say. */
export const CLOUD_OF: Readonly<Record<Cluster, 'aws' | 'azure'>> = { eks: 'aws', aks: 'azure' };

const Text = z.string().nullish().transform((value) => value ?? '');
const Count = z.int().min(0);
const Seconds = z.number().min(0);

/** The settings the checks read; values.yaml declares every one, so a merged release always has them. */
export const ChartValuesSchema = z.looseObject({
  fl: z.looseObject({ cloud: z.enum(['aws', 'azure']), runId: Text, aggregatorUrl: Text }),
  storage: z.looseObject({ accountUrl: Text, container: Text, existingSecret: Text }),
  keys: z.looseObject({
    source: z.enum(['existing', 'csi']),
    csi: z.looseObject({
      azure: z.looseObject({ keyVaultName: Text, signalKeysSecretName: Text, trainerKeysSecretName: Text }),
      aws: z.looseObject({ flushKeysSecretArn: Text, trainerKeysSecretArn: Text, region: Text }),
    }),
  }),
  aggregator: z.looseObject({
    enabled: z.boolean(),
    backupTrigger: z.looseObject({ enabled: z.boolean() }),
    brainUrl: Text,
    minAwsTrainers: Count,
    port: Count,
    service: z.looseObject({ type: z.string(), port: Count, privateIp: Text }),
  }),
  trainer: z.looseObject({
    enabled: z.boolean(),
    port: Count,
    replicas: Count,
    terminationGracePeriodSeconds: Seconds,
    sigtermFlushSeconds: Seconds,
    blobFallbackReserveSeconds: Seconds,
    nodeSelector: z.record(z.string(), z.string()).nullish().transform((value) => value ?? {}),
    tolerations: z.array(z.looseObject({ key: z.string().optional(), operator: z.string().optional(), value: z.string().optional(), effect: z.string().optional() })).nullish().transform((value) => value ?? []),
    podLabels: z.record(z.string(), z.string()).nullish().transform((value) => value ?? {}),
  }),
});
export type ChartValues = z.infer<typeof ChartValuesSchema>;

type Tree = Record<string, unknown>;
const isTree = (value: unknown): value is Tree => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Helm's coalescing of a values file over the values so far: maps merge, lists and scalars replace, null deletes. */
export function mergeValues(base: Tree, overlay: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete merged[key];
    else if (isTree(value) && isTree(merged[key])) merged[key] = mergeValues(merged[key], value);
    else merged[key] = value;
  }
  return merged;
}

/** Reads one YAML values file as a map (an empty file is an empty map). */
export function readValuesFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PreflightInputError(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parse(text, { uniqueKeys: true });
  } catch (error) {
    throw new PreflightInputError(`${path}: not YAML (${(error as Error).message})`, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new PreflightInputError(`${path}: a values file must be a YAML map`);
  return parsed;
}

/** A `--values` argument: `eks=<file>` / `aks=<file>`, or a bare file whose cluster comes from its content. */
export interface ValuesArgument {
  readonly cluster?: Cluster;
  readonly file: string;
}

/** Splits `eks=path` / `aks=path`; anything else is a bare path. */
export function parseValuesArgument(argument: string): ValuesArgument {
  const match = /^(eks|aks)=(.+)$/.exec(argument);
  return match ? { cluster: match[1] as Cluster, file: match[2] as string } : { file: argument };
}

/**
 * Sorts values files into releases. A file goes to the cluster its prefix names; a bare file to the cluster of its
 * own `fl.cloud` (aws: eks, azure: aks); a bare file without one (a per-installation overlay) to the cluster of the
 * file before it, the way `helm -f a -f b` layers them.
 */
export function assignClusters(argumentsInOrder: readonly ValuesArgument[], read: (file: string) => Tree): Map<Cluster, { file: string; values: Tree }[]> {
  const byCluster = new Map<Cluster, { file: string; values: Tree }[]>();
  let previous: Cluster | undefined;
  for (const { cluster: named, file } of argumentsInOrder) {
    const values = read(file);
    const cloud = isTree(values.fl) ? values.fl.cloud : undefined;
    const cluster = named ?? (cloud === 'aws' ? 'eks' : cloud === 'azure' ? 'aks' : previous);
    if (cluster === undefined) {
      throw new PreflightInputError(`${file}: cannot tell which cluster it is for; set fl.cloud (aws or azure) in it or pass --values eks=${file} / aks=${file}`);
    }
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), { file, values }]);
    previous = cluster;
  }
  return byCluster;
}

/** The validated values of one release: the chart's defaults with `files` merged over them in order. */
export function releaseValues(chartDefaults: Tree, files: readonly { file: string; values: Tree }[], cluster: Cluster): ChartValues {
  const merged = files.reduce((values, file) => mergeValues(values, file.values), chartDefaults);
  return parseInput(ChartValuesSchema, merged, `${cluster} values (${files.map((file) => basename(file.file)).join(' + ')})`);
}
