/**
 * A pattern after validation: every operand already parsed, so matching an event cannot fail and does no
 * parsing of its own.
 */
import type { CidrBlock } from './ip';
import type { JsonScalar } from './json';
import type { NumericRange } from './numeric';
import type { Wildcard } from './wildcard';

/** A test on one leaf value of the event. */
export type ValueMatcher =
  | { readonly kind: 'exact'; readonly value: JsonScalar }
  | { readonly kind: 'prefix'; readonly text: string; readonly ignoreCase: boolean }
  | { readonly kind: 'suffix'; readonly text: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly text: string }
  | { readonly kind: 'wildcard'; readonly wildcard: Wildcard }
  | { readonly kind: 'numeric'; readonly range: NumericRange }
  | { readonly kind: 'cidr'; readonly block: CidrBlock };

/** One entry of a pattern's matcher array. */
export type LeafMatcher =
  | ValueMatcher
  | { readonly kind: 'exists'; readonly present: boolean }
  /** Matches a present value that none of `excluded` accepts. */
  | { readonly kind: 'anything-but'; readonly excluded: readonly ValueMatcher[] };

/** A pattern object: all fields must match, and for a `$or`, at least one alternative. */
export interface CompiledObject {
  readonly fields: readonly CompiledField[];
  /** The objects of this level's `$or`; empty when there is none. */
  readonly alternatives: readonly CompiledObject[];
}

/** A named field of a pattern object. */
export interface CompiledField {
  readonly key: string;
  readonly node: CompiledNode;
}

/** What a field holds: a nested pattern object, or the matchers of a leaf. */
export type CompiledNode =
  | { readonly kind: 'object'; readonly object: CompiledObject }
  | { readonly kind: 'leaf'; readonly matchers: readonly LeafMatcher[] };
