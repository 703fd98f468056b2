// Backpressure across processes (Flink's credit-based flow control, FLIP-"Network stack": a producer sends a buffer
// only against a credit its consumer announced). An unbounded generator feeds a keyed aggregate at parallelism 2 on
// two TaskManager processes, its rows go to a client that reads slowly (the throttled sink). The generator must slow
// down to the reader's pace: its output stays within what was read plus what the credits let sit in buffers, and
// the producing processes' memory stays bounded while the reader lags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import {
  distBuilt,
  getJson,
  rssOf,
  startJobManager,
  startTaskManager,
  stopAll,
  until,
  type JobManagerProc,
  type TaskManagerProc,
} from './standalone-harness.js';

describe.skipIf(!distBuilt())('standalone cluster: backpressure across a process boundary', () => {
  let jm: JobManagerProc;
  let tms: TaskManagerProc[];

  beforeAll(async () => {
    jm = await startJobManager(['-D', 'heartbeat.interval=500ms']);
    tms = await Promise.all([startTaskManager(jm, 1), startTaskManager(jm, 1)]);
  }, 240_000);

  afterAll(async () => {
    await stopAll();
  }, 30_000);

  it('slows the generator to a slow reader, with bounded buffers and memory', async () => {
    const env = TableEnvironment.create({ cluster: jm.restAddress, parallelism: 2 });
    // 10 M rows per second asked for: far more than the reader takes, so only backpressure can hold it back.
    await env
      .executeSql(
        `CREATE TABLE gen (id BIGINT, pad STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '10000000',
           'fields.id.kind' = 'random', 'fields.id.min' = '1', 'fields.id.max' = '1000000',
           'fields.pad.length' = '50')`,
      )
      .await();
    // Every input row changes its key's count: one or two output changes per row read.
    const result = env.executeSql('SELECT id, COUNT(*) AS c, MAX(pad) AS p FROM gen GROUP BY id');
    const jid = result.jobId as string;
    let read = 0;
    const it = result.changes()[Symbol.asyncIterator]();
    // The job starts (slots import the plan's modules) before the first change arrives; measure from there.
    expect((await it.next()).done).toBe(false);
    read++;
    const rss0 = tms.map((t) => rssOf(t.pid));
    const rssPeak = [...rss0];
    const deadline = Date.now() + 15_000;
    // The throttled sink: 50 changes, then a 100 ms pause.
    while (Date.now() < deadline) {
      const n = await it.next();
      if (n.done === true) break;
      read++;
      if (read % 50 === 0) {
        await new Promise((r) => setTimeout(r, 100));
        tms.forEach((t, i) => (rssPeak[i] = Math.max(rssPeak[i] as number, rssOf(t.pid))));
      }
    }
    // The reader stops: the generator must stop too once the buffers are full. Counters arrive with heartbeats
    // (a slot busy with its subtasks answers late on this machine), so poll until two readings agree.
    type Job = { state: string; vertices: { id: string; name: string; metrics: Record<string, number> }[] };
    const sourceOut = async (): Promise<number> => {
      const job = (await getJson<Job>(`${jm.rest}v1/jobs/${jid}`)).body;
      expect(job.state).toBe('RUNNING');
      return (job.vertices[0] as Job['vertices'][number]).metrics['write-records'] as number;
    };
    let produced = -1;
    await until(
      'the generator to stall',
      async () => {
        const a = await sourceOut();
        await new Promise((r) => setTimeout(r, 2000));
        const b = await sourceOut();
        produced = b;
        return a > 0 && a === b;
      },
      90_000,
    );
    // Rows that can sit in buffers: per remote channel 16 credits, per local channel 8 elements, the relay's and
    // the client's 16 credits each, of batches of up to 1024 rows (the generator's of 4096) — a few hundred
    // thousand rows at most. Unthrottled, the generator makes ~300 k rows/s here (2 M rows into blackhole: 8 s).
    expect(produced).toBeLessThan(read + 400_000);
    const job = (await getJson<Job>(`${jm.rest}v1/jobs/${jid}`)).body;
    expect(job.vertices[0]?.metrics['accumulated-backpressured-time']).toBeGreaterThan(0);
    // Memory of the TaskManager processes stays bounded while the reader lags (no queue grows with the lag).
    // (Measured: +50 and +180 MB over 15 s, mostly V8 heap headroom and the aggregate's state; a queue that grew
    // with the lag would hold every row the generator makes.)
    rssPeak.forEach((peak, i) => expect(peak - (rss0[i] as number)).toBeLessThan(320 * 1024 * 1024));
    // Cancelling the result cancels the job on the cluster (REST PATCH /jobs/:jid?mode=cancel from the client).
    result.cancel();
    await it.return?.(undefined);
    await until(
      'the query to be cancelled',
      async () => {
        const s = (await getJson<{ state: string }>(`${jm.rest}v1/jobs/${jid}`)).body.state;
        return s === 'CANCELED' ? s : null;
      },
      60_000,
    );
  }, 300_000);
});
