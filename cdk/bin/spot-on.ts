import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../app';
import { ConfigError, loadConfig } from '../config';

/** CDK app entry (`cdk.json`): the configuration file comes from context `config`, SPOT_ON_CONFIG, or the example. */
const DEFAULT_CONFIG = path.join(__dirname, '..', 'config.example.json');

const app = new App();
const fromContext: unknown = app.node.tryGetContext('config');
const configPath = path.resolve(typeof fromContext === 'string' ? fromContext : (process.env.SPOT_ON_CONFIG ?? DEFAULT_CONFIG));
try {
  buildApp(loadConfig(configPath), { app });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
