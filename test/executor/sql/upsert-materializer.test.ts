// The sink upsert materializer: the operator under the harness with the sequence of Flink's
// SinkUpsertMaterializerTest (flink-table-runtime, operators/sink), and the planner's choice of
// 'table.exec.sink.upsert-materialize' (AUTO / FORCE / NONE, ExecutionConfigOptions) end to end into a sink with a
// PRIMARY KEY that differs from the query's key.
import { describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, type RecordBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { SinkUpsertMaterializer } from '../../../executor/sql/upsert-materializer.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind, rowKindShort } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import {
  FactoryRegistry,
  TableEnvironment,
  type DynamicTableFactory,
  type SourceReader,
  type StreamElement,
} from '../../../index.js';

const S = Schema.of(['id', Types.BIGINT()], ['pk', Types.INT()], ['v', Types.STRING()]);

function send(h: OperatorTestHarness, kind: RowKind, row: Value[]): string[] {
  h.processBatch(batchFromRows(S, [row], [kind]));
  const out = h
    .getOutput()
    .flatMap((e) => (e.kind === 'record' ? [`${e.rowKind}[${e.row.join(', ')}]`] : []));
  h.clearOutput();
  return out;
}

describe('SinkUpsertMaterializer', () => {
  it("writes the newest live row of each sink key (Flink's SinkUpsertMaterializerTest sequence)", () => {
    const h = new OperatorTestHarness(new SinkUpsertMaterializer({ name: 'm', schema: S, keys: [1] }), {
      inputs: [S],
    }).open();
    expect(send(h, RowKind.INSERT, [1, 1, 'a1'])).toEqual(['+I[1, 1, a1]']);
    expect(send(h, RowKind.UPDATE_AFTER, [2, 1, 'a2'])).toEqual(['+U[2, 1, a2]']);
    expect(send(h, RowKind.INSERT, [3, 1, 'a3'])).toEqual(['+U[3, 1, a3]']);
    expect(send(h, RowKind.UPDATE_BEFORE, [2, 1, 'a2'])).toEqual([]); // not the newest: nothing to write
    expect(send(h, RowKind.DELETE, [3, 1, 'a3'])).toEqual(['+U[1, 1, a1]']); // the newest went: back to a1
    expect(send(h, RowKind.DELETE, [1, 1, 'a1'])).toEqual(['-D[1, 1, a1]']);
    expect(send(h, RowKind.INSERT, [4, 1, 'a4'])).toEqual(['+I[4, 1, a4]']);
    // A retraction of an unknown row (state expired in Flink) writes nothing.
    expect(send(h, RowKind.DELETE, [9, 2, 'x'])).toEqual([]);
    const restored = new OperatorTestHarness(
      new SinkUpsertMaterializer({ name: 'm', schema: S, keys: [1] }),
      { inputs: [S], restoreFrom: h.snapshot() },
    ).open();
    expect(send(restored, RowKind.INSERT, [5, 1, 'a5'])).toEqual(['+U[5, 1, a5]']);
  });
});

describe("'table.exec.sink.upsert-materialize'", () => {
  const written: string[] = [];
  const rows = Schema.of(['k', Types.STRING()], ['g', Types.STRING()], ['v', Types.INT()]);
  const factory: DynamicTableFactory = {
    identifier: 'test-upsert-sink',
    options: [],
    sinkChangelogMode: () => 'upsert',
    createSource: (): SourceReader => ({
      outputSchema: rows,
      async *read(): AsyncGenerator<StreamElement> {
        const data: Value[][] = [
          ['a', 'x', 1],
          ['b', 'x', 2],
          ['a', 'x', 3],
          ['a', 'y', 4],
        ];
        for (const r of data) yield { kind: 'batch', batch: batchFromRows(rows, [r]) };
        yield { kind: 'end' };
      },
      async close() {},
    }),
    createSink: () => ({
      write(b: RecordBatch) {
        batchToRows(b).forEach((r, i) =>
          written.push(`${rowKindShort(b.kinds[i] as number)}[${r.join(', ')}]`),
        );
      },
      finish() {},
      async close() {},
    }),
  };
  const factories = new FactoryRegistry();
  factories.register(factory);
  const env = (mode?: string): TableEnvironment => {
    const e = TableEnvironment.create({ factories });
    if (mode !== undefined) e.executeSql(`SET 'table.exec.sink.upsert-materialize' = '${mode}'`);
    e.executeSql("CREATE TABLE src (k STRING, g STRING, v INT) WITH ('connector' = 'test-upsert-sink')");
    e.executeSql(
      "CREATE TABLE by_g (g STRING NOT NULL, total INT, PRIMARY KEY (g) NOT ENFORCED) WITH ('connector' = 'test-upsert-sink')",
    );
    e.executeSql(
      "CREATE TABLE by_k (k STRING NOT NULL, g STRING, total INT, PRIMARY KEY (k) NOT ENFORCED) WITH ('connector' = 'test-upsert-sink')",
    );
    return e;
  };
  // The query is keyed by (k, g); by_g's key g is not one of its keys, by_k's key k contains none either, but
  // GROUP BY k writes rows keyed by k exactly.
  const byKG = 'INSERT INTO by_g SELECT g, SUM(v) FROM src GROUP BY k, g';
  const explain = async (e: TableEnvironment, sql: string): Promise<string> =>
    (await e.executeSql(`EXPLAIN ${sql}`).materialize()).map((r) => r.join('')).join('\n');

  it('AUTO materializes when no key of the changelog lies within the sink key, and not otherwise', async () => {
    expect(await explain(env(), byKG)).toContain('StreamSinkUpsertMaterializer(keys=[g]');
    expect(
      await explain(env(), 'INSERT INTO by_k SELECT k, MAX(g), SUM(v) FROM src GROUP BY k'),
    ).not.toContain('StreamSinkUpsertMaterializer');
    expect(await explain(env(), 'INSERT INTO by_g SELECT g, SUM(v) FROM src GROUP BY g')).not.toContain(
      'StreamSinkUpsertMaterializer',
    );
  });

  it('FORCE always materializes before a keyed sink, NONE never', async () => {
    expect(await explain(env('FORCE'), 'INSERT INTO by_g SELECT g, SUM(v) FROM src GROUP BY g')).toContain(
      'StreamSinkUpsertMaterializer(keys=[g]',
    );
    expect(await explain(env('NONE'), byKG)).not.toContain('StreamSinkUpsertMaterializer');
    await expect(explain(env('SOMETIMES'), byKG)).rejects.toThrow(
      /'table.exec.sink.upsert-materialize' must be AUTO, FORCE or NONE/,
    );
  });

  it('writes an upsert changelog by the sink key', async () => {
    written.length = 0;
    await env().executeSql(byKG).await();
    // (a,x): 1 → 4; (b,x): 2; (a,y): 4. Rows of sink key x come from two upstream keys; the newest is written.
    expect(written).toEqual(['+I[x, 1]', '+U[x, 2]', '+U[x, 4]', '+I[y, 4]']);
  });
});
