// The shell's pure parts: line editing, history file and search, highlighting, completion and the shell's own
// commands. The ink-driven behaviour is in shell.test.ts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, helpExamples, helpText, helpTopics, runsWithoutSemicolon, splitStatements } from '../../repl/commands.js';
import { parseStatements } from '../../parser/index.js';
import { commonPrefix, complete, tablesInScope, type CompletionSource } from '../../repl/complete.js';
import * as ed from '../../repl/editor.js';
import { highlight } from '../../repl/highlight.js';
import { History } from '../../repl/history.js';
import { FoldedTable, MAX_KEPT_CHANGES, ResultModel, TableauStream } from '../../repl/result-view.js';
import { Schema, Types } from '../../index.js';

const at = (text: string, cursor: number): ed.EditorState => ({ text, cursor });

describe('line editor', () => {
  it('inserts and deletes at the cursor', () => {
    expect(ed.insert(at('SELCT', 3), 'E')).toEqual(at('SELECT', 4));
    expect(ed.backspace(at('SELECT', 3))).toEqual(at('SEECT', 2));
    expect(ed.deleteForward(at('SELECT', 0))).toEqual(at('ELECT', 0));
    expect(ed.backspace(at('x', 0))).toEqual(at('x', 0));
  });

  it('Home/End and Ctrl-A/E/U/K act on the cursor line of a multi-line buffer', () => {
    const s = at('SELECT a\nFROM t\nWHERE x', 12);
    expect(ed.home(s).cursor).toBe(9);
    expect(ed.end(s).cursor).toBe(15);
    expect(ed.killToLineStart(s)).toEqual(at('SELECT a\nM t\nWHERE x', 9));
    expect(ed.killToLineEnd(s)).toEqual(at('SELECT a\nFRO\nWHERE x', 12));
  });

  it('moves and deletes by word (Alt-arrows, Ctrl-W, Alt-D)', () => {
    const s = at('SELECT name, id FROM t', 15);
    expect(ed.wordLeft(s).cursor).toBe(13);
    expect(ed.wordRight(at('SELECT name', 0)).cursor).toBe(6);
    expect(ed.killWordBefore(at('SELECT name, id', 15))).toEqual(at('SELECT name, ', 13));
    expect(ed.killWordBefore(at('a foo.bar  ', 11))).toEqual(at('a ', 2));
    expect(ed.killWordAfter(at('SELECT name', 6))).toEqual(at('SELECT', 6));
  });

  it('moves between lines keeping the column', () => {
    const s = at('SELECT a\nFROM t', 13);
    expect(ed.cursorLine(s)).toEqual({ line: 1, lines: 2 });
    expect(ed.verticalMove(s, -1).cursor).toBe(4);
    expect(ed.verticalMove(at('SELECT a\nFROM t', 7), 1).cursor).toBe(15);
    expect(ed.verticalMove(at('ab', 1), -1).cursor).toBe(1);
  });
});

describe('history', () => {
  it('is saved to its file, de-duplicated, keeps multi-line entries and survives a restart', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'freshet-hist-')), 'h');
    const h = History.load(file);
    expect(h.existed).toBe(false);
    h.add('SELECT 1;');
    h.add('SELECT a\nFROM t;');
    h.add('SELECT 1;');
    h.add('   ');
    expect(h.all()).toEqual(['SELECT a\nFROM t;', 'SELECT 1;']);
    const again = History.load(file);
    expect(again.existed).toBe(true);
    expect(again.all()).toEqual(['SELECT a\nFROM t;', 'SELECT 1;']);
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
  });

  it('searches backwards, case-insensitively', () => {
    const h = History.load(null);
    for (const e of ['select a from t;', 'CREATE TABLE t ...;', 'SELECT b FROM t;']) h.add(e);
    expect(h.search('select')).toBe(2);
    expect(h.search('select', 2)).toBe(0);
    expect(h.search('nothing')).toBe(-1);
  });

  it('reads plain-text lines of another format rather than dropping them', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'freshet-hist-')), 'h');
    writeFileSync(file, 'SELECT 1;\n"SELECT 2;"\n');
    expect(History.load(file).all()).toEqual(['SELECT 1;', 'SELECT 2;']);
  });
});

describe('highlighting', () => {
  it('colours keywords, strings, numbers and comments and covers the text exactly', () => {
    const text = "SELECT name, 42 -- note\nFROM t WHERE s = 'x;y' /* c */ AND v > 1.5";
    const segs = highlight(text);
    expect(segs.map((s) => s.text).join('')).toBe(text);
    const kinds = (k: string): string[] => segs.filter((s) => s.kind === k).map((s) => s.text);
    expect(kinds('keyword')).toEqual(['SELECT', 'FROM', 'WHERE', 'AND']);
    expect(kinds('string')).toEqual(["'x;y'"]);
    expect(kinds('number')).toEqual(['42', '1.5']);
    expect(kinds('comment')).toEqual(['-- note', '/* c */']);
  });

  it('colours an unterminated string and an unclosed comment as they are being typed', () => {
    expect(highlight("SELECT 'abc").map((s) => s.kind)).toContain('string');
    const segs = highlight('SELECT 1 /* not done');
    expect(segs[segs.length - 1]).toEqual({ text: '/* not done', kind: 'comment' });
  });
});

const source: CompletionSource = {
  tables: () => ['orders', 'people', 'persons'],
  columns: (t) => ({ people: ['id', 'name', 'nickname'], orders: ['order_id', 'amount'] })[t] ?? [],
  connectors: () => ['datagen', 'filesystem'],
  connectorOptions: (c) => (c === 'filesystem' ? ['path', 'format'] : ['rows-per-second']),
};

describe('completion', () => {
  const c = (text: string): string[] => complete(text, text.length, source).candidates;

  it('completes keywords in the case typed', () => {
    expect(c('SEL')).toContain('SELECT');
    expect(c('sel')).toContain('select');
  });

  it('completes table names after FROM and JOIN', () => {
    expect(c('SELECT * FROM pe')).toEqual(['people', 'persons']);
    expect(c('SELECT * FROM o')).toEqual(['orders']);
  });

  it('completes the columns of the tables in the statement, and after table. or alias.', () => {
    expect(c('SELECT na FROM people')).toEqual([]);
    const mid = 'SELECT na FROM people';
    expect(complete(mid, 9, source).candidates).toEqual(['name']);
    const text = 'SELECT p. FROM people AS p';
    expect(complete(text, 9, source).candidates).toEqual(['id', 'name', 'nickname']);
    expect(c('SELECT orders.a')).toEqual(['amount']);
  });

  it('completes connector names, option keys, SET keys, modes and dot-commands', () => {
    expect(c("CREATE TABLE t (a INT) WITH ('connector' = 'fi")).toEqual(['filesystem']);
    expect(c("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'pa")).toEqual(['path']);
    expect(c("SET 'sql-client.exec")).toEqual(['sql-client.execution.result-mode']);
    expect(c("SET 'sql-client.execution.result-mode' = 'ch")).toEqual(['changelog']);
    expect(c('.ta')).toEqual(['.tables']);
    expect(c('.mode t')).toEqual(['table', 'tableau']);
    expect(c('.schema pe')).toEqual(['people', 'persons']);
  });

  it('finds tables and aliases in scope and the common prefix of candidates', () => {
    expect([...tablesInScope('SELECT * FROM people p JOIN orders AS o ON x', ['people', 'orders'])]).toEqual([
      ['people', 'people'],
      ['p', 'people'],
      ['orders', 'orders'],
      ['o', 'orders'],
    ]);
    expect(commonPrefix(['people', 'persons'])).toBe('pe');
  });
});

describe('shell commands', () => {
  it('splits a buffer at ; outside strings and comments', () => {
    expect(splitStatements("SELECT ';' FROM t; -- a;b\nSELECT 2;  ")).toEqual(["SELECT ';' FROM t;", '-- a;b\nSELECT 2;']);
    expect(splitStatements('  ;')).toEqual([';']);
  });

  it('classifies SET, RESET, HELP, QUIT and dot-commands, and leaves SQL to the parser', () => {
    expect(classify("SET 'sql-client.execution.result-mode' = 'tableau';")).toEqual({ kind: 'set', key: 'sql-client.execution.result-mode', value: 'tableau' });
    expect(classify('set;')).toEqual({ kind: 'showSet' });
    expect(classify("RESET 'a.b';")).toEqual({ kind: 'reset', key: 'a.b' });
    expect(classify('help create table;')).toEqual({ kind: 'help', topic: 'create table' });
    expect(classify('EXIT;')).toEqual({ kind: 'quit' });
    expect(classify('.schema people')).toEqual({ kind: 'schema', table: 'people' });
    expect(classify('.timer on')).toEqual({ kind: 'timer', on: true });
    expect(classify('.nope')).toEqual({ kind: 'unknownDot', name: 'nope' });
    expect(classify('show jobs;')).toEqual({ kind: 'showJobs' });
    expect(classify("STOP JOB 'abc' WITH SAVEPOINT;")).toEqual({ kind: 'stopJob', id: 'abc', withSavepoint: true });
    expect(classify("DESCRIBE JOB 'abc'")).toEqual({ kind: 'describeJob', id: 'abc' });
    expect(classify('SELECT 1;')).toEqual({ kind: 'sql', text: 'SELECT 1;' });
    expect(runsWithoutSemicolon('.tables')).toBe(true);
    expect(runsWithoutSemicolon('quit')).toBe(true);
    expect(runsWithoutSemicolon('SELECT 1')).toBe(false);
  });

  it('has help for the shell and for each statement', () => {
    expect(helpText(null)).toContain('.schema <table>');
    expect(helpText(null)).toContain('Ctrl-R');
    expect(helpText('create table')).toContain("WITH ('connector' = 'filesystem'");
    expect(helpText('SELECT;')).toContain('Examples:');
    expect(helpText('frobnicate')).toContain("No help for 'frobnicate'");
  });

  it('has syntax and an example for every statement kind, and every example parses', () => {
    for (const topic of helpTopics()) {
      expect(helpText(topic), topic).toMatch(/\n\nExamples?:\n {2}\S/);
    }
    for (const kind of ['INSERT INTO', 'CREATE VIEW', 'CREATE TEMPORARY VIEW v AS SELECT 1', 'EXPLAIN', 'BEGIN STATEMENT SET', 'SHOW', 'USE', 'DROP', 'ALTER TABLE', 'WITH', 'VALUES', 'STOP JOB', 'DESC']) {
      expect(helpText(kind), kind).not.toContain('No help');
    }
    expect(helpText('create temporary view v as select 1')).toContain('CREATE [TEMPORARY] VIEW');
    expect(helpText(null)).toContain('HELP topics: CREATE TABLE, CREATE VIEW');
    // The examples are SQL a user may paste: each parses (EXPLAIN, STOP JOB and the statement set included).
    for (const example of helpExamples()) expect(() => parseStatements(example), example).not.toThrow();
  });
});

describe('result views', () => {
  const schema = new Schema([
    { name: 'id', type: Types.INT() },
    { name: 'name', type: Types.STRING() },
  ]);

  it('folds a changelog like TableResult.materialize(), keeping arrival order', () => {
    const t = new FoldedTable();
    t.apply({ kind: '+I', values: [1, 'a'] });
    t.apply({ kind: '+I', values: [2, 'b'] });
    t.apply({ kind: '-U', values: [1, 'a'] });
    t.apply({ kind: '+U', values: [1, 'A'] });
    expect(t.rows()).toEqual([
      [2, 'b'],
      [1, 'A'],
    ]);
    expect(t.size).toBe(2);
    expect(() => t.apply({ kind: '-D', values: [9, 'z'] })).toThrow(/retraction of a row that is not in the result/);
  });

  it('prints tableau rows as they arrive with widths fixed by the first rows', () => {
    const s = new TableauStream(schema);
    const rule = '+----+-------------+------+';
    expect(s.next([{ kind: '+I', values: [1, 'ab'] }])).toEqual([rule, '| op |          id | name |', rule, '| +I |           1 |   ab |']);
    expect(s.next([])).toEqual([]);
    // An INT column is as wide as any INT, so a growing number is never cut; a longer string is.
    expect(s.next([{ kind: '+I', values: [-2147483648, 'a much longer name'] }])).toEqual(['| +I | -2147483648 | a m… |']);
    expect(s.end(2)).toEqual([rule, 'Received a total of 2 rows']);
    expect(new TableauStream(schema).end(0)).toEqual(['Empty set']);
  });

  it('keeps only the newest changes of an endless changelog, and hands each to tableau once', () => {
    const m = new ResultModel(schema, 'changes');
    for (let i = 0; i < 3; i++) m.apply({ kind: '+I', values: [i, 'x'] });
    expect(m.takeChanges().map((c) => c.values[0])).toEqual([0, 1, 2]);
    expect(m.takeChanges()).toEqual([]);
    for (let i = 3; i < MAX_KEPT_CHANGES * 1.2; i++) m.apply({ kind: '+I', values: [i, 'x'] });
    expect(m.changes.length).toBeLessThanOrEqual(MAX_KEPT_CHANGES * 1.1);
    expect(m.dropped + m.changes.length).toBe(m.received);
    expect(m.changes[m.changes.length - 1]?.values[0]).toBe(MAX_KEPT_CHANGES * 1.2 - 1);
    expect(m.table.size).toBe(0);
  });
});
