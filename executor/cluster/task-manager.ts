// A TaskManager: a fixed number of slots (`taskmanager.numberOfTaskSlots`), each a worker thread running the
// subtasks deployed into it (slot-worker.ts). It answers the ResourceManager's heartbeats with the metrics its
// slots last reported, forwards task state changes to whoever deployed them, and replaces a slot's thread when
// asked (after a failover that could not cancel it cooperatively).
import { cpus, freemem, totalmem } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { FromSlot, SubtaskReport, ToSlot } from './protocol.js';

const HERE = import.meta.url;
/** The slot entry next to this module: .ts under tsx/vitest (loaded through tsx in the worker), .js when built. */
const SLOT_ENTRY = new URL(HERE.endsWith('.ts') ? './slot-worker.ts' : './slot-worker.js', HERE);
/**
 * A Worker given `execArgv` does not inherit the process's; the profiler flags are passed on so that
 * `node --cpu-prof --cpu-prof-dir d` profiles the slot threads too (how the exchange costs in docs/benchmarks.md
 * were found).
 */
const SLOT_EXEC_ARGV = [
  ...(HERE.endsWith('.ts') ? ['--import', 'tsx'] : []),
  ...profilerArgs(process.execArgv),
];

function profilerArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!/^--(cpu|heap)-prof/.test(a)) continue;
    out.push(a);
    // `--cpu-prof-dir d` (value in the next argument) as well as `--cpu-prof-dir=d`.
    if (/^--(cpu|heap)-prof-(dir|name|interval)$/.test(a) && i + 1 < argv.length)
      out.push(argv[++i] as string);
  }
  return out;
}

export type SlotListener = (slot: Slot, m: FromSlot) => void;

/**
 * What the ResourceManager and a JobManager need of a slot: a worker thread of this process (Slot below) or, in a
 * standalone cluster, a slot of a TaskManager process reached over TCP (standalone-jobmanager.ts's RemoteSlot).
 */
export interface SlotHandle {
  readonly tm: TaskManagerHandle;
  readonly index: number;
  readonly id: string;
  readonly threadId: number;
  jobId: string | null;
  readonly dead: boolean;
  post(m: ToSlot, transfer?: readonly TransferListItem[]): void;
  restart(): Promise<void>;
}

/** What the ResourceManager needs of a TaskManager, in this process or another. */
export interface TaskManagerHandle {
  readonly id: string;
  readonly slots: readonly SlotHandle[];
  lastHeartbeat: number;
  readonly freeSlots: number;
  /** Where it runs, for /v1/taskmanagers (`worker-threads://tm-1`, `tcp://host:port`). */
  readonly path?: string;
  readonly dataPort?: number;
  heartbeat(): Promise<SlotHeartbeat[]>;
  hardware(): { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  terminate(): Promise<void>;
}

/** One slot's answer to a heartbeat: the job (and attempt) it runs and its subtasks' figures. */
export interface SlotHeartbeat {
  readonly slot: SlotHandle;
  readonly jobId: string | null;
  readonly attempt: number;
  readonly reports: readonly SubtaskReport[];
}

export class Slot implements SlotHandle {
  worker: Worker;
  threadId = -1;
  /** The job this slot is allocated to (null = free). */
  jobId: string | null = null;
  private ready: Promise<void>;
  private pings = new Map<number, (r: Omit<SlotHeartbeat, 'slot'>) => void>();
  private seq = 0;
  /** The slot's answer to the last ping, handed on with the next heartbeat. */
  lastReport: Omit<SlotHeartbeat, 'slot'> | null = null;
  pingOutstanding = false;
  /** A slot whose thread died (error/exit) until it is restarted. */
  dead = false;

  constructor(
    readonly tm: TaskManager,
    readonly index: number,
    private readonly listener: SlotListener,
  ) {
    this.worker = this.spawn();
    this.ready = this.whenReady();
  }

  get id(): string {
    return `${this.tm.id}/slot-${this.index}`;
  }

  private spawn(): Worker {
    const w = new Worker(SLOT_ENTRY, { execArgv: SLOT_EXEC_ARGV });
    w.on('message', (m: FromSlot) => {
      if (m.type === 'ready') {
        this.threadId = m.threadId;
        this.readyFn?.();
        this.readyFn = null;
      }
      if (m.type === 'pong') {
        const r = this.pings.get(m.seq);
        this.pings.delete(m.seq);
        r?.(m);
      }
      this.listener(this, m);
    });
    const died = (why: string): void => {
      if (w !== this.worker || this.terminated) return;
      this.dead = true;
      // A slot whose thread crashed (an uncaught error, process.exit in user code) gets a fresh thread, as a
      // TaskManager keeps its slots when a task dies; its job hears of the loss below and fails over.
      void this.restart().catch(() => undefined);
      this.listener(this, {
        type: 'deploy-failed',
        jobId: this.jobId ?? '',
        attempt: -1,
        error: {
          name: 'SlotLostException',
          message: `slot ${this.id} ${why}`,
          stack: `SlotLostException: slot ${this.id} ${why}`,
        },
      });
    };
    w.on('error', (e) => {
      this.readyFailFn?.(e);
      died(`failed: ${e.message}`);
    });
    w.on('exit', (code) => died(`exited with code ${code}`));
    // Idle slots must not keep the embedding process alive; a running job holds its own keep-alive. (Attaching a
    // 'message' listener refs a Worker again, so this comes after every listener.)
    w.unref();
    return w;
  }

  private readyFn: (() => void) | null = null;
  private readyFailFn: ((e: Error) => void) | null = null;

  private whenReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyFn = resolve;
      this.readyFailFn = reject;
    });
  }

  started(): Promise<void> {
    return this.ready;
  }

  post(m: ToSlot, transfer: readonly TransferListItem[] = []): void {
    this.worker.postMessage(m, transfer as TransferListItem[]);
  }

  /** Resolves with the slot's subtask reports, or never when the thread does not answer. */
  ping(): Promise<Omit<SlotHeartbeat, 'slot'>> {
    const seq = ++this.seq;
    return new Promise((r) => {
      this.pings.set(seq, r);
      this.post({ type: 'ping', seq });
    });
  }

  /** Replaces the thread: whatever ran in it is gone. */
  async restart(): Promise<void> {
    const old = this.worker;
    this.worker = this.spawn();
    this.dead = false;
    this.pings.clear();
    this.pingOutstanding = false;
    this.lastReport = null;
    this.ready = this.whenReady();
    await old.terminate();
    await this.ready;
  }

  private terminated = false;

  async terminate(): Promise<void> {
    const w = this.worker;
    this.terminated = true;
    this.dead = true;
    await w.terminate();
  }
}

export class TaskManager implements TaskManagerHandle {
  readonly slots: Slot[] = [];
  private heartbeatsStopped = false;
  lastHeartbeat = Date.now();

  constructor(
    readonly id: string,
    numberOfSlots: number,
    listener: SlotListener,
  ) {
    if (!Number.isInteger(numberOfSlots) || numberOfSlots < 1)
      throw new Error(`'taskmanager.numberOfTaskSlots' must be a positive integer, not ${numberOfSlots}`);
    for (let i = 0; i < numberOfSlots; i++) this.slots.push(new Slot(this, i, listener));
  }

  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.started()));
  }

  /**
   * Answers a heartbeat with the latest reports of its slots, and asks the slots for fresh ones. The TaskManager
   * answers, not its slot threads: as in Flink, a heartbeat checks that the TaskManager is alive, and a slot busy
   * importing a job's modules (which blocks its thread) is not a lost TaskManager. Never resolves once heartbeats
   * are stopped, which is what the ResourceManager's timeout detects.
   */
  async heartbeat(): Promise<SlotHeartbeat[]> {
    if (this.heartbeatsStopped) return new Promise<never>(() => {});
    const out: SlotHeartbeat[] = [];
    for (const s of this.slots) {
      if (s.dead) continue;
      if (s.lastReport !== null) out.push({ slot: s, ...s.lastReport });
      if (!s.pingOutstanding) {
        s.pingOutstanding = true;
        void s.ping().then((r) => {
          s.pingOutstanding = false;
          s.lastReport = r;
        });
      }
    }
    return out;
  }

  /** Test hook: the TaskManager stops answering heartbeats, as a hung or partitioned process would. */
  stopHeartbeats(): void {
    this.heartbeatsStopped = true;
  }

  get freeSlots(): number {
    return this.slots.filter((s) => s.jobId === null && !s.dead).length;
  }

  hardware(): { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number } {
    return { cpuCores: cpus().length, physicalMemory: totalmem(), freeMemory: freemem(), managedMemory: 0 };
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.terminate()));
  }
}
