/**
 * The Azure Terraform (terraform-azure/) parsed into JSON with hcl2json, plus small accessors the test files share.
 * hcl2json turns every block into an array of bodies and every expression into a "${...}" string; literals stay
 * literals. Also finds the terraform binary, so tests that need it can skip visibly when it is missing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { findOnPath } from '../../../support/find-on-path';

export const ROOT = resolve(__dirname, '../../../..');
export const MODULE_DIR = join(ROOT, 'terraform-azure');
export const EXAMPLE_MAIN = 'examples/default/main.tf';

export type HclObject = { readonly [key: string]: unknown };

interface ParsedFile {
  readonly source: string;
  readonly json?: HclObject;
  readonly error?: unknown;
}

function listTfFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === '.terraform' ? [] : listTfFiles(path);
      return name.endsWith('.tf') ? [path] : [];
    })
    .sort();
}

/** Every .tf file, relative to terraform-azure/. */
export const TF_FILES = listTfFiles(MODULE_DIR).map((path) => relative(MODULE_DIR, path));
/** The module's own files (not the example). */
export const MODULE_FILES = TF_FILES.filter((path) => !path.includes('/'));
/** The runnable example's files. */
export const EXAMPLE_FILES = TF_FILES.filter((path) => path.startsWith('examples/default/'));

export function isObject(value: unknown): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): HclObject {
  if (!isObject(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

/** All bodies of a block (a block written n times is an array of n bodies). */
export function blocks(value: unknown, what: string): HclObject[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a block, got ${JSON.stringify(value)}`);
  return value.map((body, index) => asObject(body, `${what}[${index}]`));
}

/** The body of a block that is written exactly once. */
export function single(value: unknown, what: string): HclObject {
  const bodies = blocks(value, what);
  if (bodies.length !== 1) throw new Error(`${what}: expected one block, found ${bodies.length}`);
  return bodies[0] as HclObject;
}

export function stringAt(body: HclObject, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new Error(`${key}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new Error(`${what}: expected a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Every string anywhere inside a parsed value (expressions included), depth first. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isObject(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Every object key anywhere inside a parsed value (argument and block names), depth first. */
export function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysIn);
  if (isObject(value)) return Object.entries(value).flatMap(([key, inner]) => [key, ...keysIn(inner)]);
  return [];
}

/** The parsed module. Load once per test file with `await TerraformModule.load()` in a beforeAll. */
export class TerraformModule {
  private constructor(private readonly files: ReadonlyMap<string, ParsedFile>) {}

  static async load(): Promise<TerraformModule> {
    const files = new Map<string, ParsedFile>();
    // One at a time: the parser is a WebAssembly module and the build machine has two cores.
    for (const path of TF_FILES) {
      const source = readFileSync(join(MODULE_DIR, path), 'utf8');
      try {
        files.set(path, { source, json: asObject(await parse(path, source), path) });
      } catch (error) {
        files.set(path, { source, error });
      }
    }
    return new TerraformModule(files);
  }

  /** The parse error of a file, if any. */
  parseError(path: string): unknown {
    return this.files.get(path)?.error;
  }

  source(path: string): string {
    const file = this.files.get(path);
    if (file === undefined) throw new Error(`no file ${path}`);
    return file.source;
  }

  json(path: string): HclObject {
    const file = this.files.get(path);
    if (file?.json === undefined) throw new Error(`${path} did not parse: ${String(file?.error)}`);
    return file.json;
  }

  /** Every top-level body of `kind` (resource, variable, output, locals, moved, ...) in `files`. */
  section(files: readonly string[], kind: string): HclObject[] {
    return files.flatMap((path) => {
      const value = this.json(path)[kind];
      if (value === undefined) return [];
      return Array.isArray(value) ? blocks(value, `${path} ${kind}`) : [asObject(value, `${path} ${kind}`)];
    });
  }

  /** Blocks with one label (variable, output, module), by label. */
  namedBlocks(files: readonly string[], kind: string): Map<string, HclObject> {
    const found = new Map<string, HclObject>();
    for (const byName of this.section(files, kind)) {
      for (const [name, value] of Object.entries(byName)) found.set(name, single(value, `${kind}.${name}`));
    }
    return found;
  }

  /** Resources (or data sources) of the module, keyed `type.name`. */
  resources(kind: 'resource' | 'data' = 'resource'): Map<string, HclObject> {
    const found = new Map<string, HclObject>();
    for (const byType of this.section(MODULE_FILES, kind)) {
      for (const [type, byName] of Object.entries(byType)) {
        for (const [name, value] of Object.entries(asObject(byName, type))) found.set(`${type}.${name}`, single(value, `${type}.${name}`));
      }
    }
    return found;
  }

  resource(type: string, name: string): HclObject {
    const found = this.resources().get(`${type}.${name}`);
    if (found === undefined) throw new Error(`no resource ${type}.${name}`);
    return found;
  }

  resourcesOfType(type: string): Map<string, HclObject> {
    return new Map([...this.resources()].filter(([address]) => address.startsWith(`${type}.`)).map(([address, body]) => [address.slice(type.length + 1), body]));
  }

  variable(name: string): HclObject {
    const found = this.namedBlocks(MODULE_FILES, 'variable').get(name);
    if (found === undefined) throw new Error(`no variable ${name}`);
    return found;
  }

  /** Every local of the module, by name. */
  locals(): Map<string, unknown> {
    const found = new Map<string, unknown>();
    for (const body of this.section(MODULE_FILES, 'locals')) {
      for (const [name, value] of Object.entries(body)) {
        if (found.has(name)) throw new Error(`local ${name} is defined twice`);
        found.set(name, value);
      }
    }
    return found;
  }

  local(name: string): unknown {
    const locals = this.locals();
    if (!locals.has(name)) throw new Error(`no local ${name}`);
    return locals.get(name);
  }

  /** A reference to a local (`${local.x}`) replaced by the local's own expression; anything else as it is. */
  throughLocal(expression: unknown): unknown {
    const name = typeof expression === 'string' ? /^\$\{local\.([a-z0-9_]+)\}$/.exec(expression)?.[1] : undefined;
    return name === undefined ? expression : this.local(name);
  }

  /** The type constraint of a variable with whitespace collapsed, e.g. `object({ name = optional(string, "x") })`. */
  typeOf(name: string): string {
    return stringAt(this.variable(name), 'type').replace(/\s+/g, ' ');
  }

  validationConditions(body: HclObject): string[] {
    return body.validation === undefined ? [] : blocks(body.validation, 'validation').map((rule) => stringAt(rule, 'condition'));
  }

  /** The module call of the example. */
  exampleModule(): HclObject {
    const call = this.namedBlocks([EXAMPLE_MAIN], 'module').get('spot_on_azure');
    if (call === undefined) throw new Error('the example does not call module spot_on_azure');
    return call;
  }
}

export { findOnPath };

export const TERRAFORM = findOnPath('terraform');
/** `it` when terraform is installed, else a visibly skipped test. */
export const withTerraform: jest.It = TERRAFORM === undefined ? it.skip : it;
/** Appended to the names of tests that need terraform, so a skip says why. */
export const NO_TERRAFORM = TERRAFORM === undefined ? ' (skipped: terraform is not on PATH)' : '';
/** No update check, no prompts: these runs must stay offline. */
export const TERRAFORM_ENV = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
