// The progress of a running query's job for the shell's status line, read from the session's Dispatcher (the
// numbers the REST API and dashboard show): the records its sources read per second, and the event-time
// watermark reaching its result. Takes the job's detail; null where the job does not say (yet).
import type { JobDetail } from '../executor/index.js';

export interface JobProgress {
  /** Records the job's sources read per second (the read-records-per-second of the vertices without inputs). */
  readonly inPerSec: number;
  /**
   * The watermark reaching the result: the minimum over the last vertices (those no vertex reads) of their
   * input watermark, or null while a subtask has none (no watermark strategy, no record yet; Flink's dashboard
   * says "No Watermark"). A last vertex that is also a source has no input watermark: its output one stands in.
   */
  readonly watermark: number | null;
}

/** Below this a watermark is Long.MIN_VALUE-like ("none yet"), not a time. */
const NO_WATERMARK = -8.64e15;

export function jobProgress(detail: Pick<JobDetail, 'vertices' | 'plan'>): JobProgress {
  const read = new Set<string>();
  const sources = new Set<string>();
  for (const n of detail.plan.nodes) {
    const inputs = n.inputs ?? [];
    for (const i of inputs) read.add(i.id);
    if (inputs.length === 0) sources.add(n.id);
  }
  let inPerSec = 0;
  let watermark: number | null = null;
  let none = false;
  for (const v of detail.vertices) {
    // A source subtask counts the records it reads from its connector as numRecordsIn.
    if (sources.has(v.id)) inPerSec += v.metrics['read-records-per-second'];
    if (read.has(v.id)) continue;
    const w = sources.has(v.id)
      ? v.metrics['current-output-watermark']
      : v.metrics['current-input-watermark'];
    if (w === null || w < NO_WATERMARK) none = true;
    else watermark = watermark === null ? w : Math.min(watermark, w);
  }
  return { inPerSec, watermark: none ? null : watermark };
}

/** `2024-05-17 10:11:12.345`: a watermark as Flink's SQL client prints a TIMESTAMP(3). */
export function formatWatermark(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
