// Tokens of the Flink SQL dialect. Keywords are case-insensitive words: the lexer matches one identifier
// pattern and then looks the word up (two hundred keyword regexes tried at every name were most of the lexing
// time), so `selected` is a name, not SELECT + `ed`. Comments and whitespace are skipped but kept in a group,
// so the REPL's highlighter sees them too. The patterns below specify the tokens; scanner.ts matches them
// (by hand, several times faster than chevrotain's regex loop).
import { createToken, Lexer, type ILexingResult, type TokenType } from 'chevrotain';
import { Scanner } from './scanner.js';

/** Anything usable as a name: a plain or quoted identifier, or a non-reserved keyword (one token test, not three). */
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, label: 'a name' });
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_$][A-Za-z0-9_$]*/, categories: [Name] });
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /`(?:[^`]|``)*`/, categories: [Name] });

/** Keywords that may also be used as plain names (Flink's non-reserved words), e.g. a column named `year`. */
export const NonReserved = createToken({ name: 'NonReserved', pattern: Lexer.NA, categories: [Name] });

const NON_RESERVED = new Set([
  'COMMENT', 'KEY', 'ENFORCED', 'ZONE', 'LOCAL', 'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND',
  'YEARS', 'MONTHS', 'DAYS', 'HOURS', 'MINUTES', 'SECONDS', 'PRECISION', 'STRING', 'BYTES', 'TEMPORARY', 'IF', 'WITHOUT', 'TIMESTAMP_LTZ',
  // Words of the utility statements and of DDL clauses that people also use as column names.
  'TABLES', 'VIEWS', 'FUNCTIONS', 'JOBS', 'JOB', 'CATALOG', 'CATALOGS', 'DATABASE', 'DATABASES', 'MODULES',
  'USER', 'SAVEPOINT', 'DRAIN', 'HELP', 'QUIT', 'EXIT', 'STOP', 'METADATA', 'VIRTUAL', 'INCLUDING', 'EXCLUDING',
  'OVERWRITING', 'LANGUAGE', 'JAVA', 'SCALA', 'PYTHON', 'SQL', 'JAVASCRIPT', 'TYPESCRIPT', 'EXTENDED', 'ESTIMATED_COST', 'CHANGELOG_MODE',
  'JSON_EXECUTION_PLAN', 'PLAN_ADVICE', 'VERBOSE', 'PLAN', 'FIRST', 'LAST', 'NULLS', 'ORDINALITY', 'PAST', 'ONE', 'PER',
  'AFTER', 'SKIP', 'NEXT', 'SETS', 'RENAME', 'STATEMENT', 'PARTITIONED', 'SYSTEM', 'CASCADE', 'RESTRICT',
  'OVERWRITE', 'BEGIN', 'EXECUTE', 'SHOW', 'USE', 'COLUMNS', 'CONSTRAINTS', 'GENERATED', 'OPTIONS', 'PARTITIONS',
  'WATERMARKS', 'RESET', 'UNKNOWN', 'DESCRIBE', 'EXPLAIN',
  // Functions with keyword syntax inside their parentheses (TRIM(LEADING 'x' FROM s), POSITION(a IN b), ...)
  // and the words of that syntax: names everywhere else.
  'TRIM', 'POSITION', 'OVERLAY', 'FLOOR', 'CEIL', 'JSON_VALUE', 'JSON_OBJECT', 'BOTH', 'LEADING', 'TRAILING',
  'PLACING', 'RETURNING', 'EMPTY', 'ERROR', 'ABSENT', 'VALUE', 'DEFAULT',
]);

const keywordTokens: TokenType[] = [];
/** All keywords by upper-case name. */
export const Keywords: Record<string, TokenType> = {};

function kw(word: string): TokenType {
  const t = createToken({
    name: word,
    // Never matched by the lexer itself: see sqlLexer.tokenize, which retypes identifiers that are keywords.
    pattern: Lexer.NA,
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
  // Flink (Calcite) also accepts the plural units: INTERVAL '10' MINUTES, as the window TVF docs write it.
  YEARS: kw('YEARS'),
  MONTHS: kw('MONTHS'),
  DAYS: kw('DAYS'),
  HOURS: kw('HOURS'),
  MINUTES: kw('MINUTES'),
  SECONDS: kw('SECONDS'),
  TO: kw('TO'),
  MULTISET: kw('MULTISET'),
  // queries
  JOIN: kw('JOIN'),
  INNER: kw('INNER'),
  LEFT: kw('LEFT'),
  RIGHT: kw('RIGHT'),
  FULL: kw('FULL'),
  OUTER: kw('OUTER'),
  CROSS: kw('CROSS'),
  NATURAL: kw('NATURAL'),
  ON: kw('ON'),
  USING: kw('USING'),
  LATERAL: kw('LATERAL'),
  UNNEST: kw('UNNEST'),
  ORDINALITY: kw('ORDINALITY'),
  GROUP: kw('GROUP'),
  GROUPING: kw('GROUPING'),
  SETS: kw('SETS'),
  ROLLUP: kw('ROLLUP'),
  CUBE: kw('CUBE'),
  BY: kw('BY'),
  HAVING: kw('HAVING'),
  WINDOW: kw('WINDOW'),
  ORDER: kw('ORDER'),
  ASC: kw('ASC'),
  DESC: kw('DESC'),
  NULLS: kw('NULLS'),
  FIRST: kw('FIRST'),
  LAST: kw('LAST'),
  LIMIT: kw('LIMIT'),
  OFFSET: kw('OFFSET'),
  FETCH: kw('FETCH'),
  NEXT: kw('NEXT'),
  ONLY: kw('ONLY'),
  ROWS: kw('ROWS'),
  RANGE: kw('RANGE'),
  UNBOUNDED: kw('UNBOUNDED'),
  PRECEDING: kw('PRECEDING'),
  FOLLOWING: kw('FOLLOWING'),
  CURRENT: kw('CURRENT'),
  UNION: kw('UNION'),
  INTERSECT: kw('INTERSECT'),
  EXCEPT: kw('EXCEPT'),
  VALUES: kw('VALUES'),
  OVER: kw('OVER'),
  PARTITION: kw('PARTITION'),
  FILTER: kw('FILTER'),
  EXTRACT: kw('EXTRACT'),
  SYMMETRIC: kw('SYMMETRIC'),
  ASYMMETRIC: kw('ASYMMETRIC'),
  SIMILAR: kw('SIMILAR'),
  UNKNOWN: kw('UNKNOWN'),
  DESCRIPTOR: kw('DESCRIPTOR'),
  SYSTEM_TIME: kw('SYSTEM_TIME'),
  OF: kw('OF'),
  MATCH_RECOGNIZE: kw('MATCH_RECOGNIZE'),
  MEASURES: kw('MEASURES'),
  ONE: kw('ONE'),
  PER: kw('PER'),
  MATCH: kw('MATCH'),
  AFTER: kw('AFTER'),
  SKIP: kw('SKIP'),
  PAST: kw('PAST'),
  PATTERN: kw('PATTERN'),
  DEFINE: kw('DEFINE'),
  WITHIN: kw('WITHIN'),
  // calls with keyword syntax
  TRIM: kw('TRIM'),
  POSITION: kw('POSITION'),
  OVERLAY: kw('OVERLAY'),
  FLOOR: kw('FLOOR'),
  CEIL: kw('CEIL'),
  JSON_VALUE: kw('JSON_VALUE'),
  JSON_OBJECT: kw('JSON_OBJECT'),
  BOTH: kw('BOTH'),
  LEADING: kw('LEADING'),
  TRAILING: kw('TRAILING'),
  PLACING: kw('PLACING'),
  RETURNING: kw('RETURNING'),
  EMPTY: kw('EMPTY'),
  ERROR: kw('ERROR'),
  ABSENT: kw('ABSENT'),
  VALUE: kw('VALUE'),
  DEFAULT: kw('DEFAULT'),
  // DDL, DML and utility statements
  INSERT: kw('INSERT'),
  INTO: kw('INTO'),
  OVERWRITE: kw('OVERWRITE'),
  EXECUTE: kw('EXECUTE'),
  STATEMENT: kw('STATEMENT'),
  SET: kw('SET'),
  BEGIN: kw('BEGIN'),
  DROP: kw('DROP'),
  ALTER: kw('ALTER'),
  RENAME: kw('RENAME'),
  RESET: kw('RESET'),
  VIEW: kw('VIEW'),
  FUNCTION: kw('FUNCTION'),
  SYSTEM: kw('SYSTEM'),
  LANGUAGE: kw('LANGUAGE'),
  JAVA: kw('JAVA'),
  SCALA: kw('SCALA'),
  PYTHON: kw('PYTHON'),
  JAVASCRIPT: kw('JAVASCRIPT'),
  TYPESCRIPT: kw('TYPESCRIPT'),
  SQL: kw('SQL'),
  CATALOG: kw('CATALOG'),
  DATABASE: kw('DATABASE'),
  CASCADE: kw('CASCADE'),
  RESTRICT: kw('RESTRICT'),
  USE: kw('USE'),
  CONSTRAINT: kw('CONSTRAINT'),
  METADATA: kw('METADATA'),
  VIRTUAL: kw('VIRTUAL'),
  PARTITIONED: kw('PARTITIONED'),
  INCLUDING: kw('INCLUDING'),
  EXCLUDING: kw('EXCLUDING'),
  OVERWRITING: kw('OVERWRITING'),
  CONSTRAINTS: kw('CONSTRAINTS'),
  GENERATED: kw('GENERATED'),
  OPTIONS: kw('OPTIONS'),
  PARTITIONS: kw('PARTITIONS'),
  WATERMARKS: kw('WATERMARKS'),
  SHOW: kw('SHOW'),
  TABLES: kw('TABLES'),
  VIEWS: kw('VIEWS'),
  FUNCTIONS: kw('FUNCTIONS'),
  USER: kw('USER'),
  JOBS: kw('JOBS'),
  JOB: kw('JOB'),
  CATALOGS: kw('CATALOGS'),
  DATABASES: kw('DATABASES'),
  MODULES: kw('MODULES'),
  COLUMNS: kw('COLUMNS'),
  DESCRIBE: kw('DESCRIBE'),
  EXTENDED: kw('EXTENDED'),
  EXPLAIN: kw('EXPLAIN'),
  PLAN: kw('PLAN'),
  ESTIMATED_COST: kw('ESTIMATED_COST'),
  CHANGELOG_MODE: kw('CHANGELOG_MODE'),
  JSON_EXECUTION_PLAN: kw('JSON_EXECUTION_PLAN'),
  PLAN_ADVICE: kw('PLAN_ADVICE'),
  VERBOSE: kw('VERBOSE'),
  STOP: kw('STOP'),
  SAVEPOINT: kw('SAVEPOINT'),
  DRAIN: kw('DRAIN'),
  HELP: kw('HELP'),
  QUIT: kw('QUIT'),
  EXIT: kw('EXIT'),
};

export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/ });
/** A string opened but not closed: lexed so that the error can say so instead of "unexpected character". */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /'(?:[^']|'')*/ });
export const DoubleQuoted = createToken({ name: 'DoubleQuoted', pattern: /"(?:[^"]|"")*"/ });
export const DecimalLiteral = createToken({ name: 'DecimalLiteral', pattern: /(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+/ });
export const IntegerLiteral = createToken({ name: 'IntegerLiteral', pattern: /\d+/ });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: 'comments' });
/** A block comment that is not a hint (`/*+` opens a hint, whose contents are tokens). */
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*(?!\+)[\s\S]*?\*\//, group: 'comments' });
export const HintStart = createToken({ name: 'HintStart', pattern: '/*+', label: "'/*+'", push_mode: 'hint' });
export const HintEnd = createToken({ name: 'HintEnd', pattern: '*/', label: "'*/'", pop_mode: true });

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
  Pipe: punct('Pipe', '|'),
  LBracket: punct('LBracket', '['),
  RBracket: punct('RBracket', ']'),
  LBrace: punct('LBrace', '{'),
  RBrace: punct('RBrace', '}'),
  Question: punct('Question', '?'),
  Arrow: punct('Arrow', '=>'),
  Eq: punct('Eq', '='),
  Neq: punct('Neq', /<>|!=/, "'<>'"),
  Le: punct('Le', '<='),
  Ge: punct('Ge', '>='),
  Lt: punct('Lt', '<'),
  Gt: punct('Gt', '>'),
};

/** Order matters: longer punctuation before its prefixes, decimals before integers, keywords before names. */
const mainMode: TokenType[] = [
  Name,
  NonReserved,
  WhiteSpace,
  LineComment,
  HintStart,
  BlockComment,
  StringLiteral,
  UnterminatedString,
  DoubleQuoted,
  QuotedIdentifier,
  DecimalLiteral,
  IntegerLiteral,
  P.Concat,
  P.Pipe,
  P.Neq,
  P.Le,
  P.Ge,
  P.Lt,
  P.Gt,
  P.Arrow,
  P.Eq,
  P.LParen,
  P.RParen,
  P.LBracket,
  P.RBracket,
  P.LBrace,
  P.RBrace,
  P.Question,
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

/** Inside `/*+ ... *\/` only names, strings and a little punctuation exist; keywords are plain names there. */
const hintMode: TokenType[] = [
  WhiteSpace,
  HintEnd,
  StringLiteral,
  UnterminatedString,
  QuotedIdentifier,
  IntegerLiteral,
  P.LParen,
  P.RParen,
  P.Comma,
  P.Eq,
  P.Dot,
  Identifier,
];

/** Every token type, for the parser's vocabulary. */
export const allTokens: TokenType[] = [...mainMode, HintEnd];

/**
 * The token patterns as a chevrotain lexer definition: the specification that the hand-written scanner
 * implements (test/parser/lexer.test.ts runs both over the corpus and mutated text and compares every token).
 */
export const lexerDefinition = { modes: { main: mainMode, hint: hintMode }, defaultMode: 'main' };

const scanner = new Scanner({
  Identifier,
  QuotedIdentifier,
  StringLiteral,
  UnterminatedString,
  DoubleQuoted,
  DecimalLiteral,
  IntegerLiteral,
  LineComment,
  BlockComment,
  HintStart,
  HintEnd,
  punct: P,
  keywords: new Map<string, TokenType>(Object.entries(Keywords)),
});

/**
 * The SQL lexer. Words are lexed as identifiers and retyped as keywords by a table lookup; inside hints
 * (`/*+ ... *\/`) every word stays a name, as the hint grammar expects. Comments are in `groups.comments`.
 */
export const sqlLexer = {
  tokenize(text: string): ILexingResult {
    return scanner.tokenize(text);
  },
};

/** How many UnterminatedString tokens the last tokenize produced (so the parser can skip filtering them). */
export function lastUnterminatedCount(): number {
  return scanner.unterminated;
}
