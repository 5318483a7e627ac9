/**
 * Local training for one round, batch by batch (`trainOnBatch`), so a flush request can stop it at the next
 * batch boundary. The optimizer is fresh every round (clients are stateless: a shard may move to another
 * trainer or cloud between rounds), and the data order comes from a permutation seeded by
 * (run seed, shard, round, epoch), never from Math.random: the same shard trains to the same bits anywhere.
 */
import * as tf from '@tensorflow/tfjs';
import type { FitInstructions } from '../wire/messages';
import type { Dataset } from './dataset';
import { getModelWeights, setModelWeights } from './model';
import { deriveSeed, mulberry32, permutation } from './random';

export interface BatchProgress {
  readonly round: number;
  readonly epoch: number;
  readonly batch: number;
  /** Examples processed so far this round. */
  readonly processed: number;
}

export interface LocalTrainingInput {
  readonly model: tf.LayersModel;
  readonly data: Dataset;
  /** Global weights to start from. */
  readonly weights: readonly Float32Array[];
  readonly fit: FitInstructions;
  readonly seed: number;
  readonly shard: string;
  readonly round: number;
  /** Asked before every batch; true stops training there. */
  readonly shouldStop: () => boolean;
  /** Called after every batch (progress reports, tests). */
  readonly onBatch?: (progress: BatchProgress) => void | Promise<void>;
}

export interface LocalTrainingResult {
  readonly weights: Float32Array[];
  /** Examples processed (over all local epochs): the FedAvg weight. */
  readonly examples: number;
  /** True when stopped before finishing every local epoch. */
  readonly partial: boolean;
  /** Mean batch loss, NaN when no batch ran. */
  readonly loss: number;
}

function makeOptimizer(fit: FitInstructions): tf.Optimizer {
  return fit.optimizer === 'adam' ? tf.train.adam(fit.learningRate) : tf.train.sgd(fit.learningRate);
}

/** The seeded order of a shard's examples in one local epoch. */
export function epochOrder(size: number, seed: number, shard: string, round: number, epoch: number): Uint32Array {
  return permutation(size, mulberry32(deriveSeed(seed, 'order', shard, round, epoch)));
}

/** Yields to the event loop so HTTP (flush requests, heartbeats) is served between batches. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Trains the model from `weights` on the shard for the round's local epochs, or until told to stop. */
export async function trainLocal(input: LocalTrainingInput): Promise<LocalTrainingResult> {
  const { model, data, fit } = input;
  setModelWeights(model, input.weights);
  const previous = model.optimizer as tf.Optimizer | undefined;
  model.compile({ optimizer: makeOptimizer(fit), loss: 'categoricalCrossentropy' });
  previous?.dispose();
  const xBatch = new Float32Array(fit.batchSize * data.features);
  const yBatch = new Float32Array(fit.batchSize * data.classes);
  let processed = 0;
  let lossSum = 0;
  let batches = 0;
  for (let epoch = 0; epoch < fit.localEpochs; epoch++) {
    const order = epochOrder(data.size, input.seed, input.shard, input.round, epoch);
    for (let start = 0, batch = 0; start < data.size; start += fit.batchSize, batch++) {
      await yieldToEventLoop();
      if (input.shouldStop()) return { weights: getModelWeights(model), examples: processed, partial: true, loss: batches ? lossSum / batches : Number.NaN };
      const size = Math.min(fit.batchSize, data.size - start);
      for (let i = 0; i < size; i++) {
        const row = order[start + i]!;
        xBatch.set(data.x.subarray(row * data.features, (row + 1) * data.features), i * data.features);
        yBatch.set(data.y.subarray(row * data.classes, (row + 1) * data.classes), i * data.classes);
      }
      const xs = tf.tensor2d(xBatch.subarray(0, size * data.features), [size, data.features]);
      const ys = tf.tensor2d(yBatch.subarray(0, size * data.classes), [size, data.classes]);
      try {
        const loss = await model.trainOnBatch(xs, ys);
        lossSum += Array.isArray(loss) ? loss[0]! : loss;
      } finally {
        tf.dispose([xs, ys]);
      }
      batches++;
      processed += size;
      await input.onBatch?.({ round: input.round, epoch, batch, processed });
    }
  }
  return { weights: getModelWeights(model), examples: processed, partial: false, loss: batches ? lossSum / batches : Number.NaN };
}
