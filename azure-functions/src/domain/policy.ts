/** The failover policy: every number the pure decision depends on, validated once from configuration. */
import { z } from 'zod';

export const FailoverPolicySchema = z.strictObject({
  /** Fewest AWS trainers the run accepts; capacity-lost covers the gap below it on Azure. */
  minAwsTrainers: z.int().min(0).max(1000),
  /** Most GPU nodes (one trainer each) Azure may run. */
  maxAzureNodes: z.int().min(0).max(1000),
  /** Seconds after a failover started before a failback may start. */
  failbackCooldownSeconds: z.int().min(0).max(7 * 24 * 3600),
  /** Seconds a phase must last before a signal may change it again (no flapping). */
  minPhaseDurationSeconds: z.int().min(0).max(24 * 3600),
  /** Seconds between re-evaluations of a deferred aws-recovered that waits for AWS trainers to report. */
  recheckSeconds: z.int().min(1).max(3600),
  /** Re-evaluations of one deferred signal before it is dropped (with a note). */
  maxDeferredChecks: z.int().min(1).max(1000),
  /** Seconds the invocation that wrote an intent owns it before another may re-drive it. */
  leaseSeconds: z.int().min(1).max(600),
  /** Seconds a pool operation may stay in progress before it is treated as failed (OperationTimedOut). */
  operationTimeoutSeconds: z.int().min(10).max(24 * 3600),
  /** PUTs of one operation before it is treated as failed. */
  maxPutAttempts: z.int().min(1).max(20),
  /**
   * An on-demand Azure GPU pool exists (SPOTON_ON_DEMAND_POOL_NAME): a run with a deadline that falls behind it when
   * no Spot capacity is left may move there (deadline-fallback.ts).
   */
  onDemandSafetyNet: z.boolean(),
  /**
   * Seconds a capacity-lost waits for Karpenter's replacement before failing over (0: fail over at once). A
   * replacement that comes first makes the failover pure cost: Azure nodes, and a failover and failback of slack.
   * A run with a deadline waits only while it can afford to (deadline-fallback.ts affordsWait).
   */
  replacementGraceSeconds: z.int().min(0).max(3600),
  /** Seconds a move to new GPU capacity takes (nodes, trainers, resume): what the deadline keeps in hand per move. */
  expectedMoveSeconds: z.int().min(0).max(24 * 3600),
});
export type FailoverPolicy = z.infer<typeof FailoverPolicySchema>;

/** Defaults for the optional settings. */
export const POLICY_DEFAULTS = {
  failbackCooldownSeconds: 600,
  minPhaseDurationSeconds: 120,
  recheckSeconds: 60,
  maxDeferredChecks: 30,
  leaseSeconds: 30,
  operationTimeoutSeconds: 1800,
  maxPutAttempts: 3,
  onDemandSafetyNet: false,
  replacementGraceSeconds: 0,
  // A GPU node takes 5-10 minutes to join AKS and a trainer about a minute to pull its image and resume.
  expectedMoveSeconds: 900,
} as const satisfies Partial<FailoverPolicy>;
