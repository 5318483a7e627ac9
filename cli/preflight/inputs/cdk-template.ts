/**
 * The CloudFormation template `cdk deploy` would create from a configuration, synthesized offline: no cdk-nag (its
 * findings are `npm run synth`'s business), no Lambda bundling (only the template is read), cdk.json's feature flags.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../../cdk/app';
import type { SpotOnConfig } from '../../../cdk/config';
import type { CfnTemplate } from '../alarm-producers';

/** Context that skips asset bundling for every stack (as test/unit/cdk/helpers.ts buildTestApp does). */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The feature flags of a cdk.json, so the template matches what `cdk synth` makes. */
export function cdkJsonContext(cdkJsonPath: string): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** Synthesizes the Spot-On stack for `config` into a temporary directory (removed afterwards) and returns its template. */
export function synthesizeTemplate(config: SpotOnConfig, cdkJsonPath: string): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'spot-on-preflight-'));
  try {
    const { app, stack } = buildApp(config, { nag: false, outdir, context: { ...cdkJsonContext(cdkJsonPath), ...NO_BUNDLING } });
    return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
