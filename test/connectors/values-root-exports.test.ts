// The values connector's helpers are part of the package's API (README's connector table, docs/connectors/
// filesystem.md): an embedding user's test registers rows and reads a sink's results from 'freshet' itself.
import { afterEach, describe, expect, it } from 'vitest';
import {
  RowKind,
  TableEnvironment,
  clearValues,
  getRawResults,
  getResults,
  registerData,
} from '../../index.js';

afterEach(() => clearValues());

describe('values helpers from the package root', () => {
  it('registerData feeds a changelog source; getRawResults and getResults read the sink', async () => {
    const env = TableEnvironment.create();
    const id = registerData([[1, 'a'], [2, 'b'], { kind: RowKind.DELETE, row: [1, 'a'] }]);
    env.executeSql(
      `CREATE TABLE t (id INT, s STRING) WITH ('connector' = 'values', 'data-id' = '${id}', 'changelog-mode' = 'I,D')`,
    );
    env.executeSql(
      "CREATE TABLE o (id INT, s STRING) WITH ('connector' = 'values', 'sink-insert-only' = 'false')",
    );
    await env.executeSql('INSERT INTO o SELECT * FROM t').await();
    expect(getRawResults('default_catalog.default_database.o')).toEqual(['+I[1, a]', '+I[2, b]', '-D[1, a]']);
    expect(getResults('default_catalog.default_database.o')).toEqual(['+I[2, b]']);
    clearValues();
    expect(getRawResults('default_catalog.default_database.o')).toEqual([]);
  });
});
