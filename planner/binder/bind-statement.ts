// Binds statements: CREATE TABLE becomes a catalog entry (options checked by the connector's factory, computed
// columns and the watermark bound and typed); SELECT becomes a logical plan. Errors carry the source span.
import { Schema, Types, formatType, withNullability, type Field, type LogicalType } from '../../executor/index.js';
import { UnsupportedError, ValidationError, closest, type CreateTable, type Select, type Span } from '../../parser/index.js';
import { formatPath, type Catalog, type CatalogTable, type TableColumn } from '../catalog/catalog.js';
import { checkOptions, type FactoryRegistry } from '../catalog/factory.js';
import { Rex } from '../expr/rex.js';
import type { LogicalPlan } from '../logical/plan.js';
import { toLogicalType } from '../types.js';
import { ExprBinder } from './bind-expr.js';
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
    if (s.partitionedBy.length > 0) throw new UnsupportedError('PARTITIONED BY', this.source, s.span);
    const metadata = s.columns.find((c) => c.kind === 'metadata');
    if (metadata !== undefined) throw new UnsupportedError('metadata columns', this.source, metadata.span);
    const seen = new Set<string>();
    for (const c of s.columns) {
      if (seen.has(c.name.value)) this.fail(`duplicate column name '${c.name.value}'`, c.name.span);
      seen.add(c.name.value);
    }
    // Physical columns first (what the connector produces), then computed columns bound over them.
    const physical = s.columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name.value, type: toLogicalType(c.type, this.source), comment: c.comment }] : []));
    const physicalScope = new Scope(physical.map((c, i) => ({ name: c.name, qualifier: null, type: c.type, index: i })));
    const columns: TableColumn[] = [];
    let physicalIndex = 0;
    for (const c of s.columns) {
      if (c.kind === 'physical') {
        const p = physical[physicalIndex++] as (typeof physical)[number];
        columns.push({ kind: 'physical', name: p.name, type: p.type, comment: p.comment });
      } else if (c.kind === 'computed') {
        const expr = new ExprBinder(physicalScope, this.source).bind(c.expr);
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
      const expr = new ExprBinder(allScope, this.source).bind(w.expr);
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
    const connector = options['connector'];
    if (connector === undefined) this.fail(`table '${path.name}' has no 'connector' option (available: ${this.factories.identifiers().join(', ')})`, s.name.span);
    const factory = this.factories.get(connector);
    const optionSpan = (key: string | null): Span => s.options.find((o) => o.key === (key ?? 'connector'))?.span ?? s.span;
    if (factory === undefined) {
      const hint = closest(connector, this.factories.identifiers());
      this.fail(`could not find a connector named '${connector}' (available: ${this.factories.identifiers().join(', ')})`, optionSpan('connector'), hint ? `did you mean '${hint}'?` : undefined);
    }
    const problem = checkOptions(factory, options);
    if (problem !== null) this.fail(problem[1], optionSpan(problem[0]));
    const physicalSchema = new Schema(physical.map((p) => ({ name: p.name, type: p.type })));
    try {
      factory.validate?.(options, physicalSchema, s.primaryKey?.columns.map((k) => k.value) ?? null);
    } catch (e) {
      const msg = (e as Error).message;
      const key = s.options.find((o) => msg.includes(`'${o.key}'`))?.key ?? null;
      this.fail(msg, optionSpan(key));
    }
    return { kind: 'table', path, columns, watermark, primaryKey: s.primaryKey?.columns.map((k) => k.value) ?? null, options, comment: s.comment, temporary: s.temporary };
  }

  /** The plan that reads a table: scan of physical columns, computed columns, then the watermark assigner. */
  scanTable(table: CatalogTable): LogicalPlan {
    const physical = table.columns.filter((c) => c.kind === 'physical');
    let plan: LogicalPlan = { kind: 'scan', table, schema: new Schema(physical.map((c) => ({ name: c.name, type: c.type }))) };
    const rowtime = table.watermark?.column ?? -1;
    const fields: Field[] = table.columns.map((c, i) => ({
      name: c.name,
      type: i === rowtime ? rowtimeType(c.type) : c.type,
    }));
    if (table.columns.some((c) => c.kind === 'computed') || rowtime >= 0) {
      let p = 0;
      const exprs = table.columns.map((c) => (c.kind === 'physical' ? Rex.input(p++, c.type) : c.expr));
      plan = { kind: 'project', input: plan, exprs, schema: new Schema(fields) };
    }
    if (table.watermark !== null) {
      plan = { kind: 'watermarkAssigner', input: plan, rowtime, expr: table.watermark.expr, schema: plan.schema };
    }
    return plan;
  }

  select(s: Select): LogicalPlan {
    if (s.distinct) throw new UnsupportedError('SELECT DISTINCT', this.source, s.span);
    if (s.from === null) throw new UnsupportedError('SELECT without FROM', this.source, s.span);
    const ref = s.from;
    if (ref.kind !== 'table') throw new UnsupportedError(ref.kind === 'join' ? 'joins' : `FROM ${ref.kind}`, this.source, ref.span);
    if (ref.forSystemTime !== null) throw new UnsupportedError('FOR SYSTEM_TIME AS OF', this.source, ref.forSystemTime.span);
    if (ref.hints.length > 0) throw new UnsupportedError('table hints', this.source, ref.span);
    if (ref.columnAliases.length > 0) throw new UnsupportedError('column aliases on a table', this.source, ref.span);
    if (s.groupBy.length > 0) throw new UnsupportedError('GROUP BY', this.source, s.span);
    if (s.having !== null) throw new UnsupportedError('HAVING', this.source, s.having.span);
    if (s.windows.length > 0) throw new UnsupportedError('WINDOW clause', this.source, s.span);
    if (s.hints.length > 0) throw new UnsupportedError('query hints', this.source, s.span);
    const path = this.catalog.qualify(ref.name.parts.map((p) => p.value));
    const table = this.catalog.getTable(path);
    if (table === undefined) {
      const hint = closest(path.name, this.catalog.listTables());
      this.fail(`Object '${path.name}' not found within '${path.catalog}.${path.database}'`, ref.name.span, hint ? `did you mean '${hint}'?` : undefined);
    }
    let plan = this.scanTable(table);
    const qualifier = ref.alias?.value ?? path.name;
    const scope = new Scope(plan.schema.fields.map((f, i) => ({ name: f.name, qualifier, type: f.type, index: i })));
    const binder = new ExprBinder(scope, this.source);
    if (s.where !== null) {
      const cond = binder.bind(s.where);
      if (cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') {
        this.fail(`WHERE clause must be a BOOLEAN expression, but is ${formatType(cond.type)}`, s.where.span);
      }
      plan = { kind: 'filter', input: plan, condition: cond, schema: plan.schema };
    }
    const exprs: Rex[] = [];
    const names: string[] = [];
    s.items.forEach((item) => {
      if (item.kind === 'star') {
        const q = item.qualifier?.parts.map((p) => p.value).join('.') ?? null;
        if (q !== null && !scope.hasQualifier(q)) this.fail(`Table '${q}' not found`, item.span);
        for (const c of scope.columns) {
          if (q === null || c.qualifier === q) {
            exprs.push(Rex.input(c.index, c.type));
            names.push(c.name);
          }
        }
        return;
      }
      const r = binder.bind(item.expr);
      exprs.push(r.type.kind === 'NULL' ? Rex.literal(null, Types.NULL()) : r);
      if (item.alias !== null) names.push(item.alias.value);
      else if (item.expr.kind === 'ident') names.push(item.expr.name.parts[item.expr.name.parts.length - 1]?.value ?? `EXPR$${names.length}`);
      else names.push(`EXPR$${names.length}`);
    });
    const unique = uniqueNames(names);
    const fields = exprs.map((e, i) => ({ name: unique[i] as string, type: e.type.kind === 'NULL' ? withNullability(Types.NULL(), true) : e.type }));
    return { kind: 'project', input: plan, exprs, schema: new Schema(fields) };
  }

  describePath(t: CatalogTable): string {
    return formatPath(t.path);
  }
}

function rowtimeType(t: LogicalType): LogicalType {
  return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' ? { ...t, timeAttribute: 'rowtime' } : t;
}

/** Flink's SqlValidatorUtil.uniquify: a repeated name gets a numeric suffix (`a`, `a0`, `a1`, ...). */
function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 0; used.has(name); k++) name = `${n}${k}`;
    used.add(name);
    return name;
  });
}
