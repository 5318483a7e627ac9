/**
 * The use case behind `spot-on simulate`: load every window all pools share, run each policy over each window,
 * sum up; for the chart, run the same over a sweep of deadlines. No I/O besides reading the traces.
 */
import { renderHtml, type ChartData } from './chart';
import { simulate } from './engine';
import { withDeadline, type Settings, type Window } from './model';
import type { AnyPolicy, SimulateOptions } from './options';
import { reportSettings, summarise, type SimulationReport } from './report';
import { loadWindow, sharedWindows } from './windows';

/** Runs every policy over every window. */
export function runPolicies(policies: readonly AnyPolicy[], windows: readonly Window[], settings: Settings): ReturnType<typeof summarise>[] {
  return policies.map((policy) => summarise(policy.name, windows.map((window) => simulate(policy, window, settings)), settings));
}

/** Reads the windows every pool shares, resampled for `settings`. */
export function loadWindows(options: Pick<SimulateOptions, 'sources' | 'settings' | 'encoding' | 'spotUsdPerHour'>): Window[] {
  return sharedWindows(options.sources).map((name) =>
    loadWindow(name, options.sources, options.settings, { encoding: options.encoding, spotUsdPerHour: options.spotUsdPerHour }),
  );
}

/** Builds the report over already loaded windows. */
export function reportOn(windows: readonly Window[], policies: readonly AnyPolicy[], settings: Settings): SimulationReport {
  const runs = runPolicies(policies, windows, settings);
  return {
    policies: runs.map((run) => run.summary),
    details: runs.map((run) => run.details),
    windows: windows.map((window) => window.name),
    pools: windows[0]?.pools ?? [],
    settings: reportSettings(settings),
  };
}

/** Deadlines of the chart: five slacks evenly spaced up to the given one (a zero slack leaves no room for any move). */
export function chartSlacks(settings: Settings, points = 5): number[] {
  const slackHours = settings.hours.deadlineHours - settings.hours.jobHours;
  return Array.from({ length: points }, (_unused, index) => (slackHours * (index + 1)) / points);
}

/** The chart's data: each policy's mean cost ratio at each slack. */
export function chartOn(windows: readonly Window[], policies: readonly AnyPolicy[], settings: Settings): ChartData {
  const slackHours = chartSlacks(settings);
  const runs = slackHours.map((slack) => runPolicies(policies, windows, withDeadline(settings, settings.hours.jobHours + slack)));
  return {
    title: `Cost / on-demand vs deadline slack: ${settings.hours.jobHours} h job, ${windows.length} window(s), ${windows[0]?.pools.length ?? 0} pool(s)`,
    slackHours,
    series: policies.map((policy, index) => ({ name: policy.name, costRatios: runs.map((run) => run[index]?.summary.costRatioMean ?? NaN) })),
  };
}

/** Everything `spot-on simulate` computes: the report, and the HTML page when asked for. */
export function runSimulation(options: SimulateOptions): { report: SimulationReport; html: string | undefined } {
  const windows = loadWindows(options);
  const report = reportOn(windows, options.policies, options.settings);
  const html = options.htmlFile === undefined ? undefined : renderHtml(chartOn(windows, options.policies, options.settings));
  return { report, html };
}
