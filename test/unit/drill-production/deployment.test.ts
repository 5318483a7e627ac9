/** The drill's settings come from what a deployment uses: the synthesized template and the rendered chart. */
import { INGEST_RULES } from '../../../lambdas/events/rules';
import { readAwsDeployment, TemplateShapeError, type CfnTemplate } from '../../../local/drill/production/aws-template';
import { deploymentFromJson, deploymentJson, drillDeployment, EXAMPLE_SOURCES, synthesizeTemplate, type DrillDeployment } from '../../../local/drill/production/deployment';
import { Compression } from '../../../local/drill/production/time-compression';

let template: CfnTemplate;
beforeAll(() => {
  template = synthesizeTemplate(EXAMPLE_SOURCES.cdkConfig);
});

describe('readAwsDeployment', () => {
  it('finds the queues, Lambdas and rules by their role in the synthesized template', () => {
    const aws = readAwsDeployment(template);
    expect([aws.interruptionQueue.visibilityTimeoutSeconds, aws.interruptionQueue.maxReceiveCount]).toStrictEqual([360, 3]);
    expect([aws.outbox.visibilityTimeoutSeconds, aws.outbox.maxReceiveCount]).toStrictEqual([180, 22]);
    expect(aws.outboxDlq.maxReceiveCount).toBeUndefined();
    expect([aws.interruption.timeoutSeconds, aws.interruption.batchSize, aws.signal.timeoutSeconds]).toStrictEqual([60, 5, 30]);
    expect(aws.interruption.environment.OUTBOX_QUEUE_URL).toStrictEqual({ ref: aws.outbox.logicalId, type: 'AWS::SQS::Queue' });
    expect(aws.signal.environment.DEAD_LETTER_QUEUE_URL).toStrictEqual({ ref: aws.outboxDlq.logicalId, type: 'AWS::SQS::Queue' });
    // The rules the drill routes with are the deployed ones, which are the event modules' patterns.
    expect(Object.fromEntries(aws.rules.map((rule) => [rule.name, rule.pattern]))).toStrictEqual(INGEST_RULES);
  });

  it('says what is missing when the template has another shape', () => {
    const withoutSignal: CfnTemplate = {
      Resources: Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => !(r.Type === 'AWS::Lambda::Function' && JSON.stringify(r.Properties).includes('"spot-on-signal"')))),
    };
    expect(() => readAwsDeployment(withoutSignal)).toThrow(new TemplateShapeError('the template has no Lambda with POWERTOOLS_SERVICE_NAME spot-on-signal'));
  });
});

describe('Compression', () => {
  it('divides every duration by one factor and records what it had to round or keep', () => {
    const compression = new Compression(60);
    expect(compression.seconds('A', 120)).toBe(2);
    expect(compression.seconds('B', 30)).toBe(1);
    expect(compression.ms('C', 600_000)).toBe(10_000);
    expect(compression.ms('D', 10_000, 1_000)).toBe(1_000);
    expect(compression.differences.map((d) => [d.setting, d.production, d.drill])).toStrictEqual([
      ['B', '30 s', '1 s'],
      ['D', '10000 ms', '1000 ms'],
    ]);
  });
});

describe('drillDeployment', () => {
  let deployment: DrillDeployment;
  beforeAll(async () => {
    deployment = await drillDeployment();
  });

  it('runs the deployed queues on the compressed clock: the outbox still holds a signal through a 60-minute outage', () => {
    expect(deployment.queues).toStrictEqual({ interruption: { visibilityTimeoutSeconds: 6, maxReceiveCount: 3 }, outbox: { visibilityTimeoutSeconds: 3, maxReceiveCount: 22 } });
    const holdsDrillSeconds = deployment.queues.outbox.visibilityTimeoutSeconds * deployment.queues.outbox.maxReceiveCount;
    expect(holdsDrillSeconds * deployment.compression.factor).toBeGreaterThanOrEqual(60 * 60);
  });

  it('gives the brain its production policy, compressed, and trainers their chart flush budgets', () => {
    expect(deployment.awsTrainers).toBe(3);
    expect(deployment.aggregatorEnv.SPOTON_MIN_AWS_TRAINERS).toBe('3');
    expect(deployment.brainEnv).toMatchObject({ SPOTON_MIN_AWS_TRAINERS: '3', SPOTON_MAX_AZURE_NODES: '4', SPOTON_MIN_PHASE_DURATION_SECONDS: '2', SPOTON_FAILBACK_COOLDOWN_SECONDS: '10', SPOTON_OPERATION_TIMEOUT_SECONDS: '30', SPOTON_GPU_POOL_NAME: 'gpuspot', SPOTON_ON_DEMAND_POOL_NAME: 'gpuondemand', SPOTON_EXPECTED_MOVE_SECONDS: '15', SPOTON_REPLACEMENT_GRACE_SECONDS: '0' });
    expect(deployment.gpuPools).toStrictEqual({ spot: 'gpuspot', onDemand: 'gpuondemand' });
    expect(deployment.trainerEnv.aws.SPOTON_SIGTERM_GRACE_MS).toBe('5000');
    expect(deployment.compression.differences.map((d) => d.setting)).toEqual(expect.arrayContaining(['eks trainer SPOTON_SIGTERM_GRACE_MS', 'aks trainer SPOTON_SIGTERM_GRACE_MS', 'SPOTON_LEASE_SECONDS', 'TRAINER_PORT']));
    for (const difference of deployment.compression.differences) expect(difference.reason.length).toBeGreaterThan(10);
  });

  it('runs the brain from its sources by default and says so; given the published bundle, it runs that and says nothing', async () => {
    expect(deployment.functionsApp).toMatch(/azure-functions\/src\/index\.ts$/);
    expect(deployment.compression.differences.find((d) => d.setting === 'Function App code')).toMatchObject({ drill: "the app's TypeScript sources" });
    const bundled = await drillDeployment({ ...EXAMPLE_SOURCES, functionsApp: '/srv/dist/index.js' });
    expect([bundled.functionsApp, bundled.compression.differences.some((d) => d.setting === 'Function App code')]).toStrictEqual(['/srv/dist/index.js', false]);
  });

  it('hands child drills exactly what the parent read', () => {
    const copy = deploymentFromJson(deploymentJson(deployment));
    expect({ ...copy, compression: undefined }).toStrictEqual({ ...deployment, compression: undefined });
    expect([copy.compression.factor, copy.compression.differences]).toStrictEqual([deployment.compression.factor, deployment.compression.differences]);
  });
});
