// Error quality: exact messages (place, caret, expected tokens in words, hint) for the classic mistakes.
// A change in wording shows up here on purpose: these messages are what users read.
import { describe, expect, it } from 'vitest';
import { SqlGrammar } from '../../parser/grammar.js';
import { ParseError, parseStatements } from '../../parser/index.js';

function errorOf(sql: string): ParseError {
  try {
    parseStatements(sql);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`no error for ${sql}`);
}

const formatted = (sql: string): string => errorOf(sql).format('<sql>');

describe('parse error messages', () => {
  it('SELEC 1: 1:1, caret, did you mean SELECT?', () => {
    const e = errorOf('SELEC 1');
    expect([e.line, e.column]).toEqual([1, 1]);
    expect(e.format('<sql>')).toBe(
      "<sql>:1:1: unexpected 'SELEC', expected a statement (SELECT, CREATE TABLE, ...)\nSELEC 1\n^^^^^\nhint: did you mean SELECT?",
    );
  });

  it('double quotes for a string', () => {
    expect(formatted('SELECT * FROM t WHERE name = "Bob"')).toBe(
      '<sql>:1:30: unexpected \'"Bob"\', expected an expression\nSELECT * FROM t WHERE name = "Bob"\n                             ^^^^^\n' +
        "hint: string literals use single quotes ('...'); double quotes are not identifiers in Flink SQL: use backticks (`...`)",
    );
  });

  it('a reserved word as a column name', () => {
    expect(formatted('CREATE TABLE t (id INT, select STRING)')).toBe(
      "<sql>:1:25: unexpected 'select', expected a name, WATERMARK, CONSTRAINT or PRIMARY\nCREATE TABLE t (id INT, select STRING)\n                        ^^^^^^\n" +
        'hint: SELECT is a reserved word; write `select` in backticks to use it as a name',
    );
    expect(formatted('SELECT order FROM t')).toBe(
      "<sql>:1:8: unexpected 'order', expected an expression, DISTINCT, ALL, '/*+' or '*'\nSELECT order FROM t\n       ^^^^^\n" +
        'hint: ORDER is a reserved word; write `order` in backticks to use it as a name',
    );
  });

  it('a missing comma in a column list', () => {
    expect(formatted('CREATE TABLE t (a INT b STRING)')).toBe(
      "<sql>:1:23: unexpected 'b', expected ',', ')', NOT, NULL, METADATA, CONSTRAINT, PRIMARY or COMMENT\nCREATE TABLE t (a INT b STRING)\n                      ^\n" +
        "hint: is a ',' missing before it?",
    );
    expect(formatted('SELECT a b c FROM t')).toBe(
      "<sql>:1:12: unexpected 'c', expected ',', ';', FROM, WHERE, GROUP, HAVING, WINDOW, INTERSECT or ...\nSELECT a b c FROM t\n           ^\n" +
        "hint: is a ',' missing before it?",
    );
    expect(formatted("CREATE TABLE t (a INT) WITH ('k' = 'v' 'x' = 'y')")).toBe(
      "<sql>:1:40: unexpected ''x'', expected ',' or ')'\nCREATE TABLE t (a INT) WITH ('k' = 'v' 'x' = 'y')\n                                       ^^^\n" +
        "hint: is a ',' missing before it?",
    );
  });

  it('a missing semicolon between statements', () => {
    expect(formatted('SELECT 1\nSELECT 2')).toBe(
      "<sql>:2:1: unexpected 'SELECT', expected a name, ',', ';', IS, NOT, BETWEEN, IN, LIKE or ...\nSELECT 2\n^^^^^^\n" +
        "hint: is a ';' missing before SELECT? statements are separated by ';'",
    );
    expect(
      errorOf("CREATE TABLE t (a INT) WITH ('connector' = 'x')\nINSERT INTO s SELECT a FROM t").hint,
    ).toBe("is a ';' missing before INSERT? statements are separated by ';'");
  });

  it('a comma too many before FROM', () => {
    expect(formatted('SELECT a, FROM t')).toBe(
      "<sql>:1:11: unexpected 'FROM', expected an expression or '*'\nSELECT a, FROM t\n          ^^^^\nhint: is the ',' before FROM one too many?",
    );
  });

  it('expected tokens in words at the end of input', () => {
    expect(errorOf('SELECT a FROM t WHERE').message).toBe('unexpected end of input, expected an expression');
    expect(errorOf('SELECT * FROM').message).toBe(
      "unexpected end of input, expected a name, LATERAL, TABLE, UNNEST or '('",
    );
    expect(errorOf('SELECT * FROM t GROUP a').message).toBe("unexpected 'a', expected BY");
  });

  it('lexical mistakes', () => {
    expect(formatted("SELECT 'abc FROM t")).toBe(
      "<sql>:1:8: unterminated string literal\nSELECT 'abc FROM t\n       ^\nhint: close the string with a single quote (')",
    );
    expect(formatted('SELECT a FROM t WHERE a > 1 #')).toBe(
      "<sql>:1:29: unexpected character '#'\nSELECT a FROM t WHERE a > 1 #\n                            ^",
    );
  });

  it('places errors on the right line and column in a multi-line script', () => {
    const e = errorOf('CREATE TABLE t (a INT);\n\nSELECT a\nFROM t\nWHERE a >;');
    expect([e.line, e.column]).toEqual([5, 10]);
    expect(e.message).toBe("unexpected ';', expected an expression");
  });

  it('reports grammar-accepted but invalid combinations', () => {
    expect(errorOf('CREATE TABLE t (a INT) AS SELECT 1').message).toBe(
      'CREATE TABLE ... AS SELECT takes its columns from the query; remove the column list',
    );
    expect(
      errorOf('CREATE TABLE t (a INT, PRIMARY KEY (a) NOT ENFORCED, PRIMARY KEY (a) NOT ENFORCED)').message,
    ).toBe('a table can have only one primary key');
    expect(errorOf('SELECT a FROM t LIMIT 1 FETCH FIRST 1 ROWS ONLY').message).toBe(
      'use either LIMIT or FETCH, not both',
    );
  });
});

describe('errors in calls with keyword syntax', () => {
  it('TRIM with a mode but no FROM', () => {
    expect(errorOf('SELECT TRIM(BOTH s) FROM t').message).toBe(
      'TRIM with BOTH, LEADING or TRAILING needs FROM and the string',
    );
  });

  it('POSITION without IN', () => {
    expect(errorOf('SELECT POSITION(a, b) FROM t').message).toBe("unexpected ',', expected IN");
  });

  it('OVERLAY without PLACING', () => {
    expect(errorOf('SELECT OVERLAY(s FROM 1) FROM t').message).toBe("unexpected 'FROM', expected PLACING");
  });

  it('FLOOR ... TO without a unit', () => {
    expect(errorOf('SELECT FLOOR(ts TO) FROM t').message).toBe("unexpected ')', expected a name");
  });

  it('JSON_VALUE behavior without ON', () => {
    expect(errorOf("SELECT JSON_VALUE(j, '$.a' NULL EMPTY) FROM t").message).toBe(
      "unexpected 'EMPTY', expected ON",
    );
  });

  it('JSON_OBJECT entry without VALUE', () => {
    // The expression before VALUE could go on, so its operators come first; VALUE is among the rest.
    expect(errorOf("SELECT JSON_OBJECT(KEY 'a' 1) FROM t").message).toBe(
      "unexpected '1', expected IS, NOT, BETWEEN, IN, LIKE, SIMILAR, OR, AND or ...",
    );
  });

  it('SESSION PARTITION BY takes names', () => {
    expect(
      errorOf("SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY 1, DESCRIPTOR(ts), INTERVAL '1' MINUTE))")
        .message,
    ).toBe("unexpected '1', expected a name or '('");
  });
});

describe('the grammar', () => {
  it("passes chevrotain's validations (no ambiguity beyond the gated ones, no left recursion)", () => {
    expect(() => new SqlGrammar({ validate: true })).not.toThrow();
  }, 120_000);
});
