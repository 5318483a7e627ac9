/**
 * The brain's `GET /api/status` answer as the CLI reads it (azure-functions/src/use-cases/read-status.ts builds it;
 * its StatusView is a TypeScript interface, so the schema is written here from the state document's own schemas).
 * Loose at the top level: a field the brain adds later does not break an older CLI.
 *
 *   {"runId":"run-1","initialized":true,"phase":"failing-over","epoch":1,"phaseSince":"2026-05-01T10:00:00.000Z",
 *    "updatedAt":"...","coverage":"full","desiredAzureNodes":2,"pausedShards":[],
 *    "pool":{"provisioningState":"Updating","count":0,"enableAutoScaling":false,"summary":"..."},
 *    "transitions":[{"at":"...","epoch":1,"from":"aws-primary","to":"failing-over","outcome":"started","reason":"..."}],
 *    "incidents":[{"id":"sig-1","cause":"aws-unhealthy","openedAt":"...","openedEpoch":1}],"notes":[]}
 */
import { z } from 'zod';
import { CapacitySchema, IncidentSchema, PhaseSchema, TransitionSchema } from '../../azure-functions/src/domain/state';
import { PathSegmentSchema } from '../../protocol/blob-layout';

const isoDate = z.iso.datetime({ offset: true });

/** The GPU pool as ARM showed it to the brain, or why it could not be read (only the fields the CLI shows). */
export const BrainPoolSchema = z.union([
  z.looseObject({ error: z.string() }).transform(({ error }) => ({ error })),
  z.looseObject({ provisioningState: z.string(), count: z.int().nonnegative() }).transform(({ provisioningState, count }) => ({ provisioningState, count })),
]);

export const BrainStatusSchema = z.looseObject({
  runId: PathSegmentSchema,
  /** False until the first signal created the state document. */
  initialized: z.boolean(),
  phase: PhaseSchema,
  epoch: z.int().nonnegative(),
  phaseSince: isoDate,
  desiredAzureNodes: z.int().nonnegative(),
  pool: BrainPoolSchema,
  /** The on-demand GPU pool of the deadline safety net (brains that have one). */
  onDemandPool: BrainPoolSchema.optional(),
  /** The pool Azure's cover is on (older brains: spot). */
  azureCapacity: CapacitySchema.default('spot'),
  transitions: z.array(TransitionSchema),
  incidents: z.array(IncidentSchema),
});
export type BrainStatus = z.infer<typeof BrainStatusSchema>;
