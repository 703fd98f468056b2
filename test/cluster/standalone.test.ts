// The standalone cluster as separate OS processes on loopback (issue 6): one `freshet jobmanager` and two
// `freshet taskmanager` processes of one slot each run a keyed event-time window at parallelism 2, so the hash
// exchange between the source and the window aggregate crosses processes over TCP (Flink's standalone session
// cluster, docs "Standalone": bin/jobmanager.sh + bin/taskmanager.sh). The result must equal the MiniCluster's
// and the in-thread run's. A cluster bound beyond loopback refuses a TaskManager and REST calls without the token.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClusterClient, TableEnvironment, type Value } from '../../index.js';
import { History } from '../../repl/history.js';
import { Shell } from '../../repl/shell.js';
import {
  distBuilt,
  getJson,
  startJobManager,
  startProcess,
  startTaskManager,
  stopAll,
  waitFor,
  type JobManagerProc,
  until,
  type TaskManagerProc,
} from './standalone-harness.js';

const dir = mkdtempSync(path.join(tmpdir(), 'freshet-standalone-'));
const csv = path.join(dir, 'events.csv');

// 6000 rows over 6 minutes of event time, ten keys; a seeded LCG, so every run reads the same file.
{
  let x = 12345;
  const next = (): number => (x = (x * 1103515245 + 12345) % 2147483648);
  const lines: string[] = [];
  for (let i = 0; i < 6000; i++) {
    const sec = Math.floor((i * 360) / 6000);
    const ts = `2024-01-01 00:${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}.000`;
    lines.push(`k${(next() >> 16) % 10},${(next() >> 16) % 100},${ts}`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
}

const DDL = `CREATE TABLE ev (k STRING, v INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'filesystem', 'path' = '${csv}', 'format' = 'csv')`;
const QUERY = `SELECT k, window_start, COUNT(*) AS c, SUM(v) AS s
  FROM TABLE(TUMBLE(TABLE ev, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY k, window_start, window_end`;

const show = (rows: readonly (readonly Value[])[]): string[] =>
  rows.map((r) => r.map((v) => (typeof v === 'bigint' ? v.toString() : String(v))).join('|')).sort();

describe.skipIf(!distBuilt())('standalone cluster (separate processes)', () => {
  let jm: JobManagerProc;
  let tms: TaskManagerProc[];

  beforeAll(async () => {
    jm = await startJobManager(['-D', 'heartbeat.interval=1s']);
    tms = await Promise.all([startTaskManager(jm, 1), startTaskManager(jm, 1)]);
  }, 180_000);

  afterAll(async () => {
    await stopAll();
  }, 30_000);

  it('registers both TaskManagers with their slots (REST /v1/overview, /v1/taskmanagers)', async () => {
    const o = await getJson<Record<string, number>>(`${jm.rest}v1/overview`);
    expect(o.body['taskmanagers']).toBe(2);
    expect(o.body['slots-total']).toBe(2);
    const t = await getJson<{ taskmanagers: { id: string; path: string }[] }>(`${jm.rest}v1/taskmanagers`);
    expect(t.body.taskmanagers.map((x) => x.id).sort()).toEqual(tms.map((x) => x.id).sort());
    expect(t.body.taskmanagers.every((x) => x.path.startsWith('tcp://127.0.0.1:'))).toBe(true);
  });

  it('runs a keyed window at parallelism 2 across two TaskManager processes, same rows as the MiniCluster and in-thread', async () => {
    const remote = TableEnvironment.create({ cluster: jm.restAddress, parallelism: 2 });
    await remote.executeSql(DDL).await();
    const result = remote.executeSql(QUERY);
    const got = await result.materialize();
    expect(got.length).toBe(60);

    const local = TableEnvironment.create({ parallelism: 2 });
    await local.executeSql(DDL).await();
    const expected = await local.executeSql(QUERY).materialize();
    expect(show(got)).toEqual(show(expected));

    // The same script from the built CLI: on the MiniCluster (slot threads of one process) and with --cluster.
    const script = path.join(dir, 'q.sql');
    writeFileSync(script, `SET 'parallelism.default' = '2';\n${DDL};\n${QUERY};\n`);
    const cli = (args: string[], env: Record<string, string> = {}): string[] => {
      const r = spawnSync(process.execPath, ['dist/repl/main.js', '--format', 'csv', ...args, '-f', script], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').slice(1).sort();
    };
    const mini = cli([], { FRESHET_EXECUTION_TARGET: 'mini-cluster', FRESHET_TASK_SLOTS: '2' });
    expect(mini.length).toBe(60);
    expect(cli(['--cluster', jm.restAddress])).toEqual(mini);

    // The job ran on both processes, and the exchange moved bytes between them (remote channels count bytes).
    const jid = result.jobId as string;
    const job = await getJson<{
      name: string;
      state: string;
      vertices: { id: string; name: string; parallelism: number; metrics: Record<string, number> }[];
    }>(`${jm.rest}v1/jobs/${jid}`);
    expect(job.body.state).toBe('FINISHED');
    // Flink's default name of a query job, the same as the session's Dispatcher shows.
    expect(job.body.name).toBe('collect');
    const agg = job.body.vertices.find((v) => v.name.includes('WindowAggregate'));
    expect(agg?.parallelism).toBe(2);
    expect(agg?.metrics['read-bytes']).toBeGreaterThan(0);
    const sub = await getJson<{ subtasks: { 'taskmanager-id': string }[] }>(
      `${jm.rest}v1/jobs/${jid}/vertices/${agg?.id}`,
    );
    expect(new Set(sub.body.subtasks.map((s) => s['taskmanager-id']))).toEqual(new Set(tms.map((t) => t.id)));
  }, 240_000);

  it('runs a script with freshet --cluster (-e) and lists its job over REST', async () => {
    const r = spawnSync(
      process.execPath,
      [
        'dist/repl/main.js',
        '--cluster',
        jm.restAddress,
        '--format',
        'csv',
        '-e',
        `SELECT k, COUNT(*) AS c FROM (VALUES ('a'), ('b'), ('a')) AS t(k) GROUP BY k`,
      ],
      { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('a,2');
    expect(r.stdout).toContain('b,1');
    const jobs = await getJson<{ jobs: { state: string }[] }>(`${jm.rest}v1/jobs/overview`);
    expect(jobs.body.jobs.length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  // Flink's SQL client: an INSERT is submitted and the client goes on (table.dml-sync = false); the job lives on
  // the cluster after the script's process has exited. With table.dml-sync = true the script waits for it.
  it('a script with --cluster leaves its INSERT running on the cluster and exits', async () => {
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        'dist/repl/main.js',
        '--cluster',
        jm.restAddress,
        '-e',
        `CREATE TABLE g (k INT) WITH ('connector' = 'datagen', 'rows-per-second' = '50');
         CREATE TABLE b (k INT) WITH ('connector' = 'blackhole');
         INSERT INTO b SELECT k FROM g;`,
      ],
      { cwd: path.resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const jid = /Job ID: ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    expect(jid, r.stdout).toBeDefined();
    expect(Date.now() - started).toBeLessThan(60_000);
    const job = await getJson<{ state: string; name: string }>(`${jm.rest}v1/jobs/${jid}`);
    expect(['CREATED', 'RUNNING']).toContain(job.body.state);
    expect(job.body.name).toBe('insert-into_default_catalog.default_database.b');
    await new RestClusterClient(jm.rest).cancel(jid as string);
  }, 180_000);

  // Checkpointing runs on the cluster (standalone-checkpoint.test.ts). A source that cannot checkpoint its read
  // position is refused there by name (test/cluster/checkpoint.test.ts, the positionless DataStream source); the
  // SQL datagen source checkpoints its position (test/checkpoint/datagen-checkpoint.test.ts) and runs.
  it('with checkpointing on, runs a datagen query (the datagen reader checkpoints its position)', async () => {
    const env = TableEnvironment.create({
      cluster: jm.restAddress,
      config: { 'execution.checkpointing.interval': '1s' },
    });
    await env
      .executeSql(
        `CREATE TABLE gc (x BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '10', 'fields.x.kind' = 'sequence', 'fields.x.start' = '1', 'fields.x.end' = '10')`,
      )
      .await();
    const rows = await env.executeSql('SELECT x FROM gc').materialize();
    expect(rows.map((r) => Number(r[0])).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  }, 60_000);

  it("the shell's SHOW JOBS lists the cluster's jobs and STOP JOB cancels one another client submitted (REST)", async () => {
    // Client A: an unbounded INSERT job on the cluster.
    const a = TableEnvironment.create({ cluster: jm.restAddress });
    await a
      .executeSql(`CREATE TABLE g (x BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100')`)
      .await();
    await a.executeSql(`CREATE TABLE sink (x BIGINT) WITH ('connector' = 'blackhole')`).await();
    const insert = a.executeSql('INSERT INTO sink SELECT x FROM g');
    const jid = insert.jobId as string;
    await until(
      'the INSERT job to run',
      async () => {
        const s = (await getJson<{ state: string }>(`${jm.rest}v1/jobs/${jid}`)).body.state;
        return s === 'RUNNING';
      },
      120_000,
    );
    // Client B: a shell on the same cluster.
    const b = TableEnvironment.create({ cluster: jm.restAddress });
    const shell = new Shell({ env: b, history: History.load(null), exit: () => undefined });
    try {
      await shell.execute('SHOW JOBS;');
      const table = await until('the SHOW JOBS table', async () =>
        shell.log.find((l) => l.kind === 'table' && l.text.includes(jid)),
      );
      expect(table.text).toMatch(/job id.*job name.*status.*start time/s);
      expect(table.text).toContain('RUNNING');
      await shell.execute(`STOP JOB '${jid}';`);
      await until(
        'the job to be cancelled',
        async () => {
          const s = (await getJson<{ state: string }>(`${jm.rest}v1/jobs/${jid}`)).body.state;
          return s === 'CANCELED';
        },
        60_000,
      );
      // Client A sees its job end as cancelled.
      await expect(insert.await()).rejects.toThrow(/cancel/i);
    } finally {
      shell.quit();
    }
  }, 240_000);
});

describe.skipIf(!distBuilt())('standalone cluster security (bound beyond loopback)', () => {
  afterAll(async () => {
    await stopAll();
  }, 30_000);

  it('refuses to bind beyond loopback without a token', async () => {
    const p = startProcess(['jobmanager', '--port', '0', '--rest-port', '0', '--bind', '0.0.0.0']);
    expect(await p.exited).toBe(1);
    expect(p.stderr).toMatch(/not a loopback address: a shared --token is required/);
  }, 60_000);

  it('refuses a TaskManager and REST calls without the token, accepts them with it', async () => {
    const jm = await startJobManager(['--bind', '0.0.0.0', '--token', 's3cret']);
    // REST: 401 without the bearer token, 200 with it.
    const port = new URL(jm.rest).port;
    expect((await getJson(`http://127.0.0.1:${port}/v1/overview`)).status).toBe(401);
    expect((await getJson(`http://127.0.0.1:${port}/v1/overview`, 'wrong')).status).toBe(401);
    expect((await getJson(`http://127.0.0.1:${port}/v1/overview`, 's3cret')).status).toBe(200);

    // A TaskManager without the token (or with a wrong one) is refused and exits 1.
    const rpc = jm.stdout.match(/JobManager RPC: \S+:(\d+)/)?.[1] as string;
    const bad = startProcess(['taskmanager', '--jobmanager', `127.0.0.1:${rpc}`, '--slots', '1']);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr).toMatch(/refused this TaskManager: Unauthorized/);
    const wrong = startProcess([
      'taskmanager',
      '--jobmanager',
      `127.0.0.1:${rpc}`,
      '--slots',
      '1',
      '--token',
      'nope',
    ]);
    expect(await wrong.exited).toBe(1);
    let o = await getJson<Record<string, number>>(`http://127.0.0.1:${port}/v1/overview`, 's3cret');
    expect(o.body['taskmanagers']).toBe(0);

    const good = startProcess([
      'taskmanager',
      '--jobmanager',
      `127.0.0.1:${rpc}`,
      '--slots',
      '1',
      '--token',
      's3cret',
    ]);
    await waitFor(good, /registered with the JobManager/);
    o = await getJson<Record<string, number>>(`http://127.0.0.1:${port}/v1/overview`, 's3cret');
    expect(o.body['taskmanagers']).toBe(1);

    // A TaskManager stopped with SIGTERM says goodbye: it leaves at once, not after heartbeat.timeout (50 s).
    good.child.kill('SIGTERM');
    expect(await good.exited).toBe(0);
    await until(
      'the TaskManager to leave',
      async () =>
        (await getJson<Record<string, number>>(`http://127.0.0.1:${port}/v1/overview`, 's3cret')).body[
          'taskmanagers'
        ] === 0,
      10_000,
    );
  }, 180_000);
});
