// User-defined scalar functions registered through TableEnvironment.createTemporarySystemFunction, called
// from SQL with engine Values (NULL as null, BIGINT as bigint) and typed by their declared result type.
import { describe, expect, it } from 'vitest';
import { Types, type Value } from '../../../index.js';
import { evalExpr, testEnv } from '../../support/sql.js';

describe('createTemporarySystemFunction (Flink docs: Table API > User-defined Functions > Scalar Functions)', () => {
  it('calls a TypeScript function from SQL with its declared result type', async () => {
    const env = testEnv();
    env.env.createTemporarySystemFunction('hash_code', { eval: (s: Value) => (s === null ? null : (s as string).length * 31), resultType: Types.INT() });
    expect(await evalExpr('hash_code(s)', env)).toMatchObject({ text: '341', type: 'INT' });
    expect(await evalExpr('hash_code(ns)', env)).toMatchObject({ text: 'NULL', type: 'INT' });
  });

  it('passes BIGINT beyond 2^53 exactly, as bigint, and takes bigint results', async () => {
    const env = testEnv();
    const seen: Value[] = [];
    env.env.createTemporarySystemFunction('next_id', {
      eval: (x: Value) => {
        seen.push(x);
        return (x as bigint) + 1n;
      },
      resultType: Types.BIGINT(),
      argTypes: [Types.BIGINT()],
    });
    expect(await evalExpr('next_id(b)', env)).toMatchObject({ text: '9007199254740994', type: 'BIGINT' });
    // An INT argument is cast to the declared BIGINT.
    expect(await evalExpr('next_id(i)', env)).toMatchObject({ text: '8', type: 'BIGINT' });
    expect(seen).toEqual([9007199254740993n, 7n]);
  });

  it('returns nested values and receives ROW values as arrays', async () => {
    const env = testEnv();
    env.env.createTemporarySystemFunction('tags', {
      eval: (p: Value) => ['id-' + String((p as Value[])[0]), (p as Value[])[1]],
      resultType: Types.ARRAY(Types.STRING()),
    });
    expect(await evalExpr('tags(person)', env)).toMatchObject({ text: '[id-1001, Ann]', type: 'ARRAY<STRING>' });
    expect(await evalExpr('CARDINALITY(tags(person))', env)).toMatchObject({ text: '2', type: 'INT' });
  });

  it('is case-insensitive, shadows a built-in, and can be dropped', async () => {
    const env = testEnv();
    env.env.createTemporarySystemFunction('UPPER', { eval: () => 'mine', resultType: Types.STRING() });
    expect((await evalExpr("upper('x')", env)).text).toBe('mine');
    expect(env.env.dropTemporarySystemFunction('upper')).toBe(true);
    expect((await evalExpr("upper('x')", env)).text).toBe('X');
  });

  it('checks the declared argument types and count', () => {
    const env = testEnv();
    env.env.createTemporarySystemFunction('twice', { eval: (x: Value) => (x as number) * 2, resultType: Types.INT(), argTypes: [Types.INT()] });
    expect(() => env.env.executeSql('SELECT twice(s) FROM one_row_table')).toThrow('TWICE argument 1 must be INT, but got STRING');
    expect(() => env.env.executeSql('SELECT twice(1, 2) FROM one_row_table')).toThrow('TWICE takes 1 argument, got 2');
  });

  it('fails the query with the function name when the function throws', async () => {
    const env = testEnv();
    env.env.createTemporarySystemFunction('boom', {
      eval: () => {
        throw new Error('bad input');
      },
      resultType: Types.INT(),
    });
    await expect(evalExpr('boom(i)', env)).rejects.toThrow('user-defined function boom failed: bad input');
  });
});
