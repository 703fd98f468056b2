// The seeded data of the differential suite: three bounded tables (orders, customers, shipments) with NULLs,
// exact duplicates, a skewed key, awkward strings and out-of-order event times, written as CSV files that both
// Freshet (filesystem connector) and DuckDB (read_csv) read. Also simulates the watermark each row meets, so the
// oracle can drop exactly the rows Flink drops as late.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nexmarkDdl, type NexmarkTable } from './nexmark-data.js';

/** Mulberry32: small, fast and the same sequence on every platform for a seed. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
}

export interface OrderRow {
  readonly order_id: bigint;
  readonly customer_id: number | null;
  readonly product: string | null;
  /** DECIMAL(10, 2) as unscaled cents. */
  readonly price: bigint | null;
  readonly quantity: number | null;
  /** Epoch milliseconds (TIMESTAMP(3), read as UTC wall-clock time). */
  readonly ts: number;
}

export interface CustomerRow {
  readonly customer_id: number | null;
  readonly name: string | null;
  readonly city: string | null;
  readonly tier: string | null;
  readonly credit: number | null;
  /** DATE as days since the epoch. */
  readonly signup: number | null;
}

export interface ShipmentRow {
  readonly ship_id: bigint;
  readonly order_id: bigint | null;
  readonly carrier: string | null;
  readonly ship_ts: number;
}

export interface DatasetSpec {
  readonly seed: number;
  readonly orders: number;
  /** Rows per CSV file of orders; the engine's source emits a watermark after each file at the latest. */
  readonly ordersPerFile: number;
  readonly customers: number;
  /** Nexmark events (persons, auctions and bids together) for the nexmark queries. */
  readonly nexmarkEvents: number;
}

export const SMALL: DatasetSpec = {
  seed: 20240301,
  orders: 480,
  ordersPerFile: 40,
  customers: 24,
  nexmarkEvents: 4_000,
};
/** The larger seeded run of `npm run test:differential` (several minutes with every operator running). */
export const LARGE: DatasetSpec = {
  seed: 20240302,
  orders: 5_000,
  ordersPerFile: 100,
  customers: 150,
  nexmarkEvents: 20_000,
};

/** The watermark delay of `orders` (WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) and `shipments`. */
export const DELAY_MS = 5_000;
/** `orders_lenient` reads the same files with this delay, so that no row is ever late. */
export const LENIENT_DELAY_MS = 3_600_000;

export const BASE_TS = Date.UTC(2024, 2, 1, 9, 0, 0, 0);

/** Strings chosen for CSV quoting and string-function edge cases: commas, quotes, spaces, empty, non-ASCII. */
const PRODUCTS = [
  'apple',
  'Banana',
  'cherry pie',
  '  spaced  ',
  'dragon,fruit',
  'say "hi"',
  '',
  'café',
  'ÄPFEL straße',
  'x',
  'kiwi',
  'lemon_lime',
  '50% off',
];
const NAMES = [
  'Ann',
  'bob',
  'Chloé',
  "O'Brien",
  'de la Cruz',
  '  Eve',
  'ZED',
  'li, wei',
  'Märta',
  'q',
  'Nuño',
  'Ola',
];
const CITIES = ['Paris', 'Berlin', 'berlin', 'São Paulo', 'New York', 'Zürich', 'Oslo'];
const CARRIERS = ['DHL', 'UPS', 'fedex', 'La Poste'];

export interface Dataset {
  readonly spec: DatasetSpec;
  readonly dir: string;
  /** In file order (the order the source reads them). */
  readonly orders: readonly OrderRow[];
  /** The file index of each order row. */
  readonly orderFile: readonly number[];
  /**
   * The watermark of `orders` each row meets when it reaches a windowed operator: max(ts of the rows before it)
   * - DELAY_MS (null before the first row). See `simulateWatermarks` for why this is exact for the engine.
   */
  readonly arrivalWatermark: readonly (number | null)[];
  readonly customers: readonly CustomerRow[];
  readonly shipments: readonly ShipmentRow[];
  readonly paths: {
    readonly orders: string;
    readonly customers: string;
    readonly shipments: string;
    readonly rates: string;
  };
  /** The exported Nexmark tables' directories, once written (see nexmark-data.ts). */
  nexmark?: Record<NexmarkTable, string>;
}

/**
 * Orders come in files of `ordersPerFile` rows. Within a file a row is at most DELAY_MS (exclusive) behind the
 * largest time seen before it, so it is never late whether the watermark advances per record (Flink with
 * pipeline.auto-watermark-interval = 0) or per batch/file (Freshet today). Late rows (up to 90 s behind the
 * watermark) appear only as the first row of a file, where both models agree on the watermark the row meets.
 */
function generateOrders(spec: DatasetSpec, rng: Prng): { rows: OrderRow[]; file: number[] } {
  const rows: OrderRow[] = [];
  const file: number[] = [];
  let cursor = BASE_TS;
  let max = Number.NEGATIVE_INFINITY;
  let id = 1n;
  const files = Math.ceil(spec.orders / spec.ordersPerFile);
  for (let f = 0; f < files; f++) {
    const n = Math.min(spec.ordersPerFile, spec.orders - f * spec.ordersPerFile);
    for (let j = 0; j < n; j++) {
      cursor += rng.int(300, 2_700);
      let ts: number;
      if (j === 0 && f > 0 && rng.chance(0.6)) {
        ts = max - DELAY_MS - rng.int(1, 90_000);
      } else {
        ts = cursor + rng.int(-4_500, 1_500);
        if (ts <= max - DELAY_MS) ts = max - DELAY_MS + rng.int(1, 2_000);
      }
      // A few exact duplicates of the previous row (same ts, so still not late unless it was).
      const prev = rows[rows.length - 1];
      const dup = j > 0 && prev !== undefined && prev.ts > max - DELAY_MS && rng.chance(0.04);
      const row: OrderRow = dup
        ? (prev as OrderRow)
        : {
            // Two ids beyond 2^53, where a double would lose the last digit.
            order_id: rng.chance(0.01) ? 9_007_199_254_740_993n + id : id,
            customer_id: rng.chance(0.05) ? null : rng.chance(0.3) ? 1 : rng.int(1, spec.customers + 4),
            product: rng.chance(0.05) ? null : rng.pick(PRODUCTS),
            price: rng.chance(0.05)
              ? null
              : rng.chance(0.04)
                ? -BigInt(rng.int(1, 999))
                : rng.chance(0.03)
                  ? 0n
                  : BigInt(rng.int(1, 99_999)),
            quantity: rng.chance(0.05) ? null : rng.chance(0.05) ? -rng.int(1, 3) : rng.int(0, 50),
            ts,
          };
      if (!dup) id++;
      rows.push(row);
      file.push(f);
      if (row.ts > max) max = row.ts;
    }
  }
  return { rows, file };
}

function generateCustomers(spec: DatasetSpec, rng: Prng): CustomerRow[] {
  const rows: CustomerRow[] = [];
  for (let c = 1; c <= spec.customers; c++) {
    const row: CustomerRow = {
      customer_id: c,
      name: rng.chance(0.05) ? null : `${rng.pick(NAMES)}${c % 3 === 0 ? '' : ` ${c}`}`,
      city: rng.chance(0.1) ? null : rng.pick(CITIES),
      tier: rng.chance(0.1) ? null : rng.pick(['gold', 'silver', 'bronze']),
      credit: rng.chance(0.05) ? null : rng.pick([0.1, 0.2, 1e10, -3.75, 0, 1 / 3, 123.456]) * rng.int(1, 4),
      signup: rng.chance(0.05) ? null : 19_000 + rng.int(0, 800),
    };
    rows.push(row);
    // A second row for some ids: a join key with several matches on the build side.
    if (c % 7 === 3) rows.push({ ...row, name: `${row.name ?? 'anon'} (2)`, tier: 'silver' });
  }
  rows.push({ customer_id: null, name: 'nobody', city: 'Oslo', tier: 'gold', credit: 1, signup: 19_500 });
  return rows;
}

function generateShipments(orders: readonly OrderRow[], rng: Prng): ShipmentRow[] {
  const rows: ShipmentRow[] = [];
  let id = 1n;
  for (const o of orders) {
    const n = rng.chance(0.2) ? 0 : rng.chance(0.15) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      rows.push({
        ship_id: id++,
        order_id: rng.chance(0.03) ? null : o.order_id,
        carrier: rng.chance(0.05) ? null : rng.pick(CARRIERS),
        ship_ts: o.ts + rng.int(-30_000, 600_000),
      });
    }
    if (rng.chance(0.03))
      rows.push({
        ship_id: id++,
        order_id: 1_000_000n + id,
        carrier: 'UPS',
        ship_ts: o.ts + rng.int(0, 60_000),
      });
  }
  // Shipments arrive in time order up to a jitter well inside the 5 s delay: none is late.
  return rows
    .map((r) => ({ r, key: r.ship_ts + rng.int(0, 3_000) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.r);
}

/**
 * The watermark each orders row meets (per-record model). Because of how `generateOrders` places rows, a window
 * containing the row has fired under the per-file model exactly when it has under this one.
 */
export function simulateWatermarks(rows: readonly OrderRow[], delay: number): (number | null)[] {
  const out: (number | null)[] = [];
  let max = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    out.push(max === Number.NEGATIVE_INFINITY ? null : max - delay);
    if (r.ts > max) max = r.ts;
  }
  return out;
}

// ---- CSV text in the convention of the csv format: empty unquoted field = NULL, "" = empty string ----

function csvString(s: string | null): string {
  if (s === null) return '';
  return `"${s.replaceAll('"', '""')}"`;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

export function formatTs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function formatDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

const cell = (v: string | number | bigint | null): string => (v === null ? '' : String(v));

export function generate(spec: DatasetSpec, dir: string): Dataset {
  const rng = new Prng(spec.seed);
  const { rows: orders, file } = generateOrders(spec, rng);
  const customers = generateCustomers(spec, rng);
  const shipments = generateShipments(orders, rng);
  return writeDataset(spec, dir, { orders, orderFile: file, customers, shipments });
}

/** Writes given rows as the dataset's CSV files (also used with hand-made rows to check the oracle itself). */
export function writeDataset(
  spec: DatasetSpec,
  dir: string,
  rows: {
    readonly orders: readonly OrderRow[];
    readonly orderFile: readonly number[];
    readonly customers: readonly CustomerRow[];
    readonly shipments: readonly ShipmentRow[];
  },
): Dataset {
  const { orders, orderFile: file, customers, shipments } = rows;
  const paths = {
    orders: join(dir, 'orders'),
    customers: join(dir, 'customers.csv'),
    shipments: join(dir, 'shipments.csv'),
    rates: join(dir, 'rates.csv'),
  };
  mkdirSync(paths.orders, { recursive: true });
  const files = file.length === 0 ? 0 : Math.max(...file) + 1;
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < orders.length; i++) {
      if (file[i] !== f) continue;
      const o = orders[i] as OrderRow;
      lines.push(
        [
          o.order_id,
          cell(o.customer_id),
          csvString(o.product),
          o.price === null ? '' : formatDecimal(o.price, 2),
          cell(o.quantity),
          formatTs(o.ts),
        ].join(','),
      );
    }
    writeFileSync(
      join(paths.orders, `part-${String(f).padStart(4, '0')}.csv`),
      lines.length === 0 ? '' : `${lines.join('\n')}\n`,
    );
  }
  const text = (lines: string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  writeFileSync(
    paths.customers,
    text(
      customers.map((c) =>
        [
          cell(c.customer_id),
          csvString(c.name),
          csvString(c.city),
          csvString(c.tier),
          c.credit === null ? '' : String(c.credit),
          c.signup === null ? '' : formatDate(c.signup),
        ].join(','),
      ),
    ),
  );
  writeFileSync(
    paths.rates,
    text(
      productRates(orders).map((r) =>
        [csvString(r.product), formatDecimal(r.rate, 2), formatTs(r.validFrom)].join(','),
      ),
    ),
  );
  writeFileSync(
    paths.shipments,
    text(
      shipments.map((s) =>
        [s.ship_id, cell(s.order_id), csvString(s.carrier), formatTs(s.ship_ts)].join(','),
      ),
    ),
  );
  return {
    spec,
    dir,
    orders,
    orderFile: file,
    arrivalWatermark: simulateWatermarks(orders, DELAY_MS),
    customers,
    shipments,
    paths,
  };
}

/**
 * A versioned table for event-time temporal joins: a rate per product, a new version every 40 s from the first
 * order's time on (in time order, so none is late), derived from the orders so that both sizes agree.
 */
export function productRates(
  orders: readonly OrderRow[],
): { product: string; rate: bigint; validFrom: number }[] {
  if (orders.length === 0) return [];
  const first = Math.min(...orders.map((o) => o.ts));
  const last = Math.max(...orders.map((o) => o.ts));
  const out: { product: string; rate: bigint; validFrom: number }[] = [];
  let step = 0;
  for (let t = first + 7_000; t <= last; t += 40_000, step++) {
    PRODUCTS.forEach((product, i) => {
      if ((step + i) % 3 !== 0)
        out.push({ product, rate: BigInt(100 + ((step * 37 + i * 11) % 90)), validFrom: t + i });
    });
  }
  return out;
}

/** Freshet DDL for the dataset's tables (run once per TableEnvironment). */
export function freshetDdl(d: Dataset): string[] {
  // One reader per table ('scan.parallelism' = '1'): the oracle simulates the watermark of one reader going
  // through the files in order. Parallel readers each hold their own watermark (the minimum wins downstream), so
  // which rows are late would depend on how the readers interleave — in Flink as here.
  const fs = (path: string): string =>
    `WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'csv', 'scan.parallelism' = '1')`;
  const ordersCols =
    'order_id BIGINT, customer_id INT, product STRING, price DECIMAL(10, 2), quantity INT, ts TIMESTAMP(3)';
  return [
    `CREATE TABLE orders (${ordersCols}, WATERMARK FOR ts AS ts - INTERVAL '${DELAY_MS / 1000}' SECOND) ${fs(d.paths.orders)}`,
    `CREATE TABLE orders_lenient (${ordersCols}, WATERMARK FOR ts AS ts - INTERVAL '${LENIENT_DELAY_MS / 3_600_000}' HOUR) ${fs(d.paths.orders)}`,
    `CREATE TABLE customers (customer_id INT, name STRING, city STRING, tier STRING, credit DOUBLE, signup DATE) ${fs(d.paths.customers)}`,
    `CREATE TABLE shipments (ship_id BIGINT, order_id BIGINT, carrier STRING, ship_ts TIMESTAMP(3), WATERMARK FOR ship_ts AS ship_ts - INTERVAL '${DELAY_MS / 1000}' SECOND) ${fs(d.paths.shipments)}`,
    `CREATE TABLE product_rates (product STRING NOT NULL, rate DECIMAL(5, 2), valid_from TIMESTAMP(3), WATERMARK FOR valid_from AS valid_from - INTERVAL '5' SECOND, PRIMARY KEY (product) NOT ENFORCED) ${fs(d.paths.rates)}`,
    ...(d.nexmark === undefined ? [] : nexmarkDdl(d.nexmark)),
  ];
}
