// The oracle checked against Flink itself: its window macros must reproduce the results printed in Flink's docs
// (docs/dev/table/sql/queries/window-tvf.md, Bid table) and Flink's late-data and session-merging rules on
// hand-made rows, or every window query of the differential suite would compare against the wrong answer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SMALL, writeDataset, type OrderRow } from './generator.js';
import { Oracle } from './oracle.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const at = (hhmmss: string): number => Date.parse(`2020-04-15T${hhmmss}Z`);

/** Orders rows standing for Bid rows: item → product, one file per entry of `files`. */
async function oracleOf(files: readonly (readonly [string, string, number, number?])[][]): Promise<Oracle> {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-oracle-'));
  dirs.push(dir);
  const orders: OrderRow[] = [];
  const orderFile: number[] = [];
  files.forEach((rows, f) => {
    for (const [time, item, cents, customer] of rows) {
      orders.push({
        order_id: BigInt(orders.length + 1),
        customer_id: customer ?? 1,
        product: item,
        price: BigInt(cents),
        quantity: 1,
        ts: at(time),
      });
      orderFile.push(f);
    }
  });
  return Oracle.open(writeDataset(SMALL, dir, { orders, orderFile, customers: [], shipments: [] }));
}

async function sums(o: Oracle, source: string): Promise<string[]> {
  const r = await o.query(
    `SELECT strftime(window_start, '%H:%M') || '-' || strftime(window_end, '%H:%M') || ' ' || CAST(sum(price) AS VARCHAR) FROM ${source} GROUP BY window_start, window_end ORDER BY window_start, window_end`,
  );
  return r.rows.map((row) => row[0] as string);
}

const BID: [string, string, number][] = [
  ['08:05:00', 'C', 400],
  ['08:07:00', 'A', 200],
  ['08:09:00', 'D', 500],
  ['08:11:00', 'B', 300],
  ['08:13:00', 'E', 100],
  ['08:17:00', 'F', 600],
];

describe("the oracle's window macros", () => {
  it('reproduce the TUMBLE, HOP and CUMULATE results of window-tvf.md', async () => {
    const o = await oracleOf([BID]);
    try {
      expect(await sums(o, 'orders_tumble(600000)')).toEqual(['08:00-08:10 11.00', '08:10-08:20 10.00']);
      expect(await sums(o, 'orders_hop(300000, 600000)')).toEqual([
        '08:00-08:10 11.00',
        '08:05-08:15 15.00',
        '08:10-08:20 10.00',
        '08:15-08:25 6.00',
      ]);
      expect(await sums(o, 'orders_cumulate(120000, 600000)')).toEqual([
        '08:00-08:06 4.00',
        '08:00-08:08 6.00',
        '08:00-08:10 11.00',
        '08:10-08:12 3.00',
        '08:10-08:14 4.00',
        '08:10-08:16 4.00',
        '08:10-08:18 10.00',
        '08:10-08:20 10.00',
      ]);
      const times = await o.query(
        `SELECT DISTINCT strftime(window_time, '%H:%M:%S.%g') FROM orders_tumble(600000) ORDER BY 1`,
      );
      expect(times.rows.map((r) => r[0])).toEqual(['08:09:59.999', '08:19:59.999']);
    } finally {
      o.close();
    }
  });

  it('drop a row from the windows that had fired when it arrived, and only from those', async () => {
    // One file per row, so the watermark (ts - 5 s) advances after every row. After 08:11 it is 08:10:55: the
    // 08:00-08:10 windows have fired. LATE (08:04) falls only into fired windows and is dropped everywhere; PART
    // (08:08) still enters HOP's open 08:05-08:15 window (AbstractWindowAggProcessor adds a late row to the
    // slices of windows that have not fired).
    const rows: [string, string, number][] = [
      ...BID.slice(0, 4),
      ['08:04:00', 'LATE', 10_000],
      ['08:08:00', 'PART', 100_000],
      ...BID.slice(4),
    ];
    const o = await oracleOf(rows.map((r) => [r]));
    try {
      expect(await sums(o, 'orders_tumble(600000)')).toEqual(['08:00-08:10 11.00', '08:10-08:20 10.00']);
      expect(await sums(o, 'orders_hop(300000, 600000)')).toEqual([
        '08:00-08:10 11.00',
        '08:05-08:15 1015.00',
        '08:10-08:20 10.00',
        '08:15-08:25 6.00',
      ]);
      expect(await sums(o, 'orders_cumulate(120000, 600000)')).toEqual(
        await sums(await oracleOf([BID]), 'orders_cumulate(120000, 600000)'),
      );
      // orders_lenient never drops: both late rows count.
      expect(await sums(o, 'orders_lenient_tumble(600000)')).toEqual([
        '08:00-08:10 1111.00',
        '08:10-08:20 10.00',
      ]);
    } finally {
      o.close();
    }
  });

  it('merge session windows that overlap or touch, per partition', async () => {
    // Gap 20 s. Customer 1: 10:00:00 and :10 are one session; :40 starts a new one, and 10:01:00 is exactly one
    // gap after :40, so [10:00:40, 10:01:00) and [10:01:00, 10:01:20) touch and merge (TimeWindow.intersects is
    // inclusive). Customer 2's row between them is its own session.
    const o = await oracleOf([
      [
        ['10:00:00', 'a', 100, 1],
        ['10:00:10', 'b', 100, 1],
        ['10:00:20', 'x', 100, 2],
        ['10:00:40', 'c', 100, 1],
        ['10:01:00', 'd', 100, 1],
      ],
    ]);
    try {
      const r = await o.query(
        `SELECT customer_id, strftime(window_start, '%H:%M:%S') || '-' || strftime(window_end, '%H:%M:%S') || ' ' || CAST(count(*) AS VARCHAR) FROM orders_lenient_session(20000) GROUP BY customer_id, window_start, window_end ORDER BY 1, 2`,
      );
      expect(r.rows.map((row) => `${String(row[0])} ${String(row[1])}`)).toEqual([
        '1 10:00:00-10:00:30 2',
        '1 10:00:40-10:01:20 2',
        '2 10:00:20-10:00:40 1',
      ]);
    } finally {
      o.close();
    }
  });
});
