import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, type BuildAppOptions, type SpotOnApp } from '../../../cdk/app';
import { parseConfig, type SpotOnConfig } from '../../../cdk/config';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const EXAMPLE_CONFIG_PATH = path.join(REPO_ROOT, 'cdk', 'config.example.json');

/** The example configuration as raw JSON, for tests that derive variants from it. */
export function exampleConfigJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
}

/** The example configuration, validated, with `mutate` applied to the raw JSON first. */
export function exampleConfig(mutate: (json: Record<string, unknown>) => void = () => undefined): SpotOnConfig {
  const json = exampleConfigJson();
  mutate(json);
  return parseConfig(json, 'test');
}

/** The feature flags of cdk.json, so tests synthesize with the same flags as `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface TestApp extends SpotOnApp {
  /** Removes the temporary cloud assembly directory. */
  readonly dispose: () => void;
}

export interface TestAppOptions extends Omit<BuildAppOptions, 'outdir' | 'context' | 'app'> {
  /** Bundle the Lambdas with esbuild (slow); false skips bundling, for tests that only read the template. @default true */
  readonly bundle?: boolean;
}

/** Builds the app into a temporary directory with cdk.json's flags. */
export function buildTestApp(config: SpotOnConfig, options: TestAppOptions = {}): TestApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'spot-on-cdk-'));
  const context = { ...cdkJsonContext(), ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}) };
  const built = buildApp(config, { nag: options.nag, outdir, context });
  return { ...built, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

const scratchDirs: string[] = [];
afterAll(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An App for a construct test, synthesizing into a temporary folder removed after the test file: a bare `new App()`
 * leaves a `cdk.outXXXX` folder in the temp directory at every synthesis.
 */
export function scratchApp(): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'spot-on-cdk-'));
  scratchDirs.push(outdir);
  return new App({ outdir });
}

/** Every IAM policy statement of a synthesized template, with the logical id of its policy. */
export function policyStatements(template: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }) {
  const statements: { policy: string; Action: unknown; Resource: unknown; Effect: unknown }[] = [];
  for (const [policy, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = resource.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown; Effect: unknown }[] };
    for (const statement of document.Statement) statements.push({ policy, ...statement });
  }
  return statements;
}

/** Sets (or, with `undefined`, deletes) the setting at a dotted path such as `azure.vpn.vnetCidrs.0`. */
export function setAt(json: Record<string, unknown>, dottedPath: string, value: unknown): void {
  const keys = dottedPath.split('.');
  const last = keys.pop();
  if (last === undefined) throw new Error('empty path');
  let node: Record<string, unknown> = json;
  for (const key of keys) {
    const next = node[key];
    if (next === null || typeof next !== 'object') throw new Error(`no object at ${key} in ${dottedPath}`);
    node = next as Record<string, unknown>;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Moved to the preflight command, which runs the same rule on a team's configuration; re-exported for the CDK tests. */
export { breachingAlarmsWithoutProducer } from '../../../cli/preflight/alarm-producers';
