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
