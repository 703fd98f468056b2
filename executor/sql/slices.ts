// Window arithmetic of the window TVFs (TUMBLE, HOP, CUMULATE, SESSION), shared by the window table function
// and the window aggregate: which windows a timestamp belongs to, and for the aggregate the slices Flink cuts
// windows into (SliceAssigners): a row updates exactly one slice and a firing window merges its slices, so HOP
// and CUMULATE cost O(1) per row whatever the overlap. All times are epoch milliseconds; windows are aligned to
// the epoch plus the offset, as Flink's TimeWindow.getWindowStartWithOffset.
import type { Key } from '../runtime/key.js';
import type { Cancellable, ProcessingTimeService } from '../runtime/time.js';

export type WindowSpec =
  | { readonly kind: 'TUMBLE'; readonly size: number; readonly offset: number }
  | { readonly kind: 'HOP'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'CUMULATE'; readonly maxSize: number; readonly step: number; readonly offset: number }
  | { readonly kind: 'SESSION'; readonly gap: number };

/** Throws when a window's sizes are not positive whole milliseconds; `who` names the operator. */
export function checkWindow(spec: WindowSpec, who: string): void {
  const positive = (what: string, v: number): void => {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new Error(
        `${who}: ${spec.kind} window ${what} must be a positive number of milliseconds, got ${v}`,
      );
  };
  switch (spec.kind) {
    case 'TUMBLE':
      positive('size', spec.size);
      break;
    case 'HOP':
      positive('size', spec.size);
      positive('slide', spec.slide);
      break;
    case 'CUMULATE':
      positive('max size', spec.maxSize);
      positive('step', spec.step);
      // CumulativeWindowAssigner / SliceAssigners.cumulative
      if (spec.maxSize % spec.step !== 0) {
        throw new Error(
          `${who}: Cumulative Window requires maxSize must be an integral multiple of step, but got maxSize ${spec.maxSize}ms and step ${spec.step}ms.`,
        );
      }
      break;
    case 'SESSION':
      positive('gap', spec.gap);
      break;
    default:
      unreachableSpec(spec);
  }
}

/** The slicing window aggregate's extra rule (SliceAssigners.hopping): slices are `slide` long. */
export function checkSliceable(spec: WindowSpec, who: string): void {
  checkWindow(spec, who);
  if (spec.kind === 'HOP' && spec.size % spec.slide !== 0) {
    // SliceAssigners.hopping's message.
    throw new Error(
      `${who}: Slicing Hopping Window requires size must be an integral multiple of slide, but got size ${spec.size}ms and slide ${spec.slide}ms.`,
    );
  }
}

/** The start of the window of length `size` (aligned to epoch + offset) that contains `ts`. */
export function windowStart(ts: number, size: number, offset: number): number {
  const r = (ts - offset) % size;
  return r < 0 ? ts - (r + size) : ts - r;
}

/**
 * Every window containing `ts`, written to starts/ends (which must hold `maxWindowsPerRow(spec)` entries), in
 * the order Flink's assigners produce them: HOP from the latest start back (SlidingWindowAssigner), CUMULATE
 * from the shortest window on (CumulativeWindowAssigner). Returns the count. Not for SESSION.
 */
export function assignWindows(
  spec: WindowSpec,
  ts: number,
  starts: Float64Array,
  ends: Float64Array,
): number {
  switch (spec.kind) {
    case 'TUMBLE': {
      const s = windowStart(ts, spec.size, spec.offset);
      starts[0] = s;
      ends[0] = s + spec.size;
      return 1;
    }
    case 'HOP': {
      let n = 0;
      for (let s = windowStart(ts, spec.slide, spec.offset); s > ts - spec.size; s -= spec.slide) {
        starts[n] = s;
        ends[n] = s + spec.size;
        n++;
      }
      return n;
    }
    case 'CUMULATE': {
      const s = windowStart(ts, spec.maxSize, spec.offset);
      const last = s + spec.maxSize;
      let n = 0;
      for (let e = windowStart(ts, spec.step, spec.offset) + spec.step; e <= last; e += spec.step) {
        starts[n] = s;
        ends[n] = e;
        n++;
      }
      return n;
    }
    case 'SESSION':
      throw new Error('SESSION windows are assigned by merging per key, not per row');
    default:
      return unreachableSpec(spec);
  }
}

/** The windows containing `ts` as objects, in assigner order: for planning, EXPLAIN and tests, not per row. */
export function windowsOf(spec: WindowSpec, ts: number): { start: number; end: number }[] {
  const n = maxWindowsPerRow(spec);
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const k = assignWindows(spec, ts, starts, ends);
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < k; i++) out.push({ start: starts[i] as number, end: ends[i] as number });
  return out;
}

/** The most windows one row can belong to. */
export function maxWindowsPerRow(spec: WindowSpec): number {
  switch (spec.kind) {
    case 'TUMBLE':
    case 'SESSION':
      return 1;
    case 'HOP':
      return Math.ceil(spec.size / spec.slide);
    case 'CUMULATE':
      return spec.maxSize / spec.step;
    default:
      return unreachableSpec(spec);
  }
}

// --- Slices (SliceAssigners): TUMBLE slices are the windows, HOP slices are `slide` long, CUMULATE `step` long.

type Sliced = Exclude<WindowSpec, { kind: 'SESSION' }>;

export function sliceSize(spec: Sliced): number {
  return spec.kind === 'TUMBLE' ? spec.size : spec.kind === 'HOP' ? spec.slide : spec.step;
}

function specOffset(spec: Sliced): number {
  return spec.offset;
}

/** The end of the slice containing `ts`. */
export function sliceEndOf(spec: Sliced, ts: number): number {
  const size = sliceSize(spec);
  return windowStart(ts, size, specOffset(spec)) + size;
}

/** The end of the last window that contains the slice ending at `sliceEnd`: its state is needed until then. */
export function lastWindowEnd(spec: Sliced, sliceEnd: number): number {
  switch (spec.kind) {
    case 'TUMBLE':
      return sliceEnd;
    case 'HOP':
      return sliceEnd - spec.slide + spec.size;
    case 'CUMULATE':
      return windowStart(sliceEnd - 1, spec.maxSize, spec.offset) + spec.maxSize;
    default:
      return unreachableSpec(spec);
  }
}

/** The window ends that include the slice ending at `sliceEnd`, ascending. */
export function windowEndsOfSlice(spec: Sliced, sliceEnd: number, out: number[]): number[] {
  out.length = 0;
  const step = sliceSize(spec);
  for (let e = sliceEnd, last = lastWindowEnd(spec, sliceEnd); e <= last; e += step) out.push(e);
  return out;
}

/** The start of the window ending at `windowEnd`. */
export function windowStartOfEnd(spec: Sliced, windowEnd: number): number {
  switch (spec.kind) {
    case 'TUMBLE':
      return windowEnd - spec.size;
    case 'HOP':
      return windowEnd - spec.size;
    case 'CUMULATE':
      return windowStart(windowEnd - 1, spec.maxSize, spec.offset);
    default:
      return unreachableSpec(spec);
  }
}

/** Ends of the slices that make up the window ending at `windowEnd`, ascending. */
export function slicesOfWindow(spec: Sliced, windowEnd: number, out: number[]): number[] {
  out.length = 0;
  const step = sliceSize(spec);
  for (let e = windowStartOfEnd(spec, windowEnd) + step; e <= windowEnd; e += step) out.push(e);
  return out;
}

// --- Sessions: per key, disjoint windows sorted by start; a new row's [ts, ts + gap) merges with every window it
// intersects. Flink's TimeWindow.intersects counts touching windows ([0, 5) and [5, 10)) as intersecting.

export interface SessionWindow {
  start: number;
  end: number;
}

/** The first session that ends at or after `start`: where sessions intersecting [start, ...] begin. */
export function firstOverlap(sessions: readonly SessionWindow[] | undefined, start: number): number {
  if (sessions === undefined) return 0;
  let lo = 0;
  while (lo < sessions.length && (sessions[lo] as SessionWindow).end < start) lo++;
  return lo;
}

/** Past the last session from `lo` on that starts at or before `end`: [lo, result) intersect [start, end]. */
export function overlapEnd(sessions: readonly SessionWindow[] | undefined, lo: number, end: number): number {
  if (sessions === undefined) return lo;
  let hi = lo;
  while (hi < sessions.length && (sessions[hi] as SessionWindow).start <= end) hi++;
  return hi;
}

/**
 * Pending window ends by key, smallest first: a binary min-heap in two parallel arrays (plain data for
 * snapshots). Entries may be stale (a session that later grew); the owner checks on pop.
 */
export interface EndHeap {
  ends: number[];
  keys: Key[];
}

export function newEndHeap(): EndHeap {
  return { ends: [], keys: [] };
}

export function heapPush(h: EndHeap, end: number, key: Key): void {
  const { ends, keys } = h;
  let i = ends.length;
  ends.push(end);
  keys.push(key);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if ((ends[p] as number) <= end) break;
    ends[i] = ends[p] as number;
    keys[i] = keys[p] as Key;
    i = p;
  }
  ends[i] = end;
  keys[i] = key;
}

/** The smallest end, or +Infinity when empty. */
export function heapPeek(h: EndHeap): number {
  return h.ends.length === 0 ? Infinity : (h.ends[0] as number);
}

/** Removes the smallest entry and returns its key. */
export function heapPop(h: EndHeap): Key {
  const { ends, keys } = h;
  const top = keys[0] as Key;
  const lastEnd = ends.pop() as number;
  const lastKey = keys.pop() as Key;
  const n = ends.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && (ends[l + 1] as number) < (ends[l] as number) ? l + 1 : l;
      if ((ends[c] as number) >= lastEnd) break;
      ends[i] = ends[c] as number;
      keys[i] = keys[c] as Key;
      i = c;
    }
    ends[i] = lastEnd;
    keys[i] = lastKey;
  }
  return top;
}

// --- Processing-time windows: one scheduled callback at the earliest time something is due.

/**
 * Runs `fire(time)` once processing time reaches the earliest requested time (Flink's processing-time window
 * timers, reduced to the one that matters). The callback runs in the subtask's mailbox, between elements, and
 * requests the next time itself.
 */
export class ProcessingTimeTrigger {
  private at = Infinity;
  private handle: Cancellable | null = null;

  constructor(private readonly fire: (time: number) => void) {}

  request(service: ProcessingTimeService, time: number): void {
    if (time >= this.at) return;
    this.handle?.cancel();
    this.at = time;
    this.handle = service.schedule(time, (now) => {
      this.at = Infinity;
      this.handle = null;
      this.fire(now);
    });
  }

  cancel(): void {
    this.handle?.cancel();
    this.handle = null;
    this.at = Infinity;
  }
}

// --- EXPLAIN text, as Flink prints a window in a plan: TUMBLE(time_col=[bidtime], size=[10 min]).

/** A duration in its largest exact unit, as Flink's TimeUtils.formatWithHighestUnit: 10 min, 90 s, 1500 ms. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, label] of units) if (ms !== 0 && ms % size === 0) return `${ms / size} ${label}`;
  return `${ms} ms`;
}

/** The window as Flink's EXPLAIN shows it, e.g. `HOP(time_col=[bidtime], size=[10 min], slide=[5 min])`. */
export function describeWindow(spec: WindowSpec, timeCol?: string): string {
  const parts: string[] = timeCol === undefined ? [] : [`time_col=[${timeCol}]`];
  switch (spec.kind) {
    case 'TUMBLE':
      parts.push(`size=[${formatDuration(spec.size)}]`);
      break;
    case 'HOP':
      parts.push(`size=[${formatDuration(spec.size)}]`, `slide=[${formatDuration(spec.slide)}]`);
      break;
    case 'CUMULATE':
      parts.push(`max_size=[${formatDuration(spec.maxSize)}]`, `step=[${formatDuration(spec.step)}]`);
      break;
    case 'SESSION':
      parts.push(`gap=[${formatDuration(spec.gap)}]`);
      break;
    default:
      unreachableSpec(spec);
  }
  if (spec.kind !== 'SESSION' && spec.offset !== 0) parts.push(`offset=[${formatDuration(spec.offset)}]`);
  return `${spec.kind}(${parts.join(', ')})`;
}

function unreachableSpec(s: never): never {
  throw new Error(`unknown window ${JSON.stringify(s)}`);
}
