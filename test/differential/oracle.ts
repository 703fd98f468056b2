// The oracle: DuckDB over the very CSV files Freshet reads. Tables mirror the Freshet ones column for column;
// `orders_wm` adds each row's arrival order (`seq`) and the watermark it meets (`arrival_wm`, from the
// TypeScript simulation), so window queries can drop exactly the (row, window) pairs Flink drops as late.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { formatTs, type Dataset } from './generator.js';
import { duckColumns, NEXMARK_TABLES } from './nexmark-data.js';

export type OracleValue = unknown;

export interface OracleResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly (readonly OracleValue[])[];
}

export class Oracle {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(d: Dataset): Promise<Oracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    const oracle = new Oracle(instance, conn);
    await oracle.load(d);
    return oracle;
  }

  /**
   * read_csv with the csv format's conventions: no header, an empty unquoted field is NULL and a quoted empty
   * field is the empty string (allow_quoted_nulls = false), no type sniffing.
   */
  private static readCsv(path: string, columns: Record<string, string>): string {
    const cols = Object.entries(columns)
      .map(([n, t]) => `'${n}': '${t}'`)
      .join(', ');
    return `read_csv('${path}', header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${cols}})`;
  }

  private async load(d: Dataset): Promise<void> {
    const orderCols = {
      order_id: 'BIGINT',
      customer_id: 'INTEGER',
      product: 'VARCHAR',
      price: 'DECIMAL(10,2)',
      quantity: 'INTEGER',
      ts: 'TIMESTAMP',
    };
    await this.conn.run(
      `CREATE TABLE orders (order_id BIGINT, customer_id INTEGER, product VARCHAR, price DECIMAL(10,2), quantity INTEGER, ts TIMESTAMP)`,
    );
    // One file at a time, in the order the source reads them, so rowid is the arrival order.
    const files = d.orderFile.length === 0 ? 0 : Math.max(...d.orderFile) + 1;
    for (let f = 0; f < files; f++) {
      await this.conn.run(
        `INSERT INTO orders SELECT * FROM ${Oracle.readCsv(join(d.paths.orders, `part-${String(f).padStart(4, '0')}.csv`), orderCols)}`,
      );
    }
    await this.conn.run(`CREATE TABLE arrival (seq BIGINT, arrival_wm TIMESTAMP)`);
    const values = d.arrivalWatermark.map(
      (w, i) => `(${i}, ${w === null ? 'NULL' : `TIMESTAMP '${formatTs(w)}'`})`,
    );
    for (let i = 0; i < values.length; i += 5000)
      await this.conn.run(`INSERT INTO arrival VALUES ${values.slice(i, i + 5000).join(', ')}`);
    await this.conn.run(
      `CREATE VIEW orders_wm AS SELECT o.*, o.rowid AS seq, a.arrival_wm FROM orders o JOIN arrival a ON a.seq = o.rowid`,
    );
    await this.conn.run(`CREATE VIEW orders_lenient AS SELECT * FROM orders`);
    await this.windowMacros();
    await this.conn.run(
      `CREATE TABLE customers AS SELECT * FROM ${Oracle.readCsv(d.paths.customers, { customer_id: 'INTEGER', name: 'VARCHAR', city: 'VARCHAR', tier: 'VARCHAR', credit: 'DOUBLE', signup: 'DATE' })}`,
    );
    await this.conn.run(
      `CREATE TABLE shipments AS SELECT * FROM ${Oracle.readCsv(d.paths.shipments, { ship_id: 'BIGINT', order_id: 'BIGINT', carrier: 'VARCHAR', ship_ts: 'TIMESTAMP' })}`,
    );
    await this.conn.run(
      `CREATE TABLE product_rates AS SELECT * FROM ${Oracle.readCsv(d.paths.rates, { product: 'VARCHAR', rate: 'DECIMAL(5,2)', valid_from: 'TIMESTAMP' })}`,
    );
    for (const t of d.nexmark === undefined ? [] : NEXMARK_TABLES) {
      await this.conn.run(
        `CREATE TABLE ${t} AS SELECT * FROM ${Oracle.readCsv(join(d.nexmark?.[t] as string, '*.csv'), duckColumns(t))}`,
      );
    }
    await this.checkLoaded(d);
  }

  /**
   * Flink's windows as DuckDB table macros over `orders_wm`, one row per (row, window) that Flink counts:
   * windows are aligned to the epoch (TimeWindow.getWindowStartWithOffset with offset 0), and a row does not
   * enter a window that had already fired when it arrived, i.e. window_end - 1 ms <= the watermark it met
   * (WindowUtils.isWindowFired in Flink's window TVF operators; AbstractWindowAggProcessor drops the row, or adds
   * it only to the slices of windows still open). `orders_lenient` never has late rows, so its macros only
   * assign windows. window_time is window_end - 1 ms.
   */
  private async windowMacros(): Promise<void> {
    await this.conn.run(
      `CREATE MACRO tumble_start(t, size_ms) AS epoch_ms(CAST(floor(epoch_ms(t) / size_ms) AS BIGINT) * size_ms)`,
    );
    // The starts (epoch ms) of the HOP windows containing t, for tables without late rows (the Nexmark ones).
    await this.conn.run(
      `CREATE MACRO hop_starts(t, slide_ms, size_ms) AS range(CAST(floor(epoch_ms(t) / slide_ms) AS BIGINT) * slide_ms, epoch_ms(t) - size_ms, -slide_ms)`,
    );
    const fired = (end: string): string =>
      `(o.arrival_wm IS NOT NULL AND ${end} - INTERVAL 1 MILLISECOND <= o.arrival_wm)`;
    const start = (t: string, size: string): string =>
      `CAST(floor(epoch_ms(${t}) / ${size}) AS BIGINT) * ${size}`;
    for (const [name, lateFilter] of [
      ['orders', true],
      ['orders_lenient', false],
    ] as const) {
      const keep = (end: string): string => (lateFilter ? `NOT ${fired(end)}` : 'TRUE');
      await this.conn.run(
        `CREATE MACRO ${name}_tumble(size_ms) AS TABLE SELECT o.* EXCLUDE (seq, arrival_wm), o.seq, epoch_ms(${start('o.ts', 'size_ms')}) AS window_start, ` +
          `epoch_ms(${start('o.ts', 'size_ms')} + size_ms) AS window_end, epoch_ms(${start('o.ts', 'size_ms')} + size_ms - 1) AS window_time ` +
          `FROM orders_wm o WHERE ${keep(`epoch_ms(${start('o.ts', 'size_ms')} + size_ms)`)}`,
      );
      await this.conn.run(
        `CREATE MACRO ${name}_hop(slide_ms, size_ms) AS TABLE SELECT o.* EXCLUDE (seq, arrival_wm, s), o.seq, epoch_ms(s) AS window_start, epoch_ms(s + size_ms) AS window_end, ` +
          `epoch_ms(s + size_ms - 1) AS window_time FROM (SELECT o.*, unnest(range(${start('o.ts', 'slide_ms')}, epoch_ms(o.ts) - size_ms, -slide_ms)) AS s FROM orders_wm o) o ` +
          `WHERE ${keep('epoch_ms(s + size_ms)')}`,
      );
      await this.conn.run(
        `CREATE MACRO ${name}_cumulate(step_ms, max_ms) AS TABLE SELECT o.* EXCLUDE (seq, arrival_wm, e), o.seq, epoch_ms(${start('o.ts', 'max_ms')}) AS window_start, epoch_ms(e) AS window_end, ` +
          `epoch_ms(e - 1) AS window_time FROM (SELECT o.*, unnest(range(${start('o.ts', 'step_ms')} + step_ms, ${start('o.ts', 'max_ms')} + max_ms + 1, step_ms)) AS e FROM orders_wm o) o ` +
          `WHERE ${keep('epoch_ms(e)')}`,
      );
    }
    // Sessions only over orders_lenient (no late rows): a row opens a new session when it is more than the gap
    // after every earlier row of its partition; Flink merges windows [t, t + gap) that touch (TimeWindow.intersects).
    await this.conn.run(
      `CREATE MACRO orders_lenient_session(gap_ms) AS TABLE SELECT o.* EXCLUDE (seq, arrival_wm, brk, sid), o.seq, min(ts) OVER w AS window_start, ` +
        `epoch_ms(epoch_ms(max(ts) OVER w) + gap_ms) AS window_end, epoch_ms(epoch_ms(max(ts) OVER w) + gap_ms - 1) AS window_time ` +
        `FROM (SELECT *, sum(brk) OVER (PARTITION BY customer_id ORDER BY ts, seq ROWS UNBOUNDED PRECEDING) AS sid FROM (SELECT o.*, ` +
        `CASE WHEN epoch_ms(ts) - epoch_ms(max(ts) OVER (PARTITION BY customer_id ORDER BY ts, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) <= gap_ms THEN 0 ELSE 1 END AS brk ` +
        `FROM orders_wm o)) o WINDOW w AS (PARTITION BY customer_id, sid)`,
    );
  }

  /** Both CSV readers must see the generator's rows; a mismatch here would make every comparison meaningless. */
  private async checkLoaded(d: Dataset): Promise<void> {
    const r = await this.query(`SELECT order_id, ts, product FROM orders ORDER BY rowid`);
    if (r.rows.length !== d.orders.length)
      throw new Error(`DuckDB read ${r.rows.length} orders, the generator wrote ${d.orders.length}`);
    for (let i = 0; i < r.rows.length; i++) {
      const [id, ts, product] = r.rows[i] as OracleValue[];
      const o = d.orders[i];
      const micros = (ts as { micros: bigint }).micros;
      if (o === undefined || id !== o.order_id || Number(micros / 1000n) !== o.ts || product !== o.product) {
        throw new Error(
          `DuckDB row ${i} of orders differs from the generated row: ${String(id)} ${String(micros)} ${String(product)}`,
        );
      }
    }
    const c = await this.query(`SELECT count(*) FROM customers`);
    if (Number(c.rows[0]?.[0]) !== d.customers.length)
      throw new Error('DuckDB read a different number of customers');
    const s = await this.query(`SELECT count(*) FROM shipments`);
    if (Number(s.rows[0]?.[0]) !== d.shipments.length)
      throw new Error('DuckDB read a different number of shipments');
  }

  async query(sql: string): Promise<OracleResult> {
    const reader = await this.conn.runAndReadAll(sql);
    return {
      columns: reader.columnNames(),
      types: reader.columnTypes().map((t) => t.toString()),
      rows: reader.getRows(),
    };
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
