// The result of executing a statement. For a query it is the handle of a running job whose output is a
// dynamic table: read it as a changelog (`changes()`), as inserted rows (`collect()`), or fold it into the
// final table (`materialize()`). The job's output queue is bounded, so an unread result slows the job down.
import {
  MaterializedTable,
  BatchQueue,
  batchToRows,
  rowKindShort,
  type RowKindShort,
  type Schema,
  type SinkWriter,
  type Value,
} from '../../executor/index.js';
import type { LoweredJob } from '../physical/lower.js';

/** A query's result kept as a table while it runs (TableResult.table()). */
export interface LiveTable {
  /** The rows now, oldest first. */
  rows(): Value[][];
  readonly size: number;
  /** Changes applied so far. */
  readonly changes: number;
  /** Set once rows were dropped because of the row cap. */
  readonly message: string | null;
  readonly done: Promise<void>;
}

export interface Change {
  readonly kind: RowKindShort;
  readonly values: Value[];
}

export type ResultKind = 'SUCCESS' | 'SUCCESS_WITH_CONTENT';

let jobCounter = 0;
/** Flink-style 32-hex-digit job ids, unique within the process. */
function newJobId(): string {
  jobCounter++;
  const rand = Array.from({ length: 4 }, () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')).join('');
  return (jobCounter.toString(16).padStart(8, '0') + rand).slice(0, 32);
}

export class TableResult {
  private readonly queue: BatchQueue | null;
  private readonly controller = new AbortController();
  private readonly job: Promise<void>;
  private consumed = false;
  private staticRows: readonly Value[][] | null = null;

  /** The id of the job this result belongs to (queries and INSERT), or null for statements without a job. */
  readonly jobId: string | null;

  private constructor(
    readonly resultKind: ResultKind,
    readonly schema: Schema | null,
    pipeline: LoweredJob | null,
    /** Message for statements without content (e.g. "OK"). */
    readonly message: string,
    staticRows: readonly Value[][] | null = null,
    jobId: string | null = null,
  ) {
    this.jobId = pipeline === null ? null : (jobId ?? newJobId());
    if (staticRows !== null && schema !== null) {
      // Results computed by the planner itself (SHOW, DESCRIBE, EXPLAIN): one batch, no job.
      const queue = new BatchQueue(1);
      queue.end(null);
      this.queue = queue;
      this.staticRows = staticRows;
      this.job = Promise.resolve();
      return;
    }
    if (pipeline === null) {
      this.queue = null;
      this.job = Promise.resolve();
      return;
    }
    if (pipeline.isInsert) {
      // INSERT INTO: the connectors' writers are the sinks; the result only tracks the job (a statement set is
      // one job with several sinks).
      this.queue = null;
      this.job = pipeline.run(this.controller.signal);
      this.job.catch(() => undefined);
      return;
    }
    const queue = new BatchQueue(16);
    this.queue = queue;
    const sink: SinkWriter = queue.writer();
    this.job = pipeline.run(this.controller.signal, sink).then(
      () => queue.end(null),
      (e: unknown) => {
        queue.end(e);
        throw e;
      },
    );
    // The failure is reported to whoever reads the result; do not let it become an unhandled rejection.
    this.job.catch(() => undefined);
  }

  static ok(message = 'OK'): TableResult {
    return new TableResult('SUCCESS', null, null, message);
  }

  /** `jobId`: the id the Dispatcher knows the job by (a fresh one otherwise). */
  static query(schema: Schema, pipeline: LoweredJob, jobId?: string): TableResult {
    return new TableResult('SUCCESS_WITH_CONTENT', schema, pipeline, '', null, jobId ?? null);
  }

  /** A submitted INSERT job (one job for a statement set): `await()` waits for it; there are no rows to read. */
  static insert(job: LoweredJob, jobId?: string): TableResult {
    return new TableResult('SUCCESS', null, job, 'job submitted', null, jobId ?? null);
  }

  /** A result the planner computed itself (SHOW TABLES, DESCRIBE, EXPLAIN, SET). */
  static rows(schema: Schema, rows: readonly Value[][]): TableResult {
    return new TableResult('SUCCESS_WITH_CONTENT', schema, null, '', rows);
  }

  /** The changelog of the result: every insert, update and delete in order. Can be read once. */
  async *changes(): AsyncGenerator<Change> {
    if (this.queue === null) return;
    if (this.consumed) throw new Error('the result of a query can be read only once');
    this.consumed = true;
    if (this.staticRows !== null) {
      for (const values of this.staticRows) yield { kind: '+I', values: [...values] };
      return;
    }
    for await (const batch of this.queue.batches()) {
      const rows = batchToRows(batch);
      for (let i = 0; i < rows.length; i++) yield { kind: rowKindShort(batch.kinds[i] as number), values: rows[i] as Value[] };
    }
  }

  /** Rows as objects keyed by column name, for insert-only results (updates appear as their new rows). */
  async *collect(): AsyncGenerator<Record<string, Value>> {
    const names = this.schema?.names() ?? [];
    for await (const c of this.changes()) {
      if (c.kind === '+I' || c.kind === '+U') yield Object.fromEntries(names.map((n, i) => [n, c.values[i] ?? null]));
    }
  }

  /**
   * Folds the changelog into the final table: +I/+U add a row, -U/-D remove one equal row (by row identity).
   * This is what a materialized view holds when a bounded input ends.
   */
  async materialize(): Promise<Value[][]> {
    const rows: Value[][] = [];
    const index = new Map<string, number[]>();
    const key = (v: Value[]): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Array.from(x) : x instanceof Map ? [...x] : x));
    for await (const c of this.changes()) {
      const k = key(c.values);
      if (c.kind === '+I' || c.kind === '+U') {
        const slots = index.get(k) ?? [];
        slots.push(rows.length);
        index.set(k, slots);
        rows.push(c.values);
      } else {
        const slots = index.get(k);
        const at = slots?.pop();
        if (at === undefined) throw new Error(`retraction of a row that is not in the result: ${k}`);
        rows[at] = null as unknown as Value[];
      }
    }
    return rows.filter((r) => r !== null);
  }

  /**
   * The result as a live materialized table (the SQL client's table mode): the changelog is applied as it arrives
   * (+I/+U add a row, -U/-D remove one equal row); `rows()` is the table now. Beyond `maxRows` (Flink's
   * `sql-client.execution.max-table-result.rows`, default 1,000,000; 0 = no cap) the oldest rows are dropped and
   * `message` says so. `done` settles when the query ends (rejects with its failure). Reads the result: use it
   * instead of `changes()`, not with it.
   */
  table(opts: { maxRows?: number } = {}): LiveTable {
    const t = new MaterializedTable(opts.maxRows ?? 1_000_000);
    let message: string | null = null;
    let changes = 0;
    const done = (async () => {
      for await (const c of this.changes()) {
        changes++;
        message = t.apply(c.kind === '+I' || c.kind === '+U', c.values) ?? message;
      }
    })();
    done.catch(() => undefined);
    return {
      rows: () => t.rows(),
      get size() {
        return t.size;
      },
      get changes() {
        return changes;
      },
      get message() {
        return message;
      },
      done,
    };
  }

  /** Resolves when the job finishes (rejects with its failure). */
  async await(): Promise<void> {
    await this.job;
  }

  cancel(): void {
    this.controller.abort();
    this.queue?.end(null);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
}
