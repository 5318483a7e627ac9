/**
 * The synthesized template passes cfn-lint (AWS's CloudFormation linter, from PyPI; `.ci/run` installs it), with
 * each remaining finding acknowledged here with its reason, as cdk-nag findings are. Skips visibly without cfn-lint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { findOnPath } from '../../support/find-on-path';
import { buildTestApp, exampleConfig } from './helpers';

const CFN_LINT = findOnPath('cfn-lint');
const NOTE = CFN_LINT ? '' : ' (skipped: cfn-lint is not on PATH; `pip install cfn-lint`)';
const lintIt = CFN_LINT ? it : it.skip;

/** Findings we keep, by rule: each is a property of CDK's output, not of our design. */
const ACKNOWLEDGED: Readonly<Record<string, string>> = {
  W3005: 'CDK lists a Lambda function\'s role in DependsOn although the function also references it; redundant, harmless',
};

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

describe(`cfn-lint${NOTE}`, () => {
  lintIt('finds nothing unacknowledged in the synthesized stack', () => {
    const built = buildTestApp(exampleConfig(), { bundle: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-cfn-lint-'));
    try {
      const file = path.join(dir, 'SpotOn.template.json');
      writeFileSync(file, JSON.stringify(Template.fromStack(built.stack).toJSON()));
      const result = spawnSync(CFN_LINT ?? 'cfn-lint', ['--format', 'json', '--', file], { encoding: 'utf8', timeout: 120_000 });
      expect(result.error).toBeUndefined();
      const findings = JSON.parse(result.stdout || '[]') as Finding[];
      const unacknowledged = findings
        .filter((finding) => ACKNOWLEDGED[finding.Rule.Id] === undefined)
        .map((finding) => `${finding.Rule.Id} at ${finding.Location.Path.join('/')}: ${finding.Message}`);
      expect(unacknowledged).toStrictEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      built.dispose();
    }
  });
});
