/** `on-demand`: the baseline. The job is placed on on-demand at tick 0 (free) and stays: cost = job hours x price. */
import { IDLE, ON_DEMAND } from '../model';
import { stateless, workLeft } from './policy';

export const onDemandPolicy = stateless('on-demand', 'on-demand only: the baseline every cost ratio divides by', (view, setup) =>
  workLeft(setup, view.job) > 0 ? ON_DEMAND : IDLE,
);
