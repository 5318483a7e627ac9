/**
 * GPU node time the aggregator heard trainers on (one trainer per GPU node), per node: status.json's `usage`, which
 * `spot-on status` prices as the cost so far. A node counts while one of its trainers is live (heard within the
 * liveness window), tick by tick. It is restored from status.json when the aggregator restarts, so a restart loses
 * at most the time since the last status write.
 */
import { OTHER_NODES, USAGE_NODE_LIMIT, type Cloud, type NodeUsageSeconds } from '../../protocol/run-status';

/** Where a trainer runs: its node, its instance, or (a bare process) itself. */
export interface TrainerPlace {
  readonly cloud: Cloud;
  readonly nodeName?: string | undefined;
  readonly instanceId?: string | undefined;
  readonly clientId: string;
}

const nodeOf = (trainer: TrainerPlace) => trainer.nodeName ?? trainer.instanceId ?? trainer.clientId;
const keyOf = (cloud: Cloud, node: string) => `${cloud}/${node}`;

export class UsageMeter {
  private readonly nodes = new Map<string, { cloud: Cloud; node: string; seconds: number }>();
  private lastMs: number | undefined;

  /** Carries on from what status.json last said. */
  restore(usage: readonly NodeUsageSeconds[] | undefined): void {
    for (const entry of usage ?? []) this.nodes.set(keyOf(entry.cloud, entry.node), { ...entry });
  }

  /** Adds the time since the last observation to the node of every live trainer (a node once, however many trainers). */
  observe(live: readonly TrainerPlace[], nowMs: number): void {
    const seconds = this.lastMs === undefined ? 0 : Math.max(0, nowMs - this.lastMs) / 1000;
    this.lastMs = nowMs;
    if (seconds === 0) return;
    const seen = new Set<string>();
    for (const trainer of live) {
      const node = nodeOf(trainer);
      if (seen.has(keyOf(trainer.cloud, node))) continue;
      seen.add(keyOf(trainer.cloud, node));
      const entry = this.nodes.get(this.slot(trainer.cloud, node));
      if (entry !== undefined) entry.seconds += seconds;
    }
  }

  /** The usage as status.json carries it. */
  snapshot(): NodeUsageSeconds[] {
    return [...this.nodes.values()].map((entry) => ({ ...entry, seconds: Math.round(entry.seconds * 1000) / 1000 }));
  }

  /** The entry a node's time goes to: its own, or its cloud's OTHER_NODES once the cloud has USAGE_NODE_LIMIT nodes. */
  private slot(cloud: Cloud, node: string): string {
    const key = keyOf(cloud, node);
    if (this.nodes.has(key)) return key;
    const named = [...this.nodes.values()].filter((entry) => entry.cloud === cloud && entry.node !== OTHER_NODES).length;
    const slot = named < USAGE_NODE_LIMIT ? key : keyOf(cloud, OTHER_NODES);
    if (!this.nodes.has(slot)) this.nodes.set(slot, { cloud, node: slot === key ? node : OTHER_NODES, seconds: 0 });
    return slot;
  }
}
