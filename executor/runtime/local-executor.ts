// Runs a JobGraph in the current thread: every parallel subtask of every vertex is a LocalSubtask, edges are
// LocalChannels. This is the executor until the slot-based one (issue 6) places the same subtasks in worker
// threads; the JobClient below is the handle both return.
import type { JobGraph } from '../graph/job-graph.js';
import { LocalChannel } from './channel.js';
import type { StreamOperator } from './operator.js';
import { CancelledError, positionlessSourceError } from './errors.js';
import { targetsOf } from './partitioner.js';
import {
  FINISHED_MARKER,
  LocalSubtask,
  type SubtaskCheckpointing,
  type SubtaskInput,
  type SubtaskOutput,
} from './subtask.js';
import { SystemProcessingTimeService, type ProcessingTimeService } from './time.js';
import {
  CheckpointCoordinator,
  finalCheckpointsEnabled,
  type CheckpointConfig,
} from '../checkpoint/coordinator.js';
import { operatorUids } from '../checkpoint/uids.js';
import { loadCheckpoint, type FileCheckpointStorage, type LoadedCheckpoint } from '../checkpoint/storage.js';
import { reportJobStarted } from '../cluster/dispatcher-context.js';
import { operatorInfos, stateByTask, stateHandleNames } from '../checkpoint/layout.js';

export interface ExecutionOptions {
  /** Rows per network buffer: a channel batch is flushed once it holds this many rows. */
  readonly batchSize: number;
  /** ms; 0 = flush after every emit, negative = only when full. */
  readonly bufferTimeout: number;
  readonly autoWatermarkInterval: number;
  /** Elements a channel holds before its producer stops taking input. */
  readonly channelCapacity: number;
  readonly clock: ProcessingTimeService;
}

export const DEFAULT_EXECUTION_OPTIONS: ExecutionOptions = {
  batchSize: 1024,
  bufferTimeout: 10,
  autoWatermarkInterval: 200,
  channelCapacity: 8,
  clock: new SystemProcessingTimeService(),
};

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface JobExecutionResult {
  readonly jobName: string;
  readonly netRuntimeMs: number;
  /** Counters summed over subtasks (numRecordsIn, numLateRecordsDropped, ...). */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Flink's JobClient: the handle of a submitted job. */
export interface JobClient {
  readonly jobName: string;
  getJobStatus(): JobStatus;
  cancel(): Promise<void>;
  getJobExecutionResult(): Promise<JobExecutionResult>;
}

export type CheckpointRetention =
  'NO_EXTERNALIZED_CHECKPOINTS' | 'DELETE_ON_CANCELLATION' | 'RETAIN_ON_CANCELLATION';

/** Reads execution.checkpointing.externalized-checkpoint-retention. */
export function checkpointRetentionOf(value: string | undefined): CheckpointRetention {
  const v = (value ?? 'NO_EXTERNALIZED_CHECKPOINTS').toUpperCase();
  if (v === 'NO_EXTERNALIZED_CHECKPOINTS' || v === 'DELETE_ON_CANCELLATION' || v === 'RETAIN_ON_CANCELLATION')
    return v;
  throw new Error(
    `'execution.checkpointing.externalized-checkpoint-retention' must be NO_EXTERNALIZED_CHECKPOINTS, DELETE_ON_CANCELLATION or RETAIN_ON_CANCELLATION, not '${value}'`,
  );
}

/** Checkpointing of a LocalJob: the coordinator's settings, where checkpoints go, what to start from. */
export interface LocalCheckpointing {
  readonly config: CheckpointConfig;
  readonly storage: FileCheckpointStorage;
  /** A checkpoint or savepoint folder to start from (execution.savepoint.path); null = a fresh start. */
  readonly restorePath: string | null;
  /** On a task failure: the delay before restarting from the latest checkpoint, or null to fail the job. */
  readonly restartStrategy: { nextDelay(now: number): number | null };
  /** Messages for the user (a corrupt checkpoint skipped, a restart). */
  readonly log?: (message: string) => void;
  /** execution.checkpointing.externalized-checkpoint-retention (default NO_EXTERNALIZED_CHECKPOINTS). */
  readonly retention?: CheckpointRetention;
}

export class LocalJob implements JobClient {
  readonly jobName: string;
  /** The current attempt's subtasks (replaced in place on a restart, so observers keep their reference). */
  readonly subtasks: LocalSubtask[] = [];
  readonly channels: LocalChannel[] = [];
  private status: JobStatus = 'CREATED';
  private readonly controller = new AbortController();
  private readonly result: Promise<JobExecutionResult>;
  /** Aborts the current attempt only (a failure), where `controller` ends the job (cancel). */
  private attempt = new AbortController();
  private coordinator: CheckpointCoordinator | null = null;
  /** Stream node id → the stable uid its state is saved under (per operator, so re-chaining keeps state). */
  private readonly uids: Map<number, string>;
  /** Restarts so far (Flink's numRestarts). */
  restarts = 0;
  /** Failures the job recovered from by restarting. */
  readonly recoveredFailures: { error: unknown; timestamp: number }[] = [];

  constructor(
    private readonly job: JobGraph,
    private readonly opts: ExecutionOptions,
    private readonly checkpointing: LocalCheckpointing | null = null,
  ) {
    this.jobName = job.jobName;
    this.uids = operatorUids(job);
    this.controller.signal.addEventListener('abort', () => this.attempt.abort(), { once: true });
    this.deploy(null, new Map());
    this.result = this.run();
    // Whoever asks for the result sees the failure; an unobserved failure must not crash the process.
    this.result.catch(() => undefined);
    // The Dispatcher that submitted this job (if any) reads its subtasks' metrics from here on.
    reportJobStarted({ kind: 'local', job: this, graph: job });
  }

  /** The checkpoint coordinator (null without checkpointing): statistics, savepoints. */
  checkpointCoordinator(): CheckpointCoordinator | null {
    return this.coordinator;
  }

  /** Builds one attempt: channels, subtasks (restored from `restore`), and the checkpoint coordinator. */
  private deploy(
    restore: LoadedCheckpoint | null,
    restored: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>,
  ): void {
    const job = this.job;
    const opts = this.opts;
    this.subtasks.length = 0;
    this.channels.length = 0;
    const inputs = new Map<string, SubtaskInput[]>();
    const outputs = new Map<string, SubtaskOutput[]>();
    const at = (m: Map<string, unknown[]>, v: number, i: number): unknown[] => {
      const k = `${v}/${i}`;
      let l = m.get(k);
      if (l === undefined) m.set(k, (l = []));
      return l;
    };
    const byId = new Map(job.vertices.map((v) => [v.id, v]));
    for (const v of job.vertices) {
      for (const e of v.outputs) {
        const down = byId.get(e.target);
        if (down === undefined) throw new Error(`edge to unknown vertex ${e.target}`);
        for (let i = 0; i < v.parallelism; i++) {
          const targets = targetsOf(e.edge.partitioner, i, v.parallelism, down.parallelism);
          const chans = targets.map((j) => {
            const ch = new LocalChannel(`${v.name}#${i} -> ${down.name}#${j}`, opts.channelCapacity);
            this.channels.push(ch);
            (at(inputs as Map<string, unknown[]>, down.id, j) as SubtaskInput[]).push({
              reader: ch,
              inputIndex: e.edge.inputIndex,
            });
            return ch;
          });
          (at(outputs as Map<string, unknown[]>, v.id, i) as SubtaskOutput[]).push({
            partitioner: e.edge.partitioner,
            channels: chans,
            consumerParallelism: down.parallelism,
            sideOutputTag: e.edge.sideOutputTag,
          });
        }
      }
    }
    const cp = this.checkpointing;
    const tasks: string[] = [];
    const byTask = new Map<string, LocalSubtask>();
    const coordinatorRef: { c: CheckpointCoordinator | null } = { c: null };
    for (const v of job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        const head = v.chain[0];
        if (head === undefined) throw new Error(`vertex ${v.id} has an empty chain`);
        const source = head.body.kind === 'source' ? head.body.source.createReader(i, v.parallelism) : null;
        if (cp !== null && source !== null && source.snapshotState === undefined) {
          // Refused up front, never restarted: every checkpoint would be declined, and each restart would replay
          // the source from its start (Flink's sources all checkpoint their positions).
          throw positionlessSourceError(v.name);
        }
        const operators: StreamOperator[] = [];
        for (const n of v.chain) {
          switch (n.body.kind) {
            case 'source':
              break;
            case 'operator':
            case 'sink':
              operators.push(n.body.factory());
              break;
            default: {
              const never: never = n.body;
              throw new Error(`unknown node ${String(never)}`);
            }
          }
        }
        const task = `${v.id}/${i}`;
        const handlesOf = stateHandleNames(v, this.uids);
        tasks.push(task);
        const checkpointing: SubtaskCheckpointing | undefined =
          cp === null
            ? undefined
            : {
                mode: cp.config.mode,
                acknowledge: (id, state, alignmentMs) =>
                  coordinatorRef.c?.acknowledge(id, {
                    task,
                    alignmentMs,
                    state: state.flatMap((e) =>
                      handlesOf(e.name).map((h) => ({ ...h, subtask: i, data: e.data })),
                    ),
                  }),
                decline: (id, reason) => coordinatorRef.c?.decline(id, task, reason),
                finalCheckpoint: finalCheckpointsEnabled(cp.config),
                inputEnded: () => coordinatorRef.c?.taskInputEnded(task),
                ...(restored.has(task)
                  ? { restored: restored.get(task) as ReadonlyMap<string, Uint8Array> }
                  : {}),
              };
        const subtask = new LocalSubtask({
          name: v.name,
          index: i,
          parallelism: v.parallelism,
          maxParallelism: v.maxParallelism,
          source,
          operators,
          inputs: (inputs.get(task) ?? []) as SubtaskInput[],
          outputs: (outputs.get(task) ?? []) as SubtaskOutput[],
          clock: opts.clock,
          batchSize: opts.batchSize,
          bufferTimeout: opts.bufferTimeout,
          autoWatermarkInterval: opts.autoWatermarkInterval,
          signal: this.attempt.signal,
          ...(checkpointing === undefined ? {} : { checkpointing }),
        });
        this.subtasks.push(subtask);
        byTask.set(task, subtask);
      }
    }
    if (cp !== null) {
      const coordinator = new CheckpointCoordinator(
        cp.config,
        cp.storage,
        {
          jobId: this.jobName,
          tasks,
          operators: operatorInfos(job, this.uids),
          triggerSources: (id, timestamp) => {
            // Every subtask hears the trigger: sources inject the barrier; a subtask whose input ended (waiting for
            // its final checkpoint) snapshots directly, as Flink triggers tasks whose predecessors all finished.
            for (const s of this.subtasks) s.triggerCheckpoint(id, timestamp);
          },
          notifyComplete: (id) => {
            const done = Promise.all(this.subtasks.map((t) => t.notifyCheckpointComplete(id))).then(
              () => undefined,
            );
            done.catch(() => undefined); // a failing commit fails its subtask; this is only for stopWithSavepoint
            this.committed.set(id, done);
            for (const k of this.committed.keys()) if (k < id) this.committed.delete(k);
          },
          notifyAborted: () => undefined,
          failJob: (reason) => {
            this.pendingFailure ??= new Error(reason);
            this.attempt.abort();
          },
        },
        opts.clock,
        Math.max((restore?.metadata.checkpointId ?? 0) + 1, this.coordinator?.nextCheckpointId ?? 1),
      );
      if (restore !== null) coordinator.noteRestored(restore.metadata.checkpointId, restore.path);
      coordinatorRef.c = coordinator;
      this.coordinator = coordinator;
      const byVertex = new Map(job.vertices.map((v) => [v.id, v]));
      const finishedAcks = tasks.map((task, k) => {
        const [vid = '', sub = '0'] = task.split('/');
        const v = byVertex.get(Number(vid));
        return {
          task,
          alignmentMs: 0,
          state: (v === undefined ? [] : stateHandleNames(v, this.uids)(FINISHED_MARKER.name)).map((h) => ({
            ...h,
            subtask: Number(sub),
            data: FINISHED_MARKER.data,
          })),
          k,
        };
      });
      this.onFinished = (k) => {
        const ack = finishedAcks[k];
        if (ack !== undefined) coordinator.taskFinished(ack);
      };
    }
  }

  private pendingFailure: Error | null = null;
  /** Per completed checkpoint, when every subtask has been told and its commits settled. */
  private readonly committed = new Map<number, Promise<void>>();

  /**
   * Flink's stop-with-savepoint: takes a savepoint (into `targetDir`, or the job's checkpoint directory), waits
   * until every two-phase sink has committed what it sealed for it, then cancels. Resolves to the savepoint's path.
   */
  async stopWithSavepoint(targetDir: string | null = null): Promise<string> {
    const c = this.coordinator;
    if (c === null)
      throw new Error("a savepoint needs checkpointing on (SET 'execution.checkpointing.interval')");
    const md = await c.trigger('savepoint', targetDir);
    // A subtask that ends meanwhile runs no more mail (its sink committed everything at its end): the job's end
    // settles the wait as well.
    await Promise.race([
      this.committed.get(md.checkpointId),
      this.result.then(
        () => undefined,
        () => undefined,
      ),
    ]);
    await this.cancel();
    return c.pathOf(md.checkpointId) as string;
  }
  /** Tells the coordinator that subtask k of the current attempt finished. */
  private onFinished: ((k: number) => void) | null = null;

  /**
   * The state of every subtask in `c`, read and verified before any subtask starts, matched per operator by uid.
   * An operator whose parallelism changed since the checkpoint gets its state redistributed by key group
   * (state/rescale.ts); operators chained together now may come from vertices of different parallelisms then.
   */
  private readRestoredState(c: LoadedCheckpoint): Promise<Map<string, Map<string, Uint8Array>>> {
    return stateByTask(c, this.job, this.uids, (v) => String(v.id));
  }

  private async runAttempt(): Promise<unknown> {
    let firstError: unknown = null;
    this.coordinator?.start();
    await Promise.all(
      this.subtasks.map((t, k) =>
        t.run().then(
          () => this.onFinished?.(k),
          (e: unknown) => {
            // One failed subtask fails the attempt: cancel the others.
            if (firstError === null && !(e instanceof CancelledError && this.attempt.signal.aborted)) {
              firstError = e;
              this.attempt.abort();
            }
          },
        ),
      ),
    );
    await this.coordinator?.stop(firstError === null ? 'the job ended' : 'the job failed');
    if (firstError === null && this.pendingFailure !== null) firstError = this.pendingFailure;
    this.pendingFailure = null;
    return firstError;
  }

  private async run(): Promise<JobExecutionResult> {
    const start = Date.now();
    this.status = 'RUNNING';
    // Runtime timers are unref'd; this keeps the process alive exactly as long as the job runs.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      let restoredFrom: LoadedCheckpoint | null = null;
      if (this.checkpointing !== null && this.checkpointing.restorePath !== null) {
        // State is read and verified before anything runs (the constructor's deploy is replaced); a savepoint
        // the user named that does not verify fails the job rather than starting it empty.
        restoredFrom = await loadCheckpoint(this.checkpointing.restorePath);
        this.deploy(restoredFrom, await this.readRestoredState(restoredFrom));
      }
      for (;;) {
        const error = await this.runAttempt();
        if (error === null) break;
        if (this.controller.signal.aborted) break;
        const cp = this.checkpointing;
        const delay = cp?.restartStrategy.nextDelay(Date.now()) ?? null;
        if (cp === null || delay === null) {
          this.status = 'FAILED';
          throw error;
        }
        this.restarts++;
        this.recoveredFailures.push({ error, timestamp: Date.now() });
        cp.log?.(
          `job '${this.jobName}' failed (${(error as Error).message}); restarting from the latest checkpoint in ${delay} ms`,
        );
        await new Promise((r) => setTimeout(r, delay));
        if (this.controller.signal.aborted) break;
        const latest = (await cp.storage.latest()) ?? restoredFrom;
        this.attempt = new AbortController();
        this.deploy(latest, latest === null ? new Map() : await this.readRestoredState(latest));
      }
    } catch (e) {
      await this.discardCheckpoints('FAILED');
      throw e;
    } finally {
      clearInterval(keepAlive);
    }
    if (this.controller.signal.aborted) {
      this.status = 'CANCELED';
      await this.discardCheckpoints('CANCELED');
      throw new CancelledError();
    }
    this.status = 'FINISHED';
    await this.discardCheckpoints('FINISHED');
    return { jobName: this.jobName, netRuntimeMs: Date.now() - start, metrics: this.metrics() };
  }

  /**
   * Flink's execution.checkpointing.externalized-checkpoint-retention when the job ends: by default
   * (NO_EXTERNALIZED_CHECKPOINTS) checkpoints go with the job; DELETE_ON_CANCELLATION keeps them after a failure;
   * RETAIN_ON_CANCELLATION always. Savepoints are never removed.
   */
  private async discardCheckpoints(end: 'FINISHED' | 'CANCELED' | 'FAILED'): Promise<void> {
    const cp = this.checkpointing;
    if (cp === null) return;
    const retention = cp.retention ?? 'NO_EXTERNALIZED_CHECKPOINTS';
    if (
      retention === 'RETAIN_ON_CANCELLATION' ||
      (retention === 'DELETE_ON_CANCELLATION' && end === 'FAILED')
    )
      return;
    await cp.storage
      .discardCheckpoints()
      .catch((e: unknown) =>
        cp.log?.(`could not remove the checkpoints in ${cp.storage.root}: ${(e as Error).message}`),
      );
  }

  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.subtasks) for (const [k, v] of t.metrics.entries()) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  getJobStatus(): JobStatus {
    return this.status;
  }

  async cancel(): Promise<void> {
    this.controller.abort();
    await this.result.catch(() => undefined);
  }

  getJobExecutionResult(): Promise<JobExecutionResult> {
    return this.result;
  }
}
