// The `values` test connector (Flink's TestValuesTableFactory shape): rows from 'data-id' or inline 'data', a
// changelog source by 'changelog-mode', and a sink whose raw and materialized results tests read back.
import { describe, expect, it } from 'vitest';
import { RowKind, TableEnvironment } from '../../index.js';
import { getRawResults, getResults, registerData } from '../../connectors/index.js';

describe('values connector', () => {
  it('reads rows registered under a data-id and inline rows, with JSON values converted by column type', async () => {
    const env = TableEnvironment.create();
    const id = registerData([
      [1, 'a', 1000],
      [2, 'b', 2000],
    ]);
    env.executeSql(
      `CREATE TABLE t (id INT, s STRING, ts TIMESTAMP(3)) WITH ('connector' = 'values', 'data-id' = '${id}')`,
    );
    expect(await env.executeSql('SELECT id, s, ts FROM t').materialize()).toEqual([
      [1, 'a', 1000],
      [2, 'b', 2000],
    ]);
    env.executeSql(
      `CREATE TABLE i (id BIGINT, ts TIMESTAMP(3)) WITH ('connector' = 'values', 'data' = '[[1, "1970-01-01 00:00:01"], [2, null]]')`,
    );
    expect(await env.executeSql('SELECT id, ts FROM i').materialize()).toEqual([
      [1n, 1000],
      [2n, null],
    ]);
  });

  it('reads a changelog when changelog-mode allows it, and rejects kinds it does not', async () => {
    const env = TableEnvironment.create();
    const id = registerData([
      { kind: RowKind.INSERT, row: [1, 'a'] },
      { kind: RowKind.UPDATE_BEFORE, row: [1, 'a'] },
      { kind: RowKind.UPDATE_AFTER, row: [1, 'b'] },
      { kind: RowKind.INSERT, row: [2, 'c'] },
      { kind: RowKind.DELETE, row: [2, 'c'] },
    ]);
    env.executeSql(
      `CREATE TABLE c (id INT, s STRING) WITH ('connector' = 'values', 'data-id' = '${id}', 'changelog-mode' = 'I,UB,UA,D')`,
    );
    expect(await env.executeSql('SELECT id, s FROM c').materialize()).toEqual([[1, 'b']]);
    env.executeSql(`CREATE TABLE bad (id INT, s STRING) WITH ('connector' = 'values', 'data-id' = '${id}')`);
    await expect(env.executeSql('SELECT id FROM bad').materialize()).rejects.toThrow(/changelog-mode/);
    expect(() =>
      env.executeSql(`CREATE TABLE x (id INT) WITH ('connector' = 'values', 'changelog-mode' = 'I,X')`),
    ).toThrow(/'changelog-mode' entry 'X'/);
  });

  it('collects what a sink receives: raw changes and the materialized result', async () => {
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TABLE src (k STRING, v INT) WITH ('connector' = 'values', 'data' = '[["a", 1], ["b", 2], ["a", 3]]')`,
    );
    env.executeSql(
      `CREATE TABLE snk (k STRING, total INT) WITH ('connector' = 'values', 'sink-insert-only' = 'false')`,
    );
    await env.executeSql('INSERT INTO snk SELECT k, SUM(v) FROM src GROUP BY k').await();
    expect(getResults('default_catalog.default_database.snk').sort()).toEqual(['+I[a, 4]', '+I[b, 2]']);
    expect(getRawResults('default_catalog.default_database.snk')).toContain('-U[a, 1]');
    env.executeSql(`CREATE TABLE ins (k STRING, total INT) WITH ('connector' = 'values')`);
    // The planner checks the sink's changelog mode (sinkChangelogMode) before anything runs.
    expect(() => env.executeSql('INSERT INTO ins SELECT k, SUM(v) FROM src GROUP BY k')).toThrow(
      /accepts only inserts/,
    );
  });
});
