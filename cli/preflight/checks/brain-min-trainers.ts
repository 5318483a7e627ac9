import { problems, skipped, type Check } from '../types';
import { chartSetting } from './support';

/**
 * The brain fails back only once `function_app.min_aws_trainers` AWS trainers report again; more than the EKS
 * release runs can never report, so Azure would stay active (and billed) for good.
 */
export const brainMinTrainersCheck: Check = {
  name: 'brain-min-trainers',
  run: ({ charts, terraform }) => {
    const eks = charts.eks?.values;
    if (eks === undefined || !eks.trainer.enabled) return skipped('no eks values with trainers');
    const minimum = terraform.minAwsTrainers;
    if (minimum === undefined) return skipped("terraform's function_app.min_aws_trainers is an expression");
    return problems(
      minimum > eks.trainer.replicas &&
        `terraform function_app.min_aws_trainers (${minimum}) exceeds ${chartSetting('eks', 'trainer.replicas')} (${eks.trainer.replicas}): the brain would never fail back`,
    );
  },
};
