import { performance } from 'node:perf_hooks';
import type { WeightedResult } from '../../fl-training/strategy/aggregate';
import { fedAvg } from '../../fl-training/strategy/strategy';

export interface FedAvgThroughput {
  /** Model size (float32 bytes) in MB. */
  readonly sizeMB: number;
  readonly clients: number;
  /** FedAvg input bytes (clients x model) aggregated per second, in Gbit/s. */
  readonly gbps: number;
  /** A plain Float32Array copy of the same bytes in the same run, in Gbit/s: the memory-bandwidth floor. */
  readonly copyGbps: number;
  /** gbps / copyGbps: the share of copy speed the aggregation keeps. */
  readonly ratio: number;
}

const MB = 1024 * 1024;

/** A model of `bytes` split into a few layers, like a real MLP (most bytes in one kernel). */
function model(bytes: number, seed: number): Float32Array[] {
  const elements = bytes / 4;
  const sizes = [Math.floor(elements * 0.9), Math.floor(elements * 0.08)];
  sizes.push(elements - sizes[0]! - sizes[1]!);
  return sizes.map((n, layer) => {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = ((i * 2654435761 + seed * 97 + layer) % 1000) / 1000 - 0.5;
    return values;
  });
}

function best(repeats: number, work: () => void): number {
  let fastest = Infinity;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest / 1000;
}

/**
 * FedAvg as the aggregator runs it (each update folded into a reproducible sum as it arrives, the bound from the run's
 * limits, here |weight| <= 1) over `clients` updates of 1, 10 and 100 MB models, against copying the same input bytes
 * once (best of a few runs each, alternating in one process).
 */
export function benchFedAvg(options: { sizesMB?: readonly number[]; clients?: number; repeats?: number } = {}): FedAvgThroughput[] {
  const clients = options.clients ?? 4;
  return (options.sizesMB ?? [1, 10, 100]).map((sizeMB) => {
    const bytes = sizeMB * MB;
    const results: WeightedResult[] = Array.from({ length: clients }, (_, c) => ({ clientId: `client-${c}`, examples: 1000 + c * 37, values: model(bytes, c) }));
    const targets = results[0]!.values.map((v) => new Float32Array(v.length));
    const repeats = options.repeats ?? (sizeMB >= 100 ? 2 : 5);
    // One strategy for every repeat, as one aggregator runs round after round (its sum's memory is reused).
    const strategy = fedAvg({ localEpochs: 1, batchSize: 32, learningRate: 0.1, optimizer: 'sgd' });
    const bounds = { examples: results.reduce((sum, r) => sum + r.examples, 0), maxAbsValue: 1 };
    const aggregate = () => {
      const fold = strategy.begin({ round: 1, current: results[0]!.values, state: undefined, bounds });
      for (const r of results) fold.add(r);
      return fold.finish();
    };
    aggregate(); // warm up the JIT
    const copy = () => {
      for (const r of results) r.values.forEach((v, i) => targets[i]!.set(v));
    };
    copy();
    const aggregateSeconds = best(repeats, aggregate);
    const copySeconds = best(repeats, copy);
    const bits = clients * bytes * 8;
    const gbps = bits / aggregateSeconds / 1e9;
    const copyGbps = bits / copySeconds / 1e9;
    return { sizeMB, clients, gbps: round(gbps), copyGbps: round(copyGbps), ratio: round(gbps / copyGbps) };
  });
}

const round = (value: number) => Number(value.toFixed(3));
