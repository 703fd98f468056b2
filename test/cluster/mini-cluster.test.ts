// The MiniCluster (executor/cluster/): jobs run in TaskManager slots that are worker threads. Covers slot sharing
// and spreading (Flink docs, "Task Slots and Resources"), fixed-delay restarts ("Task Failure Recovery",
// FixedDelayRestartBackoffTimeStrategy), heartbeat-timeout failover (HeartbeatManager, heartbeat.timeout) and
// credit-based backpressure across threads ("Network Stack": credit-based flow control).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadId } from 'node:worker_threads';
import { MiniCluster, batchToRows, type RecordBatch, type SinkWriter } from '../../index.js';
import type { FixturePayload } from './fixtures/jobs.js';

const BUILDER = new URL('./fixtures/jobs.ts', import.meta.url).href;

/** A result sink that keeps the final count per key (the running counts only grow). */
function collector(): { sink: SinkWriter; finals: Map<number, bigint>; rows: number; finished: boolean } {
  const st = {
    finals: new Map<number, bigint>(),
    rows: 0,
    finished: false,
    sink: null as unknown as SinkWriter,
  };
  st.sink = {
    write(b: RecordBatch) {
      for (const [k, c] of batchToRows(b) as [number, bigint][]) {
        st.rows++;
        if ((st.finals.get(k) ?? 0n) < c) st.finals.set(k, c);
      }
    },
    finish() {
      st.finished = true;
    },
    async close() {},
  };
  return st;
}

const expected = (p: FixturePayload): Map<number, bigint> => {
  const m = new Map<number, bigint>();
  for (let n = 0; n < p.batches * p.rows; n++) m.set(n % p.keys, (m.get(n % p.keys) ?? 0n) + 1n);
  return m;
};

describe('MiniCluster with two single-slot TaskManagers', () => {
  let cluster: MiniCluster;
  beforeAll(async () => {
    cluster = await MiniCluster.start({
      'minicluster.number-of-taskmanagers': '2',
      'taskmanager.numberOfTaskSlots': '1',
      'heartbeat.interval': '100 ms',
      'heartbeat.timeout': '2 s',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '2',
      'restart-strategy.fixed-delay.delay': '200 ms',
      'slot.request.timeout': '10 s',
    });
  }, 60_000);
  afterAll(async () => cluster.close());

  it('spreads a parallelism-2 job over two slot threads and computes the same counts', async () => {
    const payload: FixturePayload = { batches: 40, rows: 500, keys: 37, delayMs: 0, parallelism: 2 };
    const out = collector();
    const job = await cluster.submit({ name: 'p2', builder: BUILDER, payload }, { resultSink: out.sink });
    const r = await job.getJobExecutionResult();
    expect(job.state).toBe('FINISHED');
    expect(out.finished).toBe(true);
    expect(out.finals).toEqual(expected(payload));
    expect(out.rows).toBe(20_000);
    // Slot sharing: subtask i of every vertex in slot i; two slots, two threads, none of them this one.
    const placed = job.placement();
    const threads = new Set(placed.map((p) => p.threadId));
    expect(threads.size).toBe(2);
    expect(threads.has(threadId)).toBe(false);
    expect(new Set(placed.map((p) => p.slot))).toEqual(new Set(['tm-1/slot-0', 'tm-2/slot-0']));
    expect(r.metrics['numRecordsIn']).toBeGreaterThanOrEqual(40_000);
    const detail = await cluster.job(job.jobId);
    const keyed = detail.vertices.find((v) => v.parallelism === 2);
    expect(keyed?.metrics['read-records']).toBe(20_000);
    expect(keyed?.metrics['read-bytes']).toBeGreaterThan(0); // half of it crossed a thread as frames
    expect((await cluster.overview())['slots-available']).toBe(2);
  }, 60_000);

  it('restarts a failing task per the fixed-delay strategy and finishes', async () => {
    const payload: FixturePayload = {
      batches: 20,
      rows: 100,
      keys: 5,
      delayMs: 5,
      parallelism: 2,
      failAfter: 300,
    };
    const out = collector();
    const job = await cluster.submit(
      { name: 'fail-once', builder: BUILDER, payload },
      { resultSink: out.sink },
    );
    const r = await job.getJobExecutionResult();
    expect(job.state).toBe('FINISHED');
    expect(r.restarts).toBe(1);
    expect(job.status.timestamps.RESTARTING).toBeGreaterThan(0);
    // Without checkpoints the second attempt starts over: its final counts are complete and exact.
    expect(out.finals).toEqual(expected(payload));
    const ex = await cluster.exceptions(job.jobId);
    expect(ex['root-exception']).toContain('injected failure');
    expect((await cluster.job(job.jobId)).restarts).toBe(1);
  }, 60_000);

  it('groups the failures of one failover into one exception-history entry, as Flink does', async () => {
    // Both keyed subtasks throw on their first row of the first batch, microseconds apart in two threads: the
    // second failure reaches the JobManager while the first one's failover is under way.
    const payload: FixturePayload = { batches: 10, rows: 100, keys: 8, delayMs: 5, parallelism: 2, failAfter: 0 };
    const out = collector();
    const job = await cluster.submit({ name: 'fail-both', builder: BUILDER, payload }, { resultSink: out.sink });
    const r = await job.getJobExecutionResult();
    expect(r.restarts).toBe(1);
    expect(out.finals).toEqual(expected(payload));
    const ex = await cluster.exceptions(job.jobId);
    expect(ex.exceptionHistory.entries).toHaveLength(1);
    const [entry] = ex.exceptionHistory.entries;
    expect(entry?.stacktrace).toContain('injected failure');
    expect(ex['all-exceptions']).toHaveLength(1 + (entry?.concurrentExceptions.length ?? 0));
  }, 60_000);

  it('a deployment that fails fails its subtasks at once and restarts per the strategy', async () => {
    // The graph builds in the client, but every slot's build throws: each deployment fails.
    const payload: FixturePayload = { batches: 5, rows: 10, keys: 3, delayMs: 0, parallelism: 2, refuseInSlots: true };
    const job = await cluster.submit({ name: 'bad-deploy', builder: BUILDER, payload }, { resultSink: collector().sink });
    await expect(job.getJobExecutionResult()).rejects.toThrow(/refuses to build in a slot/);
    expect(job.state).toBe('FAILED');
    expect((await cluster.job(job.jobId)).restarts).toBe(2);
    // FAILED by the deployment, not CANCELED after waiting out the cancel timeout.
    expect(job.executions.every((e) => e.state === 'FAILED')).toBe(true);
    expect((await cluster.overview())['slots-available']).toBe(2);
  }, 60_000);

  it('a slot thread that exits is replaced and its job restarts on it', async () => {
    const payload: FixturePayload = {
      batches: 20,
      rows: 100,
      keys: 5,
      delayMs: 5,
      parallelism: 2,
      exitAfter: 200,
    };
    const out = collector();
    const job = await cluster.submit(
      { name: 'thread-exit', builder: BUILDER, payload },
      { resultSink: out.sink },
    );
    const r = await job.getJobExecutionResult();
    expect(r.restarts).toBe(1);
    expect(out.finals).toEqual(expected(payload));
    const ex = await cluster.exceptions(job.jobId);
    expect(ex['all-exceptions'].some((e) => e.exceptionName === 'SlotLostException')).toBe(true);
    // Flink's exception history has one entry per failover; the other subtasks' failures that the lost slot
    // caused (broken channels) are that entry's concurrent exceptions, not entries of their own.
    expect(ex.exceptionHistory.entries).toHaveLength(r.restarts);
    const concurrent = ex.exceptionHistory.entries.reduce((n, e) => n + e.concurrentExceptions.length, 0);
    expect(ex['all-exceptions']).toHaveLength(ex.exceptionHistory.entries.length + concurrent);
    expect((await cluster.overview())['slots-available']).toBe(2);
  }, 60_000);

  it('cancels a running job through the gateway: CANCELLING then CANCELED, slots returned', async () => {
    const payload: FixturePayload = { batches: 1000, rows: 10, keys: 3, delayMs: 20, parallelism: 2 };
    const job = await cluster.submit(
      { name: 'to-cancel', builder: BUILDER, payload },
      { resultSink: collector().sink },
    );
    while (job.state !== 'RUNNING' || job.executions.some((e) => e.state !== 'RUNNING'))
      await new Promise((r) => setTimeout(r, 20));
    await cluster.cancel(job.jobId);
    await expect(job.getJobExecutionResult()).rejects.toThrow();
    expect(job.state).toBe('CANCELED');
    expect(job.status.timestamps.CANCELLING).toBeGreaterThan(0);
    expect(job.executions.every((e) => e.state === 'CANCELED')).toBe(true);
    expect((await cluster.overview())['slots-available']).toBe(2);
    await expect(cluster.cancel(job.jobId)).rejects.toThrow(/already CANCELED/);
  }, 60_000);

  it('fails over when a TaskManager stops answering heartbeats', async () => {
    const payload: FixturePayload = { batches: 150, rows: 20, keys: 3, delayMs: 25, parallelism: 1 };
    const out = collector();
    const job = await cluster.submit(
      { name: 'hung-tm', builder: BUILDER, payload },
      { resultSink: out.sink },
    );
    while (job.placement()[0]?.slot === null || job.state !== 'RUNNING')
      await new Promise((r) => setTimeout(r, 20));
    const first = job.placement()[0]?.slot as string;
    const tm = cluster.tms.find((t) => first.startsWith(`${t.id}/`));
    tm?.stopHeartbeats();
    const r = await job.getJobExecutionResult();
    expect(r.restarts).toBe(1);
    expect(job.state).toBe('FINISHED');
    expect(job.placement()[0]?.slot).not.toBe(first);
    expect(out.finals).toEqual(expected(payload));
    const ex = await cluster.exceptions(job.jobId);
    expect(ex['all-exceptions'][0]?.exceptionName).toBe('TimeoutException');
    expect(ex['root-exception']).toContain('heartbeat');
    expect((await cluster.overview()).taskmanagers).toBe(1);
  }, 60_000);
});

describe('backpressure across threads', () => {
  it('a throttled sink in another slot stops the source: bounded queues, backpressured time', async () => {
    const cluster = await MiniCluster.start({ 'taskmanager.numberOfTaskSlots': '2' });
    try {
      // 400 batches of 200 rows; the collect sink holds each batch 2 ms, the source could go far faster.
      const payload: FixturePayload = {
        batches: 400,
        rows: 200,
        keys: 64,
        delayMs: 0,
        parallelism: 2,
        sinkDelayMs: 2,
      };
      const out = collector();
      const job = await cluster.submit(
        {
          name: 'bp',
          builder: BUILDER,
          payload,
          execution: { batchSize: 200, channelCapacity: 4, credits: 4 },
        },
        { resultSink: out.sink },
      );
      await job.getJobExecutionResult();
      expect(out.finals).toEqual(expected(payload));
      const keyedRemote = job.executions.find((e) => e.vertex.parallelism === 2 && e.index === 1);
      // The queue in front of a consumer never holds more than its credits plus one element's output.
      expect(keyedRemote?.report?.counters['inputQueuePeak']).toBeLessThanOrEqual(4 + 2);
      const src = job.executions.find((e) => e.position === 0);
      expect(src?.report?.counters['backPressuredTimeMs']).toBeGreaterThan(100);
    } finally {
      await cluster.close();
    }
  }, 60_000);
});
