import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import type { SpotOnConfig } from '../../../cdk/config';
import { TrainingData, trainingDataBucketName } from '../../../cdk/lib/training-data';
import { REPO_ROOT, buildTestApp, exampleConfig, policyStatements, scratchApp, setAt } from './helpers';

jest.setTimeout(60_000);

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

const config = exampleConfig();

/** The stack's template (no bundling, no nag: spot-on-stack.test.ts runs the checks). */
function templateFor(stackConfig: SpotOnConfig): Template {
  const built = buildTestApp(stackConfig, { nag: false, bundle: false });
  try {
    return Template.fromStack(built.stack);
  } finally {
    built.dispose();
  }
}

let template: Template;
let resources: Resources;

/** Logical id of the single resource of `type` whose properties match `props`. */
function logicalId(type: string, props: Record<string, unknown> = {}): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching, found ${ids.length}`);
  return ids[0] as string;
}
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const dataBucket = () => logicalId('AWS::S3::Bucket', { BucketName: trainingDataBucketName(config.account, config.region) });
const logsBucket = () => logicalId('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ Id: 'expire-access-logs' })] } });
const trainerRole = () => logicalId('AWS::IAM::Role', { Description: Match.stringLikeRegexp('^Spot-On trainers') });
const keyRing = (purpose: 'flush' | 'trainer') => logicalId('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp(`^Spot-On ${purpose} key ring`) });

beforeAll(() => {
  template = templateFor(config);
  resources = (template.toJSON() as { Resources: Resources }).Resources;
});

const HYGIENE = {
  PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
};

/** The bucket policy statement that refuses every request without TLS, on the bucket and its objects. */
const denyWithoutTls = (bucket: string) => ({
  Action: 's3:*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Resource: [arnOf(bucket), { 'Fn::Join': ['', [arnOf(bucket), '/*']] }],
});

describe('training data bucket', () => {
  it('is named spot-on-data-<account>-<region>, private, SSE-S3 encrypted, versioned, owner-enforced and kept when the stack goes', () => {
    const bucket = resources[dataBucket()];
    expect(bucket?.Properties).toMatchObject({ ...HYGIENE, BucketName: 'spot-on-data-123456789012-ap-northeast-2', VersioningConfiguration: { Status: 'Enabled' } });
    expect([bucket?.DeletionPolicy, bucket?.UpdateReplacePolicy]).toStrictEqual(['Retain', 'Retain']);
    expect(bucket?.Properties.LifecycleConfiguration).toStrictEqual({
      Rules: [{ Id: 'expire-previous-versions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
    });
  });

  it('refuses requests without TLS, and its policy grants nobody anything', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', { Bucket: { Ref: dataBucket() }, PolicyDocument: { Statement: [denyWithoutTls(dataBucket())] } });
  });

  it('logs server access to its own log bucket, which has the same hygiene and lets only S3 log delivery for this bucket write', () => {
    expect(resources[dataBucket()]?.Properties.LoggingConfiguration).toStrictEqual({ DestinationBucketName: { Ref: logsBucket() }, LogFilePrefix: 'training-data/' });
    const logs = resources[logsBucket()];
    expect(logs?.Properties).toMatchObject({ ...HYGIENE, LifecycleConfiguration: { Rules: [{ Id: 'expire-access-logs', Status: 'Enabled', ExpirationInDays: 365 }] } });
    expect([logs?.DeletionPolicy, logs?.UpdateReplacePolicy]).toStrictEqual(['Retain', 'Retain']);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsBucket() },
      PolicyDocument: {
        Statement: [
          denyWithoutTls(logsBucket()),
          {
            Action: 's3:PutObject',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [arnOf(logsBucket()), '/training-data/*']] },
            Condition: { ArnLike: { 'aws:SourceArn': arnOf(dataBucket()) }, StringEquals: { 'aws:SourceAccount': config.account } },
          },
        ],
      },
    });
    template.resourceCountIs('AWS::S3::Bucket', 2);
  });
});

describe('trainer Pod Identity role', () => {
  it('trusts only EKS Pod Identity, for the trainers\' service account of this cluster', () => {
    expect(resources[trainerRole()]?.Properties.AssumeRolePolicyDocument).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'pods.eks.amazonaws.com' },
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Condition: {
            StringEquals: {
              'aws:RequestTag/eks-cluster-name': 'spot-on',
              'aws:RequestTag/kubernetes-namespace': 'fl',
              'aws:RequestTag/kubernetes-service-account': 'fl-trainer',
            },
          },
        },
      ],
    });
  });

  it('may only read the bucket\'s objects, plus the two key rings the trainers\' CSI provider syncs (one role per service account)', () => {
    const role = trainerRole();
    expect(resources[role]?.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = policyStatements({ Resources: resources }).filter((statement) => JSON.stringify(resources[statement.policy]?.Properties.Roles) === JSON.stringify([{ Ref: role }]));
    expect(statements.map(({ Action, Resource, Effect }) => ({ Action, Resource, Effect }))).toStrictEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [arnOf(dataBucket()), '/*']] } },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: keyRing('flush') }, { Ref: keyRing('trainer') }] },
    ]);
    // No other policy names the role (an attached managed or inline policy would widen it).
    const attached = Object.values(resources).filter((resource) => JSON.stringify(resource.Properties?.Roles ?? []).includes(role));
    expect(attached.map((resource) => resource.Type)).toStrictEqual(['AWS::IAM::Policy']);
  });

  it('is bound to namespace fl, service account fl-trainer of the configured cluster by one Pod Identity association', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { ClusterName: 'spot-on', Namespace: 'fl', ServiceAccount: 'fl-trainer', RoleArn: arnOf(trainerRole()) });
  });

  it('follows eks.trainer.namespace and eks.trainer.serviceAccount', () => {
    const other = templateFor(
      exampleConfig((json) => {
        setAt(json, 'eks.trainer.namespace', 'training');
        setAt(json, 'eks.trainer.serviceAccount', 'gpu-trainer');
      }),
    );
    other.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'training', ServiceAccount: 'gpu-trainer' });
    other.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Condition: { StringEquals: Match.objectLike({ 'aws:RequestTag/kubernetes-namespace': 'training', 'aws:RequestTag/kubernetes-service-account': 'gpu-trainer' }) } })] },
    });
  });
});

describe('outputs', () => {
  it('outputs the bucket name (the EKS chart\'s data.url) and the trainer role ARN', () => {
    template.hasOutput('TrainingDataBucketName', { Value: { Ref: dataBucket() } });
    template.hasOutput('TrainerDataRoleArn', { Value: arnOf(trainerRole()) });
  });
});

describe('the EKS chart reads what the stack makes', () => {
  const chart = (file: string): unknown => parse(readFileSync(join(REPO_ROOT, 'fl-training/chart', file), 'utf8'));

  it('names the stack\'s bucket in the example data.url (s3://<TrainingDataBucketName>/<prefix>)', () => {
    const url = String((chart('examples/eks.yaml') as { data: { url: string } }).data.url);
    expect(url.startsWith(`s3://${trainingDataBucketName(config.account, config.region)}/`)).toBe(true);
  });

  it('associates the service account the chart runs the trainers as', () => {
    expect(config.eks.trainer.serviceAccount).toBe((chart('values.yaml') as { trainer: { serviceAccount: { name: string } } }).trainer.serviceAccount.name);
  });
});

describe('TrainingData props', () => {
  const make = (props: Partial<ConstructorParameters<typeof TrainingData>[2]>) => () =>
    new TrainingData(new Stack(scratchApp(), 'Test', { env: { account: '123456789012', region: 'ap-northeast-2' } }), 'Data', {
      clusterName: 'spot-on',
      namespace: 'fl',
      serviceAccount: 'fl-trainer',
      ...props,
    });

  it.each([
    ['an EKS cluster name', { clusterName: 'spot on' }, 'Test/Data: clusterName is not an EKS cluster name'],
    ['a namespace', { namespace: 'FL' }, 'Test/Data: namespace is not a Kubernetes namespace name'],
    ['a service account', { serviceAccount: '' }, 'Test/Data: serviceAccount is not a Kubernetes service account name'],
  ])('refuses what is not %s', (_what, props, message) => {
    expect(make(props)).toThrow(new Error(message));
  });

  it('grants no key ring without keyRings', () => {
    const stack = new Stack(scratchApp(), 'Bare', { env: { account: '123456789012', region: 'ap-northeast-2' } });
    new TrainingData(stack, 'Data', { clusterName: 'spot-on', namespace: 'fl', serviceAccount: 'fl-trainer', bucketName: 'my-data' });
    const bare = Template.fromStack(stack);
    bare.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'my-data' });
    const actions = policyStatements(bare.toJSON() as { Resources: Resources }).map((statement) => statement.Action);
    expect(actions).toStrictEqual(['s3:GetObject']);
    // Log delivery through the bucket policy even in an app without cdk.json's flag: no ACL anywhere.
    expect(JSON.stringify(bare.toJSON())).not.toContain('LogDeliveryWrite');
    bare.hasResourceProperties('AWS::S3::BucketPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]) } });
  });
});
