// Failover of a standalone cluster: a TaskManager process killed with SIGKILL mid-job stops answering heartbeats;
// after heartbeat.timeout the ResourceManager declares it lost (Flink's HeartbeatManager: "The heartbeat of
// TaskManager with id ... timed out"), the job restarts per its restart strategy (fixed-delay) on the remaining
// slots — a spare TaskManager — and finishes; REST shows the exception and the restart count (Flink's
// /jobs/:jobid/exceptions exceptionHistory and the numRestarts metric).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableEnvironment, type Value } from '../../index.js';
import {
  distBuilt,
  getJson,
  startJobManager,
  startTaskManager,
  stopAll,
  until,
  type JobManagerProc,
  type TaskManagerProc,
} from './standalone-harness.js';

describe.skipIf(!distBuilt())('standalone cluster: a TaskManager killed mid-job', () => {
  let jm: JobManagerProc;
  let tms: TaskManagerProc[];

  beforeAll(async () => {
    jm = await startJobManager([
      '-D',
      'heartbeat.interval=500ms',
      '-D',
      'heartbeat.timeout=4s',
      '-D',
      'restart-strategy.type=fixed-delay',
      '-D',
      'restart-strategy.fixed-delay.attempts=3',
      '-D',
      'restart-strategy.fixed-delay.delay=500ms',
    ]);
    tms = await Promise.all([startTaskManager(jm, 1), startTaskManager(jm, 1), startTaskManager(jm, 1)]);
  }, 240_000);

  afterAll(async () => {
    await stopAll();
  }, 30_000);

  it('detects the loss by heartbeat, restarts on the spare slot and finishes', async () => {
    const env = TableEnvironment.create({ cluster: jm.restAddress, parallelism: 2 });
    // 4000 rows paced at 400/s: an attempt takes ~10 s, long enough to kill a TaskManager in the middle.
    await env
      .executeSql(
        `CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '400',
           'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '4000')`,
      )
      .await();
    const result = env.executeSql('SELECT id % 4 AS k, COUNT(*) AS c, SUM(id) AS s FROM gen GROUP BY id % 4');
    const jid = result.jobId as string;
    const changes: { kind: string; values: Value[] }[] = [];
    const reading = (async () => {
      for await (const c of result.changes()) changes.push(c);
    })();

    // Wait until the job runs and a subtask of the keyed aggregate runs on some TaskManager, then kill that one.
    type Job = { state: string; vertices: { id: string; name: string }[] };
    const victim = await until(
      'a running aggregate subtask',
      async () => {
        const job = (await getJson<Job>(`${jm.rest}v1/jobs/${jid}`)).body;
        if (job.state !== 'RUNNING') return null;
        const agg = job.vertices.find((v) => v.name.includes('GroupAggregate'));
        if (agg === undefined) return null;
        const sub = await getJson<{ subtasks: { status: string; 'taskmanager-id': string }[] }>(
          `${jm.rest}v1/jobs/${jid}/vertices/${agg.id}`,
        );
        const s = sub.body.subtasks.find((x) => x.status === 'RUNNING' && x['taskmanager-id'] !== tms[0]?.id);
        return s === undefined ? null : tms.find((t) => t.id === s['taskmanager-id']);
      },
      120_000,
    );
    // Let it produce some rows first, so the kill is mid-job.
    await until('first rows', async () => changes.length > 0, 60_000);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');

    await reading;
    const detail = (await getJson<{ state: string; restarts: number }>(`${jm.rest}v1/jobs/${jid}`)).body;
    expect(detail.state).toBe('FINISHED');
    expect(detail.restarts).toBeGreaterThanOrEqual(1);
    const ex = (
      await getJson<{
        exceptionHistory: {
          entries: {
            exceptionName: string;
            stacktrace: string;
            taskManagerId: string | null;
            timestamp: number;
          }[];
        };
      }>(`${jm.rest}v1/jobs/${jid}/exceptions`)
    ).body;
    const lost = ex.exceptionHistory.entries.find((e) => e.exceptionName === 'TimeoutException');
    expect(lost?.stacktrace).toContain(`The heartbeat of TaskManager with id ${victim.id} timed out`);
    // Detected by the heartbeat timeout (4 s), not at once.
    expect((lost?.timestamp ?? 0) - killedAt).toBeGreaterThanOrEqual(3000);

    // The last attempt ran to the end: each key's last value counts all 1000 of its ids.
    const last = new Map<string, Value[]>();
    for (const c of changes) if (c.kind === '+I' || c.kind === '+U') last.set(String(c.values[0]), c.values);
    expect([...last.keys()].sort()).toEqual(['0', '1', '2', '3']);
    for (const v of last.values()) expect(v[1]).toBe(1000n);

    // The killed TaskManager is gone from the cluster; the others remain.
    const t = await getJson<{ taskmanagers: { id: string }[] }>(`${jm.rest}v1/taskmanagers`);
    expect(t.body.taskmanagers.map((x) => x.id)).not.toContain(victim.id);
    expect(t.body.taskmanagers.length).toBe(2);
  }, 300_000);
});
