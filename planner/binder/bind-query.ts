// Binds queries to logical plans: SELECT (WHERE, GROUP BY with aggregates and HAVING, DISTINCT, OVER windows),
// VALUES, UNION [ALL], WITH, ORDER BY/LIMIT, and FROM items (tables, views, common table expressions, subqueries,
// joins, window table functions). Aggregation follows Calcite: group keys, aggregate arguments and FILTER
// conditions are projected into columns below the aggregate, and the SELECT list and HAVING are bound above it,
// each aggregate call and GROUP BY expression standing for the aggregate's output column.
import {
  Schema,
  Types,
  formatType,
  withNullability,
  withoutTimeAttribute,
  type Field,
  type LogicalType,
} from '../../executor/index.js';
import {
  UnsupportedError,
  ValidationError,
  closest,
  type Expr,
  type FromItem,
  type Ident,
  type OrderItem,
  type Query,
  type Select,
  type SetOperation,
  type Span,
  type Values,
  type WindowSpec as WindowSpecAst,
} from '../../parser/index.js';
import { formatPath, type Catalog, type CatalogTable, type CatalogView } from '../catalog/catalog.js';
import type { FactoryRegistry } from '../catalog/factory.js';
import { AGGREGATE_FUNCTIONS, aggregateResultType } from '../expr/aggregates.js';
import { functionsOf, type UserTableFunction } from '../expr/functions.js';
import { Rex } from '../expr/rex.js';
import { rexKey } from '../expr/rex-util.js';
import { commonType } from '../expr/typing.js';
import type {
  AggregateCall,
  JoinKind,
  LogicalPlan,
  OverCall,
  OverFrame,
  RankType,
  SortKey,
  WindowSpec,
} from '../logical/plan.js';
import { windowProperties } from '../logical/window-properties.js';
import { findAggregates, findOver, findScalarSubqueries, type AggregateUse } from './ast-walk.js';
import { ExprBinder } from './bind-expr.js';
import { bindCorrelate, isCorrelateItem, singleRow, type CorrelateContext, type CorrelateItem } from './bind-correlate.js';
import { bindMatchRecognize } from './bind-match.js';
import { inlineNamedWindows } from './named-windows.js';
import { Scope } from './scope.js';

/** A WITH entry visible to the query body (and to later entries). */
interface Cte {
  readonly query: Query;
  readonly columns: readonly Ident[];
}

const RANKING: Readonly<Record<string, RankType>> = {
  ROW_NUMBER: 'ROW_NUMBER',
  RANK: 'RANK',
  DENSE_RANK: 'DENSE_RANK',
};

export class QueryBinder {
  constructor(
    private readonly catalog: Catalog,
    private readonly factories: FactoryRegistry,
    private readonly source: string,
    private readonly ctes: ReadonlyMap<string, Cte> = new Map(),
  ) {}

  private fail(message: string, span: Span, hint?: string): never {
    throw new ValidationError(message, this.source, span, hint);
  }

  private exprBinder(scope: Scope, substitute: ((e: Expr) => Rex | null) | null = null): ExprBinder {
    return new ExprBinder(scope, this.source, functionsOf(this.catalog), substitute);
  }

  private correlateContext(): CorrelateContext {
    return { source: this.source, functions: functionsOf(this.catalog), exprBinder: (scope) => this.exprBinder(scope) };
  }

  query(q: Query): LogicalPlan {
    switch (q.kind) {
      case 'select':
        return this.select(q);
      case 'values':
        return this.values(q);
      case 'setOp':
        return this.setOp(q);
      case 'with': {
        const ctes = new Map(this.ctes);
        for (const c of q.ctes) ctes.set(c.name.value, { query: c.query, columns: c.columns });
        return new QueryBinder(this.catalog, this.factories, this.source, ctes).query(q.body);
      }
      case 'ordered':
        return this.ordered(q);
    }
  }

  /** The plan that reads a table: scan of physical columns, computed columns, then the watermark assigner. */
  scanTable(table: CatalogTable): LogicalPlan {
    const scanned = [
      ...table.columns.filter((c) => c.kind === 'physical'),
      ...table.columns.filter((c) => c.kind === 'metadata'),
    ];
    let plan: LogicalPlan = {
      kind: 'scan',
      table,
      schema: new Schema(scanned.map((c) => ({ name: c.name, type: c.type }))),
    };
    const rowtime = table.watermark?.column ?? -1;
    const fields: Field[] = table.columns.map((c, i) => ({
      name: c.name,
      type: i === rowtime ? rowtimeType(c.type) : c.type,
    }));
    if (table.columns.some((c) => c.kind !== 'physical') || rowtime >= 0) {
      const exprs = table.columns.map((c) =>
        c.kind === 'computed' ? c.expr : Rex.input(scanned.indexOf(c), c.type),
      );
      plan = { kind: 'project', input: plan, exprs, schema: new Schema(fields) };
    }
    if (table.watermark !== null) {
      plan = {
        kind: 'watermarkAssigner',
        input: plan,
        rowtime,
        expr: table.watermark.expr,
        schema: plan.schema,
      };
    }
    return plan;
  }

  /** `VALUES (...), (...)`: constant rows; each column takes the common type of its values. */
  values(v: Values): LogicalPlan {
    const empty = new Scope([]);
    const width = v.rows[0]?.length ?? 0;
    const rows = v.rows.map((r) => {
      if (r.length !== width)
        this.fail(
          `VALUES rows must all have ${width} columns, but one has ${r.length}`,
          r[0]?.span ?? v.span,
        );
      return r.map((e) => this.exprBinder(empty).bind(e));
    });
    const fields: Field[] = [];
    for (let c = 0; c < width; c++) {
      const types = rows.map((r) => (r[c] as Rex).type);
      const common = commonType(types);
      if (common === null)
        this.fail(
          `VALUES column ${c + 1} has incompatible types: ${types.map(formatType).join(', ')}`,
          v.span,
        );
      fields.push({
        name: `EXPR$${c}`,
        type: common.kind === 'NULL' ? Types.STRING() : withoutTimeAttribute(common),
      });
    }
    const coerced = rows.map((r) => r.map((e, c) => coerceTo(e, (fields[c] as Field).type)));
    return { kind: 'values', rows: coerced, schema: new Schema(fields) };
  }

  // ---- FROM ------------------------------------------------------------------------------------------------

  /** The plan of a FROM item and the columns it makes visible, each with the qualifier it is reached by. */
  private from(item: FromItem): { plan: LogicalPlan; scope: Scope } {
    switch (item.kind) {
      case 'table': {
        if (item.forSystemTime !== null)
          throw new UnsupportedError(
            'FOR SYSTEM_TIME AS OF (temporal joins)',
            this.source,
            item.forSystemTime.span,
          );
        if (item.hints.length > 0) throw new UnsupportedError('table hints', this.source, item.span);
        const { plan, name } = this.namedRelation(item.name.parts, item.name.span);
        return scoped(this.renameColumns(plan, item.columnAliases, item.span), item.alias?.value ?? name);
      }
      case 'subquery': {
        // A leading LATERAL has nothing on its left to correlate with: it is an ordinary derived table.
        const plan = this.renameColumns(this.query(item.query), item.alias?.columns ?? [], item.span);
        return scoped(plan, item.alias?.name.value ?? null);
      }
      case 'join':
        return this.join(item);
      case 'tableFunction': {
        if (isCorrelateItem(item, functionsOf(this.catalog)))
          return bindCorrelate(this.correlateContext(), singleRow(), item as CorrelateItem, 'INNER', null, item.span);
        const plan = this.windowTvf(item.call, item.span);
        const renamed = this.renameColumns(plan, item.alias?.columns ?? [], item.span);
        return scoped(renamed, item.alias?.name.value ?? null);
      }
      case 'unnest':
        return bindCorrelate(this.correlateContext(), singleRow(), item, 'INNER', null, item.span);
      case 'matchRecognize':
        return bindMatchRecognize({ source: this.source, functions: functionsOf(this.catalog), from: (i) => this.from(i) }, item);
    }
  }

  /** A table, view or WITH entry by name. */
  private namedRelation(parts: readonly Ident[], span: Span): { plan: LogicalPlan; name: string } {
    const cte = parts.length === 1 ? this.ctes.get((parts[0] as Ident).value) : undefined;
    if (cte !== undefined) {
      // A WITH entry is planned where it is used, like a view; it sees the entries before it.
      const plan = this.renameColumns(this.query(cte.query), cte.columns, span);
      return { plan, name: (parts[0] as Ident).value };
    }
    const path = this.catalog.qualify(parts.map((p) => p.value));
    const obj = this.catalog.get(path);
    if (obj === undefined) {
      const hint = closest(path.name, [...this.catalog.listTables(), ...this.ctes.keys()]);
      this.fail(
        `Object '${path.name}' not found within '${path.catalog}.${path.database}'`,
        span,
        hint ? `did you mean '${hint}'?` : undefined,
      );
    }
    return { plan: obj.kind === 'table' ? this.scanTable(obj) : this.expandView(obj), name: path.name };
  }

  /** A view is planned from its stored query where it is used (as Flink expands views). */
  private expandView(v: CatalogView): LogicalPlan {
    const inner = new QueryBinder(this.catalog, this.factories, v.source).query(v.query);
    if (v.columnNames.length === 0) return inner;
    return {
      kind: 'project',
      input: inner,
      exprs: inner.schema.fields.map((f, i) => Rex.input(i, f.type)),
      schema: v.schema,
    };
  }

  /** `AS t(a, b)`: renames the columns of a FROM item (same count required). */
  private renameColumns(plan: LogicalPlan, names: readonly Ident[], span: Span): LogicalPlan {
    if (names.length === 0) return plan;
    if (names.length !== plan.schema.size)
      this.fail(`${names.length} column aliases given for ${plan.schema.size} columns`, span);
    const schema = new Schema(
      plan.schema.fields.map((f, i) => ({ name: (names[i] as Ident).value, type: f.type })),
    );
    return {
      kind: 'project',
      input: plan,
      exprs: plan.schema.fields.map((f, i) => Rex.input(i, f.type)),
      schema,
    };
  }

  private join(item: Extract<FromItem, { kind: 'join' }>): { plan: LogicalPlan; scope: Scope } {
    if (item.natural) throw new UnsupportedError('NATURAL JOIN', this.source, item.span);
    if (isCorrelateItem(item.right, functionsOf(this.catalog))) {
      // LATERAL TABLE(f(...)) / UNNEST(...) on the right: a Correlate of the left side (Flink's LogicalCorrelate).
      if (item.joinType === 'RIGHT' || item.joinType === 'FULL')
        throw new UnsupportedError(`${item.joinType} JOIN with a table function (only INNER, CROSS and LEFT)`, this.source, item.span);
      if (item.condition?.kind === 'using') this.fail('JOIN with a table function takes ON, not USING', item.span);
      const on = item.condition?.kind === 'on' ? item.condition.expr : null;
      return bindCorrelate(this.correlateContext(), this.from(item.left), item.right as CorrelateItem, item.joinType === 'LEFT' ? 'LEFT' : 'INNER', on, item.span);
    }
    const asOf = item.right.kind === 'table' ? item.right.forSystemTime : null;
    if (item.right.kind === 'subquery' && item.right.lateral) return this.lateralJoin(item, item.right);
    const left = this.from(item.left);
    const right = this.from(item.right.kind === 'table' && asOf !== null ? { ...item.right, forSystemTime: null } : item.right);
    const offset = left.plan.schema.size;
    const temporal = asOf === null ? undefined : this.temporalJoin(item, asOf, left.scope, offset);
    const scope = new Scope([
      ...left.scope.columns,
      ...right.scope.columns.map((c) => ({ ...c, index: c.index + offset })),
    ]);
    let condition: Rex = Rex.literal(true, Types.BOOLEAN(false));
    if (item.condition !== null) {
      if (item.condition.kind === 'using') {
        // USING (a, b): a = a AND b = b between the two sides.
        const eqs = item.condition.columns.map((c) => {
          const l = left.scope.lookup(c.value, null);
          const r = right.scope.lookup(c.value, null);
          if (l.length !== 1 || r.length !== 1)
            this.fail(
              `column '${c.value}' of USING must appear exactly once on each side of the join`,
              c.span,
            );
          const lc = l[0] as (typeof l)[number];
          const rc = r[0] as (typeof r)[number];
          return Rex.call(
            'EQUALS',
            [Rex.input(lc.index, lc.type), Rex.input(rc.index + offset, rc.type)],
            Types.BOOLEAN(lc.type.nullable || rc.type.nullable),
          );
        });
        condition =
          eqs.length === 1
            ? (eqs[0] as Rex)
            : Rex.call('AND', eqs, Types.BOOLEAN(eqs.some((e) => e.type.nullable)));
      } else {
        condition = this.exprBinder(scope).bind(item.condition.expr);
        if (condition.type.kind !== 'BOOLEAN' && condition.type.kind !== 'NULL') {
          this.fail(
            `JOIN condition must be a BOOLEAN expression, but is ${formatType(condition.type)}`,
            item.condition.expr.span,
          );
        }
      }
    } else if (item.joinType !== 'CROSS' && item.joinType !== 'COMMA' && item.joinType !== 'INNER') {
      this.fail(`${item.joinType} JOIN needs an ON or USING condition`, item.span);
    }
    const joinType: JoinKind =
      item.joinType === 'CROSS' || item.joinType === 'COMMA' ? 'INNER' : item.joinType;
    const leftNullable = joinType === 'RIGHT' || joinType === 'FULL';
    const rightNullable = joinType === 'LEFT' || joinType === 'FULL';
    const fields: Field[] = [
      ...left.plan.schema.fields.map((f) => ({
        name: f.name,
        type: leftNullable ? withNullability(f.type, true) : f.type,
      })),
      ...right.plan.schema.fields.map((f) => ({
        name: f.name,
        type: rightNullable ? withNullability(f.type, true) : f.type,
      })),
    ];
    const plan: LogicalPlan = {
      kind: 'join',
      left: left.plan,
      right: right.plan,
      joinType,
      condition,
      ...(temporal !== undefined ? { temporal } : {}),
      schema: new Schema(fields),
    };
    const joined = new Scope(scope.columns.map((c) => ({ ...c, type: (fields[c.index] as Field).type })));
    return { plan, scope: joined };
  }

  /**
   * `JOIN versioned FOR SYSTEM_TIME AS OF o.rowtime AS r ON o.k = r.k`: an event-time temporal join against a
   * versioned table (a table with a PRIMARY KEY and a WATERMARK, Flink's requirement), joining each left row
   * with the version valid at its time.
   */
  private temporalJoin(
    item: Extract<FromItem, { kind: 'join' }>,
    asOf: Expr,
    leftScope: Scope,
    offset: number,
  ): { leftTime: number; rightTime: number; lookup?: boolean } {
    if (item.joinType !== 'INNER' && item.joinType !== 'LEFT') {
      this.fail(`temporal joins are INNER or LEFT joins, not ${item.joinType}`, item.span);
    }
    const time = this.exprBinder(leftScope).bind(asOf);
    const attr = time.type.kind === 'TIMESTAMP' || time.type.kind === 'TIMESTAMP_LTZ' ? time.type.timeAttribute : undefined;
    if (attr === 'proctime') return this.lookupJoin(item, asOf, time, offset);
    if (time.kind !== 'input' || time.index >= offset || attr !== 'rowtime') {
      this.fail('FOR SYSTEM_TIME AS OF must name a rowtime attribute of the left side of the join', asOf.span);
    }
    const ref = item.right as Extract<FromItem, { kind: 'table' }>;
    const parts = ref.name.parts.map((p) => p.value);
    const obj = parts.length === 1 && this.ctes.has(parts[0] as string) ? undefined : this.catalog.get(this.catalog.qualify(parts));
    if (obj?.kind !== 'table') throw new UnsupportedError('temporal joins against views or WITH entries (join a table)', this.source, ref.span);
    if (obj.primaryKey === null || obj.primaryKey.length === 0) {
      this.fail(`Temporal Table Join requires a primary key in the versioned table '${obj.path.name}', but it has none`, ref.span);
    }
    if (obj.watermark === null) {
      this.fail(`the versioned table '${obj.path.name}' of an event-time temporal join needs a WATERMARK (its rowtime is the version time)`, ref.span);
    }
    return { leftTime: time.index, rightTime: obj.watermark.column };
  }

  /**
   * `JOIN t FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.k`: a lookup join (Flink's "Lookup Join" of the
   * Joins page): each left row reads the table by key when it arrives, through the table's connector, which
   * must support lookups (a LookupTableSource: filesystem, values). The table is read as it is (no computed
   * columns, metadata or watermark between the connector and the join).
   */
  private lookupJoin(
    item: Extract<FromItem, { kind: 'join' }>,
    asOf: Expr,
    time: Rex,
    offset: number,
  ): { leftTime: number; rightTime: number; lookup: boolean } {
    if (time.kind !== 'input' || time.index >= offset) {
      this.fail('FOR SYSTEM_TIME AS OF must name a processing-time attribute of the left side of the join', asOf.span);
    }
    const ref = item.right as Extract<FromItem, { kind: 'table' }>;
    const parts = ref.name.parts.map((p) => p.value);
    const obj = parts.length === 1 && this.ctes.has(parts[0] as string) ? undefined : this.catalog.get(this.catalog.qualify(parts));
    if (obj?.kind !== 'table') throw new UnsupportedError('lookup joins against views or WITH entries (join a table whose connector supports lookups)', this.source, ref.span);
    const connector = obj.options['connector'] ?? '';
    if (this.factories.get(connector)?.createLookup === undefined) {
      throw new UnsupportedError(`lookup joins on connector '${connector}' (table '${obj.path.name}'): it is not a LookupTableSource (lookup joins read the filesystem and values connectors)`, this.source, ref.span);
    }
    if (obj.columns.some((c) => c.kind !== 'physical')) {
      throw new UnsupportedError(`lookup joins on a table with computed or metadata columns ('${obj.path.name}')`, this.source, ref.span);
    }
    if (item.joinType !== 'INNER' && item.joinType !== 'LEFT') {
      this.fail(`lookup joins are INNER or LEFT joins, not ${item.joinType}`, item.span);
    }
    return { leftTime: time.index, rightTime: -1, lookup: true };
  }

  /**
   * `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' MINUTE))` and HOP, CUMULATE, SESSION, with positional
   * or named arguments (DATA, TIMECOL, SIZE, SLIDE, STEP, GAP, OFFSET) as in Flink's window TVFs.
   */
  private windowTvf(call: Expr, span: Span): LogicalPlan {
    if (call.kind !== 'call') throw new UnsupportedError('this table function form', this.source, span);
    const name = call.name.parts
      .map((p) => p.value)
      .join('.')
      .toUpperCase();
    const params: Record<string, readonly string[]> = {
      TUMBLE: ['DATA', 'TIMECOL', 'SIZE', 'OFFSET'],
      HOP: ['DATA', 'TIMECOL', 'SLIDE', 'SIZE', 'OFFSET'],
      CUMULATE: ['DATA', 'TIMECOL', 'STEP', 'SIZE', 'OFFSET'],
      SESSION: ['DATA', 'TIMECOL', 'GAP'],
    };
    const names = params[name];
    if (names === undefined)
      throw new UnsupportedError(
        `table function ${name} (supported: the window functions TUMBLE, HOP, CUMULATE and SESSION)`,
        this.source,
        call.span,
      );
    const args = new Map<string, Expr>();
    call.args.forEach((a, i) => {
      if (a.kind === 'namedArg') {
        const key = a.name.value.toUpperCase();
        if (!names.includes(key))
          this.fail(`${name} has no parameter ${key} (parameters: ${names.join(', ')})`, a.name.span);
        args.set(key, a.value);
      } else {
        const key = names[i];
        if (key === undefined) this.fail(`${name} takes at most ${names.length} arguments`, a.span);
        args.set(key, a);
      }
    });
    const required = names.filter((n) => n !== 'OFFSET');
    for (const r of required)
      if (!args.has(r))
        this.fail(`${name} is missing its ${r} argument (${name}(${names.join(', ')}))`, call.span);
    const data = args.get('DATA') as Expr;
    let input: LogicalPlan;
    let partitionBy: readonly Expr[] = [];
    if (data.kind === 'tableArg') {
      input = this.namedRelation(data.name.parts, data.name.span).plan;
      partitionBy = data.partitionBy ?? [];
      if (partitionBy.length > 0 && name !== 'SESSION')
        this.fail(`PARTITION BY is only allowed on the table argument of SESSION`, data.span);
    } else if (data.kind === 'subquery') input = this.query(data.query);
    else this.fail(`the first argument of ${name} must be a table: TABLE name`, data.span);
    const timecol = args.get('TIMECOL') as Expr;
    if (timecol.kind !== 'descriptor' || timecol.columns.length !== 1)
      this.fail(`the TIMECOL argument of ${name} must be DESCRIPTOR(column)`, timecol.span);
    const colName = (timecol.columns[0] as Ident).value;
    const timeCol = input.schema.indexOf(colName);
    if (timeCol < 0) {
      const hint = closest(colName, input.schema.names());
      this.fail(
        `Column '${colName}' not found in the input of ${name}`,
        timecol.span,
        hint ? `did you mean '${hint}'?` : undefined,
      );
    }
    const timeType = input.schema.field(timeCol).type;
    const attr =
      timeType.kind === 'TIMESTAMP' || timeType.kind === 'TIMESTAMP_LTZ' ? timeType.timeAttribute : null;
    if (attr === null || attr === undefined) {
      this.fail(
        `The window function ${name} requires the time column '${colName}' to be a time attribute (a rowtime column with a WATERMARK, or PROCTIME()), but it is ${formatType(timeType)}`,
        timecol.span,
      );
    }
    const ms = (key: string): number => {
      const e = args.get(key);
      if (e === undefined) return 0;
      const r = this.exprBinder(new Scope([])).bind(e);
      if (
        r.kind !== 'literal' ||
        r.type.kind !== 'INTERVAL' ||
        r.type.family !== 'DAY_TIME' ||
        typeof r.value !== 'number'
      ) {
        this.fail(
          `the ${key} argument of ${name} must be a day-time INTERVAL literal, e.g. INTERVAL '10' MINUTE`,
          e.span,
        );
      }
      if (key !== 'OFFSET' && r.value <= 0)
        this.fail(`the ${key} argument of ${name} must be positive`, e.span);
      return r.value;
    };
    let window: WindowSpec;
    switch (name) {
      case 'TUMBLE':
        window = { kind: 'TUMBLE', size: ms('SIZE'), offset: ms('OFFSET') };
        break;
      case 'HOP': {
        window = { kind: 'HOP', size: ms('SIZE'), slide: ms('SLIDE'), offset: ms('OFFSET') };
        if (window.size % window.slide !== 0)
          this.fail(`HOP's SIZE must be an integral multiple of its SLIDE`, call.span);
        break;
      }
      case 'CUMULATE': {
        window = { kind: 'CUMULATE', maxSize: ms('SIZE'), step: ms('STEP'), offset: ms('OFFSET') };
        if (window.maxSize % window.step !== 0)
          this.fail(`CUMULATE's SIZE must be an integral multiple of its STEP`, call.span);
        break;
      }
      default:
        window = { kind: 'SESSION', gap: ms('GAP') };
    }
    // The input's time attribute becomes a plain timestamp; window_time is the new rowtime (Flink's window TVFs).
    const ts = Types.TIMESTAMP(3, false);
    const fields: Field[] = [
      ...input.schema.fields.map((f, i) =>
        i === timeCol ? { name: f.name, type: withoutTimeAttribute(f.type) } : f,
      ),
      { name: 'window_start', type: ts },
      { name: 'window_end', type: ts },
      {
        name: 'window_time',
        type: {
          ...withNullability(withoutTimeAttribute(timeType), false),
          timeAttribute: attr, // a proctime for processing-time windows
        } as LogicalType,
      },
    ];
    const inputScope = new Scope(
      input.schema.fields.map((f, i) => ({ name: f.name, qualifier: null, type: f.type, index: i })),
    );
    const partitionKeys = partitionBy.map((p) => {
      const r = this.exprBinder(inputScope).bind(p);
      if (r.kind !== 'input') this.fail('SESSION PARTITION BY takes column names', p.span);
      return r.index;
    });
    return { kind: 'windowTvf', input, window, timeCol, partitionKeys, schema: new Schema(fields) };
  }

  // ---- SELECT ----------------------------------------------------------------------------------------------

  select(written: Select): LogicalPlan {
    const s = inlineNamedWindows(written, this.source);
    if (s.hints.length > 0) throw new UnsupportedError('query hints', this.source, s.span);
    // SELECT without FROM reads one row with no columns, as Flink's single-row VALUES.
    const { plan: input, scope } =
      s.from === null
        ? {
            plan: { kind: 'values', rows: [[]], schema: new Schema([]) } as LogicalPlan,
            scope: new Scope([]),
          }
        : this.from(s.from);
    let plan = input;
    // `x IN (SELECT y …)` and `EXISTS (SELECT …)` among the WHERE conjuncts become semi joins (NOT EXISTS an anti
    // join), Flink's subquery decorrelation for uncorrelated subqueries; the rest stays a filter.
    // Calcite's SqlValidator message for an aggregate in WHERE (Flink reports the same).
    const aggInWhere = s.where === null ? undefined : findAggregates([s.where], (n) => functionsOf(this.catalog).get(n) !== undefined, (n) => functionsOf(this.catalog).getAggregate(n) !== undefined)[0];
    if (aggInWhere !== undefined) this.fail('Aggregate expression is illegal in WHERE clause', aggInWhere.node.span);
    const where: Expr[] = [];
    for (const c of s.where === null ? [] : andTerms(s.where)) {
      const semi = this.subqueryJoin(c, plan, scope);
      if (semi === null) where.push(c);
      else plan = semi;
    }
    if (where.length > 0) {
      // The original WHERE when nothing was taken out (one bind, one message); else its remaining terms.
      const terms = where.length === andTerms(s.where as Expr).length ? [s.where as Expr] : where;
      // Scalar subqueries: each is LEFT JOINed on TRUE (a subquery with no row is NULL, as SQL says) and stands
      // for its column; more than one row fails the job in the join's place of Flink's single-row check.
      const joined = this.joinScalarSubqueries(terms, plan, scope);
      plan = joined.plan;
      const scalars = joined.scalars;
      const bound = terms.map((w) => {
        const r = this.exprBinder(scope, (x) => scalars.get(x) ?? null).bind(w);
        if (r.type.kind !== 'BOOLEAN' && r.type.kind !== 'NULL') {
          this.fail(`WHERE clause must be a BOOLEAN expression, but is ${formatType(r.type)}`, w.span);
        }
        return r;
      });
      const cond = bound.reduce((a, b) => Rex.call('AND', [a, b], Types.BOOLEAN(a.type.nullable || b.type.nullable)));
      plan = { kind: 'filter', input: plan, condition: cond, schema: plan.schema };
    }
    const itemExprs = s.items.flatMap((i) => (i.kind === 'expr' ? [i.expr] : []));
    const userFn = (n: string): boolean => functionsOf(this.catalog).get(n) !== undefined;
    const userAgg = (n: string): boolean => functionsOf(this.catalog).getAggregate(n) !== undefined;
    const aggregates = findAggregates([...itemExprs, s.having], userFn, userAgg);
    const overs = findOver(itemExprs);
    let result: LogicalPlan;
    if (s.groupBy.length > 0 || aggregates.length > 0 || s.having !== null) {
      if (overs.length > 0)
        throw new UnsupportedError(
          'OVER windows in a query with GROUP BY or aggregates',
          this.source,
          (overs[0] as Expr).span,
        );
      result = this.aggregateSelect(s, plan, scope, aggregates);
    } else if (overs.length > 0) {
      const over = this.overWindow(plan, scope, overs);
      result = this.projectItems(s, over.plan, scope, over.substitute);
    } else {
      // Scalar subqueries in the SELECT list are joined like those of WHERE, then stand for their column.
      const joined = this.joinScalarSubqueries(itemExprs, plan, scope);
      result = this.projectItems(s, joined.plan, scope, joined.scalars.size === 0 ? null : (x) => joined.scalars.get(x) ?? null);
    }
    return s.distinct ? distinct(result) : result;
  }

  /**
   * Each scalar subquery of `exprs` LEFT JOINed to `plan`, standing for its column: an uncorrelated one on TRUE
   * (a subquery with no row is NULL, as SQL says; more than one row fails the job in the join's place of Flink's
   * single-row check), a correlated aggregate `(SELECT agg(x) FROM t WHERE t.k = outer.k …)` decorrelated into a
   * join with `SELECT k, agg(x) … GROUP BY k` on the correlation (Calcite's decorrelator for this shape; COUNT of
   * no row is 0, not the NULL of the outer join).
   */
  private joinScalarSubqueries(exprs: readonly Expr[], plan: LogicalPlan, scope: Scope): { plan: LogicalPlan; scalars: Map<Expr, Rex> } {
    const scalars = new Map<Expr, Rex>();
    for (const sq of findScalarSubqueries(exprs)) {
      let sub: LogicalPlan;
      try {
        sub = this.query(sq.query);
      } catch (err) {
        if (err instanceof ValidationError && /not found/.test(err.message)) {
          const c = this.correlatedScalar(sq, plan, scope);
          if (c === null) throw new UnsupportedError('correlated scalar subqueries other than one aggregate over SELECT … FROM … WHERE inner = outer', this.source, sq.span);
          plan = c.plan;
          scalars.set(sq, c.value);
          continue;
        }
        throw err;
      }
      if (sub.schema.size !== 1) this.fail(`a scalar subquery must return one column, but returns ${sub.schema.size}`, sq.span);
      const at = plan.schema.size;
      const t = withNullability(sub.schema.field(0).type, true);
      plan = {
        kind: 'join',
        left: plan,
        right: sub,
        joinType: 'LEFT',
        condition: Rex.literal(true, Types.BOOLEAN(false)),
        schema: new Schema([...plan.schema.fields, { name: '$scalar', type: t }]),
      };
      scalars.set(sq, Rex.input(at, t));
    }
    return { plan, scalars };
  }

  /**
   * `left, LATERAL (SELECT … FROM r WHERE …) AS x` and `left [LEFT] JOIN LATERAL (…) AS x ON …`, decorrelated into
   * a join as Calcite's RelDecorrelator does for these shapes (Flink runs it in its subquery-rewrite phase):
   * - a plain `SELECT items FROM r WHERE …`: the WHERE terms reading only r filter r, the terms reading the left
   *   side (the correlation) become the join condition with the ON condition; items reading only r are computed
   *   on r before the join (a LEFT JOIN pads them with NULL), items reading the left side after it (INNER only);
   * - `SELECT agg(…), … FROM r WHERE r.k = left.k …` (aggregates only, no GROUP BY): one row per left row even
   *   without a match, so a LEFT join with `SELECT k, agg(…) … GROUP BY k` on the correlation keys, COUNT of no
   *   row 0 (the shape of correlated scalar subqueries).
   * An uncorrelated LATERAL subquery is an ordinary join. Other shapes are refused, naming what is not supported.
   */
  private lateralJoin(item: Extract<FromItem, { kind: 'join' }>, right: Extract<FromItem, { kind: 'subquery' }>): { plan: LogicalPlan; scope: Scope } {
    const jt = item.joinType;
    if (jt === 'RIGHT' || jt === 'FULL') throw new UnsupportedError(`${jt} JOIN LATERAL (only INNER, CROSS, comma and LEFT)`, this.source, item.span);
    if (item.condition?.kind === 'using') this.fail('JOIN LATERAL takes ON, not USING', item.span);
    if (jt === 'LEFT' && item.condition === null) this.fail('LEFT JOIN needs an ON or USING condition', item.span);
    // Uncorrelated: the same as without LATERAL.
    try {
      this.query(right.query);
      return this.join({ ...item, right: { ...right, lateral: false } });
    } catch (err) {
      if (!(err instanceof ValidationError && /not found/.test(err.message))) throw err;
    }
    const left = this.from(item.left);
    const q = right.query;
    const shape = (what: string): never => {
      throw new UnsupportedError(`LATERAL subqueries ${what} (decorrelated: SELECT … FROM … WHERE …, optionally of aggregates only)`, this.source, right.span);
    };
    if (q.kind !== 'select' || q.from === null) return shape('other than one SELECT … FROM');
    if (q.groupBy.length > 0 || q.having !== null || q.distinct) return shape('with GROUP BY, HAVING or DISTINCT');
    if (q.items.some((i) => i.kind !== 'expr')) return shape("with '*'");
    const items = q.items as readonly Extract<(typeof q.items)[number], { kind: 'expr' }>[];
    const itemExprs = items.map((i) => i.expr);
    if (findOver(itemExprs).length > 0) return shape('with OVER');
    const aggregates = findAggregates(itemExprs, () => false).length > 0;
    const inner = this.from(q.from);
    const n = left.plan.schema.size;
    const combined = new Scope([...left.scope.columns, ...inner.scope.columns.map((c) => ({ ...c, index: c.index + n }))]);
    const tryBind = (e: Expr, sc: Scope): Rex | null => {
      try {
        return this.exprBinder(sc).bind(e);
      } catch {
        return null;
      }
    };
    const bool = (xs: readonly Rex[]): Rex => xs.reduce((a, b) => Rex.call('AND', [a, b], Types.BOOLEAN(a.type.nullable || b.type.nullable)));
    const names = uniqueNames(items.map((i, k) => itemName(i.alias, i.expr, k)));
    const aliasCols = right.alias?.columns ?? [];
    if (aliasCols.length > 0 && aliasCols.length !== items.length) this.fail(`${aliasCols.length} column aliases given for ${items.length} columns`, right.span);
    const outNames = aliasCols.length > 0 ? aliasCols.map((c) => c.value) : names;
    const qualifier = right.alias?.name.value ?? null;

    let joined: LogicalPlan;
    let values: Rex[];
    if (!aggregates) {
      const own: Rex[] = [];
      const correlation: Rex[] = [];
      for (const t of q.where === null ? [] : andTerms(q.where)) {
        const r = tryBind(t, inner.scope);
        if (r !== null) own.push(r);
        else correlation.push(this.exprBinder(combined).bind(t));
      }
      const m = inner.plan.schema.size;
      const filtered: LogicalPlan = own.length === 0 ? inner.plan : { kind: 'filter', input: inner.plan, condition: bool(own), schema: inner.plan.schema };
      // Items over r alone go into r's projection (after r's columns); the others are bound over the join.
      const pre: Rex[] = [];
      const preNames: string[] = [];
      /** Per item: a column of r (a plain reference) or the position in `pre`, or -1 when bound after the join. */
      const at: number[] = [];
      const post: (Rex | null)[] = items.map((i, k) => {
        const r = tryBind(i.expr, inner.scope);
        if (r !== null) {
          if (r.kind === 'input') at.push(r.index);
          else {
            at.push(inner.plan.schema.size + pre.length);
            pre.push(r);
            preNames.push(outNames[k] as string);
          }
          return null;
        }
        at.push(-1);
        if (jt === 'LEFT') return shape('under LEFT JOIN whose SELECT list reads the left side');
        return this.exprBinder(combined).bind(i.expr);
      });
      const rightPlan: LogicalPlan = {
        kind: 'project',
        input: filtered,
        exprs: [...filtered.schema.fields.map((f, i) => Rex.input(i, f.type)), ...pre],
        schema: new Schema([...filtered.schema.fields, ...uniqueNames([...filtered.schema.fields.map((f) => f.name), ...preNames]).slice(m).map((name, k) => ({ name, type: (pre[k] as Rex).type }))]),
      };
      // LEFT: the ON condition reads the left side and the lateral columns (all computed on r, at n + m + k)
      // and decides the padding, so it joins; INNER: it filters the result below (bound over the output scope).
      const lateralScope = (): Scope =>
        new Scope([
          ...left.scope.columns,
          ...items.map((_i, k) => ({ name: outNames[k] as string, qualifier, type: rightPlan.schema.field(at[k] as number).type, index: n + (at[k] as number) })),
        ]);
      const on = jt === 'LEFT' && item.condition?.kind === 'on' ? this.exprBinder(lateralScope()).bind(item.condition.expr) : null;
      const conds = [...correlation, ...(on === null ? [] : [on])];
      const rightNullable = jt === 'LEFT';
      joined = {
        kind: 'join',
        left: left.plan,
        right: rightPlan,
        joinType: jt === 'LEFT' ? 'LEFT' : 'INNER',
        condition: conds.length === 0 ? Rex.literal(true, Types.BOOLEAN(false)) : bool(conds),
        schema: new Schema([...left.plan.schema.fields, ...rightPlan.schema.fields.map((f) => ({ name: f.name, type: rightNullable ? withNullability(f.type, true) : f.type }))]),
      };
      values = post.map((r, k) => {
        if (r !== null) return r;
        const i = n + (at[k] as number);
        return Rex.input(i, joined.schema.field(i).type);
      });
    } else {
      if (item.condition?.kind === 'on' && !(item.condition.expr.kind === 'boolLit' && item.condition.expr.value === true))
        return shape('of aggregates joined ON a condition other than TRUE');
      // Equality correlations `inner = outer` become group keys of the subquery and the join condition.
      const own: Expr[] = [];
      const innerKeys: Expr[] = [];
      const outerKeys: Rex[] = [];
      for (const t of q.where === null ? [] : andTerms(q.where)) {
        if (tryBind(t, inner.scope) !== null) {
          own.push(t);
          continue;
        }
        if (t.kind !== 'binary' || t.op !== '=') return shape('of aggregates correlated other than by inner = outer equalities');
        const [i, o] = tryBind(t.left, inner.scope) !== null ? [t.left, t.right] : [t.right, t.left];
        const outer = tryBind(o, left.scope);
        if (tryBind(i, inner.scope) === null || outer === null) return shape('of aggregates correlated other than by inner = outer equalities');
        innerKeys.push(i);
        outerKeys.push(outer);
      }
      const alias = (v: string, span: Span): Ident => ({ value: v, span, quoted: true });
      const where = own.length === 0 ? null : own.reduce((a, b) => ({ kind: 'binary', span: b.span, op: 'AND', left: a, right: b }) as Expr);
      const grouped: Select = {
        ...q,
        items: [
          ...innerKeys.map((e, i) => ({ kind: 'expr' as const, span: e.span, expr: e, alias: alias(`$k${i}`, e.span) })),
          ...items.map((it, k) => ({ ...it, alias: alias(`$v${k}`, it.span) })),
        ],
        where,
        groupBy: innerKeys.map((e) => ({ kind: 'expr' as const, span: e.span, expr: e })),
      };
      const sub = this.select(grouped);
      const conds = outerKeys.map((o, i) => {
        const t = sub.schema.field(i).type;
        const common = commonType([o.type, t]);
        if (common === null) this.fail(`the correlation compares ${formatType(o.type)} with ${formatType(t)}`, right.span);
        return Rex.call('EQUALS', [coerceTo(o, common), coerceTo(Rex.input(n + i, t), common)], Types.BOOLEAN(true));
      });
      joined = {
        kind: 'join',
        left: left.plan,
        right: sub,
        joinType: 'LEFT',
        condition: conds.length === 0 ? Rex.literal(true, Types.BOOLEAN(false)) : bool(conds),
        schema: new Schema([...left.plan.schema.fields, ...sub.schema.fields.map((f) => ({ name: f.name, type: withNullability(f.type, true) }))]),
      };
      // An aggregate of no row: COUNT is 0 (the others NULL, as the outer join pads them).
      values = items.map((it, k) => {
        const at = n + innerKeys.length + k;
        const v = Rex.input(at, joined.schema.field(at).type);
        const e = it.expr;
        return e.kind === 'call' && AGGREGATE_FUNCTIONS[callName(e)] === 'COUNT' ? Rex.call('COALESCE', [v, Rex.literal(0, Types.BIGINT(false))], Types.BIGINT(false)) : v;
      });
    }
    const fields: Field[] = [
      ...left.plan.schema.fields,
      ...values.map((v, k) => ({ name: outNames[k] as string, type: v.type.kind === 'NULL' ? Types.STRING() : v.type })),
    ];
    const plan: LogicalPlan = {
      kind: 'project',
      input: joined,
      exprs: [...left.plan.schema.fields.map((f, i) => Rex.input(i, f.type)), ...values],
      schema: new Schema(fields),
    };
    const scope = new Scope([
      ...left.scope.columns,
      ...values.map((_v, k) => ({ name: outNames[k] as string, qualifier, type: (fields[n + k] as Field).type, index: n + k })),
    ]);
    if (jt !== 'LEFT' && item.condition?.kind === 'on') {
      const cond = this.exprBinder(scope).bind(item.condition.expr);
      return { plan: { kind: 'filter', input: plan, condition: cond, schema: plan.schema }, scope };
    }
    return { plan, scope };
  }

  private correlatedScalar(sq: Extract<Expr, { kind: 'subquery' }>, plan: LogicalPlan, scope: Scope): { plan: LogicalPlan; value: Rex } | null {
    const q = sq.query;
    if (q.kind !== 'select' || q.from === null || q.groupBy.length > 0 || q.having !== null || q.distinct || q.items.length !== 1) return null;
    const item = q.items[0] as (typeof q.items)[number];
    if (item.kind !== 'expr' || item.expr.kind !== 'call' || !AGGREGATE_FUNCTIONS[callName(item.expr)] || findOver([item.expr]).length > 0) return null;
    const inner = this.from(q.from);
    const own: Expr[] = [];
    const innerKeys: Expr[] = [];
    const outerKeys: Rex[] = [];
    const binds = (e: Expr, sc: Scope): Rex | null => {
      try {
        return this.exprBinder(sc).bind(e);
      } catch {
        return null;
      }
    };
    for (const t of q.where === null ? [] : andTerms(q.where)) {
      if (binds(t, inner.scope) !== null) {
        own.push(t);
        continue;
      }
      if (t.kind !== 'binary' || t.op !== '=') return null;
      const [i, o] = binds(t.left, inner.scope) !== null ? [t.left, t.right] : [t.right, t.left];
      const outer = binds(o, scope);
      if (binds(i, inner.scope) === null || outer === null) return null;
      innerKeys.push(i);
      outerKeys.push(outer);
    }
    if (innerKeys.length === 0) return null;
    const alias = (v: string, span: Span): Ident => ({ value: v, span, quoted: true });
    const where = own.length === 0 ? null : own.reduce((a, b) => ({ kind: 'binary', span: b.span, op: 'AND', left: a, right: b }) as Expr);
    const grouped: Select = {
      ...q,
      items: [...innerKeys.map((e, i) => ({ kind: 'expr' as const, span: e.span, expr: e, alias: alias(`$k${i}`, e.span) })), { ...item, alias: alias('$v', item.span) }],
      where,
      groupBy: innerKeys.map((e) => ({ kind: 'expr' as const, span: e.span, expr: e })),
    };
    const sub = this.select(grouped);
    const n = plan.schema.size;
    const conds = outerKeys.map((o, i) => {
      const t = sub.schema.field(i).type;
      const common = commonType([o.type, t]);
      if (common === null) this.fail(`the correlation compares ${formatType(o.type)} with ${formatType(t)}`, sq.span);
      return Rex.call('EQUALS', [coerceTo(o, common), coerceTo(Rex.input(n + i, t), common)], Types.BOOLEAN(true));
    });
    const fields = [...plan.schema.fields, ...sub.schema.fields.map((f) => ({ name: f.name, type: withNullability(f.type, true) }))];
    const joined: LogicalPlan = {
      kind: 'join',
      left: plan,
      right: sub,
      joinType: 'LEFT',
      condition: conds.reduce((a, b) => Rex.call('AND', [a, b], Types.BOOLEAN(true))),
      schema: new Schema(fields),
    };
    const vt = (fields[n + innerKeys.length] as Field).type;
    let value = Rex.input(n + innerKeys.length, vt);
    if (AGGREGATE_FUNCTIONS[callName(item.expr)] === 'COUNT') value = Rex.call('COALESCE', [value, Rex.literal(0, Types.BIGINT(false))], Types.BIGINT(false));
    return { plan: joined, value };
  }

  /**
   * A WHERE conjunct `x IN (SELECT y …)` / `EXISTS (…)` / `NOT EXISTS (…)` over an uncorrelated subquery as a
   * SEMI or ANTI join of `plan` with it, or null for any other conjunct. `NOT IN` is refused: its NULL semantics
   * (one NULL in the subquery makes it UNKNOWN for every row) need a null-aware anti join.
   */
  private subqueryJoin(c: Expr, plan: LogicalPlan, scope: Scope): LogicalPlan | null {
    let e = c;
    let negated = false;
    if (e.kind === 'unary' && e.op === 'NOT' && e.operand.kind === 'exists') {
      negated = true;
      e = e.operand;
    }
    if (e.kind !== 'exists' && e.kind !== 'inQuery') return null;
    // `x NOT IN (SELECT y …)` is an anti join on `x = y OR x IS NULL OR y IS NULL` (Calcite's null-aware anti
    // join): one NULL y makes NOT IN UNKNOWN for every row, a NULL x is UNKNOWN unless the subquery is empty.
    const nullAware = e.kind === 'inQuery' && e.negated;
    if (nullAware) negated = true;
    let sub: LogicalPlan;
    try {
      sub = this.query(e.query);
    } catch (err) {
      if (err instanceof ValidationError && /not found/.test(err.message)) {
        const correlated = this.correlatedJoin(e, plan, scope, negated, nullAware);
        if (correlated !== null) return correlated;
        throw new UnsupportedError('correlated subqueries of this form (only a plain SELECT … FROM … WHERE is decorrelated)', this.source, e.span);
      }
      throw err;
    }
    const n = plan.schema.size;
    let condition: Rex = Rex.literal(true, Types.BOOLEAN(false));
    if (e.kind === 'inQuery') {
      if (sub.schema.size !== 1) this.fail(`the subquery of IN must return one column, but returns ${sub.schema.size}`, e.query.span);
      const left = this.exprBinder(scope).bind(e.operand);
      const rightType = sub.schema.field(0).type;
      const common = commonType([left.type, rightType]);
      if (common === null) this.fail(`IN compares ${formatType(left.type)} with a subquery of ${formatType(rightType)}`, e.span);
      // The key must be a column on each side: project the operand into one on the left when it is an expression.
      let leftCol = left.kind === 'input' ? left.index : -1;
      if (leftCol < 0) {
        const exprs = [...plan.schema.fields.map((f, i) => Rex.input(i, f.type)), left];
        plan = { kind: 'project', input: plan, exprs, schema: new Schema([...plan.schema.fields, { name: '$in', type: left.type }]) };
        leftCol = n;
      }
      const l = coerceTo(Rex.input(leftCol, left.type), common);
      const r = coerceTo(Rex.input(plan.schema.size, rightType), common);
      condition = inCondition(l, r, nullAware);
    }
    const joined: LogicalPlan = { kind: 'join', left: plan, right: sub, joinType: negated ? 'ANTI' : 'SEMI', condition, schema: plan.schema };
    if (joined.schema.size === n) return joined;
    // Drop the helper column of an IN over an expression.
    return { kind: 'project', input: joined, exprs: scope.columns.length === 0 ? [] : plan.schema.fields.slice(0, n).map((f, i) => Rex.input(i, f.type)), schema: new Schema(plan.schema.fields.slice(0, n)) };
  }

  /**
   * Decorrelation of `[NOT] EXISTS (SELECT … FROM t WHERE …)` and `x IN (SELECT y FROM t WHERE …)` whose WHERE
   * reads outer columns: the WHERE terms that read only the subquery's columns filter its input, the others (the
   * correlation) become the condition of a SEMI/ANTI join with the outer query, as Calcite's decorrelator does for
   * this shape. Null when the subquery has another shape (GROUP BY, DISTINCT, aggregates, set operations).
   */
  private correlatedJoin(e: Extract<Expr, { kind: 'exists' | 'inQuery' }>, plan: LogicalPlan, scope: Scope, negated: boolean, nullAware = false): LogicalPlan | null {
    const q = e.query;
    if (q.kind !== 'select' || q.from === null || q.groupBy.length > 0 || q.having !== null || q.distinct) return null;
    const itemExprs = q.items.flatMap((i) => (i.kind === 'expr' ? [i.expr] : []));
    if (findAggregates(itemExprs, () => false).length > 0 || findOver(itemExprs).length > 0) return null;
    const inner = this.from(q.from);
    const n = plan.schema.size;
    const combined = new Scope([...scope.columns, ...inner.scope.columns.map((c) => ({ ...c, index: c.index + n }))]);
    const own: Rex[] = [];
    const correlation: Rex[] = [];
    for (const t of q.where === null ? [] : andTerms(q.where)) {
      let r: Rex | null = null;
      try {
        r = this.exprBinder(inner.scope).bind(t);
      } catch {
        r = null;
      }
      if (r !== null) own.push(r);
      else correlation.push(this.exprBinder(combined).bind(t));
    }
    const bool = (xs: readonly Rex[]): Rex => xs.reduce((a, b) => Rex.call('AND', [a, b], Types.BOOLEAN(a.type.nullable || b.type.nullable)));
    let right: LogicalPlan = own.length === 0 ? inner.plan : { kind: 'filter', input: inner.plan, condition: bool(own), schema: inner.plan.schema };
    if (e.kind === 'inQuery') {
      if (itemExprs.length !== 1 || q.items.length !== 1) this.fail('the subquery of IN must return one column', q.span);
      const item = this.exprBinder(inner.scope).bind(itemExprs[0] as Expr);
      let col = item.kind === 'input' ? item.index : -1;
      if (col < 0) {
        col = right.schema.size;
        right = { kind: 'project', input: right, exprs: [...right.schema.fields.map((f, i) => Rex.input(i, f.type)), item], schema: new Schema([...right.schema.fields, { name: '$in', type: item.type }]) };
      }
      const left = this.exprBinder(scope).bind(e.operand);
      const common = commonType([left.type, item.type]);
      if (common === null) this.fail(`IN compares ${formatType(left.type)} with a subquery of ${formatType(item.type)}`, e.span);
      correlation.push(inCondition(coerceTo(left, common), coerceTo(Rex.input(col + n, item.type), common), nullAware));
    }
    const condition = correlation.length === 0 ? Rex.literal(true, Types.BOOLEAN(false)) : bool(correlation);
    return { kind: 'join', left: plan, right, joinType: negated ? 'ANTI' : 'SEMI', condition, schema: plan.schema };
  }

  /** The SELECT list as a projection; `*` expands to the scope's columns. */
  private projectItems(
    s: Select,
    plan: LogicalPlan,
    scope: Scope,
    substitute: ((e: Expr) => Rex | null) | null,
  ): LogicalPlan {
    const binder = this.exprBinder(scope, substitute);
    const exprs: Rex[] = [];
    const names: string[] = [];
    for (const item of s.items) {
      if (item.kind === 'star') {
        const q = item.qualifier?.parts.map((p) => p.value).join('.') ?? null;
        if (q !== null && !scope.hasQualifier(q)) this.fail(`Table '${q}' not found`, item.span);
        if (scope.columns.length === 0) this.fail("'*' needs a FROM clause", item.span);
        for (const c of scope.columns) {
          if (q === null || c.qualifier === q) {
            exprs.push(Rex.input(c.index, c.type));
            names.push(c.name);
          }
        }
        continue;
      }
      exprs.push(binder.bind(item.expr));
      names.push(itemName(item.alias, item.expr, names.length));
    }
    const unique = uniqueNames(names);
    const fields = exprs.map((e, i) => ({
      name: unique[i] as string,
      type: e.type.kind === 'NULL' ? Types.STRING() : e.type,
    }));
    return {
      kind: 'project',
      input: plan,
      exprs: exprs.map((e, i) => (e.type.kind === 'NULL' ? Rex.literal(null, (fields[i] as Field).type) : e)),
      schema: new Schema(fields),
    };
  }

  /**
   * GROUP BY and aggregates: project group keys and aggregate arguments into columns, aggregate, then bind HAVING
   * and the SELECT list over the aggregate's output.
   */
  private aggregateSelect(
    s: Select,
    input: LogicalPlan,
    scope: Scope,
    uses: readonly AggregateUse[],
  ): LogicalPlan {
    const groupExprs: Expr[] = [];
    for (const g of s.groupBy) {
      if (g.kind === 'expr') groupExprs.push(g.expr);
      else if (g.kind === 'set') groupExprs.push(...g.exprs);
      else
        throw new UnsupportedError(
          g.kind === 'groupingSets' ? 'GROUPING SETS' : g.kind.toUpperCase(),
          this.source,
          g.span,
        );
    }
    // A legacy group window (GROUP BY TUMBLE(ts, INTERVAL ...)) is the window TVF over the input, grouped by its
    // window columns; TUMBLE_START/_END/_ROWTIME (and HOP_, SESSION_) then read them.
    const legacyAt = groupExprs.findIndex((g) => g.kind === 'call' && LEGACY_WINDOWS.includes(callName(g)));
    let legacy: { readonly name: string; readonly first: number } | null = null;
    if (legacyAt >= 0) {
      const g = groupExprs[legacyAt] as Extract<Expr, { kind: 'call' }>;
      if (
        groupExprs.some((x, i) => i !== legacyAt && x.kind === 'call' && LEGACY_WINDOWS.includes(callName(x)))
      )
        this.fail('only one group window is allowed in GROUP BY', g.span);
      groupExprs.splice(legacyAt, 1);
      const tvf = this.legacyWindow(g, input, scope);
      const n = input.schema.size;
      scope = new Scope([
        ...scope.columns,
        ...['window_start', 'window_end', 'window_time'].map((name, i) => ({
          name: `$${name}`,
          qualifier: null,
          type: tvf.schema.field(n + i).type,
          index: n + i,
        })),
      ]);
      input = tvf;
      legacy = { name: callName(g), first: n };
    }
    const inner = this.exprBinder(scope);
    // Columns below the aggregate: the group keys first, then aggregate arguments and FILTER conditions.
    const pre: Rex[] = [];
    const preNames: string[] = [];
    const position = new Map<string, number>();
    const column = (r: Rex, name: string | null): number => {
      const k = rexKey(r);
      let i = position.get(k);
      if (i === undefined) {
        i = pre.length;
        pre.push(r);
        preNames.push(name ?? (r.kind === 'input' ? input.schema.field(r.index).name : `$f${i}`));
        position.set(k, i);
      }
      return i;
    };
    const groupKeys: number[] = [];
    const groupByKey = new Map<string, number>();
    const legacyKeys: number[] = [];
    if (legacy !== null) {
      for (let i = 0; i < 3; i++) {
        const r = Rex.input(legacy.first + i, input.schema.field(legacy.first + i).type);
        groupByKey.set(rexKey(r), groupKeys.length);
        legacyKeys.push(groupKeys.length);
        groupKeys.push(column(r, ['window_start', 'window_end', 'window_time'][i] as string));
      }
    }
    for (const g of groupExprs) {
      const r = inner.bind(g);
      const k = rexKey(r);
      if (groupByKey.has(k)) continue;
      groupByKey.set(k, groupKeys.length);
      groupKeys.push(column(r, null));
    }
    const calls: AggregateCall[] = [];
    const callIndex = new Map<Expr, number>();
    const callByKey = new Map<string, number>();
    for (const u of uses) {
      const fname = u.call.name.parts
        .map((p) => p.value)
        .join('.')
        .toUpperCase();
      const udaf = functionsOf(this.catalog).getAggregate(fname);
      const kind = udaf !== undefined ? 'UDAF' : AGGREGATE_FUNCTIONS[fname];
      if (kind === undefined) this.fail(`unknown aggregate function ${fname}`, u.call.span);
      if (udaf !== undefined && u.call.distinct)
        throw new UnsupportedError(`DISTINCT in the user-defined aggregate function ${fname}`, this.source, u.call.span);
      if (u.call.star && kind !== 'COUNT')
        this.fail(`${fname}(*) is not allowed; only COUNT(*)`, u.call.span);
      let separator: string | undefined;
      const argExprs = [...u.call.args];
      if (kind === 'LISTAGG' && argExprs.length === 2) {
        const sep = argExprs.pop() as Expr;
        if (sep.kind !== 'stringLit')
          this.fail('the separator of LISTAGG must be a string literal', sep.span);
        separator = sep.value;
      }
      const args = argExprs.map((a) => {
        const r = inner.bind(a);
        if (r.type.kind === 'NULL') this.fail(`${fname} of an untyped NULL: CAST it to a type`, a.span);
        return r;
      });
      if (udaf?.argTypes !== undefined) {
        const declared = udaf.argTypes;
        if (declared.length !== args.length)
          this.fail(`${fname} takes ${declared.length} argument${declared.length === 1 ? '' : 's'}, got ${args.length}`, u.call.span);
        args.forEach((a, i) => {
          const want = declared[i] as LogicalType;
          if (commonType([a.type, want]) === null)
            this.fail(`${fname} argument ${i + 1} must be ${formatType(want)}, but got ${formatType(a.type)}`, (argExprs[i] as Expr).span);
          args[i] = coerceTo(a, withNullability(want, a.type.nullable));
        });
      }
      const type = udaf !== undefined ? udaf.resultType : aggregateResultType(
        kind,
        args.map((a) => a.type),
      );
      if (typeof type === 'string') this.fail(type, u.call.span);
      let filterArg = -1;
      if (u.filter !== null) {
        const f = inner.bind(u.filter);
        if (f.type.kind !== 'BOOLEAN')
          this.fail(
            `FILTER condition must be a BOOLEAN expression, but is ${formatType(f.type)}`,
            u.filter.span,
          );
        filterArg = column(f, null);
      }
      const argCols = args.map((a) => column(a, null));
      const call: AggregateCall = {
        kind,
        args: argCols,
        distinct: u.call.distinct,
        filterArg,
        resultType: withoutTimeAttribute(type),
        name: `EXPR$${calls.length}`,
        ...(separator !== undefined ? { separator } : {}),
        ...(udaf !== undefined ? { udaf } : {}),
      };
      const key = `${udaf?.name ?? kind}|${argCols.join(',')}|${call.distinct}|${filterArg}|${separator ?? ''}`;
      const existing = callByKey.get(key);
      if (existing !== undefined) {
        callIndex.set(u.node, existing);
        continue;
      }
      callByKey.set(key, calls.length);
      callIndex.set(u.node, calls.length);
      calls.push(call);
    }
    const preSchema = new Schema(
      pre.map((r, i) => ({
        name: preNames[i] as string,
        type: r.type.kind === 'NULL' ? Types.STRING() : r.type,
      })),
    );
    const projected: LogicalPlan = { kind: 'project', input, exprs: pre, schema: preSchema };
    // Grouped by window_start and window_end of a window TVF, the grouped window_time stays a rowtime: the result
    // is a window aggregate whose rows carry their window's time (Flink's cascading window aggregation).
    const wp = windowProperties(input);
    const isRef = (k: number, col: number): boolean => {
      const r = pre[k] as Rex;
      return r.kind === 'input' && r.index === col;
    };
    const windowed = wp !== null && groupKeys.some((k) => isRef(k, wp.start)) && groupKeys.some((k) => isRef(k, wp.end));
    const aggFields: Field[] = [
      ...groupKeys.map((k) => ({
        name: preSchema.field(k).name,
        type: windowed && wp !== null && wp.time >= 0 && isRef(k, wp.time) ? preSchema.field(k).type : withoutTimeAttribute(preSchema.field(k).type),
      })),
      ...calls.map((c) => ({ name: c.name, type: c.resultType })),
    ];
    let plan: LogicalPlan = {
      kind: 'aggregate',
      input: projected,
      groupKeys,
      aggCalls: calls,
      schema: new Schema(aggFields),
    };
    const g = groupKeys.length;
    const substitute = (e: Expr): Rex | null => {
      const ci = callIndex.get(e);
      if (ci !== undefined) return Rex.input(g + ci, (aggFields[g + ci] as Field).type);
      if (e.kind === 'call' && /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.test(callName(e))) {
        const [win, prop] = callName(e).split('_') as [string, string];
        if (legacy === null || legacy.name !== win)
          this.fail(`${callName(e)} needs GROUP BY ${win}(...) in the same query`, e.span);
        const k = legacyKeys[prop === 'START' ? 0 : prop === 'END' ? 1 : 2] as number;
        const t = aggFields[k] as Field;
        return Rex.input(
          k,
          prop === 'ROWTIME' ? ({ ...t.type, timeAttribute: 'rowtime' } as LogicalType) : t.type,
        );
      }
      if (e.kind === 'over' || e.kind === 'subquery' || e.kind === 'exists' || e.kind === 'inQuery')
        return null;
      let r: Rex;
      try {
        r = inner.bind(e);
      } catch {
        return null;
      }
      const gi = groupByKey.get(rexKey(r));
      if (gi !== undefined) return Rex.input(gi, (aggFields[gi] as Field).type);
      if (e.kind === 'ident') {
        this.fail(
          `Expression '${this.source.slice(e.span.start, e.span.end)}' is not being grouped`,
          e.span,
          'add it to GROUP BY, or use it inside an aggregate function',
        );
      }
      return null;
    };
    const aggScope = new Scope([]);
    if (s.having !== null) {
      const cond = this.exprBinder(aggScope, substitute).bind(s.having);
      if (cond.type.kind !== 'BOOLEAN')
        this.fail(
          `HAVING clause must be a BOOLEAN expression, but is ${formatType(cond.type)}`,
          s.having.span,
        );
      plan = { kind: 'filter', input: plan, condition: cond, schema: plan.schema };
    }
    for (const item of s.items)
      if (item.kind === 'star')
        this.fail(`'*' is not allowed in a query with GROUP BY or aggregates`, item.span);
    return this.projectItems(s, plan, aggScope, substitute);
  }

  /** `TUMBLE(ts, size)`, `HOP(ts, slide, size)`, `SESSION(ts, gap)` in GROUP BY as a window TVF over `input`. */
  private legacyWindow(
    g: Extract<Expr, { kind: 'call' }>,
    input: LogicalPlan,
    scope: Scope,
  ): Extract<LogicalPlan, { kind: 'windowTvf' }> {
    const name = callName(g);
    const arity = name === 'HOP' ? 3 : 2;
    if (g.args.length !== arity && !(name === 'TUMBLE' && g.args.length === 3))
      this.fail(`${name} in GROUP BY takes ${arity} arguments`, g.span);
    const ts = this.exprBinder(scope).bind(g.args[0] as Expr);
    const attr =
      ts.type.kind === 'TIMESTAMP' || ts.type.kind === 'TIMESTAMP_LTZ' ? ts.type.timeAttribute : undefined;
    if (ts.kind !== 'input' || (attr !== 'rowtime' && attr !== 'proctime'))
      this.fail(`the first argument of ${name} must be a time attribute column`, (g.args[0] as Expr).span);
    const ms = (e: Expr): number => {
      const r = this.exprBinder(new Scope([])).bind(e);
      if (r.kind !== 'literal' || r.type.kind !== 'INTERVAL' || typeof r.value !== 'number' || r.value <= 0)
        this.fail(`${name} needs a positive day-time INTERVAL literal here`, e.span);
      return r.value;
    };
    const a = g.args.slice(1).map(ms);
    const window: WindowSpec =
      name === 'TUMBLE'
        ? { kind: 'TUMBLE', size: a[0] as number, offset: a[1] ?? 0 }
        : name === 'HOP'
          ? { kind: 'HOP', slide: a[0] as number, size: a[1] as number, offset: 0 }
          : { kind: 'SESSION', gap: a[0] as number };
    const t = Types.TIMESTAMP(3, false);
    const fields: Field[] = [
      ...input.schema.fields,
      { name: 'window_start', type: t },
      { name: 'window_end', type: t },
      {
        name: 'window_time',
        type: {
          ...withNullability(withoutTimeAttribute(ts.type), false),
          timeAttribute: attr,
        } as LogicalType,
      },
    ];
    return {
      kind: 'windowTvf',
      input,
      window,
      timeCol: ts.index,
      partitionKeys: [],
      schema: new Schema(fields),
    };
  }

  /** OVER windows: the input's columns, then the window's keys and arguments, then one column per OVER call. */
  private overWindow(
    input: LogicalPlan,
    scope: Scope,
    overs: readonly Extract<Expr, { kind: 'over' }>[],
  ): { plan: LogicalPlan; substitute: (e: Expr) => Rex | null } {
    const inner = this.exprBinder(scope);
    const specOf = (o: Extract<Expr, { kind: 'over' }>): WindowSpecAst => {
      if (!('partitionBy' in o.window))
        throw new UnsupportedError('named windows (OVER w)', this.source, o.span);
      if (o.window.base !== null) throw new UnsupportedError('named windows (OVER w)', this.source, o.span);
      return o.window;
    };
    const first = specOf(overs[0] as Extract<Expr, { kind: 'over' }>);
    const text = (w: WindowSpecAst): string =>
      this.source.slice(w.span.start, w.span.end).replace(/\s+/g, ' ');
    for (const o of overs.slice(1)) {
      if (text(specOf(o)) !== text(first))
        throw new UnsupportedError('OVER calls with different windows in one SELECT', this.source, o.span);
    }
    const pre: Rex[] = input.schema.fields.map((f, i) => Rex.input(i, f.type));
    const names = input.schema.names();
    const column = (r: Rex): number => {
      if (r.kind === 'input') return r.index;
      pre.push(r);
      names.push(`$f${pre.length - 1}`);
      return pre.length - 1;
    };
    const partitionKeys = first.partitionBy.map((p) => column(inner.bind(p)));
    const orderKeys = first.orderBy.map((o) => this.sortKey(o, column(inner.bind(o.expr))));
    const frame = this.overFrame(first);
    const calls: OverCall[] = [];
    for (const o of overs) {
      const call = o.call.kind === 'filter' ? o.call.call : o.call;
      if (call.kind !== 'call') this.fail('OVER needs a function call before it', o.span);
      const fname = call.name.parts
        .map((p) => p.value)
        .join('.')
        .toUpperCase();
      const rank = RANKING[fname];
      if (rank !== undefined) {
        if (call.args.length > 0) this.fail(`${fname}() takes no arguments`, call.span);
        if (orderKeys.length === 0) this.fail(`${fname}() needs an ORDER BY in its OVER window`, o.span);
        calls.push({ kind: 'rank', rankType: rank, name: `w0$o${calls.length}` });
        continue;
      }
      const overUdaf = functionsOf(this.catalog).getAggregate(fname);
      if (overUdaf !== undefined && overUdaf.retract === undefined && frame.preceding !== Infinity)
        this.fail(`AggregateFunction ${overUdaf.name} must implement retract(acc, ...args) to run in a bounded OVER window`, call.span);
      const kind = overUdaf !== undefined ? 'UDAF' : AGGREGATE_FUNCTIONS[fname];
      if (kind === undefined)
        throw new UnsupportedError(
          `${fname} OVER (only aggregate and ranking functions)`,
          this.source,
          call.span,
        );
      const args = call.args.map((a) => inner.bind(a));
      const type = overUdaf !== undefined ? overUdaf.resultType : aggregateResultType(
        kind,
        args.map((a) => a.type),
      );
      if (typeof type === 'string') this.fail(type, call.span);
      const filterArg = o.call.kind === 'filter' ? column(inner.bind(o.call.where)) : -1;
      calls.push({
        kind: 'agg',
        call: {
          kind,
          args: args.map(column),
          distinct: call.distinct,
          filterArg,
          resultType: withoutTimeAttribute(type),
          name: `w0$o${calls.length}`,
          ...(overUdaf !== undefined ? { udaf: overUdaf } : {}),
        },
      });
    }
    const preSchema = new Schema(pre.map((r, i) => ({ name: names[i] as string, type: r.type })));
    const projected: LogicalPlan =
      pre.length === input.schema.size ? input : { kind: 'project', input, exprs: pre, schema: preSchema };
    const callFields: Field[] = calls.map((c) =>
      c.kind === 'rank'
        ? { name: c.name, type: Types.BIGINT(false) }
        : { name: c.call.name, type: c.call.resultType },
    );
    const plan: LogicalPlan = {
      kind: 'over',
      input: projected,
      partitionKeys,
      orderKeys,
      frame,
      calls,
      schema: new Schema([...preSchema.fields, ...callFields]),
    };
    const base = pre.length;
    const substitute = (e: Expr): Rex | null => {
      const i = overs.indexOf(e as Extract<Expr, { kind: 'over' }>);
      return i < 0 ? null : Rex.input(base + i, (callFields[i] as Field).type);
    };
    return { plan, substitute };
  }

  private overFrame(w: WindowSpecAst): OverFrame {
    if (w.frame === null) return { unit: 'RANGE', preceding: Infinity };
    const f = w.frame;
    if (f.end !== null && f.end.kind !== 'currentRow')
      throw new UnsupportedError('OVER frames that end after the current row', this.source, f.end.span);
    const start = f.start;
    if (start.kind === 'unboundedPreceding') return { unit: f.unit, preceding: Infinity };
    if (start.kind === 'currentRow') return { unit: f.unit, preceding: 0 };
    if (start.kind !== 'preceding')
      throw new UnsupportedError('OVER frames that start after the current row', this.source, start.span);
    const r = this.exprBinder(new Scope([])).bind(start.offset);
    if (f.unit === 'ROWS') {
      if (r.kind !== 'literal' || (typeof r.value !== 'number' && typeof r.value !== 'bigint'))
        this.fail('ROWS n PRECEDING needs an integer literal', start.offset.span);
      return { unit: 'ROWS', preceding: Number(r.value) };
    }
    if (r.kind !== 'literal' || r.type.kind !== 'INTERVAL' || r.type.family !== 'DAY_TIME')
      this.fail(
        'RANGE ... PRECEDING over a time attribute needs a day-time INTERVAL literal',
        start.offset.span,
      );
    return { unit: 'RANGE', preceding: r.value as number };
  }

  private sortKey(o: OrderItem, col: number): SortKey {
    const descending = o.direction === 'DESC';
    // Flink (Calcite) orders NULLs as the smallest value: first ascending, last descending.
    return { col, descending, nullsFirst: o.nulls === null ? !descending : o.nulls === 'FIRST' };
  }

  // ---- set operations and ORDER BY ------------------------------------------------------------------------

  private setOp(q: SetOperation): LogicalPlan {
    const inputs = [this.query(q.left), this.query(q.right)];
    const [first, second] = inputs as [LogicalPlan, LogicalPlan];
    if (first.schema.size !== second.schema.size) {
      this.fail(
        `the inputs of UNION have different numbers of columns (${first.schema.size} and ${second.schema.size})`,
        q.span,
      );
    }
    const types: LogicalType[] = first.schema.fields.map((f, i) => {
      const other = second.schema.field(i).type;
      const t = commonType([f.type, other]);
      if (t === null)
        this.fail(
          `column ${i + 1} of UNION has incompatible types ${formatType(f.type)} and ${formatType(other)}`,
          q.span,
        );
      // A time attribute survives a union only when both sides carry the same one (Flink's leastRestrictive keeps
      // a time indicator common to all inputs, so a window over a UNION ALL of two rowtime streams is valid); the
      // common type itself comes back without it.
      const keep =
        f.type.kind === other.kind &&
        'timeAttribute' in f.type &&
        'timeAttribute' in other &&
        f.type.timeAttribute !== undefined &&
        f.type.timeAttribute === other.timeAttribute;
      return keep && (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ')
        ? ({ ...t, timeAttribute: (f.type as { timeAttribute?: 'rowtime' | 'proctime' }).timeAttribute } as LogicalType)
        : withoutTimeAttribute(t);
    });
    const schema = new Schema(
      first.schema.fields.map((f, i) => ({ name: f.name, type: types[i] as LogicalType })),
    );
    const aligned = inputs.flatMap((p) => {
      const exprs = p.schema.fields.map((f, i) => coerceTo(Rex.input(i, f.type), types[i] as LogicalType));
      const same = exprs.every((e, i) => e.kind === 'input' && e.index === i);
      const plan: LogicalPlan = same
        ? p
        : {
            kind: 'project',
            input: p,
            exprs,
            schema: new Schema(
              p.schema.fields.map((f, i) => ({ name: f.name, type: (exprs[i] as Rex).type })),
            ),
          };
      return plan.kind === 'union' ? plan.inputs : [plan];
    });
    if (q.op !== 'UNION') return intersectOrExcept(q.op, aligned.length === 2 ? aligned : alignedSides(inputs, types), schema, q.all);
    const union: LogicalPlan = { kind: 'union', inputs: aligned, schema };
    return q.all ? union : distinct(union);
  }

  /** ORDER BY / LIMIT / OFFSET / FETCH: keys name output columns (by name, alias or position). */
  private ordered(q: Extract<Query, { kind: 'ordered' }>): LogicalPlan {
    let input = this.query(q.input);
    const visible = input.schema.size;
    let scope = new Scope(
      input.schema.fields.map((f, i) => ({ name: f.name, qualifier: null, type: f.type, index: i })),
    );
    // ORDER BY what the SELECT list does not show (a column of the FROM, an expression): as Calcite does, the
    // SELECT gets hidden columns to sort by, which a projection above the sort drops again.
    const hidden = q.orderBy.filter((o) => o.expr.kind !== 'numberLit' && !this.isOutputColumn(o.expr, scope));
    const sel = q.input;
    if (hidden.length > 0 && sel.kind === 'select' && !sel.distinct) {
      const extra = hidden.map((o, i) => ({ kind: 'expr' as const, span: o.expr.span, expr: o.expr, alias: { value: `$order${i}`, span: o.expr.span, quoted: true } }));
      input = this.select({ ...sel, items: [...sel.items, ...extra] });
      scope = new Scope([
        ...scope.columns,
        ...hidden.map((_o, i) => ({ name: `$order${i}`, qualifier: null, type: input.schema.field(visible + i).type, index: visible + i })),
      ]);
    }
    const hiddenAt = new Map(hidden.map((o, i) => [o, visible + i]));
    const keys = q.orderBy.map((o) => {
      const at = input.schema.size > visible ? hiddenAt.get(o) : undefined;
      if (at !== undefined) return this.sortKey(o, at);
      if (o.expr.kind === 'numberLit') {
        const n = Number(o.expr.text);
        if (!Number.isInteger(n) || n < 1 || n > input.schema.size)
          this.fail(
            `ORDER BY position ${o.expr.text} is not in the SELECT list (1..${input.schema.size})`,
            o.expr.span,
          );
        return this.sortKey(o, n - 1);
      }
      const r = this.exprBinder(scope).bind(o.expr);
      if (r.kind !== 'input')
        throw new UnsupportedError(
          'ORDER BY an expression that is not a column of the SELECT list',
          this.source,
          o.expr.span,
        );
      return this.sortKey(o, r.index);
    });
    const count = (e: Expr | null, what: string): number | null => {
      if (e === null) return null;
      const r = this.exprBinder(new Scope([])).bind(e);
      const v = r.kind === 'literal' ? r.value : null;
      if ((typeof v !== 'number' && typeof v !== 'bigint') || Number(v) < 0 || !Number.isInteger(Number(v)))
        this.fail(`${what} must be a non-negative integer literal`, e.span);
      return Number(v);
    };
    const fetch = count(q.fetch, 'FETCH') ?? count(q.limit, 'LIMIT');
    const offset = count(q.offset, 'OFFSET') ?? 0;
    if (keys.length === 0 && fetch === null && offset === 0) return input;
    const sorted: LogicalPlan = { kind: 'sort', input, keys, offset, fetch, schema: input.schema };
    if (input.schema.size === visible) return sorted;
    const shown = new Schema(input.schema.fields.slice(0, visible));
    return { kind: 'project', input: sorted, exprs: shown.fields.map((f, i) => Rex.input(i, f.type)), schema: shown };
  }

  /** Whether an ORDER BY expression is a column of the SELECT list (by name), without binding errors. */
  private isOutputColumn(e: Expr, scope: Scope): boolean {
    try {
      return this.exprBinder(scope).bind(e).kind === 'input';
    } catch {
      return false;
    }
  }
}

const LEGACY_WINDOWS = ['TUMBLE', 'HOP', 'SESSION'];

function callName(e: Extract<Expr, { kind: 'call' }>): string {
  return e.name.parts
    .map((p) => p.value)
    .join('.')
    .toUpperCase();
}

/** `l = r` of IN; for NOT IN also TRUE when either side is NULL (the anti join then drops the row). */
function inCondition(l: Rex, r: Rex, nullAware: boolean): Rex {
  const eq = Rex.call('EQUALS', [l, r], Types.BOOLEAN(l.type.nullable || r.type.nullable));
  if (!nullAware) return eq;
  const terms = [eq, ...[l, r].filter((x) => x.type.nullable).map((x) => Rex.call('IS_NULL', [x], Types.BOOLEAN(false)))];
  return terms.length === 1 ? eq : Rex.call('OR', terms, Types.BOOLEAN(eq.type.nullable));
}

/** The AND-ed terms of a condition as written. */
function andTerms(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'AND' ? [...andTerms(e.left), ...andTerms(e.right)] : [e];
}

function scoped(plan: LogicalPlan, qualifier: string | null): { plan: LogicalPlan; scope: Scope } {
  return {
    plan,
    scope: new Scope(plan.schema.fields.map((f, i) => ({ name: f.name, qualifier, type: f.type, index: i }))),
  };
}

/** Both sides of a set operation cast to the common column types, unflattened. */
function alignedSides(inputs: readonly LogicalPlan[], types: readonly LogicalType[]): LogicalPlan[] {
  return inputs.map((p) => ({
    kind: 'project',
    input: p,
    exprs: p.schema.fields.map((f, i) => coerceTo(Rex.input(i, f.type), types[i] as LogicalType)),
    schema: new Schema(p.schema.fields.map((f, i) => ({ name: f.name, type: types[i] as LogicalType }))),
  }));
}

/**
 * INTERSECT / EXCEPT (distinct) as Calcite's set-op-to-aggregate rewrite: tag each side's rows, union them,
 * count the tags per distinct row (GROUP BY treats NULLs as equal, as set operations must), and keep the rows
 * seen on both sides (INTERSECT) or only on the left (EXCEPT). Over updating inputs the counts retract.
 */
function intersectOrExcept(op: 'INTERSECT' | 'EXCEPT', sides: readonly LogicalPlan[], schema: Schema, all = false): LogicalPlan {
  const n = schema.size;
  const int = Types.INT(false);
  const tagged = sides.map((side, s) => ({
    kind: 'project' as const,
    input: side,
    exprs: [...schema.fields.map((f, i) => Rex.input(i, f.type)), Rex.literal(s === 0 ? 1 : 0, int), Rex.literal(s === 0 ? 0 : 1, int)],
    schema: new Schema([...schema.fields, { name: '$left', type: int }, { name: '$right', type: int }]),
  }));
  const union: LogicalPlan = { kind: 'union', inputs: tagged, schema: (tagged[0] as LogicalPlan).schema };
  const sum = (col: number, name: string): AggregateCall => ({ kind: 'SUM', args: [col], distinct: false, filterArg: -1, resultType: Types.INT(), name });
  const aggSchema = new Schema([
    ...schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })),
    { name: '$left', type: Types.INT() },
    { name: '$right', type: Types.INT() },
  ]);
  const agg: LogicalPlan = { kind: 'aggregate', input: union, groupKeys: schema.fields.map((_f, i) => i), aggCalls: [sum(n, '$left'), sum(n + 1, '$right')], schema: aggSchema };
  const zero = Rex.literal(0, int);
  const bool = Types.BOOLEAN();
  const left = Rex.call('GREATER_THAN', [Rex.input(n, Types.INT()), zero], bool);
  const right = Rex.call(op === 'INTERSECT' ? 'GREATER_THAN' : 'EQUALS', [Rex.input(n + 1, Types.INT()), zero], bool);
  if (all) return replicated(op, agg, schema);
  const filtered: LogicalPlan = { kind: 'filter', input: agg, condition: Rex.call('AND', [left, right], bool), schema: aggSchema };
  return {
    kind: 'project',
    input: filtered,
    exprs: schema.fields.map((f, i) => Rex.input(i, withoutTimeAttribute(f.type))),
    schema: new Schema(schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) }))),
  };
}

/**
 * INTERSECT ALL / EXCEPT ALL as Calcite's and Flink's rewrite (FlinkRewriteIntersectAllRule, …MinusAllRule): from
 * the per-row counts of each side, a row comes out min(left, right) times (INTERSECT ALL) or left - right times
 * (EXCEPT ALL), replicated by a table function as Flink's $REPLICATE_ROWS$ does.
 */
function replicated(op: 'INTERSECT' | 'EXCEPT', agg: LogicalPlan, schema: Schema): LogicalPlan {
  const n = schema.size;
  const int = Types.INT();
  const bool = Types.BOOLEAN();
  const l = Rex.call('COALESCE', [Rex.input(n, int), Rex.literal(0, Types.INT(false))], Types.INT(false));
  const r = Rex.call('COALESCE', [Rex.input(n + 1, int), Rex.literal(0, Types.INT(false))], Types.INT(false));
  const times = op === 'INTERSECT' ? Rex.call('LEAST', [l, r], Types.INT(false)) : Rex.call('MINUS', [l, r], Types.INT(false));
  const cols = agg.schema.fields.slice(0, n);
  const counted = new Schema([...cols, { name: '$times', type: Types.INT(false) }]);
  const filtered: LogicalPlan = { kind: 'filter', input: agg, condition: Rex.call('GREATER_THAN', [times, Rex.literal(0, Types.INT(false))], bool), schema: agg.schema };
  const withTimes: LogicalPlan = { kind: 'project', input: filtered, exprs: [...cols.map((f, i) => Rex.input(i, f.type)), times], schema: counted };
  const fn: UserTableFunction = {
    name: '$REPLICATE_ROWS$',
    fields: [{ name: '$copy', type: Types.INT(false) }],
    invoke: (args, collect) => {
      const k = Number(args[0] ?? 0);
      for (let i = 1; i <= k; i++) collect([i]);
    },
  };
  const rows: LogicalPlan = {
    kind: 'correlate',
    input: withTimes,
    fn: { kind: 'udtf', fn },
    args: [Rex.input(n, Types.INT(false))],
    joinType: 'INNER',
    schema: new Schema([...counted.fields, { name: '$copy', type: Types.INT(false) }]),
  };
  return { kind: 'project', input: rows, exprs: cols.map((f, i) => Rex.input(i, f.type)), schema: new Schema(cols) };
}

/** SELECT DISTINCT / UNION: an aggregate grouping by every column, with no aggregate calls. */
function distinct(plan: LogicalPlan): LogicalPlan {
  const schema = new Schema(
    plan.schema.fields.map((f) => ({ name: f.name, type: withoutTimeAttribute(f.type) })),
  );
  return {
    kind: 'aggregate',
    input: plan,
    groupKeys: plan.schema.fields.map((_f, i) => i),
    aggCalls: [],
    schema,
  };
}

function itemName(alias: Ident | null, e: Expr, position: number): string {
  if (alias !== null) return alias.value;
  if (e.kind === 'ident') return e.name.parts[e.name.parts.length - 1]?.value ?? `EXPR$${position}`;
  return `EXPR$${position}`;
}

export function rowtimeType(t: LogicalType): LogicalType {
  return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' ? { ...t, timeAttribute: 'rowtime' } : t;
}

/** Flink's SqlValidatorUtil.uniquify: a repeated name gets a numeric suffix (`a`, `a0`, `a1`, ...). */
export function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 0; used.has(name); k++) name = `${n}${k}`;
    used.add(name);
    return name;
  });
}

/** `r` as type `t` (ignoring nullability and time attributes), through a CAST when they differ. */
export function coerceTo(r: Rex, t: LogicalType): Rex {
  const norm = (x: LogicalType): string => formatType(withNullability(withoutTimeAttribute(x), true));
  if (norm(r.type) === norm(t)) return r;
  if (r.kind === 'literal' && r.value === null) return Rex.literal(null, withNullability(t, true));
  return Rex.cast(r, withNullability(t, r.type.nullable), false);
}

export { formatPath };
