/**
 * `spot-on chaos --json` as a user runs it: the real components on the local cloud under attack. Every case must
 * pass, and every finding of the trust-boundary review must be a case of its own.
 */
import type { ChaosReport } from '../../local/chaos/run';
import { runSpotOn } from './support/spot-on';

describe('spot-on chaos', () => {
  let report: ChaosReport;
  let code: number | null;

  beforeAll(async () => {
    const result = await runSpotOn(['chaos', '--json']);
    code = result.code;
    // A run that printed no report says why on stderr: keep that in the failure, not just a JSON parse error.
    if (!result.stdout.trim().startsWith('{')) throw new Error(`spot-on chaos exited ${String(code)} with no report; stderr ends:\n${result.stderr.slice(-3000)}`);
    report = JSON.parse(result.stdout) as ChaosReport;
  }, 280_000);

  it('runs at least 120 cases and every one passes', () => {
    const failed = report.cases.filter((c) => !c.pass).map((c) => `${c.id}: expected "${c.expected}", observed "${c.observed}"`);
    expect({ code, failed, atLeast120: report.totals.cases >= 120 }).toStrictEqual({ code: 0, failed: [], atLeast120: true });
    expect(report.totals).toMatchObject({ failed: 0, passed: report.cases.length });
    expect(new Set(report.cases.map((c) => c.id)).size).toBe(report.cases.length);
  });

  it.each([
    ['an unsigned trainer route', 'aggregator-post-register/unsigned'],
    ['a fake heartbeat', 'aggregator-post-heartbeat/unsigned'],
    ['a forced leave', 'aggregator-post-leave/forged-a-key-of-no-purpose'],
    ['enormous finite weights', 'aggregator/update-with-a-weight-of-3e38'],
    ['a key of one purpose used for another', 'brain-post-api-signals/signed-with-another-purpose-s-key'],
    ['moving the epoch', 'aggregator/signed-post-epoch-to-2-53-1'],
    ['two updates for one shard', 'aggregator/second-update-for-one-shard-in-one-round'],
    ['an identity takeover', 'aggregator/registration-taking-a-live-trainer-s-id-from-another-node'],
    ['a flush for another instance', 'trainer/flush-naming-another-instance'],
    ['an ambiguous commit', 'faults/ambiguous-state-write'],
    ['a queue outage on a fresh host', 'faults/queue-down-when-the-failover-starts'],
    ['1,000 instance ids in the state', 'faults/failover-signal-naming-1000-instances'],
    ['a signal that is not JSON', 'brain/signal-as-text-plain'],
    ['a failover under faults', 'faults/the-failover-completes'],
  ])('covers %s as its own case', (_finding, id) => {
    expect(report.cases.find((c) => c.id === id)).toMatchObject({ pass: true });
  });
});
