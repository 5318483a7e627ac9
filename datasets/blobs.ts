/**
 * A tiny seeded synthetic task for fast tests (iris-like: 4 features, 3 classes): Gaussian blobs around class
 * centres drawn from the seed, overlapping enough that accuracy stays below 100%.
 */
import { setOneHot, type Dataset } from '../fl-training/task/dataset';
import { deriveSeed, gaussian, mulberry32, type Rng } from '../fl-training/task/random';
import { TASK_SHAPES } from '../fl-training/task/tasks';

export const { features: BLOBS_FEATURES, classes: BLOBS_CLASSES } = TASK_SHAPES.blobs;
const CENTRE_SPREAD = 1.6;
const NOISE = 1;

function sample(count: number, centres: readonly number[][], rng: Rng): Dataset {
  const x = new Float32Array(count * BLOBS_FEATURES);
  const y = new Float32Array(count * BLOBS_CLASSES);
  for (let n = 0; n < count; n++) {
    const label = n % BLOBS_CLASSES;
    for (let f = 0; f < BLOBS_FEATURES; f++) x[n * BLOBS_FEATURES + f] = centres[label]![f]! + NOISE * gaussian(rng);
    setOneHot(y, n, BLOBS_CLASSES, label);
  }
  return { x, y, size: count, features: BLOBS_FEATURES, classes: BLOBS_CLASSES };
}

/** Training and test sets drawn from the same seeded distribution with independent streams. */
export function loadBlobs(trainExamples: number, testExamples: number, seed: number): { train: Dataset; test: Dataset } {
  const centreRng = mulberry32(deriveSeed(seed, 'blobs', 'centres'));
  const centres = Array.from({ length: BLOBS_CLASSES }, () => Array.from({ length: BLOBS_FEATURES }, () => CENTRE_SPREAD * gaussian(centreRng)));
  return {
    train: sample(trainExamples, centres, mulberry32(deriveSeed(seed, 'blobs', 'train'))),
    test: sample(testExamples, centres, mulberry32(deriveSeed(seed, 'blobs', 'test'))),
  };
}
