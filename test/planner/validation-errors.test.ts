// Validation errors are values with a place: each case checks the whole formatted message (file:line:column,
// the source line, the caret under the offending text, the hint). Messages follow Flink/Calcite's wording where
// Flink has one (SqlValidatorException texts: "Column 'x' not found in any table", "Column 'x' is ambiguous",
// "Expression 'x' is not being grouped", "Aggregate expression is illegal in WHERE clause", "No match found for
// function signature"; the sink schema mismatch of DynamicSinkUtils.validateSchemaAndApplyImplicitCast).
import { describe, expect, it } from 'vitest';
import { $, SqlError, TableEnvironment, Types, type Value } from '../../index.js';

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(
    "CREATE TABLE orders (id BIGINT, customer INT, product STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen')",
  );
  e.executeSql("CREATE TABLE customers (id INT, name STRING) WITH ('connector' = 'datagen')");
  e.executeSql("CREATE TABLE sink (a INT, b STRING) WITH ('connector' = 'blackhole')");
  e.createTemporarySystemFunction('twice', {
    eval: (x: Value) => (typeof x === 'number' ? x * 2 : null),
    resultType: Types.INT(),
    argTypes: [Types.INT()],
  });
  return e;
}

function formatted(sql: string): string {
  try {
    env().executeSql(sql);
  } catch (err) {
    if (err instanceof SqlError) return err.format();
    throw err;
  }
  return 'no error';
}

describe('validation errors: message, line:column and caret', () => {
  it('unknown column, with "did you mean"', () => {
    expect(formatted('SELECT custmer FROM orders')).toBe(
      [
        "<sql>:1:8: Column 'custmer' not found in any table",
        'SELECT custmer FROM orders',
        '       ^^^^^^^',
        "hint: did you mean 'customer'?",
      ].join('\n'),
    );
  });

  it('unknown column on a later line points at its line and column', () => {
    expect(formatted('SELECT\n  id,\n  nme\nFROM customers')).toBe(
      ["<sql>:3:3: Column 'nme' not found in any table", '  nme', '  ^^^', "hint: did you mean 'name'?"].join(
        '\n',
      ),
    );
  });

  it('ambiguous column', () => {
    expect(formatted('SELECT id FROM orders JOIN customers ON customer = customers.id')).toBe(
      [
        "<sql>:1:8: Column 'id' is ambiguous",
        'SELECT id FROM orders JOIN customers ON customer = customers.id',
        '       ^^',
      ].join('\n'),
    );
  });

  it('non-grouped column in SELECT', () => {
    expect(formatted('SELECT customer, product FROM orders GROUP BY customer')).toBe(
      [
        "<sql>:1:18: Expression 'product' is not being grouped",
        'SELECT customer, product FROM orders GROUP BY customer',
        '                 ^^^^^^^',
        'hint: add it to GROUP BY, or use it inside an aggregate function',
      ].join('\n'),
    );
  });

  it('aggregate in WHERE', () => {
    expect(formatted('SELECT id FROM orders\nWHERE COUNT(*) > 1')).toBe(
      [
        '<sql>:2:7: Aggregate expression is illegal in WHERE clause',
        'WHERE COUNT(*) > 1',
        '      ^^^^^^^^',
      ].join('\n'),
    );
  });

  it('DESCRIPTOR column that is not a time attribute', () => {
    expect(
      formatted("SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(customer), INTERVAL '1' MINUTE))"),
    ).toBe(
      [
        "<sql>:1:42: The window function TUMBLE requires the time column 'customer' to be a time attribute (a rowtime column with a WATERMARK, or PROCTIME()), but it is INT",
        "SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(customer), INTERVAL '1' MINUTE))",
        '                                         ^^^^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('HOP size not a multiple of slide', () => {
    const sql =
      "SELECT * FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '7' SECOND, INTERVAL '1' MINUTE))";
    expect(formatted(sql)).toBe(
      [
        "<sql>:1:21: HOP's SIZE must be an integral multiple of its SLIDE",
        sql,
        ' '.repeat(20) + '^'.repeat(75),
      ].join('\n'),
    );
  });

  it('type mismatch in INSERT (Flink names the column and both schemas)', () => {
    expect(formatted('INSERT INTO sink SELECT product, customer FROM orders')).toBe(
      [
        "<sql>:1:18: Column types of query result and sink for 'default_catalog.default_database.sink' do not match.",
        "Cause: Incompatible types for sink column 'a' at position 0.",
        '',
        'Query schema: [product: STRING, customer: INT]',
        'Sink schema:  [a: INT, b: STRING]',
        'INSERT INTO sink SELECT product, customer FROM orders',
        '                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('unknown function, with the closest name', () => {
    expect(formatted('SELECT fooo(id) FROM orders')).toBe(
      [
        '<sql>:1:8: No match found for function signature FOOO(...)',
        'SELECT fooo(id) FROM orders',
        '       ^^^^',
        'hint: did you mean FLOOR?',
      ].join('\n'),
    );
  });

  it('wrong argument types: built-ins and a user function with declared types', () => {
    expect(formatted('SELECT UPPER(id) FROM orders')).toBe(
      [
        '<sql>:1:14: UPPER requires a character string for argument 1, but got BIGINT',
        'SELECT UPPER(id) FROM orders',
        '             ^^',
      ].join('\n'),
    );
    expect(formatted("SELECT SUBSTRING(product, 'x') FROM orders")).toBe(
      [
        '<sql>:1:27: SUBSTRING requires an integer argument 2, but got CHAR(1) NOT NULL',
        "SELECT SUBSTRING(product, 'x') FROM orders",
        '                          ^^^',
      ].join('\n'),
    );
    expect(formatted("SELECT id + 'a' FROM orders")).toBe(
      [
        "<sql>:1:8: cannot apply '+' to BIGINT and CHAR(1) NOT NULL",
        "SELECT id + 'a' FROM orders",
        '       ^^^^^^^^',
      ].join('\n'),
    );
    expect(formatted('SELECT twice(product) FROM orders')).toBe(
      [
        '<sql>:1:14: TWICE argument 1 must be INT, but got STRING',
        'SELECT twice(product) FROM orders',
        '             ^^^^^^^',
      ].join('\n'),
    );
  });

  it('the Table API names the call instead of a caret', () => {
    const e = env();
    try {
      e.from('orders').select($('custmer'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SqlError);
      expect((err as SqlError).message).toBe("select(`custmer`): Column 'custmer' not found in any table");
      expect((err as SqlError).hint).toBe("did you mean 'customer'?");
    }
  });
});
