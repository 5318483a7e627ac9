/** `spot-on drill --config --values --terraform`: the drill reads a team's own deployment settings. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { drillDeployment, EXAMPLE_SOURCES } from '../../../local/drill/production/deployment';
import { DrillInputError, ownSources } from '../../../local/drill/production/sources';
import { findOnPath } from '../../support/find-on-path';

const HELM = findOnPath('helm');
const withHelm = HELM ? it : it.skip;
const NOTE = HELM ? '' : ' (skipped: helm is not on PATH)';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spot-on-drill-sources-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE_EKS = path.resolve(__dirname, '../../../fl-training/chart/examples/eks.yaml');

describe('ownSources', () => {
  it('reads the shipped examples when given nothing', () => {
    const { sources, cleanup } = ownSources({});
    cleanup();
    expect(sources).toStrictEqual(EXAMPLE_SOURCES);
  });

  it('says which cluster a values file is for when it cannot tell', () => {
    const file = path.join(dir, 'mine.yaml');
    writeFileSync(file, 'trainer:\n  replicas: 2\n');
    expect(() => ownSources({ values: [file] })).toThrow(new DrillInputError(`${file}: cannot tell which cluster it is for; set fl.cloud in it or pass eks=${file} / aks=${file}`));
  });

  it('takes the Terraform root module as a directory (or a .tf in it) with the tfvars terraform would read there', () => {
    writeFileSync(path.join(dir, 'terraform.tfvars'), 'subscription_id = "x"\n');
    const outputs = path.join(dir, 'azure-outputs.json');
    const fromDir = ownSources({ terraform: dir, terraformOutputs: outputs });
    const fromFile = ownSources({ terraform: path.join(dir, 'main.tf') });
    fromDir.cleanup();
    fromFile.cleanup();
    expect(fromDir.sources).toMatchObject({ terraform: dir, tfvars: path.join(dir, 'terraform.tfvars'), terraformOutputs: outputs });
    expect(fromFile.sources.terraform).toBe(dir);
  });

  it('refuses a function app bundle that does not exist, saying how to build one', () => {
    const missing = path.join(dir, 'dist', 'index.js');
    expect(() => ownSources({ functionsApp: missing })).toThrow(new DrillInputError(`--functions-app ${missing}: no such file (npm run build:functions makes azure-functions/dist/index.js)`));
  });

  withHelm(`renders your values with helm, runs what they say, and removes the renders${NOTE}`, async () => {
    const file = path.join(dir, 'two-trainers.yaml');
    writeFileSync(file, 'trainer:\n  replicas: 2\n');
    const { sources, cleanup } = ownSources({ values: [`eks=${EXAMPLE_EKS}`, `eks=${file}`] }, HELM);
    try {
      expect(sources.rendered.aks).toBe(EXAMPLE_SOURCES.rendered.aks);
      expect((await drillDeployment(sources)).awsTrainers).toBe(2);
    } finally {
      cleanup();
    }
    expect(existsSync(sources.rendered.eks)).toBe(false);
  });
});
