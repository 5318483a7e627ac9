/**
 * Terraform files read without terraform: @cdktf/hcl2json turns each file into JSON (a block is an array of
 * bodies, an expression a "${...}" string, literals stay literals), and the few expressions a root module passes
 * its module (`var.x`, "${var.x}-suffix") are resolved from the tfvars, TF_VAR_ variables and variable defaults.
 * Anything else (locals, resource attributes, functions) stays UNRESOLVED, so no check guesses from it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { PreflightInputError } from './errors';

/** A value only `terraform plan` could know. */
export const UNRESOLVED: unique symbol = Symbol('unresolved');
export type Hcl = Record<string, unknown>;

export const isHclObject = (value: unknown): value is Hcl => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses one HCL file (.tf or .tfvars) into hcl2json's JSON. */
export async function parseHclFile(path: string): Promise<Hcl> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PreflightInputError(`${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
  try {
    const json: unknown = await parse(path, text);
    if (!isHclObject(json)) throw new Error('not a body');
    return json;
  } catch (error) {
    throw new PreflightInputError(`${path}: not valid HCL (${(error as Error).message})`, { cause: error });
  }
}

/** Parses every `.tf` file of a directory (not below it), one at a time: the parser is WebAssembly and cores are few. */
export async function parseTfDirectory(dir: string, keep: (name: string) => boolean = () => true): Promise<{ file: string; json: Hcl }[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.tf') && keep(name)).sort();
  } catch (error) {
    throw new PreflightInputError(`${dir}: cannot list the Terraform directory (${(error as Error).message})`, { cause: error });
  }
  const parsed: { file: string; json: Hcl }[] = [];
  for (const name of names) parsed.push({ file: join(dir, name), json: await parseHclFile(join(dir, name)) });
  return parsed;
}

/** Every body of a block kind with one label (variable, module, output), by label, across parsed files. */
export function labelledBlocks(files: readonly { json: Hcl }[], kind: string): Map<string, Hcl> {
  const found = new Map<string, Hcl>();
  for (const { json } of files) {
    const byLabel = json[kind];
    if (!isHclObject(byLabel)) continue;
    for (const [label, bodies] of Object.entries(byLabel)) {
      const body = Array.isArray(bodies) ? bodies[0] : bodies;
      if (isHclObject(body)) found.set(label, body);
    }
  }
  return found;
}

const WHOLE_VARIABLE = /^\$\{var\.([A-Za-z0-9_-]+)\}$/;
const INTERPOLATION = /\$\{([^}]*)\}/g;

/**
 * Replaces `${var.x}` (whole value or inside a template string) with the variable's value from `lookup`; any other
 * expression, or a variable `lookup` does not know, becomes UNRESOLVED. Objects and lists are resolved deeply.
 */
export function resolveVariables(value: unknown, lookup: (name: string) => unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_VARIABLE.exec(value);
    if (whole) return lookup(whole[1] as string);
    if (!value.includes('${')) return value;
    let unresolved = false;
    const text = value.replace(INTERPOLATION, (_match, expression: string) => {
      const variable = /^var\.([A-Za-z0-9_-]+)$/.exec(expression.trim());
      const resolved = variable ? lookup(variable[1] as string) : UNRESOLVED;
      if (typeof resolved === 'string' || typeof resolved === 'number') return String(resolved);
      unresolved = true;
      return '';
    });
    return unresolved ? UNRESOLVED : text;
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => resolveVariables(item, lookup));
    return items.includes(UNRESOLVED) ? UNRESOLVED : items;
  }
  if (isHclObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveVariables(item, lookup)]));
  return value;
}

/**
 * Scalar defaults of an object variable's optional attributes, read from its type constraint, e.g.
 * `object({ dns_zone_name = optional(string, "spot-on.internal") })` gives `{ dns_zone_name: "spot-on.internal" }`.
 */
export function optionalAttributeDefaults(typeExpression: unknown): Hcl {
  if (typeof typeExpression !== 'string') return {};
  const defaults: Hcl = {};
  const pattern = /([A-Za-z0-9_]+)\s*=\s*optional\(\s*(?:string|number|bool)\s*,\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)\s*\)/g;
  for (const [, name, literal] of typeExpression.matchAll(pattern)) defaults[name as string] = JSON.parse(literal as string) as unknown;
  return defaults;
}
