// Proof by fault injection (issue #12), in-thread executor, against the real broker: Kafka → tumbling-window
// aggregation and an interval join → Kafka at parallelism 2, a checkpoint every 500 ms, restart strategy
// fixed-delay. A UDF of the job throws at seeded points (FAULT_SEED to repeat a run), at least 10 restarts per run.
// - exactly-once sinks: Kafka's Java consumer reading read_committed sees exactly the failure-free run's output,
//   row for row, and no transaction is left open (Flink's guarantee, docs "Fault Tolerance Guarantees of Data
//   Sources and Sinks": Kafka sink exactly-once with checkpointing enabled);
// - at-least-once sinks: no expected row is missing; duplicates are allowed and counted;
// - the same exactly-once job on the MiniCluster's slot threads, the fault hook a CREATE FUNCTION module throwing
//   inside the operator on a slot 10 times;
// - stop with a savepoint and a job resumed from it (same parallelism) give the uninterrupted run's output.
// The standalone cluster's SIGKILL proof is standalone-kafka.fault.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaForTests } from '../support/kafka.js';
import { JavaTopicReader, diffSummary, multisetDiff } from './oracle.js';
import { MiniCluster } from '../../index.js';
import { until } from '../cluster/standalone-harness.js';
import { FaultHarness, FaultInjector, FaultModule, rng, type Input, type Topics } from './pipeline.js';

const kafka = await kafkaForTests();
const SEED = Number(process.env['FAULT_SEED'] ?? 20261124);
/** Orders in the input (about two thirds are paid): ~70 window rows and ~2670 join rows. */
const ORDERS = 4000;

/** Counts the restarts the restart strategy announces (a warning per restart, planner/physical/lower.ts). */
function countRestarts(): { count: () => number; stop: () => void } {
  let n = 0;
  const on = (w: Error & { code?: string }): void => {
    if (w.code === 'FRESHET_RESTART') n++;
  };
  process.on('warning', on);
  return { count: () => n, stop: () => process.off('warning', on) };
}

describe.skipIf(kafka === null)('fault injection: Kafka → window aggregation + join → Kafka', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  let h: FaultHarness;
  let oracle: JavaTopicReader;
  const input: Input = FaultHarness.input(ORDERS);
  /** The failure-free run's output. */
  let expected: { win: string[]; join: string[] };

  async function outputs(): Promise<{ win: string; join: string }> {
    return { win: await h.topic('win'), join: await h.topic('join') };
  }

  /** Runs the statement set while the input trickles in (so checkpoints, commits and failures interleave). */
  async function runJob(opts: {
    topics: Topics;
    out: { win: string; join: string };
    guarantee: 'exactly-once' | 'at-least-once';
    fault: FaultInjector;
  }): Promise<void> {
    const env = h.env({ ...opts, input, checkpointDir: await h.tempDir() });
    const result = env.executeSql(FaultHarness.STATEMENT_SET);
    await Promise.all([result.await(), h.produce(opts.topics, input, 40, 150)]);
  }

  function read(
    out: { win: string; join: string },
    isolation: 'read_committed' | 'read_uncommitted',
  ): { win: string[]; join: string[]; open: string[] } {
    const r = oracle.read(bootstrap, isolation, [out.win, out.join]);
    return { win: r.values.get(out.win) ?? [], join: r.values.get(out.join) ?? [], open: r.openTransactions };
  }

  /** A fault schedule of `count` failures, each 150-400 UDF calls into an attempt. */
  function schedule(seed: number, count: number): FaultInjector {
    const r = rng(seed);
    return new FaultInjector(Array.from({ length: count }, () => 150 + Math.floor(r() * 250)));
  }

  beforeAll(async () => {
    h = new FaultHarness(bootstrap);
    oracle = new JavaTopicReader();
    // The failure-free run is the reference of every test below.
    expected = await h.reference(input, new FaultInjector([]), (out) => read(out, 'read_committed'));
  }, 120_000);

  afterAll(async () => {
    oracle?.close();
    await h?.close();
  });

  it('exactly-once: read_committed output equals the failure-free run after 10+ injected failures', async () => {
    const topics = await h.inputTopics();
    const out = await outputs();
    const fault = schedule(SEED, 18);
    const restarts = countRestarts();
    try {
      await runJob({ topics, out, guarantee: 'exactly-once', fault });
    } finally {
      restarts.stop();
    }
    console.log(
      `[fault] exactly-once (seed ${SEED}): ${fault.failures} injected failures, ${restarts.count()} restarts, ${fault.calls} UDF calls for ${ORDERS} orders`,
    );
    expect(restarts.count()).toBeGreaterThanOrEqual(10);
    const r = read(out, 'read_committed');
    expect(r.open).toEqual([]);
    const none = { missing: 0, extra: 0, sample: [] };
    expect(diffSummary(expected.win, r.win)).toEqual(none);
    expect(diffSummary(expected.join, r.join)).toEqual(none);
    // Failed attempts did write: their rows are in the log, only aborted, so read_committed is what filtered them.
    const uncommitted = read(out, 'read_uncommitted');
    expect(uncommitted.join.length).toBeGreaterThan(r.join.length);
  }, 120_000);

  it('at-least-once: no row lost across 10+ injected failures (duplicates counted)', async () => {
    const topics = await h.inputTopics();
    const out = await outputs();
    const fault = schedule(SEED + 1, 18);
    const restarts = countRestarts();
    try {
      await runJob({ topics, out, guarantee: 'at-least-once', fault });
    } finally {
      restarts.stop();
    }
    expect(restarts.count()).toBeGreaterThanOrEqual(10);
    const r = read(out, 'read_committed');
    const win = multisetDiff(expected.win, r.win);
    const join = multisetDiff(expected.join, r.join);
    console.log(
      `[fault] at-least-once (seed ${SEED + 1}): ${restarts.count()} restarts; duplicates: ${win.extra.length} of ${r.win.length} window rows, ${join.extra.length} of ${r.join.length} join rows`,
    );
    expect(win.missing).toEqual([]);
    expect(join.missing).toEqual([]);
    // Every extra row is a repeat of an expected row, never a row the failure-free run does not have.
    const known = new Set([...expected.win, ...expected.join]);
    expect([...win.extra, ...join.extra].filter((x) => !known.has(x))).toEqual([]);
  }, 120_000);

  // The fault hook is a CREATE FUNCTION module here (pipeline.ts FaultModule), so the job, UDF included, runs in
  // the slot threads and every failure is an exception thrown inside an operator on a slot; the MiniCluster's
  // JobManager restores the job from its latest checkpoint (Flink's JobMaster with the restart strategy).
  it('on the MiniCluster (slot threads): exactly-once output equals the failure-free run after 10 exceptions thrown in operators', async () => {
    const topics = await h.inputTopics();
    const out = await outputs();
    const fault = new FaultModule(await h.tempDir());
    const env = h.env({
      topics,
      input,
      out,
      guarantee: 'exactly-once',
      fault,
      checkpointDir: await h.tempDir(),
      config: { 'execution.target': 'mini-cluster' },
    });
    const warnings: string[] = [];
    const on = (w: Error & { code?: string }): void => void warnings.push(w.code ?? '');
    process.on('warning', on);
    const throws = 10;
    let remaining = throws;
    let done = false;
    // Each failure still to come holds back the last 3 slices (an armed fault needs rows to throw on).
    const gate = async (c: number): Promise<void> => {
      while (!done && c >= 80 - 3 * remaining) await new Promise((r) => setTimeout(r, 50));
    };
    const random = rng(SEED + 2);
    let restarts = 0;
    try {
      const finished = env.executeSql(FaultHarness.STATEMENT_SET).await();
      finished.catch(() => undefined);
      const producing = h.produce(topics, input, 80, 100, gate);
      const cluster = await MiniCluster.shared();
      const jm = await until('the job on the MiniCluster', async () => {
        const { jobs } = await cluster.jobs();
        const newest = [...jobs].sort((a, b) => b['start-time'] - a['start-time'])[0];
        return newest === undefined ? null : (cluster.getJob(newest.jid) ?? null);
      });
      try {
        for (let k = 0; k < throws; k++) {
          // A checkpoint completed since the last restore, then a seeded pause of 0-600 ms.
          const before = jm.checkpointStatistics()?.counts.completed ?? 0;
          await until(
            `a checkpoint before failure ${k}`,
            async () => (jm.checkpointStatistics()?.counts.completed ?? 0) > before,
          );
          await new Promise((r) => setTimeout(r, Math.floor(random() * 600)));
          remaining--;
          fault.arm();
          await until(`the restart after failure ${k}`, async () => jm.restarts > restarts);
          restarts = jm.restarts;
        }
      } finally {
        done = true;
      }
      await Promise.all([finished, producing]);
    } finally {
      process.off('warning', on);
    }
    console.log(
      `[fault] MiniCluster exactly-once (seed ${SEED + 2}): ${throws} exceptions thrown in slot operators, ${restarts} restarts`,
    );
    expect(warnings).not.toContain('FRESHET_LOCAL_EXECUTION');
    expect(restarts).toBeGreaterThanOrEqual(throws);
    const r = read(out, 'read_committed');
    expect(r.open).toEqual([]);
    expect(multisetDiff(expected.win, r.win)).toEqual({ missing: [], extra: [] });
    expect(multisetDiff(expected.join, r.join)).toEqual({ missing: [], extra: [] });
  }, 180_000);

  it('stop with a savepoint, resume from it: the output equals the uninterrupted run', async () => {
    const topics = await h.inputTopics();
    const out = await outputs();
    const savepoints = await h.tempDir();
    const first = h.env({
      topics,
      input,
      out,
      guarantee: 'exactly-once',
      fault: new FaultInjector([]),
      checkpointDir: await h.tempDir(),
    });
    const job = first.executeSql(FaultHarness.STATEMENT_SET);
    const producing = h.produce(topics, input, 60, 150);
    // Stop part-way through the input, once a checkpoint has committed output (polled: start-up time varies).
    for (let i = 0; i < 200 && (await h.committedEnd(out.join)) === 0n; i++)
      await new Promise((r) => setTimeout(r, 100));
    const savepoint = await first
      .stopJob(job.jobId as string, { savepoint: savepoints })
      .catch(async (e: unknown) => {
        await producing;
        throw e;
      });
    expect(savepoint).toMatch(/savepoint-\d+$/);
    const before = read(out, 'read_committed');
    expect(before.join.length).toBeGreaterThan(0);
    expect(before.join.length).toBeLessThan(expected.join.length);

    const resumed = h.env({
      topics,
      input,
      out,
      guarantee: 'exactly-once',
      fault: new FaultInjector([]),
      checkpointDir: await h.tempDir(),
      config: { 'execution.savepoint.path': savepoint as string },
    });
    await Promise.all([resumed.executeSql(FaultHarness.STATEMENT_SET).await(), producing]);
    const r = read(out, 'read_committed');
    expect(r.open).toEqual([]);
    expect(multisetDiff(expected.win, r.win)).toEqual({ missing: [], extra: [] });
    expect(multisetDiff(expected.join, r.join)).toEqual({ missing: [], extra: [] });
  }, 120_000);
});
