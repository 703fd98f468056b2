// Sinks of the DataStream API: the collect sink behind `executeAndCollect` (a bounded queue, so an unread result
// slows the job down instead of filling memory) and the print sink (Flink's `subtask> +I[...]` format).
import { batchToRows } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { BatchQueue } from '../runtime/batch-queue.js';
import type { SinkWriter } from '../runtime/operator.js';
import { rowKindShort } from '../types/row-kind.js';
import type { Row } from './rows.js';

/** Creates one writer per parallel sink subtask (Flink's Sink#createWriter). */
export interface Sink {
  createWriter(subtaskIndex: number, parallelism: number): SinkWriter;
}

/** The queue behind `executeAndCollect`: the shared BatchQueue, read as rows. */
export class CollectQueue extends BatchQueue {
  async *rows(): AsyncGenerator<Row> {
    for await (const b of this.batches()) for (const r of batchToRows(b)) yield r;
  }
}

export function formatRow(row: readonly Value[]): string {
  return row
    .map((v) => (v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) : String(v)))
    .join(', ');
}

export class PrintSink implements Sink {
  constructor(
    private readonly prefix: string | null,
    private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  ) {}

  createWriter(subtaskIndex: number, parallelism: number): SinkWriter {
    const tag = [this.prefix, parallelism > 1 ? String(subtaskIndex + 1) : null].filter((x) => x !== null).join(':');
    const lead = tag === '' ? '' : `${tag}> `;
    return {
      write: (batch) => {
        const rows = batchToRows(batch);
        rows.forEach((r, i) => this.write(`${lead}${rowKindShort(batch.kinds[i] as number)}[${formatRow(r)}]`));
      },
      finish: () => {},
      close: async () => {},
    };
  }
}
