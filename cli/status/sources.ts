/**
 * Thin I/O for `spot-on status`: the brain's GET /api/status (with the status function's key) and the run status,
 * from the aggregator's GET /status or from runs/<runId>/status.json through the checkpoint store. Every answer is
 * validated here; failures are StatusSourceErrors that say whether trying again may help.
 */
import { blobPaths } from '../../protocol/blob-layout';
import { ConfigError } from '../../protocol/config-error';
import { RunStatusSchema } from '../../protocol/run-status';
import { issueList } from '../../protocol/zod-issues';
import { BlobCheckpointStore } from '../../fl-training/store/blob-store';
import type { CheckpointStore } from '../../fl-training/store/checkpoint-store';
import { BrainStatusSchema, type BrainStatus } from './brain-status';
import { statusReport, type RunStatusRead, type StatusReport } from './report';
import { BLOB_CONNECTION_SETTING, STATUS_KEY_SETTING, type RunStatusSource, type StatusSettings } from './settings';

/** The header Azure Functions reads a function key from (the `code` query parameter would put it in logs). */
export const FUNCTION_KEY_HEADER = 'x-functions-key';
/** Transitions asked of the brain: its maximum, so an incident's way to azure-active is still in view. */
export const STATUS_TRANSITIONS = 50;
/** Longest wait for one answer. */
export const REQUEST_TIMEOUT_MS = 10_000;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A source that could not be read; `retryable` when the next attempt may succeed (network, 5xx, throttling). */
export class StatusSourceError extends Error {
  override readonly name = 'StatusSourceError';
  constructor(
    readonly source: 'brain' | 'aggregator' | 'blob',
    readonly retryable: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${source}: ${message}`, options);
  }
}

export interface RunStatusReader {
  read(runId: string): Promise<RunStatusRead>;
}

const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** undici says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is in its cause. */
function describeFetchError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return detail === undefined ? message : `${message} (${detail})`;
}

async function getJson(source: StatusSourceError['source'], url: string, fetchFn: FetchLike, signal: AbortSignal, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
  } catch (error) {
    throw new StatusSourceError(source, true, `GET ${url} failed: ${describeFetchError(error)}`, { cause: error });
  }
  const text = await response.text();
  try {
    return { status: response.status, body: text.length === 0 ? undefined : (JSON.parse(text) as unknown) };
  } catch (error) {
    if (response.ok) throw new StatusSourceError(source, false, `GET ${url} answered ${response.status} with a body that is not JSON`, { cause: error });
    return { status: response.status, body: undefined };
  }
}

const reasonOf = (body: unknown): string => {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const reason = fields.reason ?? fields.message ?? fields.error;
  return typeof reason === 'string' ? `: ${reason}` : '';
};

/** The brain's status of `runId` (its own run when undefined). */
export async function readBrainStatus(settings: Pick<StatusSettings, 'statusUrl' | 'statusKey'>, runId: string | undefined, fetchFn: FetchLike, signal: AbortSignal): Promise<BrainStatus> {
  const url = new URL(settings.statusUrl);
  if (runId !== undefined) url.searchParams.set('runId', runId);
  url.searchParams.set('transitions', String(STATUS_TRANSITIONS));
  const headers: Record<string, string> = settings.statusKey === undefined ? {} : { [FUNCTION_KEY_HEADER]: settings.statusKey };
  const { status, body } = await getJson('brain', url.href, fetchFn, signal, headers);
  if (status === 401 || status === 403) {
    const hint = settings.statusKey === undefined ? `set ${STATUS_KEY_SETTING} to a key of the brain's status function` : `${STATUS_KEY_SETTING} is not a key of the brain's status function`;
    throw new StatusSourceError('brain', false, `GET ${url.href} answered ${status}: ${hint}`);
  }
  if (status === 404) throw new StatusSourceError('brain', false, `GET ${url.href} answered 404${reasonOf(body) || ': no status function there (is --brain-url the function app?)'}`);
  if (status !== 200) throw new StatusSourceError('brain', retryableStatus(status), `GET ${url.href} answered ${status}${reasonOf(body)}`);
  const parsed = BrainStatusSchema.safeParse(body);
  if (!parsed.success) throw new StatusSourceError('brain', false, `the answer of GET ${url.href} is not a brain status: ${issueList(parsed.error)}`);
  return parsed.data;
}

/** Reads the run status from the aggregator's GET /status (it serves one run). */
export function aggregatorRunStatusReader(aggregatorUrl: string, fetchFn: FetchLike, signal: AbortSignal): RunStatusReader {
  return {
    async read(runId) {
      const url = `${aggregatorUrl}/status`;
      const { status, body } = await getJson('aggregator', url, fetchFn, signal);
      if (status !== 200) throw new StatusSourceError('aggregator', retryableStatus(status), `GET ${url} answered ${status}${reasonOf(body)}`);
      const parsed = RunStatusSchema.safeParse(body);
      if (!parsed.success) throw new StatusSourceError('aggregator', false, `the answer of GET ${url} is not a v1 run status: ${issueList(parsed.error)}`);
      if (parsed.data.runId !== runId) throw new StatusSourceError('aggregator', false, `${aggregatorUrl} serves run ${parsed.data.runId}, not ${runId}`);
      return { source: 'aggregator', status: parsed.data };
    },
  };
}

const statusCodeOf = (error: unknown): number | undefined => {
  const code = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
};

/** Reads runs/<runId>/status.json through the checkpoint store, as the aggregator wrote it. */
export function blobRunStatusReader(store: Pick<CheckpointStore, 'get' | 'description'>): RunStatusReader {
  return {
    async read(runId) {
      const path = blobPaths.status(runId);
      let object: Awaited<ReturnType<CheckpointStore['get']>>;
      try {
        object = await store.get(path);
      } catch (error) {
        const code = statusCodeOf(error);
        const retryable = code === undefined || retryableStatus(code);
        throw new StatusSourceError('blob', retryable, `reading ${path} in ${store.description} failed${code === undefined ? '' : ` (${code})`}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (object === undefined) return { source: 'blob', status: undefined, missing: `${path} does not exist yet (the aggregator writes it once it runs)` };
      let json: unknown;
      try {
        json = JSON.parse(object.data.toString('utf8'));
      } catch (error) {
        throw new StatusSourceError('blob', false, `${path} is not JSON`, { cause: error });
      }
      const parsed = RunStatusSchema.safeParse(json);
      if (!parsed.success) throw new StatusSourceError('blob', false, `${path} is not a v1 run status: ${issueList(parsed.error)}`);
      return { source: 'blob', status: parsed.data };
    },
  };
}

/** The reader for the configured source (Blob: read-only, the container is never created); ConfigError for a bad connection string. */
export function openRunStatusReader(source: RunStatusSource, fetchFn: FetchLike, signal: AbortSignal): RunStatusReader {
  if (source.kind === 'aggregator') return aggregatorRunStatusReader(source.url, fetchFn, signal);
  if (!('connectionString' in source)) return blobRunStatusReader(BlobCheckpointStore.fromAccountUrl(source.accountUrl, source.container));
  try {
    return blobRunStatusReader(BlobCheckpointStore.fromConnectionString(source.connectionString, source.container));
  } catch (error) {
    // The SDK's message may quote the string, which holds the account key: name the setting only.
    throw new ConfigError(`${BLOB_CONNECTION_SETTING}: not a storage connection string the Azure SDK accepts`, { settings: [BLOB_CONNECTION_SETTING], cause: error });
  }
}

/** Reads both sources once and builds the report (the run id from the brain when not given; the brain's failure first). */
export async function readStatusReport(
  settings: Pick<StatusSettings, 'statusUrl' | 'statusKey' | 'runId'>,
  sources: { readonly fetch: FetchLike; readonly runStatus: RunStatusReader; readonly now: () => Date; readonly signal: AbortSignal },
): Promise<StatusReport> {
  const brainRead = readBrainStatus(settings, settings.runId, sources.fetch, sources.signal);
  if (settings.runId === undefined) {
    const brain = await brainRead;
    return statusReport(brain, await sources.runStatus.read(brain.runId), sources.now());
  }
  const [brain, run] = await Promise.allSettled([brainRead, sources.runStatus.read(settings.runId)]);
  if (brain.status === 'rejected') throw brain.reason;
  if (run.status === 'rejected') throw run.reason;
  return statusReport(brain.value, run.value, sources.now());
}
