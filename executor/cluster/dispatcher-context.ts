// How a running job reaches the Dispatcher that submitted it without threading a handle through every layer in
// between: the Dispatcher runs the submitter's `run` inside an AsyncLocalStorage scope, and whatever executes the
// job (LocalJob in this thread, the MiniCluster's JobManager) reports itself to the scope's observer when it
// starts. A job started outside any Dispatcher reports to nobody.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExceptionInfo, ExecutionState, RootExceptionInfo } from './api.js';
import type { JobGraph } from '../graph/job-graph.js';
import type { LocalJob } from '../runtime/local-executor.js';
import type { CheckpointConfigInfo, CheckpointDetails, CheckpointingStatistics } from '../checkpoint/coordinator.js';

/** One subtask as an executor reports it: cumulative counters and gauges, read when a view is asked for. */
export interface SubtaskSnapshot {
  readonly vertexId: number;
  readonly index: number;
  readonly state: ExecutionState;
  readonly attempt: number;
  /** Where it runs: "localhost" in-thread, a TaskManager's slot in a cluster. */
  readonly endpoint: string;
  readonly taskManagerId: string;
  /** Wall-clock ms; 0 = not started / not ended. */
  readonly startedAt: number;
  readonly endedAt: number;
  /**
   * Cumulative counters by Flink's metric names: numRecordsIn, numRecordsOut, numBytesIn, numBytesOut,
   * idleTimeMs, backPressuredTimeMs, numLateRecordsDropped, stateSize (bytes).
   */
  readonly counters: Readonly<Record<string, number>>;
  readonly currentInputWatermark: number | undefined;
  readonly currentOutputWatermark: number | undefined;
}

/** What an executor other than LocalJob reports (the MiniCluster's JobManager). */
export interface ExecutingJob {
  readonly graph: JobGraph;
  subtasks(): readonly SubtaskSnapshot[];
  /** Restarts so far (Flink's numRestarts). */
  restarts(): number;
  /** Failures the job recovered from by restarting (the exception history; the final failure is `run`'s rejection). */
  recoveredFailures(): readonly RootExceptionInfo[];
  /** The failure that failed the job, with its concurrent ones; null unless FAILED. */
  finalFailure?(): RootExceptionInfo | null;
  /** Its checkpoint statistics (Flink's /jobs/:jid/checkpoints); null without checkpointing. */
  checkpoints?(): CheckpointingStatistics | null;
  /** Stop-with-savepoint (into `dir`, or the job's checkpoint folder); resolves to the savepoint's folder. */
  stopWithSavepoint?(dir: string | null): Promise<string>;
  /** The job's own checkpointing settings (Flink's /checkpoints/config); null without checkpointing. */
  checkpointConfig?(): CheckpointConfigInfo | null;
  /** One checkpoint of the history with its per-vertex figures (Flink's /checkpoints/details/:id). */
  checkpointDetails?(id: number): CheckpointDetails | null;
}

export type ObservedJob =
  | { readonly kind: 'local'; readonly job: LocalJob; readonly graph: JobGraph }
  | ({ readonly kind: 'executor' } & ExecutingJob);

export interface JobObserver {
  attach(job: ObservedJob): void;
}

const scope = new AsyncLocalStorage<JobObserver>();

/** Runs `fn` (which starts one job) so that the job it starts reports to `observer`. */
export function runObserved<T>(observer: JobObserver, fn: () => T): T {
  return scope.run(observer, fn);
}

/** Called by an executor when it starts a job; a no-op outside a Dispatcher. */
export function reportJobStarted(job: ObservedJob): void {
  scope.getStore()?.attach(job);
}

/** Flink's flat `all-exceptions`: every failure in order, each root followed by its concurrent ones. */
export function flattenExceptions(history: readonly RootExceptionInfo[]): ExceptionInfo[] {
  return history.flatMap(({ concurrentExceptions, ...root }) => [root, ...concurrentExceptions]);
}
