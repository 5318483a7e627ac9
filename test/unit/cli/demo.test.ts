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

  it('routes a capacity-reservation warning by its own rule, and flushes and signals', () => {
    expect(row('aws.ec2/capacity-reservation-interruption/interruptible-reservation.json')).toStrictEqual({
      file: 'aws.ec2/capacity-reservation-interruption/interruptible-reservation.json',
      rules: ['capacityReservationInterruption'],
      outcome: 'capacity-reservation-interruption -> flush i-0f2a4c6e8b1d3f570 + signal capacity-lost',
      detail: 'reserved capacity reclaimed: terminate at 2026-11-21T09:32:40Z; flush and report the lost capacity',
    });
  });

  it('takes a lifecycle hook out of its SNS envelope (it reaches the queue without EventBridge) and flushes', () => {
    expect(row('aws.autoscaling/terminate-lifecycle/sns-envelope.json')).toStrictEqual({
      file: 'aws.autoscaling/terminate-lifecycle/sns-envelope.json',
      rules: null,
      outcome: 'asg-terminate-lifecycle -> flush i-05b7d9f1a3c2e4680 + signal capacity-lost',
      detail: 'Auto Scaling is terminating the instance (eks-gpu-spot-2ec9a7b1-4d3f-8e60-5a1c-7b9d2f4e6a08): flush and report',
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
    expect(count(/^capacity-reservation-interruption -> flush /)).toBe(2);
    // Files of several SQS messages (a Lambda batch, a dead-letter dump) are not one event: left out.
    expect(events.map((e) => e.file).filter((file) => file.startsWith('sqs/'))).toStrictEqual(['sqs/record-spot-interruption.json']);
  });
});
