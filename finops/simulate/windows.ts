/**
 * Pools and their windows. Each `--pool CLOUD/NAME=DIR` folder holds trace files named by window; files of the same
 * name in different folders cover the same time window, so a window keeps whatever correlation the pools had. The
 * simulation runs every window all pools share. Timestamped traces (price and event history) are aligned on the
 * earliest timestamp of the window; Can't Be Late files, which have none, start there too.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { SimulateInputError, TraceWindowError } from './errors';
import type { PoolSpec, Settings, Window } from './model';
import type { TraceEncoding } from './traces/cant-be-late';
import { readTrace } from './traces/read-trace';
import { resample, type StepTrace } from './traces/step-trace';

/** A pool and the folder of its traces. */
export interface PoolSource {
  readonly spec: PoolSpec;
  readonly dir: string;
}

const POOL_ARGUMENT = /^(aws|azure)\/([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/;

/** Parses `CLOUD/NAME=DIR` (CLOUD aws or azure). */
export function parsePoolArgument(argument: string): PoolSource {
  const match = POOL_ARGUMENT.exec(argument);
  if (match === null) {
    throw new SimulateInputError('--pool', `${JSON.stringify(argument)} is not CLOUD/NAME=DIR with CLOUD aws or azure (e.g. aws/us-east-1a=traces/use1a)`);
  }
  const [, cloud, name, dir] = match;
  return { spec: { name: `${cloud}/${name}`, cloud: cloud === 'aws' ? 'aws' : 'azure' }, dir: dir ?? '' };
}

/** Parses every `--pool`; names must be unique. */
export function parsePoolArguments(argumentsGiven: readonly string[]): PoolSource[] {
  if (argumentsGiven.length === 0) throw new SimulateInputError('--pool', 'give at least one pool');
  const sources = argumentsGiven.map(parsePoolArgument);
  const names = sources.map((source) => source.spec.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw new SimulateInputError('--pool', `${repeated[0]} is given twice`);
  return sources;
}

function traceFiles(source: PoolSource): string[] {
  try {
    return readdirSync(source.dir).filter((file) => file.endsWith('.json')).sort();
  } catch (error) {
    throw new SimulateInputError('--pool', `${source.spec.name}: cannot read folder ${source.dir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The window names (trace file names) every pool has, sorted. Throws TraceWindowError when there is none. */
export function sharedWindows(sources: readonly PoolSource[]): string[] {
  const listed = sources.map((source) => ({ source, files: traceFiles(source) }));
  const shared = (listed[0]?.files ?? []).filter((file) => listed.every((entry) => entry.files.includes(file)));
  if (shared.length === 0) {
    const seen = listed.map((entry) => `${entry.source.spec.name} has ${entry.files.length === 0 ? 'no .json file' : entry.files.slice(0, 5).join(', ') + (entry.files.length > 5 ? ', ...' : '')}`);
    throw new TraceWindowError(`no trace window (file name) is shared by all pools: ${seen.join('; ')}`);
  }
  return shared;
}

export interface WindowOptions {
  readonly encoding: TraceEncoding | undefined;
  /** Prices traces without prices. */
  readonly spotUsdPerHour: number | undefined;
}

/** Reads window `name` of every pool and resamples it to the deadline's ticks. */
export function loadWindow(name: string, sources: readonly PoolSource[], settings: Settings, options: WindowOptions): Window {
  const traces: StepTrace[] = sources.map((source) => readTrace(path.join(source.dir, name), options.encoding));
  return windowOf(name, sources.map((source) => source.spec), traces, settings, options.spotUsdPerHour);
}

/** Builds a window from parsed traces, one per pool (pure: the tests build windows this way). */
export function windowOf(name: string, pools: readonly PoolSpec[], traces: readonly StepTrace[], settings: Settings, spotUsdPerHour: number | undefined): Window {
  const starts = traces.flatMap((trace) => (trace.startMs === undefined ? [] : [trace.startMs]));
  const anchorMs = starts.length === 0 ? 0 : Math.min(...starts);
  const neededSeconds = settings.deadlineTicks * settings.tickSeconds;
  const available: Uint8Array[] = [];
  const usdPerHour: Float64Array[] = [];
  traces.forEach((trace, index) => {
    const offsetSeconds = trace.startMs === undefined ? 0 : (trace.startMs - anchorMs) / 1000;
    if (trace.endSeconds !== undefined && offsetSeconds + trace.endSeconds < neededSeconds) {
      const covered = ((offsetSeconds + trace.endSeconds) / 3600).toFixed(2);
      throw new TraceWindowError(`${pools[index]?.name ?? trace.file} (${trace.file}) covers ${covered} h, the deadline needs ${settings.hours.deadlineHours} h`, name);
    }
    const resampled = resample(trace, offsetSeconds, settings.deadlineTicks, settings.tickSeconds, spotUsdPerHour);
    available.push(resampled.available);
    usdPerHour.push(resampled.usdPerHour);
  });
  return { name, pools, ticks: settings.deadlineTicks, available, usdPerHour };
}
