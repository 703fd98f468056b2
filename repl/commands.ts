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

const STATEMENT_HELP: Record<string, string> = {
  'CREATE TABLE': `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (
  column TYPE [NOT NULL] [COMMENT '...'],
  column AS expression,
  WATERMARK FOR ts AS ts - INTERVAL 'n' SECOND,
  PRIMARY KEY (column, ...) NOT ENFORCED
) [COMMENT '...'] WITH ('connector' = '...', ...);

Example:
  CREATE TABLE people (id INT, name STRING, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv');
  CREATE TABLE ticks (id BIGINT, price INT)
  WITH ('connector' = 'datagen', 'rows-per-second' = '5', 'fields.price.min' = '1', 'fields.price.max' = '100');`,
  SELECT: `SELECT [ALL] expression [AS alias], ... FROM table [AS alias] [WHERE condition];

Example:
  SELECT id, UPPER(name) AS name FROM people WHERE id > 1;`,
  SET: `SET 'key' = 'value';   set a session property
SET;                   list the properties set in this session
RESET 'key'; RESET;    undo one or all

Shell keys:
  SET 'sql-client.execution.result-mode' = 'table' | 'changelog' | 'tableau';`,
  HELP: `HELP;  HELP <statement>;  (or .help)`,
  QUIT: `QUIT; or EXIT; (or .quit, Ctrl-D at an empty prompt)`,
};
STATEMENT_HELP['EXIT'] = STATEMENT_HELP['QUIT'] as string;
STATEMENT_HELP['RESET'] = STATEMENT_HELP['SET'] as string;
STATEMENT_HELP['CREATE'] = STATEMENT_HELP['CREATE TABLE'] as string;

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

Shell commands (no ';' needed):
  .tables                 list tables
  .schema <table>         show a table's definition
  .mode table|changelog|tableau   result mode (table: live table updated in place; changelog: the stream of
                          changes with an op column; tableau: rows printed as they arrive)
  .timer on|off           print how long each statement took
  .help, .quit

${SHELL_KEYS}`;
  }
  const key = topic.trim().replace(/;$/, '').replace(/\s+/g, ' ').toUpperCase();
  return STATEMENT_HELP[key] ?? `No help for '${topic}'. Topics: ${Object.keys(STATEMENT_HELP).filter((k) => k !== 'CREATE').join(', ')}.`;
}
