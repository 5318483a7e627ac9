/** `spot-on replay` as a user runs it: a recorded Spot warning, delivered three times, through the local cloud. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

describe('spot-on replay', () => {
  it('flushes the trainer once, signals once, fails over once and dead-letters the malformed event', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'bin/spot-on.cjs'), 'replay', 'events/aws.ec2/spot-interruption/terminate.json', 'events/malformed/wrong-types.json', '--duplicates', '3'],
      { cwd: ROOT, encoding: 'utf8', timeout: 170_000 },
    );
    expect(result.status).toBe(0);
    const summary = result.stdout.slice(result.stdout.indexOf('\nsummary\n'));
    expect(summary).toMatch(/trainer flushes: fl-trainer-aws-[0-9a-f]{5} on i-0abcd1234ef567890: \d+ examples, accepted\n/);
    expect(summary).toMatch(/signal Lambda: 1 signal\(s\) sent/);
    // The Lambda's one signal; the aggregator may add its own capacity-lost (its AWS trainer left) before the summary
    // is read, which the brain takes into the same incident (timing: more likely on a busy machine).
    expect(summary).toMatch(/brain: [12] signal\(s\) accepted, 0 duplicate\(s\), 0 refused/);
    expect(summary).toMatch(/aws-primary -> failing-over: capacity-lost /);
    expect(summary.match(/dead letter: malformed EC2 Spot Instance Interruption Warning .* instance-id: /g)).toHaveLength(3);
  }, 180_000);
});
