import { onDemandCostUsd, simulate } from '../../../../finops/simulate/engine';
import { PolicyError } from '../../../../finops/simulate/errors';
import { discretise, IDLE, ON_DEMAND, spotIn } from '../../../../finops/simulate/model';
import { onDemandPolicy } from '../../../../finops/simulate/policies/on-demand';
import { hourly, scripted, windowOf } from './support';

describe('simulate (the engine)', () => {
  it('prices on-demand at exactly job hours x price, whatever the tick', () => {
    for (const [jobHours, tickSeconds, price] of [[48, 60, 3.06], [4, 3600, 3], [7.5, 600, 2.4]] as const) {
      const settings = discretise({ jobHours, deadlineHours: jobHours + 4, changeoverHours: 0.2, failoverHours: 0.5, failbackHours: 0.5, onDemandUsdPerHour: price, tickSeconds });
      const window = windowOf({ 'aws/a': '0'.repeat(settings.deadlineTicks) });
      const outcome = simulate(onDemandPolicy, window, settings);
      expect(outcome.costUsd).toBe(jobHours * price);
      expect(outcome.costUsd).toBe(onDemandCostUsd(settings));
      expect(outcome).toMatchObject({ missed: false, spotHours: 0, onDemandHours: jobHours, finishedHours: jobHours, moves: { changeover: 0, failover: 0, failback: 0 } });
    }
  });

  it('preempts at the start of a tick, charges a changeover at the target price and makes no progress during it', () => {
    // t0 a (free first placement), t1 a, t2 a is gone: on-demand (1 tick of changeover), t3 on-demand, t4 back to a (changeover), t5 a.
    const policy = scripted([spotIn(0), spotIn(0), ON_DEMAND, ON_DEMAND, spotIn(0), spotIn(0)]);
    const outcome = simulate(policy, windowOf({ 'aws/a': '110111' }), hourly());
    expect(outcome).toStrictEqual({
      costUsd: 1 + 1 + 3 + 3 + 1 + 1,
      missed: false,
      paidHours: 6,
      spotHours: 4,
      onDemandHours: 2,
      moves: { changeover: 2, failover: 0, failback: 0 },
      preemptions: 1,
      finishedHours: 6,
    });
  });

  it('prices each move by its kind, from the cloud holding the checkpoint', () => {
    const settings = hourly({ jobHours: 3, failoverHours: 2, failbackHours: 3 });
    const policy = scripted([spotIn(0), spotIn(1), spotIn(1), spotIn(1), spotIn(1)]);
    const outcome = simulate(policy, windowOf({ 'aws/a': '100000', 'azure/b': '111111' }), settings);
    expect(outcome).toMatchObject({ costUsd: 1 + 2 + 2, moves: { changeover: 0, failover: 1, failback: 0 }, finishedHours: 5, preemptions: 1 });
  });

  it('finishes a missed deadline on on-demand, with the changeover to it, and counts the miss', () => {
    const outcome = simulate(scripted([IDLE]), windowOf({ 'aws/a': '000000' }), hourly());
    expect(outcome).toStrictEqual({
      costUsd: (4 + 1) * 3,
      missed: true,
      paidHours: 5,
      spotHours: 0,
      onDemandHours: 5,
      moves: { changeover: 0, failover: 0, failback: 0 },
      preemptions: 0,
      finishedHours: undefined,
    });
  });

  it('loses what a changeover paid when the capacity goes during it', () => {
    // t0 idle, t1 move to a (2 ticks of changeover), t2 a is gone before the changeover ends: idle to the end.
    const settings = hourly({ jobHours: 2, changeoverHours: 2 });
    const outcome = simulate(scripted([IDLE, spotIn(0), IDLE]), windowOf({ 'aws/a': '010000' }), settings);
    expect(outcome).toMatchObject({ missed: true, spotHours: 1, preemptions: 1, moves: { changeover: 1 } });
    expect(outcome.costUsd).toBe(1 + (2 + 2) * 3);
  });

  it('refuses a policy that targets Spot capacity that is not there', () => {
    expect(() => simulate(scripted([spotIn(0)]), windowOf({ 'aws/a': '011111' }), hourly())).toThrow(PolicyError);
  });
});
