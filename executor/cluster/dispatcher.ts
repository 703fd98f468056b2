// The Dispatcher (Flink's org.apache.flink.runtime.dispatcher.Dispatcher): accepts jobs, keeps the running ones
// and a bounded history of finished ones, answers the ClusterGateway views the REST API and the REPL read.
// A submission is a `run` function (the planned job's run, or a JobGraph's LocalJob); whatever executes it —
// LocalJob in this thread, the MiniCluster's JobManager — reports itself through dispatcher-context.ts, and the
// views read its subtasks' counters from there.
//
//   TableEnvironment / DataStream ──run + SQL + EXPLAIN──▶ Dispatcher ──run()──▶ LocalJob | MiniCluster job
//        REST server, REPL, dashboard ◀──ClusterGateway views (Flink REST shapes)──┘   (reportJobStarted)
import { describePartitioner } from '../runtime/partitioner.js';
import { CancelledError } from '../runtime/errors.js';
import { LocalJob, type ExecutionOptions } from '../runtime/local-executor.js';
import type { CheckpointConfigInfo, CheckpointDetails, CheckpointingStatistics } from '../checkpoint/coordinator.js';
import { SystemProcessingTimeService } from '../runtime/time.js';
import type { JobGraph } from '../graph/job-graph.js';
import type { SubtaskState } from '../runtime/subtask.js';
import {
  flattenExceptions,
  runObserved,
  type JobObserver,
  type ObservedJob,
  type SubtaskSnapshot,
} from './dispatcher-context.js';
import {
  EXECUTION_STATES,
  GatewayError,
  TERMINAL_JOB_STATES,
  jobNotFound,
  type ClusterGateway,
  type ClusterOverview,
  type DashboardConfig,
  type ExceptionInfo,
  type RootExceptionInfo,
  type ExecutionState,
  type IOMetrics,
  type JobDetail,
  type JobExceptions,
  type JobOverview,
  type JobPlan,
  type JobState,
  type JobsOverview,
  type StopOptions,
  type StopResult,
  type SubtaskDetail,
  type TaskCounts,
  type TaskManagersInfo,
  type VertexDetail,
  type VertexSubtasks,
} from './api.js';

export const FRESHET_VERSION = '0.1.0';

/** The TaskManagers the views show; the MiniCluster passes its ResourceManager's view. */
export type TaskManagerSource = () => TaskManagersInfo | Promise<TaskManagersInfo>;

export interface DispatcherOptions {
  readonly taskManagers?: TaskManagerSource;
  /** Flink's jobstore.max-capacity: finished jobs kept for the views (oldest dropped first). */
  readonly historySize?: number;
  /** The configuration /v1/config shows. */
  readonly configuration?: () => Readonly<Record<string, string>>;
  readonly clock?: () => number;
}

export interface SubmitRequest {
  readonly name: string;
  /** Starts the job and settles when it ends (rejects with CancelledError when `signal` cancelled it). */
  readonly run: (signal: AbortSignal) => Promise<unknown>;
  readonly sql?: string;
  /** EXPLAIN text, computed when first asked for (planning it again costs as much as planning the job). */
  readonly explain?: string | (() => string);
  /** The id to use (the TableResult's); a fresh one otherwise. */
  readonly jid?: string;
  readonly type?: 'STREAMING' | 'BATCH';
}

/** Flink-style 32-hex-digit job ids. */
export function newJobId(): string {
  const hex = (n: number): string =>
    Math.floor(Math.random() * 16 ** n)
      .toString(16)
      .padStart(n, '0');
  return hex(8) + hex(8) + hex(8) + hex(8);
}


/** Rates are averaged over at least this long, so a dashboard polling faster sees steady numbers. */
const RATE_WINDOW_MS = 1000;

interface Sample {
  readonly at: number;
  readonly counters: Readonly<Record<string, number>>;
  readonly idle: number;
  readonly bp: number;
}

interface Rates {
  readonly inPerSec: number;
  readonly outPerSec: number;
  readonly busy: number;
  readonly idle: number;
  readonly bp: number;
}

const ZERO_RATES: Rates = { inPerSec: 0, outPerSec: 0, busy: 0, idle: 0, bp: 0 };

const NO_GRAPH: JobGraph = { jobName: '', vertices: [] };

class DispatchedJob implements JobObserver {
  state: JobState = 'RUNNING';
  readonly timestamps: Partial<Record<JobState, number>> = {};
  endTime = -1;
  failure: RootExceptionInfo | null = null;
  /** What executes the job, once it reported itself (right after `run` starts it). */
  observed: ObservedJob | null = null;
  /** Subtask snapshots frozen when the job ended (the executor drops its subtasks with it). */
  final: readonly SubtaskSnapshot[] | null = null;
  readonly controller = new AbortController();
  result: Promise<unknown> = Promise.resolve();
  private explainText: string | null = null;
  private readonly prev = new Map<string, Sample>();
  private readonly rates = new Map<string, Rates>();

  constructor(
    readonly jid: string,
    readonly name: string,
    readonly sql: string,
    private readonly explainOf: string | (() => string) | undefined,
    readonly type: 'STREAMING' | 'BATCH',
    readonly startTime: number,
  ) {
    this.timestamps.CREATED = startTime;
    this.timestamps.RUNNING = startTime;
  }

  attach(job: ObservedJob): void {
    // The first job started in the scope is this one; anything the job itself starts later is not.
    this.observed ??= job;
  }

  get graph(): JobGraph {
    return this.observed?.graph ?? NO_GRAPH;
  }

  restarts(): number {
    return this.observed?.kind === 'executor' ? this.observed.restarts() : 0;
  }

  recoveredFailures(): readonly RootExceptionInfo[] {
    return this.observed?.kind === 'executor' ? this.observed.recoveredFailures() : [];
  }

  explain(): string {
    if (this.explainText === null) {
      try {
        this.explainText = typeof this.explainOf === 'function' ? this.explainOf() : (this.explainOf ?? '');
      } catch (e) {
        this.explainText = `EXPLAIN failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return this.explainText;
  }

  snapshots(): readonly SubtaskSnapshot[] {
    if (this.final !== null) return this.final;
    const o = this.observed;
    if (o === null) return [];
    return o.kind === 'local' ? localSnapshots(o.job, o.graph) : o.subtasks();
  }

  /** Per-subtask rates over the last RATE_WINDOW_MS (Flink's MeterView averages over 60 s; a dashboard wants less lag). */
  ratesOf(s: SubtaskSnapshot, now: number): Rates {
    const key = `${s.vertexId}/${s.index}`;
    const idle = s.counters.idleTimeMs ?? 0;
    const bp = s.counters.backPressuredTimeMs ?? 0;
    const cur: Sample = { at: now, counters: s.counters, idle, bp };
    const prev = this.prev.get(key);
    if (prev === undefined) {
      this.prev.set(key, cur);
      return this.rates.get(key) ?? ZERO_RATES;
    }
    const dt = now - prev.at;
    if (dt < RATE_WINDOW_MS) return this.rates.get(key) ?? ZERO_RATES;
    const per = (name: string): number =>
      Math.max(0, ((s.counters[name] ?? 0) - (prev.counters[name] ?? 0)) * (1000 / dt));
    const running = s.state === 'RUNNING';
    const idleR = running ? clamp01((idle - prev.idle) / dt) : 0;
    const bpR = running ? clamp01((bp - prev.bp) / dt) : 0;
    const r: Rates = {
      inPerSec: per('numRecordsIn'),
      outPerSec: per('numRecordsOut'),
      idle: idleR,
      bp: bpR,
      busy: running ? clamp01(1 - idleR - bpR) : 0,
    };
    this.prev.set(key, cur);
    this.rates.set(key, r);
    return r;
  }
}

/** A LocalJob's subtasks; it builds them vertex by vertex in graph order, `parallelism` of each. */
function localSnapshots(job: LocalJob, graph: JobGraph): SubtaskSnapshot[] {
  const out: SubtaskSnapshot[] = [];
  let k = 0;
  for (const v of graph.vertices) {
    for (let i = 0; i < v.parallelism; i++) {
      const t = job.subtasks[k++];
      if (t === undefined) return out;
      out.push({
        vertexId: v.id,
        index: i,
        state: SUBTASK_STATE[t.state],
        attempt: 0,
        endpoint: 'localhost',
        taskManagerId: LOCAL_TM,
        startedAt: t.startedAt,
        endedAt: t.endedAt,
        counters: Object.fromEntries(t.metrics.entries()),
        currentInputWatermark: t.metrics.gauge('currentInputWatermark'),
        currentOutputWatermark: t.metrics.gauge('currentOutputWatermark'),
      });
    }
  }
  return out;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function exceptionOf(e: unknown, at: number): ExceptionInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    exceptionName: err.name,
    stacktrace: err.stack ?? `${err.name}: ${err.message}`,
    timestamp: at,
    taskName: null,
    endpoint: null,
    taskManagerId: null,
  };
}

/** The execution options a JobGraph submitted directly runs with (lower.ts's for SQL: flush on every emit). */
export const GRAPH_EXECUTION_OPTIONS: ExecutionOptions = {
  batchSize: 1024,
  bufferTimeout: 0,
  autoWatermarkInterval: 0,
  channelCapacity: 8,
  clock: new SystemProcessingTimeService(),
};

/** Jobs that run in the embedding thread run on no TaskManager but the process itself: shown as one, one slot. */
export function localTaskManagers(): TaskManagersInfo {
  const mem = process.memoryUsage();
  return {
    taskmanagers: [
      {
        id: LOCAL_TM,
        path: 'in-process',
        dataPort: -1,
        timeSinceLastHeartbeat: 0,
        slotsNumber: 1,
        freeSlots: 1,
        hardware: {
          cpuCores: 1,
          physicalMemory: mem.rss,
          freeMemory: mem.heapTotal - mem.heapUsed,
          managedMemory: 0,
        },
      },
    ],
  };
}

const LOCAL_TM = 'local';

const SUBTASK_STATE: Record<SubtaskState, ExecutionState> = {
  created: 'CREATED',
  running: 'RUNNING',
  finished: 'FINISHED',
  failed: 'FAILED',
  canceled: 'CANCELED',
};

export class Dispatcher implements ClusterGateway {
  private readonly jobsById = new Map<string, DispatchedJob>();
  /** Finished jobs in the order they ended (the history that is trimmed). */
  private readonly finished: string[] = [];
  private readonly tmSource: TaskManagerSource;
  private lastTms: TaskManagersInfo = localTaskManagers();
  private readonly historySize: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly configuration: () => Readonly<Record<string, string>>;
  private readonly listeners = new Set<(jid: string, state: JobState) => void>();

  constructor(opts: DispatcherOptions = {}) {
    this.tmSource = opts.taskManagers ?? localTaskManagers;
    this.historySize = opts.historySize ?? 100;
    this.now = opts.clock ?? Date.now;
    this.startedAt = this.now();
    this.configuration = opts.configuration ?? (() => ({}));
  }

  /** Starts a job and returns its id; `result(jid)` settles when it ends. */
  submit(req: SubmitRequest): string {
    const jid = req.jid ?? newJobId();
    if (this.jobsById.has(jid)) throw new GatewayError(409, `Job ${jid} was already submitted`);
    const job = new DispatchedJob(
      jid,
      req.name,
      req.sql ?? '',
      req.explain,
      req.type ?? 'STREAMING',
      this.now(),
    );
    this.jobsById.set(jid, job);
    let result: Promise<unknown>;
    try {
      result = runObserved(job, () => req.run(job.controller.signal));
    } catch (e) {
      result = Promise.reject(e);
    }
    job.result = result;
    result.then(
      () => this.ended(job, 'FINISHED', null),
      (e: unknown) =>
        this.ended(
          job,
          e instanceof CancelledError || job.controller.signal.aborted ? 'CANCELED' : 'FAILED',
          e,
        ),
    );
    this.emit(jid, 'RUNNING');
    return jid;
  }

  /** Runs a JobGraph (DataStream programs) as a LocalJob in this thread. */
  submitGraph(
    graph: JobGraph,
    opts: { name?: string; jid?: string; options?: ExecutionOptions } = {},
  ): string {
    return this.submit({
      name: opts.name ?? graph.jobName,
      ...(opts.jid === undefined ? {} : { jid: opts.jid }),
      run: (signal) => {
        const job = new LocalJob(graph, opts.options ?? GRAPH_EXECUTION_OPTIONS);
        signal.addEventListener('abort', () => void job.cancel(), { once: true });
        return job.getJobExecutionResult();
      },
    });
  }

  /** Resolves when the job finishes; rejects with its failure (or CancelledError). */
  result(jid: string): Promise<unknown> {
    return this.get(jid).result;
  }

  /** Called with every job state change (the REST server's event stream listens here). */
  onJobStateChange(fn: (jid: string, state: JobState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(jid: string, state: JobState): void {
    for (const l of this.listeners) l(jid, state);
  }

  private ended(job: DispatchedJob, state: JobState, error: unknown): void {
    const at = this.now();
    // Freeze the last counters: views of a finished job keep its totals.
    job.final = job.snapshots();
    job.state = state;
    job.timestamps[state] = at;
    job.endTime = at;
    if (state === 'FAILED') {
      const o = job.observed;
      job.failure = (o?.kind === 'executor' ? o.finalFailure?.() : null) ?? { ...exceptionOf(error, at), concurrentExceptions: [] };
    }
    this.finished.push(job.jid);
    while (this.finished.length > this.historySize) this.jobsById.delete(this.finished.shift() as string);
    this.emit(job.jid, state);
  }

  private get(jid: string): DispatchedJob {
    const job = this.jobsById.get(jid);
    if (job === undefined) throw jobNotFound(jid);
    return job;
  }

  // ---- synchronous views (the in-process callers: TableEnvironment's SHOW JOBS, the REPL) --------------------

  listJobs(): JobOverview[] {
    const now = this.now();
    return [...this.jobsById.values()]
      .sort((a, b) => a.startTime - b.startTime)
      .map((j) => {
        const counts = this.taskCounts(j.snapshots());
        const tasks: Record<string, number> = { total: 0 };
        for (const s of EXECUTION_STATES) {
          tasks[s.toLowerCase()] = counts[s];
          tasks.total = (tasks.total ?? 0) + counts[s];
        }
        return {
          jid: j.jid,
          name: j.name,
          state: j.state,
          'start-time': j.startTime,
          'end-time': j.endTime,
          duration: (j.endTime < 0 ? now : j.endTime) - j.startTime,
          'last-modification': Math.max(...Object.values(j.timestamps).map((t) => t ?? 0)),
          tasks,
          parallelism: Math.max(1, ...j.graph.vertices.map((v) => v.parallelism)),
        };
      });
  }

  jobDetail(jid: string): JobDetail {
    const j = this.get(jid);
    const now = this.now();
    const snaps = j.snapshots();
    const vertices: VertexDetail[] = j.graph.vertices.map((v) => {
      const mine = snaps.filter((s) => s.vertexId === v.id);
      const tasks = this.taskCounts(mine);
      const start = Math.min(...mine.map((s) => (s.startedAt > 0 ? s.startedAt : Infinity)));
      const allEnded = mine.length > 0 && mine.every((s) => s.endedAt > 0);
      const end = allEnded ? Math.max(...mine.map((s) => s.endedAt)) : -1;
      const startTime = Number.isFinite(start) ? start : -1;
      return {
        id: String(v.id),
        name: v.name,
        maxParallelism: v.maxParallelism,
        parallelism: v.parallelism,
        status: vertexStatus(tasks, v.parallelism),
        'start-time': startTime,
        'end-time': end,
        duration: startTime < 0 ? -1 : (end < 0 ? now : end) - startTime,
        tasks,
        metrics: aggregate(mine.map((s) => this.ioMetrics(j, s, now))),
      };
    });
    return {
      jid: j.jid,
      name: j.name,
      isStoppable: false,
      state: j.state,
      'start-time': j.startTime,
      'end-time': j.endTime,
      duration: (j.endTime < 0 ? now : j.endTime) - j.startTime,
      maxParallelism: Math.max(-1, ...j.graph.vertices.map((v) => v.maxParallelism)),
      now,
      timestamps: { ...j.timestamps },
      vertices,
      'status-counts': this.taskCounts(snaps),
      plan: this.planOf(j),
      sql: j.sql,
      explain: j.explain(),
      restarts: j.restarts(),
    };
  }

  vertexDetail(jid: string, vid: string): VertexSubtasks {
    const j = this.get(jid);
    const v = j.graph.vertices.find((x) => String(x.id) === vid);
    if (v === undefined) throw new GatewayError(404, `Vertex ${vid} not found in job ${jid}`);
    const now = this.now();
    const subtasks: SubtaskDetail[] = j
      .snapshots()
      .filter((s) => s.vertexId === v.id)
      .sort((a, b) => a.index - b.index)
      .map((s) => ({
        subtask: s.index,
        status: s.state,
        attempt: s.attempt,
        endpoint: s.endpoint,
        'taskmanager-id': s.taskManagerId,
        'start-time': s.startedAt > 0 ? s.startedAt : -1,
        'end-time': s.endedAt > 0 ? s.endedAt : -1,
        duration: s.startedAt > 0 ? (s.endedAt > 0 ? s.endedAt : now) - s.startedAt : -1,
        metrics: this.ioMetrics(j, s, now),
      }));
    return {
      id: vid,
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      now,
      subtasks,
    };
  }

  jobExceptions(jid: string): JobExceptions {
    const j = this.get(jid);
    const history = [...j.recoveredFailures(), ...(j.failure === null ? [] : [j.failure])];
    const root = history[history.length - 1];
    return {
      'root-exception': root?.stacktrace ?? null,
      timestamp: root?.timestamp ?? null,
      'all-exceptions': flattenExceptions(history),
      truncated: false,
      exceptionHistory: { entries: [...history].reverse(), truncated: false },
    };
  }

  /** The overview with the TaskManagers last read (synchronous callers); `overview()` reads them afresh. */
  clusterOverview(): ClusterOverview {
    const tms = this.lastTms.taskmanagers;
    let running = 0;
    let finished = 0;
    let cancelled = 0;
    let failed = 0;
    for (const j of this.jobsById.values()) {
      if (j.state === 'FINISHED') finished++;
      else if (j.state === 'CANCELED') cancelled++;
      else if (j.state === 'FAILED') failed++;
      else running++;
    }
    return {
      taskmanagers: tms.length,
      'slots-total': tms.reduce((n, t) => n + t.slotsNumber, 0),
      'slots-available': tms.reduce((n, t) => n + t.freeSlots, 0),
      'jobs-running': running,
      'jobs-finished': finished,
      'jobs-cancelled': cancelled,
      'jobs-failed': failed,
      'freshet-version': FRESHET_VERSION,
      uptime: this.now() - this.startedAt,
    };
  }

  dashboardConfig(): DashboardConfig {
    const offset = -new Date().getTimezoneOffset() * 60_000;
    return {
      'refresh-interval': 1000,
      'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
      'timezone-offset': offset,
      'freshet-version': FRESHET_VERSION,
      features: { 'web-submit': false, 'web-cancel': true, 'web-rescale': false, 'web-history': false },
      configuration: { ...this.configuration() },
    };
  }

  /** Cancels a running job (Flink's PATCH /jobs/:jid?mode=cancel); a job that already ended is left as it is. */
  cancelJob(jid: string): Promise<void> {
    const j = this.get(jid);
    if (TERMINAL_JOB_STATES.has(j.state)) return Promise.resolve();
    j.state = 'CANCELLING';
    j.timestamps.CANCELLING = this.now();
    this.emit(jid, 'CANCELLING');
    j.controller.abort();
    return j.result.then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Flink SQL's STOP JOB: without a savepoint the job is cancelled (the SQL client does the same); with one the
   * job needs checkpointing on, in this thread or on the MiniCluster.
   */
  async stopJob(jid: string, opts: StopOptions = {}): Promise<StopResult> {
    const j = this.get(jid);
    if (opts.savepoint !== undefined) {
      // A savepoint, then the stop (Flink's stop-with-savepoint; it drains with MAX_WATERMARK, this cancels). A job
      // in this thread takes it with its LocalJob, a MiniCluster job with its JobManager (the checkpoint coordinator).
      const o = j.observed;
      const take: ((dir: string | null) => Promise<string>) | null =
        o?.kind === 'local'
          ? o.job.checkpointCoordinator() === null
            ? null
            : (dir) => o.job.stopWithSavepoint(dir)
          : o?.kind === 'executor' && o.checkpoints?.() != null
            ? (o.stopWithSavepoint ?? null)
            : null;
      if (take === null || TERMINAL_JOB_STATES.has(j.state)) {
        throw new GatewayError(
          501,
          "STOP JOB ... WITH SAVEPOINT needs a running job with checkpointing on (SET 'execution.checkpointing.interval')",
        );
      }
      let path: string;
      try {
        path = await take(opts.savepoint === '' ? null : opts.savepoint);
      } catch (e) {
        // The job ended or failed while the savepoint was taken: a conflict with its state, not a server error.
        throw new GatewayError(409, `the savepoint of job ${jid} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      await this.cancelJob(jid);
      return { 'request-id': newJobId(), savepoint: path };
    }
    await this.cancelJob(jid);
    return { 'request-id': newJobId(), savepoint: null };
  }

  async checkpoints(jid: string): Promise<CheckpointingStatistics | null> {
    const j = this.get(jid);
    const o = j.observed;
    if (o?.kind === 'executor') return o.checkpoints?.() ?? null;
    return o?.kind === 'local' ? (o.job.checkpointCoordinator()?.statistics() ?? null) : null;
  }

  /** A cluster job's own checkpoint settings (its JobManager has them); null for jobs in this thread. */
  async checkpointConfig(jid: string): Promise<CheckpointConfigInfo | null> {
    const o = this.get(jid).observed;
    return o?.kind === 'executor' ? (o.checkpointConfig?.() ?? null) : null;
  }

  /** One checkpoint of the job's history with its per-vertex figures; null when unknown. */
  async checkpointDetails(jid: string, id: number): Promise<CheckpointDetails | null> {
    const o = this.get(jid).observed;
    if (o?.kind === 'executor') return o.checkpointDetails?.(id) ?? null;
    return o?.kind === 'local' ? (o.job.checkpointCoordinator()?.details(id) ?? null) : null;
  }

  // ---- ClusterGateway -------------------------------------------------------------------------------------------

  async overview(): Promise<ClusterOverview> {
    await this.taskManagers();
    return this.clusterOverview();
  }
  async jobs(): Promise<JobsOverview> {
    return { jobs: this.listJobs() };
  }
  async job(jid: string): Promise<JobDetail> {
    return this.jobDetail(jid);
  }
  async plan(jid: string): Promise<JobPlan> {
    return this.planOf(this.get(jid));
  }
  async vertex(jid: string, vid: string): Promise<VertexSubtasks> {
    return this.vertexDetail(jid, vid);
  }
  async exceptions(jid: string): Promise<JobExceptions> {
    return this.jobExceptions(jid);
  }
  cancel(jid: string): Promise<void> {
    return this.cancelJob(jid);
  }
  stop(jid: string, opts?: StopOptions): Promise<StopResult> {
    return this.stopJob(jid, opts);
  }
  async taskManagers(): Promise<TaskManagersInfo> {
    this.lastTms = await this.tmSource();
    return this.lastTms;
  }
  async config(): Promise<DashboardConfig> {
    return this.dashboardConfig();
  }

  /** Cancels every running job and waits for them to end (closing the REPL, the environment). */
  async shutdown(): Promise<void> {
    const running = [...this.jobsById.values()].filter((j) => !TERMINAL_JOB_STATES.has(j.state));
    await Promise.all(running.map((j) => this.cancelJob(j.jid).catch(() => undefined)));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private planOf(j: DispatchedJob): JobPlan {
    return {
      jid: j.jid,
      name: j.name,
      type: j.type,
      nodes: j.graph.vertices.map((v) => ({
        id: String(v.id),
        parallelism: v.parallelism,
        operator: '',
        operator_strategy: '',
        description: v.name,
        ...(v.inputs.length === 0
          ? {}
          : {
              inputs: v.inputs.map((e, num) => ({
                num,
                id: String(e.source),
                ship_strategy: describePartitioner(e.edge.partitioner),
                exchange: 'pipelined_bounded' as const,
              })),
            }),
      })),
    };
  }

  private taskCounts(snaps: readonly SubtaskSnapshot[]): TaskCounts {
    const c = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<ExecutionState, number>;
    for (const s of snaps) c[s.state]++;
    return c;
  }

  private ioMetrics(j: DispatchedJob, s: SubtaskSnapshot, now: number): IOMetrics {
    const r = j.ratesOf(s, now);
    const c = s.counters;
    const wall = s.startedAt > 0 ? (s.endedAt > 0 ? s.endedAt : now) - s.startedAt : 0;
    const idle = c.idleTimeMs ?? 0;
    const bp = c.backPressuredTimeMs ?? 0;
    const bytesKnown = c.numBytesIn !== undefined || c.numBytesOut !== undefined;
    return {
      'read-bytes': c.numBytesIn ?? 0,
      'read-bytes-complete': bytesKnown,
      'write-bytes': c.numBytesOut ?? 0,
      'write-bytes-complete': bytesKnown,
      'read-records': c.numRecordsIn ?? 0,
      'read-records-complete': true,
      'write-records': c.numRecordsOut ?? 0,
      'write-records-complete': true,
      'accumulated-backpressured-time': Math.round(bp),
      'accumulated-idle-time': Math.round(idle),
      'accumulated-busy-time': Math.max(0, Math.round(wall - idle - bp)),
      'read-records-per-second': r.inPerSec,
      'write-records-per-second': r.outPerSec,
      'busy-ratio': r.busy,
      'idle-ratio': r.idle,
      'backpressured-ratio': r.bp,
      'current-input-watermark': s.currentInputWatermark ?? null,
      'current-output-watermark': s.currentOutputWatermark ?? null,
      'late-records-dropped': c.numLateRecordsDropped ?? 0,
      'state-size': c.stateSize ?? 0,
    };
  }
}

/** A vertex's status from its subtasks' (Flink's ExecutionJobVertex.getAggregateJobVertexState). */
function vertexStatus(t: TaskCounts, parallelism: number): ExecutionState {
  if (t.FAILED > 0) return 'FAILED';
  if (t.CANCELING > 0) return 'CANCELING';
  if (t.CANCELED > 0) return 'CANCELED';
  if (t.RUNNING > 0) return 'RUNNING';
  if (t.FINISHED === parallelism) return 'FINISHED';
  if (t.FINISHED > 0) return 'RUNNING';
  return 'CREATED';
}

/** Sums counters and rates over subtasks; ratios take the maximum (the slowest subtask is the bottleneck, as in Flink's backpressure view); watermarks the minimum. */
function aggregate(ms: readonly IOMetrics[]): IOMetrics {
  const sum = (k: keyof IOMetrics): number => ms.reduce((n, m) => n + (m[k] as number), 0);
  const max = (k: keyof IOMetrics): number => ms.reduce((n, m) => Math.max(n, m[k] as number), 0);
  const minWm = (k: 'current-input-watermark' | 'current-output-watermark'): number | null => {
    let out: number | null = null;
    for (const m of ms) {
      const w = m[k];
      // Until every subtask has a watermark, the vertex has none (the minimum is still Long.MIN_VALUE).
      if (w === null) return null;
      out = out === null ? w : Math.min(out, w);
    }
    return out;
  };
  return {
    'read-bytes': sum('read-bytes'),
    'read-bytes-complete': ms.every((m) => m['read-bytes-complete']),
    'write-bytes': sum('write-bytes'),
    'write-bytes-complete': ms.every((m) => m['write-bytes-complete']),
    'read-records': sum('read-records'),
    'read-records-complete': true,
    'write-records': sum('write-records'),
    'write-records-complete': true,
    'accumulated-backpressured-time': sum('accumulated-backpressured-time'),
    'accumulated-idle-time': sum('accumulated-idle-time'),
    'accumulated-busy-time': sum('accumulated-busy-time'),
    'read-records-per-second': sum('read-records-per-second'),
    'write-records-per-second': sum('write-records-per-second'),
    'busy-ratio': max('busy-ratio'),
    'idle-ratio': ms.length === 0 ? 0 : ms.reduce((n, m) => Math.min(n, m['idle-ratio']), 1),
    'backpressured-ratio': max('backpressured-ratio'),
    'current-input-watermark': minWm('current-input-watermark'),
    'current-output-watermark': minWm('current-output-watermark'),
    'late-records-dropped': sum('late-records-dropped'),
    'state-size': sum('state-size'),
  };
}
