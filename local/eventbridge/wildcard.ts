import { type Parsed, parsed, rejected } from './result';

/** A wildcard operand split at its unescaped `*`s: `*` may stand for any run of characters, even none. */
export interface Wildcard {
  /** Literal text between the wildcards; one more entry than there are wildcards. */
  readonly literals: readonly string[];
}

const ASTERISK = '*';
const BACKSLASH = '\\';

/**
 * Parses a `wildcard` operand. EventBridge refuses `**` (it would only slow matching down) and a backslash
 * that escapes anything but `*` or `\`, so that every other backslash can be given a meaning later. Positions
 * in the reasons count from 1, as EventBridge reports them.
 */
export function parseWildcard(source: string): Parsed<Wildcard> {
  const literals: string[] = [];
  let literal = '';
  for (let index = 0; index < source.length; index++) {
    const character = source[index];
    const next = source[index + 1];
    if (character === ASTERISK) {
      if (next === ASTERISK) return rejected(`Consecutive wildcard characters at pos ${index + 1}`);
      literals.push(literal);
      literal = '';
    } else if (character === BACKSLASH) {
      if (next !== ASTERISK && next !== BACKSLASH) return rejected(`Invalid escape character at pos ${index + 1}`);
      literal += next;
      index++;
    } else {
      literal += character;
    }
  }
  literals.push(literal);
  return parsed({ literals });
}

/**
 * True when `value` matches the wildcard. With `*` as the only metacharacter, taking the earliest occurrence of
 * each middle literal never loses a match, so a single left-to-right scan decides.
 */
export function matchesWildcard(wildcard: Wildcard, value: string): boolean {
  const [first = '', ...rest] = wildcard.literals;
  const last = rest.pop();
  if (last === undefined) return value === first;
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;

  const end = value.length - last.length;
  let position = first.length;
  for (const middle of rest) {
    const found = value.indexOf(middle, position);
    if (found < 0 || found + middle.length > end) return false;
    position = found + middle.length;
  }
  return true;
}
