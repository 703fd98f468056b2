// Error recovery: a script with several mistakes reports each of them (resync at statement boundaries), and
// the statements that parsed are still available, which is what the REPL shows and runs.
import { describe, expect, it } from 'vitest';
import { parseWithRecovery } from '../../parser/index.js';

describe('parseWithRecovery', () => {
  it('reports every broken statement and keeps the good ones', () => {
    const sql = [
      "CREATE TABLE t (a INT, b STRING) WITH ('connector' = 'datagen');",
      'SELEC a FROM t;',
      'SELECT a, FROM t;',
      'SELECT a FROM t WHERE b = 1;',
      'INSERT INTO s SELECT a FROM t WHERE;',
      'SHOW TABLES;',
    ].join('\n');
    const r = parseWithRecovery(sql);
    expect(r.statements.map((s) => s.kind)).toEqual(['createTable', 'query', 'show']);
    expect(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      "2:1 unexpected 'SELEC', expected a statement (SELECT, CREATE TABLE, ...)",
      "3:11 unexpected 'FROM', expected an expression or '*'",
      "5:36 unexpected ';', expected an expression",
    ]);
  });

  it('keeps statement sets whole although they contain semicolons', () => {
    const r = parseWithRecovery('BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT x FROM;\nEND;\nSELECT 2;');
    expect(r.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['3:28']);
    expect(r.statements.map((s) => s.kind)).toEqual(['query']);
  });

  it('reports lexical errors once and still parses the other statements', () => {
    const r = parseWithRecovery("SELECT 1;\nSELECT # FROM t;\nSELECT 'open");
    expect(r.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual(["2:8 unexpected character '#'", '3:8 unterminated string literal']);
    expect(r.statements).toHaveLength(1);
  });

  it('reports several mistakes in one statement, repairing one token at a time', () => {
    const r = parseWithRecovery("CREATE TABLE t (a INT b STRING c INT) WITH ('k' 'v')");
    expect(r.errors.map((e) => `${e.column} ${e.hint ?? e.message}`)).toEqual([
      "23 is a ',' missing before it?",
      "32 is a ',' missing before it?",
      "49 unexpected ''v'', expected '='",
    ]);
    // The repaired statement is the partial AST the REPL can use; it is never among the runnable statements.
    expect(r.statements).toEqual([]);
    const t = r.partial[0];
    expect(t?.kind === 'createTable' ? t.columns.map((c) => c.name.value) : []).toEqual(['a', 'b', 'c']);
    const q = parseWithRecovery('SELECT a b c, FROM t WHERE x = = 1');
    expect(q.errors.map((e) => e.column)).toEqual([12, 15, 32]);
  });

  it('parses the statement after a missing semicolon as a statement of its own', () => {
    const r = parseWithRecovery('INSERT INTO t SELECT a FROM u\nSELECT b FROM v WHERE');
    expect(r.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['2:1', '2:22']);
    expect(r.partial.map((s) => s.kind)).toEqual(['insert']);
  });

  it('returns no errors for a clean script and an empty one', () => {
    expect(parseWithRecovery('SELECT 1; SELECT 2;').errors).toEqual([]);
    expect(parseWithRecovery('  -- only a comment\n;;').statements).toEqual([]);
  });
});
