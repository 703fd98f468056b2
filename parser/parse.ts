// Parsing entry points: a script is lexed once, cut into statements at `;` (statement sets kept whole), and
// each statement parsed on its own, so one mistake does not hide the next (error recovery by resync at
// statement boundaries). Errors describe the expected tokens in words and add a hint for classic mistakes.
import { createTokenInstance, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { GrammarWalker } from './assist.js';
import type { Statement } from './ast.js';
import { ParseError, type Span } from './errors.js';
import { SqlGrammar } from './grammar.js';
import { DecimalLiteral, DoubleQuoted, Identifier, IntegerLiteral, K, Keywords, Name, NonReserved, P, QuotedIdentifier, sqlLexer, StringLiteral, UnterminatedString, lastUnterminatedCount } from './lexer.js';
import { closest } from './suggest.js';

let grammar: SqlGrammar | null = null;
let walker: GrammarWalker | null = null;

export function getGrammar(): SqlGrammar {
  grammar ??= new SqlGrammar();
  return grammar;
}

export function getWalker(): GrammarWalker {
  walker ??= new GrammarWalker(getGrammar());
  return walker;
}

export interface ParseResult {
  /** The statements that parsed, in order; a statement with a mistake is left out. */
  readonly statements: Statement[];
  /** Every mistake found, in text order. */
  readonly errors: ParseError[];
  /**
   * Statements that had mistakes, as parsed after the repairs: for the REPL's highlighting and completion, not
   * to be run.
   */
  readonly partial: Statement[];
}

/** Parses a script of `;`-separated statements. Throws the first ParseError. */
export function parseStatements(sql: string): Statement[] {
  const r = parseWithRecovery(sql);
  const first = r.errors[0];
  if (first !== undefined) throw first;
  return r.statements;
}

/** Parses exactly one statement (a trailing `;` is allowed). */
export function parseStatement(sql: string): Statement {
  const all = parseStatements(sql);
  if (all.length !== 1) {
    throw new ParseError(`expected one statement, found ${all.length}`, sql, { start: 0, end: Math.max(1, sql.length) });
  }
  return all[0] as Statement;
}

/**
 * Parses a whole script and reports every mistake: statements are resynchronised at `;`, and inside a statement
 * the parser repairs the token stream (one token inserted or deleted, whichever lets the parse get furthest)
 * and goes on, so a statement with several mistakes reports each of them.
 */
export function parseWithRecovery(sql: string): ParseResult {
  const errors: ParseError[] = [];
  const tokens = lex(sql, errors);
  const statements: Statement[] = [];
  const partial: Statement[] = [];
  // A statement with a lexical error (the bad text is dropped) would only add a confusing second report.
  const lexErrors = errors.map((e) => e.span.start);
  const chunks = splitStatements(tokens);
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as IToken[];
    const from = chunk[0]?.startOffset ?? 0;
    const to = chunks[i + 1]?.[0]?.startOffset ?? sql.length + 1;
    const lexBroken = lexErrors.some((o) => o >= from && o < to) || (i === 0 && lexErrors.some((o) => o < from));
    const r = parseChunk(sql, chunk);
    if (r.rest !== null) chunks.splice(i + 1, 0, r.rest);
    if (lexBroken) {
      if (r.statement !== null) (r.errors.length === 0 ? statements : partial).push(r.statement);
      continue;
    }
    errors.push(...r.errors);
    if (r.statement !== null) (r.errors.length === 0 ? statements : partial).push(r.statement);
  }
  errors.sort((a, b) => a.span.start - b.span.start);
  return { statements, errors, partial };
}

/** At most this many mistakes are reported per statement; past that the repairs are guesses. */
const MAX_ERRORS_PER_STATEMENT = 5;

/** Tokens tried as insertions where a statement fails: the separators and closers people forget. */
const REPAIR_INSERTIONS: TokenType[] = [P.Comma, P.RParen, P.Eq, Identifier];

interface ChunkResult {
  /** The statement (repaired if `errors` is not empty), or null if no repair got through. */
  statement: Statement | null;
  errors: ParseError[];
  /** Tokens after a complete statement that was not ended by ';': parsed as the next statement. */
  rest: IToken[] | null;
}

function parseChunk(sql: string, chunk: IToken[]): ChunkResult {
  const g = getGrammar();
  const errors: ParseError[] = [];
  let tokens = chunk;
  for (;;) {
    g.input = tokens;
    const s = g.singleStatement();
    const err = g.errors[0];
    if (err === undefined) {
      for (const e of g.semanticErrors) errors.push(new ParseError(e.message, sql, e.span));
      return { statement: s, errors, rest: null };
    }
    const trailing = err.name === 'NotAllInputParsedException';
    errors.push(syntaxError(sql, tokens, err.token, trailing));
    const at = tokens.indexOf(err.token);
    if (trailing && at > 0 && STATEMENT_STARTS.includes((tokens[at] as IToken).image.toUpperCase())) {
      // A complete statement followed by more: most likely a forgotten ';'. The rest is the next statement.
      g.input = tokens.slice(0, at);
      const first = g.singleStatement();
      return { statement: g.errors.length === 0 ? first : null, errors, rest: tokens.slice(at) };
    }
    // At the first token there is no statement to repair: which one was meant is anybody's guess.
    if (errors.length >= MAX_ERRORS_PER_STATEMENT || at <= 0) return { statement: null, errors, rest: null };
    const repaired = repair(tokens, at);
    if (repaired === null) return { statement: null, errors, rest: null };
    tokens = repaired;
  }
}

/**
 * The single-token repair at `at` that lets the parse get furthest (deleting the token, or inserting a comma,
 * a closing parenthesis, ...), or null when none gets past the error.
 */
function repair(tokens: IToken[], at: number): IToken[] | null {
  const g = getGrammar();
  const failedAt = tokens[at] as IToken;
  const prev = tokens[at - 1];
  const offset = prev !== undefined ? (prev.endOffset ?? prev.startOffset) + 1 : failedAt.startOffset;
  // A repair must let the parse consume the token that failed (an insertion) or the one after a deleted token;
  // one that only moves the failure a token on just restates the same mistake.
  const candidates: Array<{ tokens: IToken[]; mustPass: number }> = [];
  for (const type of REPAIR_INSERTIONS) {
    const image = typeof type.PATTERN === 'string' ? type.PATTERN : '_';
    const t = createTokenInstance(type, image, offset, offset, NaN, NaN, NaN, NaN);
    candidates.push({ tokens: [...tokens.slice(0, at), t, ...tokens.slice(at)], mustPass: failedAt.startOffset });
  }
  const next = tokens[at + 1];
  if (next !== undefined) candidates.push({ tokens: [...tokens.slice(0, at), ...tokens.slice(at + 1)], mustPass: next.startOffset });
  let best: IToken[] | null = null;
  let bestReach = -1;
  for (const c of candidates) {
    g.input = c.tokens;
    g.singleStatement();
    const err = g.errors[0];
    const last = c.tokens[c.tokens.length - 1];
    const reach = err === undefined ? Infinity : err.token.tokenType.name === 'EOF' ? (last?.endOffset ?? 0) + 1 : err.token.startOffset;
    if (reach > c.mustPass && reach > bestReach) {
      best = c.tokens;
      bestReach = reach;
    }
  }
  return best;
}

/** Lexes, turning lexer errors and unterminated strings into ParseErrors (the offending text is skipped). */
export function lex(sql: string, errors: ParseError[]): IToken[] {
  const result = sqlLexer.tokenize(sql);
  for (const e of result.errors) {
    const ch = sql[e.offset] ?? '';
    errors.push(new ParseError(`unexpected character '${ch}'`, sql, { start: e.offset, end: e.offset + Math.max(1, e.length) }));
  }
  // The scanner counts unterminated strings; without any, its token array is used as it is (no copy).
  if (lastUnterminatedCount() === 0) return result.tokens;
  const tokens: IToken[] = [];
  for (const t of result.tokens) {
    if (t.tokenType === UnterminatedString) {
      errors.push(new ParseError('unterminated string literal', sql, { start: t.startOffset, end: t.startOffset + 1 }, [], "close the string with a single quote (')"));
    } else {
      tokens.push(t);
    }
  }
  return tokens;
}

const SEMICOLON = P.Semicolon.tokenTypeIdx as number;

/**
 * Cuts the token stream at `;`. The `;` stays with its statement (an error can point at it); statement sets
 * (`BEGIN STATEMENT SET; ...; END` and `EXECUTE STATEMENT SET BEGIN ...; END`) are one statement up to END.
 */
export function splitStatements(tokens: readonly IToken[]): IToken[][] {
  // One statement, with at most a final `;` (a REPL line, an embedded SQL string): no cutting, no copy.
  let semicolons = 0;
  for (let i = 0; i < tokens.length; i++) if ((tokens[i] as IToken).tokenTypeIdx === SEMICOLON) semicolons++;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 0 && (semicolons === 0 || (semicolons === 1 && last?.tokenTypeIdx === SEMICOLON && tokens.length > 1))) {
    return [tokens as IToken[]];
  }
  const out: IToken[][] = [];
  let cur: IToken[] = [];
  let inSet = false;
  for (const t of tokens) {
    if (cur.length === 0 && t.tokenType === P.Semicolon) continue;
    cur.push(t);
    const n = cur.length;
    if (t.tokenType === K.SET && n >= 3 && cur[n - 2]?.tokenType === K.STATEMENT && (cur[n - 3]?.tokenType === K.BEGIN || cur[n - 3]?.tokenType === K.EXECUTE)) inSet = true;
    if (inSet && t.tokenType === K.END) inSet = false;
    if (!inSet && t.tokenType === P.Semicolon) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Keywords that start the next clause: after a ',' they mean the list ended one item early. */
const CLAUSE_WORDS = new Set<TokenType>([K.FROM, K.WHERE, K.GROUP, K.HAVING, K.WINDOW, K.ORDER, K.LIMIT, K.OFFSET, K.FETCH, K.UNION, K.INTERSECT, K.EXCEPT, K.ON, K.USING, K.WITH, K.JOIN, K.AS]);

const STATEMENT_STARTS = ['SELECT', 'CREATE', 'INSERT', 'DROP', 'ALTER', 'SET', 'RESET', 'SHOW', 'DESCRIBE', 'EXPLAIN', 'USE', 'WITH', 'VALUES', 'EXECUTE', 'BEGIN', 'HELP', 'QUIT', 'EXIT', 'STOP'];

function syntaxError(sql: string, tokens: IToken[], found: IToken, trailing: boolean): ParseError {
  const atEnd = found.tokenType.name === 'EOF' || Number.isNaN(found.startOffset);
  const index = atEnd ? tokens.length : tokens.indexOf(found);
  const expected = index === 0 ? ['a statement (SELECT, CREATE TABLE, ...)'] : expectedAt(tokens, index, trailing, atEnd ? null : found);
  const end = sql.trimEnd().length;
  const span: Span = atEnd ? { start: end, end: end + 1 } : { start: found.startOffset, end: (found.endOffset ?? found.startOffset) + 1 };
  const what = atEnd ? 'end of input' : `'${found.image}'`;
  const message = expected.length > 0 ? `unexpected ${what}, expected ${wordsOr(expected)}` : `unexpected ${what}`;
  return new ParseError(message, sql, span, expected, hintFor(found, index, tokens, expected, trailing));
}

/**
 * What the grammar expected where it failed, in words. After a complete statement ("not all input parsed") the
 * grammar walk gives every possible continuation, which is what the user needs (`,` before a second name...).
 */
function expectedAt(tokens: IToken[], index: number, trailing: boolean, found: IToken | null): string[] {
  // The grammar walk knows every continuation of the prefix (chevrotain's own report stops at the one rule
  // that failed, e.g. "expected ')'" where ',' was just as possible); the recorder is the fallback. The walk
  // ignores gates and the order of ambiguous alternatives (`POSITION(` is a keyword form and also a call), so
  // where it would accept the very token that failed, chevrotain's own expectation is the truthful one.
  const r = getWalker().next('statement', tokens.slice(0, index));
  const walkAccepts = found !== null && r !== null && r.next.some((n) => tokenMatcher(found, n.type));
  if (r !== null && !walkAccepts) return describe([...r.next.map((n) => n.type), ...(trailing || r.canEnd ? [P.Semicolon] : [])]);
  return describe(getGrammar().recorder.expected);
}

let exprStarters: Set<TokenType> | null = null;

/** Describes token types in words: any expression start collapses to "an expression", names to "a name". */
export function describe(types: readonly TokenType[]): string[] {
  exprStarters ??= getWalker().first('expr');
  const set = new Set(types);
  const out: string[] = [];
  const isExpr = set.has(IntegerLiteral) && set.has(StringLiteral) && (set.has(Identifier) || set.has(Name));
  if (isExpr) out.push('an expression');
  else if (set.has(Identifier) || set.has(QuotedIdentifier) || set.has(NonReserved) || set.has(Name)) out.push('a name');
  for (const t of set) {
    if (t === Identifier || t === QuotedIdentifier || t === NonReserved || t === Name) continue;
    if (isExpr && exprStarters.has(t)) continue;
    if ((t.CATEGORIES ?? []).includes(NonReserved) && out.includes(isExpr ? 'an expression' : 'a name')) continue;
    if (t === StringLiteral) out.push('a string');
    else if (t === IntegerLiteral) out.push('an integer');
    else if (t === DecimalLiteral) out.push('a number');
    else if (typeof t.LABEL === 'string') out.push(t.LABEL);
    else out.push(t.name);
  }
  // Closers and separators are the likeliest fix, so they come before keywords and operators.
  const rank = (w: string): number => (w === 'an expression' || w === 'a name' ? 0 : CLOSERS.has(w) ? 1 : /^[A-Z_]+$/.test(w) ? 2 : 3);
  return [...new Set(out)].sort((a, b) => rank(a) - rank(b));
}

const CLOSERS = new Set(["','", "')'", "']'", "';'"]);

function wordsOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  const shown = items.length > 8 ? [...items.slice(0, 8), '...'] : items;
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1] as string}`;
}

function isReservedKeyword(t: TokenType): boolean {
  return Keywords[t.name] === t && !(t.CATEGORIES ?? []).includes(NonReserved);
}

function hintFor(found: IToken, index: number, tokens: IToken[], expected: string[], trailing: boolean): string | undefined {
  if (found.tokenType === DoubleQuoted) {
    return "string literals use single quotes ('...'); double quotes are not identifiers in Flink SQL: use backticks (`...`)";
  }
  if (index === 0 && found.tokenType === Identifier) {
    const best = closest(found.image.toUpperCase(), STATEMENT_STARTS);
    if (best !== null) return `did you mean ${best}?`;
  }
  if (trailing && STATEMENT_STARTS.includes(found.image.toUpperCase()) && isReservedKeyword(found.tokenType)) {
    return `is a ';' missing before ${found.image.toUpperCase()}? statements are separated by ';'`;
  }
  if (index > 0 && tokens[index - 1]?.tokenType === P.Comma && CLAUSE_WORDS.has(found.tokenType) && !expected.includes(found.image.toUpperCase())) {
    return `is the ',' before ${found.image.toUpperCase()} one too many?`;
  }
  if (isReservedKeyword(found.tokenType) && (expected.includes('a name') || expected.includes('an expression'))) {
    return `${found.image.toUpperCase()} is a reserved word; write \`${found.image}\` in backticks to use it as a name`;
  }
  if (index > 0 && expected.includes("','") && (found.tokenType === Identifier || found.tokenType === QuotedIdentifier || found.tokenType === StringLiteral || tokenIsName(found))) {
    return "is a ',' missing before it?";
  }
  return undefined;
}

function tokenIsName(t: IToken): boolean {
  return (t.tokenType.CATEGORIES ?? []).includes(NonReserved);
}
