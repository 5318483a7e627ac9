/**
 * Variants of the shipped example files for the preflight tests: each variant is a copy of the examples in its own
 * folder of one temporary directory (removed by `dispose`), with one file changed the way a team might get it wrong.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { readValuesFile, releaseValues } from '../../../cli/preflight/inputs/chart-values';
import { defaultOptions, type PreflightOptions } from '../../../cli/preflight/inputs/load';

type Json = Record<string, unknown>;

/** What a variant changes; every function edits a copy of the shipped file. */
export interface Changes {
  readonly config?: (json: Json) => void;
  /** fl-training/chart/examples/eks.yaml (the per-installation overlay). */
  readonly eks?: (values: Json) => void;
  readonly aks?: (values: Json) => void;
  /** terraform-azure/examples/default/main.tf, as text. */
  readonly mainTf?: (text: string) => string;
  readonly tfvars?: (text: string) => string;
  /** The EC2NodeClass document of fl-training/deploy/karpenter. */
  readonly nodeClass?: (document: Json) => void;
  /** Extra files, by name, whose paths `options` receives. */
  readonly files?: Readonly<Record<string, string>>;
}

/** Replaces `from` with `to` in `text`, failing when `from` is not there exactly once (so a stale variant is loud). */
export function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`expected one ${JSON.stringify(from)}, found ${parts.length - 1}`);
  return parts.join(to);
}

export class Variants {
  private readonly root = mkdtempSync(join(tmpdir(), 'spot-on-preflight-test-'));
  private count = 0;

  /** Options that point at the shipped examples, except where `changes` wrote a variant; no CDK synth unless asked. */
  options(changes: Changes = {}, overrides: (files: Record<string, string>) => Partial<PreflightOptions> = () => ({})): PreflightOptions {
    const shipped = defaultOptions();
    const dir = join(this.root, `variant-${++this.count}`);
    mkdirSync(dir);
    const options: { -readonly [K in keyof PreflightOptions]: PreflightOptions[K] } = { ...shipped, synth: false };
    if (changes.config) options.config = this.writeJson(dir, shipped.config, changes.config);
    const values = [...shipped.values];
    for (const cluster of ['eks', 'aks'] as const) {
      const change = changes[cluster];
      if (change === undefined) continue;
      const index = values.findIndex((item) => item.cluster === cluster && item.file.includes(`examples`));
      const item = values[index];
      if (item === undefined) throw new Error(`no ${cluster} example in the shipped values`);
      values[index] = { cluster, file: this.writeYaml(dir, item.file, `${cluster}.yaml`, change) };
    }
    options.values = values;
    if (changes.mainTf || changes.tfvars) {
      const terraformDir = join(dir, 'terraform');
      cpSync(shipped.terraformDir, terraformDir, { recursive: true });
      if (changes.mainTf) this.editText(join(terraformDir, 'main.tf'), changes.mainTf);
      options.terraformDir = terraformDir;
      if (changes.tfvars && shipped.tfvars !== undefined) {
        options.tfvars = join(terraformDir, basename(shipped.tfvars));
        this.editText(options.tfvars, changes.tfvars);
      }
    }
    if (changes.nodeClass) {
      options.karpenter = shipped.karpenter.map((file) => {
        const documents = parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as Json);
        if (!documents.some((document) => document.kind === 'EC2NodeClass')) return file;
        documents.filter((document) => document.kind === 'EC2NodeClass').forEach((document) => changes.nodeClass?.(document));
        const path = join(dir, basename(file));
        writeFileSync(path, documents.map((document) => stringify(document)).join('---\n'));
        return path;
      });
    }
    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries(changes.files ?? {})) {
      files[name] = join(dir, name);
      writeFileSync(files[name], text);
    }
    return { ...options, ...overrides(files) };
  }

  /** Removes every variant. */
  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private writeJson(dir: string, source: string, change: (json: Json) => void): string {
    const json = JSON.parse(readFileSync(source, 'utf8')) as Json;
    change(json);
    const path = join(dir, basename(source));
    writeFileSync(path, JSON.stringify(json, null, 2));
    return path;
  }

  private writeYaml(dir: string, source: string, name: string, change: (values: Json) => void): string {
    const values = (parse(readFileSync(source, 'utf8')) ?? {}) as Json;
    change(values);
    const path = join(dir, name);
    writeFileSync(path, stringify(values));
    return path;
  }

  private editText(path: string, change: (text: string) => string): void {
    writeFileSync(path, change(readFileSync(path, 'utf8')));
  }
}

/** The object at `path` inside `json`, created where missing, for a variant to change. */
export function objectAt(json: Json, ...path: string[]): Json {
  let node = json;
  for (const key of path) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  return node;
}

/** trainer.replicas of the shipped EKS release (values.yaml, values-eks.yaml, examples/eks.yaml merged). */
export function shippedEksReplicas(): number {
  const shipped = defaultOptions();
  const files = shipped.values.filter((item) => item.cluster === 'eks').map(({ file }) => ({ file, values: readValuesFile(file) }));
  return releaseValues(readValuesFile(join(shipped.chartDir, 'values.yaml')), files, 'eks').trainer.replicas;
}
