// Errors the runtime reports as values callers can tell apart.

/** Thrown when a job or pipeline is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor() {
    super('job cancelled');
    this.name = 'CancelledError';
  }
}
