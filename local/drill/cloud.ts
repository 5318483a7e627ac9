/**
 * The whole system on one machine, for one drill scenario: Azurite, the ARM emulator, the EKS and AKS clusters
 * (simulated nodes, real trainer processes, their Kubernetes APIs), the local AWS (EventBridge with the CDK's
 * rule patterns, SQS on fauxqs, Secrets Manager, EKS), the production Lambda handlers on an SQS event source, the
 * production brain in a local Functions host process, the VPN between them, and the aggregator process.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KEY_PURPOSES, type KeyPurpose } from '../../protocol/keys';
import { startArmEmulator, spotOnDevSeed, type ArmEmulator, type GpuPoolNames } from '../arm';
import { createInterruptionLambda } from '../../lambdas/handlers/interruption';
import { createSignalLambda } from '../../lambdas/handlers/signal';
import { createSqsEventSource, seededRandom, startLocalAws, type LocalAws, type SqsEventSource, type SqsQueueRef } from '../aws';
import { startAzurite } from '../azurite';
import { startLocalProcess, type LocalProcess } from '../child-process';
import { startInstanceMetadata } from '../cluster/instance-metadata';
import { startKubeApiServer } from '../cluster/kube-api';
import { ClusterSimulator, TRAINER_LABEL_SELECTOR, TRAINER_NAMESPACE, TRAINER_DEPLOYMENT } from '../cluster/simulator';
import { ClusterState } from '../cluster/state';
import { freePort } from '../net';
import { startLostAnswerProxy, type LostAnswerProxy } from '../lost-answer-proxy';
import { startVpnTunnel, type VpnTunnel } from '../vpn';
import type { EnvValue } from './production/aws-template';
import type { DrillDeployment } from './production/deployment';
import type { TimelineEntry, TimelineFacts } from './report';
import { drillBatchMs, drillRunConfig, startAggregator } from './run';
import { startDrillData, withoutAws, type DrillData } from './data';
import { mayProcess, parseRunConfig, type ShardConfig } from '../../fl-training/config';
import { deploymentQueue, lambdaEnvironment, literal } from './local-wiring';
import { startOtlpCollector, type OtlpCollector } from '../otlp-collector';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The knobs a scenario turns; the rest is fixed so that scenarios compare. */
export interface CloudOptions {
  readonly runId: string;
  readonly seed: number;
  readonly rounds: number;
  /** Shards, one per AWS trainer at the start, with their residency (the deployment's, run.ts drillShards). */
  readonly shards: readonly ShardConfig[];
  /** The run must finish this long after it started (run config deadlineMs), if the scenario sets a deadline. */
  readonly deadlineMs?: number;
  /** Every event EventBridge routes delivered this many times, out of order (duplicate-storm). */
  readonly duplicateDeliveries?: number;
  /** Standing for GPU node provisioning (5-11 min in AKS). */
  readonly provisioningDelayMs: number;
  /** Where the processes' logs go (aggregator.log, functions.log, trainers/<id>.log). */
  readonly logDir?: string;
  /** The production settings this cloud runs, compressed (production/deployment.ts). */
  readonly deployment: DrillDeployment;
}

export type Component = TimelineEntry['component'];
export type Emit = (component: Component, event: string, detail?: string, facts?: TimelineFacts) => void;

export interface LocalCloud {
  readonly aws: LocalAws;
  readonly arm: ArmEmulator;
  /** The AKS GPU pools (Terraform's names): Spot, and the deadline safety net's on-demand pool. */
  readonly gpuPools: GpuPoolNames;
  readonly simulator: ClusterSimulator;
  readonly vpn: VpnTunnel;
  /** The Function App's front end: every caller (the VPN, the aggregator) reaches the brain through it. */
  readonly brainFrontEnd: VpnTunnel;
  /** Between the brain and its blob storage: can lose the answer to one request (ambiguous-commit). */
  readonly brainStorage: LostAnswerProxy;
  readonly brainUrl: string;
  /** Connection string of the storage account (Azurite): checkpoints, status.json, the brain's state, Azure's data. */
  readonly storage: string;
  /** The run's data as staged in each cloud's store. */
  readonly data: DrillData;
  /** Shards Azure may not train (pinned to AWS): a scenario's failover covers the others. */
  readonly pinnedToAws: ReadonlySet<string>;
  readonly aggregatorUrl: string;
  readonly queues: { readonly interruption: SqsQueueRef; readonly interruptionDlq: SqsQueueRef; readonly outbox: SqsQueueRef; readonly outboxDlq: SqsQueueRef };
  readonly interruption: SqsEventSource;
  readonly signal: SqsEventSource;
  readonly hostInvocations: { functionName: string; outcome: string; status?: number }[];
  /** Every component's spans, exported over OTLP as a deployment exports them to its collector. */
  readonly traces: OtlpCollector;
  stop(): Promise<void>;
}

/** Starts everything; `emit` receives the timeline. */
export async function startLocalCloud(options: CloudOptions, emit: Emit): Promise<LocalCloud> {
  const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-drill-'));
  const logDir = options.logDir ?? path.join(dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logTo = (file: string) => (line: string) => appendFileSync(path.join(logDir, file), `${line}\n`);
  // One fresh key per purpose, as the stack generates them; each process gets only the rings its deployment gives it.
  const keys = Object.fromEntries(KEY_PURPOSES.map((purpose) => [purpose, randomBytes(32).toString('hex')])) as Record<KeyPurpose, string>;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { gpuPools } = options.deployment;
    const seed = spotOnDevSeed(undefined, gpuPools);
    const [azurite, arm] = await Promise.all([
      startAzurite(),
      startArmEmulator({ seed, provisioningDelayMs: options.provisioningDelayMs, updateDelayMs: 300, asyncRetryAfterSeconds: 1 }),
    ]);
    stops.push(() => azurite.stop(), () => arm.stop());
    const cluster = seed.clusters?.[0];
    if (cluster === undefined) throw new Error('the ARM seed has no cluster');

    const eks = new ClusterState('eks');
    const aks = new ClusterState('aks');
    const [eksApi, aksApi] = await Promise.all([startKubeApiServer(eks, 'eks'), startKubeApiServer(aks, 'anonymous')]);
    stops.push(() => eksApi.stop(), () => aksApi.stop());

    const { deployment } = options;
    const template = deployment.aws;
    // Where every component sends its spans: the standard OpenTelemetry variable, as a deployment sets it.
    const traces = await startOtlpCollector();
    stops.push(() => traces.stop());
    const tracesEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: traces.endpoint };
    const aws = await startLocalAws({ buses: ['spot-on'], seed: options.seed, ...(options.duplicateDeliveries ? { duplicateDeliveries: options.duplicateDeliveries } : {}) });
    stops.push(() => aws.stop());
    // Read by the libraries themselves, so process-wide (aws/lambda-runner.ts): the SDK's endpoints and credentials,
    // and Powertools' switches (logs and metrics go nowhere: the drill reads typed events, not CloudWatch).
    Object.assign(process.env, aws.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    const eksCluster = literal(template.interruption.environment, 'EKS_CLUSTER_NAME');
    // The simulated clusters label and place trainers as the chart does; the stack must look for them there.
    for (const [name, simulated] of [['TRAINER_NAMESPACE', TRAINER_NAMESPACE], ['TRAINER_LABEL_SELECTOR', TRAINER_LABEL_SELECTOR]] as const) {
      const deployed = literal(template.interruption.environment, name);
      if (deployed !== simulated) throw new Error(`the stack's ${name} is ${deployed}, but trainer pods run with ${simulated}: the Lambda would find no trainer`);
    }
    aws.eks.putCluster({ name: eksCluster, endpoint: eksApi.url, caPem: eksApi.caPem });
    // Visibility timeouts, receive counts and dead-letter queues as the stack deploys them, on the drill's clock.
    const interruptionDlq = await aws.queues.create({ name: 'spot-on-interruption-dlq' });
    const interruptionQueue = await aws.queues.create({ name: 'spot-on-interruption', ...deploymentQueue(deployment.queues.interruption, interruptionDlq) });
    const outboxDlq = await aws.queues.create({ name: 'spot-on-outbox-dlq' });
    const outbox = await aws.queues.create({ name: 'spot-on-outbox', ...deploymentQueue(deployment.queues.outbox, outboxDlq) });
    const queueUrls = new Map([
      [template.interruptionQueue.logicalId, interruptionQueue.url],
      [template.interruptionDlq.logicalId, interruptionDlq.url],
      [template.outbox.logicalId, outbox.url],
      [template.outboxDlq.logicalId, outboxDlq.url],
    ]);
    aws.buses.get('default')?.putRules(Object.fromEntries(template.rules.map((rule) => [rule.name, rule.pattern])), [interruptionQueue]);
    aws.buses.get('default')?.onEvent((record) =>
      emit('eventbridge', 'event-routed', `${record.event['detail-type']} ${record.event.id.slice(0, 8)} -> ${record.matchedRules.join(', ') || 'no rule'}`),
    );
    aws.buses.get('spot-on')?.onEvent((record) => emit('eventbridge', 'lifecycle-event', `${record.event['detail-type']}: ${JSON.stringify(record.event.detail).slice(0, 160)}`));

    const caFile = (name: string, pem: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, pem);
      return file;
    };
    // The brain reaches its state through a relay that can lose one answer; its queue trigger reads Azurite directly.
    const brainStorage = await startLostAnswerProxy(azurite.blobUrl);
    stops.push(() => brainStorage.stop());
    const functionsHost: LocalProcess<{ url: string }> = await startLocalProcess(path.join(REPO_ROOT, 'local', 'functions-host', 'main.ts'), {
      env: {
        ...process.env,
        SPOTON_FUNCTIONS_APP: deployment.functionsApp,
        AzureWebJobsStorage: azurite.connectionString,
        SPOTON_STORAGE_CONNECTION_STRING: azurite.connectionString.replace(azurite.blobUrl, brainStorage.url),
        SPOTON_SIGNAL_KEYS: keys.signal,
        SPOTON_RUN_ID: options.runId,
        SPOTON_SUBSCRIPTION_ID: cluster.subscriptionId,
        SPOTON_RESOURCE_GROUP: cluster.resourceGroup,
        SPOTON_CLUSTER_NAME: cluster.name,
        SPOTON_TRAINER_NAMESPACE: TRAINER_NAMESPACE,
        SPOTON_TRAINER_DEPLOYMENT: TRAINER_DEPLOYMENT,
        SPOTON_CONTAINER: 'spot-on',
        SPOTON_CONTINUATION_QUEUE: 'spot-on-continuations',
        ...deployment.brainEnv,
        SPOTON_ARM_ENDPOINT: arm.url,
        SPOTON_ARM_CA_FILE: caFile('arm-ca.pem', arm.caPem),
        SPOTON_KUBERNETES_ENDPOINT: aksApi.url,
        SPOTON_KUBERNETES_CA_FILE: caFile('aks-ca.pem', aksApi.caPem),
        SPOTON_KUBERNETES_AUTH: 'none',
        SPOTON_FUNCTIONS_MAX_POLLING_MS: '250',
        ...tracesEnv,
      },
      onText: logTo('functions.log'),
      onLine: (line) => {
        const invocation = (line as { invocation?: { functionName: string; outcome: string; status?: number; detail?: string } }).invocation;
        if (invocation === undefined) return;
        hostInvocations.push(invocation);
        if (invocation.functionName === 'status') return; // the drill's own monitor polling
        emit('brain', `${invocation.functionName}-invoked`, `${invocation.outcome}${invocation.status ? ` ${invocation.status}` : ''}${invocation.detail ? `: ${invocation.detail}` : ''}`);
      },
    });
    const hostInvocations: LocalCloud['hostInvocations'] = [];
    stops.push(() => functionsHost.stop());
    const brainUrl = functionsHost.ready.url;
    // The same relay stands for App Service's front end, which an outage of the Function App takes down for all.
    const brainFrontEnd = await startVpnTunnel(brainUrl);
    stops.push(() => brainFrontEnd.stop());
    const vpn = await startVpnTunnel(brainFrontEnd.url);
    stops.push(() => vpn.stop());

    const runConfig = drillRunConfig(options.runId, options.seed, options.rounds, options.shards, options.deadlineMs);
    const data = await startDrillData(parseRunConfig(runConfig), deployment.data, azurite);
    stops.push(() => data.stop());
    const aggregator = await startAggregator(runConfig, {
      env: {
        ...data.env.azure,
        SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString,
        SPOTON_SIGNAL_KEYS: keys.signal,
        SPOTON_TRAINER_KEYS: keys.trainer,
        SPOTON_BRAIN_URL: `${brainFrontEnd.url}/api/signals`,
        ...deployment.aggregatorEnv,
        ...tracesEnv,
      },
      onText: logTo('aggregator.log'),
      onStderr: (text) => emit('aggregator', 'stderr', text.trim().slice(0, 200)),
    });
    const aggregatorUrl = aggregator.url;
    stops.push(() => aggregator.stop());

    const trainerPort = await freePort();
    const trainerLogs = path.join(logDir, 'trainers');
    mkdirSync(trainerLogs, { recursive: true });
    const instanceMetadata = await startInstanceMetadata(eks);
    stops.push(() => instanceMetadata.stop());
    const simulator = new ClusterSimulator({
      eks,
      aks,
      instanceMetadata,
      // Azure pods get no AWS setting at all; AWS pods get the local AWS (IMDS, S3) through cloudEnv.
      trainerEnv: {
        ...withoutAws(process.env),
        SPOTON_AGGREGATOR_URL: aggregatorUrl,
        SPOTON_TRAINER_KEYS: keys.trainer,
        TRAINER_PORT: String(trainerPort),
        SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString,
        SPOTON_MIN_BATCH_MS: String(drillBatchMs(options.shards.length)),
        ...tracesEnv,
      },
      // Only AWS trainers verify flush requests (the chart gives Azure trainers no flush ring).
      cloudEnv: { aws: { ...aws.env, ...data.env.aws, ...deployment.trainerEnv.aws, SPOTON_FLUSH_KEYS: keys.flush }, azure: { ...data.env.azure, ...deployment.trainerEnv.azure } },
      onEvent: (component, event, detail) => emit(component, event, detail),
      logDir: trainerLogs,
    });
    stops.push(() => simulator.stop());
    arm.onEvent((event) => {
      const name = event.operation.pool.pool;
      const capacity = name === gpuPools.spot ? 'spot' : name === gpuPools.onDemand ? 'on-demand' : undefined;
      if (capacity === undefined) return;
      emit('arm', event.type, `${name} ${event.operation.fromCount} -> ${event.operation.toCount} nodes`, { nodeCount: event.operation.toCount, pool: name });
      if (event.type !== 'operation-succeeded') return;
      const pool = arm.getPool({ subscriptionId: cluster.subscriptionId, resourceGroup: cluster.resourceGroup, cluster: cluster.name, pool: name });
      simulator.syncGpuPool(name, capacity, pool?.readyNodeCount ?? 0);
    });

    // Each key ring secret of the stack, under its logical id, holding that purpose's key.
    const secretArns = new Map(KEY_PURPOSES.map((purpose) => [template.keyRings[purpose], aws.secrets.put(template.keyRings[purpose], keys[purpose]).arn]));
    // The Lambdas' environment as the template sets it; references to the stack's resources become the local ones.
    const resolve = (environment: Readonly<Record<string, EnvValue>>, overrides: Readonly<Record<string, string>>) =>
      lambdaEnvironment(environment, overrides, (ref, type) => {
        if (type === 'AWS::SQS::Queue') return queueUrls.get(ref);
        if (type === 'AWS::SecretsManager::Secret') return secretArns.get(ref);
        if (type === 'AWS::Events::EventBus') return 'spot-on';
        return undefined;
      });
    // In a duplicate storm each queue also delivers at least once: half the deletes are lost, seeded per queue.
    const atLeastOnce = (stream: number) => (options.duplicateDeliveries ? { lostDeletes: 0.5, random: seededRandom(options.seed + stream) } : {});
    const interruption = createSqsEventSource({
      functionName: 'spot-on-interruption',
      client: aws.queues.client,
      queue: interruptionQueue,
      createHandler: createInterruptionLambda,
      batchSize: template.interruption.batchSize,
      timeoutSeconds: template.interruption.timeoutSeconds,
      pollWaitSeconds: 1,
      environment: resolve(template.interruption.environment, { TRAINER_PORT: String(trainerPort), RUN_ID: options.runId, ...tracesEnv }),
      ...atLeastOnce(1),
    });
    const signal = createSqsEventSource({
      functionName: 'spot-on-signal',
      client: aws.queues.client,
      queue: outbox,
      createHandler: createSignalLambda,
      batchSize: template.signal.batchSize,
      timeoutSeconds: template.signal.timeoutSeconds,
      pollWaitSeconds: 1,
      environment: resolve(template.signal.environment, { SIGNALS_ENDPOINT_URL: `${vpn.url}/api/signals`, SIGNAL_TIMEOUT_MS: String(deployment.signalTimeoutMs), ...tracesEnv }),
      ...atLeastOnce(2),
    });
    for (const source of [interruption, signal]) {
      source.onInvocation((invocation) =>
        emit('lambda', `${invocation.functionName.replace('spot-on-', '')}-invoked`, `${invocation.messageIds.length} record(s): ${invocation.outcome}${invocation.failedMessageIds.length ? `, ${invocation.failedMessageIds.length} left for retry` : ''}${invocation.error ? ` (${invocation.error.message})` : ''}`),
      );
      source.start();
      stops.push(() => source.stop());
    }
    const queues = { interruption: interruptionQueue, interruptionDlq, outbox, outboxDlq };
    const pinnedToAws = new Set(options.shards.filter((shard) => !mayProcess('azure', shard.residency)).map((shard) => shard.id));
    return { aws, arm, gpuPools, simulator, vpn, brainFrontEnd, brainStorage, brainUrl, storage: azurite.connectionString, data, pinnedToAws, aggregatorUrl, queues, interruption, signal, hostInvocations, traces, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
