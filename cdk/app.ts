import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { SpotOnConfig } from './config';
import { SpotOnStack } from './lib/spot-on-stack';

export interface BuildAppOptions {
  /** Run the cdk-nag AwsSolutions checks at synth (findings make `app.synth()` throw). @default true */
  readonly nag?: boolean;
  /** Cloud assembly directory. @default CDK's default (context or a temp dir) */
  readonly outdir?: string;
  /** Extra context, e.g. feature flags (`cdk.json` supplies them when run by the CLI). */
  readonly context?: AppProps['context'];
  /** An app created by the caller (the CLI entry reads context from it first). @default a new App */
  readonly app?: App;
}

export interface SpotOnApp {
  readonly app: App;
  readonly stack: SpotOnStack;
}

/** Builds the Spot-On CDK app from a validated configuration; used by `cdk/bin/spot-on.ts` and the tests. */
export function buildApp(config: SpotOnConfig, options: BuildAppOptions = {}): SpotOnApp {
  const app = options.app ?? new App({ outdir: options.outdir, context: options.context });
  const stack = new SpotOnStack(app, config.stackName, {
    config,
    env: { account: config.account, region: config.region },
    description: `Spot-On (run ${config.runId}): Spot interruption reflexes, EKS health alarms and the VPN to Azure`,
  });
  for (const [key, value] of Object.entries(config.tags)) Tags.of(stack).add(key, value);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
