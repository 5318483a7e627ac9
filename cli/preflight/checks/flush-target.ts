import { problems, skipped, type Check } from '../types';
import { chartSetting, shown } from './support';

/**
 * Labels the chart puts on every trainer pod (templates/_helpers.tpl spot-on-fl.trainer.podLabels; names are fixed,
 * not release-prefixed, because the interruption Lambda selects them). The instance label is the release name.
 */
export const CHART_TRAINER_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'fl-trainer',
  'app.kubernetes.io/component': 'trainer',
  'app.kubernetes.io/part-of': 'spot-on',
};
const RELEASE_LABEL = 'app.kubernetes.io/instance';

/** The `key=value` / `key==value` requirements of an equality-based selector; undefined for set-based ones. */
function equalityRequirements(selector: string): [string, string][] | undefined {
  const requirements = selector.split(',').map((part) => /^\s*([^=!\s]+)\s*==?\s*([^=\s]*)\s*$/.exec(part));
  if (requirements.some((match) => match === null)) return undefined;
  return requirements.map((match) => [match?.[1] as string, match?.[2] as string]);
}

/**
 * The interruption Lambda finds the trainers on a warned node by the CDK config's eks.trainer.labelSelector in
 * eks.trainer.namespace and posts to eks.trainer.port: the EKS release's pods must match that selector and listen on
 * that port, or the flush reaches nobody and the round's work on that node is lost.
 */
export const flushTargetCheck: Check = {
  name: 'flush-target',
  run: ({ config, charts }) => {
    const eks = charts.eks?.values;
    if (eks === undefined || !eks.trainer.enabled) return skipped('no eks values with trainers');
    const { port, labelSelector } = config.eks.trainer;
    const portLine =
      eks.trainer.port !== port &&
      `${chartSetting('eks', 'trainer.port')} (${eks.trainer.port}) differs from the CDK config's eks.trainer.port (${port}), where the interruption Lambda posts /checkpoint`;
    const requirements = equalityRequirements(labelSelector);
    const labels = { ...eks.trainer.podLabels, ...CHART_TRAINER_POD_LABELS };
    const unmatched = requirements?.filter(([key, value]) => key !== RELEASE_LABEL && labels[key] !== value);
    const selectorLine =
      unmatched !== undefined &&
      unmatched.length > 0 &&
      `CDK config eks.trainer.labelSelector ${shown(labelSelector)} does not match the chart's trainer pods (${unmatched.map(([key, value]) => `${key}=${value}`).join(', ')} is not on them)`;
    return problems(portLine, selectorLine);
  },
};
