/**
 * The failover state document in Blob Storage (`state/<runId>.json`) with optimistic concurrency: every write is
 * conditional on the ETag that was read (If-Match), and the first write is create-only (If-None-Match: *). The
 * brain never uses If-Match: * (Azurite 3.35 wrongly lets it succeed on a missing blob).
 */
import type { ContainerClient } from '@azure/storage-blob';
import { blobPaths } from '../../../protocol/blob-layout';
import { FailoverStateSchema, type FailoverState } from '../domain/state';
import { CorruptStateError, messageOf, StateConflictError, statusOf } from '../errors';
import { transientOr } from './azure-errors';

/** A state document and the ETag it was read with. */
export interface StoredState {
  readonly state: FailoverState;
  readonly etag: string;
}

/** Reads and conditionally writes the failover state. */
export interface StateStore {
  /** The state of `runId`, or undefined when none was written yet. */
  read(runId: string): Promise<StoredState | undefined>;
  /** Creates the document; throws StateConflictError when it exists already. Returns the new ETag. */
  create(state: FailoverState): Promise<string>;
  /** Replaces the document if it still has `etag`; throws StateConflictError otherwise. Returns the new ETag. */
  replace(state: FailoverState, etag: string): Promise<string>;
}

/** Parses a stored document; throws CorruptStateError for anything that is not a valid v1 state. */
export function parseStateDocument(text: string, where: string): FailoverState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CorruptStateError(`${where} is not JSON: ${messageOf(error)}`, { cause: error });
  }
  const parsed = FailoverStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptStateError(`${where} is not a v1 failover state: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`, {
      cause: parsed.error.issues,
    });
  }
  return parsed.data;
}

async function streamToText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (stream === undefined) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The state store on a blob container (the `spot-on` container). */
export function blobStateStore(container: ContainerClient): StateStore {
  const blobFor = (runId: string) => container.getBlockBlobClient(blobPaths.state(runId));
  const write = async (state: FailoverState, conditions: { ifMatch?: string; ifNoneMatch?: string }, what: string): Promise<string> => {
    const body = JSON.stringify(state);
    // A document the next read would call corrupt would stop the brain for good; refusing it leaves the last good one.
    parseStateDocument(body, `${what} (not written)`);
    try {
      const answer = await blobFor(state.runId).upload(body, Buffer.byteLength(body), {
        conditions,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return answer.etag ?? '';
    } catch (error) {
      const status = statusOf(error);
      // 412: the ETag moved on; 409: If-None-Match * found the blob (BlobAlreadyExists).
      if (status === 412 || status === 409) throw new StateConflictError(`${what} lost the race (${status})`, { cause: error });
      throw transientOr('blob', what, error);
    }
  };
  return {
    async read(runId) {
      const blob = blobFor(runId);
      try {
        const answer = await blob.download();
        const text = await streamToText(answer.readableStreamBody);
        return { state: parseStateDocument(text, `${container.containerName}/${blob.name}`), etag: answer.etag ?? '' };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw transientOr('blob', `reading ${blob.name}`, error);
      }
    },
    create: (state) => write(state, { ifNoneMatch: '*' }, `creating ${blobPaths.state(state.runId)}`),
    replace: (state, etag) => write(state, { ifMatch: etag }, `replacing ${blobPaths.state(state.runId)}`),
  };
}
