// SQL jobs stopped with a savepoint at parallelism 2 and resumed at 1, 3 and 4 (Flink: a savepoint may be restored
// at a different parallelism; keyed state moves by key group, the window operator's watermark is union state, the
// file splits' positions go to the readers that own them at the new parallelism): an unbounded GROUP BY
// (retracting changelog into a values sink), a TUMBLE window aggregation and an OVER window (append-only) over CSV
// files read by the filesystem source at parallelism.default. The final result equals the uninterrupted run's.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { clearValues, getRawResults, getResults } from '../../connectors/values/factory.js';

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
const FILES = 6;
const ROWS = 4_000;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-rescale-sql-'));
  clearValues();
  // Six files (six splits), each in event-time order over the same minute: k in 0..12, v a small number.
  await fs.mkdir(path.join(dir, 'data'));
  for (let f = 0; f < FILES; f++) {
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i++) {
      const ts = new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + Math.floor((i * 60_000) / ROWS))
        .toISOString()
        .replace('T', ' ')
        .slice(0, 23);
      lines.push(`${(i * 7 + f) % 13},${(i % 100) + f},${ts}`);
    }
    await fs.writeFile(path.join(dir, 'data', `part-${f}.csv`), `${lines.join('\n')}\n`);
  }
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await fs.rm(dir, { recursive: true, force: true });
  clearValues();
});

const EVENTS = (): string => `CREATE TABLE events (k INT, v BIGINT, ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'filesystem', 'path' = '${path.join(dir, 'data')}', 'format' = 'csv')`;

const GROUP = {
  sink: `CREATE TABLE agg_out (k INT, n BIGINT, total BIGINT) WITH ('connector' = 'values', 'sink-insert-only' = 'false')`,
  insert: 'INSERT INTO agg_out SELECT k, COUNT(*) AS n, SUM(v) AS total FROM events GROUP BY k',
  table: 'default_catalog.default_database.agg_out',
};
const WINDOW = {
  sink: `CREATE TABLE win_out (k INT, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, total BIGINT) WITH ('connector' = 'values')`,
  insert: `INSERT INTO win_out SELECT k, window_start, window_end, COUNT(*) AS n, SUM(v) AS total
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end`,
  table: 'default_catalog.default_database.win_out',
};
const OVER = {
  sink: `CREATE TABLE over_out (k INT, ts TIMESTAMP(3), s BIGINT) WITH ('connector' = 'values')`,
  insert: `INSERT INTO over_out SELECT k, ts, SUM(v) OVER (PARTITION BY k ORDER BY ts RANGE BETWEEN INTERVAL '2' SECOND PRECEDING AND CURRENT ROW) FROM events`,
  table: 'default_catalog.default_database.over_out',
};
type Query = typeof GROUP;

function env(config: Record<string, string>): TableEnvironment {
  const e = TableEnvironment.create({
    config: { 'execution.target': 'local', 'execution.checkpointing.dir': path.join(dir, 'chk'), ...config },
  });
  cleanups.push(() => e.dispatcher.shutdown());
  return e;
}

async function uninterrupted(q: Query): Promise<string[]> {
  const e = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '100 ms' });
  e.executeSql(EVENTS());
  e.executeSql(q.sink);
  await e.executeSql(q.insert).await();
  const rows = getResults(q.table).sort();
  clearValues();
  return rows;
}

/** Runs at parallelism 2, stops with a savepoint a while in, resumes at `to`; the raw changes of both runs. */
async function rescaled(
  q: Query,
  to: number,
): Promise<{ first: string[]; second: string[]; final: string[] }> {
  const e = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '60 s' });
  e.executeSql(EVENTS());
  e.executeSql(q.sink);
  const jid = e.executeSql(q.insert).jobId as string;
  while (getRawResults(q.table).length < 30) await new Promise((r) => setTimeout(r, 10));
  const savepoint = await e.stopJob(jid, { savepoint: path.join(dir, 'savepoints') });
  const first = getRawResults(q.table);
  clearValues();
  const resumed = env({
    'parallelism.default': String(to),
    'execution.checkpointing.interval': '60 s',
    'execution.savepoint.path': savepoint as string,
  });
  resumed.executeSql(EVENTS());
  resumed.executeSql(q.sink);
  await resumed.executeSql(q.insert).await();
  return { first, second: getRawResults(q.table), final: getResults(q.table).sort() };
}

describe('rescaling SQL jobs on restore', () => {
  it.each([1, 3, 4])(
    'GROUP BY: savepoint at parallelism 2, resume at %i, final table equals the uninterrupted run',
    async (to) => {
      const expected = await uninterrupted(GROUP);
      expect(expected).toHaveLength(13);
      const { first, second, final } = await rescaled(GROUP, to);
      expect(first.length).toBeGreaterThan(0);
      // Every group existed at the savepoint: the resumed job updates them (-U/+U), it never starts one afresh (+I).
      expect(second.filter((r) => r.startsWith('+I'))).toEqual([]);
      expect(second.some((r) => r.startsWith('-U'))).toBe(true);
      expect(final).toEqual(expected);
    },
  );

  it.each([1, 3, 4])(
    'TUMBLE window: savepoint at parallelism 2, resume at %i, the windows equal the uninterrupted run',
    async (to) => {
      const expected = await uninterrupted(WINDOW);
      expect(expected.length).toBeGreaterThan(100);
      const { first, second } = await rescaled(WINDOW, to);
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
      // Windows fired between the savepoint and the stop come again from the resumed job (the values sink is
      // at-least-once): identical rows, so the set of both runs is the uninterrupted output, and a window whose
      // state was lost or split would show up as a second, different row for the same key and window.
      expect([...new Set([...first, ...second])].sort()).toEqual(expected);
    },
  );

  // An append-only result (a running sum per row, ties summed alike): both runs together, duplicates between the
  // savepoint and the stop removed, are the uninterrupted run; the partitions' rows and the watermark move.
  it.each([3, 1])(
    'OVER window (RANGE 2 s on event time): savepoint at parallelism 2, resume at %i, equals the uninterrupted run',
    async (to) => {
      const q = OVER;
      const expected = await uninterrupted(q);
      expect(expected.length).toBeGreaterThan(100);
      const { first, second } = await rescaled(q, to);
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
      expect([...new Set([...first, ...second])].sort()).toEqual([...new Set(expected)].sort());
    },
  );

  // Flink: the max parallelism (number of key groups) is 'pipeline.max-parallelism', else a default from the
  // parallelism (128 up to 85); it is part of the savepoint and bounds the parallelism it can be resumed at.
  it("'pipeline.max-parallelism' bounds the resume parallelism, and a changed value is refused naming it", async () => {
    const start = env({ 'parallelism.default': '2', 'pipeline.max-parallelism': '4', 'execution.checkpointing.interval': '60 s' });
    start.executeSql(EVENTS());
    start.executeSql(GROUP.sink);
    const jid = start.executeSql(GROUP.insert).jobId as string;
    while (getRawResults(GROUP.table).length < 30) await new Promise((r) => setTimeout(r, 10));
    const savepoint = (await start.stopJob(jid, { savepoint: path.join(dir, 'savepoints') })) as string;
    const resume = async (config: Record<string, string>): Promise<void> => {
      const e = env({ 'execution.checkpointing.interval': '60 s', 'execution.savepoint.path': savepoint, ...config });
      e.executeSql(EVENTS());
      e.executeSql(GROUP.sink);
      await e.executeSql(GROUP.insert).await();
    };
    await expect(resume({ 'parallelism.default': '5', 'pipeline.max-parallelism': '5' })).rejects.toThrow(
      /maximum parallelism \(4\).*differ.*'pipeline\.max-parallelism'/,
    );
    await expect(resume({ 'parallelism.default': '2' })).rejects.toThrow(/maximum parallelism \(4\).*\(128\) differ/);
    const tooSmall = async (): Promise<void> => {
      const e = env({ 'parallelism.default': '8', 'pipeline.max-parallelism': '4' });
      e.executeSql(EVENTS());
      e.executeSql(GROUP.sink);
      await e.executeSql(GROUP.insert).await();
    };
    await expect(tooSmall()).rejects.toThrow(/'pipeline.max-parallelism' \(4\) must not be below the parallelism \(8\)/);
    clearValues();
    await resume({ 'parallelism.default': '4', 'pipeline.max-parallelism': '4' });
    expect(getResults(GROUP.table)).toHaveLength(13);
  });
});
