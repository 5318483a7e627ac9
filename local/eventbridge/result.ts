/**
 * The outcome of parsing one operand. Parsers return the reason instead of throwing so that the compiler,
 * which alone knows where in the pattern the operand sits, can name the path in the error.
 */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A successful parse. */
export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });

/** A failed parse, with a reason worded for the person who wrote the pattern. */
export const rejected = <T>(reason: string): Parsed<T> => ({ ok: false, reason });
