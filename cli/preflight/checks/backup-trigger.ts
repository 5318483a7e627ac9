import { problems, skipped, type Check } from '../types';
import { chartSetting, sameEndpoint, shown } from './support';

/**
 * The aggregator is the failover trigger that does not need AWS to speak: with the backup trigger on it must know
 * the brain (the same POST /api/signals the Lambdas use), and fail back once as many AWS trainers report as the
 * EKS release runs (fewer: it fails back after a partial loss; more: never).
 */
export const backupTriggerCheck: Check = {
  name: 'backup-trigger',
  run: ({ config, charts }) => {
    const aks = charts.aks?.values;
    if (aks === undefined || !aks.aggregator.enabled) return skipped('no aks values with the aggregator');
    if (!aks.aggregator.backupTrigger.enabled) return problems();
    const { brainUrl, minAwsTrainers } = aks.aggregator;
    const signals = config.azure.signalsEndpointUrl;
    const brainLine =
      brainUrl === ''
        ? `${chartSetting('aks', 'aggregator.brainUrl')} is empty: the aggregator's aws-silent trigger cannot reach the brain; set it to ${signals} or set aggregator.backupTrigger.enabled=false`
        : !sameEndpoint(brainUrl, signals) && `${chartSetting('aks', 'aggregator.brainUrl')} ${shown(brainUrl)} differs from the CDK config's azure.signalsEndpointUrl ${shown(signals)}`;
    const eks = charts.eks?.values;
    const replicasLine =
      eks !== undefined &&
      eks.trainer.enabled &&
      minAwsTrainers !== eks.trainer.replicas &&
      `${chartSetting('aks', 'aggregator.minAwsTrainers')} (${minAwsTrainers}) differs from ${chartSetting('eks', 'trainer.replicas')} (${eks.trainer.replicas}): ${minAwsTrainers < eks.trainer.replicas ? 'a partial loss fails back too early' : 'it never fails back'}`;
    return problems(brainLine, replicasLine);
  },
};
