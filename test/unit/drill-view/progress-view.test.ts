/** The live view: plain lines when stdout is not a terminal, stderr only with --json, bars on a terminal. */
import { Writable } from 'node:stream';
import type { DrillReport } from '../../../local/drill/report';
import { createProgressView, progressMode, SILENT_OBSERVER, type DrillObserver } from '../../../local/drill/view/progress-view';
import { sampleReport } from './sample-report';

/** A stream that keeps what was written; `isTTY` as a terminal or a pipe would report it. */
class CapturedStream extends Writable {
  readonly chunks: string[] = [];
  readonly columns = 160;
  constructor(readonly isTTY: boolean) {
    super({ write: (chunk: Buffer | string, _encoding, done) => (this.chunks.push(String(chunk)), done()) });
  }
  text(): string {
    return this.chunks.join('');
  }
}

/** Drives an observer the way the engine does for the sample scenario (first rounds, the failover, the end). */
function drive(observer: DrillObserver, report: DrillReport): void {
  const s = report.scenario;
  const event = (name: string) => report.timeline.find((e) => e.event === name);
  const round = (n: number) => report.roundsDetail.find((r) => r.round === n);
  observer.scenarioStarted(s, report.rounds);
  observer.placementChanged(s, { aws: 3, azure: 0 });
  for (const n of [1, 2]) observer.roundCommitted(s, round(n) ?? report.roundsDetail[0]!);
  for (const name of ['spot-warning', 'rule-matched', 'failover-started']) observer.timeline(s, event(name)!);
  observer.phaseChanged(s, 'failing-over', 1);
  observer.placementChanged(s, { aws: 2, azure: 0 });
  observer.placementChanged(s, { aws: 2, azure: 0 });
  observer.roundCommitted(s, round(3)!);
  observer.phaseChanged(s, 'azure-active', 2);
  observer.placementChanged(s, { aws: 2, azure: 1 });
  observer.roundCommitted(s, round(4)!);
  observer.scenarioFinished(s, report);
}

describe('progress view', () => {
  const report = sampleReport();

  it('writes plain lines to stdout when it is not a terminal (CI)', () => {
    const stdout = new CapturedStream(false);
    const stderr = new CapturedStream(false);
    const view = createProgressView({ stdout, stderr });
    expect(view.mode).toBe('lines');
    drive(view, report);
    view.close();
    expect(stdout.text().split('\n')).toStrictEqual([
      '[spot-interruption] started: 10 rounds',
      '[spot-interruption] trainers: aws 3 · azure 0',
      '[spot-interruption] round 1/10 · loss 1.569 · acc 46.1% · aws 3 · azure 0 · aws-primary e0',
      '[spot-interruption] round 2/10 · loss 1.092 · acc 64.4% · aws 3 · azure 0 · aws-primary e0',
      '[spot-interruption] t=9.77s aws spot-warning: EC2 Spot Instance Interruption Warning: i-0b7e41c2d9a3f5e18 (ip-10-0-2-41), terminate in 2 min',
      '[spot-interruption] brain: failing-over (epoch 1)',
      '[spot-interruption] trainers: aws 2 · azure 0',
      '[spot-interruption] round 3/10 · loss 0.780 · acc 76.1% · aws 2 · azure 0 · failing-over e1',
      '[spot-interruption] brain: azure-active (epoch 2)',
      '[spot-interruption] trainers: aws 2 · azure 1',
      '[spot-interruption] round 4/10 · loss 0.598 · acc 82.8% · aws 2 · azure 1 · azure-active e2',
      '[spot-interruption] PASS in 40.8 s: examples lost 0 · accuracy 94.6% (baseline 95.0%, -0.4 pp) · failovers 1 · failbacks 1',
      '',
    ]);
    expect(stderr.text()).toBe('');
  });

  it('with --json keeps stdout for the JSON report and writes the lines to stderr, even on a terminal', () => {
    const stdout = new CapturedStream(true);
    const stderr = new CapturedStream(true);
    const view = createProgressView({ json: true, stdout, stderr });
    expect(view.mode).toBe('lines');
    drive(view, report);
    view.close();
    expect(stdout.text()).toBe('');
    expect(stderr.text().split('\n')[0]).toBe('[spot-interruption] started: 10 rounds');
    expect(stderr.text().includes('\u001b')).toBe(false);
  });

  it('prints every timeline entry when verbose, with control characters made visible', () => {
    const stdout = new CapturedStream(false);
    const view = createProgressView({ stdout, verbose: true });
    view.timeline('aws-outage', { t: 1500, at: '2026-05-14T09:30:01.500Z', component: 'lambda', event: 'flush-requested', detail: 'a\u001b[2Jb\r\n' });
    expect(stdout.text()).toBe('[aws-outage]        t=1.50s lambda flush-requested: a\\u001b[2Jb\\r\\n\n');
  });

  it('says FAIL and why when a scenario fails', () => {
    const stdout = new CapturedStream(false);
    const view = createProgressView({ stdout });
    view.scenarioFinished('capacity-loss', sampleReport({ scenario: 'capacity-loss', examplesLost: 812 }));
    expect(stdout.text()).toBe(
      '[capacity-loss]     FAIL in 40.8 s: examples lost 812 · accuracy 94.6% (baseline 95.0%, -0.4 pp) · failovers 1 · failbacks 1 -- examples lost 812 (expected 0)\n',
    );
  });

  it('draws a bar per scenario on a terminal and logs the steps above it, without touching terminal modes or signals', () => {
    const stdout = new CapturedStream(true);
    const sigint = process.listenerCount('SIGINT');
    const view = createProgressView({ stdout });
    expect(view.mode).toBe('bars');
    drive(view, report);
    expect(process.listenerCount('SIGINT')).toBe(sigint); // Ctrl-C still ends the drill
    view.close();
    const text = stdout.text();
    expect(text.endsWith('\n')).toBe(true);
    expect(['\u001b[?25l', '\u001b[?7l'].filter((mode) => text.includes(mode))).toStrictEqual([]); // cursor and wrapping untouched
    expect(text).toContain('[spot-interruption] brain: azure-active (epoch 2)\n');
    expect(text).toContain('[spot-interruption] PASS in 40.8 s');
    expect(text).toMatch(/spot-interruption +█{24} 10\/10 \| round 10\/10 · loss 0\.229 · acc 94\.6% · aws 2 · azure 1 · azure-active e2/);
  });

  it('chooses bars only for a terminal without --json', () => {
    expect([progressMode(false, { isTTY: true } as never), progressMode(false, {} as never), progressMode(true, { isTTY: true } as never)]).toStrictEqual(['bars', 'lines', 'lines']);
  });

  it('offers a silent observer', () => {
    expect(() => drive(SILENT_OBSERVER, report)).not.toThrow();
  });
});
