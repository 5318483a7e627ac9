/**
 * Turns a pattern into its compiled form, refusing what EventBridge's PutRule refuses. Reasons reuse the
 * wording of EventBridge's `InvalidEventPatternException` where it is clear, so a message seen locally can be
 * looked up; each error also names the path of the offending field.
 */
import type { CompiledNode, CompiledObject, LeafMatcher, ValueMatcher } from './compiled';
import { InvalidPatternError } from './errors';
import { isJsonObject, type JsonObject } from './json';
import { parseCidr } from './ip';
import { incomparableReason, parseNumericRange } from './numeric';
import type { Parsed } from './result';
import { parseWildcard } from './wildcard';

type Path = readonly (string | number)[];

const OR = '$or';
/** Operator names; inside `$or` EventBridge refuses them as field names, since they would be ambiguous there. */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);
const ANYTHING_BUT_OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard']);
const SIMPLE_KEY = /^[A-Za-z0-9_$-]+$/;

function formatPath(path: Path): string {
  return path
    .map((step) => {
      if (typeof step === 'number') return `[${step}]`;
      return SIMPLE_KEY.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
    })
    .reduce((text, step) => text + step, '$');
}

function fail(path: Path, reason: string): never {
  throw new InvalidPatternError(formatPath(path), reason);
}

function required<T>(result: Parsed<T>, path: Path): T {
  return result.ok ? result.value : fail(path, result.reason);
}

/** Compiles a whole pattern; throws InvalidPatternError naming the offending path. */
export function compilePattern(pattern: unknown): CompiledObject {
  if (!isJsonObject(pattern)) return fail([], 'Filter is not an object');
  return compileObject(pattern, [], false);
}

function compileObject(object: JsonObject, path: Path, insideOr: boolean): CompiledObject {
  const keys = Object.keys(object);
  if (keys.length === 0) fail(path, 'Empty objects are not allowed');
  const fields = keys
    .filter((key) => key !== OR)
    .map((key) => {
      if (insideOr && OPERATORS.has(key)) fail([...path, key], `${key} is a reserved field name inside ${OR}`);
      return { key, node: compileNode(object[key], [...path, key], insideOr) };
    });
  const alternatives = keys.includes(OR) ? compileOr(object[OR], [...path, OR]) : [];
  return { fields, alternatives };
}

function compileOr(value: unknown, path: Path): CompiledObject[] {
  if (!Array.isArray(value)) return fail(path, `${OR} must be an array of objects`);
  const alternatives = value.map((entry: unknown, index) =>
    isJsonObject(entry)
      ? compileObject(entry, [...path, index], true)
      : fail([...path, index], `Only JSON objects are allowed in the array of ${OR}`),
  );
  if (alternatives.length < 2) fail(path, `${OR} needs at least 2 objects`);
  return alternatives;
}

function compileNode(value: unknown, path: Path, insideOr: boolean): CompiledNode {
  if (Array.isArray(value)) return { kind: 'leaf', matchers: compileMatchers(value, path) };
  if (isJsonObject(value)) return { kind: 'object', object: compileObject(value, path, insideOr) };
  return fail(path, `"${String(path.at(-1))}" must be an object or an array`);
}

function compileMatchers(entries: readonly unknown[], path: Path): LeafMatcher[] {
  if (entries.length === 0) fail(path, 'Empty arrays are not allowed');
  return entries.map((entry, index) => compileMatcher(entry, [...path, index]));
}

function compileMatcher(entry: unknown, path: Path): LeafMatcher {
  if (entry === null || typeof entry === 'string' || typeof entry === 'boolean') return { kind: 'exact', value: entry };
  if (typeof entry === 'number' && Number.isFinite(entry)) return { kind: 'exact', value: entry };
  if (isJsonObject(entry)) return compileOperator(entry, path);
  return fail(path, 'Match value must be String, number, true, false, or null');
}

/** The single `name: operand` pair of an operator object such as `{ "prefix": "us-" }`. */
function soleEntry(object: JsonObject, path: Path, what: string): [string, unknown] {
  const [name, ...others] = Object.keys(object);
  if (name === undefined) return fail(path, `${what} name not found`);
  if (others.length > 0) return fail(path, 'Only one key allowed in match expression');
  return [name, object[name]];
}

function compileOperator(object: JsonObject, path: Path): LeafMatcher {
  const [name, operand] = soleEntry(object, path, 'Match expression');
  const at = [...path, name];
  switch (name) {
    case 'prefix':
    case 'suffix':
      return compileAffix(name, operand, at);
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', text: requireString(operand, at, name) };
    case 'wildcard':
      return { kind: 'wildcard', wildcard: required(parseWildcard(requireString(operand, at, name)), at) };
    case 'numeric':
      if (!Array.isArray(operand)) return fail(at, 'Value of numeric must be an array.');
      return { kind: 'numeric', range: required(parseNumericRange(operand), at) };
    case 'cidr':
      return { kind: 'cidr', block: required(parseCidr(requireString(operand, at, name)), at) };
    case 'exists':
      if (typeof operand !== 'boolean') return fail(at, 'exists match pattern must be either true or false.');
      return { kind: 'exists', present: operand };
    case 'anything-but':
      return { kind: 'anything-but', excluded: compileAnythingBut(operand, at) };
    default:
      return fail(path, `Unrecognized match type ${name}`);
  }
}

function requireString(operand: unknown, path: Path, operator: string): string {
  return typeof operand === 'string' ? operand : fail(path, `${operator} match pattern must be a string`);
}

/** `prefix` and `suffix` take a string, or `{ "equals-ignore-case": string }` to ignore case. */
function compileAffix(kind: 'prefix' | 'suffix', operand: unknown, path: Path): ValueMatcher {
  if (!isJsonObject(operand)) return { kind, text: requireString(operand, path, kind), ignoreCase: false };
  const [name, text] = soleEntry(operand, path, `${kind} expression`);
  if (name !== 'equals-ignore-case') return fail(path, `Unsupported ${kind} pattern: ${name}`);
  return { kind, text: requireString(text, [...path, name], name), ignoreCase: true };
}

/**
 * `anything-but` takes one string or number, a list of only strings or only numbers, or one of `prefix`,
 * `suffix`, `equals-ignore-case`, `wildcard` with a string or a list of strings.
 */
function compileAnythingBut(operand: unknown, path: Path): ValueMatcher[] {
  if (Array.isArray(operand)) return compileAnythingButList(operand, path);
  if (isJsonObject(operand)) return compileAnythingButOperator(operand, path);
  if (typeof operand === 'string' || typeof operand === 'number') return [compileExcludedValue(operand, path)];
  return fail(path, 'Value of anything-but must be an array or single string/number value.');
}

function compileExcludedValue(value: unknown, path: Path): ValueMatcher {
  if (typeof value === 'string') return { kind: 'exact', value };
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fail(path, 'Inside anything-but list, only strings and numbers are supported');
  }
  const reason = incomparableReason(value);
  return reason === undefined ? { kind: 'exact', value } : fail(path, reason);
}

function compileAnythingButList(values: readonly unknown[], path: Path): ValueMatcher[] {
  if (values.length === 0) fail(path, 'Empty arrays are not allowed');
  const excluded = values.map((value, index) => compileExcludedValue(value, [...path, index]));
  const types = new Set(values.map((value) => typeof value));
  if (types.size > 1) {
    fail(path, 'Inside anything-but list, either all values are number or string, mixed type is not supported');
  }
  return excluded;
}

function compileAnythingButOperator(object: JsonObject, path: Path): ValueMatcher[] {
  const [name, operand] = soleEntry(object, path, 'Anything-But expression');
  if (!ANYTHING_BUT_OPERATORS.has(name)) return fail(path, `Unsupported anything-but pattern: ${name}`);
  const at = [...path, name];
  if (isJsonObject(operand)) return fail(at, 'Value of anything-but must be an array or single string/number value.');
  if (!Array.isArray(operand)) return [compileExcludedPattern(name, operand, at)];
  if (operand.length === 0) return fail(at, 'Empty arrays are not allowed');
  return operand.map((entry: unknown, index) => compileExcludedPattern(name, entry, [...at, index]));
}

function compileExcludedPattern(operator: string, operand: unknown, path: Path): ValueMatcher {
  const text = requireString(operand, path, operator);
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (text === '') return fail(path, `anything-but ${operator} must not be empty`);
      return { kind: operator, text, ignoreCase: false };
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', text };
    case 'wildcard':
      return { kind: 'wildcard', wildcard: required(parseWildcard(text), path) };
    default:
      return fail(path, `Unsupported anything-but pattern: ${operator}`);
  }
}
