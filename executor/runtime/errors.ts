// Errors the runtime reports as values callers can tell apart.

/** Thrown when a job or pipeline is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor() {
    super('job cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * Why a job with checkpointing on refuses a source that cannot snapshot its read position: every checkpoint would
 * be declined, and each restart would read the source again from its start (the same rule in LocalJob and slots).
 */
export function positionlessSourceError(source: string): Error {
  return new Error(
    `checkpointing is on, but source '${source}' cannot checkpoint its read position; turn checkpointing off for this job or read from a source that can (kafka, nexmark, datagen, filesystem)`,
  );
}
