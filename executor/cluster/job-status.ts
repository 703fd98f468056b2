// The job status machine of a JobManager (Flink's JobStatus transitions, as the DefaultScheduler drives them).
// States carry no behaviour of their own here, only which state may follow which, so they are one table; the
// JobManager asks `transition` and an illegal step is a bug that throws.
import type { JobState } from './api.js';

const NEXT: Readonly<Partial<Record<JobState, readonly JobState[]>>> = {
  CREATED: ['RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED'],
  RUNNING: ['FINISHED', 'FAILING', 'RESTARTING', 'CANCELLING'],
  RESTARTING: ['RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED'],
  FAILING: ['FAILED'],
  CANCELLING: ['CANCELED'],
};

export class JobStatusMachine {
  private current: JobState = 'CREATED';
  /** When the job entered each state (Flink's JobDetailsInfo.timestamps). */
  readonly timestamps: Partial<Record<JobState, number>> = { CREATED: Date.now() };

  constructor(private readonly onChange: (from: JobState, to: JobState) => void = () => {}) {}

  get state(): JobState {
    return this.current;
  }

  can(to: JobState): boolean {
    return (NEXT[this.current] ?? []).includes(to);
  }

  transition(to: JobState): void {
    if (!this.can(to)) throw new Error(`illegal job status transition ${this.current} -> ${to}`);
    const from = this.current;
    this.current = to;
    this.timestamps[to] = Date.now();
    this.onChange(from, to);
  }

  get terminal(): boolean {
    return this.current === 'FINISHED' || this.current === 'FAILED' || this.current === 'CANCELED';
  }
}
