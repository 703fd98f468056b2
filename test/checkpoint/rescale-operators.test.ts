// The SQL operators whose state became key-grouped, each stopped with a savepoint at parallelism 2 and resumed at
// 1 and 3 (Flink: "a savepoint may be restored at a different parallelism", docs/ops/state/savepoints; keyed
// state moves by key group, KeyGroupRangeAssignment): the regular join (LEFT, both sides' rows and their match
// counts), Top-N, the upsert materializer in front of a keyed sink, window Top-N, window join and
// MATCH_RECOGNIZE. The final result of the two runs equals the uninterrupted run's.
//
// The query's sink is two-phase (rows staged per transaction, sealed on a barrier, committed once when the
// checkpoint completes, again idempotently after a restore, as Kafka's), so the committed changelog of both runs
// is exactly-once and must equal the uninterrupted run's, row for row (append results) or as a final table.
//
// Oracle: inputs are CSV files read at parallelism 2; every ordering key is unique, and the watermark delay (2 min)
// is longer than the data's span (about 32 s), so no row is ever late and no result depends on how the parallel
// scans interleave. The left input is read through a scalar function that counts its rows and spends ~25 µs on
// each (chained into the scan): the test stops the job once a fifth of the rows went through, even when the
// query itself emits nothing before the end of input, and the scan is slow enough for the barrier to reach it
// before the end.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { factories, finalTable, paced, pacing, store } from './rescale-support.js';

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
const FILES = 4;
const ROWS = 5_000;
const R_ROWS = 200;
const BASE = Date.UTC(2024, 0, 1, 0, 0, 0);

function ts(ms: number): string {
  return new Date(BASE + ms).toISOString().replace('T', ' ').slice(0, 23);
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-rescale-ops-'));
  // l: id unique (i * FILES + f), k in 0..12, g in 0..19, v a permutation of the ids (unique: 7919 is prime to
  // the row count + 1), ts = 4 ms per id (unique, in order within a file). r: the same over fewer rows, k 0..10.
  await fs.mkdir(path.join(dir, 'l'));
  await fs.mkdir(path.join(dir, 'r'));
  for (let f = 0; f < FILES; f++) {
    const left: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const id = i * FILES + f;
      left.push(`${id},${id % 13},${id % 50},${(id * 7919) % (ROWS * FILES + 1)},${ts(id * 4)}`);
    }
    await fs.writeFile(path.join(dir, 'l', `part-${f}.csv`), `${left.join('\n')}\n`);
    const right: string[] = [];
    for (let i = 0; i < R_ROWS; i++) {
      const id = i * FILES + f;
      right.push(`${id},${id % 11},${(id * 7) % 50},${id * 3},${ts(id * 40 + 1)}`);
    }
    await fs.writeFile(path.join(dir, 'r', `part-${f}.csv`), `${right.join('\n')}\n`);
  }
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fs.rm(dir, { recursive: true, force: true });
  store.clear();
});

const TABLES = (): string[] => [
  ...['l_raw', 'r'].map(
    (t) => `CREATE TABLE ${t} (id INT, k INT, g INT, v INT, ts TIMESTAMP(3),
      WATERMARK FOR ts AS ts - INTERVAL '2' MINUTE) WITH (
      'connector' = 'filesystem', 'path' = '${path.join(dir, t === 'r' ? 'r' : 'l')}', 'format' = 'csv')`,
  ),
  'CREATE VIEW l AS SELECT paced(id) AS id, k, g, v, ts FROM l_raw',
];

interface Query {
  readonly sink: string;
  readonly insert: string;
  readonly table: string;
  /** An updating result: the final table is compared; else the committed rows, as a multiset. */
  readonly updating: boolean;
}
const out = (name: string): string => `default_catalog.default_database.${name}`;

const QUERIES: Record<string, Query> = {
  // Regular LEFT join on (k, g): left rows of k 11 and 12 never match and stay NULL-padded; the others are
  // padded until their first match arrives and then retracted (-D), so both sides' rows and match counts move.
  join: {
    sink: `CREATE TABLE join_out (lid INT, rid INT, s INT) WITH ('connector' = 'txn')`,
    insert: 'INSERT INTO join_out SELECT l.id, r.id, l.v + r.v FROM l LEFT JOIN r ON l.k = r.k AND l.g = r.g',
    table: out('join_out'),
    updating: true,
  },
  topn: {
    sink: `CREATE TABLE topn_out (k INT, id INT, v INT, rn BIGINT) WITH ('connector' = 'txn')`,
    insert: `INSERT INTO topn_out SELECT k, id, v, rn FROM (
      SELECT k, id, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM l) WHERE rn <= 3`,
    table: out('topn_out'),
    updating: true,
  },
  // The Top-N's changelog is keyed by k; the sink's key is id, so the planner puts Flink's
  // SinkUpsertMaterializer in front of it. A -D it forgot would leave a stale id in the final table.
  materializer: {
    sink: `CREATE TABLE upsert_out (id INT, k INT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'txn')`,
    insert: `INSERT INTO upsert_out SELECT id, k, v FROM (
      SELECT id, k, v, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC) AS rn FROM l) WHERE rn = 1`,
    table: out('upsert_out'),
    updating: true,
  },
  windowTopN: {
    sink: `CREATE TABLE wtopn_out (ws TIMESTAMP(3), k INT, id INT, v INT, rn BIGINT) WITH ('connector' = 'txn')`,
    insert: `INSERT INTO wtopn_out SELECT window_start, k, id, v, rn FROM (
      SELECT window_start, window_end, k, id, v,
        ROW_NUMBER() OVER (PARTITION BY window_start, window_end, k ORDER BY v DESC) AS rn
      FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' SECOND))) WHERE rn <= 2`,
    table: out('wtopn_out'),
    updating: false,
  },
  windowJoin: {
    sink: `CREATE TABLE wjoin_out (ws TIMESTAMP(3), lid INT, rid INT) WITH ('connector' = 'txn')`,
    insert: `INSERT INTO wjoin_out SELECT L.window_start, L.id, R.id FROM
      (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' SECOND))) L
      JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' SECOND))) R
      ON L.window_start = R.window_start AND L.window_end = R.window_end AND L.k = R.k`,
    table: out('wjoin_out'),
    updating: false,
  },
  match: {
    sink: `CREATE TABLE match_out (k INT, a INT, b INT, c INT) WITH ('connector' = 'txn')`,
    insert: `INSERT INTO match_out SELECT * FROM l MATCH_RECOGNIZE (PARTITION BY k ORDER BY ts
      MEASURES FIRST(A.id) AS a, LAST(B.id) AS b, C.id AS c
      ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
      PATTERN (A B+ C) DEFINE A AS A.v < 2000, B AS B.v >= 2000, C AS C.v < 2000) MR`,
    table: out('match_out'),
    updating: false,
  },
};

function env(config: Record<string, string>): TableEnvironment {
  const e = TableEnvironment.create({
    config: { 'execution.target': 'local', 'execution.checkpointing.dir': path.join(dir, 'chk'), ...config },
    factories,
  });
  cleanups.push(() => e.dispatcher.shutdown());
  return e;
}

function start(e: TableEnvironment, q: Query): { jobId: string; done: () => Promise<unknown> } {
  e.createTemporarySystemFunction('paced', paced);
  for (const t of TABLES()) e.executeSql(t);
  e.executeSql(q.sink);
  const r = e.executeSql(q.insert);
  return { jobId: r.jobId as string, done: () => r.await() };
}

/** What the query's sink committed, as compared: the final table of an updating result, else every row. */
function committed(q: Query): string[] {
  const lines = store.committed.get(q.table) ?? [];
  return q.updating ? finalTable(lines) : [...lines].sort();
}

async function uninterrupted(q: Query): Promise<string[]> {
  const e = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '100 ms' });
  await start(e, q).done();
  const rows = committed(q);
  store.clear();
  return rows;
}

/** Runs at parallelism 2, stops with a savepoint once part of the input went through, resumes at `to`. */
async function rescaled(q: Query, to: number): Promise<{ resumedRead: number; result: string[] }> {
  const first = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '60 s' });
  pacing.rows = 0;
  const { jobId } = start(first, q);
  while (pacing.rows < (ROWS * FILES) / 5) await new Promise((r) => setTimeout(r, 5));
  store.stopping = true;
  const savepoint = await first.stopJob(jobId, { savepoint: path.join(dir, 'savepoints') });
  store.stopping = false;
  pacing.rows = 0;
  const resumed = env({
    'parallelism.default': String(to),
    'execution.checkpointing.interval': '60 s',
    'execution.savepoint.path': savepoint as string,
  });
  await start(resumed, q).done();
  return { resumedRead: pacing.rows, result: committed(q) };
}

describe('rescaling the key-grouped SQL operators on restore', () => {
  for (const [name, q] of Object.entries(QUERIES)) {
    it.each([1, 3])(
      `${name}: savepoint at parallelism 2, resume at %i, result equals the uninterrupted run`,
      async (to) => {
        const expected = await uninterrupted(q);
        expect(expected.length).toBeGreaterThan(10);
        const { resumedRead, result } = await rescaled(q, to);
        // The savepoint was taken mid-stream, after a fifth of the left rows: the resumed job reads the rest.
        expect(resumedRead).toBeGreaterThan(0);
        expect(resumedRead).toBeLessThanOrEqual((ROWS * FILES * 4) / 5);
        expect(result).toEqual(expected);
      },
    );
  }
});
