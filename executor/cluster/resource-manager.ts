// The ResourceManager: the registry of TaskManagers and their slots. JobManagers request slots for a job and
// return them when it ends; heartbeats go to every TaskManager every `heartbeat.interval`, and one that has not
// answered for `heartbeat.timeout` is declared lost (Flink's HeartbeatManager semantics): its slots are removed and
// the JobManagers using them are told, so they fail over.
import type { SlotHandle as Slot, SlotHeartbeat, TaskManagerHandle as TaskManager } from './task-manager.js';

export interface ResourceManagerOptions {
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

export interface ResourceListener {
  /** Reports of the slots allocated to a job, from one heartbeat. */
  onHeartbeat(beats: readonly SlotHeartbeat[]): void;
  onTaskManagerLost(tm: TaskManager, reason: string): void;
}

export class ResourceManager {
  readonly taskManagers = new Map<string, TaskManager>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly listeners = new Set<ResourceListener>();
  private readonly waiters: Array<() => void> = [];
  /** When the unanswered heartbeat request to each TaskManager was sent. */
  private readonly pending = new Map<TaskManager, number>();

  constructor(private readonly opts: ResourceManagerOptions) {}

  register(tm: TaskManager): void {
    tm.lastHeartbeat = Date.now();
    this.taskManagers.set(tm.id, tm);
    this.slotsChanged();
  }

  subscribe(l: ResourceListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  start(): void {
    this.timer ??= setInterval(() => this.beat(), this.opts.heartbeatIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  get slotsTotal(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) n += tm.slots.length;
    return n;
  }

  get slotsFree(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) n += tm.freeSlots;
    return n;
  }

  /**
   * `n` free slots for a job, or null when there are not that many now. Slots are taken TaskManager by
   * TaskManager (Flink's default, cluster.evenly-spread-out-slots = false).
   */
  allocate(jobId: string, n: number): Slot[] | null {
    const free: Slot[] = [];
    for (const tm of this.taskManagers.values())
      for (const s of tm.slots) if (s.jobId === null && !s.dead) free.push(s);
    if (free.length < n) return null;
    const got = free.slice(0, n);
    for (const s of got) s.jobId = jobId;
    return got;
  }

  /** Waits until `n` slots can be allocated, up to `timeoutMs` (Flink's slot.request.timeout). */
  async request(jobId: string, n: number, timeoutMs: number, signal: AbortSignal): Promise<Slot[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = this.allocate(jobId, n);
      if (got !== null) return got;
      if (signal.aborted) throw new Error('slot request cancelled');
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `NoResourceAvailableException: could not acquire the minimum required resources: the job needs ${n} slots, the cluster has ${this.slotsFree} free of ${this.slotsTotal}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  release(slots: readonly Slot[]): void {
    for (const s of slots) s.jobId = null;
    this.slotsChanged();
  }

  private slotsChanged(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * A TaskManager is lost when a heartbeat request stays unanswered for the timeout. Counting from the request,
   * not from the last answer, keeps a stalled ResourceManager (its own thread busy) from blaming the TaskManagers.
   */
  private beat(): void {
    const now = Date.now();
    for (const tm of [...this.taskManagers.values()]) {
      const since = this.pending.get(tm);
      if (since !== undefined) {
        if (now - since > this.opts.heartbeatTimeoutMs)
          this.lose(
            tm,
            `The heartbeat of TaskManager with id ${tm.id} timed out after ${this.opts.heartbeatTimeoutMs} ms.`,
          );
        continue;
      }
      this.pending.set(tm, now);
      void tm.heartbeat().then((beats) => {
        this.pending.delete(tm);
        if (!this.taskManagers.has(tm.id)) return;
        tm.lastHeartbeat = Date.now();
        for (const l of this.listeners) l.onHeartbeat(beats);
      });
    }
  }

  /** Removes a TaskManager and its slots; JobManagers using them fail over. */
  lose(tm: TaskManager, reason: string): void {
    if (!this.taskManagers.delete(tm.id)) return;
    for (const l of [...this.listeners]) l.onTaskManagerLost(tm, reason);
    // A hung TaskManager's threads cannot be trusted to stop by themselves.
    void tm.terminate();
  }
}
