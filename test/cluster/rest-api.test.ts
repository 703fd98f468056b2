// The REST API over real HTTP on loopback against running jobs: Flink's paths and field names (docs "REST API":
// /overview, /jobs/overview, /jobs/:jobid, /jobs/:jobid/plan, /jobs/:jobid/exceptions, /jobs/:jobid/vertices/:vertexid,
// PATCH /jobs/:jobid?mode=cancel answering 202, /taskmanagers, /config), the token and CSRF rules, and the typed client.
import { afterEach, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import {
  RestServer,
  checkpointConfigInfo,
  RestClusterClient,
  restOptionsFromConfig,
  type JobDetail,
} from '../../executor/index.js';
import { WINDOWED_JOB } from './rest-fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function running(parallelism = 2): Promise<{ env: TableEnvironment; server: RestServer; jid: string }> {
  const env = TableEnvironment.create({ parallelism });
  cleanups.push(() => env.dispatcher.shutdown());
  for (const s of WINDOWED_JOB.slice(0, 2)) env.executeSql(s);
  const jid = env.executeSql(WINDOWED_JOB[2] as string).jobId as string;
  const server = await RestServer.start(env.dispatcher, { port: 0, dashboardDir: null });
  cleanups.push(() => server.close());
  return { env, server, jid };
}

// JSON of several shapes, checked field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('REST API', () => {
  it('serves Flink-shaped overview, jobs, job detail, plan, vertex subtasks, taskmanagers and config', async () => {
    const { server, jid } = await running();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const base = `${server.url}v1`;
    const ov = await get(`${base}/overview`);
    expect(ov.status).toBe(200);
    expect(Object.keys(ov.body)).toEqual(
      expect.arrayContaining([
        'taskmanagers',
        'slots-total',
        'slots-available',
        'jobs-running',
        'jobs-finished',
        'jobs-cancelled',
        'jobs-failed',
        'freshet-version',
      ]),
    );
    expect(ov.body['jobs-running']).toBe(1);

    const list = await get(`${base}/jobs/overview`);
    expect(list.body.jobs).toHaveLength(1);
    expect(list.body.jobs[0]).toMatchObject({ jid, state: 'RUNNING', 'end-time': -1 });
    expect(list.body.jobs[0].tasks.total).toBeGreaterThan(0);
    // Unversioned paths answer too, as in Flink.
    expect((await get(`${server.url}jobs`)).body).toEqual({ jobs: [{ id: jid, status: 'RUNNING' }] });

    let detail: JobDetail = (await get(`${base}/jobs/${jid}`)).body;
    for (let i = 0; i < 100 && detail.vertices[0]!.metrics['write-records'] === 0; i++) {
      await sleep(50);
      detail = (await get(`${base}/jobs/${jid}`)).body;
    }
    expect(detail).toMatchObject({ jid, state: 'RUNNING', isStoppable: false });
    expect(detail.vertices.length).toBeGreaterThanOrEqual(2);
    const v0 = detail.vertices[0]!;
    expect(Object.keys(v0)).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'parallelism',
        'maxParallelism',
        'status',
        'start-time',
        'end-time',
        'duration',
        'tasks',
        'metrics',
      ]),
    );
    expect(Object.keys(v0.metrics)).toEqual(
      expect.arrayContaining([
        'read-records',
        'write-records',
        'read-bytes',
        'write-bytes',
        'accumulated-busy-time',
        'accumulated-idle-time',
        'accumulated-backpressured-time',
      ]),
    );
    expect(v0.metrics['write-records']).toBeGreaterThan(0);

    const plan = await get(`${base}/jobs/${jid}/plan`);
    expect(plan.body.plan.jid).toBe(jid);
    expect(plan.body.plan.nodes.map((n: { id: string }) => n.id)).toEqual(detail.vertices.map((v) => v.id));

    const last = detail.vertices[detail.vertices.length - 1]!;
    const sub = await get(`${base}/jobs/${jid}/vertices/${last.id}`);
    expect(sub.body.subtasks).toHaveLength(last.parallelism);
    expect(sub.body.subtasks[0]).toMatchObject({
      subtask: 0,
      status: 'RUNNING',
      attempt: 0,
      endpoint: 'localhost',
    });

    expect((await get(`${base}/jobs/${jid}/exceptions`)).body).toMatchObject({
      'root-exception': null,
      exceptionHistory: { entries: [] },
    });
    expect((await get(`${base}/taskmanagers`)).body.taskmanagers.length).toBeGreaterThan(0);
    const cfg = await get(`${base}/config`);
    expect(cfg.body).toMatchObject({
      'freshet-version': expect.any(String),
      features: { 'web-cancel': true },
    });
    expect(cfg.body.configuration['parallelism.default']).toBe('2');

    expect(await get(`${base}/jobs/0000`)).toEqual({ status: 404, body: { errors: ['Job 0000 not found'] } });
    expect((await get(`${base}/nope`)).status).toBe(404);
    expect(
      (await get(`${base}/overview`, { method: 'DELETE', headers: { 'x-freshet-csrf': '1' } })).status,
    ).toBe(405);
  });

  it('cancels with PATCH ?mode=cancel (202) only with the CSRF header; stop with a savepoint is 501', async () => {
    const { env, server, jid } = await running(1);
    const base = `${server.url}v1`;
    expect((await get(`${base}/jobs/${jid}?mode=cancel`, { method: 'PATCH' })).status).toBe(403);
    const stopSp = await get(`${base}/jobs/${jid}/stop`, {
      method: 'POST',
      headers: { 'x-freshet-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ targetDirectory: '/tmp/sp' }),
    });
    expect(stopSp.status).toBe(501);
    // Refused while the job runs without checkpointing (savepoints come from the checkpoint coordinator, issue #12).
    expect(stopSp.body.errors[0]).toMatch(/WITH SAVEPOINT/);
    expect(env.dispatcher.listJobs()[0]?.state).toBe('RUNNING');
    const res = await get(`${base}/jobs/${jid}?mode=cancel`, {
      method: 'PATCH',
      headers: { 'x-freshet-csrf': '1' },
    });
    expect(res).toEqual({ status: 202, body: {} });
    for (let i = 0; i < 100 && env.dispatcher.listJobs()[0]?.state !== 'CANCELED'; i++) await sleep(20);
    expect((await get(`${base}/jobs/${jid}`)).body.state).toBe('CANCELED');
    expect((await get(`${base}/overview`)).body['jobs-cancelled']).toBe(1);
  });

  it('rejects foreign Host headers on loopback (DNS rebinding)', async () => {
    const { server } = await running(1);
    const http = await import('node:http');
    const status = await new Promise<number>((res, rej) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, path: '/v1/overview', headers: { Host: 'evil.example:80' } },
        (r) => {
          r.resume();
          res(r.statusCode ?? 0);
        },
      );
      req.on('error', rej);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('needs rest.token off loopback, and then a Bearer token on every call', async () => {
    const env = TableEnvironment.create();
    cleanups.push(() => env.dispatcher.shutdown());
    await expect(
      RestServer.start(env.dispatcher, { port: 0, address: '0.0.0.0', dashboardDir: null }),
    ).rejects.toThrow(/rest.token/);
    const server = await RestServer.start(env.dispatcher, {
      port: 0,
      address: '0.0.0.0',
      token: 's3cret',
      dashboardDir: null,
    });
    cleanups.push(() => server.close());
    const url = `http://127.0.0.1:${server.port}`;
    expect((await get(`${url}/v1/overview`)).status).toBe(401);
    expect((await get(`${url}/v1/overview`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    expect((await get(`${url}/v1/overview`, { headers: { Authorization: 'Bearer s3cret' } })).status).toBe(
      200,
    );
    await expect(new RestClusterClient(url).overview()).rejects.toMatchObject({ status: 401 });
    const client = new RestClusterClient(url, { token: 's3cret' });
    expect((await client.overview())['jobs-running']).toBe(0);
  });

  it('the typed client drives a job: list, detail, vertex, cancel', async () => {
    const { server, jid } = await running(2);
    const client = new RestClusterClient(server.url);
    expect((await client.jobs()).jobs.map((j) => j.jid)).toEqual([jid]);
    const d = await client.job(jid);
    expect((await client.plan(jid)).nodes).toHaveLength(d.vertices.length);
    expect((await client.vertex(jid, d.vertices[0]!.id)).subtasks.length).toBe(d.vertices[0]!.parallelism);
    await expect(client.job('x')).rejects.toMatchObject({ status: 404, message: 'Job x not found' });
    await client.cancel(jid);
    for (let i = 0; i < 100 && (await client.job(jid)).state !== 'CANCELED'; i++) await sleep(20);
    expect((await client.job(jid)).state).toBe('CANCELED');
  });

  it('reads rest.port / rest.address / rest.token from configuration', () => {
    expect(restOptionsFromConfig({})).toEqual({ port: 8081 });
    expect(restOptionsFromConfig({ 'rest.port': '0', 'rest.address': '0.0.0.0', 'rest.token': 't' })).toEqual(
      { port: 0, address: '0.0.0.0', token: 't' },
    );
    expect(() => restOptionsFromConfig({ 'rest.port': 'x' })).toThrow(/rest.port/);
  });
});

describe('REST API: the SQL tab', () => {
  it('runs a query in the session and serves its continuous result table; refuses anything but a query', async () => {
    const { sqlSessionOf } = await import('../../repl/shell.js');
    const env = TableEnvironment.create();
    cleanups.push(() => env.dispatcher.shutdown());
    const server = await RestServer.start(env.dispatcher, {
      port: 0,
      dashboardDir: null,
      sql: sqlSessionOf(env),
    });
    cleanups.push(() => server.close());
    const post = (statement: string): ReturnType<typeof get> =>
      get(`${server.url}v1/sql`, {
        method: 'POST',
        headers: { 'x-freshet-csrf': '1', 'content-type': 'application/json' },
        body: JSON.stringify({ statement }),
      });
    // An updating aggregate: the table folds its retractions (x=1 goes 1 → 2).
    const started = await post('SELECT x, COUNT(*) AS c FROM (VALUES (1), (1), (2)) AS v(x) GROUP BY x');
    expect(started.status).toBe(200);
    expect(started.body.columns).toEqual(['x', 'c']);
    let res = (await get(`${server.url}v1/sql/${started.body.jid}`)).body;
    for (let i = 0; i < 100 && !res.done; i++) {
      await sleep(20);
      res = (await get(`${server.url}v1/sql/${started.body.jid}`)).body;
    }
    expect(res).toMatchObject({ done: true, error: null, truncated: false });
    expect([...res.rows].sort()).toEqual([
      ['1', '2'],
      ['2', '1'],
    ]);
    // The query is a job of the session's Dispatcher like any other.
    expect(env.dispatcher.listJobs().map((j) => j.jid)).toContain(started.body.jid);
    const ddl = await post("CREATE TABLE t (a INT) WITH ('connector' = 'blackhole')");
    expect(ddl.status).toBe(400);
    expect(ddl.body.errors[0]).toMatch(/runs one query/);
    expect((await post('SELEC 1')).status).toBe(400);
    // A server started without a session answers 501.
    const bare = await RestServer.start(env.dispatcher, { port: 0, dashboardDir: null });
    cleanups.push(() => bare.close());
    expect(
      (
        await get(`${bare.url}v1/sql`, {
          method: 'POST',
          headers: { 'x-freshet-csrf': '1' },
          body: '{"statement":"SELECT 1"}',
        })
      ).status,
    ).toBe(501);
  });
});

describe('checkpoint config (GET /jobs/:jid/checkpoints/config)', () => {
  // Flink's CheckpointConfigInfo.checkpoints_after_tasks_finish reports the FLIP-147 setting, not a constant.
  it('reports execution.checkpointing.checkpoints-after-tasks-finish as set', () => {
    const base = { 'execution.checkpointing.interval': '1 s' };
    expect(checkpointConfigInfo(base)['checkpoints_after_tasks_finish']).toBe(true);
    expect(
      checkpointConfigInfo({ ...base, 'execution.checkpointing.checkpoints-after-tasks-finish': 'false' })[
        'checkpoints_after_tasks_finish'
      ],
    ).toBe(false);
  });
});
