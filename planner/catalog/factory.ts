// The connector factory interface of the catalog: a factory is found by the table's `connector` option,
// validates the options at CREATE TABLE time, and builds the runtime's source readers and sink writers.
// Connectors register themselves in a registry; the planner never imports a connector directly.
import { Schema, makeBatch, takeColumn, type Column, type LogicalType, type LookupReader, type RecordBatch, type SinkWriter, type Source, type SourceReader } from '../../executor/index.js';

export interface OptionSpec {
  readonly key: string;
  readonly required?: boolean;
  readonly description: string;
  /** Allowed values, for validation and REPL completion. */
  readonly values?: readonly string[];
}

export interface SourceContext {
  /** The table's physical columns, in declaration order: what the source must produce. */
  readonly physicalSchema: Schema;
  readonly options: Readonly<Record<string, string>>;
  readonly tableName: string;
  /** The PRIMARY KEY columns, or null: upsert connectors key their changelog by it. */
  readonly primaryKey?: readonly string[] | null;
  /**
   * Metadata columns (`c TYPE METADATA [FROM 'key']`) the source appends after the physical columns, in this order
   * (Flink's SupportsReadingMetadata). Only keys listed in the factory's `readableMetadata` are passed.
   */
  readonly metadata?: readonly MetadataColumnSpec[];
  /**
   * Projection push-down (Flink's SupportsProjectionPushDown#applyProjection): the physical columns to produce, as
   * positions in `physicalSchema`, in this order; absent = all. Only passed when the factory declares
   * `supportsProjectionPushDown`. Metadata columns still follow.
   */
  readonly projection?: readonly number[];
  /**
   * Filter push-down (SupportsFilterPushDown#applyFilters): predicates over `physicalSchema` positions the factory
   * accepted (`acceptsFilter`); the source must drop every row for which one is not TRUE. Only accepted ones come.
   */
  readonly filters?: readonly SourcePredicate[];
  /** PARTITIONED BY columns (physical), for connectors that declare supportsPartitioning. */
  readonly partitionKeys?: readonly string[];
}

/**
 * A predicate a source can evaluate while reading: a column compared with a non-NULL literal, or a NULL test.
 * Flink hands sources resolved expressions; Freshet hands this closed form so a connector needs no planner code.
 * SQL semantics: a comparison with a NULL column is not TRUE, so the row is dropped.
 */
export type SourcePredicate =
  | {
      readonly kind: 'compare';
      readonly column: number;
      readonly op: '=' | '<>' | '<' | '<=' | '>' | '>=';
      readonly value: number | bigint | string | boolean;
    }
  | { readonly kind: 'isNull' | 'isNotNull'; readonly column: number };

/** `>(price, 10)` in Flink's EXPLAIN style, for `filter=[...]` on a scan. */
export function describeSourcePredicate(p: SourcePredicate, schema: Schema): string {
  const col = schema.field(p.column).name;
  if (p.kind !== 'compare') return `${p.kind === 'isNull' ? 'IS NULL' : 'IS NOT NULL'}(${col})`;
  const v = typeof p.value === 'string' ? `_UTF-16LE'${p.value}'` : String(p.value);
  return `${p.op}(${col}, ${v})`;
}

export interface MetadataColumnSpec {
  readonly name: string;
  /** The metadata key: `FROM 'key'`, or the column name when there is no FROM. */
  readonly key: string;
  readonly type: LogicalType;
}

export interface SinkContext {
  readonly schema: Schema;
  readonly options: Readonly<Record<string, string>>;
  readonly tableName: string;
  /** The PRIMARY KEY columns, or null: upsert connectors key their changelog by it. */
  readonly primaryKey?: readonly string[] | null;
  /** PARTITIONED BY columns: a partitioning sink writes each row under its `k=v/` directory. */
  readonly partitionKeys?: readonly string[];
}

export type ChangelogKind = 'insert-only' | 'upsert' | 'all';

export interface DynamicTableFactory {
  /** The value of the `connector` option, e.g. `filesystem`. */
  readonly identifier: string;
  readonly options: readonly OptionSpec[];
  /** Metadata keys a source can append as columns, with their SQL type (e.g. `offset` → `BIGINT NOT NULL`). */
  readonly readableMetadata?: Readonly<Record<string, string>>;
  /** Option keys matching these prefixes are passed through unchecked (e.g. `properties.`, `fields.`). */
  readonly optionPrefixes?: readonly string[];
  /** Extra checks beyond known/required keys; throw Error with a message naming the option. */
  validate?(options: Readonly<Record<string, string>>, physicalSchema: Schema, primaryKey: readonly string[] | null): void;
  /**
   * The row kinds the source produces for these options (Flink's ScanTableSource#getChangelogMode): 'insert-only'
   * when absent; 'upsert' (+I, +U, -D by primary key) for upsert topics; 'all' for changelog formats.
   */
  sourceChangelogMode?(options: Readonly<Record<string, string>>): ChangelogKind;
  /** The row kinds the sink can write (DynamicTableSink#getChangelogMode); 'insert-only' when absent. */
  sinkChangelogMode?(options: Readonly<Record<string, string>>): ChangelogKind;
  /** SupportsProjectionPushDown: the source reads/decodes only `SourceContext.projection` (absent = false). */
  supportsProjectionPushDown?(options: Readonly<Record<string, string>>): boolean;
  /**
   * SupportsFilterPushDown: whether the source evaluates this predicate itself (absent = none). Accepted ones reach
   * the source in `SourceContext.filters` and leave the plan's Calc; the rest stay there.
   */
  acceptsFilter?(options: Readonly<Record<string, string>>, predicate: SourcePredicate, physicalSchema: Schema): boolean;
  createSource?(ctx: SourceContext): SourceReader;
  /**
   * A FLIP-27 source (splits spread over parallel readers): when present the planner uses it instead of
   * createSource and runs the scan at parallelism.default.
   */
  createScanSource?(ctx: SourceContext): Source;
  /**
   * The scan's parallelism when the table sets no 'scan.parallelism' (absent: parallelism.default). Nexmark keeps 1:
   * its split readers interleave one event sequence, which changes the order rows reach an updating operator in.
   */
  defaultScanParallelism?(options: Readonly<Record<string, string>>): number;
  /** SupportsWatermarkPushDown: the table's WATERMARK runs inside the source, per split (Source#withWatermarks). */
  supportsWatermarkPushDown?(options: Readonly<Record<string, string>>): boolean;
  /** SupportsPartitioning: the table may be PARTITIONED BY columns (files in `k=v/` directories). */
  readonly supportsPartitioning?: boolean;
  createSink?(ctx: SinkContext): SinkWriter;
  /**
   * Flink's LookupTableSource: the table can be the right side of a lookup join (`JOIN t FOR SYSTEM_TIME AS OF
   * o.proc_time`). The reader's rows have the physical columns; the join puts the configured cache in front.
   */
  createLookup?(ctx: SourceContext): LookupReader;
  /** The cache a lookup join uses when the table sets no 'lookup.cache' option (Flink's JDBC default is NONE). */
  readonly defaultLookupCache?: 'NONE' | 'PARTIAL' | 'FULL';
}

export class FactoryRegistry {
  private readonly factories = new Map<string, DynamicTableFactory>();

  register(f: DynamicTableFactory): void {
    this.factories.set(f.identifier, f);
  }

  get(identifier: string): DynamicTableFactory | undefined {
    return this.factories.get(identifier);
  }

  identifiers(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** The process-wide registry built-in connectors add themselves to (like Java's service loader). */
export const defaultFactories = new FactoryRegistry();

/** Checks options against a factory's spec; returns the first problem as [key or null, message]. */
export function checkOptions(f: DynamicTableFactory, options: Readonly<Record<string, string>>): [string | null, string] | null {
  const known = new Map(f.options.map((o) => [o.key, o]));
  for (const [key, value] of Object.entries(options)) {
    if (key === 'connector') continue;
    const spec = known.get(key);
    if (spec === undefined) {
      if ((f.optionPrefixes ?? []).some((p) => key.startsWith(p))) continue;
      const names = [...known.keys()].sort().join(', ');
      return [key, `unsupported option '${key}' for connector '${f.identifier}' (supported: ${names})`];
    }
    if (spec.values !== undefined && !spec.values.includes(value)) {
      return [key, `invalid value '${value}' for option '${key}' (expected one of: ${spec.values.join(', ')})`];
    }
  }
  for (const o of f.options) {
    if (o.required === true && options[o.key] === undefined) {
      return [null, `missing required option '${o.key}' for connector '${f.identifier}'`];
    }
  }
  return null;
}

/**
 * Whether `p` is one the shared evaluator below runs exactly: integer, floating, boolean and VARCHAR columns
 * (DECIMAL, CHAR padding and time types are left to the Calc), BIGINT literals within 2^53.
 */
export function evaluablePredicate(p: SourcePredicate, schema: Schema): boolean {
  const t = schema.field(p.column).type;
  if (p.kind !== 'compare') return true;
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE':
      return typeof p.value === 'number';
    case 'BIGINT':
      return (typeof p.value === 'bigint' || typeof p.value === 'number') && Math.abs(Number(p.value)) <= Number.MAX_SAFE_INTEGER;
    case 'VARCHAR':
      return typeof p.value === 'string';
    case 'BOOLEAN':
      return typeof p.value === 'boolean' && (p.op === '=' || p.op === '<>');
    default:
      return false;
  }
}

/**
 * What a source reads under pushed-down projection and filters: the physical columns to decode (`read`, the
 * projected ones plus those only the filters need, ascending), and `finish`, which drops the rows a filter
 * rejects and keeps the projected columns in order. Sources decode into `readSchema` and call `finish` per batch.
 */
export class SourcePushDown {
  readonly read: readonly number[];
  readonly readSchema: Schema;
  /** The physical columns the source produces (before any metadata columns). */
  readonly outputSchema: Schema;
  private readonly outAt: readonly number[];
  private readonly preds: readonly { p: SourcePredicate; at: number }[];
  private sel = new Int32Array(0);

  constructor(physicalSchema: Schema, projection: readonly number[] | undefined, filters: readonly SourcePredicate[] | undefined) {
    const proj = projection ?? physicalSchema.fields.map((_f, i) => i);
    const fs = filters ?? [];
    this.read = [...new Set([...proj, ...fs.map((f) => f.column)])].sort((a, b) => a - b);
    this.readSchema = new Schema(this.read.map((i) => physicalSchema.field(i)));
    this.outputSchema = new Schema(proj.map((i) => physicalSchema.field(i)));
    this.outAt = proj.map((i) => this.read.indexOf(i));
    this.preds = fs.map((p) => ({ p, at: this.read.indexOf(p.column) }));
  }

  /** True when `finish` is the identity (nothing projected away, no filter). */
  get trivial(): boolean {
    return this.preds.length === 0 && this.outAt.length === this.read.length && this.outAt.every((a, i) => a === i);
  }

  /** The batch (over `readSchema`) filtered and projected to `outputSchema`; typed loops, one selection vector. */
  finish(batch: RecordBatch): RecordBatch {
    if (this.trivial) return batch;
    const n = batch.length;
    let m = n;
    if (this.preds.length > 0) {
      if (this.sel.length < n) this.sel = new Int32Array(Math.max(n, 1024));
      const sel = this.sel;
      for (let r = 0; r < n; r++) sel[r] = r;
      for (const { p, at } of this.preds) m = filterColumn(batch.columns[at] as Column, p, sel, m);
    }
    const cols = this.outAt.map((at) => {
      const c = batch.columns[at] as Column;
      return m === n ? c : takeColumn(c, this.readSchema.field(at).type, this.sel, m);
    });
    return makeBatch(this.outputSchema, cols, m);
  }
}

/** Keeps in `sel[0..m)` the rows where `p` is TRUE; returns the new count. */
function filterColumn(c: Column, p: SourcePredicate, sel: Int32Array, m: number): number {
  const v = c.validity;
  const valid = (r: number): boolean => v === null || ((v[r >> 3] as number) & (1 << (r & 7))) !== 0;
  let k = 0;
  if (p.kind !== 'compare') {
    const want = p.kind === 'isNotNull';
    for (let j = 0; j < m; j++) {
      const r = sel[j] as number;
      if (valid(r) === want) sel[k++] = r;
    }
    return k;
  }
  const cmp = compareOp(p.op);
  switch (c.kind) {
    case 'i8':
    case 'i16':
    case 'i32':
    case 'f32':
    case 'f64':
    case 'bool': {
      const lit = typeof p.value === 'boolean' ? (p.value ? 1 : 0) : Number(p.value);
      const vals = c.values;
      for (let j = 0; j < m; j++) {
        const r = sel[j] as number;
        if (valid(r) && cmp(vals[r] as number, lit)) sel[k++] = r;
      }
      return k;
    }
    case 'i64': {
      const lit = BigInt(p.value as number | bigint);
      for (let j = 0; j < m; j++) {
        const r = sel[j] as number;
        if (valid(r) && cmp(c.values[r] as bigint, lit)) sel[k++] = r;
      }
      return k;
    }
    case 'str': {
      const lit = p.value as string;
      for (let j = 0; j < m; j++) {
        const r = sel[j] as number;
        if (valid(r) && cmp(c.values[r] as string, lit)) sel[k++] = r;
      }
      return k;
    }
    default:
      throw new Error(`a pushed-down filter cannot evaluate a ${c.kind} column`);
  }
}

function compareOp(op: '=' | '<>' | '<' | '<=' | '>' | '>='): <T extends number | bigint | string>(a: T, b: T) => boolean {
  switch (op) {
    case '=':
      return (a, b) => a === b;
    case '<>':
      return (a, b) => a !== b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
  }
}
