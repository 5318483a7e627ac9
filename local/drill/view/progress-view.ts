/**
 * The live terminal view of a drill. The engine reports what happens through {@link DrillObserver}; the view
 * draws one cli-progress bar per scenario (rounds done, loss, accuracy, where the trainers run, brain phase and
 * epoch) when stdout is a terminal, and otherwise writes one plain line per step, which is what CI logs need.
 * With `--json` stdout belongs to the JSON report alone: the view then writes plain lines to stderr.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { DrillReport, RoundMetrics, Scenario, TimelineEntry } from '../report';
import { formatLoss, formatPercent, formatPlacement, formatPp, formatSeconds } from './format';
import { markerKind } from './markers';
import { terminalSafe } from './text-table';
import { accuracyDeltaPp, judgeReport } from './verdict';

/** How many trainers run on each cloud. */
export interface PlacementCounts {
  readonly aws: number;
  readonly azure: number;
}

/**
 * What the drill engine tells the view, in the order things happen. `phase` is the brain's failover phase
 * (`aws-primary`, `failing-over`, `azure-active`, `failing-back`), `epoch` its epoch.
 */
export interface DrillObserver {
  scenarioStarted(scenario: Scenario, totalRounds: number): void;
  roundCommitted(scenario: Scenario, round: RoundMetrics): void;
  placementChanged(scenario: Scenario, placement: PlacementCounts): void;
  phaseChanged(scenario: Scenario, phase: string, epoch: number): void;
  timeline(scenario: Scenario, entry: TimelineEntry): void;
  scenarioFinished(scenario: Scenario, report: DrillReport): void;
}

/** An observer that ignores everything (for the engine's tests and for `--quiet`). */
export const SILENT_OBSERVER: DrillObserver = {
  scenarioStarted: () => undefined,
  roundCommitted: () => undefined,
  placementChanged: () => undefined,
  phaseChanged: () => undefined,
  timeline: () => undefined,
  scenarioFinished: () => undefined,
};

/** A stream the view writes to; `isTTY` decides between bars and plain lines. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressViewOptions {
  /** `--json`: stdout carries the JSON report only, so the view writes plain lines to stderr. @default false */
  readonly json?: boolean;
  /** @default process.stdout */
  readonly stdout?: OutputStream;
  /** @default process.stderr */
  readonly stderr?: OutputStream;
  /** Print every timeline entry, not only the incident markers. @default false */
  readonly verbose?: boolean;
}

export interface ProgressView extends DrillObserver {
  /** `bars` on a terminal, `lines` otherwise. */
  readonly mode: ProgressMode;
  /** Stops the bars and writes their final state; call once when the drill ends. */
  close(): void;
}

export type ProgressMode = 'bars' | 'lines';

/** Bars only for a human at a terminal; plain lines for pipes, files, CI and `--json`. */
export function progressMode(json: boolean, stdout: OutputStream): ProgressMode {
  return !json && stdout.isTTY === true ? 'bars' : 'lines';
}

interface ScenarioState {
  totalRounds: number;
  round?: RoundMetrics;
  placement?: PlacementCounts;
  phase: string;
  epoch: number;
  bar?: SingleBar;
}

const INITIAL_PHASE = 'aws-primary';
/** Timeline events logged without `verbose`: the incidents; phase changes have their own line. */
const LOGGED_MARKERS = new Set(['spotWarning', 'outageStarted', 'outageEnded']);
const SCENARIO_WIDTH = 17; // the longest scenario name, so bars and lines align

const tag = (scenario: Scenario) => `[${scenario}]`;

/** The payload line of a scenario: round, loss, accuracy, placement, phase and epoch. */
export function statusText(state: Pick<ScenarioState, 'totalRounds' | 'round' | 'placement' | 'phase' | 'epoch'>): string {
  const round = state.round;
  const placement = state.placement ?? round?.participants;
  return [
    `round ${round?.round ?? 0}/${state.totalRounds}`,
    `loss ${round ? formatLoss(round.loss) : '-'}`,
    `acc ${round ? formatPercent(round.accuracy) : '-'}`,
    placement ? formatPlacement(placement) : 'aws - · azure -',
    `${terminalSafe(state.phase)} e${state.epoch}`,
  ].join(' · ');
}

/** The closing line of a scenario: verdict, duration and the figures the verdict rests on. */
export function finishedText(report: DrillReport): string {
  const verdict = judgeReport(report);
  const figures =
    `examples lost ${report.examplesLost} · accuracy ${formatPercent(report.accuracy.final)} ` +
    `(baseline ${formatPercent(report.accuracy.baseline)}, ${formatPp(accuracyDeltaPp(report))}) · failovers ${report.failovers} · failbacks ${report.failbacks}`;
  return `${verdict.pass ? 'PASS' : 'FAIL'} in ${formatSeconds(report.durationMs)}: ${figures}${verdict.pass ? '' : ` -- ${verdict.failures.join('; ')}`}`;
}

/** A timeline entry as one log line: `t=9.91s brain failover-started: detail`. */
export function timelineText(entry: TimelineEntry): string {
  const detail = entry.detail ? `: ${terminalSafe(entry.detail)}` : '';
  return `t=${(entry.t / 1000).toFixed(2)}s ${entry.component} ${terminalSafe(entry.event)}${detail}`;
}

/** Creates the live view; the drill engine calls its observer methods and `close()` at the end. */
export function createProgressView(options: ProgressViewOptions = {}): ProgressView {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const json = options.json ?? false;
  const mode = progressMode(json, stdout);
  const out = json ? stderr : stdout;
  const states = new Map<Scenario, ScenarioState>();
  let bars: MultiBar | undefined;

  const state = (scenario: Scenario): ScenarioState => {
    let s = states.get(scenario);
    if (!s) {
      s = { totalRounds: 0, phase: INITIAL_PHASE, epoch: 0 };
      states.set(scenario, s);
    }
    return s;
  };
  const log = (scenario: Scenario, text: string) => {
    const line = `${tag(scenario).padEnd(SCENARIO_WIDTH + 2)} ${text}\n`;
    if (bars) bars.log(line);
    else out.write(line);
  };
  const redraw = (scenario: Scenario) => {
    const s = state(scenario);
    s.bar?.update(s.round?.round ?? 0, { status: statusText(s) });
  };
  const multiBar = () => {
    bars ??= new MultiBar({
      stream: out,
      format: `{scenario} {bar} {value}/{total} | {status}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      // No terminal modes and no signal handlers: Ctrl-C must stop the drill as usual and leave the terminal as it was
      // (cli-progress's gracefulExit would swallow SIGINT; a hidden cursor or disabled wrapping would outlive a kill).
      // Lines longer than the terminal are trimmed instead.
      hideCursor: false,
      linewrap: true,
      gracefulExit: false,
      clearOnComplete: false,
      autopadding: true,
      fps: 10,
    });
    return bars;
  };

  return {
    mode,
    scenarioStarted(scenario, totalRounds) {
      const s = state(scenario);
      s.totalRounds = totalRounds;
      if (mode === 'bars') {
        s.bar = multiBar().create(totalRounds, 0, { scenario: scenario.padEnd(SCENARIO_WIDTH), status: statusText(s) });
      } else {
        log(scenario, `started: ${totalRounds} rounds`);
      }
    },
    roundCommitted(scenario, round) {
      const s = state(scenario);
      s.round = round;
      if (mode === 'bars') redraw(scenario);
      else log(scenario, statusText(s));
    },
    placementChanged(scenario, placement) {
      const s = state(scenario);
      const before = s.placement;
      s.placement = { aws: placement.aws, azure: placement.azure };
      if (mode === 'bars') redraw(scenario);
      else if (!before || before.aws !== placement.aws || before.azure !== placement.azure) log(scenario, `trainers: ${formatPlacement(placement)}`);
    },
    phaseChanged(scenario, phase, epoch) {
      const s = state(scenario);
      s.phase = phase;
      s.epoch = epoch;
      log(scenario, `brain: ${terminalSafe(phase)} (epoch ${epoch})`);
      if (mode === 'bars') redraw(scenario);
    },
    timeline(scenario, entry) {
      const kind = markerKind(entry.event);
      if (options.verbose || (kind && LOGGED_MARKERS.has(kind))) log(scenario, timelineText(entry));
    },
    scenarioFinished(scenario, report) {
      const s = state(scenario);
      s.round = report.roundsDetail.reduce<RoundMetrics | undefined>((last, r) => (!last || r.round >= last.round ? r : last), s.round);
      if (s.bar) {
        s.bar.setTotal(Math.max(report.rounds, 1));
        s.bar.update(report.rounds, { status: statusText(s) });
      }
      log(scenario, finishedText(report));
    },
    close() {
      // MultiBar prints logged lines only on its next redraw, and stop() does not redraw: flush them first.
      bars?.update();
      bars?.stop();
      bars = undefined;
    },
  };
}
