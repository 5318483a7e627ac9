import { describeValue } from './json';
import { type Parsed, parsed, rejected } from './result';

/**
 * EventBridge compares numbers as fixed-point values with six decimals between -5e9 and +5e9; operands outside
 * that are refused and event values outside it never satisfy a `numeric` matcher.
 */
export const NUMERIC_LIMIT = 5e9;
const MAX_DECIMALS = 6;

/** One end of a numeric range. */
export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** The values a `numeric` matcher accepts. A bare `>` or `<` is bounded by the comparable limit. */
export interface NumericRange {
  readonly lower: Bound;
  readonly upper: Bound;
}

type Operator = '=' | '<' | '<=' | '>' | '>=';
const OPERATORS: readonly string[] = ['=', '<', '<=', '>', '>='] satisfies Operator[];
const isOperator = (value: unknown): value is Operator => typeof value === 'string' && OPERATORS.includes(value);

function decimalPlaces(value: number): number {
  const [mantissa = '', exponent = '0'] = String(Math.abs(value)).split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
}

/** Why `value` cannot be compared numerically by EventBridge, or undefined when it can. */
export function incomparableReason(value: number): string | undefined {
  if (Math.abs(value) > NUMERIC_LIMIT) return `Value must be between ${-NUMERIC_LIMIT} and ${NUMERIC_LIMIT}, inclusive`;
  if (decimalPlaces(value) > MAX_DECIMALS) return `Only values upto ${MAX_DECIMALS} decimals are supported`;
  return undefined;
}

function operand(operator: string, value: unknown): Parsed<number> {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return rejected(`Value of ${operator === '=' ? 'equals' : operator} must be numeric`);
  }
  const reason = incomparableReason(value);
  return reason === undefined ? parsed(value) : rejected(reason);
}

function range(lower: Bound, upper: Bound): Parsed<NumericRange> {
  return lower.value < upper.value ? parsed({ lower, upper }) : rejected('Bottom must be less than top');
}

const FLOOR: Bound = { value: -NUMERIC_LIMIT, inclusive: true };
const CEILING: Bound = { value: NUMERIC_LIMIT, inclusive: true };

/** The upper bound that may follow a lower one: `[">", 0, "<=", 5]`. */
function upperBound(terms: readonly unknown[]): Parsed<Bound> {
  const [operator, value, ...extra] = terms;
  if (typeof operator !== 'string') return rejected(`Bad value in numeric range: ${describeValue(operator)}`);
  if (operator !== '<' && operator !== '<=') return rejected(`Bad numeric range operator: ${operator}`);
  const parsedValue = operand(operator, value);
  if (!parsedValue.ok) return parsedValue;
  if (extra.length > 0) return rejected('Too many terms in numeric range expression');
  return parsed({ value: parsedValue.value, inclusive: operator === '<=' });
}

/**
 * Parses the array of a `numeric` matcher: `["=", n]`, one comparison, or a lower bound followed by an upper
 * one. Anything else is refused, as EventBridge does, rather than guessed at.
 */
export function parseNumericRange(terms: readonly unknown[]): Parsed<NumericRange> {
  const [operator, value, ...rest] = terms;
  if (typeof operator !== 'string') return rejected(`Invalid member in numeric match: ${describeValue(operator)}`);
  if (!isOperator(operator)) return rejected(`Unrecognized numeric range operator: ${operator}`);
  const first = operand(operator, value);
  if (!first.ok) return first;
  const bound: Bound = { value: first.value, inclusive: operator !== '<' && operator !== '>' };

  if (operator === '>' || operator === '>=') {
    if (rest.length === 0) return range(bound, CEILING);
    const upper = upperBound(rest);
    return upper.ok ? range(bound, upper.value) : upper;
  }
  if (rest.length > 0) return rejected('Too many elements in numeric expression');
  return operator === '=' ? parsed({ lower: bound, upper: bound }) : range(FLOOR, bound);
}

function above(value: number, bound: Bound): boolean {
  return bound.inclusive ? value >= bound.value : value > bound.value;
}

function below(value: number, bound: Bound): boolean {
  return bound.inclusive ? value <= bound.value : value < bound.value;
}

/** True when `value` is a JSON number inside the range; numeric matching never applies to strings. */
export function inNumericRange(range: NumericRange, value: unknown): boolean {
  if (typeof value !== 'number' || Math.abs(value) > NUMERIC_LIMIT) return false;
  return above(value, range.lower) && below(value, range.upper);
}
