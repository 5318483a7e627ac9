/** A tfjs evaluator for the aggregator: the global model's loss and accuracy on the task's test set. */
import type { Evaluator } from '../aggregator/aggregator';
import type { RunConfig } from '../config';
import type { Dataset } from './dataset';
import { buildModel, evaluate, setModelWeights } from './model';
import { modelShape } from './topology';

/** Builds the model once; call after initBackend(). `test` is the staged test set (data/load.ts loadTestSet). */
export function createEvaluator(config: RunConfig, test: Dataset): Evaluator {
  const model = buildModel(modelShape(config));
  return (weights) => {
    setModelWeights(model, weights);
    return evaluate(model, test);
  };
}
