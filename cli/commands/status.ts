import type { Command } from 'commander';
import { ConfigError } from '../../protocol/config-error';
import { StatusReportSchema } from '../status/report';
import { renderStatusText } from '../status/render';
import { BLOB_CONNECTION_SETTING, DEFAULT_WATCH_SECONDS, readStatusSettings, STATUS_KEY_SETTING, type StatusOptions, type StatusSettings } from '../status/settings';
import { openRunStatusReader, readStatusReport, StatusSourceError, type FetchLike, type RunStatusReader } from '../status/sources';
import { repeatUntilAborted, timerWait, type Wait } from '../status/watch';

/** What `spot-on status` touches of the world; tests pass their own. */
export interface StatusIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: FetchLike;
  readonly now: () => Date;
  readonly wait: Wait;
  /** Aborted on Ctrl-C: ends `--watch` (exit code 0) and any request in flight. */
  readonly signal: AbortSignal;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** A terminal: `--watch` redraws in place instead of appending screens. */
  readonly interactive: boolean;
  /** @default openRunStatusReader (the aggregator's GET /status or Blob) */
  readonly openRunStatus?: typeof openRunStatusReader;
}

/** Exit codes: 0 shown (or watch ended by Ctrl-C), 1 a source could not be read, 2 the settings are wrong. */
export const STATUS_EXIT = { ok: 0, unreadable: 1, settings: 2 } as const;

const CLEAR_SCREEN = '\u001b[2J\u001b[H';

/** Runs `spot-on status` once or, with --watch, until Ctrl-C; returns the exit code (a bug still throws). */
export async function runStatusCommand(options: StatusOptions, io: StatusIo): Promise<number> {
  let settings: StatusSettings;
  let runStatus: RunStatusReader;
  try {
    settings = readStatusSettings(options, io.env);
    runStatus = (io.openRunStatus ?? openRunStatusReader)(settings.runStatus, io.fetch, io.signal);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`spot-on status: ${error.message}\n`);
    return STATUS_EXIT.settings;
  }
  const show = async () => {
    const report = StatusReportSchema.parse(await readStatusReport(settings, { fetch: io.fetch, runStatus, now: io.now, signal: io.signal }));
    if (settings.json) io.stdout(`${JSON.stringify(report)}\n`);
    else io.stdout(`${settings.watchSeconds !== undefined && io.interactive ? CLEAR_SCREEN : ''}${renderStatusText(report)}\n${settings.watchSeconds !== undefined && !io.interactive ? '\n' : ''}`);
  };
  try {
    if (settings.watchSeconds === undefined) {
      await show();
      return STATUS_EXIT.ok;
    }
    const everyMs = settings.watchSeconds * 1000;
    await repeatUntilAborted(
      async () => {
        try {
          await show();
        } catch (error) {
          // A source that is down for a while is what --watch is for: say so and look again.
          if (!(error instanceof StatusSourceError && error.retryable) || io.signal.aborted) throw error;
          io.stderr(`spot-on status: ${error.message} (again in ${settings.watchSeconds}s)\n`);
        }
      },
      everyMs,
      io.wait,
      io.signal,
    );
    return STATUS_EXIT.ok;
  } catch (error) {
    if (io.signal.aborted) return STATUS_EXIT.ok;
    if (!(error instanceof StatusSourceError)) throw error;
    io.stderr(`spot-on status: ${error.message}\n`);
    return STATUS_EXIT.unreadable;
  }
}

/** The process's own world: environment, network, clock, timer, Ctrl-C and the terminal. */
function processIo(signal: AbortSignal): StatusIo {
  return {
    env: process.env,
    fetch: (url, init) => fetch(url, init),
    now: () => new Date(),
    wait: timerWait,
    signal,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    interactive: process.stdout.isTTY === true,
  };
}

/** Registers `spot-on status`: the brain's phase, epoch and incidents with the run's trainers, round and metrics. */
export function registerStatus(program: Command, exitWith: (code: number) => void): void {
  program
    .command('status')
    .description("a run at a glance: the brain's phase, epoch, Azure pool and incidents (GET /api/status), the trainers per cloud and pool, round, loss and accuracy (the run status)")
    .option('--brain-url <url>', 'the function app (https://<app>.azurewebsites.net), or the Terraform output function_app_signals_url; locally the Functions host')
    .option('--run-id <id>', "the run (default: the one the brain serves)")
    .option('--aggregator-url <url>', "read the run status from the aggregator's GET /status (the Terraform output aggregator.url)")
    .option('--blob-account-url <url>', 'read runs/<runId>/status.json from this storage account (Entra ID, DefaultAzureCredential)')
    .option('--container <name>', 'the Blob container (default spot-on)')
    .option('--watch [seconds]', `redraw every N seconds (default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`)
    .option('--json', 'print one JSON object (with --watch: one per line), the schema in cli/status/report.ts', false)
    .addHelpText(
      'after',
      [
        '',
        'Secrets are read from the environment, never from flags:',
        `  ${STATUS_KEY_SETTING}               a function key of the brain's status function (sent as x-functions-key; not needed locally)`,
        `  ${BLOB_CONNECTION_SETTING}   read status.json with a connection string (Azurite) when neither --aggregator-url nor --blob-account-url is given`,
        'Both endpoints are private: run it from a network that reaches the private endpoints (the VNet, or over the VPN).',
        'Exit code 0 when shown (or --watch ended by Ctrl-C), 1 when a source could not be read, 2 when the settings are wrong.',
      ].join('\n'),
    )
    .action(async (options: StatusOptions) => {
      const interrupt = new AbortController();
      const stop = () => interrupt.abort();
      process.once('SIGINT', stop);
      try {
        exitWith(await runStatusCommand(options, processIo(interrupt.signal)));
      } finally {
        process.off('SIGINT', stop);
      }
    });
}
