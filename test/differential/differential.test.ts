// The differential correctness suite (issue #8): every query of queries/*.sql runs in Freshet in streaming mode
// at parallelism 1 and 2 and in batch mode over seeded generated data, and its folded changelog must equal
// DuckDB's answer on the same CSV files. Known gaps are held by the ratchet lists beside this file. The default
// run uses small data; `npm run test:differential` uses the large seeded data set. See docs/testing.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatType } from '../../index.js';
import { generate, LARGE, SMALL, type Dataset } from './generator.js';
import { Oracle, type OracleResult } from './oracle.js';
import { writeNexmark } from './nexmark-data.js';
import { loadQueries } from './query-file.js';
import { judge, listed, ListWriter, readList, UPDATE, type Outcome } from './ratchet.js';
import {
  ChangelogError,
  diffRows,
  environment,
  errorText,
  MODES,
  oracleRows,
  runFreshet,
  type Mode,
} from './runner.js';

const HERE = import.meta.dirname;
const UNSUPPORTED_PATH = join(HERE, 'known-unsupported.json');
const WRONG_PATH = join(HERE, 'known-wrong.json');
const spec = process.env['FRESHET_DIFFERENTIAL'] === 'large' ? LARGE : SMALL;

const queries = loadQueries(join(HERE, 'queries'));
const unsupported = readList(UNSUPPORTED_PATH);
const wrong = readList(WRONG_PATH);
const writer = new ListWriter();

let dir = '';
let data: Dataset;
let oracle: Oracle;
const oracleCache = new Map<string, Promise<OracleResult>>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-differential-'));
  data = generate(spec, dir);
  data.nexmark = await writeNexmark(join(dir, 'nexmark'), spec.nexmarkEvents);
  oracle = await Oracle.open(data);
}, 60_000);

afterAll(() => {
  oracle?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  if (UPDATE) writer.write(UNSUPPORTED_PATH, WRONG_PATH, wrong);
});

/** The data directory is a fresh temporary one each run; messages must not depend on it. */
const stable = (message: string): string => (dir === '' ? message : message.replaceAll(dir, '<data>'));

/**
 * Batch mode has no late data: a bounded input is read whole before any window is computed (watermarks do not
 * drop rows in Flink's batch operators), so its oracle counts every row in its windows.
 */
function oracleSql(q: (typeof queries)[number], mode: Mode): string {
  return mode === 'batch'
    ? q.oracle.replace(/\borders_(tumble|hop|cumulate)\(/g, 'orders_lenient_$1(')
    : q.oracle;
}

async function outcome(q: (typeof queries)[number], mode: Mode): Promise<Outcome> {
  let expected: OracleResult;
  const sql = oracleSql(q, mode);
  const cached = oracleCache.get(sql) ?? oracle.query(sql);
  oracleCache.set(sql, cached);
  try {
    expected = await cached;
  } catch (e) {
    // A broken oracle query is a bug of the suite, never an entry of the lists.
    throw new Error(
      `the oracle query of ${q.id} (${q.file}:${q.line}) fails in DuckDB: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!q.allowEmpty && expected.rows.length === 0)
    throw new Error(
      `the oracle returns no rows for ${q.id}: add rows to the data, or mark the query 'empty'`,
    );
  let run;
  try {
    // The large data set has ten times the orders; on a loaded 2-core CI machine its slowest query (the scalar
    // subquery's join, 5-17 s since join batches fold their retractions) still needs well over 20 s.
    run = await runFreshet(environment(data, mode), q.sql, mode, spec === LARGE ? 120_000 : 20_000);
  } catch (e) {
    if (e instanceof ChangelogError) return { kind: 'wrong', message: e.message };
    return { kind: 'unsupported', message: stable(errorText(e)) };
  }
  if (q.insertOnly && mode !== 'batch') {
    const other = Object.entries(run.kinds).filter(([k, n]) => k !== '+I' && n > 0);
    if (other.length > 0)
      return {
        kind: 'wrong',
        message: `Flink's changelog is insert-only; Freshet's has ${other.map(([k, n]) => `${n}× ${k}`).join(', ')}`,
      };
  }
  if (q.types !== null) {
    const got = run.types.map((t) =>
      formatType(t)
        .replace(/ \*(ROWTIME|PROCTIME)\*$/, '')
        .replace(/ NOT NULL$/, ''),
    );
    if (got.join(', ') !== q.types.join(', '))
      return { kind: 'wrong', message: `result types ${got.join(', ')}, Flink's are ${q.types.join(', ')}` };
  }
  const diff = diffRows(oracleRows(expected, run.types), run.rows);
  return diff === null ? { kind: 'pass' } : { kind: 'wrong', message: diff };
}

describe(`differential suite (${queries.length} queries, ${spec.orders} orders, seed ${spec.seed})`, () => {
  it('has at least 150 queries', () => {
    expect(queries.length).toBeGreaterThanOrEqual(150);
  });

  it('tells a wrong answer from a right one (the comparison is not vacuous)', async () => {
    const sql = 'SELECT order_id, price, ts FROM orders';
    const run = await runFreshet(environment(data, 'streaming-p1'), sql, 'streaming-p1');
    const right = oracleRows(await oracle.query(sql), run.types);
    expect(diffRows(right, run.rows)).toBeNull();
    for (const wrongSql of [
      'SELECT order_id, price + 0.01, ts FROM orders',
      "SELECT order_id, price, ts + INTERVAL '1' MILLISECOND FROM orders",
      'SELECT order_id, price, ts FROM orders WHERE rowid > 0',
      'SELECT order_id, price, ts FROM orders UNION ALL SELECT order_id, price, ts FROM orders LIMIT 481',
    ]) {
      expect(diffRows(oracleRows(await oracle.query(wrongSql), run.types), run.rows)).not.toBeNull();
    }
  });

  it('lists only queries that exist', () => {
    const ids = new Set(queries.map((q) => q.id));
    expect(Object.keys(unsupported).filter((id) => !ids.has(id))).toEqual([]);
    expect(Object.keys(wrong).filter((id) => !ids.has(id))).toEqual([]);
  });

  for (const mode of MODES) {
    describe(mode, () => {
      // The two-phase mode changes only how aggregations are planned: it runs the queries that aggregate.
      for (const q of mode === 'streaming-p2-two-phase'
        ? queries.filter((x) => /GROUP BY|DISTINCT/i.test(x.sql))
        : queries) {
        it(`${q.id} (${q.file}:${q.line})`, async () => {
          const o = await outcome(q, mode);
          writer.record(q.id, mode, o);
          if (UPDATE) return;
          const verdict = judge(o, listed(unsupported, q.id, mode), listed(wrong, q.id, mode));
          if (verdict !== null) expect.fail(`${q.id} [${mode}] ${verdict}\n--- query:\n${q.sql}`);
        }, spec === LARGE ? 150_000 : 30_000);
      }
    });
  }
});
