// The dashboard's SQL tab behind the REST API: run a query in the session that started the server and keep its
// continuous result table (the changelog folded into rows, as the shell's table mode shows it) for the browser
// to poll. Queries only: DDL, SET and INSERT change the session or the outside world and stay with the shell.
import type { LogicalType } from '../types/logical-type.js';
import { formatValueText } from '../types/text.js';
import { GatewayError } from './api.js';

/** One change of a query's result, as TableResult.changes() yields it. */
export interface SqlChange {
  readonly kind: '+I' | '-U' | '+U' | '-D';
  readonly values: readonly unknown[];
}

/** A started query: its job id (the Dispatcher's), its columns and its changelog. */
export interface SqlQuery {
  readonly jobId: string;
  readonly columns: readonly { readonly name: string; readonly type: LogicalType }[];
  readonly changes: AsyncIterable<SqlChange>;
  /** Stops the query's job (a dropped result); without it the iteration is ended instead. */
  cancel?(): void;
}

/**
 * What the server needs of a session: start one query. The implementation must refuse anything but a query
 * (throwing an Error with a message for the user); the shell passes its TableEnvironment this way.
 */
export interface SqlSession {
  query(statement: string): SqlQuery;
}

/** GET /v1/sql/:jid: the result so far, values already formatted as SQL text (as the shell prints them). */
export interface SqlResult {
  readonly jid: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Changes applied so far. */
  readonly changes: number;
  readonly done: boolean;
  readonly error: string | null;
  /** True when the result outgrew `maxRows` and later inserts were dropped. */
  readonly truncated: boolean;
}

class Result {
  readonly rows: (string[] | null)[] = [];
  private readonly index = new Map<string, number[]>();
  live = 0;
  changes = 0;
  done = false;
  error: string | null = null;
  truncated = false;

  constructor(
    readonly jid: string,
    readonly columns: SqlQuery['columns'],
    private readonly maxRows: number,
  ) {}

  apply(c: SqlChange): void {
    this.changes++;
    const row = c.values.map((v, i) =>
      v === null ? 'NULL' : formatValueText(v, (this.columns[i] as { type: LogicalType }).type),
    );
    const key = JSON.stringify(row);
    if (c.kind === '+I' || c.kind === '+U') {
      if (this.live >= this.maxRows) {
        this.truncated = true;
        return;
      }
      const slots = this.index.get(key) ?? [];
      slots.push(this.rows.length);
      this.index.set(key, slots);
      this.rows.push(row);
      this.live++;
    } else {
      const at = this.index.get(key)?.pop();
      // A retraction of a row dropped by truncation has nothing to remove.
      if (at === undefined) return;
      this.rows[at] = null;
      this.live--;
      if (this.rows.length > 2 * this.live + 64) this.compact();
    }
  }

  private compact(): void {
    const kept = this.rows.filter((r): r is string[] => r !== null);
    this.rows.length = 0;
    this.index.clear();
    for (const r of kept) {
      const key = JSON.stringify(r);
      const slots = this.index.get(key) ?? [];
      slots.push(this.rows.length);
      this.index.set(key, slots);
      this.rows.push(r);
    }
  }

  view(): SqlResult {
    return {
      jid: this.jid,
      columns: this.columns.map((c) => c.name),
      rows: this.rows.filter((r): r is string[] => r !== null),
      changes: this.changes,
      done: this.done,
      error: this.error,
      truncated: this.truncated,
    };
  }
}

/** The results of the queries started over REST, newest kept (older ones dropped past `keep`). */
export class SqlResults {
  private readonly results = new Map<string, Result>();
  /** How to stop each query still running (ends its changelog iteration). */
  private readonly stops = new Map<string, () => void>();

  constructor(
    private readonly session: SqlSession,
    private readonly maxRows = 1000,
    private readonly keep = 20,
  ) {}

  start(statement: string): SqlResult {
    if (statement.trim() === '') throw new GatewayError(400, 'No statement');
    let q: SqlQuery;
    try {
      q = this.session.query(statement);
    } catch (e) {
      throw new GatewayError(400, e instanceof Error ? e.message : String(e));
    }
    const r = new Result(q.jobId, q.columns, this.maxRows);
    const it = q.changes[Symbol.asyncIterator]();
    this.results.set(q.jobId, r);
    this.stops.set(q.jobId, () => (q.cancel !== undefined ? q.cancel() : void it.return?.()));
    while (this.results.size > this.keep) {
      // A dropped result's query stops too (ending the iteration cancels its job): nothing reads it any more.
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
      this.stops.get(oldest)?.();
      this.stops.delete(oldest);
    }
    void (async () => {
      try {
        for (let n = await it.next(); n.done !== true; n = await it.next()) r.apply(n.value);
      } catch (e) {
        r.error = e instanceof Error ? e.message : String(e);
      } finally {
        r.done = true;
        this.stops.delete(q.jobId);
      }
    })();
    return r.view();
  }

  get(jid: string): SqlResult {
    const r = this.results.get(jid);
    if (r === undefined) throw new GatewayError(404, `No SQL result for job ${jid}`);
    return r.view();
  }
}
