// Sources of the DataStream API: a bounded collection (fromElements / fromCollection, parallelism 1 as in
// Flink) and a generator that builds whole batches, bounded or not, optionally rate-limited, split over parallel
// subtasks by sequence number. Both yield to the event loop between batches so other subtasks can run.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import type { SourceReader } from '../runtime/operator.js';
import type { Source } from '../runtime/source.js';
import type { Schema } from '../types/schema.js';
import { RowBatchBuilder, type Row } from './rows.js';

export class CollectionSource implements Source {
  readonly bounded = true;
  constructor(
    readonly outputSchema: Schema,
    private readonly rows: readonly Row[],
    private readonly batchSize = 1024,
  ) {}

  createReader(index: number): SourceReader {
    const { rows, outputSchema, batchSize } = this;
    // The checkpointed position: the index of the next row to emit.
    let next = 0;
    return {
      outputSchema,
      async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
        // The collection is not split: only the first subtask reads it.
        if (index !== 0) return;
        while (next < rows.length && !signal.aborted) {
          const b = new RowBatchBuilder(outputSchema);
          for (const r of rows.slice(next, next + batchSize)) b.append(r);
          const batch = b.build();
          next = Math.min(rows.length, next + batchSize);
          if (batch !== null) yield { kind: 'batch', batch };
        }
      },
      snapshotState: () => new TextEncoder().encode(String(next)),
      restoreState: (bytes: Uint8Array) => {
        next = Number(new TextDecoder().decode(bytes));
      },
      close: async () => {},
    };
  }
}

export interface GeneratorOptions {
  /** Total rows over all subtasks; Infinity for an unbounded stream. */
  readonly count: number;
  readonly batchSize?: number;
  /** Rows per second over all subtasks (processing time); unlimited by default. */
  readonly rowsPerSecond?: number;
}

/**
 * Rows `from .. from+n-1` of a sequence, as one batch: the generator is called per batch so that it can fill
 * typed arrays directly (the benchmark) or build rows (examples).
 */
export type BatchGenerator = (from: number, n: number) => RecordBatch;

export class GeneratorSource implements Source {
  readonly bounded: boolean;
  constructor(
    readonly outputSchema: Schema,
    private readonly generate: BatchGenerator,
    private readonly opts: GeneratorOptions,
  ) {
    this.bounded = Number.isFinite(opts.count);
  }

  /** A generator from a per-row function (convenient; the row cost applies, see rows.ts). */
  static ofRows(schema: Schema, rowAt: (seq: number) => Row, opts: GeneratorOptions): GeneratorSource {
    return new GeneratorSource(
      schema,
      (from, n) => {
        const b = new RowBatchBuilder(schema);
        for (let i = 0; i < n; i++) b.append(rowAt(from + i));
        return b.build() as RecordBatch;
      },
      opts,
    );
  }

  createReader(index: number, parallelism: number): SourceReader {
    const { generate, opts, outputSchema } = this;
    const batchSize = opts.batchSize ?? 1024;
    const rate = opts.rowsPerSecond === undefined ? null : opts.rowsPerSecond / parallelism;
    // The checkpointed position: the next block this subtask emits (advanced in the step that yields a block).
    let nextBlock = index;
    return {
      outputSchema,
      async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
        // Subtask i generates the i-th, (i+p)-th, ... block of `batchSize` sequence numbers.
        const start = Date.now();
        let produced = 0;
        for (; !signal.aborted;) {
          const from = nextBlock * batchSize;
          if (from >= opts.count) return;
          const n = Math.min(batchSize, opts.count - from);
          if (rate !== null) {
            const due = start + (produced / rate) * 1000;
            const wait = due - Date.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          const batch = generate(from, n);
          nextBlock += parallelism;
          yield { kind: 'batch', batch };
          produced += n;
        }
      },
      snapshotState: () => new TextEncoder().encode(JSON.stringify({ nextBlock, parallelism })),
      restoreState: (bytes: Uint8Array) => {
        const s = JSON.parse(new TextDecoder().decode(bytes)) as { nextBlock: number; parallelism: number };
        if (s.parallelism !== parallelism) {
          throw new Error(
            `the generator was checkpointed at parallelism ${s.parallelism} and cannot resume at ${parallelism}`,
          );
        }
        nextBlock = s.nextBlock;
      },
      close: async () => {},
    };
  }
}
