/** Plain-text helpers for the terminal views: aligned columns and control-character-safe text. */

export type Align = 'left' | 'right';

const CONTROL_NAMES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes untrusted text safe for one terminal line: control characters (ANSI escapes, newlines, carriage returns)
 * are shown as `\n`, `\r`, `\t` or `\u001b` instead of moving the cursor or recolouring the terminal.
 */
export function terminalSafe(text: string): string {
  let safe = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if (!control) safe += c;
    else safe += CONTROL_NAMES[c] ?? `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return safe;
}

/** Renders rows as columns separated by two spaces; the last column is never padded (no trailing blanks). */
export function formatColumns(rows: readonly (readonly string[])[], align: readonly Align[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...cell].length));
        if (align[i] === 'right') return pad + cell;
        return i === row.length - 1 ? cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}
