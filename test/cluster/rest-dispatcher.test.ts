// The Dispatcher under TableEnvironment: every query and INSERT job is submitted to it; SHOW JOBS / STOP JOB read
// and drive it; its views carry Flink's REST shapes (docs "REST API": /jobs/overview, /jobs/:jobid with
// vertices and IO metrics, /jobs/:jobid/exceptions) with per-vertex counters read from the running subtasks.
import { afterEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { Dispatcher } from '../../executor/index.js';
import { WINDOWED_JOB } from './rest-fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => T | Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v) || Date.now() > end) return v;
    await sleep(50);
  }
}

const envs: TableEnvironment[] = [];
function env(parallelism = 2): TableEnvironment {
  const e = TableEnvironment.create({ parallelism });
  envs.push(e);
  return e;
}
afterEach(async () => {
  await Promise.all(envs.splice(0).map((e) => e.dispatcher.shutdown()));
});

describe('Dispatcher', () => {
  it('lists a running INSERT job under the TableResult id with Flink SHOW JOBS columns, and STOP JOB cancels it', async () => {
    const t = env();
    for (const s of WINDOWED_JOB.slice(0, 2)) t.executeSql(s);
    const r = t.executeSql(WINDOWED_JOB[2] as string);
    const jid = r.jobId as string;
    expect(jid).toMatch(/^[0-9a-f]{32}$/);
    const show = await t.executeSql('SHOW JOBS').materialize();
    const cols = t.executeSql('SHOW JOBS').schema?.names();
    expect(cols).toEqual(['job id', 'job name', 'status', 'start time']);
    expect(show).toHaveLength(1);
    expect(show[0]?.slice(0, 3)).toEqual([
      jid,
      'insert-into_default_catalog.default_database.counts',
      'RUNNING',
    ]);
    expect(String(show[0]?.[3])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    expect(() => t.executeSql(`STOP JOB '${jid}' WITH SAVEPOINT`)).toThrow(/STOP JOB \.\.\. WITH SAVEPOINT/);
    expect(() => t.executeSql("STOP JOB '0123'")).toThrow(/Could not find job '0123'/);
    t.executeSql(`STOP JOB '${jid}'`);
    await expect(r.await()).rejects.toThrow();
    const after = await until(
      () => t.dispatcher.listJobs(),
      (j) => j[0]?.state === 'CANCELED',
    );
    expect(after[0]?.state).toBe('CANCELED');
    expect(after[0]?.['end-time']).toBeGreaterThanOrEqual(after[0]?.['start-time'] as number);
  });

  it('lists a Table API StatementSet job too, so STOP JOB and the REST API reach it (as EXECUTE STATEMENT SET)', async () => {
    const t = env();
    for (const s of WINDOWED_JOB.slice(0, 2)) t.executeSql(s);
    const r = t.createStatementSet().addInsertSql(WINDOWED_JOB[2] as string).execute();
    const jid = r.jobId as string;
    const jobs = await until(
      () => t.dispatcher.listJobs(),
      (j) => j.length === 1,
      30_000,
    );
    expect(jobs[0]?.jid).toBe(jid);
    expect(jobs[0]?.name).toBe('insert-into_default_catalog.default_database.counts');
    expect(t.dispatcher.jobDetail(jid).sql).toContain('INSERT INTO counts');
    t.executeSql(`STOP JOB '${jid}'`);
    await expect(r.await()).rejects.toThrow();
  });

  it('reports vertices with the job graph, per-vertex records in/out growing, watermarks and subtasks', async () => {
    const t = env(2);
    for (const s of WINDOWED_JOB.slice(0, 2)) t.executeSql(s);
    const jid = t.executeSql(WINDOWED_JOB[2] as string).jobId as string;
    const first = await until(
      () => t.dispatcher.jobDetail(jid),
      (d) => d.vertices.length > 0 && d.vertices[0]!.metrics['write-records'] > 0,
    );
    // Source chain, then the window aggregate behind a hash exchange at parallelism 2 (EXPLAIN's job graph).
    expect(first.vertices.length).toBe(first.plan.nodes.length);
    expect(first.vertices.length).toBeGreaterThanOrEqual(2);
    expect(first.plan.nodes.some((n) => n.inputs?.some((i) => i.ship_strategy.startsWith('HASH')))).toBe(
      true,
    );
    expect(first.vertices.map((v) => v.parallelism)).toContain(2);
    expect(first.sql).toContain('INSERT INTO counts');
    expect(first.explain).toContain('== Optimized Physical Plan ==');
    expect(first['status-counts'].RUNNING).toBeGreaterThan(0);
    await sleep(1200);
    const second = t.dispatcher.jobDetail(jid);
    const src = (d: typeof first): number => d.vertices[0]!.metrics['write-records'];
    expect(src(second)).toBeGreaterThan(src(first));
    // After two samples a second apart, the source's output rate is known (2000 rows/s configured).
    await sleep(1100);
    const third = t.dispatcher.jobDetail(jid);
    expect(third.vertices[0]!.metrics['write-records-per-second']).toBeGreaterThan(200);
    const hashed = third.plan.nodes.find((n) => n.inputs?.some((i) => i.ship_strategy.startsWith('HASH')));
    const agg = third.vertices.find((v) => v.id === hashed?.id)!;
    expect(agg.parallelism).toBe(2);
    expect(agg.metrics['read-records']).toBeGreaterThan(0);
    expect(agg.metrics['current-input-watermark']).not.toBeNull();
    expect(
      agg.metrics['idle-ratio'] + agg.metrics['busy-ratio'] + agg.metrics['backpressured-ratio'],
    ).toBeLessThanOrEqual(1.0001);
    const sub = t.dispatcher.vertexDetail(jid, agg.id);
    expect(sub.subtasks.map((s) => s.subtask)).toEqual([0, 1]);
    expect(sub.subtasks.reduce((n, s) => n + s.metrics['read-records'], 0)).toBeGreaterThan(0);
    expect(() => t.dispatcher.vertexDetail(jid, 'nope')).toThrow(/Vertex nope not found/);
  });

  it('keeps a finished query job with its final counters, and a failed job with its exception', async () => {
    const t = env(1);
    const q = t.executeSql('SELECT x + 1 FROM (VALUES (1), (2), (3)) AS v(x)');
    expect(await q.materialize()).toHaveLength(3);
    const jid = q.jobId as string;
    const done = await until(
      () => t.dispatcher.jobDetail(jid),
      (d) => d.state === 'FINISHED',
    );
    expect(done.name).toBe('collect');
    expect(done['end-time']).toBeGreaterThan(0);
    // A source vertex counts the records its connector produced as read-records (Flink counts network input only).
    expect(done.vertices[0]!.metrics['read-records']).toBe(3);
    expect(done.vertices.every((v) => v.status === 'FINISHED')).toBe(true);

    const bad = t.executeSql("SELECT CAST(s AS INT) FROM (VALUES ('x')) AS v(s)");
    await expect(bad.materialize()).rejects.toThrow();
    const failed = await until(
      () => t.dispatcher.jobExceptions(bad.jobId as string),
      (e) => e['root-exception'] !== null,
    );
    expect(t.dispatcher.listJobs().find((j) => j.jid === bad.jobId)?.state).toBe('FAILED');
    expect(failed['root-exception']).toMatch(/Error/);
    expect(failed.exceptionHistory.entries).toHaveLength(1);
    const ov = t.dispatcher.clusterOverview();
    expect([ov['jobs-finished'], ov['jobs-failed'], ov['jobs-running']]).toEqual([1, 1, 0]);
  });

  it('drops the oldest finished jobs past jobstore.max-capacity and answers 404 for unknown ids', async () => {
    const d = new Dispatcher({ historySize: 2 });
    const ids = ['a', 'b', 'c'].map((jid) => d.submit({ jid, name: jid, run: async () => undefined }));
    await Promise.all(ids.map((id) => d.result(id).catch(() => undefined)));
    await sleep(0);
    expect(d.listJobs().map((j) => j.jid)).toEqual(['b', 'c']);
    await expect(d.job('a')).rejects.toMatchObject({ status: 404 });
  });

  it('a shared Dispatcher sees the jobs of several environments', async () => {
    const shared = new Dispatcher();
    const a = TableEnvironment.create({ dispatcher: shared });
    const b = TableEnvironment.create({ dispatcher: shared });
    await a.executeSql('SELECT 1').materialize();
    await b.executeSql('SELECT 2').materialize();
    expect(shared.listJobs()).toHaveLength(2);
  });
});

describe('Dispatcher over the MiniCluster (execution.target = mini-cluster)', () => {
  it('observes a job deployed to worker slots: vertices, subtasks on TaskManager slots, the cluster overview', async () => {
    const t = TableEnvironment.create({ parallelism: 2, config: { 'execution.target': 'mini-cluster' } });
    envs.push(t);
    for (const s of WINDOWED_JOB.slice(0, 2)) t.executeSql(s);
    const jid = t.executeSql(WINDOWED_JOB[2] as string).jobId as string;
    const d = await until(
      () => t.dispatcher.jobDetail(jid),
      // The MiniCluster reports the job (its graph and slots) when it deploys it; counters follow from the slots.
      (x) => x.vertices.length > 0,
      20_000,
    );
    expect(d.vertices.length).toBeGreaterThanOrEqual(2);
    const sub = t.dispatcher.vertexDetail(jid, d.vertices[d.vertices.length - 1]!.id);
    expect(sub.subtasks.every((s) => s.endpoint !== 'localhost')).toBe(true);
    const ov = await t.dispatcher.overview();
    expect(ov['slots-total']).toBeGreaterThanOrEqual(2);
    expect(ov['jobs-running']).toBe(1);
  });
});
