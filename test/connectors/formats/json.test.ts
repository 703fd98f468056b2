// The JSON format through the filesystem connector: exact BIGINT/DECIMAL from source text, nested types,
// missing fields, timestamp standards, and the bad-record policy (fail with file:line, or skip and count).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TableEnvironment, Schema, Types } from '../../../index.js';
import { encodeJson, jsonOptions } from '../../../connectors/formats/json.js';
import { fixtureDir } from '../../support/cli.js';

async function read(lines: string[], columns: string, extra = ''): Promise<unknown[][]> {
  const dir = fixtureDir({ 'd.json': lines.join('\n') + '\n' });
  const env = TableEnvironment.create();
  env.executeSql(`CREATE TABLE t (${columns}) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.json')}', 'format' = 'json'${extra})`);
  return env.executeSql('SELECT * FROM t').materialize();
}

describe('json format', () => {
  it('reads BIGINT and DECIMAL exactly, beyond 2^53', async () => {
    const rows = await read(['{"id": 9007199254740993, "price": 12345678901234567.891}', '{"id": -1, "price": 0.5}'], 'id BIGINT, price DECIMAL(20, 3)');
    expect(rows).toEqual([
      [9007199254740993n, 12345678901234567891n],
      [-1n, 500n],
    ]);
  });

  it('reads nested rows, arrays and maps, and missing fields as NULL', async () => {
    const rows = await read(['{"p": {"name": "a", "tags": ["x", "y"]}, "m": {"k": 1}}', '{}'], 'p ROW<name STRING, tags ARRAY<STRING>>, m MAP<STRING, INT>');
    expect(rows).toEqual([
      [['a', ['x', 'y']], new Map([['k', 1]])],
      [null, null],
    ]);
  });

  it('reads SQL-standard timestamps by default and ISO-8601 when asked', async () => {
    expect(await read(['{"ts": "2024-01-01 10:00:00.123"}'], 'ts TIMESTAMP(3)')).toEqual([[Date.UTC(2024, 0, 1, 10, 0, 0, 123)]]);
    expect(await read(['{"ts": "2024-01-01T10:00:00.123"}'], 'ts TIMESTAMP(3)', ", 'json.timestamp-format.standard' = 'ISO-8601'")).toEqual([[Date.UTC(2024, 0, 1, 10, 0, 0, 123)]]);
  });

  it('fails on a malformed record with file:line, or skips it when asked', async () => {
    await expect(read(['{"a": 1}', '{"a": oops}'], 'a INT')).rejects.toThrow(/malformed JSON record at .*d\.json:2: malformed JSON/);
    await expect(read(['{"a": "x"}'], 'a INT')).rejects.toThrow(/d\.json:1: field 'a': cannot read "x" as INT/);
    expect(await read(['{"a": 1}', 'nope', '{"a": 3}'], 'a INT', ", 'json.ignore-parse-errors' = 'true'")).toEqual([[1], [3]]);
    await expect(read(['{"b": 1}'], 'a INT', ", 'json.fail-on-missing-field' = 'true'")).rejects.toThrow(/field 'a' is missing/);
  });

  it('rejects options of another format', () => {
    const env = TableEnvironment.create();
    expect(() => env.executeSql("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'json', 'csv.field-delimiter' = ';')")).toThrow(
      "option 'csv.field-delimiter' does not apply to format 'json'",
    );
  });

  it('encodes rows with exact numbers and the chosen timestamp standard', () => {
    const schema = Schema.of(['id', Types.BIGINT()], ['d', Types.DECIMAL(5, 2)], ['ts', Types.TIMESTAMP(3)], ['r', Types.ROW([{ name: 'x', type: Types.INT() }])]);
    const row = [2n ** 60n, 12345n, Date.UTC(2024, 0, 1), [7]];
    expect(encodeJson(schema, row, jsonOptions({}))).toBe('{"id":1152921504606846976,"d":123.45,"ts":"2024-01-01 00:00:00.000","r":{"x":7}}');
    expect(encodeJson(schema, row, jsonOptions({ 'json.timestamp-format.standard': 'ISO-8601' }))).toContain('"ts":"2024-01-01T00:00:00.000"');
  });
});
