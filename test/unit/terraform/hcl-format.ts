/**
 * A re-implementation of the layout rules of `terraform fmt` (hclwrite's formatIndent and the `=` alignment of
 * formatCells) for the subset of HCL this repository writes. It exists because terraform itself cannot be installed
 * here; when it can, the real `terraform fmt -check` test runs as well. Heredoc bodies and string contents are opaque.
 */

type TokenKind = 'word' | 'string' | 'open' | 'close' | 'assign' | 'other' | 'heredoc';

interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
}

/** One logical line as hclwrite sees it: a physical line plus the body of a heredoc it opens. */
interface LogicalLine {
  readonly lineNumber: number;
  readonly text: string;
  readonly tokens: readonly Token[];
}

/** A layout difference from what `terraform fmt` would write. */
export interface FormatProblem {
  readonly line: number;
  readonly message: string;
}

const OPENERS = new Set(['{', '[', '(']);
const CLOSERS = new Set(['}', ']', ')']);

/** Index just past the closing quote of the string starting at `start` (which holds the opening quote). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === '"') return i + 1;
    if ((ch === '$' || ch === '%') && text[i + 1] === '{') {
      i = skipTemplate(text, i + 2);
      continue;
    }
    i += 1;
  }
  return text.length;
}

/** Index just past the `}` that closes a template sequence whose body starts at `start`. */
function skipTemplate(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const ch = text[i];
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === '{') depth += 1;
    if (ch === '}') depth -= 1;
    i += 1;
  }
  return i;
}

function tokenize(text: string): { tokens: Token[]; heredocMarker?: string } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === ' ') {
      i += 1;
      continue;
    }
    if (ch === '#' || (ch === '/' && text[i + 1] === '/')) break;
    if (ch === '"') {
      const end = skipString(text, i);
      tokens.push({ kind: 'string', start: i, end });
      i = end;
      continue;
    }
    const heredoc = /^<<-?([A-Za-z_][A-Za-z0-9_]*)$/.exec(text.slice(i).trimEnd());
    if (heredoc) {
      tokens.push({ kind: 'heredoc', start: i, end: text.length });
      return { tokens, heredocMarker: heredoc[1] };
    }
    if (OPENERS.has(ch)) {
      tokens.push({ kind: 'open', start: i, end: i + 1 });
      i += 1;
      continue;
    }
    if (CLOSERS.has(ch)) {
      tokens.push({ kind: 'close', start: i, end: i + 1 });
      i += 1;
      continue;
    }
    if (ch === '=') {
      const prev = text[i - 1];
      const next = text[i + 1];
      const isOperator = next === '=' || next === '>' || prev === '=' || prev === '!' || prev === '<' || prev === '>';
      tokens.push({ kind: isOperator ? 'other' : 'assign', start: i, end: i + 1 });
      i += next === '=' || next === '>' ? 2 : 1;
      continue;
    }
    const word = /^[A-Za-z0-9_.\-*]+/.exec(text.slice(i));
    if (word) {
      tokens.push({ kind: 'word', start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    tokens.push({ kind: 'other', start: i, end: i + 1 });
    i += 1;
  }
  return { tokens };
}

function logicalLines(source: string): LogicalLine[] {
  const physical = source.split('\n');
  const lines: LogicalLine[] = [];
  for (let index = 0; index < physical.length; index += 1) {
    const text = physical[index] ?? '';
    const { tokens, heredocMarker } = tokenize(text);
    lines.push({ lineNumber: index + 1, text, tokens });
    if (heredocMarker !== undefined) {
      while (index + 1 < physical.length && (physical[index + 1] ?? '').trim() !== heredocMarker) index += 1;
      index += 1;
    }
  }
  return lines;
}

function bracketChange(token: Token): number {
  if (token.kind === 'open') return 1;
  if (token.kind === 'close') return -1;
  return 0;
}

/** The `=` that hclwrite would align on this line, if any. */
function assignToken(line: LogicalLine): Token | undefined {
  const index = line.tokens.findIndex((token) => token.kind === 'assign');
  if (index <= 0) return undefined;
  const net = line.tokens.slice(index).reduce((sum, token) => sum + bracketChange(token), 0);
  return net === 0 ? line.tokens[index] : undefined;
}

/** Lists every place where `source` differs from terraform fmt's indentation and `=` alignment. */
export function formatProblems(source: string): FormatProblem[] {
  const problems: FormatProblem[] = [];
  const physical = source.split('\n');
  physical.forEach((text, index) => {
    if (text.includes('\t')) problems.push({ line: index + 1, message: 'tab character' });
    if (/\s+$/.test(text)) problems.push({ line: index + 1, message: 'trailing whitespace' });
  });
  if (!source.endsWith('\n') || source.endsWith('\n\n')) problems.push({ line: physical.length, message: 'file must end with exactly one newline' });

  const lines = logicalLines(source);
  const indents: number[] = [];
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    const net = line.tokens.reduce((sum, token) => sum + bracketChange(token), 0);
    if (net < 0) {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1] ?? 0;
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] = top - closed;
          closed = 0;
        }
      }
    }
    const expected = 2 * indents.length;
    const actual = line.text.length - line.text.trimStart().length;
    if (actual !== expected) problems.push({ line: line.lineNumber, message: `indent ${actual}, terraform fmt writes ${expected}` });
    if (net > 0) indents.push(net);
  }

  let chain: { line: LogicalLine; assign: Token; leadEnd: number }[] = [];
  const closeChain = (): void => {
    const column = Math.max(...chain.map((entry) => entry.leadEnd)) + 1;
    for (const entry of chain) {
      if (entry.assign.start !== column) {
        problems.push({ line: entry.line.lineNumber, message: `"=" at column ${entry.assign.start + 1}, terraform fmt aligns it at ${column + 1}` });
      }
    }
    chain = [];
  };
  for (const line of lines) {
    const assign = assignToken(line);
    if (assign === undefined) {
      if (chain.length > 0) closeChain();
      const other = line.tokens.find((token) => token.kind === 'assign');
      if (other !== undefined && line.text[other.start - 1] === ' ' && line.text[other.start - 2] === ' ') {
        problems.push({ line: line.lineNumber, message: 'more than one space before "=" on a line that opens a multi-line value' });
      }
      continue;
    }
    const lead = line.tokens.filter((token) => token.end <= assign.start);
    const leadEnd = lead.length > 0 ? (lead[lead.length - 1]?.end ?? 0) : 0;
    if (line.text[assign.end] !== ' ' || line.text[assign.end + 1] === ' ') {
      problems.push({ line: line.lineNumber, message: 'exactly one space must follow "="' });
    }
    chain.push({ line, assign, leadEnd });
  }
  if (chain.length > 0) closeChain();
  return problems;
}
