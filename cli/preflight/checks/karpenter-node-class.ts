import { TRAINER_NODES_TAG_KEY } from '../../../cdk/lib/trainer-node-access';
import type { CfnTemplate } from '../alarm-producers';
import type { Ec2NodeClass } from '../inputs/karpenter';
import { problems, skipped, type Check, type PreflightInputs } from '../types';
import { chartSetting } from './support';

/** IMDSv2 answers a pod (one hop behind its node) only with a hop limit of two. */
const POD_HOP_LIMIT = 2;
const NODE_POOL_LABEL = 'karpenter.sh/nodepool';

/** The tags of the trainer-node security group: as synthesized, else as the stack would set them. */
function trainerGroupTags({ config, template }: { config: PreflightInputs['config']; template?: CfnTemplate }): Record<string, string> {
  for (const resource of Object.values(template?.Resources ?? {})) {
    if (resource.Type !== 'AWS::EC2::SecurityGroup') continue;
    const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: unknown }[];
    if (tags.some((tag) => tag.Key === TRAINER_NODES_TAG_KEY)) return Object.fromEntries(tags.map((tag) => [tag.Key, String(tag.Value)]));
  }
  return { ...config.tags, [TRAINER_NODES_TAG_KEY]: config.eks.clusterName };
}

/** A term selects the group when it names it by tags only and every tag matches (terms are ORed, tags ANDed). */
function selects(nodeClass: Ec2NodeClass, tags: Record<string, string>): boolean {
  return nodeClass.spec.securityGroupSelectorTerms.some(
    (term) => term.id === undefined && term.name === undefined && term.tags !== undefined && Object.entries(term.tags).every(([key, value]) => tags[key] !== undefined && (value === '*' || tags[key] === value)),
  );
}

/**
 * The EKS trainers' nodes must carry the trainer-node security group the CDK stack creates (else the interruption
 * Lambda cannot reach POST /checkpoint and no partial work is flushed) and let pods read IMDSv2 (trainers report
 * their instance id so a flush finds them). The node classes checked are those of the NodePool the EKS trainers
 * select, or all of them.
 */
export const karpenterNodeClassCheck: Check = {
  name: 'karpenter-node-class',
  run: (inputs) => {
    const { nodeClasses, nodePools, files } = inputs.karpenter;
    if (nodeClasses.length === 0) return skipped(`no EC2NodeClass in ${files.length === 0 ? 'the Karpenter files (none given)' : files.join(', ')}`);
    const poolName = inputs.charts.eks?.values.trainer.nodeSelector[NODE_POOL_LABEL];
    let checked = nodeClasses;
    if (poolName !== undefined) {
      const pool = nodePools.find((candidate) => candidate.metadata.name === poolName);
      if (pool === undefined) return problems(`${chartSetting('eks', `trainer.nodeSelector ${NODE_POOL_LABEL}`)} ${JSON.stringify(poolName)} names no NodePool in the Karpenter files`);
      const className = pool.spec.template.spec.nodeClassRef.name;
      checked = nodeClasses.filter((nodeClass) => nodeClass.metadata.name === className);
      if (checked.length === 0) return problems(`NodePool ${poolName} uses EC2NodeClass ${className}, which is in none of the Karpenter files`);
    }
    const tags = trainerGroupTags(inputs);
    const clusterValue = tags[TRAINER_NODES_TAG_KEY];
    return problems(
      ...checked.flatMap((nodeClass) => {
        const name = `EC2NodeClass ${nodeClass.metadata.name}`;
        const hops = nodeClass.spec.metadataOptions.httpPutResponseHopLimit;
        return [
          !selects(nodeClass, tags) &&
            `${name} selects no security group tagged ${TRAINER_NODES_TAG_KEY}: ${clusterValue} (the stack's trainer-node group): the interruption Lambda cannot reach the trainers' POST /checkpoint`,
          hops !== POD_HOP_LIMIT &&
            `${name} metadataOptions.httpPutResponseHopLimit is ${hops}, not ${POD_HOP_LIMIT}: ${hops < POD_HOP_LIMIT ? 'trainer pods cannot read their instance id from IMDSv2' : 'more hops than a pod needs reach IMDS'}`,
        ];
      }),
    );
  },
};
