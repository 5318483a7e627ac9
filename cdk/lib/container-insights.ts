import { Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { podIdentityPrincipal } from './pod-identity';
import { Construct } from 'constructs';

/** The EKS add-on that installs the CloudWatch agent (Container Insights metrics) and, optionally, Fluent Bit. */
export const CLOUDWATCH_OBSERVABILITY_ADDON = 'amazon-cloudwatch-observability';
/** Namespace and service account of the add-on's agent (fixed by the add-on). */
const AGENT_NAMESPACE = 'amazon-cloudwatch';
const AGENT_SERVICE_ACCOUNT = 'cloudwatch-agent';

export interface ContainerInsightsProps {
  /** Name of the existing EKS cluster. */
  readonly clusterName: string;
  /** Add-on version (Pod Identity needs v3.1.0 or later). @default the version EKS picks for the cluster */
  readonly addonVersion?: string;
  /**
   * Ship every container's stdout/stderr to CloudWatch Logs through Fluent Bit. The alarms need only the agent's
   * metrics, and the log groups it creates have no retention. @default false
   */
  readonly containerLogs?: boolean;
  /**
   * Also install the `eks-pod-identity-agent` add-on, which delivers the agent role's credentials. Creating an
   * add-on the cluster already has fails the deployment, so leave this off when the cluster has it. @default false
   */
  readonly installPodIdentityAgent?: boolean;
}

/**
 * Container Insights for the existing EKS cluster: the `amazon-cloudwatch-observability` add-on, whose agent
 * publishes the `ContainerInsights` node metrics the health alarms read, with an IAM role delivered by EKS Pod
 * Identity (no OIDC provider needed, so it works on a cluster this stack only references by name).
 */
export class ContainerInsights extends Construct {
  public readonly addon: eks.CfnAddon;
  public readonly agentRole: iam.Role;
  public readonly podIdentityAgent?: eks.CfnAddon;

  constructor(scope: Construct, id: string, props: ContainerInsightsProps) {
    super(scope, id);
    if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(props.clusterName)) throw new Error(`${this.node.path}: clusterName is not an EKS cluster name`);
    if (props.addonVersion !== undefined && !/^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(props.addonVersion)) {
      throw new Error(`${this.node.path}: addonVersion must look like v4.1.0-eksbuild.1`);
    }

    // Only the add-on's agent service account in this cluster may assume the role (Pod Identity session tags).
    this.agentRole = new iam.Role(this, 'AgentRole', {
      description: `CloudWatch agent of the ${CLOUDWATCH_OBSERVABILITY_ADDON} add-on on EKS cluster ${props.clusterName} (Pod Identity)`,
      assumedBy: podIdentityPrincipal({ clusterName: props.clusterName, namespace: AGENT_NAMESPACE, serviceAccount: AGENT_SERVICE_ACCOUNT }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy')],
    });
    Validations.of(this.agentRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
      reason:
        'The policy AWS documents for the CloudWatch Observability add-on and keeps in step with the agent: metric ' +
        'writes (PutMetricData takes no resource ARN), its own log groups, EC2 describe calls and its SSM config ' +
        'parameter. The role can only be assumed by the add-on agent service account of this cluster.',
    });

    if (props.installPodIdentityAgent ?? false) {
      this.podIdentityAgent = new eks.CfnAddon(this, 'PodIdentityAgent', {
        clusterName: props.clusterName,
        addonName: 'eks-pod-identity-agent',
        resolveConflicts: 'OVERWRITE',
      });
    }

    this.addon = new eks.CfnAddon(this, 'Addon', {
      clusterName: props.clusterName,
      addonName: CLOUDWATCH_OBSERVABILITY_ADDON,
      addonVersion: props.addonVersion,
      // Take over fields a hand-installed agent may have set; the add-on is the single owner afterwards.
      resolveConflicts: 'OVERWRITE',
      podIdentityAssociations: [{ serviceAccount: AGENT_SERVICE_ACCOUNT, roleArn: this.agentRole.roleArn }],
      configurationValues: JSON.stringify({ containerLogs: { enabled: props.containerLogs ?? false } }),
    });
    if (this.podIdentityAgent) this.addon.addResourceDependency(this.podIdentityAgent, 'the add-on\'s Pod Identity association needs the agent');
  }
}
