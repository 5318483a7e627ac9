import { Arn, ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { KeyPurpose } from '../../protocol/keys';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeCheckov } from './checkov';

/**
 * The reflex Lambdas' identities: their roles, the key ring secrets, the inline grants and the EKS access entry.
 * Kept apart from the functions so each grant is read in one place.
 */

/** Kubernetes group of the interruption Lambda's access entry; cdk/k8s/reflex-rbac.yaml gives it node read access. */
export const REFLEX_KUBERNETES_GROUP = 'spot-on:reflex';

/** A tag that marks the cluster's Auto Scaling groups (managed and self-managed node groups carry this one). */
export interface AutoScalingGroupTag {
  readonly key: string;
  readonly value: string;
}

/** The tag EKS managed node groups (and eksctl/terraform self-managed ones) put on their Auto Scaling groups. */
export const defaultAutoScalingGroupTag = (clusterName: string): AutoScalingGroupTag => ({
  key: `kubernetes.io/cluster/${clusterName}`,
  value: 'owned',
});

/** An execution role for a reflex Lambda in the VPC, with the one AWS-managed policy acknowledged. */
export function createLambdaRole(scope: Construct, id: string, what: string): iam.Role {
  const role = new iam.Role(scope, id, {
    description: `${what}: runs in the EKS VPC`,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
  });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason:
      'AWS-maintained minimum for a Lambda in a VPC: CloudWatch Logs writes plus ec2 network-interface actions, ' +
      'which do not support resource-level permissions. Every other permission is an inline statement scoped to ' +
      'one resource.',
  });
  return role;
}

/** What each purpose's key ring is for, in the secret's description (the table of protocol/keys.ts). */
const KEY_RING_DESCRIPTIONS: Readonly<Record<KeyPurpose, string>> = {
  flush: 'Spot-On flush key ring: the interruption Lambda signs POST /checkpoint with its first key; AWS trainers verify. Never leaves AWS.',
  signal: 'Spot-On signal key ring: the signal Lambda (and the aggregator on Azure) sign signals with its first key; the Azure brain verifies. Copy the value to terraform var signal_keys.',
  trainer: 'Spot-On trainer key ring: trainers on both clouds sign their aggregator requests with its first key; the aggregator verifies. Copy the value to terraform var trainer_keys.',
};

/**
 * One purpose's key ring (protocol/keys.ts), generated once as a single 64-character key. Rotated by hand in three
 * steps (docs/SECURITY.md); never by AWS alone, which would leave the other cloud's copy behind.
 */
export function createKeyRingSecret(scope: Construct, id: string, purpose: KeyPurpose): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: KEY_RING_DESCRIPTIONS[purpose],
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'A key ring is rotated by the three-step ring procedure (docs/SECURITY.md) so that verifiers learn a key before ' +
      'signers use it; a Secrets Manager rotation would swap it at once, and the Azure copy would refuse every request.',
  });
  acknowledgeCheckov(secret, {
    id: 'CKV_AWS_149',
    reason:
      'Encrypted with the AWS-managed key aws/secretsmanager. Who may read a ring is decided by secret-scoped IAM ' +
      'grants (Lambda roles, the trainers\' Pod Identity role); a customer key would add a key policy to keep in step.',
  });
  return secret;
}

export interface InterruptionGrants {
  readonly clusterName: string;
  readonly trainerNamespace: string;
  readonly outboxQueue: sqs.IQueue;
  readonly interruptionDeadLetterQueue: sqs.IQueue;
  readonly lifecycleBus: events.IEventBus;
  /** The flush key ring: the only key the interruption Lambda reads. */
  readonly flushKeys: secretsmanager.ISecret;
  /** Tag of the cluster's Auto Scaling groups, whose termination lifecycle hooks the Lambda completes. */
  readonly autoScalingGroupTag: AutoScalingGroupTag;
}

/**
 * Everything the interruption Lambda does beyond consuming its queue (granted by the event source): queue signals,
 * dead-letter malformed records, publish lifecycle events, read the key, find the cluster endpoint, complete the
 * Auto Scaling termination hook once trainers flushed, and read pods (namespace) and nodes (group) in the cluster.
 */
export function grantInterruption(scope: Construct, role: iam.Role, grants: InterruptionGrants): eks.CfnAccessEntry {
  const stack = Stack.of(scope);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'SendToOutboxAndDeadLetter',
      actions: ['sqs:SendMessage'],
      resources: [grants.outboxQueue.queueArn, grants.interruptionDeadLetterQueue.queueArn],
    }),
  );
  role.addToPolicy(new iam.PolicyStatement({ sid: 'PutLifecycleEvents', actions: ['events:PutEvents'], resources: [grants.lifecycleBus.eventBusArn] }));
  role.addToPolicy(readKeyRing(grants.flushKeys));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeCluster',
      actions: ['eks:DescribeCluster'],
      resources: [Arn.format({ service: 'eks', resource: 'cluster', resourceName: grants.clusterName }, stack)],
    }),
  );
  // An Auto Scaling group ARN embeds a random id, so the cluster's groups are named by their tag instead.
  const anyGroupArn = Arn.format(
    { service: 'autoscaling', resource: 'autoScalingGroup', resourceName: '*:autoScalingGroupName/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME },
    stack,
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'CompleteClusterLifecycleHooks',
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [anyGroupArn],
      conditions: { StringEquals: { [`autoscaling:ResourceTag/${grants.autoScalingGroupTag.key}`]: grants.autoScalingGroupTag.value } },
    }),
  );
  // cdk-nag names the finding by the rendered ARN: literals where the stack knows them, <AWS::...> otherwise.
  const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const shownArn = `arn:${shown(stack.partition, 'Partition')}:autoscaling:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:autoScalingGroup:*:autoScalingGroupName/*`;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${shownArn}]`,
    reason:
      'autoscaling:CompleteLifecycleAction on the cluster node groups: their ARNs carry a random id and the groups ' +
      'are created outside this stack, so the statement is limited by the condition ' +
      `autoscaling:ResourceTag/${grants.autoScalingGroupTag.key} = ${grants.autoScalingGroupTag.value} instead.`,
  });

  return new eks.CfnAccessEntry(scope, 'InterruptionAccessEntry', {
    clusterName: grants.clusterName,
    principalArn: role.roleArn,
    type: 'STANDARD',
    // Pods are read through the namespace-scoped view policy; nodes (cluster-scoped, outside `view`) through
    // this group, which cdk/k8s/reflex-rbac.yaml binds to a ClusterRole that may only get and list nodes.
    kubernetesGroups: [REFLEX_KUBERNETES_GROUP],
    accessPolicies: [
      {
        policyArn: `arn:${stack.partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`,
        accessScope: { type: 'namespace', namespaces: [grants.trainerNamespace] },
      },
    ],
  });
}

/** The signal Lambda dead-letters what Azure rejects for good and reads the key; the event source grants the rest. */
export function grantSignal(role: iam.Role, grants: { readonly outboxDeadLetterQueue: sqs.IQueue; readonly signalKeys: secretsmanager.ISecret }): void {
  role.addToPolicy(
    new iam.PolicyStatement({ sid: 'SendToOutboxDeadLetter', actions: ['sqs:SendMessage'], resources: [grants.outboxDeadLetterQueue.queueArn] }),
  );
  role.addToPolicy(readKeyRing(grants.signalKeys));
}

function readKeyRing(secret: secretsmanager.ISecret): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'ReadKeyRing', actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] });
}
