/**
 * One trainer pod of the simulated clusters: the real trainer (fl-training/trainer/main.ts) as its own process,
 * listening on its own loopback address (the pod IP), with its JSON event lines parsed for the drill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Cloud } from '../../protocol/run-status';

const TRAINER_MAIN = path.resolve(__dirname, '..', '..', 'fl-training', 'trainer', 'main.ts');

export interface TrainerPodSpec {
  readonly clientId: string;
  readonly cloud: Cloud;
  /** Absent for the AKS Deployment's pods, as the chart renders them: the aggregator assigns their shard. */
  readonly shard?: string;
  readonly nodeName: string;
  /** Its node's instance id: what the simulator knows; the pod learns it from `metadataEndpoint` when one is given. */
  readonly instanceId?: string;
  /** The node's instance metadata endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT), as an EKS pod reaches IMDS. */
  readonly metadataEndpoint?: string;
  /** A loopback address of its own, e.g. 127.0.1.3, so that every pod serves the same port, as in a cluster. */
  readonly podIP: string;
}

export interface TrainerResultEvent {
  readonly exit: 'complete' | 'flushed';
  readonly examplesProcessed: number;
  readonly examplesContributed: number;
  readonly examplesDiscarded: number;
  readonly examplesRedone: number;
  readonly examplesDuplicated?: number;
  readonly rounds: readonly number[];
}

export interface FlushDurableEvent {
  readonly requestId: string;
  readonly outcome: string;
  readonly reason: string;
  readonly round?: number;
  readonly examples: number;
  readonly ms: number;
}

export type TrainerEnd = 'flushed' | 'killed' | 'stopped' | 'complete' | 'failed';

/** A running trainer pod; `ended` resolves with how it ended. */
export class TrainerProcess {
  readonly startedAt = Date.now();
  ready = false;
  result: TrainerResultEvent | undefined;
  /** The shard it trains: configured, or assigned at registration (its `registered` event line). */
  shard: string | undefined;
  readonly flushes: FlushDurableEvent[] = [];
  /** The data objects it read (its `data-loaded` event lines): what reached this pod's node. */
  readonly dataLoaded: { readonly shard: string; readonly url: string; readonly examples: number }[] = [];
  private killedBySimulator = false;
  private readonly child: ChildProcess;
  readonly ended: Promise<TrainerEnd>;
  private log = '';

  constructor(
    readonly spec: TrainerPodSpec,
    env: NodeJS.ProcessEnv,
    private readonly onEvent: (process: TrainerProcess, event: string, detail: Record<string, unknown>) => void,
    /** Appends the trainer's output here (the pod's log). */
    private readonly logFile?: string,
  ) {
    this.shard = spec.shard;
    this.child = spawn(process.execPath, ['--require', 'tsx/cjs', TRAINER_MAIN], {
      env: {
        ...env,
        SPOTON_CLIENT_ID: spec.clientId,
        SPOTON_CLOUD: spec.cloud,
        ...(spec.shard ? { SPOTON_SHARD: spec.shard } : {}),
        SPOTON_NODE_NAME: spec.nodeName,
        SPOTON_POD_IP: spec.podIP,
        SPOTON_EVENTS: 'json',
        // Like the chart's pods, a pod with instance metadata is not told its instance id: it asks IMDS.
        ...(spec.metadataEndpoint ? { AWS_EC2_METADATA_SERVICE_ENDPOINT: spec.metadataEndpoint } : spec.instanceId ? { SPOTON_INSTANCE_ID: spec.instanceId } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-8000);
      if (this.logFile) appendFileSync(this.logFile, chunk);
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line));
    this.ended = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (this.killedBySimulator || signal === 'SIGKILL') return resolve('killed');
        // Stopped before its SIGTERM handler was installed (still starting): nothing was trained yet.
        if (signal === 'SIGTERM') return resolve('stopped');
        if (code !== 0) {
          this.onEvent(this, 'trainer-failed', { code, signal, log: this.log.trim().split('\n').slice(-3).join(' | ') });
          return resolve('failed');
        }
        resolve(this.result?.exit === 'flushed' ? 'flushed' : this.result?.exit === 'complete' ? 'complete' : 'stopped');
      });
    });
  }

  private onLine(line: string): void {
    if (this.logFile) appendFileSync(this.logFile, `${line}\n`);
    if (!line.startsWith('{')) {
      this.log = (this.log + line + '\n').slice(-8000);
      return;
    }
    let event: { event?: string } & Record<string, unknown>;
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.event === 'ready') this.ready = true;
    if (event.event === 'registered' && typeof event.shard === 'string') this.shard = event.shard;
    if (event.event === 'flush-durable') this.flushes.push(event as unknown as FlushDurableEvent);
    if (event.event === 'data-loaded') this.dataLoaded.push(event as unknown as TrainerProcess['dataLoaded'][number]);
    if (event.event === 'exit') this.result = event as unknown as TrainerResultEvent;
    this.onEvent(this, event.event ?? 'unknown', event);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM: the kubelet stopping the pod; the trainer flushes within its grace period. */
  terminate(): void {
    if (this.running) this.child.kill('SIGTERM');
  }

  /** SIGKILL: the instance is gone. */
  kill(): void {
    if (!this.running) return;
    this.killedBySimulator = true;
    this.child.kill('SIGKILL');
  }
}
