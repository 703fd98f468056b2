// Reading a running query's changelog incrementally, so that it can be stopped at any time (Ctrl-C, --timeout,
// --max-rows, q in the shell) and still show what arrived: the folded table (as TableResult.materialize() folds
// it, same order and identity rules) or the list of changes; and the page of it the shell's live view shows.
import { MaterializedTable, formatValueText, type Change, type LogicalType, type Schema, type Value } from '../index.js';
import { displayWidth, tableau } from './output.js';

/**
 * The dynamic table a changelog describes: +I/+U add a row, -U/-D remove one equal row (MaterializedTable), with
 * the row cap `sql-client.execution.max-table-result.rows` (0: none); `message` says once that rows were dropped.
 */
export class FoldedTable {
  private readonly table: MaterializedTable;
  private cached: Value[][] | null = null;
  /** Set when the cap first dropped rows: the notice to show the user once. */
  message: string | null = null;

  constructor(maxRows = 0) {
    this.table = new MaterializedTable(maxRows);
  }

  apply(c: Change): void {
    const m = this.table.apply(c.kind === '+I' || c.kind === '+U', c.values);
    if (m !== null) this.message = m;
    this.cached = null;
  }

  get size(): number {
    return this.table.size;
  }

  /** The current rows, in the order their insertions arrived. */
  rows(): Value[][] {
    this.cached ??= this.table.rows();
    return this.cached;
  }
}

/** Changes the changelog view keeps for scrolling back; older ones are dropped so an endless query fits in memory. */
export const MAX_KEPT_CHANGES = 100_000;

/**
 * What a query's result looks like so far, updated change by change: folded into a table (table mode), or as
 * the list of changes (changelog and tableau modes; only the newest MAX_KEPT_CHANGES are kept).
 */
export class ResultModel {
  readonly table: FoldedTable;
  changes: Change[] = [];
  /** Changes dropped from the front of `changes`. */
  dropped = 0;
  received = 0;
  readonly startedAt: number;
  private taken = 0;

  constructor(
    readonly schema: Schema,
    private readonly keep: 'fold' | 'changes',
    now: number = Date.now(),
    maxRows = 0,
  ) {
    this.startedAt = now;
    this.table = new FoldedTable(maxRows);
  }

  apply(c: Change): void {
    this.received++;
    if (this.keep === 'fold') {
      this.table.apply(c);
      return;
    }
    this.changes.push(c);
    if (this.changes.length > MAX_KEPT_CHANGES + MAX_KEPT_CHANGES / 10) {
      const cut = this.changes.length - MAX_KEPT_CHANGES;
      this.changes = this.changes.slice(cut);
      this.dropped += cut;
      this.taken = Math.max(0, this.taken - cut);
    }
  }

  /** The changes that arrived since the last call (tableau mode prints each once). */
  takeChanges(): Change[] {
    const fresh = this.changes.slice(this.taken);
    this.taken = this.changes.length;
    return fresh;
  }

  /** Rows per second since the query started. */
  rate(now: number = Date.now()): number {
    const s = (now - this.startedAt) / 1000;
    return s > 0 ? this.received / s : 0;
  }
}

/** A boxed table of rows[offset, offset+limit), without the "N rows in set" footer (the view prints its own). */
export function renderPage(schema: Schema, rows: readonly (readonly Value[])[], ops: readonly string[] | null, offset: number, limit: number): string[] {
  const page = rows.slice(offset, offset + limit);
  const lines = tableau(schema, page, ops === null ? null : ops.slice(offset, offset + limit)).split('\n');
  lines.pop();
  return lines;
}

/** Clamps a scroll offset to the rows there are. */
export function clampOffset(offset: number, total: number, pageSize: number): number {
  return Math.max(0, Math.min(offset, total - pageSize));
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The widest text a value of a fixed-width type prints as, so that later rows of a stream are not cut (a
 * growing sequence id would be); 0 for types whose width only the data tells (strings, doubles).
 */
function typeWidth(t: LogicalType): number {
  switch (t.kind) {
    case 'BOOLEAN':
      return 6;
    case 'TINYINT':
      return 4;
    case 'SMALLINT':
      return 6;
    case 'INT':
      return 11;
    case 'BIGINT':
      return 20;
    case 'DECIMAL':
      return t.precision + 2;
    case 'DATE':
      return 10;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 19 + (t.precision > 0 ? t.precision + 1 : 0);
    default:
      return 0;
  }
}

/**
 * Tableau rows printed as they arrive (the shell's tableau mode): the column widths are fixed by the header and
 * the first rows, as a terminal cannot re-align lines already printed; a longer value later is cut with '…'.
 */
export class TableauStream {
  private widths: number[] | null = null;

  constructor(private readonly schema: Schema) {}

  private cells(c: Change): string[] {
    return [c.kind, ...this.schema.fields.map((f, i) => {
      const v = c.values[i] ?? null;
      return v === null ? '<NULL>' : formatValueText(v, f.type);
    })];
  }

  private rule(): string {
    return `+${(this.widths as number[]).map((w) => '-'.repeat(w + 2)).join('+')}+`;
  }

  private line(vals: readonly string[]): string {
    const w = this.widths as number[];
    return `|${vals
      .map((v, i) => {
        const width = w[i] as number;
        const cut = displayWidth(v) > width ? `${[...v].slice(0, Math.max(0, width - 1)).join('')}…` : v;
        return ` ${' '.repeat(Math.max(0, width - displayWidth(cut)))}${cut} `;
      })
      .join('|')}|`;
  }

  /** Lines for changes that arrived since the last call (the header first, once). */
  next(fresh: readonly Change[]): string[] {
    if (fresh.length === 0) return [];
    const out: string[] = [];
    const cells = fresh.map((c) => this.cells(c));
    if (this.widths === null) {
      const headers = ['op', ...this.schema.names()];
      const typed = [2, ...this.schema.fields.map((f) => typeWidth(f.type))];
      this.widths = headers.map((h, i) => Math.max(displayWidth(h), typed[i] as number, ...cells.map((r) => displayWidth(r[i] as string))));
      out.push(this.rule(), this.line(headers), this.rule());
    }
    for (const r of cells) out.push(this.line(r));
    return out;
  }

  /** The closing lines once the query ended or was stopped. */
  end(total: number): string[] {
    if (this.widths === null) return ['Empty set'];
    return [this.rule(), `Received a total of ${formatCount(total)} ${total === 1 ? 'row' : 'rows'}`];
  }
}
