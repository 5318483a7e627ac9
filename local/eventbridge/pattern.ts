/**
 * EventBridge content filtering for the local cloud: `validatePattern` refuses what PutRule refuses, and
 * `matchesPattern` decides, as the service does, whether an event matches a rule's pattern. The same rule
 * constants that `cdk synth` emits are routed with it, so a pattern that behaves here behaves in AWS.
 *
 * Written here because no maintained npm library implements EventBridge pattern matching: `npm view` finds no
 * `event-pattern-matcher`, `@aws/event-ruler` or `quamina` package, and serverless-offline-aws-eventbridge
 * only ships its matcher inside a serverless-offline plugin. AWS's own engine, aws/event-ruler, is Java.
 *
 * Follows the Amazon EventBridge User Guide pages "Amazon EventBridge event patterns", "Content filtering in
 * Amazon EventBridge event patterns" (comparison operators), "Matching null values and empty strings" and
 * "Arrays in Amazon EventBridge event patterns". Where they are silent it follows aws/event-ruler, the engine
 * behind EventBridge, and the service's observed answers (null is a value, an empty array is no value,
 * `anything-but` needs the field to be present).
 *
 * Known differences, all outside what Spot-On's rules use: numbers are compared by value because the JSON text
 * (`300` versus `3.0e2`) is gone once an event is parsed; the service's wildcard complexity limit ("Rule is too
 * complex") is not reproduced; a dotted key such as `"state.name"` is not treated as the nested path it
 * collides with in EventBridge; and `exists: false` inside an array of objects is decided per element.
 */
import { compilePattern } from './compile';
import type { CompiledObject } from './compiled';
import { InvalidPatternError } from './errors';
import { evaluatePattern } from './evaluate';
import type { JsonScalar } from './json';

export { InvalidPatternError };

/** Any JSON value a pattern may hold, read-only so that `as const` rule constants fit. */
export type PatternValue = JsonScalar | readonly PatternValue[] | { readonly [key: string]: PatternValue };

/** An EventBridge event pattern: a JSON object whose leaves are arrays of values and operators. */
export type EventPattern = { readonly [field: string]: PatternValue };

/** Rules are constants matched against every event, so each pattern object is compiled once. */
const compiledPatterns = new WeakMap<object, CompiledObject>();

function compileOnce(pattern: EventPattern): CompiledObject {
  const cached = compiledPatterns.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = compileOrExplain(pattern);
  compiledPatterns.set(pattern, compiled);
  return compiled;
}

function compileOrExplain(pattern: unknown): CompiledObject {
  try {
    return compilePattern(pattern);
  } catch (error) {
    // Only a pattern nested deeper than the call stack gets here; report it as the pattern's fault.
    if (error instanceof RangeError) {
      throw new InvalidPatternError('$', 'pattern is nested too deeply', { cause: error });
    }
    throw error;
  }
}

/** Returns the pattern, typed, if EventBridge would accept it; otherwise throws InvalidPatternError. */
export function validatePattern(pattern: unknown): EventPattern {
  compileOrExplain(pattern);
  return pattern as EventPattern;
}

/**
 * True when the event matches the pattern. The pattern is validated on first use (InvalidPatternError if
 * EventBridge would refuse it) and must not be mutated afterwards; an event that is not a JSON object never
 * matches, as EventBridge refuses such events.
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return evaluatePattern(compileOnce(pattern), event);
}
