// The checkpoint coordinator on a manual clock: periodic triggering, completion when every subtask acknowledged,
// timeouts, max concurrent, min pause, tolerable failures, subsumption and the REST statistics (Flink's
// CheckpointCoordinator behaviour; field names of Flink's /jobs/:jobid/checkpoints).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CheckpointCoordinator,
  DEFAULT_CHECKPOINT_CONFIG,
  checkpointConfigFrom,
  type CheckpointConfig,
  type CheckpointTarget,
} from '../../executor/checkpoint/coordinator.js';
import { FileCheckpointStorage } from '../../executor/checkpoint/storage.js';
import { ManualProcessingTimeService } from '../../executor/runtime/time.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-coord-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

interface Events {
  triggered: number[];
  completed: number[];
  aborted: string[];
  failed: string[];
}

function setup(config: Partial<CheckpointConfig>) {
  const clock = new ManualProcessingTimeService(0);
  const events: Events = { triggered: [], completed: [], aborted: [], failed: [] };
  const target: CheckpointTarget = {
    jobId: 'job',
    tasks: ['src/0', 'agg/0', 'agg/1'],
    operators: [],
    triggerSources: (id) => events.triggered.push(id),
    notifyComplete: (id) => events.completed.push(id),
    notifyAborted: (id, reason) => events.aborted.push(`${id}: ${reason}`),
    failJob: (reason) => events.failed.push(reason),
  };
  const storage = new FileCheckpointStorage(root, 3);
  const c = new CheckpointCoordinator({ ...DEFAULT_CHECKPOINT_CONFIG, ...config }, storage, target, clock);
  const ackAll = (id: number, alignmentMs = 0): void => {
    for (const task of target.tasks) {
      const [operator = '', sub = '0'] = task.split('/');
      c.acknowledge(id, {
        task,
        alignmentMs,
        state: [{ operator, subtask: Number(sub), name: 'keyed', data: new Uint8Array([id]) }],
      });
    }
  };
  return { clock, events, c, storage, ackAll };
}

/** Lets asynchronous storage work run (used to show that something does NOT happen). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};
/** Waits for the storage write of a completing checkpoint (real file I/O). */
const completed = (events: Events, ids: number[]): Promise<void> =>
  vi.waitFor(() => expect(events.completed).toEqual(ids), { timeout: 5000, interval: 5 });

describe('CheckpointCoordinator', () => {
  it('triggers on the interval and completes once every subtask acknowledged', async () => {
    const { clock, events, c, storage, ackAll } = setup({ intervalMs: 500 });
    c.start();
    clock.advanceTo(499);
    expect(events.triggered).toEqual([]);
    clock.advanceTo(500);
    expect(events.triggered).toEqual([1]);
    c.acknowledge(1, { task: 'src/0', alignmentMs: 0, state: [] });
    c.acknowledge(1, { task: 'agg/0', alignmentMs: 12, state: [] });
    await settle();
    expect(events.completed).toEqual([]);
    expect(c.statistics().counts.in_progress).toBe(1);
    c.acknowledge(1, {
      task: 'agg/1',
      alignmentMs: 3,
      state: [{ operator: 'agg', subtask: 1, name: 'keyed', data: new Uint8Array(5) }],
    });
    await completed(events, [1]);
    expect(await storage.completedIds()).toEqual([1]);
    const stats = c.statistics();
    expect(stats.counts).toEqual({ restored: 0, total: 1, in_progress: 0, completed: 1, failed: 0 });
    expect(stats.latest.completed).toMatchObject({
      id: 1,
      status: 'COMPLETED',
      state_size: 5,
      alignment_duration: 12,
      num_acknowledged_subtasks: 3,
    });
    expect(stats.latest.completed?.external_path).toBe(path.join(root, 'chk-1'));
    clock.advanceTo(1000);
    expect(events.triggered).toEqual([1, 2]);
    ackAll(2);
    await completed(events, [1, 2]);
  });

  it('does not start a second checkpoint while max-concurrent are in flight, and catches up after', async () => {
    const { clock, events, c, ackAll } = setup({ intervalMs: 100 });
    c.start();
    clock.advanceTo(100);
    clock.advanceTo(350);
    expect(events.triggered).toEqual([1]);
    ackAll(1);
    await completed(events, [1]);
    clock.advanceTo(351);
    expect(events.triggered).toEqual([1, 2]);
  });

  it('waits min-pause after a completion before the next checkpoint', async () => {
    const { clock, events, c, ackAll } = setup({ intervalMs: 100, minPauseMs: 300 });
    c.start();
    clock.advanceTo(100);
    ackAll(1);
    await completed(events, [1]);
    clock.advanceTo(399);
    expect(events.triggered).toEqual([1]);
    clock.advanceTo(400);
    expect(events.triggered).toEqual([1, 2]);
  });

  it('expires a checkpoint after the timeout and fails the job beyond the tolerable failures', async () => {
    const { clock, events, c } = setup({ intervalMs: 100, timeoutMs: 50, tolerableFailures: 1 });
    c.start();
    clock.advanceTo(100);
    clock.advanceTo(150);
    expect(events.aborted).toEqual(['1: checkpoint 1 expired before completing (timeout 50 ms)']);
    expect(events.failed).toEqual([]);
    clock.advanceTo(200);
    clock.advanceTo(250);
    expect(events.failed).toEqual([
      'exceeded checkpoint tolerable failure threshold (1); last failure: checkpoint 2 expired before completing (timeout 50 ms)',
    ]);
    expect(c.statistics().latest.failed).toMatchObject({ id: 2, status: 'FAILED' });
  });

  it('a success resets the consecutive failure count', async () => {
    const { clock, events, c, ackAll } = setup({ intervalMs: 100, timeoutMs: 50, tolerableFailures: 1 });
    c.start();
    clock.advanceTo(150); // 1 expires
    clock.advanceTo(200);
    ackAll(2);
    await completed(events, [2]);
    clock.advanceTo(350); // 3 expires: one consecutive failure again, still tolerated
    expect(events.failed).toEqual([]);
  });

  it('a declining subtask fails the checkpoint with its reason', () => {
    const { clock, events, c } = setup({ intervalMs: 100, tolerableFailures: 5 });
    c.start();
    clock.advanceTo(100);
    c.decline(1, 'agg/1', 'state too large');
    expect(events.aborted).toEqual(['1: subtask agg/1 declined: state too large']);
  });

  it('a completed checkpoint subsumes older pending ones', async () => {
    const { events, c, ackAll } = setup({ maxConcurrent: 2 });
    const first = c.trigger();
    first.catch(() => undefined);
    const second = c.trigger();
    ackAll(2);
    await second;
    await expect(first).rejects.toThrow('subsumed by checkpoint 2');
    expect(events.completed).toEqual([2]);
  });

  it('takes a savepoint on request and stores it self-contained', async () => {
    const { events, c, ackAll } = setup({});
    const sp = c.trigger('savepoint');
    expect(events.triggered).toEqual([1]);
    ackAll(1);
    const md = await sp;
    expect(md.kind).toBe('savepoint');
    expect(c.statistics().latest.savepoint?.external_path).toBe(path.join(root, 'savepoint-1'));
  });

  it('stop aborts what is in flight without counting failures', () => {
    const { clock, events, c } = setup({ intervalMs: 100 });
    c.start();
    clock.advanceTo(100);
    c.stop('job cancelled');
    clock.advanceTo(1000);
    expect(events.aborted).toEqual(['1: job cancelled']);
    expect(events.triggered).toEqual([1]);
    expect(events.failed).toEqual([]);
  });

  it('reads the execution.checkpointing.* keys', () => {
    const conf: Record<string, string> = {
      'execution.checkpointing.interval': '500 ms',
      'execution.checkpointing.mode': 'at-least-once',
      'execution.checkpointing.tolerable-failed-checkpoints': '3',
    };
    const parse = (v: string): number => Number(v.replace(/\s*ms$/, ''));
    expect(checkpointConfigFrom((k) => conf[k], parse)).toEqual({
      ...DEFAULT_CHECKPOINT_CONFIG,
      intervalMs: 500,
      mode: 'AT_LEAST_ONCE',
      tolerableFailures: 3,
    });
    expect(() =>
      checkpointConfigFrom((k) => (k === 'execution.checkpointing.mode' ? 'sometimes' : undefined), parse),
    ).toThrow("'execution.checkpointing.mode' must be EXACTLY_ONCE or AT_LEAST_ONCE, got 'SOMETIMES'");
  });

  it('reads checkpoints-after-tasks-finish under its Flink 2 and Flink 1.x names (default true)', () => {
    const parse = (v: string): number => Number(v);
    const of = (conf: Record<string, string>): boolean | undefined =>
      checkpointConfigFrom((k) => conf[k], parse).checkpointsAfterTasksFinish;
    expect(of({})).toBe(true);
    expect(of({ 'execution.checkpointing.checkpoints-after-tasks-finish': 'false' })).toBe(false);
    expect(of({ 'execution.checkpointing.checkpoints-after-tasks-finish.enabled': 'FALSE' })).toBe(false);
    expect(() => of({ 'execution.checkpointing.checkpoints-after-tasks-finish': 'maybe' })).toThrow(
      "'execution.checkpointing.checkpoints-after-tasks-finish' must be true or false, got 'maybe'",
    );
  });

  it('a task whose input ended gets its final checkpoint at once, not after the interval (FLIP-147)', async () => {
    const { clock, events, c, ackAll } = setup({ intervalMs: 60_000 });
    c.start();
    c.taskInputEnded('src/0');
    clock.advanceTo(0);
    expect(events.triggered).toEqual([1]);
    ackAll(1);
    await completed(events, [1]);
    // Satisfied by checkpoint 1: nothing more until the interval.
    clock.advanceTo(1000);
    expect(events.triggered).toEqual([1]);
    // A task whose input ends while a checkpoint waits for it takes that one: no extra trigger.
    clock.advanceTo(60_000);
    expect(events.triggered).toEqual([1, 2]);
    c.taskInputEnded('agg/0');
    clock.advanceTo(60_001);
    expect(events.triggered).toEqual([1, 2]);
    // That checkpoint aborted (declined): the waiting task gets the next one at once, not 60 s later.
    c.decline(2, 'agg/1', 'test');
    clock.advanceTo(60_002);
    expect(events.triggered).toEqual([1, 2, 3]);
  });

  it('without periodic checkpoints a task whose input ended triggers nothing', () => {
    const { clock, events, c } = setup({ intervalMs: 0 });
    c.start();
    c.taskInputEnded('src/0');
    clock.advanceTo(10_000);
    expect(events.triggered).toEqual([]);
  });
});
