/** Reads the aggregator's view of the run (`runs/<runId>/status.json`). */
import type { ContainerClient } from '@azure/storage-blob';
import { blobPaths } from '../../../protocol/blob-layout';
import { RunStatusSchema, type RunStatus } from '../../../protocol/run-status';
import { messageOf, statusOf } from '../errors';
import { transientOr } from './azure-errors';

/** The run status, or why there is none to use (missing, or not a valid v1 status). */
export type RunStatusRead = { readonly status: RunStatus } | { readonly status: undefined; readonly problem: string };

export interface RunStatusReader {
  read(runId: string): Promise<RunStatusRead>;
}

/** Parses a status document; never throws (a bad status must not stop a failover). */
export function parseRunStatus(text: string): RunStatusRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { status: undefined, problem: `status.json is not JSON: ${messageOf(error)}` };
  }
  const parsed = RunStatusSchema.safeParse(json);
  if (parsed.success) return { status: parsed.data };
  const issue = parsed.error.issues[0];
  return { status: undefined, problem: `status.json is not a v1 run status: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}` };
}

/** Reads status.json from the run's folder in the container. */
export function blobRunStatusReader(container: ContainerClient): RunStatusReader {
  return {
    async read(runId) {
      const blob = container.getBlobClient(blobPaths.status(runId));
      try {
        return parseRunStatus((await blob.downloadToBuffer()).toString('utf8'));
      } catch (error) {
        if (statusOf(error) === 404) return { status: undefined, problem: `${blobPaths.status(runId)} does not exist yet` };
        throw transientOr('blob', `reading ${blobPaths.status(runId)}`, error);
      }
    },
  };
}
