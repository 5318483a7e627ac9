/**
 * Seeded synthetic traces, so that the project ships no third-party trace and every test answer can be worked out.
 * Each pool's capacity is a two-state Markov chain (mean spell with capacity, mean spell without), AND-ed with a
 * cloud-wide chain shared by the pools of one cloud (rare regional shortages: the correlation Can't Be Late saw
 * within a cluster); its price is a slow mean-reverting random walk around a base (a few per cent, as the paper
 * found Spot prices stable). Files are in Can't Be Late's format with available-is-0, as its simulator's are.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Cloud } from './model';
import type { PoolSource } from './windows';
import { mulberry32 } from '../../fl-training/task/random';

export interface ChainSpec {
  readonly meanUpHours: number;
  readonly meanDownHours: number;
}

export interface GeneratedPoolSpec extends ChainSpec {
  /** `CLOUD/NAME`. */
  readonly name: string;
  readonly cloud: Cloud;
  readonly baseUsdPerHour: number;
}

export interface GenerateSettings {
  readonly hours: number;
  readonly gapSeconds: number;
  /** Shortages shared by every pool of a cloud; none when undefined. */
  readonly cloudWide?: ChainSpec;
  /** Relative price volatility per sample (0 for flat prices). */
  readonly priceVolatility?: number;
}

/** Can't Be Late's trace format, as written. */
export interface CantBeLateFile {
  readonly metadata: { readonly gap_seconds: number; readonly generator: string };
  readonly data: number[];
  readonly prices: number[];
}

/** One sample per gap of a two-state chain, started from its stationary distribution; true = capacity. */
export function markovChain(random: () => number, chain: ChainSpec, samples: number, gapSeconds: number): boolean[] {
  const gapHours = gapSeconds / 3600;
  const leave = Math.min(1, gapHours / chain.meanUpHours);
  const recover = Math.min(1, gapHours / chain.meanDownHours);
  let up = random() < chain.meanUpHours / (chain.meanUpHours + chain.meanDownHours);
  const states: boolean[] = [];
  for (let i = 0; i < samples; i += 1) {
    states.push(up);
    up = up ? random() >= leave : random() < recover;
  }
  return states;
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Generates one window of every pool (the cloud-wide chains drawn once per cloud, so correlation is kept). */
export function generateWindow(seed: number, pools: readonly GeneratedPoolSpec[], settings: GenerateSettings): CantBeLateFile[] {
  const random = mulberry32(seed);
  const samples = Math.ceil((settings.hours * 3600) / settings.gapSeconds);
  const clouds = new Map<Cloud, boolean[]>();
  for (const cloud of ['aws', 'azure'] as const) {
    clouds.set(cloud, settings.cloudWide === undefined ? new Array<boolean>(samples).fill(true) : markovChain(random, settings.cloudWide, samples, settings.gapSeconds));
  }
  const volatility = settings.priceVolatility ?? 0.01;
  return pools.map((pool) => {
    const own = markovChain(random, pool, samples, settings.gapSeconds);
    const region = clouds.get(pool.cloud) ?? [];
    let drift = 0;
    const prices: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      prices.push(Number((pool.baseUsdPerHour * Math.exp(drift)).toFixed(4)));
      drift = 0.995 * drift + volatility * gaussian(random);
    }
    return {
      metadata: { gap_seconds: settings.gapSeconds, generator: `spot-on finops/simulate/generate.ts seed ${seed} ${pool.name}` },
      data: own.map((up, i) => (up && region[i] !== false ? 0 : 1)),
      prices,
    };
  });
}

const AWS_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-2a', 'us-east-2b', 'us-west-2a', 'us-west-2b', 'us-west-2c'];
const AZURE_REGIONS = ['koreacentral', 'japaneast', 'eastus', 'westus2'];

/**
 * `count` pools with random parameters: about two thirds AWS, at least one Azure. Each pool's share of time with
 * capacity is drawn from 35-95 %, its mean spell with capacity from 1-12 h (log-uniform): Can't Be Late saw zones
 * from mostly available to mostly not, spells of hours, and shortages of hours to days.
 */
export function randomPools(seed: number, count: number, spotUsdPerHour: number): GeneratedPoolSpec[] {
  const random = mulberry32(seed);
  const azureCount = Math.max(1, Math.round(count / 3));
  return Array.from({ length: count }, (_unused, index) => {
    const cloud: Cloud = index < count - azureCount ? 'aws' : 'azure';
    const zone = cloud === 'aws' ? AWS_ZONES[index % AWS_ZONES.length] : AZURE_REGIONS[(index - (count - azureCount)) % AZURE_REGIONS.length];
    const upShare = 0.35 + 0.6 * random();
    const meanUpHours = Math.exp(Math.log(1) + (Math.log(12) - Math.log(1)) * random());
    const meanDownHours = (meanUpHours * (1 - upShare)) / upShare;
    const baseUsdPerHour = Number((spotUsdPerHour * (cloud === 'aws' ? 0.85 + 0.3 * random() : 0.8 + 0.5 * random())).toFixed(4));
    return { name: `${cloud}/${zone}`, cloud, meanUpHours, meanDownHours, baseUsdPerHour };
  });
}

/** Writes `windows` windows of `pools` under `dir` (one folder per pool) and returns the pools as `--pool` sources. */
export function writePoolSet(dir: string, pools: readonly GeneratedPoolSpec[], windows: number, seed: number, settings: GenerateSettings): PoolSource[] {
  const sources = pools.map((pool) => ({ spec: { name: pool.name, cloud: pool.cloud }, dir: path.join(dir, pool.name.replace('/', '-')) }));
  for (const source of sources) mkdirSync(source.dir, { recursive: true });
  for (let window = 0; window < windows; window += 1) {
    const files = generateWindow(seed * 1000 + window, pools, settings);
    files.forEach((file, index) => {
      const source = sources[index];
      if (source !== undefined) writeFileSync(path.join(source.dir, `window-${String(window).padStart(3, '0')}.json`), JSON.stringify(file));
    });
  }
  return sources;
}
