// Correlate: joins each input row with the rows a table function produces for it (Flink's StreamExecCorrelate
// and the CorrelateCodeGenerator's collector). Takes the input batch and the function's argument columns
// (computed by a compiled Calc), hands on input ++ function columns. INNER drops a row the function produced
// nothing for; LEFT keeps it once, padded with NULLs. Stateless, so the changelog passes through: every output
// row carries its input row's kind, and a -U/-D retracts exactly the rows the matching +I produced (the
// function being deterministic). UNNEST is columnar (offsets of the ARRAY/MAP column are walked, element
// columns gathered); a user function is called once per row and its rows appended to column builders.
import { makeBatch, type RecordBatch } from '../batch/batch.js';
import { ColumnBuilder, getValue, takeColumn, type Column, type Value } from '../batch/column.js';
import { isValid, setValid, validityBytes, allValid } from '../batch/validity.js';
import type { BatchFunction, Output, StreamOperator } from '../runtime/operator.js';
import type { LogicalType } from '../types/logical-type.js';
import type { Field, Schema } from '../types/schema.js';

export type TableFunctionRuntime =
  /**
   * UNNEST of the one argument column (Flink's UnnestRowsFunction / UnnestRowsWithOrdinalityFunction): an
   * ARRAY gives one row per element (a ROW element expands into its fields), a MAP one row per entry (key,
   * value); WITH ORDINALITY appends the 1-based position. A NULL collection gives no rows.
   */
  | { readonly kind: 'unnest'; readonly withOrdinality: boolean }
  /** A user-defined table function: `invoke` calls `collect` once per output row (values in column order). */
  | {
      readonly kind: 'udtf';
      readonly name: string;
      readonly invoke: (args: readonly Value[], collect: (row: readonly Value[]) => void) => void;
    };

export interface CorrelateConfig {
  readonly name: string;
  readonly inputSchema: Schema;
  /** The input's columns, then the function's. */
  readonly outputSchema: Schema;
  /** The function's argument columns for an input batch (one row per input row, no filter). */
  readonly args: BatchFunction;
  readonly fn: TableFunctionRuntime;
  readonly joinType: 'INNER' | 'LEFT';
}

export class CorrelateOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private output: Output | null = null;
  private readonly fnFields: readonly Field[];

  constructor(private readonly cfg: CorrelateConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.outputSchema;
    this.fnFields = cfg.outputSchema.fields.slice(cfg.inputSchema.size);
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    if (batch.length === 0) return;
    const args = this.cfg.args(batch);
    if (args === null) throw new Error(`${this.name}: the argument projection dropped rows`);
    const out = this.cfg.fn.kind === 'unnest' ? this.unnest(batch, args) : this.udtf(batch, args);
    if (out !== null && out.length > 0) (this.output as Output).emitBatch(out);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}
  close(): void {}

  /** Output rows: the input columns gathered at `parent`, then the function's columns. */
  private assemble(
    batch: RecordBatch,
    parent: Int32Array,
    n: number,
    fnCols: readonly Column[],
  ): RecordBatch {
    const kinds = new Uint8Array(n);
    for (let j = 0; j < n; j++) kinds[j] = batch.kinds[parent[j] as number] as number;
    let ts: Float64Array | undefined;
    if (batch.timestamps !== undefined) {
      ts = new Float64Array(n);
      for (let j = 0; j < n; j++) ts[j] = batch.timestamps[parent[j] as number] as number;
    }
    const inputCols = batch.columns.map((c, i) => gather(c, batch.schema.field(i).type, parent, n));
    return makeBatch(this.outputSchema, [...inputCols, ...fnCols], n, kinds, ts);
  }

  private unnest(batch: RecordBatch, args: RecordBatch): RecordBatch | null {
    const col = args.columns[0];
    const type = args.schema.field(0).type;
    if (col === undefined) throw new Error(`${this.name}: UNNEST without an argument`);
    const left = this.cfg.joinType === 'LEFT';
    const withOrdinality = this.cfg.fn.kind === 'unnest' && this.cfg.fn.withOrdinality;
    if (col.kind !== 'list' && col.kind !== 'map')
      throw new Error(`${this.name}: UNNEST expects an ARRAY or MAP column, got a ${col.kind} column`);
    // Pass 1: the output size (one row per element; LEFT adds one per empty or NULL collection).
    const rows = batch.length;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const len = isValid(col.validity, r) ? (col.offsets[r + 1] as number) - (col.offsets[r] as number) : 0;
      total += len === 0 && left ? 1 : len;
    }
    if (total === 0) return null;
    // Pass 2: each output row's input row and element index (-1: padding of a LEFT join).
    const parent = new Int32Array(total);
    const elem = new Int32Array(total);
    let padded = 0;
    let k = 0;
    for (let r = 0; r < rows; r++) {
      const from = col.offsets[r] as number;
      const to = isValid(col.validity, r) ? (col.offsets[r + 1] as number) : from;
      if (from === to) {
        if (left) {
          parent[k] = r;
          elem[k++] = -1;
          padded++;
        }
        continue;
      }
      for (let e = from; e < to; e++) {
        parent[k] = r;
        elem[k++] = e;
      }
    }
    const fnCols: Column[] = [];
    if (col.kind === 'list') {
      if (type.kind !== 'ARRAY') throw new Error(`${this.name}: list column typed ${type.kind}`);
      const et = type.element;
      if (et.kind === 'ROW' && col.child.kind === 'struct') {
        // ARRAY<ROW<...>>: each field its own column; a NULL element makes all its fields NULL.
        const struct = col.child;
        et.fields.forEach((f, i) => {
          const c = gatherOrNull(struct.children[i] as Column, f.type, elem, total, padded);
          fnCols.push(struct.validity === null ? c : andValidity(c, struct.validity, elem, total));
        });
      } else fnCols.push(gatherOrNull(col.child, et, elem, total, padded));
    } else {
      if (type.kind !== 'MAP') throw new Error(`${this.name}: map column typed ${type.kind}`);
      fnCols.push(gatherOrNull(col.keys, type.key, elem, total, padded));
      fnCols.push(gatherOrNull(col.values, type.value, elem, total, padded));
    }
    if (withOrdinality) {
      const ord = new Int32Array(total);
      const validity = padded > 0 ? allValid(total) : null;
      for (let j = 0; j < total; j++) {
        const e = elem[j] as number;
        if (e < 0) setValid(validity as Uint8Array, j, false);
        else ord[j] = e - (col.offsets[parent[j] as number] as number) + 1;
      }
      fnCols.push({ kind: 'i32', values: ord, validity });
    }
    return this.assemble(batch, parent, total, fnCols);
  }

  private udtf(batch: RecordBatch, args: RecordBatch): RecordBatch | null {
    const fn = this.cfg.fn;
    if (fn.kind !== 'udtf') throw new Error('unreachable');
    const left = this.cfg.joinType === 'LEFT';
    const width = this.fnFields.length;
    const builders = this.fnFields.map((f) => new ColumnBuilder(f.type, batch.length));
    let parent = new Int32Array(Math.max(16, batch.length));
    let n = 0;
    let current = 0;
    let emitted = 0;
    // One collector per batch (not per row): it appends to the builders and records the input row.
    const collect = (row: readonly Value[]): void => {
      if (row.length !== width)
        throw new Error(
          `table function ${fn.name} emitted a row of ${row.length} values, but declares ${width} columns`,
        );
      if (n === parent.length) {
        const grown = new Int32Array(parent.length * 2);
        grown.set(parent);
        parent = grown;
      }
      parent[n++] = current;
      for (let i = 0; i < width; i++) (builders[i] as ColumnBuilder).append(row[i] ?? null);
      emitted++;
    };
    const argCols = args.columns;
    const argTypes = args.schema.fields.map((f) => f.type);
    const values = new Array<Value>(argCols.length);
    for (let r = 0; r < batch.length; r++) {
      for (let a = 0; a < argCols.length; a++)
        values[a] = getValue(argCols[a] as Column, argTypes[a] as LogicalType, r);
      current = r;
      emitted = 0;
      fn.invoke(values, collect);
      if (emitted === 0 && left) collect(new Array<Value>(width).fill(null));
    }
    if (n === 0) return null;
    return this.assemble(
      batch,
      parent,
      n,
      builders.map((b) => b.finish()),
    );
  }
}

/**
 * The values of `c` at `rows` (each input row repeated once per output row). An ARRAY column — the UNNEST
 * argument is one, and it is repeated on every output row — is gathered through its offsets and child typed
 * arrays instead of per-value through a builder.
 */
function gather(c: Column, type: LogicalType, rows: Int32Array, n: number): Column {
  if (c.kind !== 'list' || type.kind !== 'ARRAY') return takeColumn(c, type, rows, n);
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const r = rows[j] as number;
    total += (c.offsets[r + 1] as number) - (c.offsets[r] as number);
    offsets[j + 1] = total;
  }
  const childRows = new Int32Array(total);
  let k = 0;
  for (let j = 0; j < n; j++) {
    const r = rows[j] as number;
    for (let e = c.offsets[r] as number; e < (c.offsets[r + 1] as number); e++) childRows[k++] = e;
  }
  let validity: Uint8Array | null = null;
  if (c.validity !== null) {
    validity = allValid(n);
    for (let j = 0; j < n; j++) if (!isValid(c.validity, rows[j] as number)) setValid(validity, j, false);
  }
  return { kind: 'list', offsets, child: gather(c.child, type.element, childRows, total), validity };
}

/** The values of `c` at `idx` (-1 = NULL). Flat layouts are gathered from their typed arrays. */
function gatherOrNull(c: Column, type: LogicalType, idx: Int32Array, n: number, padded: number): Column {
  if (padded === 0) return takeColumn(c, type, idx, n);
  if (c.kind === 'struct' || c.kind === 'list' || c.kind === 'map') {
    const b = new ColumnBuilder(type, n);
    for (let j = 0; j < n; j++) {
      const e = idx[j] as number;
      b.append(e < 0 ? null : getValue(c, type, e));
    }
    return b.finish();
  }
  const safe = new Int32Array(n);
  for (let j = 0; j < n; j++) safe[j] = Math.max(0, idx[j] as number);
  const taken = takeColumn(c, type, safe, n);
  const validity = taken.validity ?? allValid(n);
  for (let j = 0; j < n; j++) if ((idx[j] as number) < 0) setValid(validity, j, false);
  return { ...taken, validity } as Column;
}

/** `c` with NULL where the parent struct element at `idx` is NULL. */
function andValidity(c: Column, structValidity: Uint8Array, idx: Int32Array, n: number): Column {
  const validity = c.validity === null ? allValid(n) : c.validity.slice(0, validityBytes(n));
  for (let j = 0; j < n; j++) {
    const e = idx[j] as number;
    if (e >= 0 && !isValid(structValidity, e)) setValid(validity, j, false);
  }
  return { ...c, validity } as Column;
}
