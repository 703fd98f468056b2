// Validation errors of function calls, field access and casts: typed errors with exact messages at the span.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../index.js';
import { testEnv } from '../../support/sql.js';

const env = testEnv();

function error(expr: string): { message: string; text: string } {
  const sql = `SELECT ${expr} FROM one_row_table`;
  try {
    env.env.executeSql(sql);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // The span's text shows where the error points.
    return { message: e.message.split('\n')[0] as string, text: sql.slice(e.span.start, e.span.end) };
  }
  throw new Error(`expected a validation error for ${expr}`);
}

describe('function validation errors (Flink docs: System Functions)', () => {
  it.each([
    ['UPPER(1)', 'UPPER requires a character string for argument 1, but got INT NOT NULL', '1'],
    ['UPPER(s, s)', 'UPPER takes 1 argument, got 2', 'UPPER(s, s)'],
    ['SUBSTRING(s)', 'SUBSTRING takes 2 to 3 arguments, got 1', 'SUBSTRING(s)'],
    ["SUBSTRING(s, 'x')", "SUBSTRING requires an integer argument 2, but got CHAR(1) NOT NULL", "'x'"],
    ['CONCAT()', 'CONCAT takes at least 1 argument, got 0', 'CONCAT()'],
    ["MOD(1.5e0, 2)", 'MOD requires exact numeric arguments, got DOUBLE NOT NULL and INT NOT NULL', 'MOD(1.5e0, 2)'],
    ["SQRT('x')", "SQRT requires a numeric argument 1, but got CHAR(1) NOT NULL", "'x'"],
    ['ROUND(amount, i)', 'ROUND requires an integer literal as argument 2', 'i'],
    ["IF(1, 'a', 'b')", 'IF requires a BOOLEAN condition, but got INT NOT NULL', '1'],
    ["COALESCE(1, 'a')", 'COALESCE arguments have incompatible types: INT NOT NULL, CHAR(1) NOT NULL', "COALESCE(1, 'a')"],
    ['CARDINALITY(s)', 'CARDINALITY requires an ARRAY or MAP argument, but got STRING', 's'],
    ['YEAR(s)', 'YEAR requires a TIMESTAMP or DATE argument 1, but got STRING', 's'],
    ['TIMESTAMPADD(FORTNIGHT, 1, ts)', 'TIMESTAMPADD requires a time unit (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND) as argument 1', 'FORTNIGHT'],
    ['TO_TIMESTAMP_LTZ(1, 6)', 'TO_TIMESTAMP_LTZ supports precision 0 (seconds) or 3 (milliseconds), got 6', '6'],
    ['UPPPER(s)', 'No match found for function signature UPPPER(...)', 'UPPPER'],
  ])('%s', (expr, message, text) => {
    expect(error(expr)).toEqual({ message, text });
  });

  it('suggests the nearest function name', () => {
    try {
      env.env.executeSql('SELECT UPPPER(s) FROM one_row_table');
    } catch (e) {
      expect((e as ValidationError).hint).toBe('did you mean UPPER?');
    }
  });
});

describe('field access and cast validation (Flink docs: Data Types > Structured types, Casting)', () => {
  it.each([
    ['person.age', "Unknown field 'age' in ROW<`id` BIGINT, `name` STRING, `address` ROW<`city` STRING, `zip` INT>>", 'age'],
    ['s.x', "cannot access field 'x' of a value of type STRING", 'x'],
    ['nosuch.x', "Table 'nosuch' not found", 'nosuch'],
    ["arr['x']", 'an ARRAY index must be an integer, but got CHAR(1) NOT NULL', "arr['x']"],
    ['i[1]', 'cannot subscript a value of type INT', 'i[1]'],
    ['CAST(ts AS INT)', 'Cast function cannot convert value of type TIMESTAMP(3) to type INT', 'CAST(ts AS INT)'],
    ['CAST(arr AS ROW<a INT>)', 'Cast function cannot convert value of type ARRAY<INT> to type ROW<`a` INT>', 'CAST(arr AS ROW<a INT>)'],
    ['CAST(i AS DATE)', 'Cast function cannot convert value of type INT to type DATE', 'CAST(i AS DATE)'],
  ])('%s', (expr, message, text) => {
    expect(error(expr)).toEqual({ message, text });
  });

  it('a failing CAST fails the query at run time; TRY_CAST gives NULL', async () => {
    const r = env.env.executeSql("SELECT CAST(s AS INT) FROM one_row_table");
    await expect(r.materialize()).rejects.toThrow('cannot cast Hello World of type STRING to INT');
  });
});
