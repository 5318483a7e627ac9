/** A JSON scalar: the only kind of value a pattern leaf compares against. */
export type JsonScalar = string | number | boolean | null;

/** A JSON object as read from a parsed event or pattern. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** True for `{...}` objects; arrays, null and class instances are not JSON objects. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** True for strings, numbers, booleans and null. */
export function isJsonScalar(value: unknown): value is JsonScalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The value stored under `key`, ignoring inherited members: an event without a `constructor` field must not
 * appear to have one.
 */
export function ownValue(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A short rendering of any value for error messages; never throws, whatever the input. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || ['number', 'boolean', 'bigint', 'undefined'].includes(typeof value)) return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}
