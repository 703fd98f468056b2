// The contract between the control plane (Dispatcher, REST API, dashboard, REPL) and whatever runs jobs (today
// LocalJob in the embedding thread, the MiniCluster's JobManagers in worker threads, a standalone cluster).
// The view types are Flink's REST response shapes with Flink's field names (docs: "REST API", Monitoring REST API;
// classes ClusterOverviewWithVersion, MultipleJobsDetails/JobDetails, JobDetailsInfo, JobVertexDetailsInfo,
// SubtaskExecutionAttemptDetailsInfo, JobExceptionsInfoWithHistory, TaskManagersInfo, DashboardConfiguration), so
// tools written against Flink's REST API read Freshet's. Freshet-only fields are marked as such.

/** Flink's JobStatus (org.apache.flink.api.common.JobStatus). */
import type { CheckpointConfigInfo, CheckpointDetails, CheckpointingStatistics } from '../checkpoint/coordinator.js';
import type { JobSpec } from './protocol.js';
export type JobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

/** Flink's ExecutionState: the state of one subtask (and, aggregated, of a vertex). */
export type ExecutionState =
  | 'CREATED'
  | 'SCHEDULED'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'FINISHED'
  | 'CANCELING'
  | 'CANCELED'
  | 'FAILED'
  | 'RECONCILING'
  | 'INITIALIZING';

/** Every ExecutionState, in Flink's order (the keys of a vertex's "tasks" counts). */
export const EXECUTION_STATES: readonly ExecutionState[] = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
];

export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set([
  'FINISHED',
  'FAILED',
  'CANCELED',
  'SUSPENDED',
]);

/** GET /v1/overview (Flink: ClusterOverviewWithVersion; 'flink-version' becomes 'freshet-version'). */
export interface ClusterOverview {
  readonly taskmanagers: number;
  readonly 'slots-total': number;
  readonly 'slots-available': number;
  readonly 'jobs-running': number;
  readonly 'jobs-finished': number;
  readonly 'jobs-cancelled': number;
  readonly 'jobs-failed': number;
  readonly 'freshet-version': string;
  /** Freshet: ms since the Dispatcher started (the dashboard's uptime). */
  readonly uptime: number;
}

/** Counts of subtasks per ExecutionState (Flink's "tasks" object: lower-case keys in job lists, upper-case in details). */
export type TaskCounts = Readonly<Record<ExecutionState, number>>;

/** One entry of GET /v1/jobs/overview (Flink: JobDetails). */
export interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  /** -1 while running (Flink's convention). */
  readonly 'end-time': number;
  readonly duration: number;
  readonly 'last-modification': number;
  readonly tasks: Readonly<Record<string, number>>;
  /** Freshet: the highest vertex parallelism (what the job needs in slots under slot sharing). */
  readonly parallelism: number;
}

export interface JobsOverview {
  readonly jobs: readonly JobOverview[];
}

/**
 * Flink's IOMetricsInfo plus the per-vertex figures the dashboard shows. Flink's names where it has them
 * ('read-records', 'accumulated-busy-time', ...); rates, ratios and watermarks are Freshet's (Flink exposes them
 * as task metrics: numRecordsInPerSecond, busyTimeMsPerSecond, currentInputWatermark, numLateRecordsDropped).
 */
export interface IOMetrics {
  readonly 'read-bytes': number;
  readonly 'read-bytes-complete': boolean;
  readonly 'write-bytes': number;
  readonly 'write-bytes-complete': boolean;
  readonly 'read-records': number;
  readonly 'read-records-complete': boolean;
  readonly 'write-records': number;
  readonly 'write-records-complete': boolean;
  /** ms, summed over subtasks. */
  readonly 'accumulated-backpressured-time': number;
  readonly 'accumulated-idle-time': number;
  readonly 'accumulated-busy-time': number;
  /** Freshet: records per second over the last sampling interval (Flink metric numRecordsInPerSecond). */
  readonly 'read-records-per-second': number;
  readonly 'write-records-per-second': number;
  /** Freshet: 0..1, max over subtasks (Flink's busyTimeMsPerSecond / 1000 and friends). */
  readonly 'busy-ratio': number;
  readonly 'idle-ratio': number;
  readonly 'backpressured-ratio': number;
  /** Freshet: min over subtasks; null when no watermark has arrived (Flink reports Long.MIN_VALUE). */
  readonly 'current-input-watermark': number | null;
  readonly 'current-output-watermark': number | null;
  /** Flink metric numLateRecordsDropped, summed over subtasks. */
  readonly 'late-records-dropped': number;
  /**
   * Freshet: bytes of the subtask's keyed state, from the `stateSize` counter an executor reports (Flink shows the
   * last checkpoint's size); 0 until one does — checkpoints (issue #12) measure it.
   */
  readonly 'state-size': number;
}

/** One subtask of a vertex (Flink: SubtaskExecutionAttemptDetailsInfo). */
export interface SubtaskDetail {
  readonly subtask: number;
  readonly status: ExecutionState;
  readonly attempt: number;
  /** Where it runs: "localhost" in-thread, "tm-1/slot-0" in the MiniCluster, host:port standalone. */
  readonly endpoint: string;
  readonly 'taskmanager-id': string;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly metrics: IOMetrics;
}

/** One vertex (operator chain) of a job (Flink: JobDetailsInfo.JobVertexDetailsInfo). */
export interface VertexDetail {
  readonly id: string;
  readonly name: string;
  readonly maxParallelism: number;
  readonly parallelism: number;
  readonly status: ExecutionState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly tasks: TaskCounts;
  readonly metrics: IOMetrics;
}

/** GET /v1/jobs/:jid/vertices/:vid (Flink: JobVertexDetailsInfo). */
export interface VertexSubtasks {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly now: number;
  readonly subtasks: readonly SubtaskDetail[];
}

/** Flink's JsonPlan: what /jobs/:jid/plan returns and the dashboard lays out as a DAG. */
export interface JobPlan {
  readonly jid: string;
  readonly name: string;
  readonly type: 'STREAMING' | 'BATCH';
  readonly nodes: readonly PlanNode[];
}

export interface PlanNode {
  readonly id: string;
  readonly parallelism: number;
  readonly operator: string;
  readonly operator_strategy: string;
  readonly description: string;
  /** Absent on sources (Flink omits it too). */
  readonly inputs?: readonly PlanInput[];
}

export interface PlanInput {
  readonly num: number;
  readonly id: string;
  /** The partitioner: FORWARD, HASH[a, b], REBALANCE, GLOBAL, BROADCAST, ... */
  readonly ship_strategy: string;
  readonly exchange: 'pipelined_bounded';
}

/** GET /v1/jobs/:jid (Flink: JobDetailsInfo). */
export interface JobDetail {
  readonly jid: string;
  readonly name: string;
  readonly isStoppable: boolean;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly maxParallelism: number;
  readonly now: number;
  /** When the job entered each state (0 = never). */
  readonly timestamps: Readonly<Partial<Record<JobState, number>>>;
  readonly vertices: readonly VertexDetail[];
  readonly 'status-counts': TaskCounts;
  readonly plan: JobPlan;
  /** Freshet: the SQL the job was submitted with ('' for DataStream jobs). */
  readonly sql: string;
  /** Freshet: the statement's EXPLAIN text (plans and job graph). */
  readonly explain: string;
  /** Freshet: restarts so far (Flink exposes it as the job metric numRestarts). */
  readonly restarts: number;
}

/** One failure (Flink: JobExceptionsInfoWithHistory.ExceptionInfo / RootExceptionInfo). */
export interface ExceptionInfo {
  readonly exceptionName: string;
  readonly stacktrace: string;
  readonly timestamp: number;
  readonly taskName: string | null;
  readonly endpoint: string | null;
  readonly taskManagerId: string | null;
}

/**
 * One entry of the exception history (Flink: JobExceptionsInfoWithHistory.RootExceptionInfo): the failure that
 * started a failover, with the failures of other subtasks that arrived while that failover was under way (both
 * subtasks of a P2 vertex throwing the same error is one entry with one concurrent exception, not two entries).
 */
export interface RootExceptionInfo extends ExceptionInfo {
  readonly concurrentExceptions: readonly ExceptionInfo[];
}

/** GET /v1/jobs/:jid/exceptions (Flink: JobExceptionsInfoWithHistory). */
export interface JobExceptions {
  /** The stack trace of the failure that failed the job (or the latest one), null when none. */
  readonly 'root-exception': string | null;
  readonly timestamp: number | null;
  /** Every failure, concurrent ones included, oldest first (Flink's deprecated flat list). */
  readonly 'all-exceptions': readonly ExceptionInfo[];
  readonly truncated: boolean;
  /** The failovers, newest first, each with its concurrent failures. */
  readonly exceptionHistory: { readonly entries: readonly RootExceptionInfo[]; readonly truncated: boolean };
}

/** One TaskManager (Flink: TaskManagerInfo). */
export interface TaskManagerInfo {
  readonly id: string;
  readonly path: string;
  readonly dataPort: number;
  readonly timeSinceLastHeartbeat: number;
  readonly slotsNumber: number;
  readonly freeSlots: number;
  readonly hardware: {
    readonly cpuCores: number;
    readonly physicalMemory: number;
    readonly freeMemory: number;
    readonly managedMemory: number;
  };
}

export interface TaskManagersInfo {
  readonly taskmanagers: readonly TaskManagerInfo[];
}

/** GET /v1/config (Flink: DashboardConfiguration) plus the cluster's configuration. */
export interface DashboardConfig {
  readonly 'refresh-interval': number;
  readonly 'timezone-name': string;
  readonly 'timezone-offset': number;
  readonly 'freshet-version': string;
  readonly features: {
    readonly 'web-submit': boolean;
    readonly 'web-cancel': boolean;
    readonly 'web-rescale': boolean;
    readonly 'web-history': boolean;
  };
  /** Freshet: the effective configuration (Flink's /jobmanager/config as key → value). */
  readonly configuration: Readonly<Record<string, string>>;
}

export interface StopOptions {
  /** Stop with a savepoint into this directory. Rejected until checkpoints exist (the checkpoint issue). */
  readonly savepoint?: string;
  /** Flink's `drain`: emit MAX_WATERMARK before stopping (fires every pending event-time timer). */
  readonly drain?: boolean;
}

/** What POST /v1/jobs/:jid/stop answers (Flink: TriggerResponse); empty savepoint path without a savepoint. */
export interface StopResult {
  readonly 'request-id': string;
  readonly savepoint: string | null;
}

/** A job as its submitter hands it to the Dispatcher. */
export interface JobSubmission {
  readonly name: string;
  /** The SQL the job came from ('' for DataStream/Table API jobs). */
  readonly sql?: string;
  /** EXPLAIN text of the statement. */
  readonly explain?: string;
}

/** Errors a gateway reports with the HTTP status the REST layer maps them to. */
export class GatewayError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 500 | 501,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export function jobNotFound(jid: string): GatewayError {
  return new GatewayError(404, `Job ${jid} not found`);
}

/**
 * The control plane's view of a cluster. The Dispatcher implements it over in-thread LocalJobs; the MiniCluster
 * and the standalone JobManager implement it over their JobManagers; the REST server serves any implementation
 * and the typed client (client.ts) implements it over HTTP, so the REPL works the same against all of them.
 * Methods are async because the remote implementations are.
 */
export interface ClusterGateway {
  overview(): Promise<ClusterOverview>;
  jobs(): Promise<JobsOverview>;
  /** Rejects with GatewayError(404) for an unknown id. */
  job(jid: string): Promise<JobDetail>;
  plan(jid: string): Promise<JobPlan>;
  vertex(jid: string, vid: string): Promise<VertexSubtasks>;
  exceptions(jid: string): Promise<JobExceptions>;
  /** Cancels a running job; resolves once cancellation was requested (Flink answers 202 Accepted). */
  cancel(jid: string): Promise<void>;
  /** Stops a job gracefully (sources end, then the job finishes); with `savepoint` rejected until checkpoints. */
  stop(jid: string, opts?: StopOptions): Promise<StopResult>;
  taskManagers(): Promise<TaskManagersInfo>;
  config(): Promise<DashboardConfig>;
  /**
   * Flink's /jobs/:jid/checkpoints (counts, latest, history); null when the job runs without checkpointing.
   * Optional: executors that do not coordinate checkpoints yet leave it out.
   */
  checkpoints?(jid: string): Promise<CheckpointingStatistics | null>;
  /** Flink's /jobs/:jid/checkpoints/config from the job's own settings; null or absent = not known per job. */
  checkpointConfig?(jid: string): Promise<CheckpointConfigInfo | null>;
  /** Flink's /jobs/:jid/checkpoints/details/:id with per-vertex figures; null = not in the history. */
  checkpointDetails?(jid: string, id: number): Promise<CheckpointDetails | null>;
  /**
   * Flink's POST /jobs: runs a job on this cluster. Only a standalone JobManager takes jobs over REST; the
   * in-process gateways run what their session submits.
   */
  submitJob?(req: RestJobSubmission): Promise<JobSubmitResult>;
}

/** The body of POST /v1/jobs: a job as a builder module and its payload (JSON: a serialized SQL plan is). */
export interface RestJobSubmission {
  readonly spec: JobSpec;
  /** A query: its rows are relayed to the client that connects for them on the JobManager's RPC port. */
  readonly collect: boolean;
  /** The id to use (the client's TableResult id); a fresh one otherwise. */
  readonly jobId?: string;
}

/** Flink answers POST /jobs with the job's URL; Freshet adds the id and the RPC port results are fetched from. */
export interface JobSubmitResult {
  readonly jobid: string;
  readonly jobUrl: string;
  readonly 'rpc-port': number;
}
