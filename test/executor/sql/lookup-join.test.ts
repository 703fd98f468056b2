// The lookup join under the harness: Flink's LookupJoinRunner (synchronous lookup, INNER and LEFT), with the
// caches of Flink's LookupOptions ('lookup.cache' NONE / PARTIAL / FULL, as the JDBC connector page "Lookup
// Cache" describes them): a partial cache serves a key until it expires after write or access, or is evicted
// beyond max-rows; a full cache loads the table once and reloads it every periodic-reload.interval.
import { describe, expect, it } from 'vitest';
import { batchFromRows, makeBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { LookupJoinOperator, type LookupJoinConfig } from '../../../executor/sql/lookup-join.js';
import { lookupCacheConfig, type LookupReader } from '../../../executor/sql/lookup-cache.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';
import { withNullability } from '../../../executor/index.js';

const ORDERS = Schema.of(['order_id', Types.INT()], ['customer_id', Types.INT()], ['total', Types.INT()]);
const CUSTOMERS = Schema.of(['id', Types.INT()], ['country', Types.STRING()]);
const OUT = new Schema([
  ...ORDERS.fields,
  ...CUSTOMERS.fields.map((f) => ({ name: f.name, type: withNullability(f.type, true) })),
]);

/** A table the test can change between lookups, counting the reads that reach it. */
class MutableTable implements LookupReader {
  loads = 0;
  constructor(public rows: Value[][]) {}
  loadAll(): Value[][] {
    this.loads++;
    return this.rows.map((r) => [...r]);
  }
}

const byCustomer = (b: ReturnType<typeof batchFromRows>): ReturnType<typeof batchFromRows> =>
  makeBatch(Schema.of(['k', Types.INT()]), [b.columns[1] as (typeof b.columns)[number]], b.length);

function harness(
  table: LookupReader,
  options: Record<string, string>,
  extra: Partial<LookupJoinConfig> = {},
): OperatorTestHarness {
  const op = new LookupJoinOperator({
    name: 'LookupJoin',
    type: 'INNER',
    inputSchema: ORDERS,
    lookupSchema: CUSTOMERS,
    keyOf: byCustomer,
    lookupKeys: [0],
    reader: table,
    cache: lookupCacheConfig(options),
    condition: null,
    outputSchema: OUT,
    ...extra,
  });
  return new OperatorTestHarness(op, { inputs: [ORDERS] }).open();
}

function send(h: OperatorTestHarness, ...rows: Value[][]): string[] {
  h.processBatch(batchFromRows(ORDERS, rows));
  const out = h
    .getOutput()
    .flatMap((e) => (e.kind === 'record' ? [`${e.rowKind}[${e.row.join(', ')}]`] : []));
  h.clearOutput();
  return out;
}

describe('LookupJoinOperator', () => {
  it('joins each row with the rows of its key at the time it arrives (INNER drops a miss)', () => {
    const t = new MutableTable([
      [1, 'DE'],
      [2, 'FR'],
      [2, 'BE'],
    ]);
    const h = harness(t, {});
    expect(send(h, [10, 1, 100], [11, 2, 50], [12, 3, 70], [13, null, 5])).toEqual([
      '+I[10, 1, 100, 1, DE]',
      '+I[11, 2, 50, 2, FR]',
      '+I[11, 2, 50, 2, BE]',
    ]);
    // The table changes: later rows see the change, earlier results are not revised (no state per key).
    t.rows = [[1, 'NL']];
    expect(send(h, [14, 1, 1])).toEqual(['+I[14, 1, 1, 1, NL]']);
  });

  it('LEFT pads a miss (and a NULL key) with NULLs and keeps the input row kinds', () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, {}, { type: 'LEFT' });
    h.processBatch(
      batchFromRows(
        ORDERS,
        [
          [10, 1, 100],
          [12, 3, 70],
          [13, null, 5],
          [10, 1, 100],
        ],
        [RowKind.INSERT, RowKind.INSERT, RowKind.INSERT, RowKind.DELETE],
      ),
    );
    expect(
      h.getOutput().map((e) => (e.kind === 'record' ? `${e.rowKind}[${e.row.join(', ')}]` : e.kind)),
    ).toEqual(['+I[10, 1, 100, 1, DE]', '+I[12, 3, 70, , ]', '+I[13, , 5, , ]', '-D[10, 1, 100, 1, DE]']);
  });

  it('applies the non-equi rest of the ON condition to the found rows (LEFT pads when none passes)', () => {
    const t = new MutableTable([
      [1, 'DE'],
      [1, 'FR'],
    ]);
    // ON o.customer_id = c.id AND c.country <> 'DE'
    const condition = (pairs: ReturnType<typeof batchFromRows>): Uint8Array => {
      const out = new Uint8Array(pairs.length);
      for (let i = 0; i < pairs.length; i++) {
        const c = pairs.columns[4] as { values: unknown };
        out[i] = (c.values as string[])[i] !== 'DE' ? 1 : 0;
      }
      return out;
    };
    const h = harness(t, {}, { type: 'LEFT', condition });
    expect(send(h, [10, 1, 100])).toEqual(['+I[10, 1, 100, 1, FR]']);
    t.rows = [[1, 'DE']];
    expect(send(h, [11, 1, 100])).toEqual(['+I[11, 1, 100, , ]']);
  });

  it("'lookup.cache' = 'NONE' reads the table for every lookup", () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, { 'lookup.cache': 'NONE' });
    send(h, [10, 1, 1], [11, 1, 1], [12, 2, 1]);
    expect(t.loads).toBe(3);
  });

  it("'PARTIAL' serves a key from the cache until it expires after write", () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.expire-after-write': '10 s' });
    expect(send(h, [10, 1, 1], [11, 1, 1])).toEqual(['+I[10, 1, 1, 1, DE]', '+I[11, 1, 1, 1, DE]']);
    expect(t.loads).toBe(1);
    t.rows = [[1, 'NL']];
    h.setProcessingTime(9_999);
    expect(send(h, [12, 1, 1])).toEqual(['+I[12, 1, 1, 1, DE]']);
    h.setProcessingTime(10_000);
    expect(send(h, [13, 1, 1])).toEqual(['+I[13, 1, 1, 1, NL]']);
    expect(t.loads).toBe(2);
  });

  it("'PARTIAL' caches a missing key unless cache-missing-key is false, and evicts beyond max-rows", () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.max-rows': '1' });
    send(h, [10, 2, 1], [11, 2, 1]);
    expect(t.loads).toBe(1); // the miss of key 2 was cached
    send(h, [12, 1, 1], [13, 2, 1]);
    expect(t.loads).toBe(3); // key 1 evicted key 2 (max-rows 1)
    const t2 = new MutableTable([[1, 'DE']]);
    const h2 = harness(t2, {
      'lookup.cache': 'PARTIAL',
      'lookup.partial-cache.max-rows': '10',
      'lookup.partial-cache.cache-missing-key': 'false',
    });
    send(h2, [10, 2, 1], [11, 2, 1]);
    expect(t2.loads).toBe(2);
  });

  it("'PARTIAL' with expire-after-access keeps a key that is read often enough", () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, { 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.expire-after-access': '5 s' });
    for (const time of [0, 4000, 8000, 12_000]) {
      h.setProcessingTime(time);
      send(h, [10, 1, 1]);
    }
    expect(t.loads).toBe(1);
    h.setProcessingTime(17_000);
    send(h, [10, 1, 1]);
    expect(t.loads).toBe(2);
  });

  it("'FULL' loads the whole table once and reloads it every periodic-reload.interval", () => {
    const t = new MutableTable([[1, 'DE']]);
    const h = harness(t, { 'lookup.cache': 'FULL', 'lookup.full-cache.periodic-reload.interval': '1 min' });
    expect(send(h, [10, 1, 1], [11, 2, 1], [12, 1, 1])).toEqual([
      '+I[10, 1, 1, 1, DE]',
      '+I[12, 1, 1, 1, DE]',
    ]);
    expect(t.loads).toBe(1);
    t.rows = [[2, 'FR']];
    h.setProcessingTime(59_999);
    expect(send(h, [13, 2, 1])).toEqual([]);
    h.setProcessingTime(60_000);
    expect(send(h, [14, 2, 1])).toEqual(['+I[14, 2, 1, 2, FR]']);
    expect(t.loads).toBe(2);
  });

  it('rejects bad cache options by name', () => {
    expect(() => lookupCacheConfig({ 'lookup.cache': 'PARTIAL' })).toThrow(
      /needs 'lookup.partial-cache.expire-after-write'/,
    );
    expect(() => lookupCacheConfig({ 'lookup.cache': 'SOME' })).toThrow(
      /invalid value 'SOME' for option 'lookup.cache'/,
    );
    expect(() =>
      lookupCacheConfig({ 'lookup.cache': 'PARTIAL', 'lookup.partial-cache.expire-after-write': 'soon' }),
    ).toThrow(/'lookup.partial-cache.expire-after-write' must be a duration/);
  });
});
