// The hand-written scanner against its specification, chevrotain's Lexer over the same token patterns: every
// token (type, image, offsets; tokens carry no lines and columns), comment and lexing error (with its line and
// column) must agree, on the corpus, on tricky edge cases and on thousands of seeded random mutations.
import { Lexer, type ILexingResult, type IToken } from 'chevrotain';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Identifier, Keywords, lexerDefinition, sqlLexer } from '../../parser/lexer.js';

const reference = new Lexer(lexerDefinition, { positionTracking: 'full', ensureOptimizations: true });
const keywordByWord = new Map(Object.entries(Keywords));

/** The old lexer: chevrotain, then words retyped as keywords outside hints. */
function referenceTokenize(text: string): ILexingResult {
  const r = reference.tokenize(text);
  let inHint = false;
  for (const t of r.tokens) {
    if (t.tokenType.name === 'HintStart') inHint = true;
    else if (t.tokenType.name === 'HintEnd') inHint = false;
    else if (t.tokenType === Identifier && !inHint) {
      const k = keywordByWord.get(t.image.toUpperCase());
      if (k !== undefined) {
        t.tokenType = k;
        t.tokenTypeIdx = k.tokenTypeIdx as number;
      }
    }
  }
  return r;
}

const view = (ts: readonly IToken[]): unknown[] =>
  ts.map((t) => [
    t.tokenType.name,
    t.image,
    t.startOffset,
    t.endOffset,
    t.tokenTypeIdx,
  ]);

function same(text: string): void {
  const a = sqlLexer.tokenize(text);
  const b = referenceTokenize(text);
  expect(view(a.tokens), text).toEqual(view(b.tokens));
  expect(view((a.groups['comments'] ?? []) as IToken[]), text).toEqual(
    view((b.groups['comments'] ?? []) as IToken[]),
  );
  expect(a.errors, text).toEqual(b.errors);
}

const corpus = readFileSync(new URL('./corpus.sql', import.meta.url), 'utf8');

const EDGE = [
  "SELECT 'it''s', 'a''', '''' , 'open",
  "'x'' y",
  "'a''b''",
  '"dq" "d""q" "open',
  '`q``x` `open',
  '`a``',
  '1 1.5 .5 1. 1.e5 1e5 1e 1e+ 1E-3 1.2.3 1..2 .e a1 1a',
  'a||b|c <> != <= >= < > => = ! !! # @ ^ é ñame',
  "-- comment\nSELECT /* block\r\n comment */ 1 /*+ OPTIONS('k'='v', x = 1.5) */ /* open",
  "/*+ SELECT a.b ( ) , = * - 'x' `y` */ SELECT",
  "a\r\nb\rc\n\nd 'multi\nline\r\nstring' `multi\nid` \u00a0\u2028x\ufeff",
  '/*/ */ /**/ /***/ --\r\n--x',
  "'\n' '\r' '\r\n'",
  '',
  '   ',
  "'",
];

describe('hand-written scanner matches the chevrotain lexer definition', () => {
  it('on the corpus', () => {
    same(corpus);
    for (const line of corpus.split('\n')) same(line);
  });

  it('on edge cases', () => {
    for (const e of EDGE) same(e);
  });

  it('on 5000 random mutations', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'abAB_$019 .,;()[]{}?*+-/%|<>=!\'"`\n\r\t#é\u00a0e+';
    const pieces = [...EDGE, ...corpus.split(/(?<=;)/).slice(0, 60)];
    for (let k = 0; k < 5000; k++) {
      let s = pieces[Math.floor(random() * pieces.length)] as string;
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (s.length + 1));
        const ch = alphabet[Math.floor(random() * alphabet.length)] as string;
        s = random() < 0.5 ? s.slice(0, at) + ch + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      same(s);
    }
  });
});
