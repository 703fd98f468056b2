// Timers of a keyed operator (Flink's InternalTimerService): event-time timers fire when the watermark reaches
// them, processing-time timers when the clock does; each is scoped to a key and a namespace and registered at
// most once per (key, namespace, time). Timers fire in time order, ties in registration order, with the current
// key set to the timer's key. Deletion is lazy: a deleted timer stays in the heap and is skipped when popped.
import type { Key } from './key.js';
import type { NamespaceKey } from '../state/heap-backend.js';
import type { Cancellable, ProcessingTimeService } from './time.js';

export interface InternalTimer<N> {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: N;
}

interface Entry<N> extends InternalTimer<N> {
  readonly nsKey: NamespaceKey;
  readonly seq: number;
}

export interface Triggerable<N> {
  onEventTime(timer: InternalTimer<N>): void;
  onProcessingTime(timer: InternalTimer<N>): void;
}

/** A binary min-heap on (timestamp, seq) plus the registered set used for de-duplication and deletion. */
class TimerQueue<N> {
  private heap: Entry<N>[] = [];
  // key -> namespace -> timestamps: nested maps avoid building a composite string per registration.
  private readonly registered = new Map<Key, Map<NamespaceKey, Set<number>>>();
  size = 0;

  add(e: Entry<N>): boolean {
    let byNs = this.registered.get(e.key);
    if (byNs === undefined) this.registered.set(e.key, (byNs = new Map()));
    let times = byNs.get(e.nsKey);
    if (times === undefined) byNs.set(e.nsKey, (times = new Set()));
    if (times.has(e.timestamp)) return false;
    times.add(e.timestamp);
    this.size++;
    this.heap.push(e);
    this.up(this.heap.length - 1);
    return true;
  }

  remove(key: Key, nsKey: NamespaceKey, ts: number): void {
    const times = this.registered.get(key)?.get(nsKey);
    if (times?.delete(ts) === true) {
      this.size--;
      this.cleanup(key, nsKey, times);
    }
  }

  private cleanup(key: Key, nsKey: NamespaceKey, times: Set<number>): void {
    if (times.size > 0) return;
    const byNs = this.registered.get(key) as Map<NamespaceKey, Set<number>>;
    byNs.delete(nsKey);
    if (byNs.size === 0) this.registered.delete(key);
  }

  /** The earliest live timer's time, discarding deleted ones on the way. */
  peekTime(): number {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined) return Number.POSITIVE_INFINITY;
      if (this.isLive(top)) return top.timestamp;
      this.pop();
    }
  }

  /** Pops the earliest live timer if it is due at `upTo`. */
  pollDue(upTo: number): Entry<N> | null {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.timestamp > upTo) return null;
      this.pop();
      if (!this.isLive(top)) continue;
      this.remove(top.key, top.nsKey, top.timestamp);
      return top;
    }
  }

  private isLive(e: Entry<N>): boolean {
    return this.registered.get(e.key)?.get(e.nsKey)?.has(e.timestamp) === true;
  }

  live(): Entry<N>[] {
    return this.heap.filter((e) => this.isLive(e)).sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
  }

  private pop(): void {
    const last = this.heap.pop() as Entry<N>;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private less(a: Entry<N>, b: Entry<N>): boolean {
    return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Entry<N>, h[p] as Entry<N>)) break;
      [h[i], h[p]] = [h[p] as Entry<N>, h[i] as Entry<N>];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Entry<N>, h[m] as Entry<N>)) m = l;
      if (r < h.length && this.less(h[r] as Entry<N>, h[m] as Entry<N>)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Entry<N>, h[i] as Entry<N>];
      i = m;
    }
  }
}

/** Plain data for snapshots: [timestamp, key, namespace][] per time domain. */
export interface TimersSnapshot<N> {
  readonly eventTime: [number, Key, N][];
  readonly processingTime: [number, Key, N][];
}

export class InternalTimerService<N> {
  private readonly eventQueue = new TimerQueue<N>();
  private readonly procQueue = new TimerQueue<N>();
  private seq = 0;
  private wakeup: Cancellable | null = null;
  private wakeupAt = Number.POSITIVE_INFINITY;
  currentWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keyContext: { getCurrentKey(): Key; setCurrentKey(k: Key): void },
    private readonly target: Triggerable<N>,
    private readonly nsKeyOf: (ns: N) => NamespaceKey,
    private readonly clock: ProcessingTimeService,
  ) {}

  registerEventTimeTimer(namespace: N, time: number): void {
    this.eventQueue.add(this.entry(namespace, time));
  }

  deleteEventTimeTimer(namespace: N, time: number): void {
    this.eventQueue.remove(this.keyContext.getCurrentKey(), this.nsKeyOf(namespace), time);
  }

  registerProcessingTimeTimer(namespace: N, time: number): void {
    if (this.procQueue.add(this.entry(namespace, time)) && time < this.wakeupAt) this.scheduleWakeup(time);
  }

  deleteProcessingTimeTimer(namespace: N, time: number): void {
    this.procQueue.remove(this.keyContext.getCurrentKey(), this.nsKeyOf(namespace), time);
  }

  currentProcessingTime(): number {
    return this.clock.now();
  }

  numEventTimeTimers(): number {
    return this.eventQueue.size;
  }

  numProcessingTimeTimers(): number {
    return this.procQueue.size;
  }

  private entry(namespace: N, timestamp: number): Entry<N> {
    return {
      timestamp,
      key: this.keyContext.getCurrentKey(),
      namespace,
      nsKey: this.nsKeyOf(namespace),
      seq: this.seq++,
    };
  }

  /** Fires every event-time timer at or before `watermark` (including ones registered while firing). */
  advanceWatermark(watermark: number): void {
    this.currentWatermark = watermark;
    for (;;) {
      const t = this.eventQueue.pollDue(watermark);
      if (t === null) return;
      this.keyContext.setCurrentKey(t.key);
      this.target.onEventTime(t);
    }
  }

  /** Fires processing-time timers due at `now`; called from the mailbox when the wake-up timer goes off. */
  onProcessingTime(now: number): void {
    this.wakeup = null;
    this.wakeupAt = Number.POSITIVE_INFINITY;
    for (;;) {
      const t = this.procQueue.pollDue(now);
      if (t === null) break;
      this.keyContext.setCurrentKey(t.key);
      this.target.onProcessingTime(t);
    }
    const next = this.procQueue.peekTime();
    if (next !== Number.POSITIVE_INFINITY) this.scheduleWakeup(next);
  }

  private scheduleWakeup(time: number): void {
    this.wakeup?.cancel();
    this.wakeupAt = time;
    this.wakeup = this.clock.schedule(time, (now) => this.onProcessingTime(Math.max(now, time)));
  }

  close(): void {
    this.wakeup?.cancel();
    this.wakeup = null;
  }

  snapshot(): TimersSnapshot<N> {
    const plain = (q: TimerQueue<N>): [number, Key, N][] => q.live().map((e) => [e.timestamp, e.key, e.namespace]);
    return { eventTime: plain(this.eventQueue), processingTime: plain(this.procQueue) };
  }

  restore(s: TimersSnapshot<N>): void {
    const saved = this.keyContext.getCurrentKey();
    for (const [ts, key, ns] of s.eventTime) {
      this.keyContext.setCurrentKey(key);
      this.registerEventTimeTimer(ns, ts);
    }
    for (const [ts, key, ns] of s.processingTime) {
      this.keyContext.setCurrentKey(key);
      this.registerProcessingTimeTimer(ns, ts);
    }
    this.keyContext.setCurrentKey(saved);
  }
}
