// Tokens of the Flink SQL dialect. Keywords are case-insensitive and fall back to identifiers where a longer
// identifier matches (`selected` is a name, not SELECT + `ed`). Comments and whitespace are skipped but kept
// in a group, so the REPL's highlighter sees them too.
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_$][A-Za-z0-9_$]*/ });
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /`(?:[^`]|``)*`/ });

/** Keywords that may also be used as plain names (Flink's non-reserved words), e.g. a column named `year`. */
export const NonReserved = createToken({ name: 'NonReserved', pattern: Lexer.NA });

const NON_RESERVED = new Set([
  'COMMENT', 'KEY', 'ENFORCED', 'ZONE', 'LOCAL', 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND',
  'PRECISION', 'STRING', 'BYTES', 'TEMPORARY', 'IF', 'WITHOUT', 'TIMESTAMP_LTZ',
]);

const keywordTokens: TokenType[] = [];
/** All keywords by upper-case name. */
export const Keywords: Record<string, TokenType> = {};

function kw(word: string): TokenType {
  const t = createToken({
    name: word,
    pattern: new RegExp(`${word}(?![A-Za-z0-9_$])`, 'i'),
    longer_alt: Identifier,
    categories: NON_RESERVED.has(word) ? [NonReserved] : [],
  });
  keywordTokens.push(t);
  Keywords[word] = t;
  return t;
}

export const K = {
  SELECT: kw('SELECT'),
  FROM: kw('FROM'),
  WHERE: kw('WHERE'),
  AS: kw('AS'),
  AND: kw('AND'),
  OR: kw('OR'),
  NOT: kw('NOT'),
  NULL: kw('NULL'),
  TRUE: kw('TRUE'),
  FALSE: kw('FALSE'),
  IS: kw('IS'),
  IN: kw('IN'),
  BETWEEN: kw('BETWEEN'),
  LIKE: kw('LIKE'),
  ESCAPE: kw('ESCAPE'),
  CASE: kw('CASE'),
  WHEN: kw('WHEN'),
  THEN: kw('THEN'),
  ELSE: kw('ELSE'),
  END: kw('END'),
  CAST: kw('CAST'),
  TRY_CAST: kw('TRY_CAST'),
  DISTINCT: kw('DISTINCT'),
  ALL: kw('ALL'),
  CREATE: kw('CREATE'),
  TEMPORARY: kw('TEMPORARY'),
  TABLE: kw('TABLE'),
  IF: kw('IF'),
  EXISTS: kw('EXISTS'),
  WITH: kw('WITH'),
  WITHOUT: kw('WITHOUT'),
  WATERMARK: kw('WATERMARK'),
  FOR: kw('FOR'),
  PRIMARY: kw('PRIMARY'),
  KEY: kw('KEY'),
  ENFORCED: kw('ENFORCED'),
  COMMENT: kw('COMMENT'),
  TIME: kw('TIME'),
  ZONE: kw('ZONE'),
  LOCAL: kw('LOCAL'),
  TIMESTAMP: kw('TIMESTAMP'),
  TIMESTAMP_LTZ: kw('TIMESTAMP_LTZ'),
  DATE: kw('DATE'),
  INTERVAL: kw('INTERVAL'),
  BOOLEAN: kw('BOOLEAN'),
  TINYINT: kw('TINYINT'),
  SMALLINT: kw('SMALLINT'),
  INTEGER: kw('INTEGER'),
  INT: kw('INT'),
  BIGINT: kw('BIGINT'),
  FLOAT: kw('FLOAT'),
  DOUBLE: kw('DOUBLE'),
  PRECISION: kw('PRECISION'),
  DECIMAL: kw('DECIMAL'),
  DEC: kw('DEC'),
  NUMERIC: kw('NUMERIC'),
  CHAR: kw('CHAR'),
  CHARACTER: kw('CHARACTER'),
  VARCHAR: kw('VARCHAR'),
  STRING: kw('STRING'),
  BINARY: kw('BINARY'),
  VARBINARY: kw('VARBINARY'),
  BYTES: kw('BYTES'),
  ARRAY: kw('ARRAY'),
  MAP: kw('MAP'),
  ROW: kw('ROW'),
  YEAR: kw('YEAR'),
  MONTH: kw('MONTH'),
  DAY: kw('DAY'),
  HOUR: kw('HOUR'),
  MINUTE: kw('MINUTE'),
  SECOND: kw('SECOND'),
  TO: kw('TO'),
};

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/ });
/** A string opened but not closed: lexed so that the error can say so instead of "unexpected character". */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /'(?:[^']|'')*/ });
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"(?:[^"]|"")*"/ });
export const DecimalLiteral = createToken({ name: 'DecimalLiteral', pattern: /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/ });
export const IntegerLiteral = createToken({ name: 'IntegerLiteral', pattern: /\d+/ });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments' });

const punct = (name: string, pattern: RegExp | string, label?: string): TokenType =>
  createToken({ name, pattern, label: label ?? `'${typeof pattern === 'string' ? pattern : name}'` });

export const P = {
  LParen: punct('LParen', '('),
  RParen: punct('RParen', ')'),
  Comma: punct('Comma', ','),
  Semicolon: punct('Semicolon', ';'),
  Dot: punct('Dot', '.'),
  Star: punct('Star', '*'),
  Plus: punct('Plus', '+'),
  Minus: punct('Minus', '-'),
  Slash: punct('Slash', '/'),
  Percent: punct('Percent', '%'),
  Concat: punct('Concat', '||'),
  Eq: punct('Eq', '='),
  Neq: punct('Neq', /<>|!=/, "'<>'"),
  Le: punct('Le', '<='),
  Ge: punct('Ge', '>='),
  Lt: punct('Lt', '<'),
  Gt: punct('Gt', '>'),
};

/** Order matters: longer punctuation before its prefixes, decimals before integers, keywords before names. */
export const allTokens: TokenType[] = [
  NonReserved,
  WhiteSpace,
  LineComment,
  BlockComment,
  StringLiteral,
  UnterminatedString,
  DoubleQuoted,
  QuotedIdentifier,
  DecimalLiteral,
  IntegerLiteral,
  P.Concat,
  P.Neq,
  P.Le,
  P.Ge,
  P.Lt,
  P.Gt,
  P.Eq,
  P.LParen,
  P.RParen,
  P.Comma,
  P.Semicolon,
  P.Dot,
  P.Star,
  P.Plus,
  P.Minus,
  P.Slash,
  P.Percent,
  ...keywordTokens,
  Identifier,
];

export const sqlLexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });
