// What a cluster ships and says: the job specification (a job travels as a builder module plus a payload, since
// code cannot cross a thread: each slot imports the builder and rebuilds the same JobGraph), and the messages
// between a TaskManager and its slots (worker threads). Vertex ids come from the builder, which numbers them per
// job, so every slot and the JobManager agree on them.
import type { MessagePort } from 'node:worker_threads';
import type { JobGraph } from '../graph/job-graph.js';
import type { SinkWriter } from '../runtime/operator.js';
import type { CheckpointConfig, CheckpointingMode } from '../checkpoint/coordinator.js';
import type { CheckpointRetention } from '../runtime/local-executor.js';

export interface JobSpec {
  readonly name: string;
  /** URL of an ES module exporting `buildJobGraph(payload, ctx): JobGraph` (JobGraphBuilder). */
  readonly builder: string;
  /** Modules to import first (e.g. the built-in connectors, which register their factories). */
  readonly preload?: readonly string[];
  /** Structured-cloneable input of the builder (a serialized plan for SQL jobs). */
  readonly payload: unknown;
  readonly execution?: Partial<SlotExecutionOptions>;
  /** For the REST views. */
  readonly sql?: string;
  readonly explain?: string;
  /** Checkpointing of this job (execution.checkpointing.*); absent = off. The JobManager coordinates it. */
  readonly checkpointing?: JobCheckpointing;
  /**
   * The job's own restart-strategy.* keys, over the cluster's (a job-level configuration, as Flink's): a SQL job
   * with checkpointing on restarts with exponential delay by default.
   */
  readonly restartStrategy?: Readonly<Record<string, string>>;
}

/** What the JobManager's checkpoint coordinator needs to know about a job (all plain data: it crosses threads). */
export interface JobCheckpointing {
  readonly config: CheckpointConfig;
  /** execution.checkpointing.dir: the job's checkpoints go to `<dir>/<job id>/chk-<n>`, as in Flink. */
  readonly dir: string;
  /** execution.checkpointing.num-retained. */
  readonly numRetained: number;
  /** execution.savepoint.path: a checkpoint or savepoint folder to start from; null = a fresh start. */
  readonly restorePath: string | null;
  /** execution.checkpointing.externalized-checkpoint-retention. */
  readonly retention: CheckpointRetention;
}

/** One piece of a subtask's snapshot as it travels from a slot to the JobManager (SubtaskStateEntry). */
export interface StateEntryWire {
  readonly name: string;
  readonly data: Uint8Array;
}

export interface SlotExecutionOptions {
  readonly batchSize: number;
  readonly bufferTimeout: number;
  readonly autoWatermarkInterval: number;
  /** Elements a channel inside one slot holds (LocalChannel capacity). */
  readonly channelCapacity: number;
  /**
   * Credits (receive buffers) a consumer grants each channel from another slot. Larger than the local capacity:
   * a credit's round trip between threads costs scheduling latency, and with 8 a loaded machine left producers
   * backpressured while consumers idled (docs/benchmarks.md, Cluster).
   */
  readonly credits: number;
}

export const DEFAULT_SLOT_EXECUTION: SlotExecutionOptions = {
  batchSize: 1024,
  bufferTimeout: 0,
  autoWatermarkInterval: 0,
  channelCapacity: 8,
  credits: 16,
};

export interface BuildContext {
  /** Where a query's `collect` sink writes; null in slots that do not run it and for INSERT jobs. */
  readonly resultSink: SinkWriter | null;
  /** Restart attempt (0 first): lets a test builder fail only its first attempt. */
  readonly attempt: number;
}

export type JobGraphBuilder = (payload: unknown, ctx: BuildContext) => JobGraph;

/** A channel between the subtasks (vertex, i) → (target, j) of output edge `k` of `vertex` (vertex positions). */
export function channelKey(vertex: number, k: number, i: number, j: number): string {
  return `${vertex}.${k}.${i}.${j}`;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

export function serializeError(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message, stack: err.stack ?? `${err.name}: ${err.message}` };
}

/** Per-subtask figures a slot reports with each heartbeat. */
export interface SubtaskReport {
  /** Position of the vertex in the job graph's topological order. */
  readonly vertex: number;
  readonly index: number;
  readonly counters: Readonly<Record<string, number>>;
  readonly inputWatermark: number | null;
  readonly outputWatermark: number | null;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** When the slot read the counters (its clock): rates divide by the time between two samples, not arrivals. */
  readonly sampledAt: number;
}

export type ToSlot =
  | {
      readonly type: 'deploy';
      readonly jobId: string;
      readonly attempt: number;
      readonly spec: JobSpec;
      readonly subtasks: readonly (readonly [number, number])[];
      /** Channel ends this slot holds (the other end is in another slot). */
      readonly ports: Readonly<Record<string, MessagePort>>;
      /** The query result's way back to the client thread (only to the slot running the collect sink). */
      readonly resultPort: MessagePort | null;
      /** Checkpointing on: the barrier mode; absent = off (barriers are not injected, state is not taken). */
      readonly checkpointMode?: CheckpointingMode;
      /** checkpoints-after-tasks-finish with periodic checkpoints: subtasks wait for a final checkpoint (FLIP-147). */
      readonly finalCheckpoint?: boolean;
      /** State to restore, per hosted subtask `${vertex position}/${index}` (read and verified by the JobManager). */
      readonly restored?: Readonly<Record<string, readonly StateEntryWire[]>>;
    }
  | { readonly type: 'cancel'; readonly jobId: string; readonly attempt: number }
  /** The coordinator triggers checkpoint `checkpointId`: the slot injects the barrier at its source subtasks. */
  | {
      readonly type: 'trigger-checkpoint';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly timestamp: number;
    }
  /** Checkpoint `checkpointId` is durable: the slot's subtasks learn it (two-phase sinks commit), then it answers. */
  | {
      readonly type: 'checkpoint-complete';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
    }
  | { readonly type: 'ping'; readonly seq: number };

export type FromSlot =
  | { readonly type: 'ready'; readonly threadId: number }
  | {
      readonly type: 'task';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertex: number;
      readonly index: number;
      readonly state: 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';
      /** With RUNNING: the subtask's input ended and it waits for its final checkpoint (FLIP-147). */
      readonly endOfInput?: boolean;
      readonly error?: SerializedError;
      /** The subtask's final figures, with its terminal state. */
      readonly report?: SubtaskReport;
    }
  | {
      readonly type: 'deploy-failed';
      readonly jobId: string;
      readonly attempt: number;
      readonly error: SerializedError;
      /** A restart cannot help (Flink's SuppressRestartsException): the job fails at once. */
      readonly unrecoverable?: boolean;
    }
  /** A subtask took its snapshot for `checkpointId` (Flink's AcknowledgeCheckpoint, with the state bytes). */
  | {
      readonly type: 'checkpoint-ack';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertex: number;
      readonly index: number;
      readonly checkpointId: number;
      readonly state: readonly StateEntryWire[];
      readonly alignmentMs: number;
    }
  /** A subtask could not take its snapshot (Flink's DeclineCheckpoint). */
  | {
      readonly type: 'checkpoint-decline';
      readonly jobId: string;
      readonly attempt: number;
      readonly vertex: number;
      readonly index: number;
      readonly checkpointId: number;
      readonly reason: string;
    }
  /** Every subtask of the slot handled `checkpoint-complete` and what it started (commits) settled. */
  | {
      readonly type: 'checkpoint-committed';
      readonly jobId: string;
      readonly attempt: number;
      readonly checkpointId: number;
      readonly error?: SerializedError;
    }
  | {
      readonly type: 'pong';
      readonly seq: number;
      readonly jobId: string | null;
      readonly attempt: number;
      readonly reports: readonly SubtaskReport[];
    };

/** Messages on a result port (slot → client thread) and its credits (client → slot). */
export type ResultWire =
  | { readonly kind: 'batch'; readonly frame: ArrayBuffer }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'finish' }
  | { readonly credit: number };
