// Split distinct aggregation and mini-batch: the plan shapes of Flink's SplitAggregateRule
// (table.optimizer.distinct-agg.split.*) and mini-batch group aggregation (table.exec.mini-batch.*, see
// https://nightlies.apache.org/flink/flink-docs-stable/docs/dev/table/tuning/), the same final table with and
// without them on data at parallelism 2, and mini-batch's point: fewer -U/+U updates for the same table.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Schema, Types, batchFromRows, type RecordBatch, type Output } from '../../executor/index.js';
import { GroupAggregateOperator, MiniBatchOperator } from '../../executor/index.js';
import { TableEnvironment, formatValueText } from '../../index.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-agg-rules-'));
  const lines: string[] = [];
  // A skewed key: customer 1 has most rows; products repeat.
  for (let i = 0; i < 3000; i++)
    lines.push(`${i},${i % 7 === 0 ? 2 + (i % 5) : 1},p${(i * 13) % 97},${i % 50}`);
  writeFileSync(join(dir, 'orders.csv'), lines.join('\n') + '\n');
});

function env(config: Record<string, string> = {}): TableEnvironment {
  const e = TableEnvironment.create({ config: { 'parallelism.default': '2', ...config } });
  e.executeSql(
    `CREATE TABLE orders (id INT, customer INT, product STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'orders.csv')}', 'format' = 'csv')`,
  );
  return e;
}

async function table(sql: string, config: Record<string, string> = {}): Promise<string[]> {
  const r = env(config).executeSql(sql);
  const schema = r.schema!;
  return (await r.materialize())
    .map((row) =>
      row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema.field(i).type))).join(', '),
    )
    .sort();
}

async function changelog(sql: string, config: Record<string, string> = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const c of env(config).executeSql(sql).changes()) out.push(c.kind);
  return out;
}

const SPLIT = {
  'table.optimizer.distinct-agg.split.enabled': 'true',
  'table.optimizer.distinct-agg.split.bucket-num': '8',
};
const MINI = {
  'table.exec.mini-batch.enabled': 'true',
  'table.exec.mini-batch.allow-latency': '1 s',
  'table.exec.mini-batch.size': '100000',
};

describe('split-distinct-aggregate', () => {
  it('plans a partial aggregate by key and bucket, then a final one by key (SUM0 merges the counts)', () => {
    const text = env(SPLIT).explainSql(
      'SELECT customer, COUNT(DISTINCT product), SUM(amount) FROM orders GROUP BY customer',
    );
    expect(text).toContain(
      'LogicalAggregate(group=[{0}], EXPR$0=[SUM0($partial0)], EXPR$1=[SUM($partial1)])',
    );
    expect(text).toContain('$bucket=[MOD(ABS(HASH_CODE(product)), 8)]');
    expect(text).toMatch(/StreamGroupAggregate\(groupBy=\[customer, \$bucket\]/);
  });
  it('is off by default, and leaves AVG or two distinct columns alone', () => {
    expect(
      env().explainSql('SELECT customer, COUNT(DISTINCT product) FROM orders GROUP BY customer'),
    ).not.toContain('$bucket');
    expect(
      env(SPLIT).explainSql(
        'SELECT customer, COUNT(DISTINCT product), AVG(amount) FROM orders GROUP BY customer',
      ),
    ).not.toContain('$bucket');
    expect(
      env(SPLIT).explainSql(
        'SELECT customer, COUNT(DISTINCT product), COUNT(DISTINCT amount) FROM orders GROUP BY customer',
      ),
    ).not.toContain('$bucket');
  });
  it('rejects a bucket count that is not a positive integer', () => {
    expect(() =>
      env({ ...SPLIT, 'table.optimizer.distinct-agg.split.bucket-num': '0' }).explainSql(
        'SELECT COUNT(DISTINCT product) FROM orders',
      ),
    ).toThrow(/bucket-num/);
  });
  const queries = [
    'SELECT customer, COUNT(DISTINCT product), SUM(amount), MAX(id), MIN(amount) FROM orders GROUP BY customer',
    'SELECT COUNT(DISTINCT product), COUNT(*) FROM orders',
    "SELECT customer, COUNT(DISTINCT product) FILTER (WHERE amount > 10), SUM(DISTINCT amount) FROM orders WHERE product <> 'p3' GROUP BY customer",
  ];
  for (const q of queries) {
    it(`same final table with and without the split: ${q}`, async () => {
      const split = await table(q, SPLIT);
      expect(split.length).toBeGreaterThan(0);
      expect(split).toEqual(await table(q));
    });
  }
});

describe('mini-batch', () => {
  it('EXPLAIN shows the MiniBatchAssigner above the source', () => {
    const text = env(MINI).explainSql('SELECT customer, COUNT(*) FROM orders GROUP BY customer');
    expect(text).toMatch(
      /StreamMiniBatchAssigner\(interval=\[1000ms\], mode=\[ProcTime\], changelogMode=\[I\]\)\n\s+\+- StreamTableSourceScan/,
    );
  });
  it('needs allow-latency and size, as Flink does', () => {
    expect(() =>
      env({ 'table.exec.mini-batch.enabled': 'true', 'table.exec.mini-batch.size': '10' }).explainSql(
        'SELECT customer, COUNT(*) FROM orders GROUP BY customer',
      ),
    ).toThrow(/allow-latency/);
    expect(() =>
      env({
        'table.exec.mini-batch.enabled': 'true',
        'table.exec.mini-batch.allow-latency': '1 s',
      }).explainSql('SELECT customer, COUNT(*) FROM orders GROUP BY customer'),
    ).toThrow(/mini-batch.size/);
  });
  it('no aggregate, no assigner', () => {
    expect(env(MINI).explainSql('SELECT id FROM orders')).not.toContain('MiniBatchAssigner');
  });
  const q = 'SELECT customer, COUNT(*), SUM(amount) FROM orders GROUP BY customer';
  it('the same final table, with fewer updates', async () => {
    expect(await table(q, MINI)).toEqual(await table(q));
    const batched = await changelog(q, MINI);
    const plain = await changelog(q);
    expect(batched.length).toBeLessThan(plain.length);
    // One bundle for the whole (small, bounded) input: each key emits its +I once and nothing else.
    expect(batched.filter((k) => k === '-U')).toHaveLength(0);
  });
  it('the same final table with local-global (two-phase) aggregation and split distinct', async () => {
    const q2 = 'SELECT customer, COUNT(DISTINCT product), SUM(amount) FROM orders GROUP BY customer';
    expect(await table(q2, { ...MINI, ...SPLIT, 'table.optimizer.agg-phase-strategy': 'TWO_PHASE' })).toEqual(
      await table(q2),
    );
  });
  it('the operator: bundles by size, flushes before a watermark and at the end', () => {
    const schema = new Schema([
      { name: 'k', type: Types.INT(false) },
      { name: 'v', type: Types.INT(false) },
    ]);
    const inner = new GroupAggregateOperator({
      name: 'GroupAggregate',
      inputSchema: schema,
      keys: [0],
      aggs: [
        { kind: 'SUM', args: [1], distinct: false, filterArg: -1, resultType: Types.INT(false), name: 's' },
      ],
      outputSchema: new Schema([schema.field(0), { name: 's', type: Types.INT(false) }]),
      generateUpdateBefore: true,
    });
    const op = new MiniBatchOperator(inner, { intervalMs: 0, size: 4, keyColumns: [0] });
    const out: RecordBatch[] = [];
    const marks: string[] = [];
    const output: Output = {
      emitBatch: (b) => void out.push(b),
      emitWatermark: (t) => void marks.push(`wm${t}`),
      emitSideOutput: () => {},
      emitWatermarkStatus: () => {},
    };
    op.open(output);
    op.processBatch(
      batchFromRows(schema, [
        [1, 1],
        [1, 2],
      ]),
    );
    op.processBatch(batchFromRows(schema, [[1, 3]]));
    expect(out).toHaveLength(0); // 3 rows < size 4: held back
    op.processBatch(batchFromRows(schema, [[2, 5]]));
    expect(op.bundles).toBe(1); // 4 rows: one bundle, key 1 folded to one +I (6)
    op.processBatch(batchFromRows(schema, [[1, 4]]));
    op.processWatermark(10);
    expect(op.bundles).toBe(2); // flushed before the watermark went on
    op.processBatch(batchFromRows(schema, [[2, 1]]));
    op.finish();
    expect(op.bundles).toBe(3);
    const rows = out.flatMap((b) =>
      Array.from(
        { length: b.length },
        (_x, i) => `${b.kinds[i]}:${String(b.columns[0]!.kind === 'i32' ? b.columns[0]!.values[i] : '')}`,
      ),
    );
    // RowKind codes: 0 +I, 1 -U, 2 +U. Bundle 1: +I(1, 6) +I(2, 5); bundle 2: -U(1, 6) +U(1, 10); bundle 3:
    // -U(2, 5) +U(2, 6) — one change per key and bundle where the plain operator emits one per row.
    expect(rows).toEqual(['0:1', '0:2', '1:1', '2:1', '1:2', '2:2']); // +I(1,6) +I(2,5) | -U(1,6) +U(1,10) | -U(2,5) +U(2,6)
  });
});
