import { CLUSTERS } from '../inputs/chart-values';
import { problems, type Check } from '../types';
import { chartSetting, shown } from './support';

/**
 * One FL run everywhere: the Lambdas sign signals with the CDK config's runId, the brain keeps state/<runId>.json for
 * Terraform's function_app.run_id, and the aggregator writes runs/<runId>/. A mismatch makes the brain drop every
 * signal as another run's, so failover never starts. (EKS trainers do not read fl.runId; it is compared when set.)
 */
export const runIdCheck: Check = {
  name: 'run-id',
  run: ({ config, charts, terraform }) => {
    const expected = config.runId;
    const differs = (where: string, value: string) => `${where} ${shown(value)} differs from the CDK config's runId ${shown(expected)}`;
    const chartLines = CLUSTERS.map((cluster) => {
      const values = charts[cluster]?.values;
      if (values === undefined) return undefined;
      const { runId } = values.fl;
      const required = values.aggregator.enabled;
      if (runId === '') return required ? `${chartSetting(cluster, 'fl.runId')} is empty; the aggregator needs the CDK config's runId ${shown(expected)}` : undefined;
      return runId === expected ? undefined : differs(chartSetting(cluster, 'fl.runId'), runId);
    });
    const terraformLine = terraform.runId !== undefined && terraform.runId !== expected ? differs('terraform function_app.run_id', terraform.runId) : undefined;
    return problems(...chartLines, terraformLine);
  },
};
