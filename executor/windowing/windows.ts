// Windows and window assigners (Flink's TimeWindow and WindowAssigner family, plus the CUMULATE windows of
// Flink SQL). Assigners are a closed union of data; `assignWindows` switches over it. A window [start, end)
// holds rows with start <= t < end and fires when event time reaches its max timestamp, end - 1.
import type { NamespaceKey } from '../state/heap-backend.js';

export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export function maxTimestamp(w: TimeWindow): number {
  return w.end - 1;
}

/** Flink's TimeWindow.intersects: touching windows count as overlapping, so sessions [0,10) and [10,20) merge. */
export function intersects(a: TimeWindow, b: TimeWindow): boolean {
  return a.start <= b.end && a.end >= b.start;
}

export function sameWindow(a: TimeWindow, b: TimeWindow): boolean {
  return a.start === b.start && a.end === b.end;
}

/** The one window of GlobalWindows; it ends only with the maximal watermark of a bounded input. */
export const GLOBAL_WINDOW: TimeWindow = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };

export type WindowTimeDomain = 'event' | 'processing';

export type WindowAssigner =
  | { readonly kind: 'tumbling'; readonly size: number; readonly offset: number; readonly domain: WindowTimeDomain }
  | {
      readonly kind: 'sliding';
      readonly size: number;
      readonly slide: number;
      readonly offset: number;
      readonly domain: WindowTimeDomain;
    }
  | { readonly kind: 'session'; readonly gap: number; readonly domain: WindowTimeDomain }
  | {
      readonly kind: 'cumulative';
      readonly maxSize: number;
      readonly step: number;
      readonly offset: number;
      readonly domain: WindowTimeDomain;
    }
  | { readonly kind: 'global' };

function positive(name: string, v: number): number {
  if (!(v > 0)) throw new RangeError(`${name} must be positive, got ${v}`);
  return v;
}

export const TumblingEventTimeWindows = {
  of: (size: number, offset = 0): WindowAssigner => ({ kind: 'tumbling', size: positive('size', size), offset, domain: 'event' }),
};
export const TumblingProcessingTimeWindows = {
  of: (size: number, offset = 0): WindowAssigner => ({
    kind: 'tumbling',
    size: positive('size', size),
    offset,
    domain: 'processing',
  }),
};
export const SlidingEventTimeWindows = {
  of: (size: number, slide: number, offset = 0): WindowAssigner => ({
    kind: 'sliding',
    size: positive('size', size),
    slide: positive('slide', slide),
    offset,
    domain: 'event',
  }),
};
export const SlidingProcessingTimeWindows = {
  of: (size: number, slide: number, offset = 0): WindowAssigner => ({
    kind: 'sliding',
    size: positive('size', size),
    slide: positive('slide', slide),
    offset,
    domain: 'processing',
  }),
};
export const EventTimeSessionWindows = {
  withGap: (gap: number): WindowAssigner => ({ kind: 'session', gap: positive('gap', gap), domain: 'event' }),
};
export const ProcessingTimeSessionWindows = {
  withGap: (gap: number): WindowAssigner => ({ kind: 'session', gap: positive('gap', gap), domain: 'processing' }),
};
/** Windows that grow by `step` from the start of each `maxSize` period (Flink SQL's CUMULATE). */
export const CumulativeEventTimeWindows = {
  of: (maxSize: number, step: number, offset = 0): WindowAssigner => {
    if (maxSize % step !== 0) throw new RangeError('the max size of cumulative windows must be a multiple of the step');
    return { kind: 'cumulative', maxSize: positive('maxSize', maxSize), step: positive('step', step), offset, domain: 'event' };
  },
};
export const GlobalWindows = {
  create: (): WindowAssigner => ({ kind: 'global' }),
};

/** Flink's TimeWindow.getWindowStartWithOffset (correct for negative timestamps too). */
export function windowStart(timestamp: number, offset: number, size: number): number {
  const rem = (timestamp - offset) % size;
  return rem < 0 ? timestamp - (rem + size) : timestamp - rem;
}

export function isEventTime(a: WindowAssigner): boolean {
  return a.kind !== 'global' && a.domain === 'event';
}

export function isMerging(a: WindowAssigner): boolean {
  return a.kind === 'session';
}

/**
 * A primitive that identifies a window among those the assigner produces, for state and timer tables without a
 * string per row: tumbling and sliding windows differ in start, cumulative windows in end (each end belongs to
 * one period), sessions need both.
 */
export function windowKey(a: WindowAssigner, w: TimeWindow): NamespaceKey {
  switch (a.kind) {
    case 'tumbling':
    case 'sliding':
      return w.start;
    case 'cumulative':
      return w.end;
    case 'session':
      return `${w.start}|${w.end}`;
    case 'global':
      return 0;
    default: {
      const never: never = a;
      return never;
    }
  }
}

/** Assigns windows; keeps the last tumbling window so that ordered input allocates no window per row. */
export class WindowAssignerRuntime {
  private lastStart = Number.NaN;
  private last: readonly TimeWindow[] = [];

  constructor(readonly assigner: WindowAssigner) {}

  assign(timestamp: number): readonly TimeWindow[] {
    const a = this.assigner;
    switch (a.kind) {
      case 'tumbling': {
        const start = windowStart(timestamp, a.offset, a.size);
        if (start !== this.lastStart) {
          this.lastStart = start;
          this.last = [{ start, end: start + a.size }];
        }
        return this.last;
      }
      case 'sliding': {
        const out: TimeWindow[] = [];
        const last = windowStart(timestamp, a.offset, a.slide);
        for (let start = last; start > timestamp - a.size; start -= a.slide) out.push({ start, end: start + a.size });
        return out;
      }
      case 'session':
        return [{ start: timestamp, end: timestamp + a.gap }];
      case 'cumulative': {
        const start = windowStart(timestamp, a.offset, a.maxSize);
        const out: TimeWindow[] = [];
        for (let end = start + a.step; end <= start + a.maxSize; end += a.step) if (end > timestamp) out.push({ start, end });
        return out;
      }
      case 'global':
        return [GLOBAL_WINDOW];
      default: {
        const never: never = a;
        return never;
      }
    }
  }
}
