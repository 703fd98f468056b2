// The keyword call forms through the real pipeline (parse → bind → run): TRIM with mode and characters,
// POSITION(a IN b) (Flink docs, System Functions > String Functions: 1-based, 0 when absent), and the forms the
// runtime has no operation for yet, which must fail with a message rather than bind as something else.
import { describe, expect, it } from 'vitest';
import { evalExpr } from '../support/sql.js';

describe('keyword call forms, bound', () => {
  it.each([
    ["TRIM(BOTH 'x' FROM 'xxhixx')", 'hi', 'STRING NOT NULL'],
    ["TRIM(LEADING 'x' FROM 'xxhixx')", 'hixx', 'STRING NOT NULL'],
    ["TRIM(TRAILING 'xy' FROM 'xyhiyx')", 'xyhi', 'STRING NOT NULL'],
    ["TRIM(LEADING FROM '  hi  ')", 'hi  ', 'STRING NOT NULL'],
    ["TRIM(FROM '  hi  ')", 'hi', 'STRING NOT NULL'],
    ["POSITION('l' IN 'hello')", '3', 'INT NOT NULL'],
    ["POSITION('z' IN 'hello')", '0', 'INT NOT NULL'],
    ["POSITION('l' IN 'hello' FROM 4)", '4', 'INT NOT NULL'],
  ])('%s = %s', async (expr, value, type) => {
    const r = await evalExpr(expr);
    expect([r.text, r.type]).toEqual([value, type]);
  });
});

// Flink docs, System (Built-in) Functions > String Functions: OVERLAY(string1 PLACING string2 FROM integer1
// [FOR integer2]) replaces integer2 (by default string2's length) characters of string1 from integer1.
describe('OVERLAY', () => {
  it.each([
    [
      "OVERLAY('This is an old string' PLACING ' new' FROM 10 FOR 5)",
      'This is a new string',
      'STRING NOT NULL',
    ],
    ["OVERLAY('xxxxxtest' PLACING 'xxxx' FROM 6)", 'xxxxxxxxx', 'STRING NOT NULL'],
    ["OVERLAY('abcdef' PLACING 'XY' FROM 3 FOR 0)", 'abXYcdef', 'STRING NOT NULL'],
    ["OVERLAY('abc' PLACING 'XY' FROM 3 FOR 5)", 'abXY', 'STRING NOT NULL'],
    ["OVERLAY(CAST(NULL AS STRING) PLACING 'x' FROM 1)", 'NULL', 'STRING'],
  ])('%s = %s', async (expr, value, type) => {
    const r = await evalExpr(expr);
    expect([r.text, r.type]).toEqual([value, type]);
  });

  it('requires strings and integers', async () => {
    await expect(evalExpr("OVERLAY('abc' PLACING 'x' FROM 'one')")).rejects.toThrow(
      'OVERLAY requires an integer argument 3',
    );
  });
});

// Temporal Functions: FLOOR(timepoint TO timeintervalunit) rounds down, CEIL(... TO ...) up (a value on the
// boundary stays), e.g. FLOOR(TIME '12:44:31' TO MINUTE) = 12:44:00; the result has the operand's type.
describe('FLOOR/CEIL(x TO unit)', () => {
  it.each([
    [
      "FLOOR(TIMESTAMP '2024-05-17 10:11:12.345' TO MINUTE)",
      '2024-05-17 10:11:00.000',
      'TIMESTAMP(3) NOT NULL',
    ],
    [
      "CEIL(TIMESTAMP '2024-05-17 10:11:12.345' TO MINUTE)",
      '2024-05-17 10:12:00.000',
      'TIMESTAMP(3) NOT NULL',
    ],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO HOUR)", '2024-05-17 10:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO DAY)", '2024-05-17 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["CEIL(TIMESTAMP '2024-05-17 00:00:00' TO DAY)", '2024-05-17 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["CEIL(TIMESTAMP '2024-05-17 00:00:01' TO DAY)", '2024-05-18 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO MONTH)", '2024-05-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["CEIL(TIMESTAMP '2024-12-17 10:11:12' TO MONTH)", '2025-01-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO QUARTER)", '2024-04-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO YEAR)", '2024-01-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    // Calcite's weeks start on Sunday: 2024-05-17 is a Friday.
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO WEEK)", '2024-05-12 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO DECADE)", '2020-01-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(TIMESTAMP '2000-05-17 10:11:12' TO CENTURY)", '1901-01-01 00:00:00', 'TIMESTAMP(0) NOT NULL'],
    ["FLOOR(DATE '2024-05-17' TO MONTH)", '2024-05-01', 'DATE NOT NULL'],
    ["CEIL(DATE '2024-05-17' TO YEAR)", '2025-01-01', 'DATE NOT NULL'],
    ['FLOOR(CAST(NULL AS TIMESTAMP(3)) TO DAY)', 'NULL', 'TIMESTAMP(3)'],
    // Plain FLOOR/CEIL of numbers are unchanged.
    ['FLOOR(2.5)', '2', 'DECIMAL(2, 0) NOT NULL'],
  ])('%s = %s', async (expr, value, type) => {
    const r = await evalExpr(expr);
    expect([r.text, r.type]).toEqual([value, type]);
  });

  it('refuses what it cannot round, by name', async () => {
    await expect(evalExpr("FLOOR(DATE '2024-05-17' TO HOUR)")).rejects.toThrow(
      'FLOOR(... TO HOUR) of a DATE needs a unit of a day or longer',
    );
    await expect(evalExpr('FLOOR(5 TO DAY)')).rejects.toThrow(
      'FLOOR(... TO DAY) requires a TIMESTAMP or DATE, but got INT NOT NULL',
    );
    await expect(
      evalExpr("CEIL(CAST(TIMESTAMP '2024-05-17 10:11:12' AS TIMESTAMP(6)) TO DAY)"),
    ).rejects.toThrow(
      'CEIL(... TO DAY) of TIMESTAMP(6) NOT NULL is not supported yet: only precisions up to 3',
    );
    await expect(evalExpr('FLOOR(TO_TIMESTAMP_LTZ(0, 3) TO DAY)')).rejects.toThrow(
      'FLOOR(... TO DAY) of TIMESTAMP_LTZ is not supported yet',
    );
    await expect(evalExpr("FLOOR(TIMESTAMP '2024-05-17 10:11:12' TO DOY)")).rejects.toThrow(
      'FLOOR(... TO DOY) is not supported: the unit must be one of',
    );
  });
});

// JSON Functions: JSON_OBJECT([[KEY] key VALUE value]* [{NULL | ABSENT} ON NULL]): keys non-NULL string
// literals, NULL ON NULL by default, nested JSON construction calls inserted as JSON rather than as strings.
describe('JSON_OBJECT', () => {
  it.each([
    ['JSON_OBJECT()', '{}'],
    ["JSON_OBJECT('K1' VALUE 'V1', 'K2' VALUE 'V2')", '{"K1":"V1","K2":"V2"}'],
    ["JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) NULL ON NULL)", '{"K1":null}'],
    ["JSON_OBJECT(KEY 'K1' VALUE CAST(NULL AS STRING) ABSENT ON NULL)", '{}'],
    ["JSON_OBJECT(KEY 'K1' VALUE JSON_OBJECT(KEY 'K2' VALUE 'V'))", '{"K1":{"K2":"V"}}'],
    [
      "JSON_OBJECT(KEY 'n' VALUE 42, KEY 'd' VALUE 1.5, KEY 'b' VALUE TRUE, KEY 'q' VALUE 'say \"hi\"')",
      '{"n":42,"d":1.5,"b":true,"q":"say \\"hi\\""}',
    ],
  ])('%s = %s', async (expr, value) => {
    const r = await evalExpr(expr);
    expect([r.text, r.type]).toEqual([value, 'STRING NOT NULL']);
  });

  it('refuses keys that are not string literals and unsupported value types', async () => {
    await expect(evalExpr("JSON_OBJECT(KEY 1 VALUE 'x')")).rejects.toThrow(
      'JSON_OBJECT keys must be non-NULL string literals',
    );
    await expect(evalExpr("JSON_OBJECT(KEY 'd' VALUE DATE '2024-01-01')")).rejects.toThrow(
      'JSON_OBJECT values of type DATE NOT NULL are not supported yet',
    );
  });
});

describe('JSON_VALUE RETURNING and ON EMPTY/ON ERROR, given the call syntax', () => {
  // The binder's CallContext carries `syntax` when the expression binder passes it (bind-expr.ts does not yet),
  // so this drives the JSON_VALUE binder directly with the parsed call.
  const bindJsonValue = async (sql: string): Promise<{ kind: string; type: string; safe?: boolean }> => {
    const { parseStatement } = await import('../../parser/index.js');
    const { BUILTINS } = await import('../../planner/binder/bind-functions.js');
    const { Rex } = await import('../../planner/expr/rex.js');
    const { Types, formatType } = await import('../../executor/index.js');
    const s = parseStatement(`SELECT ${sql}`);
    if (s.kind !== 'query' || s.query.kind !== 'select') throw new Error('not a select');
    const item = s.query.items[0];
    if (item?.kind !== 'expr' || item.expr.kind !== 'call') throw new Error('not a call');
    const call = item.expr;
    const r = BUILTINS['JSON_VALUE']?.bind({
      name: 'JSON_VALUE',
      span: call.span,
      raw: call.args,
      ...(call.syntax !== undefined ? { syntax: call.syntax } : {}),
      arg: () => Rex.literal('x', Types.STRING(false)),
      fail: (message) => {
        throw new Error(message);
      },
      coerce: (x) => x,
    });
    if (r === undefined) throw new Error('no JSON_VALUE');
    return { kind: r.kind, type: formatType(r.type), ...(r.kind === 'cast' ? { safe: r.safe } : {}) };
  };

  it('RETURNING casts, NULL where the cast fails (NULL ON ERROR is the default)', async () => {
    expect(await bindJsonValue("JSON_VALUE(j, '$.a' RETURNING INT)")).toEqual({
      kind: 'cast',
      type: 'INT',
      safe: true,
    });
    expect(await bindJsonValue("JSON_VALUE(j, '$.a' RETURNING DOUBLE NULL ON EMPTY NULL ON ERROR)")).toEqual({
      kind: 'cast',
      type: 'DOUBLE',
      safe: true,
    });
    expect(await bindJsonValue("JSON_VALUE(j, '$.a')")).toEqual({ kind: 'call', type: 'STRING' });
  });

  it('ERROR and DEFAULT behaviors are refused, ON NULL does not apply', async () => {
    await expect(bindJsonValue("JSON_VALUE(j, '$.a' DEFAULT 1 ON EMPTY)")).rejects.toThrow(
      'JSON_VALUE with DEFAULT ON EMPTY is not supported yet',
    );
    await expect(bindJsonValue("JSON_VALUE(j, '$.a' ERROR ON ERROR)")).rejects.toThrow(
      'JSON_VALUE with ERROR ON ERROR is not supported yet',
    );
    await expect(bindJsonValue("JSON_VALUE(j, '$.a' NULL ON NULL)")).rejects.toThrow(
      'NULL ON NULL does not apply to JSON_VALUE',
    );
  });
});
