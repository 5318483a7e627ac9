/**
 * Matching at a leaf of the pattern. A leaf sees the event's value there as a list of scalars: an array
 * contributes all its scalars (nested arrays flattened) and an object none, because EventBridge matches only
 * leaf values and a pattern matches an array when any of its elements matches.
 */
import type { LeafMatcher, ValueMatcher } from './compiled';
import { cidrContains } from './ip';
import { isJsonScalar, type JsonScalar } from './json';
import { inNumericRange } from './numeric';
import { endsWithIgnoringCase, equalsIgnoringCase, startsWithIgnoringCase } from './text';
import { matchesWildcard } from './wildcard';

/** The scalar values an event holds at a pattern leaf; empty when the field is missing or not a leaf. */
export function leafValues(value: unknown): JsonScalar[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return isJsonScalar(value) ? [value] : [];
}

/** True when one scalar of the event satisfies the matcher; string operators never match other types. */
export function valueMatches(matcher: ValueMatcher, value: JsonScalar): boolean {
  switch (matcher.kind) {
    case 'exact':
      return value === matcher.value;
    case 'numeric':
      return inNumericRange(matcher.range, value);
    default:
      return typeof value === 'string' && stringMatches(matcher, value);
  }
}

function stringMatches(matcher: Exclude<ValueMatcher, { kind: 'exact' | 'numeric' }>, value: string): boolean {
  switch (matcher.kind) {
    case 'prefix':
      return matcher.ignoreCase ? startsWithIgnoringCase(value, matcher.text) : value.startsWith(matcher.text);
    case 'suffix':
      return matcher.ignoreCase ? endsWithIgnoringCase(value, matcher.text) : value.endsWith(matcher.text);
    case 'equals-ignore-case':
      return equalsIgnoringCase(value, matcher.text);
    case 'wildcard':
      return matchesWildcard(matcher.wildcard, value);
    case 'cidr':
      return cidrContains(matcher.block, value);
  }
}

/**
 * True when the matcher accepts the leaf. `exists` looks only at presence, so `null` exists while an empty
 * array or an object does not; `anything-but` needs a present value, so a missing field never matches it.
 */
export function leafMatches(matcher: LeafMatcher, values: readonly JsonScalar[]): boolean {
  switch (matcher.kind) {
    case 'exists':
      return (values.length > 0) === matcher.present;
    case 'anything-but':
      return values.some((value) => !matcher.excluded.some((excluded) => valueMatches(excluded, value)));
    default:
      return values.some((value) => valueMatches(matcher, value));
  }
}
