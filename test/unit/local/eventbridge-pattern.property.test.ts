/**
 * Properties of EventBridge pattern matching that must hold for every pattern and event, not only for the
 * documented examples: validation is total, matching a valid pattern cannot fail, and the operators relate to
 * each other as the AWS documentation describes.
 */
import fc from 'fast-check';
import {
  type EventPattern,
  InvalidPatternError,
  matchesPattern,
  type PatternValue,
  validatePattern,
} from '../../../local/eventbridge/pattern';

const OPERATOR_NAMES = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'];

/** Field names that are neither operators nor `$or`, so they are valid anywhere in a pattern. */
const fieldName = fc.constantFrom('a', 'b', 'c', 'source', 'detail');

type Outcome = 'accepted' | 'rejected';

/** Whether validatePattern accepted the pattern; any error other than InvalidPatternError escapes. */
function outcomeOf(pattern: unknown): Outcome {
  try {
    validatePattern(pattern);
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidPatternError) return 'rejected';
    throw error;
  }
}

const escapeWildcard = (text: string): string => text.replace(/[\\*]/g, '\\$&');

const event = (field: string, value: unknown): Record<string, unknown> => Object.fromEntries([[field, value]]);
const pattern = (field: string, value: PatternValue): EventPattern => Object.fromEntries([[field, value]]);

/** Builds patterns of any shape from the given leaf matchers, `$or` included, at most a few levels deep. */
function patternsOf(matcher: fc.Arbitrary<PatternValue>): fc.Arbitrary<EventPattern> {
  const depth = { depthIdentifier: 'pattern', maxDepth: 3 } as const;
  const { object } = fc.letrec<{ node: PatternValue; alternatives: EventPattern[] | null; object: EventPattern }>(
    (tie) => ({
      node: fc.oneof(depth, fc.array(matcher, { minLength: 1, maxLength: 3 }), tie('object')),
      alternatives: fc.oneof(
        depth,
        { arbitrary: fc.constant(null), weight: 3 },
        { arbitrary: fc.array(tie('object'), { minLength: 2, maxLength: 3 }), weight: 1 },
      ),
      object: fc
        .tuple(fc.dictionary(fieldName, tie('node'), { minKeys: 1, maxKeys: 3 }), tie('alternatives'))
        .map(([fields, alternatives]): EventPattern =>
          alternatives === null ? { ...fields } : { ...fields, $or: alternatives },
        ),
    }),
  );
  return object;
}

// ---- arbitraries for valid patterns ------------------------------------------------------------------------

const text = fc.string({ maxLength: 6 });
const nonEmptyText = fc.string({ minLength: 1, maxLength: 6 });
const comparableNumber = fc.oneof(
  fc.integer({ min: -5_000_000_000, max: 5_000_000_000 }),
  fc.integer({ min: -5_000_000, max: 5_000_000 }).map((thousandths) => thousandths / 1000),
);
const wildcardText = fc
  .tuple(fc.boolean(), fc.array(nonEmptyText.map(escapeWildcard), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([leading, literals, trailing]) => `${leading ? '*' : ''}${literals.join('*')}${trailing ? '*' : ''}`);
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((octets) => octets.join('.'));
const numericRange = fc.oneof(
  comparableNumber.map((value) => ({ numeric: ['=', value] })),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>='), fc.integer({ min: -1000, max: 1000 })).map(([op, value]) => ({ numeric: [op, value] })),
  fc
    .tuple(fc.constantFrom('>', '>='), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom('<', '<='), fc.integer({ min: 1, max: 1000 }))
    .map(([lowerOp, lower, upperOp, width]) => ({ numeric: [lowerOp, lower, upperOp, lower + width] })),
);
const anythingBut = fc.oneof(
  text,
  comparableNumber,
  fc.array(text, { minLength: 1, maxLength: 3 }),
  fc.array(comparableNumber, { minLength: 1, maxLength: 3 }),
  fc.oneof(nonEmptyText, fc.array(nonEmptyText, { minLength: 1, maxLength: 2 })).map((prefix) => ({ prefix })),
  fc.oneof(nonEmptyText, fc.array(nonEmptyText, { minLength: 1, maxLength: 2 })).map((suffix) => ({ suffix })),
  text.map((value) => ({ 'equals-ignore-case': value })),
  wildcardText.map((wildcard) => ({ wildcard })),
);
const validMatcher: fc.Arbitrary<PatternValue> = fc.oneof(
  text,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  text.map((prefix) => ({ prefix })),
  text.map((value) => ({ prefix: { 'equals-ignore-case': value } })),
  text.map((suffix) => ({ suffix })),
  text.map((value) => ({ suffix: { 'equals-ignore-case': value } })),
  text.map((value) => ({ 'equals-ignore-case': value })),
  wildcardText.map((wildcard) => ({ wildcard })),
  fc.boolean().map((exists) => ({ exists })),
  numericRange,
  fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([address, bits]) => ({ cidr: `${address}/${bits}` })),
  fc.constantFrom('2001:db8::/32', '::/0', 'fe80::1/128').map((cidr) => ({ cidr })),
  anythingBut.map((operand) => ({ 'anything-but': operand })),
);
const validPattern = patternsOf(validMatcher);

// ---- arbitraries for possibly invalid patterns ----------------------------------------------------------------

const looseOperand = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.array(fc.oneof(fc.constantFrom('=', '<', '<=', '>', '>=', '!'), fc.integer({ min: -6e9, max: 6e9 }), fc.double()), {
    maxLength: 5,
  }),
  fc.constantFrom('10.0.0.0/24', '10.0.0.0/40', '::1/x', 'a**b', 'a\\b', ''),
);
const looseOperator = fc
  .tuple(fc.constantFrom(...OPERATOR_NAMES, 'NUMERIC', 'contains', '$or'), looseOperand)
  .map(([name, operand]) => Object.fromEntries([[name, operand]]));
const looseMatcher = fc.oneof(fc.jsonValue({ maxDepth: 1 }), looseOperator);
const loosePattern: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown; object: unknown }>((tie) => ({
  node: fc.oneof(
    { depthIdentifier: 'loose', maxDepth: 3 },
    fc.array(looseMatcher, { maxLength: 3 }),
    tie('object'),
    fc.array(tie('object'), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 1 }),
  ),
  object: fc.dictionary(fc.oneof(fieldName, fc.constantFrom('$or', ...OPERATOR_NAMES), fc.string()), tie('node'), {
    maxKeys: 3,
  }),
})).object;

const anyEvent = fc.oneof(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.jsonValue());

// ---- a small world of events and patterns, so that matches are frequent --------------------------------------

const smallScalar = fc.oneof(fc.constantFrom('x', 'y', 'X', '', '10.0.0.1'), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null));
const smallMatcher: fc.Arbitrary<PatternValue> = fc.oneof(
  smallScalar,
  fc.constantFrom('x', 'X', '').map((prefix) => ({ prefix })),
  fc.constantFrom('x', 'y').map((value) => ({ 'equals-ignore-case': value })),
  fc.boolean().map((exists) => ({ exists })),
  fc.constantFrom('x', 'y').map((value) => ({ 'anything-but': value })),
  fc.integer({ min: -3, max: 3 }).map((value) => ({ numeric: ['>', value] })),
  fc.constant({ cidr: '10.0.0.0/24' }),
);
const smallPattern = patternsOf(smallMatcher);
const smallEvent: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ value: unknown; object: Record<string, unknown> }>(
  (tie) => ({
    value: fc.oneof({ maxDepth: 3 }, smallScalar, fc.array(tie('value'), { maxLength: 3 }), tie('object')),
    object: fc.dictionary(fc.oneof(fieldName, fc.constant('extra')), tie('value'), { maxKeys: 4 }),
  }),
).object;

// ---- building a pattern from an event ----------------------------------------------------------------------------

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): value is string | number | boolean | null => value === null || typeof value !== 'object';
const flatten = (values: readonly unknown[]): unknown[] => values.flatMap((value) => (Array.isArray(value) ? flatten(value) : [value]));

/** A pattern that requires every leaf value of `value` (or, for arrays of objects, those of one element). */
function patternFromValue(value: unknown): PatternValue | undefined {
  if (isObject(value)) return patternFromObject(value);
  if (!Array.isArray(value)) return isScalar(value) ? [value] : undefined;
  const elements = flatten(value);
  const scalars = elements.filter(isScalar);
  if (scalars.length > 0) return scalars;
  const firstObject = elements.find(isObject);
  return firstObject === undefined ? undefined : patternFromObject(firstObject);
}

function patternFromObject(object: Record<string, unknown>): EventPattern | undefined {
  const entries = Object.keys(object)
    .filter((key) => key !== '$or')
    .flatMap((key) => {
      const value = patternFromValue(object[key]);
      return value === undefined ? [] : [[key, value] as const];
    });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

// ---- properties ----------------------------------------------------------------------------------------------------

describe('validatePattern is total', () => {
  test('any value is either accepted or rejected with InvalidPatternError', () => {
    fc.assert(
      fc.property(fc.oneof(loosePattern, fc.anything()), (candidate) => {
        expect(['accepted', 'rejected']).toContain(outcomeOf(candidate));
      }),
      { numRuns: 500 },
    );
  });

  test('an accepted pattern is returned as it was given', () => {
    fc.assert(
      fc.property(loosePattern, (candidate) => {
        if (outcomeOf(candidate) === 'accepted') expect(validatePattern(candidate)).toBe(candidate);
      }),
    );
  });

  test('every pattern built from documented operators is accepted', () => {
    fc.assert(
      fc.property(validPattern, (candidate) => {
        expect(validatePattern(candidate)).toBe(candidate);
      }),
      { numRuns: 300 },
    );
  });
});

describe('matchesPattern on a valid pattern', () => {
  test('returns a boolean for any event and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(validPattern, loosePattern), anyEvent, (candidate, anything) => {
        if (outcomeOf(candidate) === 'rejected') return;
        expect(typeof matchesPattern(validatePattern(candidate), anything)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  test('an event matches the pattern made of its own leaf values', () => {
    const eventObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 5 });
    fc.assert(
      fc.property(eventObject, (anEvent) => {
        const own = patternFromObject(anEvent);
        fc.pre(own !== undefined);
        expect(matchesPattern(validatePattern(own), anEvent)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('$or of two patterns matches exactly when either pattern matches', () => {
    fc.assert(
      fc.property(smallPattern, smallPattern, smallEvent, (first, second, anEvent) => {
        const either = matchesPattern(first, anEvent) || matchesPattern(second, anEvent);
        expect(matchesPattern({ $or: [first, second] }, anEvent)).toBe(either);
      }),
      { numRuns: 500 },
    );
  });

  test('fields are ANDed: an extra field never lets more events match', () => {
    fc.assert(
      fc.property(smallPattern, fc.array(smallMatcher, { minLength: 1, maxLength: 2 }), smallEvent, (base, extra, anEvent) => {
        if (matchesPattern({ ...base, extra }, anEvent)) expect(matchesPattern(base, anEvent)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('a matcher list is an OR of its matchers', () => {
    fc.assert(
      fc.property(fieldName, smallMatcher, smallMatcher, smallEvent, (field, first, second, anEvent) => {
        const either = matchesPattern(pattern(field, [first]), anEvent) || matchesPattern(pattern(field, [second]), anEvent);
        expect(matchesPattern(pattern(field, [first, second]), anEvent)).toBe(either);
      }),
      { numRuns: 500 },
    );
  });
});

describe('operator semantics', () => {
  const stringOrComparable = fc.oneof(text, comparableNumber);

  test('anything-but: [v] is the negation of [v] for a present scalar field', () => {
    const valueAndOther = stringOrComparable.chain((value) =>
      fc.tuple(fc.constant(value), fc.oneof(fc.constant(value), smallScalar, text, comparableNumber)),
    );
    fc.assert(
      fc.property(fieldName, valueAndOther, (field, [value, actual]) => {
        const anEvent = event(field, actual);
        const excluded = matchesPattern(pattern(field, [{ 'anything-but': value }]), anEvent);
        expect(excluded).toBe(!matchesPattern(pattern(field, [value]), anEvent));
      }),
      { numRuns: 300 },
    );
  });

  test('anything-but: a list is the negation of the same list for a present scalar field', () => {
    const listAndValue = fc
      .oneof(fc.array(text, { minLength: 1, maxLength: 3 }), fc.array(comparableNumber, { minLength: 1, maxLength: 3 }))
      .chain((list) => fc.tuple(fc.constant(list), fc.oneof(fc.constantFrom(...list), smallScalar)));
    fc.assert(
      fc.property(fieldName, listAndValue, (field, [list, actual]) => {
        const anEvent = event(field, actual);
        const excluded = matchesPattern(pattern(field, [{ 'anything-but': list }]), anEvent);
        expect(excluded).toBe(!matchesPattern(pattern(field, list), anEvent));
      }),
    );
  });

  test('anything-but never matches a missing field', () => {
    fc.assert(
      fc.property(fieldName, anythingBut, smallEvent, (field, operand, anEvent) => {
        const absent = Object.fromEntries(Object.entries(anEvent).filter(([key]) => key !== field));
        expect(matchesPattern(pattern(field, [{ 'anything-but': operand }]), absent)).toBe(false);
      }),
    );
  });

  test('exists: true and exists: false disagree on every field of every event', () => {
    fc.assert(
      fc.property(fieldName, smallEvent, (field, anEvent) => {
        const present = matchesPattern(pattern(field, [{ exists: true }]), anEvent);
        expect(matchesPattern(pattern(field, [{ exists: false }]), anEvent)).toBe(!present);
      }),
      { numRuns: 300 },
    );
  });

  test('[null] matches an explicit null, never a missing field', () => {
    fc.assert(
      fc.property(fieldName, smallScalar, fc.boolean(), (field, value, present) => {
        const anEvent = present ? event(field, value) : {};
        expect(matchesPattern(pattern(field, [null]), anEvent)).toBe(present && value === null);
      }),
    );
  });

  test('a wildcard without * matches exactly its literal text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (literal, other, same) => {
        const actual = same ? literal : other;
        expect(matchesPattern({ f: [{ wildcard: escapeWildcard(literal) }] }, { f: actual })).toBe(actual === literal);
      }),
    );
  });

  test('a wildcard "text*" is a prefix and "*text" a suffix', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.string({ maxLength: 8 }), (literal, actual) => {
        const anEvent = { f: actual };
        expect(matchesPattern({ f: [{ wildcard: `${escapeWildcard(literal)}*` }] }, anEvent)).toBe(
          matchesPattern({ f: [{ prefix: literal }] }, anEvent),
        );
        expect(matchesPattern({ f: [{ wildcard: `*${escapeWildcard(literal)}` }] }, anEvent)).toBe(
          matchesPattern({ f: [{ suffix: literal }] }, anEvent),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('a wildcard with * in the middle matches what starts and ends with its parts', () => {
    const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 3 });
    fc.assert(
      fc.property(ascii, ascii, fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), (head, tail, actual) => {
        const expected = actual.length >= head.length + tail.length && actual.startsWith(head) && actual.endsWith(tail);
        const wildcard = `${escapeWildcard(head)}*${escapeWildcard(tail)}`;
        expect(matchesPattern({ f: [{ wildcard }] }, { f: actual })).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  test('equals-ignore-case and ignore-case prefix compare ASCII text without case', () => {
    const ascii = fc.string({ unit: 'grapheme-ascii', maxLength: 4 });
    const sameOrOther = ascii.chain((expected) =>
      fc.tuple(fc.constant(expected), fc.oneof(fc.constant(expected.toUpperCase()), fc.constant(expected.toLowerCase()), ascii)),
    );
    fc.assert(
      fc.property(sameOrOther, ([expected, actual]) => {
        const anEvent = { f: actual };
        expect(matchesPattern({ f: [{ 'equals-ignore-case': expected }] }, anEvent)).toBe(
          actual.toLowerCase() === expected.toLowerCase(),
        );
        expect(matchesPattern({ f: [{ prefix: { 'equals-ignore-case': expected } }] }, anEvent)).toBe(
          actual.toLowerCase().startsWith(expected.toLowerCase()),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('numeric: [">=", a, "<", b] holds exactly for a <= x < b', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -100, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: -200, max: 200 }),
        (lower, width, value) => {
          const range = { f: [{ numeric: ['>=', lower, '<', lower + width] }] };
          expect(matchesPattern(range, { f: value })).toBe(value >= lower && value < lower + width);
          expect(matchesPattern(range, { f: String(value) })).toBe(false);
        },
      ),
    );
  });

  test('cidr: an IPv4 block holds exactly the addresses sharing its first bits', () => {
    const toNumber = (address: readonly number[]): number => address.reduce((sum, part) => sum * 256 + part, 0);
    const address = fc.tuple(octet, octet, octet, octet);
    fc.assert(
      fc.property(address, address, fc.integer({ min: 0, max: 32 }), (base, candidate, bits) => {
        const hostBits = 2 ** (32 - bits);
        const inside = Math.floor(toNumber(base) / hostBits) === Math.floor(toNumber(candidate) / hostBits);
        const block = { f: [{ cidr: `${base.join('.')}/${bits}` }] };
        expect(matchesPattern(block, { f: candidate.join('.') })).toBe(inside);
        expect(matchesPattern(block, { f: base.join('.') })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
