// Proof by fault injection on the standalone cluster (issue #12), against the real broker: a JobManager process and
// three TaskManager processes (one slot each: two run the job at parallelism 2, one is the spare) run the suite's
// job — Kafka → tumbling-window aggregation and an interval join → Kafka, a checkpoint every 500 ms. At seeded random
// points the test SIGKILLs a TaskManager running the job (and starts a replacement, so the next kill finds slots)
// or arms the job's CREATE FUNCTION fault hook, which throws inside the window query's operator on whichever slot
// calls it next: at least 10 SIGKILLs per run. Flink's guarantees (docs "Fault Tolerance Guarantees of Data Sources
// and Sinks", "Task Failure Recovery"; KafkaSink with DeliveryGuarantee.EXACTLY_ONCE):
// - exactly-once: Kafka's Java consumer reading read_committed sees the failure-free run's output row for row, and
//   no transaction is left open (the killed processes' transactions were aborted by the restored attempts);
// - at-least-once: no expected row is missing; duplicates are allowed and counted.
// FAULT_SEED repeats a run's schedule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { CheckpointingStatistics } from '../../executor/checkpoint/coordinator.js';
import {
  distBuilt,
  getJson,
  startKillCluster,
  startTaskManager,
  stopAll,
  until,
  type JobManagerProc,
  type TaskManagerProc,
} from '../cluster/standalone-harness.js';
import { kafkaForTests } from '../support/kafka.js';
import { JavaTopicReader, diffSummary, multisetDiff } from './oracle.js';
import { FaultHarness, FaultModule, rng, type Input } from './pipeline.js';

const kafka = await kafkaForTests();
const SEED = Number(process.env['FAULT_SEED'] ?? 20261125);
const ORDERS = 4000;
/** SIGKILLed TaskManagers per run, and exceptions thrown inside the operator besides. */
const KILLS = 10;
const THROWS = 3;
/**
 * The input arrives in 200 slices 300 ms apart (20 orders each, 0.2 s of event time). The last 20 wait until the
 * failures are done, and each failure still to come holds back 4 more, so rows keep flowing (an armed fault needs
 * a call to throw) and the bounded job cannot finish early however long the restarts take.
 */
const CHUNKS = 200;
const HELD_BACK = 20;
const PER_FAILURE = 4;

type JobDetail = {
  state: string;
  restarts: number;
  vertices: { id: string; name: string; parallelism: number }[];
};
type Subtasks = { subtasks: { status: string; 'taskmanager-id': string }[] };
type Exceptions = {
  exceptionHistory: { entries: { exceptionName: string; stacktrace: string }[] };
};

describe.skipIf(kafka === null || !distBuilt())(
  'fault injection on the standalone cluster: SIGKILLed TaskManagers, Kafka exactly-once',
  () => {
    const bootstrap = kafka?.bootstrap ?? '';
    let h: FaultHarness;
    let oracle: JavaTopicReader;
    let jm: JobManagerProc;
    let tms: TaskManagerProc[] = [];
    let fault: FaultModule;
    const input: Input = FaultHarness.input(ORDERS);
    let expected: { win: string[]; join: string[] };

    function read(
      out: { win: string; join: string },
      isolation: 'read_committed' | 'read_uncommitted',
    ): { win: string[]; join: string[]; open: string[] } {
      const r = oracle.read(bootstrap, isolation, [out.win, out.join]);
      return {
        win: r.values.get(out.win) ?? [],
        join: r.values.get(out.join) ?? [],
        open: r.openTransactions,
      };
    }

    beforeAll(async () => {
      h = new FaultHarness(bootstrap);
      oracle = new JavaTopicReader();
      fault = new FaultModule(await h.tempDir());
      const root = await h.tempDir();
      ({ jm, tms } = await startKillCluster(path.join(root, 'jm-checkpoints')));
      // The failure-free run (in-thread, the whole input at once) is the reference of both tests.
      expected = await h.reference(input, fault, (out) => read(out, 'read_committed'));
    }, 180_000);

    afterAll(async () => {
      await stopAll();
      oracle?.close();
      await h?.close();
    }, 60_000);

    /**
     * Runs the job on the cluster while the input trickles in, and fails it KILLS + THROWS times at seeded points:
     * each time after every subtask of the current attempt runs and a checkpoint completed since the last restore
     * (so the job makes progress between failures), 0-1.5 s later.
     */
    async function runWithFailures(
      guarantee: 'exactly-once' | 'at-least-once',
      seed: number,
    ): Promise<{
      out: { win: string; join: string };
      committedWhileRunning: bigint;
      restarts: number;
      ms: number;
      restored: number;
      completed: number;
    }> {
      const started = Date.now();
      const topics = await h.inputTopics();
      const out = { win: await h.topic('win'), join: await h.topic('join') };
      const env = h.env({
        topics,
        input,
        out,
        guarantee,
        fault,
        checkpointDir: null,
        cluster: jm.restAddress,
        config: { 'restart-strategy.fixed-delay.delay': '200 ms' },
      });
      const result = env.executeSql(FaultHarness.STATEMENT_SET);
      const jid = result.jobId as string;
      const finished = result.await();
      // A failure of the job fails the test at once instead of at the next poll's timeout.
      finished.catch(() => undefined);
      let remaining = KILLS + THROWS;
      let done = false;
      const gate = async (c: number): Promise<void> => {
        while (!done && c >= CHUNKS - HELD_BACK - PER_FAILURE * remaining)
          await new Promise((r) => setTimeout(r, 100));
      };
      const producing = h.produce(topics, input, CHUNKS, 300, gate);

      const job = async (): Promise<JobDetail> => (await getJson<JobDetail>(`${jm.rest}v1/jobs/${jid}`)).body;
      const stats = async (): Promise<CheckpointingStatistics> =>
        (await getJson<CheckpointingStatistics>(`${jm.rest}v1/jobs/${jid}/checkpoints`)).body;

      const random = rng(seed);
      // KILLS SIGKILLs and THROWS thrown exceptions, in a seeded order.
      const plan = [...Array<'kill'>(KILLS).fill('kill'), ...Array<'throw'>(THROWS).fill('throw')];
      for (let i = plan.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [plan[i], plan[j]] = [plan[j] as 'kill' | 'throw', plan[i] as 'kill' | 'throw'];
      }
      const victims: string[] = [];
      let completedBefore = 0;
      let committedWhileRunning = 0n;
      try {
        for (const [k, what] of plan.entries()) {
          const { hosts, restarts } = await until(
            `failure ${k}: every subtask running and a checkpoint completed since the last restore`,
            async () => {
              const d = await job();
              if (d.state !== 'RUNNING') return null;
              const s = await stats();
              const restoredAt = s.latest.restored?.restore_timestamp ?? 0;
              const completedAt = s.latest.completed?.latest_ack_timestamp ?? 0;
              if (s.counts.completed <= completedBefore || completedAt < restoredAt) return null;
              const ids = new Set<string>();
              for (const v of d.vertices) {
                const st = (await getJson<Subtasks>(`${jm.rest}v1/jobs/${jid}/vertices/${v.id}`)).body
                  .subtasks;
                if (st.some((x) => x.status !== 'RUNNING')) return null;
                for (const x of st) ids.add(x['taskmanager-id']);
              }
              const running = tms.filter((t) => ids.has(t.id));
              return running.length > 0 ? { hosts: running, restarts: d.restarts } : null;
            },
            90_000,
          );
          await new Promise((r) => setTimeout(r, Math.floor(random() * 1500)));
          remaining--;
          if (what === 'kill') {
            const victim = hosts[Math.floor(random() * hosts.length)] as TaskManagerProc;
            victim.child.kill('SIGKILL');
            victims.push(victim.id);
            tms = tms.filter((t) => t !== victim);
            // The spare takes the lost slot; the replacement is the next spare.
            tms.push(await startTaskManager(jm, 1));
          } else {
            fault.arm();
          }
          await until(
            `the restart after failure ${k} (${what})`,
            async () => (await job()).restarts > restarts,
            60_000,
          );
          completedBefore = (await stats()).counts.completed;
        }
        // Before the held-back input is written the job cannot have finished: rows committed by now were committed
        // by the TaskManager processes when checkpoints completed, not by the end of input.
        committedWhileRunning = await h.committedEnd(out.join);
        expect((await job()).state).not.toBe('FINISHED');
      } finally {
        done = true;
      }
      await Promise.all([finished, producing]);
      const end = await job();
      expect(end.state).toBe('FINISHED');
      expect(end.restarts).toBeGreaterThanOrEqual(KILLS + THROWS);
      // Every lost TaskManager is in the exception history as Flink names it, and so is every thrown exception.
      const ex = (await getJson<Exceptions>(`${jm.rest}v1/jobs/${jid}/exceptions`)).body.exceptionHistory
        .entries;
      for (const v of victims)
        expect(
          ex.some((e) => e.stacktrace.includes(`The heartbeat of TaskManager with id ${v} timed out`)),
        ).toBe(true);
      expect(
        ex.filter((e) => e.stacktrace.includes('injected fault (thrown inside the operator')).length,
      ).toBe(THROWS);
      const s = await stats();
      return {
        out,
        committedWhileRunning,
        restarts: end.restarts,
        ms: Date.now() - started,
        restored: s.counts.restored,
        completed: s.counts.completed,
      };
    }

    it(`exactly-once: ${KILLS} SIGKILLed TaskManagers and ${THROWS} exceptions, read_committed output equals the failure-free run`, async () => {
      const run = await runWithFailures('exactly-once', SEED);
      const r = read(run.out, 'read_committed');
      console.log(
        `[fault] standalone exactly-once (seed ${SEED}): ${KILLS} SIGKILLs + ${THROWS} thrown exceptions, ${run.restarts} restarts, ${run.restored} restores, ${run.completed} checkpoints completed, ${r.win.length} window + ${r.join.length} join rows committed, ${run.ms} ms`,
      );
      expect(r.open).toEqual([]);
      expect(run.committedWhileRunning).toBeGreaterThan(0n);
      const none = { missing: 0, extra: 0, sample: [] };
      expect(diffSummary(expected.win, r.win)).toEqual(none);
      expect(diffSummary(expected.join, r.join)).toEqual(none);
      // The killed attempts did write: their rows are in the log, aborted, and read_committed filtered them.
      expect(read(run.out, 'read_uncommitted').join.length).toBeGreaterThan(r.join.length);
    }, 240_000);

    it(`at-least-once: ${KILLS} SIGKILLed TaskManagers and ${THROWS} exceptions, no row lost (duplicates counted)`, async () => {
      const run = await runWithFailures('at-least-once', SEED + 1);
      const r = read(run.out, 'read_committed');
      const win = multisetDiff(expected.win, r.win);
      const join = multisetDiff(expected.join, r.join);
      console.log(
        `[fault] standalone at-least-once (seed ${SEED + 1}): ${KILLS} SIGKILLs + ${THROWS} thrown exceptions, ${run.restarts} restarts; duplicates: ${win.extra.length} of ${r.win.length} window rows, ${join.extra.length} of ${r.join.length} join rows, ${run.ms} ms`,
      );
      expect(win.missing).toEqual([]);
      expect(join.missing).toEqual([]);
      const known = new Set([...expected.win, ...expected.join]);
      expect([...win.extra, ...join.extra].filter((x) => !known.has(x))).toEqual([]);
    }, 240_000);
  },
);
