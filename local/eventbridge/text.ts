/**
 * Case-insensitive string comparisons for `equals-ignore-case` and the ignore-case forms of `prefix` and
 * `suffix`. EventBridge folds case one character at a time, so comparisons work on code points: folding whole
 * strings would let characters whose case forms differ in length (`ß`, `İ`) shift every later position.
 */

function sameCharacterIgnoringCase(actual: string, expected: string): boolean {
  return (
    actual === expected ||
    actual.toLowerCase() === expected.toLowerCase() ||
    actual.toUpperCase() === expected.toUpperCase()
  );
}

function sameCharactersIgnoringCase(actual: readonly string[], expected: readonly string[]): boolean {
  if (actual.length !== expected.length) return false;
  return actual.every((character, index) => sameCharacterIgnoringCase(character, expected[index] ?? ''));
}

/** True when `value` equals `expected` up to letter case. */
export function equalsIgnoringCase(value: string, expected: string): boolean {
  return sameCharactersIgnoringCase(Array.from(value), Array.from(expected));
}

/** True when `value` starts with `prefix` up to letter case. */
export function startsWithIgnoringCase(value: string, prefix: string): boolean {
  const wanted = Array.from(prefix);
  return sameCharactersIgnoringCase(Array.from(value).slice(0, wanted.length), wanted);
}

/** True when `value` ends with `suffix` up to letter case. */
export function endsWithIgnoringCase(value: string, suffix: string): boolean {
  const wanted = Array.from(suffix);
  const characters = Array.from(value);
  return sameCharactersIgnoringCase(characters.slice(Math.max(0, characters.length - wanted.length)), wanted);
}
