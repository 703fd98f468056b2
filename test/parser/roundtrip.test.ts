// The unparser's contract over a corpus of real statements: parse → print → parse yields the same AST, spans
// aside. The corpus (corpus.sql) holds the Nexmark DDL and queries plus every construct of the dialect.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatStatement, parseStatement, parseStatements, type Statement } from '../../parser/index.js';
import { stripSpans } from './strip-spans.js';

const corpus = readFileSync(new URL('./corpus.sql', import.meta.url), 'utf8');

describe('unparser round trip over the corpus', () => {
  const statements: Statement[] = parseStatements(corpus);

  it('holds at least 300 statements, every Nexmark query among them', () => {
    expect(statements.length).toBeGreaterThanOrEqual(300);
    const targets = statements.flatMap((s) => (s.kind === 'insert' ? [s.target.parts.map((p) => p.value).join('.')] : []));
    for (const q of [0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]) expect(targets).toContain(`nexmark_q${q}`);
  });

  it.each(statements.map((s) => [corpus.slice(s.span.start, Math.min(s.span.end, s.span.start + 80)).replace(/\s+/g, ' '), s] as const))('%s', (_, s) => {
    const printed = formatStatement(s);
    const reparsed = parseStatement(printed);
    expect(stripSpans(reparsed)).toEqual(stripSpans(s));
    // Printing is a fixpoint: the printed form prints to itself.
    expect(formatStatement(reparsed)).toBe(printed);
  });

  it('spans cover the statement text', () => {
    for (const s of statements) {
      const text = corpus.slice(s.span.start, s.span.end);
      expect(text.length).toBeGreaterThan(0);
      expect(/^[A-Za-z(]/.test(text)).toBe(true);
    }
  });
});
