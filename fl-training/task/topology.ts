/**
 * The model's topology without tfjs: an MLP with explicitly named layers (`hidden_0`.., `logits`), its weight
 * specs in tfjs order, its hash and its seeded initial weights. The aggregator builds round 0 from these, so the
 * starting point does not depend on tfjs initialisers or on the backend.
 */
import { createHash } from 'node:crypto';
import type { WeightSpec } from '../../protocol/checkpoint';
import { canonicalJson, type RunConfig } from '../config';
import { deriveSeed, mulberry32 } from './random';
import { TASK_SHAPES } from './tasks';

export interface ModelShape {
  readonly features: number;
  readonly hidden: readonly number[];
  readonly classes: number;
}

/** The MLP a run trains. */
export function modelShape(config: Pick<RunConfig, 'task' | 'model'>): ModelShape {
  const { features, classes } = TASK_SHAPES[config.task];
  return { features, hidden: config.model.hidden, classes };
}

/** Layer names and widths, input to output. */
export function denseLayers(shape: ModelShape): { name: string; inputs: number; units: number }[] {
  const widths = [...shape.hidden, shape.classes];
  return widths.map((units, i) => ({
    name: i < shape.hidden.length ? `hidden_${i}` : 'logits',
    inputs: i === 0 ? shape.features : widths[i - 1]!,
    units,
  }));
}

/** Weight specs in the order tfjs lists them (kernel then bias, layer by layer). */
export function weightSpecs(shape: ModelShape): WeightSpec[] {
  return denseLayers(shape).flatMap((layer) => [
    { name: `${layer.name}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' as const },
    { name: `${layer.name}/bias`, shape: [layer.units], dtype: 'float32' as const },
  ]);
}

/** SHA-256 of the topology: layer names, activations and weight specs. */
export function topologyHash(shape: ModelShape): string {
  const layers = denseLayers(shape).map((l) => ({ ...l, activation: l.name === 'logits' ? 'softmax' : 'relu' }));
  return createHash('sha256').update(canonicalJson({ kind: 'mlp', layers, weights: weightSpecs(shape) })).digest('hex');
}

/** Glorot-uniform kernels and zero biases from the run seed. */
export function initialWeights(shape: ModelShape, seed: number): Float32Array[] {
  return denseLayers(shape).flatMap((layer) => {
    const rng = mulberry32(deriveSeed(seed, 'init', layer.name));
    const limit = Math.sqrt(6 / (layer.inputs + layer.units));
    const kernel = new Float32Array(layer.inputs * layer.units);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (2 * rng() - 1) * limit;
    return [kernel, new Float32Array(layer.units)];
  });
}
