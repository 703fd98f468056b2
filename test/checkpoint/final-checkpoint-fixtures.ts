// The job of the MiniCluster final-checkpoint test, as a builder module the slots import: numbers (P=1, fast) →
// rebalance → a two-phase sink over files (P=2), and a slower side pipeline whose map throws in attempt 0 once a
// marker file shows the sink's input ended (or its writer finished), i.e. after the end of input, before the job's
// end. Markers are files because the sink and the map run in different slot threads.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_WATERMARK, batchToRows, type RecordBatch } from '../../executor/batch/batch.js';
import { StreamExecutionEnvironment } from '../../executor/datastream/environment.js';
import { GeneratorSource } from '../../executor/datastream/sources.js';
import type { JobGraph } from '../../executor/graph/job-graph.js';
import type { SinkWriter } from '../../executor/runtime/operator.js';
import type { BuildContext } from '../../executor/cluster/protocol.js';
import { Schema } from '../../executor/types/schema.js';
import { Types } from '../../executor/types/logical-type.js';

export interface FinalCheckpointPayload {
  readonly count: number;
  readonly dir: string;
  /** Attempt 0's side map throws once this marker exists: 'ended' (input ended) or 'finished' (writer finished). */
  readonly failOn: 'ended' | 'finished' | null;
}

const schema = new Schema([
  { name: 'k', type: Types.INT() },
  { name: 'v', type: Types.BIGINT() },
]);

/** Transactions are staged files, committed by an atomic rename (a second commit is a no-op). */
function fileTransactions(dir: string, attempt: number, subtask: number, count: number): SinkWriter {
  const staged = path.join(dir, 'staged');
  const committed = path.join(dir, 'committed');
  mkdirSync(staged, { recursive: true });
  mkdirSync(committed, { recursive: true });
  let seq = 0;
  let written = 0;
  let rows: string[] = [];
  const seal = (): string | null => {
    if (rows.length === 0) return null;
    const name = `a${attempt}-s${subtask}-t${seq++}.txt`;
    writeFileSync(path.join(staged, name), rows.join('\n') + '\n');
    rows = [];
    return name;
  };
  const commitOne = (name: string): void => {
    if (!existsSync(path.join(committed, name)))
      renameSync(path.join(staged, name), path.join(committed, name));
  };
  return {
    write(b: RecordBatch) {
      for (const r of batchToRows(b)) rows.push(r.map(String).join(','));
      written += b.length;
      // The test takes a checkpoint by hand once a sixth of the rows went through (a tail to replay).
      if (written >= count / 6) writeFileSync(path.join(dir, 'progress'), '');
    },
    writeWatermark(ts) {
      if (ts === MAX_WATERMARK) writeFileSync(path.join(dir, 'ended'), '');
    },
    prepareCommit() {
      const name = seal();
      return name === null ? null : new TextEncoder().encode(name);
    },
    async commit(committables) {
      for (const c of committables) commitOne(new TextDecoder().decode(c));
    },
    finish() {
      // Without a final checkpoint the open transaction is committed here, as KafkaWriter would.
      const name = seal();
      if (name !== null) {
        commitOne(name);
        writeFileSync(path.join(dir, 'committed-by-finish'), '');
      }
      writeFileSync(path.join(dir, 'finished'), '');
    },
    async close() {},
  };
}

export function committedRows(dir: string): string[] {
  const committed = path.join(dir, 'committed');
  if (!existsSync(committed)) return [];
  const rows: string[] = [];
  for (const f of readdirSync(committed))
    for (const line of readFileSync(path.join(committed, f), 'utf8').split('\n'))
      if (line !== '') rows.push(line);
  return rows.sort();
}

export function buildJobGraph(payload: unknown, ctx: BuildContext): JobGraph {
  const p = payload as FinalCheckpointPayload;
  const env = new StreamExecutionEnvironment({ parallelism: 2 });
  env
    .fromSource(
      GeneratorSource.ofRows(schema, (i) => [i % 7, i], {
        count: p.count,
        batchSize: 50,
        rowsPerSecond: 4000,
      }),
      null,
      'numbers',
    )
    .setParallelism(1)
    .rebalance()
    .addSink((i) => fileTransactions(p.dir, ctx.attempt, i, p.count), 'transactional sink')
    .setParallelism(2);
  const marker = p.failOn === null ? null : path.join(p.dir, p.failOn);
  let failed = false;
  env
    .fromSource(
      GeneratorSource.ofRows(schema, (i) => [0, i], { count: 600, batchSize: 1, rowsPerSecond: 300 }),
      null,
      'side',
    )
    .setParallelism(1)
    .map((row) => {
      if (ctx.attempt === 0 && !failed && marker !== null && existsSync(marker)) {
        failed = true;
        throw new Error('injected failure after the end of input');
      }
      return row;
    })
    .setParallelism(1)
    .addSink(() => ({ write: () => {}, finish: () => {}, close: async () => {} }), 'discard')
    .setParallelism(1);
  return env.getJobGraph('final checkpoint');
}
