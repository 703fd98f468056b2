// What the shell handles before (or instead of) the SQL parser: splitting a typed buffer into statements, the
// shell's own commands (SET/RESET of shell keys, HELP, QUIT/EXIT, dot-commands like DuckDB's), and their text.
// SET is intercepted here because the parser does not know it yet; once it does, this stays the shell's view.
import { formatType } from '../executor/index.js';
import type { TableEnvironment } from '../index.js';
import { P, sqlLexer } from '../parser/lexer.js';

export type ResultMode = 'table' | 'changelog' | 'tableau';
export const RESULT_MODES: readonly ResultMode[] = ['table', 'changelog', 'tableau'];
export const RESULT_MODE_KEY = 'sql-client.execution.result-mode';
/** Flink's cap on the rows of the table result mode's materialized view. */
export const MAX_TABLE_ROWS_KEY = 'sql-client.execution.max-table-result.rows';

export type ShellCommand =
  | { readonly kind: 'set'; readonly key: string; readonly value: string }
  | { readonly kind: 'showSet' }
  | { readonly kind: 'reset'; readonly key: string | null }
  | { readonly kind: 'help'; readonly topic: string | null }
  | { readonly kind: 'quit' }
  | { readonly kind: 'tables' }
  | { readonly kind: 'schema'; readonly table: string | null }
  | { readonly kind: 'mode'; readonly mode: string | null }
  | { readonly kind: 'timer'; readonly on: boolean | null }
  | { readonly kind: 'unknownDot'; readonly name: string }
  | { readonly kind: 'showJobs' }
  | { readonly kind: 'stopJob'; readonly id: string; readonly withSavepoint?: true }
  | { readonly kind: 'describeJob'; readonly id: string }
  | { readonly kind: 'sql'; readonly text: string };

/**
 * Splits at `;` tokens (so a `;` in a string or comment does not split); each piece keeps its `;`. Pieces that
 * are only whitespace or comments are dropped. Text the lexer rejects stays inside its piece for the parser to
 * report with its place.
 */
export function splitStatements(text: string): string[] {
  const { tokens } = sqlLexer.tokenize(text);
  const out: string[] = [];
  let start = 0;
  for (const t of tokens) {
    if (t.tokenType !== P.Semicolon) continue;
    out.push(text.slice(start, t.startOffset + 1));
    start = t.startOffset + 1;
  }
  out.push(text.slice(start));
  return out.filter((s) => sqlLexer.tokenize(s).tokens.length > 0 || sqlLexer.tokenize(s).errors.length > 0).map((s) => s.trim());
}

/** Whether Enter should run the buffer even without a trailing `;` (dot-commands, a one-line QUIT/HELP). */
export function runsWithoutSemicolon(buffer: string): boolean {
  const t = buffer.trim();
  return t.startsWith('.') || /^(quit|exit|help)(\s+[\w ]+)?$/i.test(t);
}

const stripSemicolon = (s: string): string => s.trim().replace(/;\s*$/, '').trim();

export function classify(statement: string): ShellCommand {
  const s = stripSemicolon(statement);
  if (s.startsWith('.')) {
    const [name = '', ...args] = s.slice(1).split(/\s+/);
    const arg = args[0] ?? null;
    switch (name.toLowerCase()) {
      case 'help':
        return { kind: 'help', topic: args.length > 0 ? args.join(' ') : null };
      case 'quit':
      case 'exit':
        return { kind: 'quit' };
      case 'tables':
        return { kind: 'tables' };
      case 'schema':
        return { kind: 'schema', table: arg };
      case 'mode':
        return { kind: 'mode', mode: arg };
      case 'timer':
        return { kind: 'timer', on: arg === null ? null : /^(on|true|1)$/i.test(arg) };
      default:
        return { kind: 'unknownDot', name };
    }
  }
  if (/^(quit|exit)$/i.test(s)) return { kind: 'quit' };
  const help = /^help(?:\s+([\s\S]+))?$/i.exec(s);
  if (help !== null) return { kind: 'help', topic: help[1]?.trim() ?? null };
  if (/^set$/i.test(s)) return { kind: 'showSet' };
  const set = /^set\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'$/i.exec(s);
  if (set !== null) return { kind: 'set', key: (set[1] as string).replace(/''/g, "'"), value: (set[2] as string).replace(/''/g, "'") };
  if (/^reset$/i.test(s)) return { kind: 'reset', key: null };
  // Jobs are the Dispatcher's (every query and INSERT of the session); the shell shows and stops them.
  if (/^show\s+jobs$/i.test(s)) return { kind: 'showJobs' };
  const stop = /^stop\s+job\s+'([^']*)'(\s+with\s+savepoint)?(?:\s+with\s+drain)?$/i.exec(s);
  if (stop !== null) return stop[2] === undefined ? { kind: 'stopJob', id: stop[1] as string } : { kind: 'stopJob', id: stop[1] as string, withSavepoint: true };
  const describeJob = /^describe\s+job\s+'([^']*)'$/i.exec(s);
  if (describeJob !== null) return { kind: 'describeJob', id: describeJob[1] as string };
  const reset = /^reset\s+'((?:[^']|'')*)'$/i.exec(s);
  if (reset !== null) return { kind: 'reset', key: (reset[1] as string).replace(/''/g, "'") };
  return { kind: 'sql', text: statement };
}

export function isResultMode(v: string): v is ResultMode {
  return (RESULT_MODES as readonly string[]).includes(v);
}

/** The columns of a table as `.schema` prints them: one `name TYPE` line each, then watermark, key, options. */
export function describeTable(env: TableEnvironment, name: string): string | null {
  const t = env.catalog.getTable(env.catalog.qualify(name.split('.')));
  if (t === undefined) return null;
  const lines = [`CREATE TABLE ${t.path.name} (`];
  const body: string[] = t.columns.map((c) =>
    c.kind === 'physical' ? `  ${c.name} ${formatType(c.type)}` : c.kind === 'metadata' ? `  ${c.name} ${formatType(c.type)} METADATA FROM '${c.key}'${c.virtual ? ' VIRTUAL' : ''}` : `  ${c.name} AS ${c.sql}`,
  );
  if (t.watermark !== null) body.push(`  WATERMARK FOR ${t.columns[t.watermark.column]?.name ?? '?'} AS ${t.watermark.sql}`);
  if (t.primaryKey !== null) body.push(`  PRIMARY KEY (${t.primaryKey.join(', ')}) NOT ENFORCED`);
  lines.push(body.join(',\n'));
  const opts = Object.entries(t.options).map(([k, v]) => `  '${k}' = '${v}'`);
  lines.push(`) WITH (\n${opts.join(',\n')}\n);`);
  return lines.join('\n');
}

export function columnNames(env: TableEnvironment, name: string): string[] {
  return env.catalog.getTable(env.catalog.qualify([name]))?.columns.map((c) => c.name) ?? [];
}

export const SHELL_KEYS = `Keys:
  Enter             run the statement when it ends with ';' (otherwise a new line)
  Alt-Enter         insert a new line
  Up/Down           move between lines; on the first/last line, browse the history
  Ctrl-R            search the history (again: older match; Enter: take it; Esc: cancel)
  Tab               complete keywords, tables, columns, functions, option and SET keys
  Left/Right, Home/End, Ctrl-A/E      move; Alt-Left/Right, Alt-B/F: by word
  Ctrl-U/K          delete to the start/end of the line; Ctrl-W, Alt-D: the word before/after
  Ctrl-C            stop the running query; clear the input; twice at an empty prompt: exit
  Ctrl-D            exit at an empty prompt
While a query shows a table or changelog:
  q, Esc            stop the query and keep the last view
  Up/Down, PgUp/PgDn, Home/End        scroll (the view follows the last page until you scroll up; End: follow)
  +, -              refresh the view more / less often`;

/**
 * `HELP <statement>`: the syntax and at least one example per statement kind, in the words of Flink's SQL pages
 * (test/repl/units.test.ts parses every example, so none can drift from the grammar). Keys are the statement's
 * leading words; a topic is matched by its longest known prefix (`HELP CREATE TEMPORARY VIEW` → CREATE VIEW).
 */
interface HelpEntry {
  readonly syntax: string;
  readonly examples: readonly string[];
}

const HELP: Record<string, HelpEntry> = {
  'CREATE TABLE': {
    syntax: `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (
  column TYPE [NOT NULL] [COMMENT '...'],
  column AS expression,                              -- computed column
  column TYPE METADATA [FROM 'key'] [VIRTUAL],       -- connector metadata
  WATERMARK FOR ts AS ts - INTERVAL 'n' SECOND,
  PRIMARY KEY (column, ...) NOT ENFORCED
) [COMMENT '...'] [PARTITIONED BY (column, ...)] WITH ('connector' = '...', ...)
  [LIKE other [(INCLUDING | EXCLUDING | OVERWRITING ...)]];
CREATE TABLE name WITH (...) AS query;               -- CREATE TABLE ... AS SELECT`,
    examples: [
      `CREATE TABLE people (id INT, name STRING, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv');`,
      `CREATE TABLE ticks (id BIGINT, price INT, ts AS LOCALTIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'datagen', 'rows-per-second' = '5', 'fields.price.min' = '1', 'fields.price.max' = '100');`,
    ],
  },
  'CREATE VIEW': {
    syntax: `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(column, ...)] AS query;`,
    examples: [`CREATE VIEW expensive AS SELECT * FROM bids WHERE price > 1000;`],
  },
  'CREATE FUNCTION': {
    syntax: `CREATE [TEMPORARY | TEMPORARY SYSTEM] FUNCTION [IF NOT EXISTS] name AS 'identifier' [LANGUAGE JAVA | SCALA | PYTHON];
(functions written in TypeScript are registered with tableEnv.createTemporarySystemFunction)`,
    examples: [`CREATE TEMPORARY FUNCTION normalize AS 'com.example.Normalize';`],
  },
  'CREATE CATALOG': {
    syntax: `CREATE CATALOG name WITH ('type' = '...', ...);`,
    examples: [`CREATE CATALOG scratch WITH ('type' = 'generic_in_memory');`],
  },
  'CREATE DATABASE': {
    syntax: `CREATE DATABASE [IF NOT EXISTS] [catalog.]name [COMMENT '...'];`,
    examples: [`CREATE DATABASE IF NOT EXISTS staging;`],
  },
  DROP: {
    syntax: `DROP [TEMPORARY] TABLE | VIEW [IF EXISTS] name;
DROP [TEMPORARY] FUNCTION [IF EXISTS] name;   DROP DATABASE [IF EXISTS] name;   DROP CATALOG [IF EXISTS] name;`,
    examples: [`DROP TABLE IF EXISTS people;`, `DROP VIEW expensive;`],
  },
  ALTER: {
    syntax: `ALTER TABLE name SET ('key' = 'value', ...);
ALTER TABLE name RENAME TO new_name;`,
    examples: [`ALTER TABLE people SET ('path' = 'people-2024.csv');`, `ALTER TABLE people RENAME TO persons;`],
  },
  SELECT: {
    syntax: `[WITH name AS (query), ...]
SELECT [ALL | DISTINCT] expression [AS alias], ... | *
FROM table [AS alias] | (query) [AS alias] | TABLE(TUMBLE | HOP | CUMULATE | SESSION(...)) | UNNEST(array)
  [[INNER | LEFT | RIGHT | FULL] JOIN ... ON condition | USING (column, ...)] [, ...]
[WHERE condition]
[GROUP BY expression, ... | GROUPING SETS (...) | ROLLUP (...) | CUBE (...)]
[HAVING condition]
[WINDOW name AS (PARTITION BY ... ORDER BY ... ROWS | RANGE BETWEEN ...)]
[UNION [ALL] | INTERSECT | EXCEPT query]
[ORDER BY expression [ASC | DESC] [NULLS FIRST | LAST], ...]
[LIMIT n] [OFFSET n ROWS] [FETCH FIRST n ROWS ONLY];
The result shows in the result mode: table, changelog or tableau (.mode, or SET 'sql-client.execution.result-mode').`,
    examples: [
      `SELECT id, UPPER(name) AS name FROM people WHERE id > 1;`,
      `SELECT window_start, auction, COUNT(*) AS bids
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, auction;`,
    ],
  },
  WITH: {
    syntax: `WITH name [(column, ...)] AS (query) [, ...] query;`,
    examples: [`WITH big AS (SELECT * FROM bids WHERE price > 1000) SELECT auction, COUNT(*) FROM big GROUP BY auction;`],
  },
  VALUES: {
    syntax: `VALUES (expression, ...), ...;   (also as a table: SELECT * FROM (VALUES ...) AS t(a, b))`,
    examples: [`VALUES (1, 'a'), (2, 'b');`, `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name);`],
  },
  INSERT: {
    syntax: `INSERT INTO | OVERWRITE table [PARTITION (column = value, ...)] [(column, ...)] query;
Submits a job that runs in the background and prints its id (SHOW JOBS; STOP JOB 'id';).`,
    examples: [
      `INSERT INTO expensive_bids SELECT auction, price FROM bids WHERE price > 1000;`,
      `INSERT INTO totals (name, n) VALUES ('a', 1);`,
    ],
  },
  'STATEMENT SET': {
    syntax: `BEGIN STATEMENT SET;  INSERT INTO ...;  INSERT INTO ...;  END;
EXECUTE STATEMENT SET BEGIN INSERT INTO ...; INSERT INTO ...; END;
The INSERTs run as one job, reading their common sources once.`,
    examples: [
      `BEGIN STATEMENT SET;
INSERT INTO cheap SELECT * FROM bids WHERE price < 10;
INSERT INTO dear SELECT * FROM bids WHERE price >= 10;
END;`,
    ],
  },
  EXPLAIN: {
    syntax: `EXPLAIN [PLAN FOR] [ESTIMATED_COST, CHANGELOG_MODE, JSON_EXECUTION_PLAN, ...] query | INSERT ...;`,
    examples: [`EXPLAIN SELECT auction, COUNT(*) FROM bids GROUP BY auction;`, `EXPLAIN CHANGELOG_MODE SELECT auction, COUNT(*) FROM bids GROUP BY auction;`],
  },
  DESCRIBE: {
    syntax: `DESCRIBE | DESC table;   (or .schema table for its CREATE TABLE)`,
    examples: [`DESCRIBE bids;`],
  },
  SHOW: {
    syntax: `SHOW TABLES | VIEWS | FUNCTIONS | CATALOGS | DATABASES | JOBS;
SHOW CREATE TABLE | VIEW name;`,
    examples: [`SHOW TABLES;`, `SHOW CREATE TABLE bids;`],
  },
  USE: {
    syntax: `USE [catalog.]database;   USE CATALOG catalog;`,
    examples: [`USE CATALOG default_catalog;`, `USE default_database;`],
  },
  SET: {
    syntax: `SET 'key' = 'value';   set a session property
SET;                   list the properties set in this session
RESET 'key'; RESET;    undo one or all
Shell keys:
  'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau'
  'sql-client.execution.max-table-result.rows' = 'n'`,
    examples: [`SET 'sql-client.execution.result-mode' = 'changelog';`, `SET 'table.exec.source.idle-timeout' = '5 s';`, `RESET;`],
  },
  'STOP JOB': {
    syntax: `STOP JOB 'job id' [WITH SAVEPOINT] [WITH DRAIN];   (the ids are in SHOW JOBS)`,
    examples: [`STOP JOB '228d70913eab60dda85c5e7f78b5782c';`],
  },
  HELP: {
    syntax: `HELP;  HELP <statement>;  (or .help)`,
    examples: [`HELP;`],
  },
  QUIT: {
    syntax: `QUIT; or EXIT; (or .quit, Ctrl-D at an empty prompt)`,
    examples: [`QUIT;`],
  },
};

/** Other words for the same topics. */
const HELP_ALIASES: Record<string, string> = {
  CREATE: 'CREATE TABLE',
  'CREATE TEMPORARY TABLE': 'CREATE TABLE',
  'CREATE TEMPORARY VIEW': 'CREATE VIEW',
  'CREATE TEMPORARY FUNCTION': 'CREATE FUNCTION',
  'CREATE TEMPORARY SYSTEM FUNCTION': 'CREATE FUNCTION',
  'INSERT INTO': 'INSERT',
  'INSERT OVERWRITE': 'INSERT',
  'DROP TABLE': 'DROP',
  'DROP VIEW': 'DROP',
  'ALTER TABLE': 'ALTER',
  DESC: 'DESCRIBE',
  RESET: 'SET',
  EXIT: 'QUIT',
  BEGIN: 'STATEMENT SET',
  'BEGIN STATEMENT SET': 'STATEMENT SET',
  'EXECUTE STATEMENT SET': 'STATEMENT SET',
  STOP: 'STOP JOB',
  'SHOW JOBS': 'SHOW',
  'SHOW TABLES': 'SHOW',
};

/** Every example of `HELP <statement>`, for the test that parses them. */
export function helpExamples(): string[] {
  return Object.values(HELP).flatMap((h) => h.examples);
}

/** The help topics, as HELP lists them. */
export function helpTopics(): string[] {
  return Object.keys(HELP);
}

export function helpText(topic: string | null): string {
  if (topic === null) {
    return `Statements (end each with ';'):
  CREATE TABLE ...        define a table over a connector      HELP CREATE TABLE;
  SELECT ...              run a query; results show in the result mode     HELP SELECT;
  INSERT INTO t SELECT ... submit a job that runs in the background; prints its id
  SHOW JOBS;              the jobs of this session; STOP JOB 'id'; DESCRIBE JOB 'id';
  SET 'key' = 'value';    session properties, e.g. the result mode         HELP SET;
  RESET ['key'];          undo SET
  HELP [statement];       this help, or one statement's syntax and an example
  QUIT; EXIT;             leave
HELP topics: ${helpTopics().join(', ')}

Shell commands (no ';' needed):
  .tables                 list tables
  .schema <table>         show a table's definition
  .mode table|changelog|tableau   result mode (table: live table updated in place; changelog: the stream of
                          changes with an op column; tableau: rows printed as they arrive)
  .timer on|off           print how long each statement took
  .help, .quit

${SHELL_KEYS}`;
  }
  const words = topic.trim().replace(/;$/, '').toUpperCase().split(/\s+/);
  // The longest known prefix of the words: HELP CREATE TEMPORARY VIEW v AS ... is CREATE VIEW's help.
  for (let n = words.length; n > 0; n--) {
    const key = words.slice(0, n).join(' ');
    const entry = HELP[HELP_ALIASES[key] ?? key];
    if (entry !== undefined) {
      const examples = entry.examples.map((e) => e.replace(/^/gm, '  ')).join('\n\n');
      return `${entry.syntax}\n\nExample${entry.examples.length > 1 ? 's' : ''}:\n${examples}`;
    }
  }
  return `No help for '${topic}'. Topics: ${helpTopics().join(', ')}.`;
}
