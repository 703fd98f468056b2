// `freshet jobmanager`: the standalone cluster's master process (Flink's StandaloneSessionClusterEntrypoint). It
// runs the Dispatcher's REST API, the ResourceManager and one JobManager per job — the MiniCluster's own classes,
// started without TaskManagers — and an RPC port where TaskManager processes register and clients fetch results.
// A TaskManager process appears here as a RemoteTaskManager whose RemoteSlots turn the JobManager's deploy messages
// (MessagePorts for the channels between slots) into channel descriptors: which peer slot, in which process, at
// which data address. The TaskManagers then connect to each other directly (tcp-transport.ts); only a query's
// result passes through this process, relayed from the slot running the collect sink to the client that submitted
// it (with credits both ways, so a slow client slows the job, as in the MiniCluster).
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { TransferListItem } from 'node:worker_threads';
import type { RecordBatch } from '../batch/batch.js';
import type {
  CheckpointConfigInfo,
  CheckpointDetails,
  CheckpointingStatistics,
} from '../checkpoint/coordinator.js';
import { defaultCheckpointDir } from '../checkpoint/defaults.js';
import type { SinkWriter } from '../runtime/operator.js';
import type { Schema } from '../types/schema.js';
import {
  GatewayError,
  type ClusterGateway,
  type ClusterOverview,
  type DashboardConfig,
  type JobDetail,
  type JobExceptions,
  type JobPlan,
  type RestJobSubmission,
  type JobSubmitResult,
  type JobsOverview,
  type StopOptions,
  type StopResult,
  type TaskManagersInfo,
  type VertexSubtasks,
} from './api.js';
import { encodeBatch } from './frame.js';
import { MiniCluster } from './mini-cluster.js';
import {
  serializeError,
  type FromSlot,
  type JobGraphBuilder,
  type JobSpec,
  type SubtaskReport,
  type ToSlot,
} from './protocol.js';
import { isLoopback, RestServer } from './rest.js';
import type { SlotHandle, SlotHeartbeat, TaskManagerHandle } from './task-manager.js';
import {
  bridgePort,
  FRAME,
  FramedConnection,
  portableModuleUrl,
  tokenMatches,
  type Hello,
} from './tcp-transport.js';

export interface StandaloneJobManagerOptions {
  /** RPC port for TaskManagers and result connections (Flink's jobmanager.rpc.port, default 6123; 0 = any free). */
  readonly port?: number;
  /** REST port (rest.port, default 8081; 0 = any free). */
  readonly restPort?: number;
  /** Address both ports bind to (default 127.0.0.1). Anything but loopback requires `token`. */
  readonly bind?: string;
  /** Shared secret every TaskManager, client connection and REST call must present. */
  readonly token?: string;
  /** Flink configuration keys (heartbeat.*, restart-strategy.*, slot.request.timeout). */
  readonly config?: Readonly<Record<string, string>>;
  /** Where the dashboard is; null serves none. */
  readonly dashboardDir?: string | null;
}

/** How long a new connection may take to say hello. */
const HELLO_TIMEOUT_MS = 10_000;

/** A slot of a TaskManager process, as the JobManager sees it. */
class RemoteSlot implements SlotHandle {
  jobId: string | null = null;
  dead = false;

  constructor(
    readonly tm: RemoteTaskManager,
    readonly index: number,
    readonly threadId: number,
  ) {}

  get id(): string {
    return `${this.tm.id}/slot-${this.index}`;
  }

  post(m: ToSlot, _transfer: readonly TransferListItem[] = []): void {
    if (this.dead) return;
    if (m.type !== 'deploy') {
      // Everything but a deploy is plain data (cancel, checkpoint triggers, ...): it crosses as it is.
      this.tm.conn.control({ t: 'to-slot', slot: this.index, msg: m });
      return;
    }
    const mine = this.tm.owner.jobSlotIndex(m.jobId, this);
    const slots = this.tm.owner.jobSlots(m.jobId);
    const channels: ChannelDescriptor[] = [];
    for (const [key, port] of Object.entries(m.ports)) {
      // The JobManager wires slots of one process with MessagePorts; across processes the TaskManagers pair the
      // ends themselves (same TaskManager: a MessageChannel there; another: a TCP connection between them).
      port.close();
      const parts = key.split('.');
      const i = Number(parts[2]);
      const j = Number(parts[3]);
      const producer = i === mine;
      const peer = slots.get(producer ? j : i);
      if (peer === undefined) throw new Error(`channel ${key}: no slot for subtask ${producer ? j : i}`);
      channels.push({
        key,
        role: producer ? 'producer' : 'consumer',
        peerTm: peer.tm.id,
        peerData: `${peer.tm.dataHost}:${peer.tm.dataPort}`,
      });
    }
    let result: number | null = null;
    if (m.resultPort !== null) {
      result = this.tm.conn.allocateId();
      bridgePort(m.resultPort, this.tm.conn, result);
    }
    const { ports: _ports, resultPort: _rp, ...rest } = m;
    this.tm.conn.control({ t: 'deploy', slot: this.index, msg: rest, channels, result });
  }

  restart(): Promise<void> {
    return this.tm.restartSlot(this.index);
  }
}

export interface ChannelDescriptor {
  readonly key: string;
  readonly role: 'producer' | 'consumer';
  /** The TaskManager holding the other end, and its data address. */
  readonly peerTm: string;
  readonly peerData: string;
}

type Beat = { slot: number; jobId: string | null; attempt: number; reports: SubtaskReport[] };

/** A registered `freshet taskmanager` process. */
class RemoteTaskManager implements TaskManagerHandle {
  readonly slots: RemoteSlot[];
  lastHeartbeat = Date.now();
  private seq = 0;
  private readonly beats = new Map<number, (b: Beat[]) => void>();
  private readonly restarts = new Map<number, () => void>();

  constructor(
    readonly owner: StandaloneJobManager,
    readonly id: string,
    readonly conn: FramedConnection,
    readonly dataHost: string,
    readonly dataPort: number,
    threadIds: readonly number[],
    private readonly hw: ReturnType<TaskManagerHandle['hardware']>,
  ) {
    this.slots = threadIds.map((t, i) => new RemoteSlot(this, i, t));
    conn.onControl = (m) => this.onControl(m);
    conn.onClose(() => {
      // A dead connection is not a lost TaskManager yet: the heartbeat timeout decides that (Flink's rule), so a
      // TaskManager is declared lost the same way whether its process died or hangs.
      for (const r of this.restarts.values()) r();
      this.restarts.clear();
    });
  }

  get path(): string {
    return `tcp://${this.dataHost}:${this.dataPort}`;
  }

  get freeSlots(): number {
    return this.slots.filter((s) => s.jobId === null && !s.dead).length;
  }

  private onControl(m: Record<string, unknown>): void {
    switch (m['t']) {
      case 'hb-ack': {
        const r = this.beats.get(m['seq'] as number);
        this.beats.delete(m['seq'] as number);
        r?.(m['beats'] as Beat[]);
        return;
      }
      case 'slot-msg': {
        const slot = this.slots[m['slot'] as number];
        if (slot !== undefined) this.owner.cluster.routeSlotMessage(slot, m['msg'] as FromSlot);
        return;
      }
      case 'bye':
        // A TaskManager shutting down says so (Flink's TaskExecutor disconnects from the ResourceManager): its
        // slots go now, not after the heartbeat timeout.
        this.owner.cluster.rm.lose(this, `TaskManager with id ${this.id} shut down.`);
        return;
      case 'slot-restarted': {
        const r = this.restarts.get(m['seq'] as number);
        this.restarts.delete(m['seq'] as number);
        r?.();
        return;
      }
      default:
        return;
    }
  }

  /** Never resolves when the process does not answer: the ResourceManager's heartbeat timeout detects that. */
  heartbeat(): Promise<SlotHeartbeat[]> {
    if (this.conn.closed) return new Promise<never>(() => {});
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.beats.set(seq, (beats) =>
        resolve(
          beats.flatMap((b) => {
            const slot = this.slots[b.slot];
            return slot === undefined
              ? []
              : [{ slot, jobId: b.jobId, attempt: b.attempt, reports: b.reports }];
          }),
        ),
      );
      this.conn.control({ t: 'hb', seq });
    });
  }

  restartSlot(index: number): Promise<void> {
    if (this.conn.closed) return Promise.resolve();
    const seq = ++this.seq;
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => (this.restarts.delete(seq), resolve()), 20_000);
      t.unref();
      this.restarts.set(seq, () => (clearTimeout(t), resolve()));
      this.conn.control({ t: 'restart-slot', slot: index, seq });
    });
  }

  hardware(): ReturnType<TaskManagerHandle['hardware']> {
    return this.hw;
  }

  async terminate(): Promise<void> {
    for (const s of this.slots) s.dead = true;
    // The process is told its registration is void; if it still runs it registers again as a new TaskManager.
    this.conn.control({ t: 'disconnect', reason: 'TaskManager was declared lost' });
    this.conn.close();
  }
}

/**
 * A query's rows on their way from the job to the client that submitted it: the job's collect sink in this
 * process. Writes wait for the client's credit (none until it connects), so nothing is lost or buffered unbounded.
 */
class ResultRelay implements SinkWriter {
  private conn: FramedConnection | null = null;
  private credit = 0;
  private waiter: (() => void) | null = null;
  /** Control messages (watermarks, finish) sent before the client connected, in order. */
  private readonly early: object[] = [];

  constructor(readonly schema: Schema) {}

  attach(conn: FramedConnection): void {
    this.conn = conn;
    conn.control({ t: 'schema', fields: this.schema.fields });
    for (const m of this.early.splice(0)) conn.control(m);
    conn.register(1, (type, payload) => {
      if (type !== FRAME.CREDIT) return;
      this.credit += payload.readUInt32LE(0);
      const w = this.waiter;
      this.waiter = null;
      w?.();
    });
  }

  write(batch: RecordBatch): void | Promise<void> {
    return this.send(batch);
  }

  private async send(batch: RecordBatch): Promise<void> {
    while (this.credit <= 0 || this.conn === null) {
      if (this.conn?.closed === true) return;
      await new Promise<void>((r) => (this.waiter = r));
    }
    this.credit--;
    this.conn.send(FRAME.DATA, 1, new Uint8Array(encodeBatch(batch)));
  }

  private ctl(m: object): void {
    if (this.conn === null) this.early.push(m);
    else this.conn.control(m);
  }

  writeWatermark(timestamp: number): void {
    this.ctl({ t: 'watermark', timestamp });
  }

  finish(): void {
    this.ctl({ t: 'finish' });
  }

  async close(): Promise<void> {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

interface Submitted {
  readonly relay: ResultRelay | null;
  client: FramedConnection | null;
}

export class StandaloneJobManager implements ClusterGateway {
  private readonly tms = new Map<string, RemoteTaskManager>();
  private readonly submitted = new Map<string, Submitted>();
  private rest: RestServer | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly cluster: MiniCluster,
    private readonly opts: StandaloneJobManagerOptions,
  ) {}

  static async start(opts: StandaloneJobManagerOptions = {}): Promise<StandaloneJobManager> {
    const bind = opts.bind ?? '127.0.0.1';
    if (!isLoopback(bind) && (opts.token === undefined || opts.token === ''))
      throw new Error(
        `--bind ${bind} is not a loopback address: a shared --token is required (every TaskManager, client and REST call must present it)`,
      );
    const cluster = await MiniCluster.startWithoutTaskManagers(opts.config ?? {});
    const jm = new StandaloneJobManager(cluster, { ...opts, bind });
    const server = createServer((s) => jm.accept(s));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(opts.port ?? 6123, bind, () => (server.off('error', rej), res()));
    });
    jm.server = server;
    jm.rest = await RestServer.start(jm, {
      port: opts.restPort ?? 8081,
      address: bind,
      ...(opts.token === undefined ? {} : { token: opts.token }),
      ...(opts.dashboardDir === undefined ? {} : { dashboardDir: opts.dashboardDir }),
    });
    return jm;
  }

  get rpcPort(): number {
    const a = this.server?.address();
    return typeof a === 'object' && a !== null ? a.port : -1;
  }

  get restUrl(): string {
    return this.rest?.url ?? '';
  }

  async close(): Promise<void> {
    await this.cluster.close();
    for (const tm of this.tms.values()) tm.conn.destroy();
    for (const s of this.sockets) s.destroy();
    await this.rest?.close();
    await new Promise<void>((r) => (this.server === null ? r() : this.server.close(() => r())));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const conn = new FramedConnection(socket);
    const timer = setTimeout(() => conn.destroy(), HELLO_TIMEOUT_MS);
    conn.onControl = (m) => {
      clearTimeout(timer);
      conn.onControl = () => {};
      const hello = m as Hello;
      if (hello.t !== 'hello') return conn.destroy();
      if (!tokenMatches(this.opts.token, hello.token)) {
        conn.control({
          t: 'rejected',
          reason: 'Unauthorized: this cluster needs the shared token (--token)',
        });
        conn.close();
        return;
      }
      if (hello.role === 'taskmanager') this.registerTaskManager(conn, hello);
      else if (hello.role === 'client') this.attachClient(conn, hello);
      else conn.destroy();
    };
  }

  private registerTaskManager(conn: FramedConnection, hello: Hello): void {
    const dataHost = String(hello['dataHost']);
    const dataPort = Number(hello['dataPort']);
    const id = `${dataHost}:${dataPort}-${randomBytes(3).toString('hex')}`;
    const tm = new RemoteTaskManager(
      this,
      id,
      conn,
      dataHost,
      dataPort,
      hello['threadIds'] as number[],
      hello['hardware'] as ReturnType<TaskManagerHandle['hardware']>,
    );
    this.tms.set(id, tm);
    conn.onClose(() => this.tms.delete(id));
    conn.control({ t: 'registered', id });
    this.cluster.attachTaskManager(tm);
  }

  private attachClient(conn: FramedConnection, hello: Hello): void {
    const jid = String(hello['jobId']);
    const s = this.submitted.get(jid);
    const jm = this.cluster.getJob(jid);
    if (s === undefined || jm === undefined) {
      conn.control({
        t: 'job-end',
        ok: false,
        error: { name: 'Error', message: `Job ${jid} not found`, stack: '' },
      });
      conn.close();
      return;
    }
    s.client = conn;
    s.relay?.attach(conn);
    // A query nobody reads any more is cancelled (its client went away before the end).
    conn.onClose(() => {
      if (s.relay !== null && !jm.status.terminal) void jm.cancel();
    });
    jm.getJobExecutionResult().then(
      (r) => conn.control({ t: 'job-end', ok: true, result: r }),
      (e: unknown) => conn.control({ t: 'job-end', ok: false, error: serializeError(e) }),
    );
  }

  /** The job's slot index of `slot` (slot sharing: subtask i of every vertex runs in the job's slot i). */
  jobSlotIndex(jobId: string, slot: RemoteSlot): number {
    for (const [i, s] of this.jobSlots(jobId)) if (s === slot) return i;
    throw new Error(`slot ${slot.id} does not belong to job ${jobId}`);
  }

  jobSlots(jobId: string): Map<number, RemoteSlot> {
    const jm = this.cluster.getJob(jobId);
    const out = new Map<number, RemoteSlot>();
    if (jm === undefined) return out;
    const byId = new Map<string, RemoteSlot>();
    for (const tm of this.tms.values()) for (const s of tm.slots) byId.set(s.id, s);
    for (const p of jm.placement()) {
      const s = p.slot === null ? undefined : byId.get(p.slot);
      if (s !== undefined) out.set(p.index, s);
    }
    return out;
  }

  // ---- ClusterGateway: the MiniCluster's views, plus job submission ----

  async submitJob(req: RestJobSubmission): Promise<JobSubmitResult> {
    const conf = this.opts.config ?? {};
    const cp = req.spec.checkpointing;
    const spec: JobSpec = {
      ...req.spec,
      // A job that names no checkpoint folder gets this cluster's (Flink: the job's configuration over the
      // cluster's execution.checkpointing.dir); the folder is on this process's filesystem, which writes it.
      ...(cp === undefined || cp.dir !== ''
        ? {}
        : {
            checkpointing: {
              ...cp,
              dir:
                conf['execution.checkpointing.dir'] ??
                conf['state.checkpoints.dir'] ??
                defaultCheckpointDir(),
            },
          }),
      builder: portableModuleUrl(req.spec.builder),
      ...(req.spec.preload === undefined ? {} : { preload: req.spec.preload.map(portableModuleUrl) }),
    };
    let relay: ResultRelay | null = null;
    let sink: SinkWriter | null = null;
    if (req.collect) {
      // The collect sink's schema is the job graph's; MiniCluster.submit builds the graph, so build it first here.
      const schema = await collectSchema(spec);
      relay = new ResultRelay(schema);
      sink = relay;
    }
    const jm = await this.cluster.submit(spec, {
      resultSink: sink,
      ...(req.jobId === undefined ? {} : { jobId: req.jobId }),
    });
    this.submitted.set(jm.jobId, { relay, client: null });
    return { jobid: jm.jobId, jobUrl: `/jobs/${jm.jobId}`, 'rpc-port': this.rpcPort };
  }

  overview(): Promise<ClusterOverview> {
    return this.cluster.overview();
  }
  jobs(): Promise<JobsOverview> {
    return this.cluster.jobs();
  }
  job(jid: string): Promise<JobDetail> {
    return this.cluster.job(jid);
  }
  plan(jid: string): Promise<JobPlan> {
    return this.cluster.plan(jid);
  }
  vertex(jid: string, vid: string): Promise<VertexSubtasks> {
    return this.cluster.vertex(jid, vid);
  }
  exceptions(jid: string): Promise<JobExceptions> {
    return this.cluster.exceptions(jid);
  }
  cancel(jid: string): Promise<void> {
    return this.cluster.cancel(jid);
  }
  stop(jid: string, opts?: StopOptions): Promise<StopResult> {
    return this.cluster.stop(jid, opts);
  }
  taskManagers(): Promise<TaskManagersInfo> {
    return this.cluster.taskManagers();
  }
  checkpoints(jid: string): Promise<CheckpointingStatistics | null> {
    return this.cluster.checkpoints(jid);
  }
  // The job's own checkpointing settings and per-checkpoint details (Flink's CheckpointConfigHandler and
  // CheckpointStatisticDetailsHandler): without these REST answered from the cluster's -D keys (interval 0).
  checkpointConfig(jid: string): Promise<CheckpointConfigInfo | null> {
    return this.cluster.checkpointConfig(jid);
  }
  checkpointDetails(jid: string, id: number): Promise<CheckpointDetails | null> {
    return this.cluster.checkpointDetails(jid, id);
  }
  config(): Promise<DashboardConfig> {
    return this.cluster.config();
  }
}

async function collectSchema(spec: JobSpec): Promise<Schema> {
  for (const m of spec.preload ?? []) await import(m);
  const mod = (await import(spec.builder)) as {
    buildJobGraph?: JobGraphBuilder;
  };
  if (typeof mod.buildJobGraph !== 'function')
    throw new GatewayError(400, `job builder ${spec.builder} exports no buildJobGraph`);
  const graph = mod.buildJobGraph(spec.payload, { resultSink: null, attempt: 0 });
  for (const v of graph.vertices)
    for (const n of v.chain) if (n.body.kind === 'sink' && n.name === 'collect') return n.outputSchema;
  throw new GatewayError(400, 'the job has no collect sink, so it has no result to stream back');
}
