// Processing time: the wall clock as operators see it. Callbacks never run inside an operator call: the
// subtask delivers them through its mailbox. The manual clock makes processing-time behaviour (timers, periodic
// watermarks, idleness, buffer timeouts) testable without sleeping.

export interface Cancellable {
  cancel(): void;
}

export interface ProcessingTimeService {
  now(): number;
  /** Runs `callback(time)` once processing time reaches `time` (at once, asynchronously, if it has). */
  schedule(time: number, callback: (time: number) => void): Cancellable;
}

const MAX_DELAY = 2 ** 31 - 1;

/** The real clock: Date.now() and setTimeout. */
export class SystemProcessingTimeService implements ProcessingTimeService {
  now(): number {
    return Date.now();
  }

  schedule(time: number, callback: (time: number) => void): Cancellable {
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      // setTimeout fires at once for delays beyond 2^31 - 1 ms, so far timers are re-armed in steps.
      const delay = Math.max(0, time - Date.now());
      handle = setTimeout(() => (delay > MAX_DELAY ? arm() : callback(Date.now())), Math.min(delay, MAX_DELAY));
      // Timers must not keep a finished program alive.
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

interface ManualTimer {
  readonly time: number;
  readonly seq: number;
  readonly callback: (time: number) => void;
  cancelled: boolean;
}

/** A clock that moves only when told to; due callbacks run in time order (then registration order). */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(time: number, callback: (time: number) => void): Cancellable {
    const t: ManualTimer = { time, seq: this.seq++, callback, cancelled: false };
    this.timers.push(t);
    return { cancel: () => (t.cancelled = true) };
  }

  /** Moves the clock to `time`, running every callback that becomes due (including ones they schedule). */
  advanceTo(time: number): void {
    for (;;) {
      let next: ManualTimer | null = null;
      for (const t of this.timers) {
        if (t.cancelled || t.time > time) continue;
        if (next === null || t.time < next.time || (t.time === next.time && t.seq < next.seq)) next = t;
      }
      if (next === null) break;
      next.cancelled = true;
      this.current = Math.max(this.current, next.time);
      next.callback(this.current);
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = Math.max(this.current, time);
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }
}

/** Waits `ms`, or less if `signal` aborts first (sources pacing themselves to the wall clock). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
