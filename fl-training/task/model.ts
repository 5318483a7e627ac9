/** The tfjs side of the task: build the MLP, move weights in and out, evaluate. */
import * as tf from '@tensorflow/tfjs';
import type { WeightSpec } from '../../protocol/checkpoint';
import type { Dataset } from './dataset';
import { denseLayers, type ModelShape } from './topology';

/**
 * A Sequential MLP with the layer names of topology.ts (relu hidden layers, softmax output). Initialised with
 * zeros: real weights always come from the aggregator (seeded, topology.ts), and tfjs' random initialisers
 * would call Math.random.
 */
export function buildModel(shape: ModelShape): tf.Sequential {
  const model = tf.sequential({ name: 'spot_on_mlp' });
  denseLayers(shape).forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        name: layer.name,
        units: layer.units,
        activation: layer.name === 'logits' ? 'softmax' : 'relu',
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [shape.features] } : {}),
      }),
    );
  });
  return model;
}

/** The model's weight specs as tfjs reports them (names without uniquifying suffixes). */
export function modelSpecs(model: tf.LayersModel): WeightSpec[] {
  return model.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[], dtype: 'float32' as const }));
}

/** Loads weight values (in spec order) into the model. */
export function setModelWeights(model: tf.LayersModel, values: readonly Float32Array[]): void {
  const tensors = model.weights.map((w, i) => tf.tensor(values[i]!, w.shape as number[], 'float32'));
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Copies the model's weights out as Float32Arrays. */
export function getModelWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((t) => Float32Array.from(t.dataSync() as Float32Array));
}

/** Loss (categorical cross-entropy) and accuracy on a dataset. */
export function evaluate(model: tf.LayersModel, data: Dataset): { loss: number; accuracy: number } {
  return tf.tidy(() => {
    const xs = tf.tensor2d(data.x, [data.size, data.features]);
    const ys = tf.tensor2d(data.y, [data.size, data.classes]);
    const probs = model.predict(xs) as tf.Tensor2D;
    const loss = tf.metrics.categoricalCrossentropy(ys, probs).mean().dataSync()[0]!;
    const correct = tf.equal(probs.argMax(1), ys.argMax(1)).sum().dataSync()[0]!;
    return { loss, accuracy: correct / data.size };
  });
}
