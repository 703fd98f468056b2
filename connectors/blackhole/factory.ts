// The `blackhole` sink: consumes and counts its input, for benchmarks and for testing a pipeline's source and
// operators alone. The counts are readable (by table name) so a benchmark can check the rows really arrived.
// Freshet extension: `'checksum' = 'true'` also hashes every row with its row kind into an order-independent
// checksum (checksum.ts), so a benchmark proves the sink consumed each row; Flink's blackhole has no options.
import type { SinkWriter } from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';
import { ChangelogChecksum } from './checksum.js';

export interface BlackholeCounts {
  rows: number;
  batches: number;
  /** With 'checksum' = 'true': the changelog checksum (16 hex digits), set when the input ends; else null. */
  checksum: string | null;
}

/** Rows and batches received per sink table name, since process start (the last job writing to each table). */
export const blackholeCounts = new Map<string, BlackholeCounts>();

export const blackholeFactory: DynamicTableFactory = {
  identifier: 'blackhole',
  sinkChangelogMode: () => 'all',
  options: [
    {
      key: 'checksum',
      description:
        "Freshet extension: 'true' hashes every row with its row kind into an order-independent checksum",
      values: ['true', 'false'],
    },
  ],
  validate(options) {
    const c = options['checksum'];
    if (c !== undefined && c !== 'true' && c !== 'false')
      throw new Error(`option 'checksum' of the blackhole sink must be 'true' or 'false', got '${c}'`);
  },
  createSink(ctx): SinkWriter {
    const counts: BlackholeCounts = { rows: 0, batches: 0, checksum: null };
    blackholeCounts.set(ctx.tableName, counts);
    if (ctx.options['checksum'] !== 'true') {
      return {
        write(batch) {
          counts.rows += batch.length;
          counts.batches++;
        },
        finish() {},
        async close() {},
      };
    }
    const sum = new ChangelogChecksum();
    return {
      write(batch) {
        sum.add(batch);
        counts.rows += batch.length;
        counts.batches++;
      },
      finish() {
        counts.checksum = sum.hex();
      },
      async close() {
        counts.checksum = sum.hex();
      },
    };
  },
};
