import { alarmsWithoutProducer } from '../alarm-producers';
import { problems, skipped, type Check } from '../types';

/**
 * An alarm that treats missing data as breaching, on a metric nothing in the stack publishes, goes to ALARM right
 * after the deploy; on this stack alarms can trigger a failover nobody asked for.
 */
export const deployAlarmsCheck: Check = {
  name: 'deploy-alarms',
  run: ({ template }) => {
    if (template === undefined) return skipped('--no-synth: the CDK app was not synthesized');
    return problems(
      ...alarmsWithoutProducer(template).map(
        ({ alarm, namespace }) => `alarm ${alarm} treats missing data as breaching, but nothing in the stack publishes its ${namespace} metric: it fires after the deploy`,
      ),
    );
  },
};
