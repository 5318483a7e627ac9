import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/**
 * Tag key of the trainer-node security group; its value is the EKS cluster name. The Karpenter EC2NodeClass
 * (fl-training/deploy/karpenter/ec2nodeclass-spot-gpu.yaml) selects the group by this tag.
 */
export const TRAINER_NODES_TAG_KEY = 'spot-on/trainer-nodes';

export interface TrainerNodeAccessProps {
  /** The EKS VPC (the trainer nodes' VPC). */
  readonly vpc: ec2.IVpc;
  /** EKS cluster name: the value of the selection tag. */
  readonly clusterName: string;
  /** Port on which trainer pods serve `POST /checkpoint`. */
  readonly trainerPort: number;
  /** Security groups allowed in on `trainerPort` (the reflex Lambdas'). */
  readonly allowedSources: readonly ec2.ISecurityGroup[];
  /** @default TRAINER_NODES_TAG_KEY */
  readonly tagKey?: string;
}

/**
 * A security group for the Karpenter trainer nodes, attached next to the cluster security group: it only lets the
 * reflex Lambdas reach the trainers' checkpoint port (pods use their node's primary ENI groups). Egress comes from
 * the cluster security group, so this group allows none of its own.
 */
export class TrainerNodeAccess extends Construct {
  public readonly securityGroup: ec2.SecurityGroup;
  /** The tag Karpenter's `securityGroupSelectorTerms` must name. */
  public readonly selectorTag: { readonly key: string; readonly value: string };

  constructor(scope: Construct, id: string, props: TrainerNodeAccessProps) {
    super(scope, id);
    const { trainerPort } = props;
    if (!Number.isInteger(trainerPort) || trainerPort < 1 || trainerPort > 65_535) throw new Error(`${this.node.path}: trainerPort must be 1-65535`);
    if (props.allowedSources.length === 0) throw new Error(`${this.node.path}: allowedSources must list at least one security group`);
    if (props.clusterName.length === 0) throw new Error(`${this.node.path}: clusterName must not be empty`);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Spot-On trainer nodes of EKS cluster ${props.clusterName}: checkpoint port from the reflex Lambdas`,
      allowAllOutbound: false,
    });
    for (const source of props.allowedSources) {
      this.securityGroup.addIngressRule(source, ec2.Port.tcp(trainerPort), 'Spot-On interruption Lambda to trainer POST /checkpoint');
    }
    this.selectorTag = { key: props.tagKey ?? TRAINER_NODES_TAG_KEY, value: props.clusterName };
    Tags.of(this.securityGroup).add(this.selectorTag.key, this.selectorTag.value);
  }
}
