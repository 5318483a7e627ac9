import { demoRow, runDemo, type DemoRow } from '../../../cli/commands/demo';
import { readEventText } from '../../support/events';

const row = (file: string) => demoRow(file, readEventText(file));

describe('spot-on demo', () => {
  it('flushes and signals on a Spot warning', () => {
    expect(row('aws.ec2/spot-interruption/real-world-arn.json')).toStrictEqual({
      file: 'aws.ec2/spot-interruption/real-world-arn.json',
      rules: ['spotInterruption'],
      outcome: 'spot-interruption -> flush i-07c3e5a9b1d2f4608 + signal capacity-lost',
      detail: 'Spot terminate in two minutes: flush and report the lost capacity',
    });
  });

  it('never routes a decoy, and dead-letters malformed events with the reason', () => {
    expect(row('decoys/s3-object-created.json')).toMatchObject({ rules: [], outcome: 'not routed' });
    expect(row('malformed/unknown-instance-action.json')).toMatchObject({ rules: ['spotInterruption'], outcome: 'dead-letter' });
    expect(row('malformed/not-json.json')).toMatchObject({ rules: null, outcome: 'dead-letter', detail: expect.stringMatching(/^event is not JSON/) });
  });

  it('reports the whole corpus as JSON', () => {
    const { stdout } = runDemo(true);
    const { events } = JSON.parse(stdout[0] ?? '') as { events: DemoRow[] };
    const count = (outcome: RegExp) => events.filter((e) => outcome.test(e.outcome)).length;
    expect(count(/signal aws-unhealthy$/)).toBe(1);
    expect(count(/signal aws-recovered$/)).toBe(1);
    expect(count(/^dead-letter$/)).toBe(8);
    expect(count(/^not routed$/)).toBeGreaterThanOrEqual(8);
  });
});
