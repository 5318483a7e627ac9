/**
 * `spot-on replay`: recorded (or your own) AWS events through the local cloud, reporting what each component did.
 * The cluster gets one AWS node per instance the events name, with a real trainer on it, so flushes happen for
 * real; EventBridge events go to the default bus, other inputs (a hook notification sent straight to SQS or
 * through SNS, a malformed body) straight onto the interruption queue, as they would arrive in AWS. SQS-shaped
 * inputs (a Lambda record or batch, an `aws sqs receive-message` dump of the dead-letter queue) are redriven:
 * each message's body goes back on the interruption queue unchanged, as a dead-letter redrive does.
 */
import { classify, parseEventText, parseInputText } from '../../lambdas/events/classify';
import { redriveBodies } from '../../lambdas/events/sqs-envelope';
import { matchesPattern } from '../eventbridge/pattern';
import { startLocalCloud, type Component } from './cloud';
import { DEFAULT_DRILL_OPTIONS } from './engine';
import { drillDeployment } from './production/deployment';
import { drillShards } from './run';

export interface ReplayInput {
  readonly name: string;
  readonly text: string;
}

export interface ReplayOptions {
  /** Deliver every event this many times (EventBridge and SQS are at-least-once). @default 1 */
  readonly duplicates?: number;
  /** How long nothing may happen before the replay is over. @default 4000 */
  readonly quietMs?: number;
  readonly onLine?: (line: string) => void;
  /** Where the processes' logs go. */
  readonly logDir?: string;
}

/** One thing the replay delivers: an input as it is, or one body redriven from an SQS-shaped input. */
interface Delivery extends ReplayInput {
  readonly redriven: boolean;
}

function redrivenBodies(text: string): string[] | undefined {
  try {
    return redriveBodies(parseInputText(text));
  } catch {
    return undefined; // not JSON or too big: delivered as it is, to be dead-lettered
  }
}

function deliveriesOf(input: ReplayInput): Delivery[] {
  const bodies = redrivenBodies(input.text);
  if (bodies === undefined) return [{ ...input, redriven: false }];
  return bodies.map((text, index) => ({ name: `${input.name} message ${index + 1}/${bodies.length}`, text, redriven: true }));
}

export interface ReplayResult {
  readonly lines: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function instanceIdsOf(text: string): string[] {
  try {
    const message = classify(parseEventText(text));
    return 'instanceIds' in message ? [...message.instanceIds] : [];
  } catch {
    return [];
  }
}

function isEventBridgeEvent(text: string): Record<string, unknown> | undefined {
  try {
    const raw = JSON.parse(text) as unknown;
    return typeof raw === 'object' && raw !== null && 'detail-type' in raw && 'source' in raw ? (raw as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Replays `inputs` and returns the report lines (also streamed to `onLine`). */
export async function replayEvents(inputs: readonly ReplayInput[], options: ReplayOptions = {}): Promise<ReplayResult> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    options.onLine?.(line);
  };
  const copies = Math.max(1, options.duplicates ?? 1);
  let lastActivity: number | undefined; // every step of the event path moves it
  const startedAt = Date.now();
  // Only the event path counts as activity: trainers keep training while the replay waits.
  const EVENT_PATH = new Set<Component>(['eventbridge', 'sqs', 'lambda', 'signals', 'brain', 'arm']);
  let summarising = false; // the shutdown's own events are not part of the replay
  const emit = (component: Component, event: string, detail?: string) => {
    if (summarising) return;
    if (EVENT_PATH.has(component)) lastActivity = Date.now();
    if (component === 'aggregator' || event === 'round-committed' || event === 'trainer-started') return;
    say(`${((Date.now() - startedAt) / 1000).toFixed(2).padStart(7)}  ${component.padEnd(11)} ${event.padEnd(24)} ${detail ?? ''}`);
  };
  const deliveries = inputs.flatMap(deliveriesOf);
  const instances = [...new Set(deliveries.flatMap((delivery) => instanceIdsOf(delivery.text)))];
  const shards = drillShards(Math.max(1, instances.length), undefined);
  say(`starting the local cloud with ${instances.length} AWS node(s) named by the events...`);
  const deployment = await drillDeployment();
  const cloud = await startLocalCloud({ runId: 'replay', seed: 1, rounds: 10_000, shards, provisioningDelayMs: DEFAULT_DRILL_OPTIONS.provisioningDelayMs, deployment, ...(options.logDir ? { logDir: options.logDir } : {}) }, emit);
  try {
    instances.forEach((id, i) => cloud.simulator.launchAwsNode(shards[i]?.id ?? 'shard-0', id));
    // The events find trainers at work: each has its flush endpoint up and its shard's data read (a warning before
    // that would find nothing in progress to flush).
    const started = Date.now();
    while (cloud.simulator.live('aws').some((t) => !t.ready || t.dataLoaded.length === 0)) {
      if (Date.now() - started > 60_000) throw new Error('the trainers did not start within 60 s');
      await sleep(100);
    }
    await sleep(500); // and the first round under way
    // Every copy of every event is on the queue before the interruption Lambda polls, so that its batches hold them
    // together (as they did when the whole replay arrived at once); copies split over batches are the drill's
    // duplicate-storm.
    await cloud.interruption.stop();
    for (const input of deliveries) {
      const event = input.redriven ? undefined : isEventBridgeEvent(input.text);
      if (event) {
        const routed = deployment.aws.rules.filter((rule) => matchesPattern(rule.pattern, event)).map((rule) => rule.name);
        emit('eventbridge', 'replayed', `${input.name}: ${copies} cop${copies === 1 ? 'y' : 'ies'}, rules ${routed.join(', ') || 'none (dropped by EventBridge)'}`);
        const bus = cloud.aws.buses.get('default');
        const first = await bus?.inject(event, { restamp: true });
        for (let i = 1; i < copies && first; i++) await bus?.inject(first.event);
      } else {
        const how = input.redriven ? 'redriven from an SQS message' : 'not an EventBridge event';
        emit('sqs', 'replayed', `${input.name}: ${how}; sent straight to the interruption queue (${copies}x)`);
        for (let i = 0; i < copies; i++) await cloud.aws.queues.send(cloud.queues.interruption, input.text);
      }
    }
    cloud.interruption.start();
    lastActivity = Date.now();
    const quietMs = options.quietMs ?? 4000;
    while (Date.now() - (lastActivity ?? 0) < quietMs && Date.now() - startedAt < 90_000) await sleep(200);
    summarising = true;
    say('');
    say('summary');
    say(`  interruption Lambda: ${cloud.interruption.invocations().length} invocation(s), ${cloud.interruption.invocations().reduce((n, i) => n + i.failedMessageIds.length, 0)} record(s) left for retry`);
    for (const message of await cloud.aws.queues.peek(cloud.queues.interruptionDlq)) {
      say(`  dead letter: ${message.MessageAttributes?.reason?.StringValue ?? 'no reason'} (${(message.Body ?? '').slice(0, 60).replace(/\s+/g, ' ')}...)`);
    }
    const flushes = cloud.simulator.allTrainers().flatMap((t) => t.flushes.map((f) => `${t.spec.clientId} on ${t.spec.instanceId ?? t.spec.nodeName}: ${f.examples} examples, ${f.outcome}`));
    say(`  trainer flushes: ${flushes.length ? flushes.join('; ') : 'none'}`);
    say(`  signal Lambda: ${cloud.signal.invocations().reduce((n, i) => n + i.messageIds.length, 0)} signal(s) sent`);
    const signals = cloud.hostInvocations.filter((i) => i.functionName === 'signals');
    say(`  brain: ${signals.filter((i) => i.status === 202).length} signal(s) accepted, ${signals.filter((i) => i.status === 200).length} duplicate(s), ${signals.filter((i) => (i.status ?? 0) >= 400).length} refused`);
    const status = (await (await fetch(`${cloud.brainUrl}/api/status?transitions=20`)).json()) as { phase: string; epoch: number; transitions: { from: string; to: string; reason: string }[] };
    say(`  brain phase ${status.phase}, epoch ${status.epoch}`);
    for (const t of status.transitions) say(`    ${t.from} -> ${t.to}: ${t.reason}`);
    const lifecycle = cloud.aws.buses.get('spot-on')?.events() ?? [];
    say(`  lifecycle events on the spot-on bus: ${lifecycle.length}`);
    return { lines };
  } finally {
    await cloud.stop();
  }
}
