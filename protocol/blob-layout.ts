/**
 * Where everything lives in the `spot-on` container (docs/ARCHITECTURE.md, "Blob layout"). Writers put data
 * first, the manifest second and the LATEST pointer last; readers verify digests and fall back a round.
 *
 *   runs/<runId>/rounds/<r>/model.bin, manifest.json        create-only (If-None-Match: *)
 *   runs/<runId>/rounds/<r>/optimizer.bin                   create-only; server-side strategy state (FedAdam)
 *   runs/<runId>/rounds/<r>/updates/<clientId>.bin, .json   create-only; partial=true for flushed work
 *   runs/<runId>/LATEST                                     {round, manifestSha256}; replaced with If-Match
 *   runs/<runId>/status.json                                the aggregator's view of the run
 *   state/<runId>.json                                      the failover state machine; replaced with If-Match
 *
 * Rounds are zero-padded to six digits so that listing a run's rounds returns them in order.
 */
import { z } from 'zod';

export const CONTAINER = 'spot-on';

/** Ids that become path segments: no slashes, dots only inside, so no path can escape its folder. */
export const PathSegmentSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 of [A-Za-z0-9._-], starting with a letter or digit');

const segment = (value: string, what: string): string => {
  const result = PathSegmentSchema.safeParse(value);
  if (!result.success) throw new RangeError(`${what} ${JSON.stringify(value)} ${result.error.issues[0]?.message ?? 'is invalid'}`);
  return value;
};

const roundSegment = (round: number): string => {
  if (!Number.isSafeInteger(round) || round < 0 || round > 999_999) throw new RangeError(`round ${round} is not an integer in [0, 999999]`);
  return String(round).padStart(6, '0');
};

export const blobPaths = {
  run: (runId: string) => `runs/${segment(runId, 'runId')}/`,
  rounds: (runId: string) => `runs/${segment(runId, 'runId')}/rounds/`,
  round: (runId: string, round: number) => `runs/${segment(runId, 'runId')}/rounds/${roundSegment(round)}/`,
  model: (runId: string, round: number) => `${blobPaths.round(runId, round)}model.bin`,
  manifest: (runId: string, round: number) => `${blobPaths.round(runId, round)}manifest.json`,
  optimizer: (runId: string, round: number) => `${blobPaths.round(runId, round)}optimizer.bin`,
  updateData: (runId: string, round: number, clientId: string) => `${blobPaths.round(runId, round)}updates/${segment(clientId, 'clientId')}.bin`,
  updateMeta: (runId: string, round: number, clientId: string) => `${blobPaths.round(runId, round)}updates/${segment(clientId, 'clientId')}.json`,
  latest: (runId: string) => `runs/${segment(runId, 'runId')}/LATEST`,
  status: (runId: string) => `runs/${segment(runId, 'runId')}/status.json`,
  state: (runId: string) => `state/${segment(runId, 'runId')}.json`,
} as const;

/** The round number of a path under `runs/<runId>/rounds/`, or undefined. */
export function roundOf(path: string): number | undefined {
  const match = /\/rounds\/(\d{6})\//.exec(path);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
