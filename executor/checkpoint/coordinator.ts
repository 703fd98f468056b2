// The checkpoint coordinator (Flink's CheckpointCoordinator): triggers checkpoints on an interval, tells the
// sources to inject barriers, collects every subtask's acknowledgement with its state, writes the completed
// checkpoint (metadata last) and notifies the tasks, so that two-phase-commit sinks commit their transactions only
// for checkpoints that are durable. It is transport-agnostic: `CheckpointTarget` is how it reaches the job, so
// the same coordinator serves the in-thread executor and the JobManager of the cluster.
import type { Cancellable, ProcessingTimeService } from '../runtime/time.js';
import {
  FileCheckpointStorage,
  folderName,
  type CheckpointMetadata,
  type OperatorInfo,
  type SnapshotKind,
} from './storage.js';
import path from 'node:path';

export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';

/** The execution.checkpointing.* options, named as in Flink. */
export interface CheckpointConfig {
  /** execution.checkpointing.interval in ms; 0 or less disables periodic checkpoints (savepoints still work). */
  readonly intervalMs: number;
  /** execution.checkpointing.mode: aligned barriers (exactly-once) or not (at-least-once). */
  readonly mode: CheckpointingMode;
  /** execution.checkpointing.timeout (Flink's default 10 min). */
  readonly timeoutMs: number;
  /** execution.checkpointing.max-concurrent-checkpoints (default 1). */
  readonly maxConcurrent: number;
  /** execution.checkpointing.min-pause: ms between the end of one checkpoint and the start of the next. */
  readonly minPauseMs: number;
  /** execution.checkpointing.tolerable-failed-checkpoints: consecutive failures tolerated before the job fails. */
  readonly tolerableFailures: number;
  /**
   * execution.checkpointing.checkpoints-after-tasks-finish (Flink 1.x: `...checkpoints-after-tasks-finish.enabled`;
   * default true since Flink 1.15): a task whose input ended takes part in one more checkpoint and finishes only
   * once it completed, so two-phase sinks commit their last transaction in notifyCheckpointComplete (FLIP-147).
   * Absent = true. Only with periodic checkpoints (a positive interval), as in Flink.
   */
  readonly checkpointsAfterTasksFinish?: boolean;
}

/** Whether tasks wait for a final checkpoint after their input ended (see checkpointsAfterTasksFinish). */
export function finalCheckpointsEnabled(c: CheckpointConfig): boolean {
  return c.intervalMs > 0 && c.checkpointsAfterTasksFinish !== false;
}

export const DEFAULT_CHECKPOINT_CONFIG: CheckpointConfig = {
  intervalMs: 0,
  mode: 'EXACTLY_ONCE',
  timeoutMs: 10 * 60_000,
  maxConcurrent: 1,
  minPauseMs: 0,
  tolerableFailures: 0,
  checkpointsAfterTasksFinish: true,
};

/** What the coordinator needs of the running job. */
export interface CheckpointTarget {
  readonly jobId: string;
  /** Every subtask that must acknowledge, as `${operator uid}/${subtask}`. */
  readonly tasks: readonly string[];
  readonly operators: readonly OperatorInfo[];
  /** Injects barrier `id` at every source subtask. */
  triggerSources(checkpointId: number, timestamp: number, kind: SnapshotKind): void;
  /** The checkpoint is durable: sinks may commit what they staged for it. */
  notifyComplete(checkpointId: number): void;
  /** The checkpoint will never complete: tasks drop what they keep for it. */
  notifyAborted(checkpointId: number, reason: string): void;
  /** Too many consecutive checkpoint failures (beyond tolerable-failed-checkpoints). */
  failJob(reason: string): void;
}

export interface SubtaskAck {
  readonly task: string;
  readonly state: readonly {
    readonly operator: string;
    readonly subtask: number;
    readonly name: string;
    readonly data: Uint8Array;
  }[];
  /** How long the subtask waited for barriers on all inputs (0 in at-least-once mode). */
  readonly alignmentMs: number;
}

export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One row of the history, in the field names of Flink's REST API (/jobs/:jobid/checkpoints). */
export interface CheckpointStats {
  readonly id: number;
  status: CheckpointStatus;
  readonly is_savepoint: boolean;
  readonly checkpoint_type: 'CHECKPOINT' | 'SAVEPOINT';
  readonly trigger_timestamp: number;
  latest_ack_timestamp: number;
  state_size: number;
  checkpointed_size: number;
  end_to_end_duration: number;
  alignment_duration: number;
  readonly num_subtasks: number;
  num_acknowledged_subtasks: number;
  external_path: string | null;
  failure_message: string | null;
}

export interface CheckpointingStatistics {
  readonly counts: {
    restored: number;
    total: number;
    in_progress: number;
    completed: number;
    failed: number;
  };
  readonly latest: {
    completed: CheckpointStats | null;
    savepoint: CheckpointStats | null;
    failed: CheckpointStats | null;
    restored: { id: number; restore_timestamp: number; external_path: string } | null;
  };
  readonly history: readonly CheckpointStats[];
}

/** Flink's /jobs/:jid/checkpoints/config (CheckpointConfigInfo). */
export interface CheckpointConfigInfo {
  readonly mode: 'exactly_once' | 'at_least_once';
  readonly interval: number;
  readonly timeout: number;
  readonly min_pause: number;
  readonly max_concurrent: number;
  readonly externalization: { readonly enabled: boolean; readonly delete_on_cancellation: boolean };
  readonly state_backend: string;
  readonly checkpoint_storage: string;
  readonly unaligned_checkpoints: boolean;
  readonly tolerable_failed_checkpoints: number;
  readonly aligned_checkpoint_timeout: number;
  readonly checkpoints_after_tasks_finish: boolean;
  readonly state_changelog_enabled: boolean;
}

/** One vertex's part of a checkpoint, in Flink's REST names (TaskCheckpointStatistics). */
export interface TaskCheckpointStats {
  readonly id: number;
  readonly status: CheckpointStatus;
  readonly latest_ack_timestamp: number;
  readonly state_size: number;
  readonly checkpointed_size: number;
  readonly end_to_end_duration: number;
  readonly alignment_duration: number;
  readonly num_subtasks: number;
  readonly num_acknowledged_subtasks: number;
}

/** /jobs/:jid/checkpoints/details/:id: the checkpoint's row plus its tasks by vertex id. */
export type CheckpointDetails = CheckpointStats & {
  readonly tasks: Readonly<Record<string, TaskCheckpointStats>>;
};

interface TaskAck {
  readonly task: string;
  readonly at: number;
  readonly bytes: number;
  readonly alignmentMs: number;
}

interface Pending {
  readonly id: number;
  readonly kind: SnapshotKind;
  readonly timestamp: number;
  readonly waiting: Set<string>;
  readonly acks: SubtaskAck[];
  readonly stats: CheckpointStats;
  readonly timeout: Cancellable;
  readonly done: { resolve: (m: CheckpointMetadata) => void; reject: (e: Error) => void };
  /** A savepoint's target directory, when not the job's checkpoint storage. */
  readonly targetDir: string | null;
}

const HISTORY_SIZE = 10;

export class CheckpointCoordinator {
  private nextId: number;
  private readonly pending = new Map<number, Pending>();
  private timer: Cancellable | null = null;
  private lastCompletedAt = Number.NEGATIVE_INFINITY;
  private consecutiveFailures = 0;
  private stopped = false;
  private readonly history: CheckpointStats[] = [];
  /** Per checkpoint of the history, each task's acknowledgement (for the details view). */
  private readonly taskAcks = new Map<number, TaskAck[]>();
  private readonly counts = { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 };
  private readonly latest: CheckpointingStatistics['latest'] = {
    completed: null,
    savepoint: null,
    failed: null,
    restored: null,
  };

  constructor(
    private readonly config: CheckpointConfig,
    private readonly storage: FileCheckpointStorage,
    private readonly target: CheckpointTarget,
    private readonly clock: ProcessingTimeService,
    /** The first id: after a restore, one past the restored checkpoint's (ids never repeat within a job). */
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  /** The id the next checkpoint gets (a restarted job continues the sequence: ids never repeat). */
  get nextCheckpointId(): number {
    return this.nextId;
  }

  /** Starts periodic checkpoints (no-op when the interval is not positive). */
  start(): void {
    this.started = true;
    if (this.config.intervalMs > 0) this.schedule(this.config.intervalMs);
    // Tasks whose input ended before every task ran (a tiny bounded source) wait for their final checkpoint.
    if (this.awaitingFinal.size > 0) this.triggerFinalSoon();
  }
  private started = false;

  /**
   * Stops triggering and aborts what is in flight (job finished, failed or cancelled); resolves once no storage
   * write is running any more, so that nothing writes into the checkpoint folder after the job ended.
   */
  async stop(reason: string): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    // A checkpoint every task acknowledged is being written: it completes (its state is consistent and whole).
    for (const p of [...this.pending.values()]) if (p.waiting.size > 0) this.abort(p, reason, false);
    await Promise.all([...this.writes]);
  }

  private readonly writes = new Set<Promise<void>>();
  /** Tasks that finished, with the marker state they acknowledge every later checkpoint with. */
  private readonly finished = new Map<string, SubtaskAck>();

  /**
   * A task finished (its input ended and it emitted everything): it acknowledges the checkpoints it still owes
   * and every later one with `ack` (a "finished" marker, so that a restore does not run it again), as Flink's
   * checkpoints after tasks finished (FLIP-147).
   */
  taskFinished(ack: SubtaskAck): void {
    this.awaitingFinal.delete(ack.task);
    this.finished.set(ack.task, ack);
    for (const p of [...this.pending.values()]) if (p.waiting.has(ack.task)) this.acknowledge(p.id, ack);
  }

  /**
   * Per task whose input ended and that waits for its final checkpoint (FLIP-147): the first checkpoint id that
   * snapshots it after its end. A checkpoint still waiting for the task counts (the task takes it directly once its
   * input ended); one it acknowledged before does not.
   */
  private readonly awaitingFinal = new Map<string, number>();

  /**
   * A task's input ended and it waits for a checkpoint to commit what it sealed (checkpoints-after-tasks-finish).
   * Flink waits for the next periodic checkpoint; here one is triggered at once (after min-pause) when none is in
   * flight, so that a bounded job does not idle for a whole interval at its end.
   */
  taskInputEnded(task: string): void {
    if (this.stopped || this.finished.has(task)) return;
    let first = this.nextId;
    for (const p of this.pending.values()) if (p.waiting.has(task) && p.id < first) first = p.id;
    this.awaitingFinal.set(task, first);
    if (this.started && first === this.nextId) this.triggerFinalSoon();
  }

  /** The next checkpoint as soon as min-pause and max-concurrent-checkpoints allow (not a whole interval later). */
  private triggerFinalSoon(): void {
    if (this.stopped || this.config.intervalMs <= 0) return;
    if (this.pending.size >= this.config.maxConcurrent) return; // the next completion or abort re-arms
    const wait = Math.max(0, this.config.minPauseMs - (this.clock.now() - this.lastCompletedAt));
    this.schedule(wait);
  }

  /** The settings this coordinator runs with (REST /checkpoints/config). */
  get settings(): CheckpointConfig {
    return this.config;
  }

  /**
   * Takes over the statistics of the coordinator of the previous attempt of the same job: a restarted job keeps
   * one history and one set of counts, as Flink's CheckpointStatsTracker lives with the job, not the attempt.
   */
  continueFrom(prev: CheckpointCoordinator): void {
    this.history.push(...prev.history);
    for (const [id, acks] of prev.taskAcks) this.taskAcks.set(id, acks);
    Object.assign(this.counts, prev.counts, { in_progress: 0 });
    Object.assign(this.latest, prev.latest);
    this.lastCompletedAt = prev.lastCompletedAt;
  }

  /** One checkpoint of the history with its tasks grouped by vertex (tasks are named `${vertex}/${subtask}`). */
  details(id: number): CheckpointDetails | null {
    const stats = this.history.find((h) => h.id === id);
    if (stats === undefined) return null;
    const byVertex = new Map<string, { total: number; acks: TaskAck[] }>();
    for (const t of this.target.tasks) {
      const v = t.slice(0, t.lastIndexOf('/'));
      const e = byVertex.get(v) ?? { total: 0, acks: [] };
      e.total++;
      byVertex.set(v, e);
    }
    for (const a of this.taskAcks.get(id) ?? [])
      byVertex.get(a.task.slice(0, a.task.lastIndexOf('/')))?.acks.push(a);
    const tasks: Record<string, TaskCheckpointStats> = {};
    for (const [v, e] of byVertex) {
      const latest = Math.max(stats.trigger_timestamp, ...e.acks.map((a) => a.at));
      const size = e.acks.reduce((n, a) => n + a.bytes, 0);
      tasks[v] = {
        id,
        status: stats.status,
        latest_ack_timestamp: latest,
        state_size: size,
        checkpointed_size: size,
        end_to_end_duration: e.acks.length === 0 ? 0 : latest - stats.trigger_timestamp,
        alignment_duration: Math.max(0, ...e.acks.map((a) => a.alignmentMs)),
        num_subtasks: e.total,
        num_acknowledged_subtasks: e.acks.length,
      };
    }
    return { ...stats, tasks };
  }

  /** Records that the job was restored from `id` (shown as `latest.restored`). */
  noteRestored(id: number, externalPath: string): void {
    this.counts.restored++;
    this.latest.restored = { id, restore_timestamp: this.clock.now(), external_path: externalPath };
  }

  /** A checkpoint now, outside the schedule; resolves when it is complete. Savepoints ignore the concurrency limits. */
  trigger(kind: SnapshotKind = 'checkpoint', targetDir: string | null = null): Promise<CheckpointMetadata> {
    if (this.stopped) return Promise.reject(new Error('the job is not running; no checkpoint can be taken'));
    return this.startCheckpoint(kind, kind === 'savepoint' ? targetDir : null);
  }

  /** Where checkpoint or savepoint `id` was written (complete ones only). */
  pathOf(id: number): string | null {
    return this.history.find((h) => h.id === id && h.status === 'COMPLETED')?.external_path ?? null;
  }

  acknowledge(checkpointId: number, ack: SubtaskAck): void {
    const p = this.pending.get(checkpointId);
    // Late acks of expired or aborted checkpoints are normal (Flink logs and discards them).
    if (p === undefined || !p.waiting.delete(ack.task)) return;
    p.acks.push(ack);
    const now = this.clock.now();
    p.stats.num_acknowledged_subtasks++;
    p.stats.latest_ack_timestamp = now;
    p.stats.alignment_duration = Math.max(p.stats.alignment_duration, ack.alignmentMs);
    let bytes = 0;
    for (const s of ack.state) bytes += s.data.byteLength;
    p.stats.state_size += bytes;
    this.taskAcks.get(p.id)?.push({ task: ack.task, at: now, bytes, alignmentMs: ack.alignmentMs });
    if (p.waiting.size === 0) {
      const w = this.complete(p);
      this.writes.add(w);
      void w.finally(() => this.writes.delete(w));
    }
  }

  /** A subtask could not take its snapshot: the checkpoint fails (and counts towards tolerable failures). */
  decline(checkpointId: number, task: string, reason: string): void {
    const p = this.pending.get(checkpointId);
    if (p !== undefined) this.abort(p, `subtask ${task} declined: ${reason}`, true);
  }

  statistics(): CheckpointingStatistics {
    return {
      counts: { ...this.counts, in_progress: this.pending.size },
      latest: { ...this.latest },
      history: [...this.history],
    };
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.clock.schedule(this.clock.now() + delay, () => {
      this.timer = null;
      this.periodicTrigger();
    });
  }

  private periodicTrigger(): void {
    if (this.stopped) return;
    const sinceLast = this.clock.now() - this.lastCompletedAt;
    if (this.pending.size >= this.config.maxConcurrent) {
      // Flink queues the request; the next completion re-arms the timer.
      return;
    }
    if (sinceLast < this.config.minPauseMs) {
      this.schedule(this.config.minPauseMs - sinceLast);
      return;
    }
    this.startCheckpoint('checkpoint').catch(() => undefined);
    this.schedule(this.config.intervalMs);
  }

  private startCheckpoint(kind: SnapshotKind, targetDir: string | null = null): Promise<CheckpointMetadata> {
    const id = this.nextId++;
    const timestamp = this.clock.now();
    let done!: Pending['done'];
    const promise = new Promise<CheckpointMetadata>((resolve, reject) => (done = { resolve, reject }));
    const stats: CheckpointStats = {
      id,
      status: 'IN_PROGRESS',
      is_savepoint: kind === 'savepoint',
      checkpoint_type: kind === 'savepoint' ? 'SAVEPOINT' : 'CHECKPOINT',
      trigger_timestamp: timestamp,
      latest_ack_timestamp: timestamp,
      state_size: 0,
      checkpointed_size: 0,
      end_to_end_duration: 0,
      alignment_duration: 0,
      num_subtasks: this.target.tasks.length,
      num_acknowledged_subtasks: 0,
      external_path: null,
      failure_message: null,
    };
    const p: Pending = {
      id,
      kind,
      timestamp,
      waiting: new Set(this.target.tasks),
      acks: [],
      stats,
      timeout: this.clock.schedule(timestamp + this.config.timeoutMs, () => {
        if (this.pending.get(id) === p)
          this.abort(
            p,
            `checkpoint ${id} expired before completing (timeout ${this.config.timeoutMs} ms)`,
            true,
          );
      }),
      done,
      targetDir,
    };
    this.pending.set(id, p);
    this.counts.total++;
    this.record(stats);
    this.target.triggerSources(id, timestamp, kind);
    for (const ack of this.finished.values()) this.acknowledge(id, ack);
    return promise;
  }

  private async complete(p: Pending): Promise<void> {
    p.timeout.cancel();
    try {
      const storage = p.targetDir === null ? this.storage : new FileCheckpointStorage(p.targetDir);
      const md = await storage.store({
        jobId: this.target.jobId,
        checkpointId: p.id,
        kind: p.kind,
        timestamp: p.timestamp,
        operators: this.target.operators,
        state: p.acks.flatMap((a) => a.state),
      });
      if (this.pending.get(p.id) !== p) return; // aborted while writing (job stopped)
      this.pending.delete(p.id);
      const now = this.clock.now();
      p.stats.status = 'COMPLETED';
      p.stats.end_to_end_duration = now - p.timestamp;
      p.stats.checkpointed_size = md.incrementalSize;
      p.stats.external_path = path.join(storage.root, folderName(p.kind, p.id));
      this.counts.completed++;
      if (p.kind === 'savepoint') this.latest.savepoint = p.stats;
      else this.latest.completed = p.stats;
      this.consecutiveFailures = 0;
      this.lastCompletedAt = now;
      // Older pending checkpoints are subsumed by this one, as in Flink: their barriers were overtaken.
      for (const older of [...this.pending.values()]) {
        if (older.id < p.id && older.kind === 'checkpoint')
          this.abort(older, `subsumed by checkpoint ${p.id}`, false);
      }
      for (const [task, first] of [...this.awaitingFinal]) if (first <= p.id) this.awaitingFinal.delete(task);
      this.target.notifyComplete(p.id);
      p.done.resolve(md);
      if (this.awaitingFinal.size > 0) this.triggerFinalSoon();
      else if (this.config.intervalMs > 0 && this.timer === null)
        this.schedule(Math.max(this.config.minPauseMs, 0));
    } catch (e) {
      this.abort(p, `writing checkpoint ${p.id} failed: ${(e as Error).message}`, true);
    }
  }

  private abort(p: Pending, reason: string, countsAsFailure: boolean): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    p.timeout.cancel();
    p.stats.status = 'FAILED';
    p.stats.failure_message = reason;
    p.stats.end_to_end_duration = this.clock.now() - p.timestamp;
    this.counts.failed++;
    this.latest.failed = p.stats;
    this.target.notifyAborted(p.id, reason);
    p.done.reject(new Error(reason));
    if (countsAsFailure && p.kind === 'checkpoint' && !this.stopped) {
      this.consecutiveFailures++;
      if (this.consecutiveFailures > this.config.tolerableFailures) {
        this.target.failJob(
          `exceeded checkpoint tolerable failure threshold (${this.config.tolerableFailures}); last failure: ${reason}`,
        );
      }
    }
    if (this.awaitingFinal.size > 0) this.triggerFinalSoon();
    else if (this.config.intervalMs > 0 && this.timer === null && !this.stopped)
      this.schedule(this.config.minPauseMs);
  }

  private record(s: CheckpointStats): void {
    this.history.unshift(s);
    this.taskAcks.set(s.id, []);
    if (this.history.length > HISTORY_SIZE) {
      const old = this.history.pop();
      if (old !== undefined) this.taskAcks.delete(old.id);
    }
  }
}

/** Reads the execution.checkpointing.* keys (Flink 2 names; `state.checkpoints.*` accepted as the old names). */
export function checkpointConfigFrom(
  get: (key: string) => string | undefined,
  parseDuration: (v: string) => number,
): CheckpointConfig {
  const dur = (k: string, d: number): number => {
    const v = get(k);
    return v === undefined ? d : parseDuration(v);
  };
  const int = (k: string, d: number): number => {
    const v = get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`'${k}' must be a non-negative integer, got '${v}'`);
    return n;
  };
  const bool = (k: string, d: boolean): boolean => {
    const v = get(k)?.toLowerCase();
    if (v === undefined) return d;
    if (v !== 'true' && v !== 'false') throw new Error(`'${k}' must be true or false, got '${v}'`);
    return v === 'true';
  };
  const mode = (get('execution.checkpointing.mode') ?? 'EXACTLY_ONCE').toUpperCase().replaceAll('-', '_');
  if (mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') {
    throw new Error(`'execution.checkpointing.mode' must be EXACTLY_ONCE or AT_LEAST_ONCE, got '${mode}'`);
  }
  return {
    intervalMs: dur('execution.checkpointing.interval', 0),
    mode,
    timeoutMs: dur('execution.checkpointing.timeout', DEFAULT_CHECKPOINT_CONFIG.timeoutMs),
    maxConcurrent: Math.max(1, int('execution.checkpointing.max-concurrent-checkpoints', 1)),
    minPauseMs: dur('execution.checkpointing.min-pause', 0),
    tolerableFailures: int('execution.checkpointing.tolerable-failed-checkpoints', 0),
    checkpointsAfterTasksFinish: bool(
      'execution.checkpointing.checkpoints-after-tasks-finish',
      bool('execution.checkpointing.checkpoints-after-tasks-finish.enabled', true),
    ),
  };
}
