// Throughput of the Correlate operator alone (no planner, no channels): 1024-row batches of 4-element arrays / 4-word
// strings, 3000 batches after 200 warm-up ones. Run: npx tsx test/executor/sql/correlate-bench.ts
import {
  CorrelateOperator,
  Schema,
  Types,
  batchFromRows,
  type BatchFunction,
  type Output,
  type RecordBatch,
  type TableFunctionRuntime,
} from '../../../executor/index.js';
const input = Schema.of(['id', Types.INT()], ['arr', Types.ARRAY(Types.INT())], ['line', Types.STRING()]);
const rows = Array.from({ length: 1024 }, (_x, i) => [i, [i, i + 1, i + 2, i + 3], `w${i} x${i} y z`]);
const batch = batchFromRows(input, rows);
const argOf = (c: number): BatchFunction => {
  const s = new Schema([input.field(c)]);
  return (b) => ({ schema: s, length: b.length, kinds: b.kinds, columns: [b.columns[c]!] });
};
function run(
  name: string,
  fn: TableFunctionRuntime,
  col: number,
  fields: { name: string; type: ReturnType<typeof Types.INT> }[],
): void {
  const op = new CorrelateOperator({
    name,
    inputSchema: input,
    outputSchema: new Schema([...input.fields, ...fields]),
    args: argOf(col),
    fn,
    joinType: 'INNER',
  });
  let out = 0;
  const o: Output = {
    emitBatch: (b: RecordBatch) => void (out += b.length),
    emitWatermark() {},
    emitSideOutput() {},
    emitWatermarkStatus() {},
  };
  op.open(o);
  for (let i = 0; i < 200; i++) op.processBatch(batch); // warm-up
  out = 0;
  const n = 3000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) op.processBatch(batch);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${name}: ${((n * 1024) / s / 1e6).toFixed(2)} M input rows/s, ${(out / s / 1e6).toFixed(2)} M output rows/s`,
  );
}
run('UNNEST ARRAY<INT> (4 elements)', { kind: 'unnest', withOrdinality: false }, 1, [
  { name: 'f0', type: Types.INT() },
]);
run('UNNEST ... WITH ORDINALITY', { kind: 'unnest', withOrdinality: true }, 1, [
  { name: 'f0', type: Types.INT() },
  { name: 'ordinality', type: Types.INT(false) },
]);
run(
  'UDTF split (4 words)',
  {
    kind: 'udtf',
    name: 'split',
    invoke: (a, collect) => {
      for (const w of (a[0] as string).split(' ')) collect([w, w.length]);
    },
  },
  2,
  [
    { name: 'word', type: Types.STRING() },
    { name: 'length', type: Types.INT() },
  ],
);
