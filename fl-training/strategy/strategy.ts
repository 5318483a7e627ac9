/**
 * The strategy interface (after Flower's `Strategy`): what trainers do each round (configureFit) and how
 * their results become the next global model (aggregate). A strategy may keep server state (FedAdam's
 * moments); it is saved with every checkpoint (optimizer.bin) so a resumed run continues exactly.
 */
import type { RunConfig } from '../config';
import type { FitInstructions } from '../wire/messages';
import { fedAdamStep, weightedAverage, type AdamHyper, type WeightedResult } from './aggregate';
import { clipToNorm, coordinateMedian } from './robust';

/** Server-side strategy state: named float32 tensors plus a step counter. */
export interface StrategyState {
  readonly name: string;
  readonly step: number;
  readonly tensors: readonly Float32Array[];
}

export interface AggregateInput {
  readonly round: number;
  /** The global weights the results were trained from. */
  readonly current: readonly Float32Array[];
  readonly results: readonly WeightedResult[];
  readonly state: StrategyState | undefined;
}

export interface Strategy {
  readonly name: string;
  /** Instructions for trainers in `round`. */
  configureFit(round: number): FitInstructions;
  /** State before the first round (undefined for stateless strategies). */
  initialState(current: readonly Float32Array[]): StrategyState | undefined;
  /** The next global weights (and state) from this round's results. Pure. */
  aggregate(input: AggregateInput): { weights: Float32Array[]; state: StrategyState | undefined };
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
  return {
    name: 'fedavg',
    configureFit: () => fitOf(config),
    initialState: () => undefined,
    aggregate: ({ current, results }) => ({ weights: weightedAverage(clipNorm === undefined ? results : clipToNorm(results, current, clipNorm)), state: undefined }),
  };
}

/** FedMedian (Yin et al.): the coordinate-wise median of the results, robust to a minority of bad updates. */
export function fedMedian(config: FitConfig): Strategy {
  return {
    name: 'fedmedian',
    configureFit: () => fitOf(config),
    initialState: () => undefined,
    aggregate: ({ results }) => ({ weights: coordinateMedian(results), state: undefined }),
  };
}

/** FedAdam: FedAvg's average taken as a pseudo-gradient for a server-side Adam step. */
export function fedAdam(config: FitConfig, hyper: AdamHyper): Strategy {
  return {
    name: 'fedadam',
    configureFit: () => fitOf(config),
    initialState: (current) => ({ name: 'fedadam', step: 0, tensors: [...current, ...current].map((w) => new Float32Array(w.length)) }),
    aggregate: ({ current, results, state }) => {
      const layers = current.length;
      const moments = state ?? { name: 'fedadam', step: 0, tensors: [...current, ...current].map((w) => new Float32Array(w.length)) };
      const next = fedAdamStep(current, weightedAverage(results), { step: moments.step, m: moments.tensors.slice(0, layers), v: moments.tensors.slice(layers) }, hyper);
      return { weights: next.weights, state: { name: 'fedadam', step: next.moments.step, tensors: [...next.moments.m, ...next.moments.v] } };
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
