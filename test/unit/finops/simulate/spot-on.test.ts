import * as brain from '../../../../azure-functions/src/domain/decide';
import { simulate } from '../../../../finops/simulate/engine';
import { discretise } from '../../../../finops/simulate/model';
import { awsSpotWaitPolicy } from '../../../../finops/simulate/policies/aws-spot-wait';
import { spotOnPolicy } from '../../../../finops/simulate/policies/spot-on';
import { windowOf } from './support';

// Minute ticks: the brain's own durations (120 s minimum phase, 600 s failback cooldown) are whole ticks.
const settings = discretise({ jobHours: 2, deadlineHours: 4, changeoverHours: 0.2, failoverHours: 0.5, failbackHours: 0.5, onDemandUsdPerHour: 3, tickSeconds: 60 });
const minutes = (spec: [number, '0' | '1'][]) => spec.map(([count, c]) => c.repeat(count)).join('');

describe('spot-on (the brain replayed)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('fails over on capacity-lost and back after aws-recovered, through the brain\'s own decide()', () => {
    // AWS a: up 30 min, lost 60 min, up again. Azure k: always up. The brain fails over at 30 min (first phase change:
    // no minimum phase), the failover takes 30 min (Azure active at 60), AWS is up at 90 and reports after a
    // changeover (12 min: 102); the cooldown (10 min) is long past: fail back, 30 min, AWS primary at 132.
    // Progress: 30 + 42 + 48 min = 2 h at 180 min; every paid minute at $1/h: $3.
    const window = windowOf({ 'aws/a': minutes([[30, '1'], [60, '0'], [150, '1']]), 'azure/k': '1'.repeat(240) });
    const decide = jest.spyOn(brain, 'decide');
    const outcome = simulate(spotOnPolicy, window, settings);
    expect(outcome.costUsd).toBeCloseTo(3, 9);
    expect({ ...outcome, costUsd: 3 }).toStrictEqual({
      costUsd: 3,
      missed: false,
      paidHours: 3,
      spotHours: 3,
      onDemandHours: 0,
      moves: { changeover: 0, failover: 1, failback: 1 },
      preemptions: 1,
      finishedHours: 3,
    });
    // The aggregator's aws-silent (no AWS trainer heard for 2 min) finds the failover under way: it only widens the cover.
    expect(decide.mock.calls.map(([, signal]) => signal.type)).toStrictEqual(['capacity-lost', 'aws-silent', 'aws-recovered']);
    expect(decide.mock.results.map((result) => (result.type === 'return' ? result.value.outcome : 'threw'))).toStrictEqual(['applied', 'applied', 'applied']);
  });

  it('defers an early aws-recovered to the end of the cooldown, and aborts the failover then (the brain\'s rules)', () => {
    // Changeover 6 min. a is lost at 30 min; b (AWS) is up throughout, so AWS trainers report again at 36, inside
    // the 10-min cooldown: the brain defers aws-recovered to 40, the continuation re-evaluates it then and aborts the
    // failover (failing-over -> failing-back). The job paid 10 min of a failover it never finished, moved to b
    // (6 min) and trained the 90 min left: done at 136 min, every paid minute at $1/h.
    const quick = discretise({ ...settings.hours, changeoverHours: 0.1 });
    const window = windowOf({ 'aws/a': minutes([[30, '1'], [210, '0']]), 'aws/b': '1'.repeat(240), 'azure/k': '1'.repeat(240) });
    const decide = jest.spyOn(brain, 'decide');
    const reconsider = jest.spyOn(brain, 'reconsiderDeferred');
    const outcome = simulate(spotOnPolicy, window, quick);
    expect(decide.mock.calls.map(([, signal]) => signal.type)).toStrictEqual(['capacity-lost', 'aws-silent', 'aws-recovered']);
    expect(decide.mock.results.map((result) => (result.type === 'return' ? result.value.outcome : 'threw'))).toStrictEqual(['applied', 'applied', 'deferred']);
    expect(reconsider.mock.results.map((result) => (result.type === 'return' ? result.value.outcome : 'threw'))).toStrictEqual(['applied']);
    expect(outcome.moves).toStrictEqual({ changeover: 1, failover: 1, failback: 0 });
    expect(outcome.finishedHours).toBeCloseTo(136 / 60, 9);
    expect(outcome.costUsd).toBeCloseTo(136 / 60, 9);
  });

  it('never moves without an Azure pool: the brain ignores capacity-lost (no Azure nodes), like aws-spot-wait', () => {
    const window = windowOf({ 'aws/a': minutes([[30, '1'], [60, '0'], [150, '1']]) });
    const decide = jest.spyOn(brain, 'decide');
    expect(simulate(spotOnPolicy, window, settings)).toStrictEqual(simulate(awsSpotWaitPolicy, window, settings));
    expect(decide.mock.results.map((result) => (result.type === 'return' ? result.value.outcome : 'threw'))).toStrictEqual(['ignored', 'ignored', 'ignored']);
  });

  it('aborts the failover when the Azure pool has no capacity (AllocationFailed) and waits for AWS, ahead of its deadline', () => {
    // 16 h deadline: at 31 min the job is 25 % done and the line (counting the 30-min move) at 6 %: wait for Spot,
    // which is back at 80 min; a changeover, and the 90 min left: done at 182 min, all of it on Spot.
    const relaxed = discretise({ ...settings.hours, deadlineHours: 16 });
    const window = windowOf({ 'aws/a': minutes([[30, '1'], [50, '0'], [880, '1']]), 'azure/k': '0'.repeat(960) });
    const outcome = simulate(spotOnPolicy, window, relaxed);
    expect(outcome).toMatchObject({ missed: false, onDemandHours: 0, moves: { changeover: 1, failover: 0, failback: 0 }, spotHours: 2.2 });
    expect(outcome.finishedHours).toBeCloseTo(182 / 60, 9);
  });

  it('moves the refused failover to on-demand when the job is behind its uniform progress line (the safety net)', () => {
    // 4 h deadline: at 31 min the job is 25 % done and the line, counting the move, is at 25.4 %: on-demand from
    // then (a 12-min changeover), back to AWS Spot when it returns at 90 min; done at 145 min.
    const window = windowOf({ 'aws/a': minutes([[30, '1'], [60, '0'], [150, '1']]), 'azure/k': '0'.repeat(240) });
    const outcome = simulate(spotOnPolicy, window, settings);
    expect(outcome).toMatchObject({ missed: false, moves: { changeover: 2, failover: 0, failback: 0 }, finishedHours: 145 / 60 });
    expect([outcome.onDemandHours, outcome.spotHours]).toStrictEqual([70 / 60, 74 / 60]);
  });
});
