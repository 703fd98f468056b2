// The parser's public API: SQL text in, typed AST statements out, or a ParseError that says where and what was
// expected. One grammar instance is reused (chevrotain parsers are stateful but cheap to reset).
import type { IToken, TokenType } from 'chevrotain';
import type { Statement } from './ast.js';
import { ParseError } from './errors.js';
import { SqlGrammar } from './grammar.js';
import { DecimalLiteral, DoubleQuoted, Identifier, IntegerLiteral, K, NonReserved, P, QuotedIdentifier, sqlLexer, StringLiteral, UnterminatedString } from './lexer.js';

export * from './ast.js';
export * from './errors.js';

let grammar: SqlGrammar | null = null;
function getGrammar(): SqlGrammar {
  grammar ??= new SqlGrammar();
  return grammar;
}

/** Parses a script of `;`-separated statements. Throws ParseError on the first mistake. */
export function parseStatements(sql: string): Statement[] {
  const tokens = lex(sql);
  const g = getGrammar();
  g.input = tokens;
  const out = g.script();
  const err = g.errors[0];
  if (err !== undefined) throw syntaxError(sql, tokens, err.token);
  return out;
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(sql: string): Statement {
  const all = parseStatements(sql);
  if (all.length !== 1) {
    throw new ParseError(`expected one statement, found ${all.length}`, sql, { start: 0, end: Math.max(1, sql.length) });
  }
  return all[0] as Statement;
}

function lex(sql: string): IToken[] {
  const result = sqlLexer.tokenize(sql);
  const lexErr = result.errors[0];
  if (lexErr !== undefined) {
    const ch = sql[lexErr.offset] ?? '';
    throw new ParseError(`unexpected character '${ch}'`, sql, { start: lexErr.offset, end: lexErr.offset + Math.max(1, lexErr.length) });
  }
  for (const t of result.tokens) {
    if (t.tokenType === UnterminatedString) {
      throw new ParseError('unterminated string literal', sql, { start: t.startOffset, end: t.startOffset + 1 }, [], "close the string with a single quote (')");
    }
  }
  return result.tokens;
}

const STATEMENT_STARTS = ['SELECT', 'CREATE', 'INSERT', 'DROP', 'ALTER', 'SET', 'RESET', 'SHOW', 'DESCRIBE', 'EXPLAIN', 'USE', 'WITH', 'VALUES', 'EXECUTE', 'BEGIN', 'END', 'HELP', 'QUIT', 'EXIT', 'STOP'];

function syntaxError(sql: string, tokens: IToken[], found: IToken): ParseError {
  const atEnd = found.tokenType.name === 'EOF' || Number.isNaN(found.startOffset);
  const index = atEnd ? tokens.length : tokens.indexOf(found);
  const atStatementStart = index < tokens.length && (index === 0 || (tokens[index - 1] as IToken).tokenType === P.Semicolon);
  const expected = atStatementStart ? ['a statement (SELECT, CREATE TABLE, ...)'] : expectedAt(tokens, index);
  const span = atEnd
    ? { start: Math.max(0, sql.trimEnd().length), end: Math.max(0, sql.trimEnd().length) + 1 }
    : { start: found.startOffset, end: (found.endOffset ?? found.startOffset) + 1 };
  const what = atEnd ? 'end of input' : `'${found.image}'`;
  const message = expected.length > 0 ? `unexpected ${what}, expected ${wordsOr(expected)}` : `unexpected ${what}`;
  return new ParseError(message, sql, span, expected, hintFor(found, index, tokens, expected));
}

/** What the grammar expected where it failed, described in words. */
function expectedAt(tokens: IToken[], index: number): string[] {
  const types = [...getGrammar().recorder.expected];
  if (index === tokens.length && index > 0 && !types.includes(P.Semicolon)) types.push(P.Semicolon);
  return describe(types);
}

const EXPRESSION_STARTERS = new Set<TokenType>([IntegerLiteral, DecimalLiteral, StringLiteral, K.TRUE, K.FALSE, K.NULL, K.CAST, K.TRY_CAST, K.CASE, K.INTERVAL, K.DATE, K.TIME, K.TIMESTAMP, P.Minus, P.Plus, K.NOT]);

function describe(types: TokenType[]): string[] {
  const set = new Set(types);
  const out: string[] = [];
  const isExpr = set.has(IntegerLiteral) && set.has(StringLiteral) && set.has(Identifier);
  if (isExpr) out.push('an expression');
  else if (set.has(Identifier) || set.has(QuotedIdentifier)) out.push('a name');
  for (const t of set) {
    if (t === Identifier || t === QuotedIdentifier || t === NonReserved) continue;
    if (isExpr && (EXPRESSION_STARTERS.has(t) || t === P.LParen || (t.CATEGORIES ?? []).includes(NonReserved))) continue;
    if (!isExpr && (t.CATEGORIES ?? []).includes(NonReserved) && set.has(Identifier)) continue;
    if (t === StringLiteral) out.push('a string');
    else if (t === IntegerLiteral) out.push('an integer');
    else if (t === DecimalLiteral) out.push('a number');
    else if (typeof t.LABEL === 'string') out.push(t.LABEL);
    else out.push(t.name);
  }
  return [...new Set(out)];
}

function wordsOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  const shown = items.length > 8 ? [...items.slice(0, 8), '...'] : items;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1] as string}`;
}

function hintFor(found: IToken, index: number, tokens: IToken[], expected: string[]): string | undefined {
  if (found.tokenType === DoubleQuoted) {
    return 'string literals use single quotes (\'...\'); double quotes are not identifiers in Flink SQL: use backticks (`...`)';
  }
  const atStatementStart = index === 0 || (tokens[index - 1] as IToken).tokenType === P.Semicolon;
  if (atStatementStart && found.tokenType === Identifier) {
    const best = closest(found.image.toUpperCase(), STATEMENT_STARTS);
    if (best !== null) return `did you mean ${best}?`;
  }
  if ((found.tokenType.CATEGORIES ?? []).length === 0 && Object.values(K).includes(found.tokenType) && expected.includes('a name')) {
    return `${found.image.toUpperCase()} is a reserved word; write \`${found.image}\` in backticks to use it as a name`;
  }
  if (found.tokenType === Identifier && index > 0 && expected.includes("','")) {
    return "is a ',' missing before it?";
  }
  return undefined;
}

/** The candidate within edit distance 2 of `word`, if any. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

/**
 * Whether `text` ends with a `;` that is outside strings and comments: the REPL runs the buffer then.
 * An unterminated string or comment means the statement is still being typed.
 */
export function endsWithStatementTerminator(text: string): boolean {
  const result = sqlLexer.tokenize(text);
  const last = result.tokens[result.tokens.length - 1];
  if (last === undefined || last.tokenType === UnterminatedString) return false;
  const trailing = text.slice((last.endOffset ?? 0) + 1);
  // An unclosed block comment after the last token is not lexed as a comment.
  if (/\/\*(?![\s\S]*\*\/)/.test(trailing)) return false;
  return last.tokenType === P.Semicolon;
}
