/** A tfjs evaluator for the aggregator: the global model's loss and accuracy on the task's test set. */
import type { Evaluator } from '../aggregator/aggregator';
import type { RunConfig } from '../config';
import { loadTaskData } from './data';
import { buildModel, evaluate, setModelWeights } from './model';
import { modelShape } from './topology';

/** Builds the model once; call after initBackend(). */
export function createEvaluator(config: RunConfig): Evaluator {
  const model = buildModel(modelShape(config));
  const { test } = loadTaskData(config);
  return (weights) => {
    setModelWeights(model, weights);
    return evaluate(model, test);
  };
}
