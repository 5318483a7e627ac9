/**
 * `spot-on status`'s settings, read once from its flags and environment and validated. Secrets come only from the
 * environment: the status function's key (`SPOTON_STATUS_KEY`) and a Blob connection string
 * (`SPOTON_BLOB_CONNECTION_STRING`, as `stage-data` and the aggregator read it).
 */
import { z } from 'zod';
import { PathSegmentSchema } from '../../protocol/blob-layout';
import { ConfigError } from '../../protocol/config-error';
import { issueList } from '../../protocol/zod-issues';

/** The environment variable holding a function key of the brain's `status` function (its authLevel is `function`). */
export const STATUS_KEY_SETTING = 'SPOTON_STATUS_KEY';
/** The environment variable holding a Blob connection string (Azurite, or an account with shared keys). */
export const BLOB_CONNECTION_SETTING = 'SPOTON_BLOB_CONNECTION_STRING';
/** Seconds between redraws of `--watch` without a value. */
export const DEFAULT_WATCH_SECONDS = 5;

/** The flags as commander gives them. */
export interface StatusOptions {
  readonly brainUrl?: string;
  readonly runId?: string;
  readonly aggregatorUrl?: string;
  readonly blobAccountUrl?: string;
  readonly container?: string;
  /** `--watch` alone is true; `--watch 10` is '10'. */
  readonly watch?: boolean | string;
  readonly json?: boolean;
}

/** Where the run status is read. */
export type RunStatusSource =
  | { readonly kind: 'aggregator'; readonly url: string }
  | { readonly kind: 'blob'; readonly connectionString: string; readonly container?: string }
  | { readonly kind: 'blob'; readonly accountUrl: string; readonly container?: string };

export interface StatusSettings {
  /** The brain's GET /api/status URL (without query). */
  readonly statusUrl: string;
  /** The run to show; the brain's own run when not given. */
  readonly runId?: string;
  /** Sent as `x-functions-key`; absent for the local Functions host, which has no keys. */
  readonly statusKey?: string;
  readonly runStatus: RunStatusSource;
  /** Redraw every this many seconds; absent: show once. */
  readonly watchSeconds?: number;
  readonly json: boolean;
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** Function keys are base64-like; anything else (spaces, newlines) would corrupt the request header. */
const StatusKeySchema = z.string().regex(/^[A-Za-z0-9_\-+/=.]{1,512}$/, 'a function key is 1-512 of letters, digits and _-+/=. (no spaces or newlines)');

const SettingsInputSchema = z.object({
  '--brain-url': z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? 'is required: the function app URL (or the Terraform output function_app_signals_url)' : 'must be an http(s) URL') }),
  '--run-id': PathSegmentSchema.optional(),
  '--aggregator-url': httpUrl.optional(),
  '--blob-account-url': z.url({ protocol: /^https?$/, error: 'must be the storage account URL, https://<account>.blob.core.windows.net' }).optional(),
  '--container': z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a blob container name').optional(),
  '--watch': z.union([z.boolean(), z.coerce.number().min(1, 'must be at least 1 second')]).optional(),
  [STATUS_KEY_SETTING]: StatusKeySchema.optional(),
  [BLOB_CONNECTION_SETTING]: z.string().min(1).optional(),
});

/** The brain's status URL from the function app's URL, its `/api` or the `/api/signals` URL (the Terraform output). */
export function statusUrlOf(brainUrl: string): string {
  const url = new URL(brainUrl);
  const base = url.pathname.replace(/\/+$/, '').replace(/\/api(\/(signals|status))?$/, '');
  return `${url.origin}${base}/api/status`;
}

function runStatusSource(input: z.infer<typeof SettingsInputSchema>): RunStatusSource {
  const container = input['--container'] === undefined ? {} : { container: input['--container'] };
  if (input['--aggregator-url'] !== undefined && input['--blob-account-url'] !== undefined) {
    throw new ConfigError('choose one run status source: --aggregator-url or --blob-account-url', { settings: ['--aggregator-url', '--blob-account-url'] });
  }
  if (input['--aggregator-url'] !== undefined) return { kind: 'aggregator', url: input['--aggregator-url'].replace(/\/+$/, '') };
  if (input['--blob-account-url'] !== undefined) return { kind: 'blob', accountUrl: input['--blob-account-url'], ...container };
  const connectionString = input[BLOB_CONNECTION_SETTING];
  if (connectionString !== undefined) return { kind: 'blob', connectionString, ...container };
  throw new ConfigError(`no run status source: give --aggregator-url, --blob-account-url or set ${BLOB_CONNECTION_SETTING}`, {
    settings: ['--aggregator-url', '--blob-account-url', BLOB_CONNECTION_SETTING],
  });
}

/** Validates the flags and the environment; a ConfigError names every setting at fault and never shows a secret. */
export function readStatusSettings(options: StatusOptions, env: Readonly<Record<string, string | undefined>>): StatusSettings {
  const parsed = SettingsInputSchema.safeParse({
    '--brain-url': options.brainUrl,
    '--run-id': options.runId,
    '--aggregator-url': options.aggregatorUrl,
    '--blob-account-url': options.blobAccountUrl,
    '--container': options.container,
    '--watch': options.watch,
    [STATUS_KEY_SETTING]: env[STATUS_KEY_SETTING],
    [BLOB_CONNECTION_SETTING]: env[BLOB_CONNECTION_SETTING],
  });
  if (!parsed.success) {
    const settings = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    throw new ConfigError(issueList(parsed.error), { settings });
  }
  const input = parsed.data;
  const statusUrl = statusUrlOf(input['--brain-url']);
  const statusKey = input[STATUS_KEY_SETTING];
  if (statusKey !== undefined && new URL(statusUrl).protocol === 'http:' && !isLoopback(new URL(statusUrl))) {
    throw new ConfigError(`--brain-url: ${STATUS_KEY_SETTING} is set, so the brain must be reached over https (or on loopback), not ${new URL(statusUrl).origin}`, { settings: ['--brain-url'] });
  }
  const watch = input['--watch'];
  return {
    statusUrl,
    ...(input['--run-id'] === undefined ? {} : { runId: input['--run-id'] }),
    ...(statusKey === undefined ? {} : { statusKey }),
    runStatus: runStatusSource(input),
    ...(watch === undefined || watch === false ? {} : { watchSeconds: watch === true ? DEFAULT_WATCH_SECONDS : watch }),
    json: options.json ?? false,
  };
}
