// The `print` sink: writes every change as `[identifier> ]+I[v1, v2]` to standard output (or standard error),
// as Flink's print connector does, so a pipeline's changelog can be watched without any infrastructure.
import { formatValueText, rowAt, rowKindShort, type RecordBatch, type Schema, type SinkWriter } from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';

/** Where print sinks write; tests and embedding programs may redirect it. */
export const printTarget: { stdout: (s: string) => void; stderr: (s: string) => void } = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export function formatPrintRow(schema: Schema, batch: RecordBatch, r: number): string {
  const values = rowAt(batch, r).map((v, i) => (v === null ? 'null' : formatValueText(v, schema.field(i).type)));
  return `${rowKindShort(batch.kinds[r] as number)}[${values.join(', ')}]`;
}

export const printFactory: DynamicTableFactory = {
  identifier: 'print',
  sinkChangelogMode: () => 'all',
  options: [
    { key: 'print-identifier', description: 'a prefix for each printed line' },
    { key: 'standard-error', description: 'print to standard error instead of standard output', values: ['true', 'false'] },
    { key: 'sink.parallelism', description: 'accepted for compatibility; parallelism comes with the executor' },
  ],
  createSink(ctx): SinkWriter {
    const prefix = ctx.options['print-identifier'] !== undefined ? `${ctx.options['print-identifier']}> ` : '';
    const toErr = ctx.options['standard-error'] === 'true';
    return {
      write(batch) {
        let out = '';
        for (let r = 0; r < batch.length; r++) out += `${prefix}${formatPrintRow(ctx.schema, batch, r)}\n`;
        (toErr ? printTarget.stderr : printTarget.stdout)(out);
      },
      finish() {},
      async close() {},
    };
  },
};
