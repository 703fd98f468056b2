// The hand-written expression parser (grammar.ts, "expressions, fast path") against the recorded grammar it
// stands in for: on the corpus and on thousands of seeded token-level mutations, parsing with the fast path on
// and off must give the same statements (spans included), the same partial ASTs and the same errors.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStatements, parseWithRecovery } from '../../parser/index.js';
import { sqlLexer } from '../../parser/lexer.js';
import { getGrammar } from '../../parser/parse.js';

const corpus = readFileSync(new URL('./corpus.sql', import.meta.url), 'utf8');
const statements = parseStatements(corpus).map((s) => corpus.slice(s.span.start, s.span.end));

function both(sql: string): void {
  const g = getGrammar();
  g.fastExpressions = true;
  const fast = parseWithRecovery(sql);
  g.fastExpressions = false;
  const slow = parseWithRecovery(sql);
  g.fastExpressions = true;
  expect(fast.statements, sql).toEqual(slow.statements);
  expect(fast.partial, sql).toEqual(slow.partial);
  expect(
    fast.errors.map((e) => [e.message, e.span, e.hint]),
    sql,
  ).toEqual(slow.errors.map((e) => [e.message, e.span, e.hint]));
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Tokens that start, continue or end expressions, so that mutations probe the corners of the fast path.
const EXTRA = [
  '(',
  ')',
  ',',
  '.',
  '*',
  '+',
  '-',
  '||',
  '=',
  '<>',
  '[',
  ']',
  '=>',
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'TRUE',
  'UNKNOWN',
  'DISTINCT',
  'FROM',
  'FOR',
  'BETWEEN',
  'SYMMETRIC',
  'IN',
  'LIKE',
  'SIMILAR',
  'TO',
  'ESCAPE',
  'CAST',
  'AS',
  'INT',
  'CASE',
  'WHEN',
  'THEN',
  'END',
  'INTERVAL',
  "'1'",
  'DAY',
  'SECOND',
  'DATE',
  'FILTER',
  'WHERE',
  'OVER',
  'ROW',
  'ARRAY',
  'LEFT',
  'x',
  '`q`',
  '1',
  '2.5',
  'SELECT',
  'EXISTS',
];

function mutate(sql: string, random: () => number): string {
  const toks = sqlLexer.tokenize(sql).tokens.map((t) => t.image);
  const pick = (): number => Math.floor(random() * Math.max(1, toks.length));
  const n = 1 + Math.floor(random() * 3);
  for (let k = 0; k < n && toks.length > 0; k++) {
    const i = pick();
    const r = Math.floor(random() * 5);
    if (r === 0) toks.splice(i, 1);
    else if (r === 1) toks.splice(i, 0, toks[pick()] as string);
    else if (r === 2) toks.length = i;
    else toks.splice(i, r === 3 ? 1 : 0, EXTRA[Math.floor(random() * EXTRA.length)] as string);
  }
  return toks.join(' ');
}

afterAll(() => {
  getGrammar().fastExpressions = true;
});

describe('fast expression parser = recorded grammar', () => {
  it('on every corpus statement', () => {
    for (const s of statements) both(s);
  });

  it('on expression corner cases', () => {
    for (const e of [
      'a OR b AND c OR NOT NOT d = e',
      'a - -b * c || d % e / f + g',
      'a = b = c',
      'a IS NOT DISTINCT FROM b + 1',
      'a NOT BETWEEN SYMMETRIC 1 AND 2 AND b',
      'a NOT x',
      'a IN (SELECT 1)',
      'a NOT IN (1, 2)',
      "a NOT SIMILAR TO 'x' ESCAPE 'y'",
      'f(x).g[1].h',
      'r.a.b',
      'count(*) FILTER (WHERE x > 1) OVER (PARTITION BY k)',
      'x FILTER (WHERE y)',
      'sum(x) OVER w',
      'SUBSTRING(s FROM 2 FOR 3)',
      "INTERVAL '1 2' DAY TO HOUR",
      "INTERVAL '1' DAY TO",
      'CAST(a AS ROW<x INT>)',
      '(a)',
      '((SELECT 1))',
      'LEFT(s, 2)',
      'GROUPING(a)',
      'f(DISTINCT)',
      'f(a, b => 1)',
      'a.*',
      '-(a)',
      'a[1',
      'TIMESTAMP x',
      'a IS',
      'a IS NOT',
      'f(ALL x)',
      'EXTRACT(DAY FROM ts) + 1',
      'ARRAY[1, 2][1]',
      'NOT',
      'a +',
      'a BETWEEN 1',
      'CASE WHEN a THEN b END + 1',
    ]) {
      both(`SELECT ${e} FROM t WHERE ${e} GROUP BY ${e} LIMIT 1`);
      both(`SELECT ${e}`);
    }
  });

  // Error paths walk the grammar for their messages: slow on a loaded shared machine, hence the timeout.
  it('on 800 seeded mutations', () => {
    const random = rng(424242);
    for (let i = 0; i < 800; i++)
      both(mutate(statements[Math.floor(random() * statements.length)] as string, random));
  }, 120_000);
});

describe('fast path tables', () => {
  it('EXPR_START is the FIRST set of the recorded expr rule', async () => {
    const { EXPR_START } = await import('../../parser/grammar.js');
    const { getWalker } = await import('../../parser/parse.js');
    const { allTokens, Name, NonReserved } = await import('../../parser/lexer.js');
    const first = getWalker().first('expr');
    const expected = allTokens.filter(
      (t) =>
        first.has(t) ||
        (t.CATEGORIES ?? []).some((c) => first.has(c)) ||
        (first.has(Name) && (t.CATEGORIES ?? []).includes(NonReserved)),
    );
    const actual = allTokens.filter((t) => EXPR_START[t.tokenTypeIdx as number] === 1);
    expect(actual.map((t) => t.name).sort()).toEqual(
      expected
        .map((t) => t.name)
        .filter((n) => n !== 'Name' && n !== 'NonReserved')
        .sort(),
    );
  });
});

describe('table lookahead = chevrotain LL(k) lookahead', () => {
  it('on the corpus and 2000 seeded mutations: same AST, same error token and kind', async () => {
    const { SqlGrammar } = await import('../../parser/grammar.js');
    const { lex, splitStatements } = await import('../../parser/parse.js');
    const table = getGrammar();
    const llk = new SqlGrammar({ tableLookahead: false });
    const check = (sql: string): void => {
      for (const chunk of splitStatements(lex(sql, []))) {
        const out = [table, llk].map((g) => {
          g.input = chunk;
          const s = g.singleStatement();
          const e = g.errors[0];
          return {
            s,
            error: e === undefined ? null : [e.name, e.token.startOffset],
            semantic: g.semanticErrors,
          };
        });
        expect(out[0], sql).toEqual(out[1]);
      }
    };
    for (const s of statements) check(s);
    const random = rng(777);
    for (let i = 0; i < 2000; i++)
      check(mutate(statements[Math.floor(random() * statements.length)] as string, random));
  }, 120_000);
});
