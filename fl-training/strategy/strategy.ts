/**
 * The strategy interface (after Flower's `Strategy`): what trainers do each round (configureFit) and how
 * their results become the next global model (aggregate). A strategy may keep server state (FedAdam's
 * moments); it is saved with every checkpoint (optimizer.bin) so a resumed run continues exactly.
 */
import type { RunConfig } from '../config';
import type { FitInstructions } from '../wire/messages';
import { AggregationError } from '../errors';
import { fedAdamStep, largestAbs, maxAbsValue, WeightedAverageFold, type AdamHyper, type WeightedResult } from './aggregate';
import type { ReproducibleSum } from './reproducible-sum';
import { clipToNorm, coordinateMedian } from './robust';

/** Server-side strategy state: named float32 tensors plus a step counter. */
export interface StrategyState {
  readonly name: string;
  readonly step: number;
  readonly tensors: readonly Float32Array[];
}

/** What a round's aggregation starts from. */
export interface FoldInput {
  readonly round: number;
  /** The global weights the results were trained from. */
  readonly current: readonly Float32Array[];
  readonly state: StrategyState | undefined;
  /** Bounds the aggregator enforces on the round's results: their total examples and the largest |weight|. */
  readonly bounds: { readonly examples: number; readonly maxAbsValue: number };
}

/** One round's aggregation, given the results one at a time as they are accepted. */
export interface RoundFold {
  add(result: WeightedResult): void;
  /** The next global weights (and state). The fold is unchanged: a commit that fails can finish again. */
  finish(): { weights: Float32Array[]; state: StrategyState | undefined };
}

export interface Strategy {
  readonly name: string;
  /** Instructions for trainers in `round`. */
  configureFit(round: number): FitInstructions;
  /** State before the first round (undefined for stateless strategies). */
  initialState(current: readonly Float32Array[]): StrategyState | undefined;
  /**
   * Starts a round's aggregation; the previous round's fold must no longer be used (its memory may be reused).
   * FedAvg and FedAdam fold each result in and keep none (memory O(model)).
   */
  begin(input: FoldInput): RoundFold;
}

/** Aggregates results all in hand (tests, benchmarks): the bounds are taken from them. */
export function aggregateResults(strategy: Strategy, input: Omit<FoldInput, 'bounds'> & { results: readonly WeightedResult[] }): { weights: Float32Array[]; state: StrategyState | undefined } {
  const bounds = { examples: input.results.reduce((sum, r) => sum + Math.max(0, r.examples), 0), maxAbsValue: maxAbsValue(input.results) };
  const fold = strategy.begin({ ...input, bounds });
  for (const result of input.results) fold.add(result);
  return fold.finish();
}

/**
 * The weighted-average fold within `bounds`. With clipping, every folded result lies within clipNorm of the current
 * weights, whatever it was sent as: that bound is tighter, and the sum's grids finer.
 */
function averageFold(input: FoldInput, reuse: ReproducibleSum | undefined, clipNorm?: number): WeightedAverageFold {
  const maxAbs = clipNorm === undefined ? input.bounds.maxAbsValue : largestAbs(input.current) + clipNorm;
  return new WeightedAverageFold(input.current.map((w) => w.length), Math.max(1, input.bounds.examples * maxAbs), reuse);
}

type FitConfig = Pick<RunConfig, 'localEpochs' | 'batchSize' | 'learningRate' | 'optimizer'>;

const fitOf = (config: FitConfig): FitInstructions => ({
  localEpochs: config.localEpochs,
  batchSize: config.batchSize,
  learningRate: config.learningRate,
  optimizer: config.optimizer,
});

/**
 * FedAvg (McMahan et al.): the example-weighted average of the results; no server state. With `clipNorm`, each
 * result's delta from the current weights is first clipped to that L2 norm (FedAvg with fixed clipping).
 */
export function fedAvg(config: FitConfig, clipNorm?: number): Strategy {
  let workspace: ReproducibleSum | undefined; // one round's sum, reused by the next (begin() ends the previous fold)
  return {
    name: 'fedavg',
    configureFit: () => fitOf(config),
    initialState: () => undefined,
    begin: (input) => {
      const fold = averageFold(input, workspace, clipNorm);
      workspace = fold.workspace;
      return {
        add: (result) => fold.add(clipNorm === undefined ? result : clipToNorm([result], input.current, clipNorm)[0]!),
        finish: () => ({ weights: fold.average(), state: undefined }),
      };
    },
  };
}

/**
 * FedMedian (Yin et al.): the coordinate-wise median of the results, robust to a minority of bad updates. A median
 * needs every value at once: this fold keeps the results (memory O(trainers x model)).
 */
export function fedMedian(config: FitConfig): Strategy {
  return {
    name: 'fedmedian',
    configureFit: () => fitOf(config),
    initialState: () => undefined,
    begin: () => {
      const results: WeightedResult[] = [];
      return {
        add: (result) => {
          if (results.some((r) => r.clientId === result.clientId)) throw new AggregationError(`client ${result.clientId} appears twice`);
          results.push(result);
        },
        finish: () => {
          if (results.length === 0) throw new AggregationError('cannot aggregate zero results');
          return { weights: coordinateMedian(results), state: undefined };
        },
      };
    },
  };
}

/** FedAdam: FedAvg's average taken as a pseudo-gradient for a server-side Adam step. */
export function fedAdam(config: FitConfig, hyper: AdamHyper): Strategy {
  let workspace: ReproducibleSum | undefined; // as in fedAvg
  return {
    name: 'fedadam',
    configureFit: () => fitOf(config),
    initialState: (current) => ({ name: 'fedadam', step: 0, tensors: [...current, ...current].map((w) => new Float32Array(w.length)) }),
    begin: (input) => {
      const { current, state } = input;
      const fold = averageFold(input, workspace);
      workspace = fold.workspace;
      return {
        add: (result) => fold.add(result),
        finish: () => {
          const layers = current.length;
          const moments = state ?? { name: 'fedadam', step: 0, tensors: [...current, ...current].map((w) => new Float32Array(w.length)) };
          const next = fedAdamStep(current, fold.average(), { step: moments.step, m: moments.tensors.slice(0, layers), v: moments.tensors.slice(layers) }, hyper);
          return { weights: next.weights, state: { name: 'fedadam', step: next.moments.step, tensors: [...next.moments.m, ...next.moments.v] } };
        },
      };
    },
  };
}

/** The strategy a run configuration names. */
export function createStrategy(config: Pick<RunConfig, 'strategy'> & FitConfig): Strategy {
  const s = config.strategy;
  switch (s.name) {
    case 'fedavg':
      return fedAvg(config, s.clipNorm);
    case 'fedmedian':
      return fedMedian(config);
    case 'fedadam':
      return fedAdam(config, s);
  }
}
