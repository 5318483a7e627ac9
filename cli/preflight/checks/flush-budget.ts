import { CLUSTERS } from '../inputs/chart-values';
import { problems, type Check } from '../types';
import { chartSetting } from './support';

/**
 * A trainer's whole shutdown must fit its cloud's Spot notice (the chart's spotNoticeSeconds: the instance is gone
 * then, whatever the grace period says): Blob fallback start < trainer.sigtermFlushSeconds <
 * trainer.terminationGracePeriodSeconds <= notice. The same rule the chart enforces at render time, checked before.
 */
export const flushBudgetCheck: Check = {
  name: 'flush-budget',
  run: ({ charts, spotNoticeSeconds }) =>
    problems(
      ...CLUSTERS.flatMap((cluster) => {
        const values = charts[cluster]?.values;
        if (values === undefined || !values.trainer.enabled) return [];
        const { cloud } = values.fl;
        const notice = spotNoticeSeconds[cloud];
        const { terminationGracePeriodSeconds: grace, sigtermFlushSeconds: flush, blobFallbackReserveSeconds: reserve } = values.trainer;
        const setting = (name: string) => chartSetting(cluster, `trainer.${name}`);
        return [
          grace > notice && `${setting('terminationGracePeriodSeconds')} (${grace}) exceeds the ${cloud} Spot notice (${notice} s): the instance is gone by then, flushed or not`,
          flush >= grace && `${setting('sigtermFlushSeconds')} (${flush}) must be less than trainer.terminationGracePeriodSeconds (${grace}), or the kill comes before the flush deadline`,
          reserve >= flush && `${setting('sigtermFlushSeconds')} (${flush}) must be more than trainer.blobFallbackReserveSeconds (${reserve}), the Blob fallback's head start`,
        ];
      }),
    ),
};
