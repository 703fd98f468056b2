// Triggers decide when a window's contents are emitted (Flink's Trigger family). The built-ins are a closed union
// evaluated by `TriggerRuntime`; a custom trigger implements `CustomTrigger`. Results combine fire and purge.
import type { ReducingState } from '../state/state.js';
import { ReducingStateDescriptor } from '../state/state.js';
import type { InternalKvState } from '../state/heap-backend.js';
import { maxTimestamp, type TimeWindow, type WindowAssigner } from './windows.js';

export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

export function fires(r: TriggerResult): boolean {
  return r === 'FIRE' || r === 'FIRE_AND_PURGE';
}
export function purges(r: TriggerResult): boolean {
  return r === 'PURGE' || r === 'FIRE_AND_PURGE';
}

/** What a trigger may do: timers and per-window state of the current key. */
export interface TriggerContext {
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  /** A reducing state scoped to the current key and window (count triggers keep their count here). */
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> & InternalKvState;
  /** In onMerge: folds the state of the windows merged away into the current window's (Flink's mergePartitionedState). */
  mergeReducingState<T>(d: ReducingStateDescriptor<T>): void;
}

export interface CustomTrigger {
  onElement(timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  canMerge?(): boolean;
  onMerge?(window: TimeWindow, ctx: TriggerContext): void;
  clear(window: TimeWindow, ctx: TriggerContext): void;
}

export type Trigger =
  | { readonly kind: 'event-time' }
  | { readonly kind: 'processing-time' }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'purging'; readonly inner: Trigger }
  | { readonly kind: 'never' }
  | { readonly kind: 'custom'; readonly trigger: CustomTrigger };

export const EventTimeTrigger = { create: (): Trigger => ({ kind: 'event-time' }) };
export const ProcessingTimeTrigger = { create: (): Trigger => ({ kind: 'processing-time' }) };
export const CountTrigger = { of: (count: number): Trigger => ({ kind: 'count', count }) };
export const PurgingTrigger = { of: (inner: Trigger): Trigger => ({ kind: 'purging', inner }) };
export const NeverTrigger = { create: (): Trigger => ({ kind: 'never' }) };
export const Triggers = {
  custom: (trigger: CustomTrigger): Trigger => ({ kind: 'custom', trigger }),
};

/** Flink's default trigger of each assigner: event or processing time at the window end, never for global windows. */
export function defaultTrigger(a: WindowAssigner): Trigger {
  if (a.kind === 'global') return { kind: 'never' };
  return a.domain === 'event' ? { kind: 'event-time' } : { kind: 'processing-time' };
}

const COUNT = new ReducingStateDescriptor<number>('trigger-count', (a, b) => a + b);

export function onElement(t: Trigger, timestamp: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
  switch (t.kind) {
    case 'event-time':
      // A window whose time has passed fires at once: this is how allowed lateness re-fires with late rows.
      if (maxTimestamp(w) <= ctx.currentWatermark()) return 'FIRE';
      ctx.registerEventTimeTimer(maxTimestamp(w));
      return 'CONTINUE';
    case 'processing-time':
      ctx.registerProcessingTimeTimer(maxTimestamp(w));
      return 'CONTINUE';
    case 'count': {
      const s = ctx.getReducingState(COUNT);
      s.add(1);
      if ((s.get() ?? 0) >= t.count) {
        s.clear();
        return 'FIRE';
      }
      return 'CONTINUE';
    }
    case 'purging':
      return purge(onElement(t.inner, timestamp, w, ctx));
    case 'never':
      return 'CONTINUE';
    case 'custom':
      return t.trigger.onElement(timestamp, w, ctx);
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function onEventTime(t: Trigger, time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
  switch (t.kind) {
    case 'event-time':
      return time === maxTimestamp(w) ? 'FIRE' : 'CONTINUE';
    case 'processing-time':
    case 'count':
    case 'never':
      return 'CONTINUE';
    case 'purging':
      return purge(onEventTime(t.inner, time, w, ctx));
    case 'custom':
      return t.trigger.onEventTime(time, w, ctx);
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function onProcessingTime(t: Trigger, time: number, w: TimeWindow, ctx: TriggerContext): TriggerResult {
  switch (t.kind) {
    case 'processing-time':
      return 'FIRE';
    case 'event-time':
    case 'count':
    case 'never':
      return 'CONTINUE';
    case 'purging':
      return purge(onProcessingTime(t.inner, time, w, ctx));
    case 'custom':
      return t.trigger.onProcessingTime(time, w, ctx);
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function canMerge(t: Trigger): boolean {
  switch (t.kind) {
    case 'event-time':
    case 'processing-time':
    case 'count':
    case 'never':
      return true;
    case 'purging':
      return canMerge(t.inner);
    case 'custom':
      return t.trigger.canMerge?.() ?? false;
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function onMerge(t: Trigger, w: TimeWindow, ctx: TriggerContext): void {
  switch (t.kind) {
    case 'event-time':
      // Only register when the merged window has not fired yet (Flink's EventTimeTrigger.onMerge).
      if (maxTimestamp(w) > ctx.currentWatermark()) ctx.registerEventTimeTimer(maxTimestamp(w));
      return;
    case 'processing-time':
      if (maxTimestamp(w) > ctx.currentProcessingTime()) ctx.registerProcessingTimeTimer(maxTimestamp(w));
      return;
    case 'count':
      ctx.mergeReducingState(COUNT);
      return;
    case 'purging':
      onMerge(t.inner, w, ctx);
      return;
    case 'never':
      return;
    case 'custom':
      t.trigger.onMerge?.(w, ctx);
      return;
    default: {
      const never: never = t;
      return never;
    }
  }
}

export function clear(t: Trigger, w: TimeWindow, ctx: TriggerContext): void {
  switch (t.kind) {
    case 'event-time':
      ctx.deleteEventTimeTimer(maxTimestamp(w));
      return;
    case 'processing-time':
      ctx.deleteProcessingTimeTimer(maxTimestamp(w));
      return;
    case 'count':
      ctx.getReducingState(COUNT).clear();
      return;
    case 'purging':
      clear(t.inner, w, ctx);
      return;
    case 'never':
      return;
    case 'custom':
      t.trigger.clear(w, ctx);
      return;
    default: {
      const never: never = t;
      return never;
    }
  }
}

function purge(r: TriggerResult): TriggerResult {
  return r === 'FIRE' ? 'FIRE_AND_PURGE' : r;
}
