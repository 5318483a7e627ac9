import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../app';
import { ConfigError, loadConfig } from '../config';

/**
 * CDK app entry (`cdk.json`). The configuration file comes from context `config`, SPOT_ON_CONFIG, or the example;
 * the Azure Terraform outputs (`terraform output -json`), if any, from context `azureOutputs` or SPOT_ON_AZURE_OUTPUTS.
 */
const DEFAULT_CONFIG = path.join(__dirname, '..', 'config.example.json');

const app = new App();
const fromContext = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' ? value : undefined;
};
const configPath = path.resolve(fromContext('config') ?? process.env.SPOT_ON_CONFIG ?? DEFAULT_CONFIG);
const outputsPath = fromContext('azureOutputs') ?? process.env.SPOT_ON_AZURE_OUTPUTS;
try {
  buildApp(loadConfig(configPath, { terraformOutputsPath: outputsPath === undefined ? undefined : path.resolve(outputsPath) }), { app });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
