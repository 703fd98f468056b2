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

  it('FLOOR(ts TO unit) fails clearly (no runtime operation yet)', async () => {
    await expect(evalExpr("FLOOR(TIMESTAMP '2024-01-02 10:11:12' TO DAY)")).rejects.toThrow(
      'FLOOR(... TO DAY) is not supported yet',
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
