import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { podIdentityPrincipal } from './pod-identity';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeCheckov } from './checkov';

/** The bucket's name: one per account and region, so the EKS chart's `data.url` can be written down in advance. */
export function trainingDataBucketName(account: string, region: string): string {
  return `spot-on-data-${account}-${region}`;
}

export interface TrainingDataProps {
  /** Name of the existing EKS cluster the trainers run in. */
  readonly clusterName: string;
  /** Namespace of the trainer pods (the chart's release namespace). */
  readonly namespace: string;
  /** Service account of the trainer pods (the chart's `trainer.serviceAccount.name`). */
  readonly serviceAccount: string;
  /**
   * Secrets the trainers' Secrets Store CSI provider (ASCP) fetches with the same role. EKS allows one Pod Identity
   * association per service account, so this role is the trainers' only AWS identity: it must cover their key rings
   * too (the chart's `keys.csi.aws.usePodIdentity`). @default none
   */
  readonly keyRings?: readonly secretsmanager.ISecret[];
  /** @default trainingDataBucketName(account, region) */
  readonly bucketName?: string;
  /** How long a replaced or deleted object's previous version is kept (a re-staging replaces every shard). @default 30 days */
  readonly noncurrentVersionRetention?: Duration;
  /** How long S3 server access logs are kept. @default 365 days */
  readonly accessLogRetention?: Duration;
}

/**
 * Where AWS trainers read their shards (`s3://<bucket>/<prefix>/shards/<id>.spoton`): a private, versioned, encrypted
 * bucket that survives the stack, and the trainers' EKS Pod Identity role, bound to their service account, which may
 * only read its objects (and the trainers' key rings). The staging step writes with its operator's own credentials,
 * and only shards whose residency allows AWS; nothing here can write.
 */
export class TrainingData extends Construct {
  public readonly bucket: s3.Bucket;
  /** Target of the data bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The role the trainers' service account gets through EKS Pod Identity. */
  public readonly trainerRole: iam.Role;
  public readonly podIdentityAssociation: eks.CfnPodIdentityAssociation;

  constructor(scope: Construct, id: string, props: TrainingDataProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (!/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/.test(props.clusterName)) fail('clusterName is not an EKS cluster name');
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.namespace)) fail('namespace is not a Kubernetes namespace name');
    if (!/^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/.test(props.serviceAccount)) fail('serviceAccount is not a Kubernetes service account name');
    const stack = Stack.of(this);
    // S3 log delivery writes through a bucket policy, whatever the app's flags: ACLs stay disabled on both buckets.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // A log target bucket supports SSE-S3 only.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: props.accessLogRetention ?? Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeCheckov(
      this.accessLogsBucket,
      {
        id: 'CKV_AWS_18',
        reason: 'This is the access-log target of the training-data bucket; logging it too would need yet another bucket (or log into itself).',
      },
      {
        id: 'CKV_AWS_21',
        reason:
          'S3 log delivery only adds objects and the lifecycle rule expires them; versioning would keep every expired log ' +
          'as a noncurrent version. The bucket is retained when the stack is deleted.',
      },
    );

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName ?? trainingDataBucketName(stack.account, stack.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'training-data/',
      lifecycleRules: [
        {
          id: 'expire-previous-versions',
          noncurrentVersionExpiration: props.noncurrentVersionRetention ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Staged data is expensive to re-create and may be the only copy of data that must stay in AWS.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Only this cluster's trainer service account, through EKS Pod Identity.
    this.trainerRole = new iam.Role(this, 'TrainerRole', {
      description: `Spot-On trainers (${props.namespace}/${props.serviceAccount}) on EKS cluster ${props.clusterName}: read the training data (Pod Identity)`,
      assumedBy: podIdentityPrincipal(props),
    });
    this.trainerRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTrainingData', actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects('*')] }));
    const keyRings = props.keyRings ?? [];
    if (keyRings.length > 0) {
      this.trainerRole.addToPolicy(
        new iam.PolicyStatement({ sid: 'ReadTrainerKeyRings', actions: ['secretsmanager:GetSecretValue'], resources: keyRings.map((secret) => secret.secretArn) }),
      );
    }
    Validations.of(this.trainerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      reason:
        's3:GetObject on the objects of the training-data bucket: shard objects are named by run prefix and shard id, ' +
        'which the staging step picks after deployment. The bucket holds only data whose residency allows AWS.',
    });

    this.podIdentityAssociation = new eks.CfnPodIdentityAssociation(this, 'TrainerPodIdentity', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.trainerRole.roleArn,
    });
  }
}
