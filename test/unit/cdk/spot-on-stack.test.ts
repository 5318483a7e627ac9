import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ALARM_NAME_PREFIX, FAILOVER_ALARM_NAME, INGEST_RULES } from '../../../lambdas/events/rules';
import { breachingAlarmsWithoutProducer, buildTestApp, exampleConfig, policyStatements, type TestApp } from './helpers';

jest.setTimeout(120_000);

const config = exampleConfig();
let built: TestApp;
let synthError: unknown;
let template: Template;
let json: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

/** Logical id of the single resource of `type` whose properties match `props`. */
function logicalId(type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  if (ids.length !== 1) throw new Error(`expected one ${type} matching, found ${ids.length}`);
  return ids[0] as string;
}
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
/** The key ring secret of a purpose, found by its description (protocol/keys.ts). */
const keyRing = (purpose: 'flush' | 'signal' | 'trainer') => logicalId('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp(`^Spot-On ${purpose} key ring`) });

beforeAll(() => {
  // Built once: bundling both Lambdas is the slow part.
  built = buildTestApp(config, { nag: true });
  try {
    built.app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(built.stack);
  json = template.toJSON() as typeof json;
});
afterAll(() => built.dispose());

describe('cdk-nag', () => {
  it('synthesizes with AwsSolutions checks and no unacknowledged finding', () => {
    expect(synthError).toBeUndefined();
  });

  it('fails synth on an unacknowledged finding (the checks really run)', () => {
    const withFinding = buildTestApp(config, { nag: true });
    try {
      new sqs.Queue(withFinding.stack, 'QueueWithoutDeadLetterQueue', { enforceSSL: true });
      expect(() => withFinding.app.synth()).toThrow(/AwsSolutions-SQS3/);
    } finally {
      withFinding.dispose();
    }
  });
});

describe('queues', () => {
  it('encrypts every queue, enforces TLS and keeps messages for days', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(4);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      expect(queue.Properties.MessageRetentionPeriod % 86_400).toBe(0);
    }
    const policies = template.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(4);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('redrives the interruption queue to its DLQ after 3 receives, visibility 6x the Lambda timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: config.lambdas.interruptionTimeoutSeconds * 6,
      MessageRetentionPeriod: 4 * 86_400,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
  });

  it('redrives the outbox to its DLQ, visibility 6x the signal Lambda timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: Match.anyValue() },
    });
  });

  it('keeps a signal in the outbox through a 60-minute outage of the VPN or the brain, and retains it far longer', () => {
    const outbox = json.Resources[logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6 })]?.Properties as {
      VisibilityTimeout: number;
      MessageRetentionPeriod: number;
      RedrivePolicy: { maxReceiveCount: number };
    };
    // Receives are at least one visibility timeout apart, so a message is dead-lettered no earlier than this.
    const redriveWindow = outbox.RedrivePolicy.maxReceiveCount * outbox.VisibilityTimeout;
    expect(redriveWindow).toBeGreaterThanOrEqual(3600);
    expect(outbox.RedrivePolicy.maxReceiveCount).toBe(Math.ceil(3600 / outbox.VisibilityTimeout) + 2);
    expect(outbox.MessageRetentionPeriod).toBeGreaterThanOrEqual(2 * redriveWindow);
  });

  it('keeps every dead-letter queue at least as long as its source (SQS keeps the first enqueue time)', () => {
    for (const queue of Object.values(json.Resources).filter((r) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy)) {
      const dlq = (queue.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } }).deadLetterTargetArn['Fn::GetAtt'][0] as string;
      expect(json.Resources[dlq]?.Properties.MessageRetentionPeriod).toBeGreaterThanOrEqual(queue.Properties.MessageRetentionPeriod as number);
    }
  });

  it('lets EventBridge send to the interruption queue only from the ingest rules', () => {
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule', { Properties: { EventBusName: Match.absent() } }));
    const queueId = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.interruptionTimeoutSeconds * 6 });
    const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find(
      (p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]),
    );
    const allows = (policy?.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Condition: unknown }[]).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows).toHaveLength(ruleIds.length);
    for (const statement of allows) {
      expect(statement.Principal).toStrictEqual({ Service: 'events.amazonaws.com' });
      expect(statement.Condition).toStrictEqual({ ArnEquals: { 'aws:SourceArn': arnOf(expect.any(String) as unknown as string) } });
    }
    const sourceRules = allows.map((s) => (s.Condition as { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': string[] } } }).ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]);
    expect(sourceRules.sort()).toStrictEqual([...ruleIds].sort());
  });

  it('alarms on both dead-letter queues with spot-on- names', () => {
    for (const name of ['spot-on-interruption-dlq-depth', 'spot-on-signal-outbox-dlq-depth']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: name,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    }
  });
});

describe('ingest rules', () => {
  const ruleKey = (description: string) => /^Spot-On ingest rule "([A-Za-z0-9]+)"/.exec(description)?.[1];

  it('deploys exactly one rule per INGEST_RULES entry, with the same pattern', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const byKey = new Map(rules.map((rule) => [ruleKey(rule.Properties.Description as string), rule.Properties]));
    expect([...byKey.keys()].sort()).toStrictEqual(Object.keys(INGEST_RULES).sort());
    expect(rules).toHaveLength(Object.keys(INGEST_RULES).length);
    for (const [key, pattern] of Object.entries(INGEST_RULES)) {
      expect(byKey.get(key)?.EventPattern).toStrictEqual(JSON.parse(JSON.stringify(pattern)));
      expect(byKey.get(key)).toMatchObject({ State: 'ENABLED' });
      expect(byKey.get(key)?.EventBusName).toBeUndefined();
    }
  });

  it('targets the interruption queue with the DLQ for failed deliveries', () => {
    const queueId = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.interruptionTimeoutSeconds * 6 });
    const dlqArn = (json.Resources[queueId]?.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn;
    template.allResourcesProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: arnOf(queueId), DeadLetterConfig: { Arn: dlqArn } })],
    });
  });

  it('routes the failover alarm and every spot-on- alarm', () => {
    expect(INGEST_RULES.alarmStateChange.detail.alarmName).toStrictEqual([FAILOVER_ALARM_NAME, { prefix: ALARM_NAME_PREFIX }]);
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.startsWith(ALARM_NAME_PREFIX)).toBe(true);
  });
});

describe('reflex Lambdas', () => {
  const interruption = () => logicalId('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('flush trainers') });
  const signal = () => logicalId('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('POST HMAC-signed') });

  it('run on arm64 with the newest Node.js runtime in the EKS private subnets', () => {
    template.allResourcesProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      VpcConfig: { SubnetIds: config.eks.privateSubnetIds, SecurityGroupIds: [Match.anyValue()] },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
  });

  it('give the interruption Lambda its binding environment and reserved concurrency', () => {
    const outbox = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6 });
    const ingestQueue = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.interruptionTimeoutSeconds * 6 });
    const ingestDlq = (json.Resources[ingestQueue]?.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } })
      .deadLetterTargetArn['Fn::GetAtt'][0];
    expect(json.Resources[interruption()]?.Properties).toMatchObject({
      Timeout: 60,
      MemorySize: 512,
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'spot-on-interruption',
          POWERTOOLS_METRICS_NAMESPACE: 'SpotOn',
          OUTBOX_QUEUE_URL: { Ref: outbox },
          DEAD_LETTER_QUEUE_URL: { Ref: ingestDlq },
          EVENT_BUS_NAME: { Ref: logicalId('AWS::Events::EventBus', { Name: 'spot-on' }) },
          EKS_CLUSTER_NAME: 'spot-on',
          TRAINER_NAMESPACE: 'fl',
          TRAINER_LABEL_SELECTOR: 'app.kubernetes.io/name=fl-trainer',
          TRAINER_PORT: '8080',
          FLUSH_KEYS_SECRET_ARN: { Ref: keyRing('flush') },
          RUN_ID: 'fl-demo-001',
          FAILOVER_ALARM_NAME: 'aws-training-unhealthy',
        },
      },
    });
  });

  it('give the signal Lambda its binding environment', () => {
    const outbox = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6 });
    const outboxDlq = (json.Resources[outbox]?.Properties.RedrivePolicy as { deadLetterTargetArn: { 'Fn::GetAtt': string[] } })
      .deadLetterTargetArn['Fn::GetAtt'][0];
    const props = json.Resources[signal()]?.Properties;
    expect(props).toMatchObject({
      Timeout: 30,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'spot-on-signal',
          POWERTOOLS_METRICS_NAMESPACE: 'SpotOn',
          SIGNALS_ENDPOINT_URL: config.azure.signalsEndpointUrl,
          SIGNAL_KEYS_SECRET_ARN: { Ref: keyRing('signal') },
          DEAD_LETTER_QUEUE_URL: { Ref: outboxDlq },
          SIGNAL_TIMEOUT_MS: '10000',
        },
      },
    });
    expect(props?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('consume their queues reporting batch item failures, in small batches', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(2);
    template.allResourcesProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: interruption() },
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: signal() },
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it('use a security group with HTTPS and trainer-port egress only, allowed into the cluster group on 443', () => {
    const securityGroup = logicalId('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Spot-On reflex Lambdas:') });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
        Match.objectLike({ CidrIp: config.eks.vpcCidr, IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 }),
      ],
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: config.eks.clusterSecurityGroupId,
      SourceSecurityGroupId: arnOrGroupId(securityGroup),
      FromPort: 443,
      ToPort: 443,
    });
    // The trainer port is opened on the trainer-node group Karpenter attaches, not on the cluster group.
    expect(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: config.eks.clusterSecurityGroupId, FromPort: 8080 } })).toStrictEqual({});
  });

  it('keep one generated key ring per purpose, each a single 64-character key', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
    for (const purpose of ['flush', 'signal', 'trainer'] as const) {
      expect(json.Resources[keyRing(purpose)]?.Properties.GenerateSecretString).toStrictEqual({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    }
  });
});

function arnOrGroupId(securityGroup: string) {
  return { 'Fn::GetAtt': [securityGroup, 'GroupId'] };
}

describe('IAM', () => {
  /** The only wildcard resource: Auto Scaling group ARNs carry a random id, so the statement is bound by a tag. */
  const ANY_ASG = `arn:aws:autoscaling:${config.region}:${config.account}:autoScalingGroup:*:autoScalingGroupName/*`;
  const ASG_CONDITION = { StringEquals: { 'autoscaling:ResourceTag/kubernetes.io/cluster/spot-on': 'owned' } };

  it('uses no wildcard actions, and no wildcard resources except the cluster-tagged Auto Scaling groups and the training data objects', () => {
    const statements = policyStatements(json) as (ReturnType<typeof policyStatements>[number] & { Condition?: unknown })[];
    const trainingDataObjects = { 'Fn::Join': ['', [arnOf(logicalId('AWS::S3::Bucket', { BucketName: `spot-on-data-${config.account}-${config.region}` })), '/*']] };
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = ([] as unknown[]).concat(statement.Action);
      for (const action of actions) expect(action).not.toMatch(/\*/);
      const resources = ([] as unknown[]).concat(statement.Resource);
      for (const resource of resources) {
        expect(resource).not.toBe('*');
        if (JSON.stringify(resource) === JSON.stringify(trainingDataObjects)) {
          // Shard objects are named by a run prefix the staging step picks later; the bucket holds AWS-allowed data only.
          expect(statement).toMatchObject({ Action: 's3:GetObject' });
        } else if (JSON.stringify(resource).includes('*')) {
          expect(resource).toStrictEqual(ANY_ASG);
          expect(statement).toMatchObject({ Action: 'autoscaling:CompleteLifecycleAction', Condition: ASG_CONDITION });
        }
      }
    }
  });

  it('lets the interruption Lambda complete lifecycle actions only on Auto Scaling groups tagged for the cluster', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'CompleteClusterLifecycleHooks', Effect: 'Allow', Action: 'autoscaling:CompleteLifecycleAction', Resource: ANY_ASG, Condition: ASG_CONDITION }),
        ]),
      },
      Roles: [{ Ref: logicalId('AWS::IAM::Role', { Description: Match.stringLikeRegexp('interruption Lambda') }) }],
    });
  });

  /** Actions granted by the inline policy of the role `roleDescription` matches, each with its resources. */
  function grants(roleDescription: RegExp): Record<string, unknown[]> {
    const role = logicalId('AWS::IAM::Role', { Description: Match.stringLikeRegexp(roleDescription.source) });
    const byAction: Record<string, unknown[]> = {};
    for (const statement of policyStatements(json)) {
      const policy = json.Resources[statement.policy]?.Properties as { Roles: unknown[] };
      if (JSON.stringify(policy.Roles) !== JSON.stringify([{ Ref: role }])) continue;
      for (const action of ([] as string[]).concat(statement.Action as string[])) {
        byAction[action] = [...(byAction[action] ?? []), ...([] as unknown[]).concat(statement.Resource)];
      }
    }
    return byAction;
  }

  it('grants the interruption Lambda exactly what it uses, each on one resource', () => {
    const ingestQueue = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.interruptionTimeoutSeconds * 6 });
    const outbox = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6 });
    const ingestDlq = (json.Resources[ingestQueue]?.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn;
    const consume = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
    expect(grants(/interruption Lambda/)).toStrictEqual({
      ...Object.fromEntries(consume.map((action) => [action, [arnOf(ingestQueue)]])),
      'sqs:SendMessage': expect.arrayContaining([ingestDlq, arnOf(outbox)]),
      'events:PutEvents': [arnOf(logicalId('AWS::Events::EventBus', { Name: 'spot-on' }))],
      // The flush ring only: a compromised interruption Lambda cannot sign signals or trainer requests.
      'secretsmanager:GetSecretValue': [{ Ref: keyRing('flush') }],
      'eks:DescribeCluster': [`arn:aws:eks:${config.region}:${config.account}:cluster/${config.eks.clusterName}`],
      'autoscaling:CompleteLifecycleAction': [ANY_ASG],
    });
    expect(grants(/interruption Lambda/)['sqs:SendMessage']).toHaveLength(2);
  });

  it('grants the signal Lambda only the outbox, its DLQ and the signal key ring', () => {
    const outbox = logicalId('AWS::SQS::Queue', { VisibilityTimeout: config.lambdas.signalTimeoutSeconds * 6 });
    const outboxDlq = (json.Resources[outbox]?.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn;
    const consume = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'];
    expect(grants(/signal Lambda/)).toStrictEqual({
      ...Object.fromEntries(consume.map((action) => [action, [arnOf(outbox)]])),
      'sqs:SendMessage': [outboxDlq],
      'secretsmanager:GetSecretValue': [{ Ref: keyRing('signal') }],
    });
  });

  it('attaches only the AWS Lambda VPC execution policy as a managed policy to the Lambda roles', () => {
    const lambdaRoles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }) },
    });
    expect(Object.keys(lambdaRoles)).toHaveLength(2);
    for (const role of Object.values(lambdaRoles)) {
      expect(role.Properties.ManagedPolicyArns).toStrictEqual([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] },
      ]);
    }
  });

  it('gives the interruption role an EKS view access entry scoped to the trainer namespace, and a group for node reads', () => {
    const role = logicalId('AWS::IAM::Role', { Description: Match.stringLikeRegexp('interruption Lambda') });
    template.resourceCountIs('AWS::EKS::AccessEntry', 1);
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      ClusterName: 'spot-on',
      PrincipalArn: arnOf(role),
      Type: 'STANDARD',
      KubernetesGroups: ['spot-on:reflex'],
      AccessPolicies: [
        {
          PolicyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
          AccessScope: { Type: 'namespace', Namespaces: ['fl'] },
        },
      ],
    });
  });
});

describe('health alarms', () => {
  it('alarm on Container Insights node health of the cluster', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'spot-on-eks-failed-nodes',
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_failed_node_count',
      Dimensions: [{ Name: 'ClusterName', Value: 'spot-on' }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      Period: 60,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'spot-on-eks-node-count-low',
      Namespace: 'ContainerInsights',
      MetricName: 'cluster_node_count',
      Dimensions: [{ Name: 'ClusterName', Value: 'spot-on' }],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
  });

  it('treat missing node metrics as not breaching, so a deploy or a missing agent never fails over', () => {
    for (const name of ['spot-on-eks-failed-nodes', 'spot-on-eks-node-count-low']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: name, TreatMissingData: 'notBreaching' });
    }
  });

  it('have no alarm on SpotOn/AwsTrainersReporting, which nothing publishes (the aggregator sends aws-silent instead)', () => {
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'AwsTrainersReporting' } })).toStrictEqual({});
  });

  it('breach on missing data only for metrics something in the stack publishes', () => {
    expect(breachingAlarmsWithoutProducer(json)).toStrictEqual([]);
  });

  it('join the node alarms in the composite alarm aws-training-unhealthy', () => {
    const ids = ['spot-on-eks-failed-nodes', 'spot-on-eks-node-count-low'].map((name) => logicalId('AWS::CloudWatch::Alarm', { AlarmName: name }));
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: FAILOVER_ALARM_NAME,
      AlarmRule: { 'Fn::Join': ['', ['(ALARM("', arnOf(ids[0] as string), '") OR ALARM("', arnOf(ids[1] as string), '"))']] },
    });
  });
});

describe('lifecycle bus, dashboard and outputs', () => {
  it('creates the spot-on bus with an archive', () => {
    const bus = logicalId('AWS::Events::EventBus', { Name: 'spot-on' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: arnOf(bus),
      RetentionDays: 30,
      EventPattern: { account: [config.account] },
    });
  });

  it('creates one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'spot-on-fl-demo-001' });
  });

  it('outputs the queue URLs, bus name, key ring ARNs and the training data bucket and trainer role', () => {
    for (const output of [
      'InterruptionQueueUrl',
      'InterruptionDeadLetterQueueUrl',
      'SignalOutboxQueueUrl',
      'SignalOutboxDeadLetterQueueUrl',
      'LifecycleBusName',
      'FlushKeysSecretArn',
      'SignalKeysSecretArn',
      'TrainerKeysSecretArn',
      'FailoverAlarmName',
      'SignalOutboxArn',
      'SignalOutboxDeadLetterQueueArn',
      'TrainerNodeSecurityGroupId',
      'ResolverEndpointId',
      'TrainingDataBucketName',
      'TrainerDataRoleArn',
    ]) {
      template.hasOutput(output, { Value: Match.anyValue() });
    }
  });
});
