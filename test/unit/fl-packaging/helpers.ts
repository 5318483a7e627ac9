import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findOnPath } from '../../support/find-on-path';

/** Shared readers for the FL packaging tests: YAML documents, values trees, Helm template actions, Dockerfiles. */

export const ROOT = resolve(__dirname, '../../..');
export const CHART_DIR = join(ROOT, 'fl-training/chart');
export const TEMPLATES_DIR = join(CHART_DIR, 'templates');
export const DEPLOY_DIR = join(ROOT, 'fl-training/deploy');
export const DOCKER_DIR = join(ROOT, 'fl-training/docker');

export type YamlMap = { readonly [key: string]: unknown };

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Every non-empty document of a YAML file; a syntax error (or a duplicate key) fails the test that reads it. */
export function loadDocuments(path: string): YamlMap[] {
  const documents = parseAllDocuments(readText(path), { uniqueKeys: true });
  return documents.flatMap((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${path} document ${index}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return [];
    if (!isMap(value)) throw new Error(`${path} document ${index}: expected a mapping`);
    return [value];
  });
}

/** The single document of a YAML file. */
export function loadDocument(path: string): YamlMap {
  const documents = loadDocuments(path);
  if (documents.length !== 1) throw new Error(`${path}: expected one document, found ${documents.length}`);
  return documents[0] as YamlMap;
}

export function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => join(dir, name));
}

/** The value at a dotted path (keys may themselves contain dots, so the path is an array). */
export function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isMap(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function mapAt(value: unknown, path: readonly string[]): YamlMap {
  const found = at(value, path);
  if (!isMap(found)) throw new Error(`${path.join('.')}: expected a mapping, got ${JSON.stringify(found)}`);
  return found;
}

export function listAt(value: unknown, path: readonly string[]): unknown[] {
  const found = at(value, path);
  if (!Array.isArray(found)) throw new Error(`${path.join('.')}: expected a list, got ${JSON.stringify(found)}`);
  return found;
}

/** Helm's values merge: mappings merge key by key, everything else (lists included) replaces. */
export function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isMap(base) || !isMap(overlay)) return overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** An empty mapping or a list in values.yaml is free-form: anything may be set below it. */
function isFreeForm(value: unknown): boolean {
  return Array.isArray(value) || (isMap(value) && Object.keys(value).length === 0);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (isMap(value)) return 'map';
  return typeof value;
}

/**
 * Problems of an overlay against the defaults: keys values.yaml does not declare (typos would be ignored silently
 * by Helm), and values whose kind differs from the default's (a map where a string is expected, ...).
 */
export function overlayProblems(base: unknown, overlay: unknown, path: readonly string[] = []): string[] {
  if (!isMap(overlay)) return [];
  if (!isMap(base)) return [`${path.join('.') || '(root)'}: not a mapping in values.yaml`];
  if (Object.keys(base).length === 0) return [];
  return Object.entries(overlay).flatMap(([key, value]) => {
    const here = [...path, key];
    if (!(key in base)) return [`${here.join('.')}: not declared in values.yaml`];
    const declared = base[key];
    if (isFreeForm(declared)) return kindOf(value) === kindOf(declared) ? [] : [`${here.join('.')}: ${kindOf(value)} where values.yaml has a ${kindOf(declared)}`];
    if (isMap(declared)) return isMap(value) ? overlayProblems(declared, value, here) : [`${here.join('.')}: ${kindOf(value)} where values.yaml has a map`];
    if (declared !== null && value !== null && kindOf(value) !== kindOf(declared)) {
      return [`${here.join('.')}: ${kindOf(value)} where values.yaml has a ${kindOf(declared)}`];
    }
    return [];
  });
}

/** Whether `.Values.<path>` can be read from these values (free-form maps accept any deeper key). */
export function valuePathExists(values: unknown, path: readonly string[]): boolean {
  let current = values;
  for (const key of path) {
    if (!isMap(current)) return false;
    if (Object.keys(current).length === 0) return true;
    if (!(key in current)) return false;
    current = current[key];
  }
  return true;
}

/** Paths of the leaves of a values tree; lists and empty maps count as leaves. */
export function valueLeaves(values: unknown, path: readonly string[] = []): string[][] {
  if (!isMap(values) || Object.keys(values).length === 0) return [[...path]];
  return Object.entries(values).flatMap(([key, value]) => valueLeaves(value, [...path, key]));
}

interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

/** Whether a toleration list tolerates a taint (the Kubernetes matching rules for key, operator, value, effect). */
export function tolerates(tolerations: readonly unknown[], taint: { key: string; value?: string; effect: string }): boolean {
  return tolerations.some((item) => {
    if (!isMap(item)) return false;
    const toleration = item as Toleration;
    if (toleration.effect !== undefined && toleration.effect !== taint.effect) return false;
    if (toleration.key === undefined) return toleration.operator === 'Exists';
    if (toleration.key !== taint.key) return false;
    return toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
  });
}

// ---- Helm templates ------------------------------------------------------------------------------------------------

export interface TemplateAction {
  /** The text between the delimiters, without trim markers, trimmed. */
  readonly body: string;
  readonly line: number;
}

export interface TemplateScan {
  readonly actions: TemplateAction[];
  readonly problems: string[];
}

function lineAt(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

/** Splits a Go template into its `{{ }}` actions, skipping quoted strings and comments inside them. */
export function scanTemplate(source: string): TemplateScan {
  const actions: TemplateAction[] = [];
  const problems: string[] = [];
  let offset = 0;
  for (;;) {
    const open = source.indexOf('{{', offset);
    const strayClose = source.indexOf('}}', offset);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      problems.push(`line ${lineAt(source, strayClose)}: "}}" outside an action`);
    }
    if (open === -1) break;
    let index = open + 2;
    const trimmedStart = source.startsWith('-', index) ? index + 1 : index;
    const afterSpace = source.slice(trimmedStart).match(/^\s*/)?.[0].length ?? 0;
    let close = -1;
    if (source.startsWith('/*', trimmedStart + afterSpace)) {
      const commentEnd = source.indexOf('*/', trimmedStart + afterSpace + 2);
      if (commentEnd !== -1) {
        const rest = source.slice(commentEnd + 2).match(/^\s*-?\}\}/);
        close = rest ? commentEnd + 2 + rest[0].length - 2 : -1;
      }
      if (close === -1) {
        problems.push(`line ${lineAt(source, open)}: comment not closed by "*/}}"`);
        break;
      }
      offset = close + 2;
      continue;
    }
    let quote: string | undefined;
    while (index < source.length) {
      const char = source[index];
      if (quote) {
        if (char === '\\' && quote === '"') index += 1;
        else if (char === quote) quote = undefined;
      } else if (char === '"' || char === '`') {
        quote = char;
      } else if (source.startsWith('}}', index)) {
        close = index;
        break;
      } else if (source.startsWith('{{', index)) {
        break;
      }
      index += 1;
    }
    if (close === -1) {
      problems.push(`line ${lineAt(source, open)}: "{{" without a matching "}}"`);
      break;
    }
    let body = source.slice(open + 2, close);
    if (body.startsWith('-')) body = body.slice(1);
    if (body.endsWith('-')) body = body.slice(0, -1);
    actions.push({ body: body.trim(), line: lineAt(source, open) });
    offset = close + 2;
  }
  return { actions, problems };
}

const OPENERS = new Set(['if', 'range', 'with', 'define', 'block']);

/** Problems with `if/range/with/define/block ... end` nesting, including `else` outside a block that allows it. */
export function blockProblems(actions: readonly TemplateAction[]): string[] {
  const problems: string[] = [];
  const stack: { keyword: string; line: number }[] = [];
  for (const action of actions) {
    const keyword = action.body.split(/\s+/)[0] ?? '';
    if (OPENERS.has(keyword)) {
      stack.push({ keyword, line: action.line });
    } else if (keyword === 'else') {
      const top = stack[stack.length - 1];
      if (!top || !['if', 'with', 'range'].includes(top.keyword)) problems.push(`line ${action.line}: else outside if/with/range`);
    } else if (keyword === 'end') {
      if (!stack.pop()) problems.push(`line ${action.line}: end without an open block`);
    }
  }
  for (const open of stack) problems.push(`line ${open.line}: ${open.keyword} is never closed by end`);
  return problems;
}

/** `.Values.a.b.c` paths an action reads (including `$.Values...` and `.root.Values...` in helpers). */
export function valuesReferences(actions: readonly TemplateAction[]): string[][] {
  const paths: string[][] = [];
  for (const action of actions) {
    for (const match of action.body.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      paths.push((match[1] ?? '').slice(1).split('.'));
    }
  }
  return paths;
}

export function definedTemplates(actions: readonly TemplateAction[]): string[] {
  return actions.flatMap((action) => {
    const match = /^define\s+"([^"]+)"/.exec(action.body);
    return match?.[1] ? [match[1]] : [];
  });
}

export function includedTemplates(actions: readonly TemplateAction[]): string[] {
  return actions.flatMap((action) => [...action.body.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)].map((match) => match[1] ?? ''));
}

// ---- Dockerfiles ---------------------------------------------------------------------------------------------------

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

export interface Stage {
  /** The base image with global ARG defaults substituted. */
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

export interface Dockerfile {
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: Stage[];
}

function substitute(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const name = braced ?? bare ?? '';
    return args.get(name) ?? whole;
  });
}

/** Instructions by stage; continuation lines joined, comments and blank lines dropped, as the builder does. */
export function parseDockerfile(source: string): Dockerfile {
  const instructions: Instruction[] = [];
  let buffer = '';
  let startLine = 0;
  source.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && buffer === '')) return;
    if (buffer === '') startLine = index + 1;
    if (/\\\s*$/.test(line)) {
      buffer += `${line.replace(/\\\s*$/, '')} `;
      return;
    }
    buffer += line;
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(buffer);
    if (match) instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: startLine });
    buffer = '';
  });
  if (buffer.trim() !== '') throw new Error('Dockerfile ends inside a line continuation');

  const globalArgs = new Map<string, string>();
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        from: substitute(words[0] ?? '', globalArgs),
        ...(asIndex !== -1 && words[asIndex + 1] ? { name: words[asIndex + 1] } : {}),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      const [name, ...rest] = instruction.args.split('=');
      globalArgs.set((name ?? '').trim(), rest.join('=').replace(/^"(.*)"$/, '$1'));
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The JSON (exec) form of an instruction's arguments, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === 'string')) return undefined;
  return parsed;
}

// ---- tools ---------------------------------------------------------------------------------------------------------

export { findOnPath };

// ---- helm ---------------------------------------------------------------------------------------------------------

export const HELM = findOnPath('helm');
/** ` (skipped: helm is not on PATH)` when helm is absent, for test names, so a skip is visible in the report. */
export const HELM_NOTE = HELM ? '' : ' (skipped: helm is not on PATH)';

export const CLUSTERS = ['eks', 'aks'] as const;
export type Cluster = (typeof CLUSTERS)[number];

/** Seconds from each cloud's Spot notice to the end of the instance (AWS: the 2-minute warning; Azure: >= 30 s). */
export const SPOT_NOTICE_SECONDS = { aws: 120, azure: 30 } as const;

/** A value given on the command line: null deletes the key (Helm's rule), strings stay strings. */
export type Override = string | number | boolean | null;

/**
 * `helm template` arguments for a cluster, relative to the repository root: its overlay, the example per-installation
 * settings (fl-training/chart/examples/<cluster>.yaml), then overrides. Without overrides this is exactly the command
 * whose output is committed as fl-training/chart/rendered/<cluster>.yaml.
 */
export function templateArgs(cluster: Cluster, overrides: Readonly<Record<string, Override>> = {}): string[] {
  return [
    'template',
    'spot-on-fl',
    'fl-training/chart',
    '--namespace',
    'fl',
    // The chart needs >= 1.30; AKS and EKS run 1.33.
    '--kube-version',
    '1.33.0',
    '-f',
    `fl-training/chart/values-${cluster}.yaml`,
    '-f',
    `fl-training/chart/examples/${cluster}.yaml`,
    ...Object.entries(overrides).flatMap(([key, value]) => (typeof value === 'string' ? ['--set-string', `${key}=${value}`] : ['--set', `${key}=${String(value)}`])),
  ];
}

export interface HelmResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm in the repository root (the arguments above are relative to it). */
export function helm(args: readonly string[]): HelmResult {
  const result = spawnSync(HELM ?? 'helm', args, { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The objects of a multi-document manifest; invalid YAML throws, naming `what`. */
export function parseManifests(text: string, what: string): YamlMap[] {
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const errors = documents.flatMap((document) => document.errors.map((error) => error.message));
  if (errors.length > 0) throw new Error(`${what} is not valid YAML: ${errors.join('; ')}`);
  return documents.map((document) => document.toJS() as unknown).filter(isMap);
}

/** Renders with helm and parses the objects; a failed render throws with helm's message. */
export function renderObjects(cluster: Cluster, overrides: Readonly<Record<string, Override>> = {}): YamlMap[] {
  const result = helm(templateArgs(cluster, overrides));
  if (result.status !== 0) throw new Error(`helm template (${cluster}) failed: ${result.stderr}`);
  return parseManifests(result.stdout, `helm template (${cluster})`);
}

/** Duration like `15m`, `168h`, `90s`, `1h30m` in seconds. */
export function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  const unit = { h: 3600, m: 60, s: 1 } as const;
  return parts.reduce((sum, part) => sum + Number(part[1]) * unit[part[2] as keyof typeof unit], 0);
}
