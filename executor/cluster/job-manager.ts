// The JobManager of one job: its ExecutionGraph (every vertex × subtask with its state, attempt, slot and latest
// metrics), scheduling with slot sharing (subtask i of every vertex goes to the job's slot i, so a job needs as
// many slots as its highest parallelism, as in Flink), deployment with the channels between slots, the job status
// machine, and failover: a failed task or a lost TaskManager cancels the attempt and, if the restart strategy
// allows, deploys a new attempt after its delay. With checkpointing on, the JobManager is the checkpoint
// coordinator (executor/checkpoint/coordinator.ts): it triggers barriers in the slots, receives each subtask's
// acknowledgement with its state bytes, writes the checkpoint (metadata last), tells the slots it is complete, and
// deploys a restarted attempt with the state of the latest completed checkpoint.
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  CheckpointCoordinator,
  finalCheckpointsEnabled,
  type CheckpointConfigInfo,
  type CheckpointDetails,
  type CheckpointingStatistics,
} from '../checkpoint/coordinator.js';
import { operatorInfos, stateByTask, stateHandleNames } from '../checkpoint/layout.js';
import { FileCheckpointStorage, loadCheckpoint, type LoadedCheckpoint } from '../checkpoint/storage.js';
import { operatorUids } from '../checkpoint/uids.js';
import { FINISHED_MARKER } from '../runtime/subtask.js';
import { SystemProcessingTimeService } from '../runtime/time.js';
import type { RecordBatch } from '../batch/batch.js';
import type { JobGraph, JobVertex } from '../graph/job-graph.js';
import type { SinkWriter } from '../runtime/operator.js';
import { targetsOf } from '../runtime/partitioner.js';
import { CancelledError } from '../runtime/errors.js';
import type { Schema } from '../types/schema.js';
import type { ExceptionInfo, ExecutionState, JobState, RootExceptionInfo } from './api.js';
import type { ExecutingJob, SubtaskSnapshot } from './dispatcher-context.js';
import { decodeElement } from './frame.js';
import { JobStatusMachine } from './job-status.js';
import {
  channelKey,
  DEFAULT_SLOT_EXECUTION,
  type FromSlot,
  type JobCheckpointing,
  type JobSpec,
  type ResultWire,
  type SerializedError,
  type StateEntryWire,
  type SubtaskReport,
} from './protocol.js';
import type { ResourceManager } from './resource-manager.js';
import type { RestartStrategy } from './restart-strategy.js';
import type { SlotHandle as Slot, SlotHeartbeat, TaskManagerHandle as TaskManager } from './task-manager.js';

export interface JobManagerOptions {
  readonly rm: ResourceManager;
  readonly restartStrategy: RestartStrategy;
  readonly slotRequestTimeoutMs: number;
  /** How long a cancelled attempt may take to stop before its slots' threads are replaced. */
  readonly cancelTimeoutMs: number;
}

/** One subtask of the ExecutionGraph (Flink's ExecutionVertex with its current Execution). */
export interface ExecutionVertex {
  readonly vertex: JobVertex;
  /** The vertex's position in the graph's topological order: how slots name it (ids may differ per thread). */
  readonly position: number;
  readonly index: number;
  state: ExecutionState;
  attempt: number;
  slot: Slot | null;
  startTime: number;
  endTime: number;
  report: SubtaskReport | null;
  /** Records per second over the last two reports. */
  inRate: number;
  outRate: number;
  /** Busy / idle / backpressured share of the last reporting interval. */
  ratios: { busy: number; idle: number; backpressured: number };
  prev: { at: number; in: number; out: number; idle: number; bp: number } | null;
}

export interface ClusterJobResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly netRuntimeMs: number;
  readonly restarts: number;
  readonly metrics: Readonly<Record<string, number>>;
}

const TERMINAL: ReadonlySet<ExecutionState> = new Set(['FINISHED', 'CANCELED', 'FAILED']);
const CLOCK = new SystemProcessingTimeService();

/** A completed checkpoint's "complete" notification, until every slot of the attempt said its commits settled. */
interface CommitWait {
  readonly slots: Set<Slot>;
  readonly done: Promise<void>;
  resolve(): void;
}

/** A query's rows arriving from the slot that runs its collect sink, written to the client's sink in order. */
class ResultReceiver {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  finished = false;
  private finishedWaiter: (() => void) | null = null;
  failure: unknown = null;

  constructor(
    private readonly port: MessagePort,
    schema: Schema,
    private readonly sink: SinkWriter,
    capacity: number,
  ) {
    port.on('message', (m: ResultWire) => {
      if (this.closed || 'credit' in m) return;
      this.chain = this.chain.then(async () => {
        if (this.closed) return;
        try {
          switch (m.kind) {
            case 'batch': {
              const el = decodeElement(m.frame, schema);
              if (el.kind === 'batch') await this.sink.write(el.batch as RecordBatch);
              port.postMessage({ credit: 1 } satisfies ResultWire);
              return;
            }
            case 'watermark':
              this.sink.writeWatermark?.(m.timestamp);
              return;
            case 'finish':
              await this.sink.finish();
              this.finished = true;
              this.finishedWaiter?.();
              return;
          }
        } catch (e) {
          this.failure ??= e;
        }
      });
    });
    port.postMessage({ credit: capacity } satisfies ResultWire);
  }

  /** Resolves once the sink saw `finish` (the result port is separate from the slot's, so it may lag). */
  whenFinished(): Promise<void> {
    if (this.finished) return this.chain;
    return new Promise<void>((r) => (this.finishedWaiter = r)).then(() => this.chain);
  }

  /** A cancelled attempt's rows stop here. */
  close(): void {
    this.closed = true;
    this.port.close();
  }
}

export class JobManager {
  readonly status: JobStatusMachine;
  readonly executions: ExecutionVertex[] = [];
  /** The exception history, oldest first: one entry per failover, later failures of it as its concurrent ones. */
  private readonly failures: { readonly root: ExceptionInfo; readonly concurrent: ExceptionInfo[] }[] = [];
  restarts = 0;
  readonly startTime = Date.now();
  endTime = -1;
  private attempt = 0;
  private slots: Slot[] = [];
  private receiver: ResultReceiver | null = null;
  private readonly cancelled = new AbortController();
  private readonly result: Promise<ClusterJobResult>;
  private settle!: { resolve: (r: ClusterJobResult) => void; reject: (e: unknown) => void };
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private stateWaiters: Array<() => void> = [];
  private readonly byKey = new Map<string, ExecutionVertex>();
  /** Checkpointing of the job (null = off) and where its checkpoints go (`<dir>/<job id>`). */
  private readonly cp: JobCheckpointing | null;
  readonly checkpointStorage: FileCheckpointStorage | null;
  /** The current attempt's coordinator; a restarted attempt gets a new one that continues the statistics. */
  private coordinator: CheckpointCoordinator | null = null;
  /** True once every subtask of the current attempt runs: only then are barriers injected. */
  private tasksRunning = false;
  private readonly uids: Map<number, string>;
  /** The savepoint the job started from (execution.savepoint.path): the fallback when no checkpoint completed. */
  private restoredFrom: LoadedCheckpoint | null = null;
  private readonly commits = new Map<number, CommitWait>();

  constructor(
    readonly jobId: string,
    readonly spec: JobSpec,
    readonly graph: JobGraph,
    private readonly resultSink: SinkWriter | null,
    private readonly opts: JobManagerOptions,
  ) {
    this.status = new JobStatusMachine();
    graph.vertices.forEach((v, position) => {
      for (let i = 0; i < v.parallelism; i++) {
        const e: ExecutionVertex = {
          vertex: v,
          position,
          index: i,
          state: 'CREATED',
          attempt: 0,
          slot: null,
          startTime: -1,
          endTime: -1,
          report: null,
          inRate: 0,
          outRate: 0,
          ratios: { busy: 0, idle: 0, backpressured: 0 },
          prev: null,
        };
        this.executions.push(e);
        this.byKey.set(`${position}/${i}`, e);
      }
    });
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.result.catch(() => undefined);
    // Per operator, as LocalJob: a savepoint of either executor restores on the other (checkpoint/layout.ts).
    this.uids = operatorUids(graph);
    this.cp = spec.checkpointing ?? null;
    this.checkpointStorage =
      this.cp === null
        ? null
        : new FileCheckpointStorage(
            path.join(this.cp.dir.replace(/^file:\/\//, ''), jobId),
            this.cp.numRetained,
            (m) => process.emitWarning(m, { code: 'FRESHET_CHECKPOINT' }),
          );
  }

  /** The checkpoint statistics (Flink's /jobs/:jid/checkpoints), null without checkpointing. */
  checkpointStatistics(): CheckpointingStatistics | null {
    return this.coordinator?.statistics() ?? null;
  }

  /** One checkpoint of the history with its per-vertex figures, null when unknown. */
  checkpointDetails(id: number): CheckpointDetails | null {
    return this.coordinator?.details(id) ?? null;
  }

  /** The job's checkpointing settings in Flink's REST shape, null without checkpointing. */
  checkpointConfig(): CheckpointConfigInfo | null {
    const cp = this.cp;
    if (cp === null) return null;
    return {
      mode: cp.config.mode === 'EXACTLY_ONCE' ? 'exactly_once' : 'at_least_once',
      interval: cp.config.intervalMs > 0 ? cp.config.intervalMs : Number.MAX_SAFE_INTEGER,
      timeout: cp.config.timeoutMs,
      min_pause: cp.config.minPauseMs,
      max_concurrent: cp.config.maxConcurrent,
      externalization: {
        enabled: cp.retention !== 'NO_EXTERNALIZED_CHECKPOINTS',
        delete_on_cancellation: cp.retention === 'DELETE_ON_CANCELLATION',
      },
      state_backend: 'HashMapStateBackend',
      checkpoint_storage: 'FileSystemCheckpointStorage',
      unaligned_checkpoints: false,
      tolerable_failed_checkpoints: cp.config.tolerableFailures,
      aligned_checkpoint_timeout: 0,
      checkpoints_after_tasks_finish: cp.config.checkpointsAfterTasksFinish !== false,
      state_changelog_enabled: false,
    };
  }

  /** A checkpoint now (outside the interval); resolves to its folder once it is complete. */
  async triggerCheckpoint(kind: 'checkpoint' | 'savepoint' = 'checkpoint', targetDir: string | null = null): Promise<string> {
    const c = this.coordinator;
    if (this.cp === null || c === null)
      throw new Error("a checkpoint or savepoint needs checkpointing on (SET 'execution.checkpointing.interval')");
    // Flink declines a trigger while tasks are not all running (NOT_ALL_REQUIRED_TASKS_RUNNING): a barrier sent
    // to a slot still deploying would be lost and the checkpoint would only expire.
    if (this.state !== 'RUNNING' || !this.tasksRunning)
      throw new Error(`job ${this.jobId} is ${this.state}, not all of its tasks are running; no ${kind} can be taken now`);
    const md = await c.trigger(kind, targetDir);
    return c.pathOf(md.checkpointId) as string;
  }

  /**
   * Flink's stop-with-savepoint: a savepoint (into `targetDir`, or the job's checkpoint folder), then, once every
   * slot's sinks committed what they sealed for it, the job is cancelled. Resolves to the savepoint's folder.
   */
  async stopWithSavepoint(targetDir: string | null = null): Promise<string> {
    const c = this.coordinator;
    if (this.cp === null || c === null)
      throw new Error("a savepoint needs checkpointing on (SET 'execution.checkpointing.interval')");
    if (this.state !== 'RUNNING' || !this.tasksRunning)
      throw new Error(`job ${this.jobId} is ${this.state}, not all of its tasks are running; no savepoint can be taken now`);
    const md = await c.trigger('savepoint', targetDir);
    const where = c.pathOf(md.checkpointId) as string;
    // The job may end (or fail over) meanwhile: then nothing more is committed, and the wait ends with it.
    await Promise.race([
      this.commits.get(md.checkpointId)?.done ?? Promise.resolve(),
      this.result.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    await this.cancel();
    return where;
  }

  get jobName(): string {
    return this.spec.name;
  }

  get state(): JobState {
    return this.status.state;
  }

  get parallelism(): number {
    return Math.max(1, ...this.graph.vertices.map((v) => v.parallelism));
  }

  getJobExecutionResult(): Promise<ClusterJobResult> {
    return this.result;
  }

  /** Where each subtask runs: `tm-1/slot-0` and the slot's thread id. */
  placement(): Array<{ vertex: number; index: number; slot: string | null; threadId: number }> {
    return this.executions.map((e) => ({
      vertex: e.position,
      index: e.index,
      slot: e.slot?.id ?? null,
      threadId: e.slot?.threadId ?? -1,
    }));
  }

  start(): void {
    // Slot threads are unref'd; the job keeps the embedding process alive while it runs (as LocalJob does).
    this.keepAlive = setInterval(() => {}, 1 << 30);
    void this.deploy();
  }

  private async deploy(): Promise<void> {
    const attempt = this.attempt;
    let restored: Map<string, Map<string, Uint8Array>> | null = null;
    try {
      restored = await this.restoreState();
    } catch (e) {
      // A savepoint the user named that does not verify, or a state file of the latest checkpoint that fails its
      // checksum: the job fails rather than starting with state missing (as LocalJob).
      this.recordException(e, null, null);
      if (this.status.can('FAILING')) this.status.transition('FAILING');
      this.status.transition('FAILED');
      return this.end(e);
    }
    if (this.cancelled.signal.aborted) return this.finishCancel();
    let slots: Slot[];
    try {
      slots = await this.opts.rm.request(
        this.jobId,
        this.parallelism,
        this.opts.slotRequestTimeoutMs,
        this.cancelled.signal,
      );
    } catch (e) {
      if (this.cancelled.signal.aborted) return this.finishCancel();
      this.recordException(e, null, null);
      if (this.status.can('FAILING')) this.status.transition('FAILING');
      this.status.transition('FAILED');
      return this.end(e);
    }
    if (this.cancelled.signal.aborted) {
      this.opts.rm.release(slots);
      return this.finishCancel();
    }
    this.slots = slots;
    this.startCoordinator(restored);
    const ports: Array<Record<string, MessagePort>> = slots.map(() => ({}));
    const transfers: MessagePort[][] = slots.map(() => []);
    const byId = new Map(this.graph.vertices.map((v) => [v.id, v]));
    // The same channel enumeration as every slot (slot-worker.ts); a channel inside one slot needs no port.
    this.graph.vertices.forEach((v, vp) =>
      v.outputs.forEach((e, k) => {
        const down = byId.get(e.target) as JobVertex;
        for (let i = 0; i < v.parallelism; i++)
          for (const j of targetsOf(e.edge.partitioner, i, v.parallelism, down.parallelism)) {
            if (i === j) continue;
            const { port1, port2 } = new MessageChannel();
            const key = channelKey(vp, k, i, j);
            (ports[i] as Record<string, MessagePort>)[key] = port1;
            (ports[j] as Record<string, MessagePort>)[key] = port2;
            (transfers[i] as MessagePort[]).push(port1);
            (transfers[j] as MessagePort[]).push(port2);
          }
      }),
    );
    let resultPort: MessagePort | null = null;
    const collect = this.graph.vertices.find((v) =>
      v.chain.some((n) => n.body.kind === 'sink' && n.name === 'collect'),
    );
    if (this.resultSink !== null && collect !== undefined) {
      const { port1, port2 } = new MessageChannel();
      const schema = (
        collect.chain.find((n) => n.body.kind === 'sink' && n.name === 'collect') as { outputSchema: Schema }
      ).outputSchema;
      this.receiver = new ResultReceiver(
        port1,
        schema,
        this.resultSink,
        this.spec.execution?.credits ?? DEFAULT_SLOT_EXECUTION.credits,
      );
      resultPort = port2;
    }
    for (const e of this.executions) {
      e.slot = slots[e.index] as Slot;
      e.attempt = attempt;
      e.state = 'DEPLOYING';
      e.startTime = Date.now();
      e.endTime = -1;
    }
    this.status.transition('RUNNING');
    slots.forEach((slot, s) => {
      const subtasks = this.executions
        .filter((e) => e.index === s)
        .map((e) => [e.position, e.index] as const);
      const rp = s === 0 ? resultPort : null;
      const state = this.restoredFor(restored, subtasks);
      slot.post(
        {
          type: 'deploy',
          jobId: this.jobId,
          attempt,
          spec: this.spec,
          subtasks,
          ports: ports[s] as Record<string, MessagePort>,
          resultPort: rp,
          ...(this.cp === null
            ? {}
            : { checkpointMode: this.cp.config.mode, finalCheckpoint: finalCheckpointsEnabled(this.cp.config) }),
          ...(state === null ? {} : { restored: state }),
        },
        [...(transfers[s] as MessagePort[]), ...(rp !== null ? [rp] : [])],
      );
    });
  }

  /**
   * The state the next attempt starts from: the first attempt from execution.savepoint.path (if set), a restarted
   * one from the latest completed checkpoint that verifies, else from that savepoint, else empty. Keyed by
   * `${vertex position}/${subtask}`; null without checkpointing or without anything to restore.
   */
  private async restoreState(): Promise<Map<string, Map<string, Uint8Array>> | null> {
    const cp = this.cp;
    const storage = this.checkpointStorage;
    if (cp === null || storage === null) return null;
    let from: LoadedCheckpoint | null;
    if (this.attempt === 0) {
      if (cp.restorePath === null) return null;
      from = this.restoredFrom = await loadCheckpoint(cp.restorePath.replace(/^file:\/\//, ''));
    } else from = (await storage.latest()) ?? this.restoredFrom;
    if (from === null) return null;
    this.restoreSource = from;
    const pos = new Map(this.graph.vertices.map((v, p) => [v.id, p]));
    return stateByTask(from, this.graph, this.uids, (v) => String(pos.get(v.id)));
  }

  /** What the attempt being deployed was restored from (for `latest.restored` and the next checkpoint id). */
  private restoreSource: LoadedCheckpoint | null = null;

  private restoredFor(
    restored: Map<string, Map<string, Uint8Array>> | null,
    subtasks: readonly (readonly [number, number])[],
  ): Record<string, StateEntryWire[]> | null {
    if (restored === null) return null;
    const out: Record<string, StateEntryWire[]> = {};
    for (const [v, i] of subtasks) {
      const m = restored.get(`${v}/${i}`);
      // Exactly the blob's bytes: a view (a key-group split) would be cloned with its whole buffer.
      if (m !== undefined)
        out[`${v}/${i}`] = [...m].map(([name, data]) => ({
          name,
          data: data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice(),
        }));
    }
    return out;
  }

  /** A coordinator for the attempt being deployed; it starts triggering once every subtask runs. */
  private startCoordinator(restored: Map<string, Map<string, Uint8Array>> | null): void {
    const cp = this.cp;
    const storage = this.checkpointStorage;
    this.tasksRunning = false;
    if (cp === null || storage === null) return;
    const attempt = this.attempt;
    const prev = this.coordinator;
    const from = restored === null ? null : this.restoreSource;
    const c = new CheckpointCoordinator(
      cp.config,
      storage,
      {
        jobId: this.jobId,
        tasks: this.executions.map((e) => `${e.vertex.id}/${e.index}`),
        operators: operatorInfos(this.graph, this.uids),
        triggerSources: (checkpointId, timestamp) => {
          for (const s of this.slots)
            if (!s.dead) s.post({ type: 'trigger-checkpoint', jobId: this.jobId, attempt, checkpointId, timestamp });
        },
        notifyComplete: (checkpointId) => {
          const live = this.slots.filter((s) => !s.dead);
          let resolve!: () => void;
          const done = new Promise<void>((r) => (resolve = r));
          this.commits.set(checkpointId, { slots: new Set(live), done, resolve });
          for (const k of this.commits.keys()) if (k < checkpointId) this.commits.get(k)?.resolve();
          for (const k of [...this.commits.keys()]) if (k < checkpointId) this.commits.delete(k);
          for (const s of live) s.post({ type: 'checkpoint-complete', jobId: this.jobId, attempt, checkpointId });
          if (live.length === 0) resolve();
        },
        notifyAborted: () => undefined,
        failJob: (reason) => {
          // Flink fails the job over (the restart strategy decides) when checkpoints fail beyond tolerance.
          if (this.attempt === attempt)
            this.failover({ name: 'CheckpointException', message: reason, stack: `CheckpointException: ${reason}` }, null, null);
        },
      },
      CLOCK,
      Math.max((from?.metadata.checkpointId ?? 0) + 1, prev?.nextCheckpointId ?? 1),
    );
    if (prev !== null) c.continueFrom(prev);
    if (from !== null) c.noteRestored(from.metadata.checkpointId, from.path);
    this.coordinator = c;
  }

  /** Every subtask of the current attempt reported RUNNING (or already FINISHED): checkpoints may start. */
  private maybeStartCheckpointing(): void {
    if (this.tasksRunning || this.coordinator === null || this.state !== 'RUNNING') return;
    if (!this.executions.every((e) => e.state === 'RUNNING' || e.state === 'FINISHED')) return;
    this.tasksRunning = true;
    this.coordinator.start();
  }

  private onCheckpointMessage(slot: Slot, m: Extract<FromSlot, { type: `checkpoint-${string}` }>): void {
    if (m.jobId !== this.jobId || m.attempt !== this.attempt) return;
    const c = this.coordinator;
    if (c === null) return;
    switch (m.type) {
      case 'checkpoint-ack': {
        const e = this.byKey.get(`${m.vertex}/${m.index}`);
        if (e === undefined) return;
        const handlesOf = stateHandleNames(e.vertex, this.uids);
        c.acknowledge(m.checkpointId, {
          task: `${e.vertex.id}/${e.index}`,
          alignmentMs: m.alignmentMs,
          state: m.state.flatMap((x) => handlesOf(x.name).map((h) => ({ ...h, subtask: e.index, data: x.data }))),
        });
        return;
      }
      case 'checkpoint-decline': {
        const e = this.byKey.get(`${m.vertex}/${m.index}`);
        if (e !== undefined) c.decline(m.checkpointId, `${e.vertex.id}/${e.index}`, m.reason);
        return;
      }
      case 'checkpoint-committed': {
        const w = this.commits.get(m.checkpointId);
        if (w === undefined) return;
        w.slots.delete(slot);
        if (w.slots.size === 0) w.resolve();
        return;
      }
    }
  }

  /** A finished subtask acknowledges every checkpoint it still owes with the finished marker (FLIP-147). */
  private taskFinished(e: ExecutionVertex): void {
    this.coordinator?.taskFinished({
      task: `${e.vertex.id}/${e.index}`,
      alignmentMs: 0,
      state: stateHandleNames(e.vertex, this.uids)(FINISHED_MARKER.name).map((h) => ({
        ...h,
        subtask: e.index,
        data: FINISHED_MARKER.data,
      })),
    });
  }

  /** Messages from the slots of this job. */
  onSlotMessage(slot: Slot, m: FromSlot): void {
    switch (m.type) {
      case 'task': {
        if (m.jobId !== this.jobId || m.attempt !== this.attempt) return;
        const e = this.byKey.get(`${m.vertex}/${m.index}`);
        if (e === undefined) return;
        // A subtask failed by its deployment (or forced to CANCELED after the cancel timeout) keeps that state.
        if (TERMINAL.has(e.state)) return;
        if (m.report !== undefined) this.applyReport(e, m.report);
        if (m.state === 'RUNNING') {
          // A subtask being cancelled stays CANCELING: its RUNNING was sent before the cancel reached it, and the
          // failover waits for it to report CANCELED.
          if (e.state === 'CANCELING') return;
          // Its input ended: it waits for its final checkpoint, which the coordinator triggers soon (FLIP-147).
          if (m.endOfInput === true) this.coordinator?.taskInputEnded(`${e.vertex.id}/${e.index}`);
          e.state = 'RUNNING';
          this.notifyStates();
          this.maybeStartCheckpointing();
          return;
        }
        e.state = m.state;
        e.endTime = Date.now();
        this.notifyStates();
        if (m.state === 'FINISHED') {
          this.taskFinished(e);
          this.maybeStartCheckpointing();
        }
        if (m.state === 'FAILED') {
          this.failover(
            m.error ?? { name: 'Error', message: 'task failed', stack: 'task failed' },
            `${e.vertex.name} (${e.index + 1}/${e.vertex.parallelism})`,
            slot,
          );
          return;
        }
        if (
          m.state === 'FINISHED' &&
          this.state === 'RUNNING' &&
          this.executions.every((x) => x.state === 'FINISHED')
        )
          void this.finish();
        return;
      }
      case 'deploy-failed':
        if (m.jobId !== this.jobId || (m.attempt !== this.attempt && m.attempt !== -1)) return;
        if (!this.slots.includes(slot)) return;
        // The slot runs none of its subtasks (no deployment got as far as run()): they fail here, as a failed
        // deployment fails its executions in Flink. Left DEPLOYING, the failover waited the whole cancel timeout
        // for them to report CANCELED, which they never would.
        for (const e of this.executions)
          if (e.slot === slot && !TERMINAL.has(e.state)) {
            e.state = 'FAILED';
            e.endTime = Date.now();
          }
        this.notifyStates();
        this.failover(m.error, null, slot, undefined, m.unrecoverable === true);
        return;
      case 'checkpoint-ack':
      case 'checkpoint-decline':
      case 'checkpoint-committed':
        this.onCheckpointMessage(slot, m);
        return;
      default:
        return;
    }
  }

  onHeartbeat(beats: readonly SlotHeartbeat[]): void {
    for (const b of beats) {
      if (b.jobId !== this.jobId || b.attempt !== this.attempt) continue;
      for (const r of b.reports) {
        const e = this.byKey.get(`${r.vertex}/${r.index}`);
        if (e !== undefined && !TERMINAL.has(e.state)) this.applyReport(e, r);
      }
    }
  }

  onTaskManagerLost(tm: TaskManager, reason: string): void {
    if (!this.slots.some((s) => s.tm === tm)) return;
    for (const e of this.executions)
      if (e.slot?.tm === tm && !TERMINAL.has(e.state)) {
        e.state = 'FAILED';
        e.endTime = Date.now();
      }
    this.notifyStates();
    const err = new Error(reason);
    err.name = 'TimeoutException';
    this.failover({ name: err.name, message: reason, stack: `${err.name}: ${reason}` }, null, null, tm.id);
  }

  private applyReport(e: ExecutionVertex, r: SubtaskReport): void {
    // The slot's sample time, not this arrival's: a report can arrive up to a heartbeat late, and dividing its
    // counters by the time since the previous arrival inflated the rates (a 2000 rows/s source showed 10 K/s).
    const now = r.sampledAt;
    const rin = r.counters['numRecordsIn'] ?? 0;
    const rout = r.counters['numRecordsOut'] ?? 0;
    const idle = r.counters['idleTimeMs'] ?? 0;
    const bp = r.counters['backPressuredTimeMs'] ?? 0;
    if (e.prev !== null && now > e.prev.at) {
      const dt = now - e.prev.at;
      e.inRate = ((rin - e.prev.in) * 1000) / dt;
      e.outRate = ((rout - e.prev.out) * 1000) / dt;
      const i = Math.min(1, Math.max(0, (idle - e.prev.idle) / dt));
      const b = Math.min(1, Math.max(0, (bp - e.prev.bp) / dt));
      e.ratios = { idle: i, backpressured: b, busy: Math.max(0, 1 - i - b) };
    }
    e.prev = { at: now, in: rin, out: rout, idle, bp };
    e.report = r;
  }

  private recordException(err: unknown, taskName: string | null, slot: Slot | null, tmId?: string): void {
    const e = err as Partial<SerializedError> & { stack?: string };
    const info: ExceptionInfo = {
      exceptionName: e.name ?? 'Error',
      stacktrace: e.stack ?? String(err),
      timestamp: Date.now(),
      taskName,
      endpoint: slot?.id ?? null,
      taskManagerId: slot?.tm.id ?? tmId ?? null,
    };
    // A failure that arrives while a failover is already under way (the other subtask of the vertex throwing
    // too, or its channel breaking) belongs to that failover, as in Flink's exception history.
    const last = this.failures[this.failures.length - 1];
    if (this.state !== 'RUNNING' && last !== undefined) last.concurrent.push(info);
    else this.failures.push({ root: info, concurrent: [] });
  }

  /** The exception history as Flink's REST API shows it: one entry per failover, oldest first. */
  get exceptions(): RootExceptionInfo[] {
    return this.failures.map((x) => ({ ...x.root, concurrentExceptions: [...x.concurrent] }));
  }

  private failover(
    error: SerializedError,
    taskName: string | null,
    slot: Slot | null,
    tmId?: string,
    unrecoverable = false,
  ): void {
    this.recordException(error, taskName, slot, tmId);
    if (this.state !== 'RUNNING') return;
    const delay = unrecoverable ? null : this.opts.restartStrategy.nextDelay(Date.now());
    const attempt = this.attempt;
    if (delay === null) {
      this.status.transition('FAILING');
      void this.stopAttempt().then(() => {
        this.status.transition('FAILED');
        const err = new Error(error.message);
        err.name = error.name;
        err.stack = error.stack;
        this.end(err);
      });
      return;
    }
    this.status.transition('RESTARTING');
    this.restarts++;
    void this.stopAttempt().then(async () => {
      if (this.attempt !== attempt) return;
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.cancelled.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
      if (this.cancelled.signal.aborted) return;
      this.attempt++;
      for (const e of this.executions) {
        e.state = 'CREATED';
        e.prev = null;
      }
      await this.deploy();
    });
  }

  /** Cancels the current attempt's subtasks, replaces slot threads that do not stop, releases the slots. */
  private async stopAttempt(): Promise<void> {
    this.receiver?.close();
    this.receiver = null;
    const attempt = this.attempt;
    // No barrier goes into a failing attempt; a checkpoint every task acknowledged is still written (it is whole),
    // and the restart reads the latest checkpoint only after that.
    this.tasksRunning = false;
    const stopping = this.coordinator?.stop('the job failed or was cancelled') ?? Promise.resolve();
    for (const s of this.slots) if (!s.dead) s.post({ type: 'cancel', jobId: this.jobId, attempt });
    for (const e of this.executions)
      if (!TERMINAL.has(e.state) && e.state !== 'CREATED') e.state = 'CANCELING';
    const deadline = Date.now() + this.opts.cancelTimeoutMs;
    while (
      this.executions.some((e) => e.state === 'CANCELING' || e.state === 'DEPLOYING') &&
      Date.now() < deadline
    ) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.stateWaiters.push(() => (clearTimeout(t), r()));
      });
    }
    const stuck = new Set<Slot>();
    for (const e of this.executions) {
      if (e.state === 'CANCELING' || e.state === 'DEPLOYING') {
        if (e.slot !== null && !e.slot.dead && this.opts.rm.taskManagers.has(e.slot.tm.id)) stuck.add(e.slot);
        e.state = 'CANCELED';
        e.endTime = Date.now();
      }
    }
    await Promise.all([...stuck].map((s) => s.restart().catch(() => undefined)));
    // Slots of a TaskManager that was lost (or died) are not returned: they are gone with it.
    const live = this.slots.filter((s) => !s.dead && this.opts.rm.taskManagers.has(s.tm.id));
    this.opts.rm.release(live);
    for (const s of this.slots) if (!live.includes(s)) s.jobId = null;
    this.slots = [];
    for (const w of this.commits.values()) w.resolve();
    this.commits.clear();
    await stopping;
  }

  private notifyStates(): void {
    for (const w of this.stateWaiters.splice(0)) w();
  }

  private async finish(): Promise<void> {
    this.tasksRunning = false;
    await this.coordinator?.stop('the job ended');
    try {
      await this.receiver?.whenFinished();
    } catch {
      // failures of the client's sink are reported below
    }
    const failure = this.receiver?.failure ?? null;
    this.receiver?.close();
    this.receiver = null;
    this.opts.rm.release(this.slots);
    this.slots = [];
    if (failure !== null) {
      this.recordException(failure, 'collect', null);
      this.status.transition('FAILING');
      this.status.transition('FAILED');
      return this.end(failure);
    }
    this.status.transition('FINISHED');
    this.end(null);
  }

  private end(error: unknown): void {
    this.endTime = Date.now();
    const ended = this.state;
    const close = Promise.all([
      this.resultSink?.close().catch(() => undefined),
      this.discardCheckpoints(ended),
    ]).finally(() => {
      if (this.keepAlive !== null) clearInterval(this.keepAlive);
    });
    void close.then(() => {
      if (error !== null) this.settle.reject(error);
      else
        this.settle.resolve({
          jobId: this.jobId,
          jobName: this.jobName,
          netRuntimeMs: this.endTime - this.startTime,
          restarts: this.restarts,
          metrics: this.metrics(),
        });
    });
  }

  /**
   * Flink's execution.checkpointing.externalized-checkpoint-retention when the job ends (as LocalJob): by default
   * the checkpoints go with the job; DELETE_ON_CANCELLATION keeps them after a failure; RETAIN_ON_CANCELLATION
   * always. Savepoints are never removed.
   */
  private async discardCheckpoints(end: JobState): Promise<void> {
    const cp = this.cp;
    const storage = this.checkpointStorage;
    if (cp === null || storage === null) return;
    this.tasksRunning = false;
    await this.coordinator?.stop('the job ended');
    if (cp.retention === 'RETAIN_ON_CANCELLATION' || (cp.retention === 'DELETE_ON_CANCELLATION' && end === 'FAILED'))
      return;
    await storage
      .discardCheckpoints()
      .catch((e: unknown) =>
        process.emitWarning(`could not remove the checkpoints in ${storage.root}: ${(e as Error).message}`, {
          code: 'FRESHET_CHECKPOINT',
        }),
      );
  }

  /** This job as the Dispatcher observes it (dispatcher-context.ts): per-subtask counters, gauges, placement. */
  observed(): ExecutingJob {
    return {
      graph: this.graph,
      subtasks: () =>
        this.executions.map((e): SubtaskSnapshot => {
          const r = e.report;
          return {
            vertexId: e.vertex.id,
            index: e.index,
            state: e.state,
            attempt: e.attempt,
            endpoint: e.slot?.id ?? '(unassigned)',
            taskManagerId: e.slot?.tm.id ?? '(unassigned)',
            startedAt: r?.startedAt ?? 0,
            endedAt: r?.endedAt ?? 0,
            counters: { ...(r?.counters ?? {}), numBytesIn: r?.bytesIn ?? 0, numBytesOut: r?.bytesOut ?? 0 },
            currentInputWatermark: r?.inputWatermark ?? undefined,
            currentOutputWatermark: r?.outputWatermark ?? undefined,
          };
        }),
      restarts: () => this.restarts,
      recoveredFailures: () => {
        const all = this.exceptions;
        return this.state === 'FAILED' ? all.slice(0, -1) : all;
      },
      finalFailure: () => (this.state === 'FAILED' ? (this.exceptions.pop() ?? null) : null),
      checkpoints: () => this.checkpointStatistics(),
      stopWithSavepoint: (dir) => this.stopWithSavepoint(dir),
      checkpointConfig: () => this.checkpointConfig(),
      checkpointDetails: (id) => this.checkpointDetails(id),
    };
  }

  /** Counters summed over subtasks (numRecordsIn, numLateRecordsDropped, ...), as LocalJob reports them. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.executions)
      for (const [k, v] of Object.entries(e.report?.counters ?? {})) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  private finishCancel(): void {
    if (this.status.can('CANCELED')) this.status.transition('CANCELED');
    this.end(new CancelledError());
  }

  async cancel(): Promise<void> {
    if (this.status.terminal || this.state === 'CANCELLING')
      return this.result.then(
        () => undefined,
        () => undefined,
      );
    this.cancelled.abort();
    if (this.state === 'RUNNING' || this.state === 'RESTARTING') {
      this.status.transition('CANCELLING');
      await this.stopAttempt();
      this.finishCancel();
    } else if (this.state === 'CREATED') {
      // deploy() sees the abort and ends the job.
    } else if (this.state === 'FAILING') {
      // failing already; it ends FAILED
    }
    await this.result.then(
      () => undefined,
      () => undefined,
    );
  }
}
