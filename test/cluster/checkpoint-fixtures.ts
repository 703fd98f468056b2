// The job the cluster checkpoint tests run, as a builder module the slots import (code cannot cross a thread):
// a generator with a checkpointed position (P=1) → keyBy(k) → running sum in keyed state (P=2) → a map that throws
// at seeded points in the first attempts → a two-phase-commit sink over files. The sink's transactions are files
// staged in `<dir>/staged` on each barrier and renamed into `<dir>/committed` when the checkpoint completes, so what
// the test reads from `committed` is what an external reader would see: a lost or double-counted row changes it.
import { mkdirSync, renameSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { batchToRows, type RecordBatch } from '../../executor/batch/batch.js';
import type { Value } from '../../executor/batch/column.js';
import { StreamExecutionEnvironment } from '../../executor/datastream/environment.js';
import { GeneratorSource } from '../../executor/datastream/sources.js';
import type { JobGraph } from '../../executor/graph/job-graph.js';
import type { SinkWriter } from '../../executor/runtime/operator.js';
import type { Source } from '../../executor/runtime/source.js';
import type { BuildContext } from '../../executor/cluster/protocol.js';
import { Schema } from '../../executor/types/schema.js';
import { Types } from '../../executor/types/logical-type.js';

export interface CheckpointJobPayload {
  /** Rows the generator yields (row i is (i mod 7, i)). */
  readonly count: number;
  readonly rowsPerSecond: number;
  readonly parallelism: number;
  /** Attempt a throws once a running sum exceeds failAt[a]; attempts past the list run clean. */
  readonly failAt: readonly number[];
  /** The transactional store's folder (staged/ and committed/). */
  readonly dir: string;
  /** Names this job's transactions apart from another job's writing to the same store (a resumed job). */
  readonly run: string;
  /** In attempt 0, the slot thread running the subtask that first sees a running sum past this ends (process.exit). */
  readonly exitAt?: number;
  /** Read through a wrapper that hides the generator's position (a source that cannot checkpoint). */
  readonly positionless?: boolean;
}

const schema = new Schema([
  { name: 'k', type: Types.INT() },
  { name: 'v', type: Types.BIGINT() },
]);

/**
 * A writer of the file-backed transactional store: rows since the last barrier are one transaction, sealed into a
 * staged file on the barrier (prepareCommit) and made visible by an atomic rename on commit, which is a no-op for a
 * transaction already committed (commit is called again after a restore).
 */
function fileTransactions(dir: string, run: string, attempt: number, subtask: number): SinkWriter {
  const staged = path.join(dir, 'staged');
  const committed = path.join(dir, 'committed');
  mkdirSync(staged, { recursive: true });
  mkdirSync(committed, { recursive: true });
  let seq = 0;
  let rows: string[] = [];
  const seal = (): string | null => {
    if (rows.length === 0) return null;
    const name = `${run}-a${attempt}-s${subtask}-t${seq++}.txt`;
    writeFileSync(path.join(staged, name), rows.join('\n') + '\n');
    rows = [];
    return name;
  };
  const commitOne = (name: string): void => {
    if (existsSync(path.join(committed, name))) return;
    renameSync(path.join(staged, name), path.join(committed, name));
  };
  return {
    write(b: RecordBatch) {
      for (const r of batchToRows(b)) rows.push(r.map(String).join(','));
    },
    prepareCommit() {
      const name = seal();
      return name === null ? null : new TextEncoder().encode(name);
    },
    async commit(committables) {
      for (const c of committables) commitOne(new TextDecoder().decode(c));
    },
    finish() {
      const name = seal();
      if (name !== null) commitOne(name);
    },
    async close() {},
  };
}

/** Every committed row, sorted (the order across transactions is not part of the contract). */
export function committedRows(dir: string): string[] {
  const committed = path.join(dir, 'committed');
  if (!existsSync(committed)) return [];
  const rows: string[] = [];
  for (const f of readdirSync(committed))
    for (const line of readFileSync(path.join(committed, f), 'utf8').split('\n'))
      if (line !== '') rows.push(line);
  return rows.sort();
}

/** Rows staged in transactions that were never committed (the failed attempts' tails). */
export function stagedRows(dir: string): number {
  const staged = path.join(dir, 'staged');
  if (!existsSync(staged)) return 0;
  let n = 0;
  for (const f of readdirSync(staged))
    n += readFileSync(path.join(staged, f), 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
  return n;
}

export function buildJobGraph(payload: unknown, ctx: BuildContext): JobGraph {
  const p = payload as CheckpointJobPayload;
  const env = new StreamExecutionEnvironment({ parallelism: p.parallelism });
  const threshold = p.failAt[ctx.attempt];
  const src = GeneratorSource.ofRows(schema, (i) => [i % 7, i], {
    count: p.count,
    batchSize: 50,
    rowsPerSecond: p.rowsPerSecond,
  });
  const source: Source = p.positionless
    ? {
        outputSchema: src.outputSchema,
        bounded: true,
        createReader: (i, n) => {
          const r = src.createReader(i, n);
          return { outputSchema: r.outputSchema, read: (signal) => r.read(signal), close: () => r.close() };
        },
      }
    : src;
  env
    .fromSource(source, null, 'numbers')
    .setParallelism(1)
    .keyBy('k')
    .sum('v')
    .map((row: Value[]) => {
      // The failure is in the keyed subtask that first sees a running sum past this attempt's threshold.
      // A worker thread's process.exit ends only that thread: the slot is lost mid-checkpointing, not the process.
      if (p.exitAt !== undefined && ctx.attempt === 0 && Number(row[1]) > p.exitAt) process.exit(3);
      if (threshold !== undefined && Number(row[1]) > threshold)
        throw new Error(`injected failure (attempt ${ctx.attempt})`);
      return row;
    })
    .addSink((i) => fileTransactions(p.dir, p.run, ctx.attempt, i), 'transactional sink');
  return env.getJobGraph('checkpointed sums');
}
