/**
 * Walks a compiled pattern over an event. Where the event holds an array of objects under a pattern object,
 * one element must satisfy the whole sub-pattern: EventBridge never combines fields from different elements
 * of the same array into one match.
 */
import type { CompiledField, CompiledObject } from './compiled';
import { isJsonObject, type JsonObject, ownValue } from './json';
import { leafMatches, leafValues } from './leaf';

/** Stands for a missing or non-object value, in which every field is absent (so only `exists: false` holds). */
const NO_FIELDS: JsonObject = Object.freeze({});

/** The objects a pattern object is tried against: the elements of an array, or the value itself. */
function objectCandidates(value: unknown): readonly JsonObject[] {
  if (Array.isArray(value)) {
    const candidates = value.flatMap(objectCandidates);
    return candidates.length > 0 ? candidates : [NO_FIELDS];
  }
  return [isJsonObject(value) ? value : NO_FIELDS];
}

function fieldMatches(field: CompiledField, object: JsonObject): boolean {
  const value = ownValue(object, field.key);
  const { node } = field;
  if (node.kind === 'object') return objectCandidates(value).some((candidate) => objectMatches(node.object, candidate));
  const values = leafValues(value);
  return node.matchers.some((matcher) => leafMatches(matcher, values));
}

function objectMatches(pattern: CompiledObject, object: JsonObject): boolean {
  const { fields, alternatives } = pattern;
  return (
    fields.every((field) => fieldMatches(field, object)) &&
    (alternatives.length === 0 || alternatives.some((alternative) => objectMatches(alternative, object)))
  );
}

/** True when the event, which must be a JSON object as EventBridge requires, matches the compiled pattern. */
export function evaluatePattern(pattern: CompiledObject, event: unknown): boolean {
  return isJsonObject(event) && objectMatches(pattern, event);
}
