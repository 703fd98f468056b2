// Binds statements: CREATE TABLE becomes a catalog entry (options checked by the connector's factory, computed
// columns and the watermark bound and typed); SELECT becomes a logical plan. Errors carry the source span.
import { Schema, Types, formatType, isCharacterString, isNumeric, withNullability, withoutTimeAttribute, type LogicalType } from '../../executor/index.js';
import {
  UnsupportedError,
  ValidationError,
  closest,
  type CreateTable,
  type CreateView,
  type Ident,
  type Insert,
  type Query,
  type Span,
  type TableOption,
} from '../../parser/index.js';
import { formatPath, type Catalog, type CatalogTable, type CatalogView, type ObjectPath, type TableColumn } from '../catalog/catalog.js';
import { checkOptions, type FactoryRegistry } from '../catalog/factory.js';
import { functionsOf } from '../expr/functions.js';
import { Rex } from '../expr/rex.js';
import type { LogicalPlan } from '../logical/plan.js';
import { toLogicalType } from '../types.js';
import { ExprBinder } from './bind-expr.js';
import { QueryBinder, coerceTo } from './bind-query.js';
import { Scope } from './scope.js';

export class StatementBinder {
  constructor(
    private readonly catalog: Catalog,
    private readonly factories: FactoryRegistry,
    private readonly source: string,
  ) {}

  private fail(message: string, span: Span, hint?: string): never {
    throw new ValidationError(message, this.source, span, hint);
  }

  createTable(s: CreateTable): CatalogTable {
    const path = this.catalog.qualify(s.name.parts.map((p) => p.value));
    if (s.like !== null) throw new UnsupportedError('CREATE TABLE ... LIKE', this.source, s.like.span);
    const seen = new Set<string>();
    for (const c of s.columns) {
      if (seen.has(c.name.value)) this.fail(`duplicate column name '${c.name.value}'`, c.name.span);
      seen.add(c.name.value);
    }
    // The scan produces the physical columns, then the metadata columns (Flink's order); computed columns are
    // bound over both.
    const physical = s.columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name.value, type: toLogicalType(c.type, this.source), comment: c.comment }] : []));
    const metadata = s.columns.flatMap((c) => (c.kind === 'metadata' ? [{ name: c.name.value, type: toLogicalType(c.type, this.source), key: c.key ?? c.name.value, virtual: c.virtual, comment: c.comment, span: c.span }] : []));
    const physicalScope = new Scope([...physical, ...metadata].map((c, i) => ({ name: c.name, qualifier: null, type: c.type, index: i })));
    const columns: TableColumn[] = [];
    let physicalIndex = 0;
    let metadataIndex = 0;
    for (const c of s.columns) {
      if (c.kind === 'physical') {
        const p = physical[physicalIndex++] as (typeof physical)[number];
        columns.push({ kind: 'physical', name: p.name, type: p.type, comment: p.comment });
      } else if (c.kind === 'metadata') {
        const m = metadata[metadataIndex++] as (typeof metadata)[number];
        columns.push({ kind: 'metadata', name: m.name, type: m.type, key: m.key, virtual: m.virtual, comment: m.comment });
      } else if (c.kind === 'computed') {
        const expr = this.exprBinder(physicalScope).bind(c.expr);
        const type = expr.type.kind === 'NULL' ? Types.STRING() : expr.type;
        columns.push({ kind: 'computed', name: c.name.value, type, expr, sql: this.source.slice(c.expr.span.start, c.expr.span.end), comment: c.comment });
      }
    }
    let watermark: CatalogTable['watermark'] = null;
    if (s.watermark !== null) {
      const w = s.watermark;
      const idx = columns.findIndex((c) => c.name === w.column.value);
      if (idx < 0) {
        const hint = closest(w.column.value, columns.map((c) => c.name));
        this.fail(`the rowtime attribute '${w.column.value}' is not a column of the table`, w.column.span, hint ? `did you mean '${hint}'?` : undefined);
      }
      const rt = (columns[idx] as TableColumn).type;
      if (rt.kind !== 'TIMESTAMP' && rt.kind !== 'TIMESTAMP_LTZ') {
        this.fail(`the rowtime attribute '${w.column.value}' must be of type TIMESTAMP or TIMESTAMP_LTZ, but is ${formatType(rt)}`, w.column.span);
      }
      const allScope = new Scope(columns.map((c, i) => ({ name: c.name, qualifier: null, type: c.type, index: i })));
      const expr = this.exprBinder(allScope).bind(w.expr);
      if (expr.type.kind !== 'TIMESTAMP' && expr.type.kind !== 'TIMESTAMP_LTZ') {
        this.fail(`the watermark expression must return TIMESTAMP or TIMESTAMP_LTZ, but returns ${formatType(expr.type)}`, w.expr.span);
      }
      watermark = { column: idx, expr, sql: this.source.slice(w.expr.span.start, w.expr.span.end) };
    }
    if (s.primaryKey !== null) {
      for (const k of s.primaryKey.columns) {
        if (!columns.some((c) => c.name === k.value)) this.fail(`primary key column '${k.value}' is not a column of the table`, k.span);
      }
    }
    const options: Record<string, string> = {};
    for (const o of s.options) options[o.key] = o.value;
    const physicalSchema = new Schema(physical.map((p) => ({ name: p.name, type: p.type })));
    this.validateOptions(path.name, options, physicalSchema, s.primaryKey?.columns.map((k) => k.value) ?? null, s.options, s.name.span, s.span);
    // PARTITIONED BY: only connectors that lay rows out by partition accept it (Flink's SupportsPartitioning).
    if (s.partitionedBy.length > 0) {
      if (this.factories.get(options['connector'] ?? '')?.supportsPartitioning !== true) throw new UnsupportedError(`PARTITIONED BY for connector '${options['connector'] ?? ''}'`, this.source, s.span);
      for (const k of s.partitionedBy) {
        if (!physical.some((p) => p.name === k.value)) this.fail(`partition key '${k.value}' is not a physical column of the table`, k.span);
      }
    }
    const readable = this.factories.get(options['connector'] ?? '')?.readableMetadata ?? {};
    for (const m of metadata) {
      if (!Object.hasOwn(readable, m.key)) {
        const keys = Object.keys(readable);
        this.fail(`connector '${options['connector']}' offers no metadata key '${m.key}' (${keys.length > 0 ? `available: ${keys.join(', ')}` : 'it offers no metadata'})`, m.span);
      }
    }
    const partitionKeys = s.partitionedBy.map((k) => k.value);
    return { kind: 'table', path, columns, watermark, primaryKey: s.primaryKey?.columns.map((k) => k.value) ?? null, options, comment: s.comment, temporary: s.temporary, ...(partitionKeys.length > 0 ? { partitionKeys } : {}) };
  }

  /** Checks a table's options with its connector's factory; errors point at the offending option. */
  private validateOptions(
    tableName: string,
    options: Readonly<Record<string, string>>,
    physicalSchema: Schema,
    primaryKey: readonly string[] | null,
    written: readonly TableOption[],
    nameSpan: Span,
    span: Span,
  ): void {
    const connector = options['connector'];
    if (connector === undefined) this.fail(`table '${tableName}' has no 'connector' option (available: ${this.factories.identifiers().join(', ')})`, nameSpan);
    const factory = this.factories.get(connector);
    const optionSpan = (key: string | null): Span => written.find((o) => o.key === (key ?? 'connector'))?.span ?? span;
    if (factory === undefined) {
      const hint = closest(connector, this.factories.identifiers());
      this.fail(`could not find a connector named '${connector}' (available: ${this.factories.identifiers().join(', ')})`, optionSpan('connector'), hint ? `did you mean '${hint}'?` : undefined);
    }
    const problem = checkOptions(factory, options);
    if (problem !== null) this.fail(problem[1], optionSpan(problem[0]));
    try {
      factory.validate?.(options, physicalSchema, primaryKey);
    } catch (e) {
      const msg = (e as Error).message;
      const key = written.find((o) => msg.includes(`'${o.key}'`))?.key ?? null;
      this.fail(msg, optionSpan(key));
    }
  }

  /** Re-checks a table's options after ALTER TABLE ... SET/RESET. */
  checkConnectorOptions(options: Readonly<Record<string, string>>, table: CatalogTable, span: Span): void {
    const physical = new Schema(table.columns.filter((c) => c.kind === 'physical').map((c) => ({ name: c.name, type: c.type })));
    this.validateOptions(table.path.name, options, physical, table.primaryKey, [], span, span);
  }

  /** The table CREATE TABLE ... AS SELECT creates: the query's columns, the given options. */
  tableFromSchema(path: ObjectPath, schema: Schema, written: readonly TableOption[], comment: string | null, temporary: boolean, span: Span): CatalogTable {
    const options: Record<string, string> = {};
    for (const o of written) options[o.key] = o.value;
    const fields = schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) }));
    this.validateOptions(path.name, options, new Schema(fields), null, written, span, span);
    return {
      kind: 'table',
      path,
      columns: fields.map((f) => ({ kind: 'physical', name: f.name, type: f.type, comment: null })),
      watermark: null,
      primaryKey: null,
      options,
      comment,
      temporary,
    };
  }

  /** An ExprBinder over a scope, with the session's functions. */
  private exprBinder(scope: Scope): ExprBinder {
    return new ExprBinder(scope, this.source, functionsOf(this.catalog));
  }

  /** The plan of a query (SELECT, VALUES, set operations, WITH, ORDER BY/LIMIT). */
  query(q: Query): LogicalPlan {
    return new QueryBinder(this.catalog, this.factories, this.source).query(q);
  }

  /**
   * INSERT INTO: the query's columns are matched to the sink's physical columns by position (or by the column
   * list), converted where Flink converts implicitly; a column left out of the list is written as NULL.
   */
  insert(s: Insert): LogicalPlan {
    if (s.overwrite) throw new UnsupportedError('INSERT OVERWRITE', this.source, s.span);
    if (s.partition.length > 0) throw new UnsupportedError('INSERT with a static PARTITION', this.source, s.span);
    if (s.hints.length > 0) throw new UnsupportedError('table hints', this.source, s.span);
    const path = this.catalog.qualify(s.target.parts.map((p) => p.value));
    const obj = this.catalog.get(path);
    if (obj === undefined) {
      const hint = closest(path.name, this.catalog.listTables('table'));
      this.fail(`Object '${path.name}' not found within '${path.catalog}.${path.database}'`, s.target.span, hint ? `did you mean '${hint}'?` : undefined);
    }
    if (obj.kind !== 'table') this.fail(`cannot INSERT INTO the view '${path.name}'`, s.target.span);
    const factory = this.factories.get(obj.options['connector'] ?? '');
    if (factory?.createSink === undefined) this.fail(`connector '${obj.options['connector'] ?? ''}' of table '${path.name}' cannot be written to (it has no sink)`, s.target.span);
    const sinkCols = obj.columns.filter((c) => c.kind === 'physical');
    const query = this.query(s.query);
    // Target positions of the query's columns.
    let targets: number[];
    if (s.columns.length > 0) {
      targets = s.columns.map((c) => {
        const i = sinkCols.findIndex((sc) => sc.name === c.value);
        if (i < 0) this.fail(`Unknown target column '${c.value}' of table '${path.name}'`, c.span);
        return i;
      });
    } else targets = sinkCols.map((_c, i) => i);
    const sinkSchema = new Schema(sinkCols.map((c) => ({ name: c.name, type: c.type })));
    if (query.schema.size !== targets.length) {
      this.fail(
        `Column types of query result and sink for '${formatPath(path)}' do not match.\nCause: different number of columns.\n\nQuery schema: ${schemaText(query.schema)}\nSink schema:  ${schemaText(sinkSchema)}`,
        s.query.span,
      );
    }
    const exprs = sinkCols.map((c, i) => {
      const from = targets.indexOf(i);
      if (from < 0) {
        if (!c.type.nullable) this.fail(`column '${c.name}' of table '${path.name}' is NOT NULL and has no value in the INSERT`, s.target.span);
        return Rex.literal(null, c.type);
      }
      const q = query.schema.field(from);
      if (!insertCompatible(q.type, c.type)) {
        this.fail(
          `Column types of query result and sink for '${formatPath(path)}' do not match.\nCause: Incompatible types for sink column '${c.name}' at position ${i}.\n\nQuery schema: ${schemaText(query.schema)}\nSink schema:  ${schemaText(sinkSchema)}`,
          s.query.span,
        );
      }
      return coerceTo(Rex.input(from, q.type), c.type);
    });
    const projected: LogicalPlan = { kind: 'project', input: query, exprs, schema: sinkSchema };
    return { kind: 'sink', input: projected, table: obj, schema: sinkSchema };
  }

  /** CREATE VIEW: the query is validated now and stored with its text; planning happens where it is used. */
  createView(s: CreateView): CatalogView {
    const path = this.catalog.qualify(s.name.parts.map((p) => p.value));
    const plan = this.query(s.query);
    let schema = plan.schema;
    if (s.columns.length > 0) {
      if (s.columns.length !== schema.size) this.fail(`the view has ${s.columns.length} column names but its query has ${schema.size} columns`, s.name.span);
      schema = new Schema(schema.fields.map((f, i) => ({ name: (s.columns[i] as Ident).value, type: f.type })));
    }
    return {
      kind: 'view',
      path,
      query: s.query,
      source: this.source,
      sql: this.source.slice(s.query.span.start, s.query.span.end),
      columnNames: s.columns.map((c) => c.value),
      schema,
      comment: s.comment,
      temporary: s.temporary,
    };
  }

}



function schemaText(s: Schema): string {
  return `[${s.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')}]`;
}


/**
 * Whether INSERT converts a query column of type `from` into a sink column of type `to` implicitly: numeric to
 * numeric, character string to character string, timestamps to timestamps, NULL to anything, same kinds.
 */
function insertCompatible(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  if (isNumeric(from) && isNumeric(to)) return numericRank(from) <= numericRank(to);
  if (isCharacterString(from) && isCharacterString(to)) return true;
  const ts = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
  if (ts(from) && ts(to)) return true;
  if (from.kind !== to.kind) return false;
  return formatType(withNullability(withoutTimeAttribute(from), true)) === formatType(withNullability(withoutTimeAttribute(to), true)) || from.kind === 'BINARY' || from.kind === 'VARBINARY';
}

/** Flink's implicit numeric widening order; DECIMAL converts to any DECIMAL. */
function numericRank(t: LogicalType): number {
  return { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4, DECIMAL: 5, FLOAT: 6, DOUBLE: 7 }[t.kind as string] ?? 99;
}
