import { receivesToSurvive, redriveWindowSeconds, visibilityTimeoutSeconds } from '../../../cdk/lib/retry-budget';
import { problems, type Check } from '../types';

/**
 * A signal waits in the outbox while the brain is unreachable (VPN or Function App down) and is dead-lettered after
 * maxReceiveCount x visibility timeout, with the numbers cdk/lib/retry-budget.ts gives the stack. That window must
 * cover the outage the team means to ride out, or a failover signal dies in the dead-letter queue mid-outage.
 */
export const outboxBudgetCheck: Check = {
  name: 'outbox-budget',
  run: ({ config, outageToleranceMinutes }) => {
    const visibility = visibilityTimeoutSeconds(config.lambdas.signalTimeoutSeconds);
    const receives = receivesToSurvive(config.queues.outboxOutageToleranceMinutes * 60, visibility);
    const window = redriveWindowSeconds(receives, visibility);
    if (window >= outageToleranceMinutes * 60) return problems();
    return problems(
      `the signal outbox dead-letters a signal after ${receives} receives x ${visibility} s = ${window / 60} min, less than the ${outageToleranceMinutes}-minute outage tolerance; set queues.outboxOutageToleranceMinutes to at least ${outageToleranceMinutes}`,
    );
  },
};
