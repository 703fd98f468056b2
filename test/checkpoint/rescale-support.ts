// Shared by the rescale tests: a SQL sink with two-phase commit whose committed changelog is exactly-once (the
// oracle a savepoint/resume run is compared with), the changelog's final table, and a scalar function that counts
// and paces the rows of a scan (so a test can stop a job after a share of its input).
import type { Value } from '../../index.js';
import { formatPrintRow } from '../../connectors/print/factory.js';
import type { RecordBatch } from '../../executor/batch/batch.js';
import type { SinkWriter } from '../../executor/runtime/operator.js';
import {
  FactoryRegistry,
  defaultFactories,
  type DynamicTableFactory,
} from '../../planner/catalog/factory.js';

/** Transactions of the 'txn' sink: staged rows by id, and the committed changelog per table. */
export const store = {
  staged: new Map<string, { table: string; lines: string[] }>(),
  done: new Set<string>(),
  committed: new Map<string, string[]>(),
  seq: 0,
  /**
   * Set while a job is stopped with a savepoint: Flink's stop-with-savepoint ends the sources at the savepoint's
   * barrier, so nothing after it is ever committed. Here the job runs on until it is cancelled and may reach the
   * end of its input first, so its end-of-input commit is dropped (the resumed job produces those rows).
   */
  stopping: false,
  commit(id: string): void {
    if (this.done.has(id)) return;
    const t = this.staged.get(id);
    if (t === undefined) throw new Error(`unknown transaction ${id}`);
    this.done.add(id);
    const l = this.committed.get(t.table) ?? [];
    for (const line of t.lines) l.push(line); // not push(...lines): a transaction can exceed the argument limit
    this.committed.set(t.table, l);
  },
  clear(): void {
    this.staged.clear();
    this.done.clear();
    this.committed.clear();
    this.stopping = false;
  },
};

/** A changelog sink with two-phase commit (the shape of Flink's TwoPhaseCommittingSink), for the oracle. */
const txnSink: DynamicTableFactory = {
  identifier: 'txn',
  options: [],
  sinkChangelogMode: () => 'all',
  createSink(ctx): SinkWriter {
    let lines: string[] = [];
    const seal = (): string | null => {
      if (lines.length === 0) return null;
      const id = `${ctx.tableName}-${store.seq++}`;
      store.staged.set(id, { table: ctx.tableName, lines });
      lines = [];
      return id;
    };
    return {
      write(batch: RecordBatch) {
        for (let r = 0; r < batch.length; r++) lines.push(formatPrintRow(ctx.schema, batch, r));
      },
      prepareCommit: () => {
        const id = seal();
        return id === null ? null : new TextEncoder().encode(id);
      },
      commit: async (committables) => {
        for (const c of committables) store.commit(new TextDecoder().decode(c));
      },
      finish: () => {
        const id = seal();
        if (id !== null && !store.stopping) store.commit(id);
      },
      close: async () => {},
    };
  },
};
/** The built-in connectors and `txn`. */
export const factories = new FactoryRegistry();
for (const id of defaultFactories.identifiers())
  factories.register(defaultFactories.get(id) as DynamicTableFactory);
factories.register(txnSink);

/** A changelog folded into its final rows: +I/+U add a row, -U/-D remove an equal one. */
export function finalTable(changelog: readonly string[]): string[] {
  const rows = new Map<string, number>();
  for (const line of changelog) {
    const text = line.slice(2);
    const n = (rows.get(text) ?? 0) + (line.startsWith('+') ? 1 : -1);
    if (n === 0) rows.delete(text);
    else rows.set(text, n);
  }
  return [...rows].flatMap(([text, n]) => Array<string>(n).fill(text)).sort();
}

/** Rows through `paced` since the last reset. */
export const pacing = { rows: 0 };

/** The identity, counted, after ~25 µs of busy work: slows a scan down enough to stop it mid-stream. */
export const paced = {
  eval: (id: Value): Value => {
    pacing.rows++;
    const until = performance.now() + 0.025;
    while (performance.now() < until);
    return id;
  },
  resultType: { kind: 'INT', nullable: true },
} as const;
