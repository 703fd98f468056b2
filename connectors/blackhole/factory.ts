// The `blackhole` sink: consumes and counts its input, for benchmarks and for testing a pipeline's source and
// operators alone. The counts are readable (by table name) so a benchmark can check the rows really arrived.
import type { SinkWriter } from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';

/** Rows and batches received per sink table name, since process start. */
export const blackholeCounts = new Map<string, { rows: number; batches: number }>();

export const blackholeFactory: DynamicTableFactory = {
  identifier: 'blackhole',
  sinkChangelogMode: () => 'all',
  options: [],
  createSink(ctx): SinkWriter {
    const counts = { rows: 0, batches: 0 };
    blackholeCounts.set(ctx.tableName, counts);
    return {
      write(batch) {
        counts.rows += batch.length;
        counts.batches++;
      },
      finish() {},
      async close() {},
    };
  },
};
