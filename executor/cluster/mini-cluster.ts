// The MiniCluster: a ResourceManager, TaskManagers whose slots are worker threads, and one JobManager per
// submitted job, all in this process (Flink's MiniCluster). It is what TableEnvironment, the REPL and
// `freshet -f` run SQL jobs on by default (`execution.target` = mini-cluster) and it implements the control
// plane's ClusterGateway (api.ts) for the REST API. Configuration uses Flink's keys:
//   taskmanager.numberOfTaskSlots (default: cores), minicluster.number-of-taskmanagers (1),
//   heartbeat.interval (10 s), heartbeat.timeout (50 s), slot.request.timeout (5 min), restart-strategy.* (none).
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { SinkWriter } from '../runtime/operator.js';
import { describePartitioner } from '../runtime/partitioner.js';
import {
  EXECUTION_STATES,
  GatewayError,
  jobNotFound,
  type ClusterGateway,
  type ClusterOverview,
  type DashboardConfig,
  type ExecutionState,
  type IOMetrics,
  type JobDetail,
  type JobExceptions,
  type JobPlan,
  type JobsOverview,
  type StopOptions,
  type StopResult,
  type SubtaskDetail,
  type TaskCounts,
  type TaskManagersInfo,
  type VertexDetail,
  type VertexSubtasks,
} from './api.js';
import { flattenExceptions, reportJobStarted } from './dispatcher-context.js';
import type { CheckpointConfigInfo, CheckpointDetails, CheckpointingStatistics } from '../checkpoint/coordinator.js';
import { JobManager, type ExecutionVertex } from './job-manager.js';
import type { FromSlot, JobGraphBuilder, JobSpec } from './protocol.js';
import { ResourceManager } from './resource-manager.js';
import { parseFlinkDuration, restartStrategyOf } from './restart-strategy.js';
import { TaskManager, type SlotHandle, type TaskManagerHandle } from './task-manager.js';

const VERSION = '0.1.0';
const MAX_FINISHED_JOBS = 100;

export interface MiniClusterConfig {
  readonly [key: string]: string;
}

export class MiniCluster implements ClusterGateway {
  readonly rm: ResourceManager;
  readonly tms: TaskManager[] = [];
  private readonly jobMap = new Map<string, JobManager>();
  private readonly conf: Map<string, string>;
  private readonly started = Date.now();
  private tmCounter = 0;

  private constructor(config: MiniClusterConfig) {
    this.conf = new Map(Object.entries(config));
    const ms = (key: string, dflt: number): number => {
      const t = this.conf.get(key);
      return t === undefined ? dflt : parseFlinkDuration(key, t);
    };
    this.rm = new ResourceManager({
      heartbeatIntervalMs: ms('heartbeat.interval', 10_000),
      heartbeatTimeoutMs: ms('heartbeat.timeout', 50_000),
    });
    this.rm.subscribe({
      onHeartbeat: (beats) => {
        for (const jm of this.jobMap.values()) if (!jm.status.terminal) jm.onHeartbeat(beats);
      },
      onTaskManagerLost: (tm, reason) => {
        for (const jm of this.jobMap.values()) if (!jm.status.terminal) jm.onTaskManagerLost(tm, reason);
      },
    });
  }

  /** Starts a MiniCluster and waits for every slot thread to be ready. */
  static async start(config: MiniClusterConfig = {}): Promise<MiniCluster> {
    const c = new MiniCluster(config);
    const n = Number(c.conf.get('minicluster.number-of-taskmanagers') ?? '1');
    if (!Number.isInteger(n) || n < 1)
      throw new Error(
        `'minicluster.number-of-taskmanagers' must be a positive integer, not '${String(c.conf.get('minicluster.number-of-taskmanagers'))}'`,
      );
    // Slot threads are unref'd, so nothing else keeps the process alive while they start.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      for (let i = 0; i < n; i++) await c.addTaskManager();
    } finally {
      clearInterval(keepAlive);
    }
    c.rm.start();
    return c;
  }

  private static sharedCluster: Promise<MiniCluster> | null = null;
  /**
   * Grow by a TaskManager when a job needs more slots than the cluster has in total: what Flink's local executor
   * does by sizing its MiniCluster to the job's parallelism. Only the shared cluster is elastic.
   */
  private elastic = false;

  /**
   * The process-wide MiniCluster SQL jobs run on (started on first use; slot threads never keep the process
   * alive by themselves). `FRESHET_TASK_SLOTS` overrides the slot count (default: cores).
   */
  static shared(): Promise<MiniCluster> {
    MiniCluster.sharedCluster ??= MiniCluster.start(
      process.env['FRESHET_TASK_SLOTS'] !== undefined
        ? { 'taskmanager.numberOfTaskSlots': process.env['FRESHET_TASK_SLOTS'] }
        : {},
    ).then((c) => {
      c.elastic = true;
      return c;
    });
    return MiniCluster.sharedCluster;
  }

  /**
   * A cluster without TaskManagers of its own: the standalone JobManager process (standalone-jobmanager.ts), whose
   * TaskManagers are other processes that register over TCP (attachTaskManager).
   */
  static async startWithoutTaskManagers(config: MiniClusterConfig = {}): Promise<MiniCluster> {
    const c = new MiniCluster(config);
    c.rm.start();
    return c;
  }

  /** Registers a TaskManager that runs elsewhere (a `freshet taskmanager` process). */
  attachTaskManager(tm: TaskManagerHandle): void {
    this.rm.register(tm);
  }

  /** A message from a slot of an attached TaskManager, routed to its job as one from a local slot. */
  routeSlotMessage(slot: SlotHandle, m: FromSlot): void {
    this.route(slot, m);
  }

  /** Adds a TaskManager (what a new `freshet taskmanager` registering does in a standalone cluster). */
  async addTaskManager(slots?: number): Promise<TaskManager> {
    const n =
      slots ?? Number(this.conf.get('taskmanager.numberOfTaskSlots') ?? String(availableParallelism()));
    const tm = new TaskManager(`tm-${++this.tmCounter}`, n, (slot, m) => this.route(slot, m));
    await tm.start();
    this.tms.push(tm);
    this.rm.register(tm);
    return tm;
  }

  private route(slot: SlotHandle, m: FromSlot): void {
    if (
      m.type === 'task' ||
      m.type === 'deploy-failed' ||
      m.type === 'checkpoint-ack' ||
      m.type === 'checkpoint-decline' ||
      m.type === 'checkpoint-committed'
    ) {
      const jm = this.jobMap.get(m.jobId) ?? (slot.jobId !== null ? this.jobMap.get(slot.jobId) : undefined);
      jm?.onSlotMessage(slot, m);
    }
  }

  /**
   * Submits a job: builds its graph here (the JobManager's view) and deploys it into slots. `resultSink` receives
   * the rows of a query's collect sink, in order, with the client's backpressure.
   */
  async submit(
    spec: JobSpec,
    opts: { resultSink?: SinkWriter | null; jobId?: string } = {},
  ): Promise<JobManager> {
    for (const m of spec.preload ?? []) await import(m);
    const mod = (await import(spec.builder)) as { buildJobGraph?: JobGraphBuilder };
    if (typeof mod.buildJobGraph !== 'function')
      throw new Error(`job builder ${spec.builder} exports no buildJobGraph`);
    const graph = mod.buildJobGraph(spec.payload, { resultSink: null, attempt: 0 });
    const need = Math.max(1, ...graph.vertices.map((v) => v.parallelism));
    if (this.elastic && this.rm.slotsTotal < need) await this.addTaskManager(need - this.rm.slotsTotal);
    const jobId = opts.jobId ?? randomBytes(16).toString('hex');
    const jm = new JobManager(jobId, spec, graph, opts.resultSink ?? null, {
      rm: this.rm,
      // The job's own restart-strategy.* keys win over the cluster's (job-level configuration, as in Flink).
      restartStrategy: restartStrategyOf(
        spec.restartStrategy === undefined ? this.conf : new Map([...this.conf, ...Object.entries(spec.restartStrategy)]),
      ),
      slotRequestTimeoutMs: parseFlinkDuration(
        'slot.request.timeout',
        this.conf.get('slot.request.timeout') ?? '300000',
      ),
      cancelTimeoutMs: 5000,
    });
    this.jobMap.set(jobId, jm);
    // Finished jobs stay listed (REST history) up to a bound, oldest dropped first (Flink's archive is bounded too).
    const ended = [...this.jobMap.values()].filter((j) => j.status.terminal);
    for (const j of ended.slice(0, Math.max(0, ended.length - MAX_FINISHED_JOBS)))
      this.jobMap.delete(j.jobId);
    // A Dispatcher that submitted this (from TableEnvironment, the REPL) sees the job's subtasks and restarts.
    reportJobStarted({ kind: 'executor', ...jm.observed() });
    jm.start();
    return jm;
  }

  getJob(jid: string): JobManager | undefined {
    return this.jobMap.get(jid);
  }

  async close(): Promise<void> {
    for (const jm of this.jobMap.values()) if (!jm.status.terminal) await jm.cancel();
    this.rm.stop();
    await Promise.all(this.tms.map((tm) => tm.terminate()));
    if (MiniCluster.sharedCluster !== null && (await MiniCluster.sharedCluster) === this)
      MiniCluster.sharedCluster = null;
  }

  // ---- ClusterGateway ----

  private jm(jid: string): JobManager {
    const jm = this.jobMap.get(jid);
    if (jm === undefined) throw jobNotFound(jid);
    return jm;
  }

  async overview(): Promise<ClusterOverview> {
    const states = [...this.jobMap.values()].map((j) => j.state);
    return {
      taskmanagers: this.rm.taskManagers.size,
      'slots-total': this.rm.slotsTotal,
      'slots-available': this.rm.slotsFree,
      'jobs-running': states.filter((s) => s !== 'FINISHED' && s !== 'FAILED' && s !== 'CANCELED').length,
      'jobs-finished': states.filter((s) => s === 'FINISHED').length,
      'jobs-cancelled': states.filter((s) => s === 'CANCELED').length,
      'jobs-failed': states.filter((s) => s === 'FAILED').length,
      'freshet-version': VERSION,
      uptime: Date.now() - this.started,
    };
  }

  async jobs(): Promise<JobsOverview> {
    return {
      jobs: [...this.jobMap.values()].map((j) => {
        const counts = taskCounts(j.executions);
        return {
          jid: j.jobId,
          name: j.jobName,
          state: j.state,
          'start-time': j.startTime,
          'end-time': j.endTime,
          duration: (j.endTime < 0 ? Date.now() : j.endTime) - j.startTime,
          'last-modification': Math.max(...Object.values(j.status.timestamps).map((t) => t ?? 0)),
          tasks: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k.toLowerCase(), v])),
          parallelism: j.parallelism,
        };
      }),
    };
  }

  async job(jid: string): Promise<JobDetail> {
    const j = this.jm(jid);
    const now = Date.now();
    const vertices: VertexDetail[] = j.graph.vertices.map((v) => {
      const ex = j.executions.filter((e) => e.vertex === v);
      const start = Math.min(...ex.map((e) => e.startTime));
      const ends = ex.map((e) => e.endTime);
      const end = ends.some((t) => t < 0) ? -1 : Math.max(...ends);
      return {
        id: String(v.id),
        name: v.name,
        maxParallelism: v.maxParallelism,
        parallelism: v.parallelism,
        status: vertexState(ex),
        'start-time': start,
        'end-time': end,
        duration: start < 0 ? -1 : (end < 0 ? now : end) - start,
        tasks: taskCounts(ex),
        metrics: ioMetrics(ex),
      };
    });
    return {
      jid: j.jobId,
      name: j.jobName,
      isStoppable: false,
      state: j.state,
      'start-time': j.startTime,
      'end-time': j.endTime,
      duration: (j.endTime < 0 ? now : j.endTime) - j.startTime,
      maxParallelism: Math.max(...j.graph.vertices.map((v) => v.maxParallelism)),
      now,
      timestamps: { ...j.status.timestamps },
      vertices,
      'status-counts': taskCounts(j.executions),
      plan: await this.plan(jid),
      sql: j.spec.sql ?? '',
      explain: j.spec.explain ?? '',
      restarts: j.restarts,
    };
  }

  async plan(jid: string): Promise<JobPlan> {
    const j = this.jm(jid);
    return {
      jid: j.jobId,
      name: j.jobName,
      type: 'STREAMING',
      nodes: j.graph.vertices.map((v) => ({
        id: String(v.id),
        parallelism: v.parallelism,
        operator: '',
        operator_strategy: '',
        description: v.name,
        ...(v.inputs.length > 0
          ? {
              inputs: v.inputs.map((e, num) => ({
                num,
                id: String(e.source),
                ship_strategy: describePartitioner(e.edge.partitioner),
                exchange: 'pipelined_bounded' as const,
              })),
            }
          : {}),
      })),
    };
  }

  async vertex(jid: string, vid: string): Promise<VertexSubtasks> {
    const j = this.jm(jid);
    const v = j.graph.vertices.find((x) => String(x.id) === vid);
    if (v === undefined) throw new GatewayError(404, `Vertex ${vid} of job ${jid} not found`);
    const now = Date.now();
    return {
      id: vid,
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      now,
      subtasks: j.executions
        .filter((e) => e.vertex === v)
        .map((e): SubtaskDetail => ({
          subtask: e.index,
          status: e.state,
          attempt: e.attempt,
          endpoint: e.slot?.id ?? '(unassigned)',
          'taskmanager-id': e.slot?.tm.id ?? '(unassigned)',
          'start-time': e.startTime,
          'end-time': e.endTime,
          duration: e.startTime < 0 ? -1 : (e.endTime < 0 ? now : e.endTime) - e.startTime,
          metrics: ioMetrics([e]),
        })),
    };
  }

  async exceptions(jid: string): Promise<JobExceptions> {
    const j = this.jm(jid);
    const history = j.exceptions;
    const root = history[history.length - 1];
    return {
      'root-exception': root?.stacktrace ?? null,
      timestamp: root?.timestamp ?? null,
      'all-exceptions': flattenExceptions(history),
      truncated: false,
      exceptionHistory: { entries: history.reverse(), truncated: false },
    };
  }

  async cancel(jid: string): Promise<void> {
    const j = this.jm(jid);
    if (j.status.terminal) throw new GatewayError(409, `Job ${jid} is already ${j.state}`);
    void j.cancel();
  }

  async stop(jid: string, opts?: StopOptions): Promise<StopResult> {
    const j = this.jm(jid);
    if (opts?.savepoint !== undefined) {
      if (j.status.terminal) throw new GatewayError(409, `Job ${jid} is already ${j.state}`);
      if (j.checkpointStatistics() === null)
        throw new GatewayError(
          501,
          "STOP JOB ... WITH SAVEPOINT needs a running job with checkpointing on (SET 'execution.checkpointing.interval')",
        );
      try {
        const savepoint = await j.stopWithSavepoint(opts.savepoint === '' ? null : opts.savepoint);
        return { 'request-id': randomBytes(16).toString('hex'), savepoint };
      } catch (e) {
        // The job ended, failed or was not fully running while the savepoint was taken: a conflict with its state.
        throw new GatewayError(409, `the savepoint of job ${jid} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    throw new GatewayError(501, 'graceful stop of a MiniCluster job is not supported yet; cancel it instead');
  }

  /** Flink's /jobs/:jid/checkpoints: the JobManager's checkpoint statistics (null without checkpointing). */
  async checkpoints(jid: string): Promise<CheckpointingStatistics | null> {
    return this.jm(jid).checkpointStatistics();
  }

  /** Flink's /jobs/:jid/checkpoints/config for this job (null without checkpointing). */
  async checkpointConfig(jid: string): Promise<CheckpointConfigInfo | null> {
    return this.jm(jid).checkpointConfig();
  }

  /** Flink's /jobs/:jid/checkpoints/details/:id (null when the checkpoint is not in the history). */
  async checkpointDetails(jid: string, id: number): Promise<CheckpointDetails | null> {
    return this.jm(jid).checkpointDetails(id);
  }

  async taskManagers(): Promise<TaskManagersInfo> {
    const now = Date.now();
    return {
      taskmanagers: [...this.rm.taskManagers.values()].map((tm) => ({
        id: tm.id,
        path: tm.path ?? `worker-threads://${tm.id}`,
        dataPort: tm.dataPort ?? -1,
        timeSinceLastHeartbeat: now - tm.lastHeartbeat,
        slotsNumber: tm.slots.length,
        freeSlots: tm.freeSlots,
        hardware: tm.hardware(),
      })),
    };
  }

  async config(): Promise<DashboardConfig> {
    const off = -new Date().getTimezoneOffset() * 60_000;
    return {
      'refresh-interval': 3000,
      'timezone-name': Intl.DateTimeFormat().resolvedOptions().timeZone,
      'timezone-offset': off,
      'freshet-version': VERSION,
      features: { 'web-submit': false, 'web-cancel': true, 'web-rescale': false, 'web-history': false },
      configuration: Object.fromEntries(this.conf),
    };
  }
}

function taskCounts(ex: readonly ExecutionVertex[]): TaskCounts {
  const out = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<ExecutionState, number>;
  for (const e of ex) out[e.state]++;
  return out;
}

/** Flink's rule for a vertex's state: any failed → FAILED, all in one state → it, else the least advanced running one. */
function vertexState(ex: readonly ExecutionVertex[]): ExecutionState {
  if (ex.some((e) => e.state === 'FAILED')) return 'FAILED';
  const first = ex[0]?.state ?? 'CREATED';
  if (ex.every((e) => e.state === first)) return first;
  for (const s of ['CANCELING', 'DEPLOYING', 'SCHEDULED', 'CREATED', 'RUNNING'] as const)
    if (ex.some((e) => e.state === s)) return s;
  return 'RUNNING';
}

function ioMetrics(ex: readonly ExecutionVertex[]): IOMetrics {
  let readB = 0;
  let writeB = 0;
  let readR = 0;
  let writeR = 0;
  let bp = 0;
  let idle = 0;
  let busy = 0;
  let inRate = 0;
  let outRate = 0;
  let busyR = 0;
  let idleR = 0;
  let bpR = 0;
  let late = 0;
  let inWm: number | null = null;
  let outWm: number | null = null;
  for (const e of ex) {
    const r = e.report;
    if (r === null) continue;
    const c = r.counters;
    readB += r.bytesIn;
    writeB += r.bytesOut;
    readR += c['numRecordsIn'] ?? 0;
    writeR += c['numRecordsOut'] ?? 0;
    bp += c['backPressuredTimeMs'] ?? 0;
    idle += c['idleTimeMs'] ?? 0;
    const wall = (r.endedAt > 0 ? r.endedAt : Date.now()) - (r.startedAt > 0 ? r.startedAt : Date.now());
    busy += Math.max(0, wall - (c['backPressuredTimeMs'] ?? 0) - (c['idleTimeMs'] ?? 0));
    inRate += e.inRate;
    outRate += e.outRate;
    busyR = Math.max(busyR, e.ratios.busy);
    idleR = Math.max(idleR, e.ratios.idle);
    bpR = Math.max(bpR, e.ratios.backpressured);
    late += c['numLateRecordsDropped'] ?? 0;
    if (r.inputWatermark !== null) inWm = inWm === null ? r.inputWatermark : Math.min(inWm, r.inputWatermark);
    if (r.outputWatermark !== null)
      outWm = outWm === null ? r.outputWatermark : Math.min(outWm, r.outputWatermark);
  }
  const complete = ex.every((e) => e.report !== null);
  return {
    'read-bytes': readB,
    'read-bytes-complete': complete,
    'write-bytes': writeB,
    'write-bytes-complete': complete,
    'read-records': readR,
    'read-records-complete': complete,
    'write-records': writeR,
    'write-records-complete': complete,
    'accumulated-backpressured-time': Math.round(bp),
    'accumulated-idle-time': Math.round(idle),
    'accumulated-busy-time': Math.round(busy),
    'read-records-per-second': inRate,
    'write-records-per-second': outRate,
    'busy-ratio': busyR,
    'idle-ratio': idleR,
    'backpressured-ratio': bpR,
    'current-input-watermark': inWm,
    'current-output-watermark': outWm,
    'late-records-dropped': late,
    'state-size': 0,
  };
}
