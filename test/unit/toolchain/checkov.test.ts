/**
 * checkov (a policy scanner, from PyPI; `.ci/run` installs a pinned one) over the three things a deployment applies:
 * the synthesized CloudFormation template, the Azure Terraform (terraform-azure/, the module through its example) and
 * the chart as helm renders it for each cluster. Every finding is either fixed or acknowledged with its reason, as
 * cdk-nag findings are: in the Terraform by a `# checkov:skip=<id>: <reason>` comment inside the resource, in the CDK
 * app by `checkov` metadata on the resource (cdk/lib/checkov.ts), and for the chart in CHART_ACKNOWLEDGED below (a
 * rendered manifest keeps no comments, and annotations would ship in every deployed object). Settings that a run by
 * hand needs too are in test/checkov.yaml. Skips visibly without checkov.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { findOnPath } from '../../support/find-on-path';
import { buildTestApp, exampleConfig } from '../cdk/helpers';
import { CHART_DIR, CLUSTERS, HELM, ROOT, helm, templateArgs } from '../fl-packaging/helpers';

const CHECKOV = findOnPath('checkov');
const NOTE = CHECKOV ? '' : ' (skipped: checkov is not on PATH; `pip install checkov`)';
const scanIt = CHECKOV ? it : it.skip;
// When every test of a file is skipped jest lists none of their names, so the reason is said here too.
if (!CHECKOV) console.warn(`checkov.test.ts${NOTE}`);

/** The rendered chart's deliberate findings, by check; each holds for every workload of both clusters. */
const CHART_ACKNOWLEDGED: Readonly<Record<string, string>> = {
  CKV_K8S_11:
    'CPU requests without CPU limits: a CFS quota would throttle data loading and aggregation while the node has idle cores; the requests reserve each pod its share, and memory is limited',
  CKV_K8S_15:
    'IfNotPresent: a Spot node must start training within the interruption notice and the GPU image is gigabytes; a release is pinned by image.digest (or an immutable tag), so a cached image is the right one',
  CKV_K8S_35:
    "The key rings reach the processes as environment variables from the workload's own Secret because protocol/keys.ts reads them from the environment only; the Secrets Store CSI driver (keys.source csi) or the operator fills that Secret",
  CKV_K8S_43:
    'The chart pins images by digest when image.digest is set (values.yaml); the examples render tags because a digest exists only after the release build',
  CKV2_K8S_6:
    'No NetworkPolicy yet: the aggregator is reached from EKS over the VPN and trainers from the interruption Lambda in the VPC, and a policy that misses one of these paths silently breaks failover; to be added with the per-cloud source ranges',
};

interface CheckovCheck {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_path: string;
  /** For a skipped check, the acknowledgement's reason. */
  readonly check_result: { readonly result: string; readonly suppress_comment?: string };
}

interface CheckovReport {
  readonly check_type: string;
  readonly results: { readonly failed_checks: readonly CheckovCheck[]; readonly skipped_checks: readonly CheckovCheck[] };
  readonly summary: { readonly resource_count: number; readonly parsing_errors: number };
}

const FRAMEWORKS = ['cloudformation', 'terraform', 'kubernetes'] as const;

/** Writes what checkov reads that is not a file of the repository: the synthesized template and the rendered chart. */
function writeArtifacts(dir: string): { cloudformation: string; kubernetes: string } {
  const cloudformation = path.join(dir, 'cloudformation');
  const kubernetes = path.join(dir, 'chart');
  mkdirSync(cloudformation);
  mkdirSync(kubernetes);
  const built = buildTestApp(exampleConfig(), { bundle: false });
  try {
    writeFileSync(path.join(cloudformation, 'SpotOn.template.json'), JSON.stringify(Template.fromStack(built.stack).toJSON()));
  } finally {
    built.dispose();
  }
  for (const cluster of CLUSTERS) {
    // Without helm, the committed rendering, which rendered-manifests.test.ts keeps equal to what helm renders.
    const rendered = HELM ? helm(templateArgs(cluster)) : { status: 0, stdout: readFileSync(path.join(CHART_DIR, 'rendered', `${cluster}.yaml`), 'utf8'), stderr: '' };
    if (rendered.status !== 0) throw new Error(`helm template (${cluster}) failed: ${rendered.stderr}`);
    writeFileSync(path.join(kubernetes, `${cluster}.yaml`), rendered.stdout);
  }
  return { cloudformation, kubernetes };
}

/** One checkov run over all three; its JSON reports (one per framework) are read from `outDir`. */
function runCheckov(dirs: readonly string[], outDir: string): CheckovReport[] {
  const args = ['--config-file', path.join(ROOT, 'test', 'checkov.yaml'), ...dirs.flatMap((dir) => ['--directory', dir]), '--output-file-path', outDir];
  // Offline, as unit tests are: no check for a newer checkov on PyPI, no policy mapping from the platform.
  const env = { ...process.env, CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', BC_SKIP_MAPPING: 'true' };
  const result = spawnSync(CHECKOV ?? 'checkov', args, { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  // checkov exits 1 when a check fails; the findings are judged below. Anything else is a broken run.
  if (result.status !== 0 && result.status !== 1) throw new Error(`checkov exited ${String(result.status)}: ${result.stderr}`);
  const parsed = JSON.parse(readFileSync(path.join(outDir, 'results_json.json'), 'utf8')) as CheckovReport | CheckovReport[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

describe(`checkov${NOTE}`, () => {
  let reports: CheckovReport[] = [];

  beforeAll(() => {
    if (!CHECKOV) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'spot-on-checkov-'));
    try {
      const artifacts = writeArtifacts(dir);
      reports = runCheckov([artifacts.cloudformation, path.join(ROOT, 'terraform-azure'), artifacts.kubernetes], path.join(dir, 'results'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  const report = (framework: string): CheckovReport | undefined => reports.find((candidate) => candidate.check_type === framework);
  const describeCheck = (framework: string, check: CheckovCheck): string => `${framework} ${check.check_id} ${check.resource} (${check.file_path}): ${check.check_name}`;

  scanIt.each(FRAMEWORKS)('parses every %s resource it is given', (framework) => {
    expect({ framework, scanned: (report(framework)?.summary.resource_count ?? 0) > 0, parsingErrors: report(framework)?.summary.parsing_errors }).toStrictEqual({
      framework,
      scanned: true,
      parsingErrors: 0,
    });
  });

  scanIt.each(FRAMEWORKS)('finds nothing unacknowledged in the %s', (framework) => {
    const failed = report(framework)?.results.failed_checks ?? [];
    const unacknowledged = failed.filter((check) => framework !== 'kubernetes' || CHART_ACKNOWLEDGED[check.check_id] === undefined);
    expect(unacknowledged.map((check) => describeCheck(framework, check))).toStrictEqual([]);
  });

  scanIt.each(FRAMEWORKS)('gives every %s acknowledgement a reason', (framework) => {
    const skipped = report(framework)?.results.skipped_checks ?? [];
    const reason = (check: CheckovCheck): string => (check.check_result.suppress_comment ?? '').trim();
    // checkov records "No comment provided" for a skip without one; a word or two is no reason either.
    const withoutReason = skipped.filter((check) => reason(check).length < 20 || /^no comment provided/i.test(reason(check)));
    expect(withoutReason.map((check) => describeCheck(framework, check))).toStrictEqual([]);
  });

  scanIt('keeps no chart acknowledgement that no finding needs', () => {
    const found = new Set((report('kubernetes')?.results.failed_checks ?? []).map((check) => check.check_id));
    expect(Object.keys(CHART_ACKNOWLEDGED).filter((id) => !found.has(id))).toStrictEqual([]);
  });
});
