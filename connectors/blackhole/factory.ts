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
  /** With 'checksum' = 'true' or 'final': the changelog checksum (16 hex digits), set when the input ends; else null. */
  checksum: string | null;
  /** With 'checksum' = 'final': also the checksum of the final table (the rows the changelog leaves); else null. */
  finalChecksum: string | null;
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
        "Freshet extension: 'true' hashes every row with its row kind into an order-independent checksum; 'final' also the final table's",
      values: ['true', 'false', 'final'],
    },
  ],
  validate(options) {
    const c = options['checksum'];
    if (c !== undefined && c !== 'true' && c !== 'false' && c !== 'final')
      throw new Error(`option 'checksum' of the blackhole sink must be 'true', 'false' or 'final', got '${c}'`);
  },
  createSink(ctx): SinkWriter {
    const counts: BlackholeCounts = { rows: 0, batches: 0, checksum: null, finalChecksum: null };
    blackholeCounts.set(ctx.tableName, counts);
    const mode = ctx.options['checksum'];
    if (mode !== 'true' && mode !== 'final') {
      return {
        write(batch) {
          counts.rows += batch.length;
          counts.batches++;
        },
        finish() {},
        async close() {},
      };
    }
    const sum = new ChangelogChecksum(mode === 'final');
    const publish = (): void => {
      counts.checksum = sum.hex();
      counts.finalChecksum = sum.finalHex();
    };
    return {
      write(batch) {
        sum.add(batch);
        counts.rows += batch.length;
        counts.batches++;
      },
      finish: publish,
      async close() {
        publish();
      },
    };
  },
};
