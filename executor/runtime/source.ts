// A parallel source: the runtime asks it for one reader per subtask. Readers yield stream elements (batches and,
// for sources that know their event time, watermarks); a bounded reader ends and the subtask then emits the
// maximal watermark, as Flink does when a bounded source finishes.
import type { Schema } from '../types/schema.js';
import type { SourceReader } from './operator.js';

export interface Source {
  readonly outputSchema: Schema;
  readonly bounded: boolean;
  /** The reader of subtask `index` of `parallelism`; each reads its own share (split) of the input. */
  createReader(index: number, parallelism: number): SourceReader;
}
