/**
 * Injectable faults: what a real cloud does on a bad day. The next operation fails with a capacity or quota
 * code, the next N requests answer 5xx, the next N agent-pool PUTs answer 429, or requests slow down. Faults
 * are queued in order and each is consumed by the first request it applies to. The error codes and
 * messages follow AKS's troubleshooting pages (https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/
 * error-codes/: OverconstrainedAllocationRequest, SkuNotAvailable, QuotaExceeded, AllocationFailed,
 * ZonalAllocationFailed).
 */
import { z } from 'zod';
import type { OperationFailure } from './state';

/** Default messages for capacity codes, in Azure's wording. */
export const CAPACITY_FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  OverconstrainedAllocationRequest:
    'Allocation failed. VM(s) with the following constraints cannot be allocated, because the condition is too restrictive. Please remove some constraints and try again. Constraints applied are: - Priority (Spot) - VM Size',
  SkuNotAvailable:
    "The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions' is currently not available in location. Please try another size or deploy to a different location or different zone. See https://aka.ms/azureskunotavailable for details.",
  QuotaExceeded:
    'Operation could not be completed as it results in exceeding approved LowPriorityCores quota. Additional details - Deployment Model: Resource Manager, Current Limit: 0, Current Usage: 0, Additional Required: 4. Submit a request for Quota increase at https://aka.ms/ProdportalCRP.',
  AllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
  ZonalAllocationFailed:
    'Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
};

const count = z.int().positive().default(1);

/** A fault to inject. */
export const ArmFaultSchema = z.discriminatedUnion('kind', [
  /** The next accepted agent-pool PUT (of `pool`, if given) ends Failed with this error. */
  z.object({
    kind: z.literal('operation-failure'),
    code: z.string().min(1),
    message: z.string().min(1).optional(),
    pool: z.string().min(1).optional(),
  }),
  /** The next `count` requests (any method, operation polls included) answer this 5xx status. */
  z.object({
    kind: z.literal('server-error'),
    count,
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(500),
  }),
  /** The next `count` agent-pool PUTs answer 429 with this Retry-After. */
  z.object({ kind: z.literal('throttle'), count, retryAfterSeconds: z.number().nonnegative().default(1) }),
  /** The next `count` requests (all of them, if no count) take `ms` longer. */
  z.object({ kind: z.literal('latency'), ms: z.int().nonnegative(), count: z.int().positive().optional() }),
]);
export type ArmFault = z.input<typeof ArmFaultSchema>;
type ParsedFault = z.output<typeof ArmFaultSchema>;

/** The fault queue; the server consults it at each decision point. */
export class FaultQueue {
  private queue: ParsedFault[] = [];

  /** Queues a fault (validated; throws a ZodError for a malformed one). */
  enqueue(fault: ArmFault): void {
    this.queue.push(ArmFaultSchema.parse(fault));
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queue = [];
  }

  /** Faults not consumed yet. */
  pending(): ParsedFault[] {
    return this.queue.map((fault) => ({ ...fault }));
  }

  /** Extra latency for this request, in ms (0 for none). */
  takeLatency(): number {
    const fault = this.queue.find((f) => f.kind === 'latency');
    if (fault?.kind !== 'latency') return 0;
    if (fault.count !== undefined) this.decrement(fault);
    return fault.ms;
  }

  /** A 5xx status this request must answer with, if one is due. */
  takeServerError(): number | undefined {
    const fault = this.queue.find((f) => f.kind === 'server-error');
    if (fault?.kind !== 'server-error') return undefined;
    this.decrement(fault);
    return fault.status;
  }

  /** Retry-After seconds if this agent-pool PUT must be throttled. */
  takeThrottle(): number | undefined {
    const fault = this.queue.find((f) => f.kind === 'throttle');
    if (fault?.kind !== 'throttle') return undefined;
    this.decrement(fault);
    return fault.retryAfterSeconds;
  }

  /** The failure an accepted PUT of `pool` must end with, if one is queued. */
  takeOperationFailure(pool: string): OperationFailure | undefined {
    const index = this.queue.findIndex(
      (f) => f.kind === 'operation-failure' && (f.pool === undefined || f.pool.toLowerCase() === pool.toLowerCase()),
    );
    const fault = this.queue[index];
    if (fault?.kind !== 'operation-failure') return undefined;
    this.queue.splice(index, 1);
    return {
      code: fault.code,
      message: fault.message ?? CAPACITY_FAILURE_MESSAGES[fault.code] ?? `The operation failed with ${fault.code}.`,
    };
  }

  private decrement(fault: { count?: number }): void {
    const left = (fault.count ?? 1) - 1;
    if (left > 0) fault.count = left;
    else this.queue.splice(this.queue.indexOf(fault as ParsedFault), 1);
  }
}
