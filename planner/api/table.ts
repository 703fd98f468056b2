// The fluent Table API (Flink's `Table`): an immutable value around a parser AST `Query`. Each operation returns a
// new Table whose query reads the previous one as a subquery in FROM (`SELECT … FROM (<prev>) AS _t`), built from
// AST nodes, and binds it through the same QueryBinder as SQL, so both front doors produce one logical plan.
//
// Every operation is validated when it is called (as in Flink), by binding the new query; a binder error there
// is rethrown naming the call (`where($('x') > 1): Column 'x' not found …`) because the synthesized nodes have no
// source text for a caret to point into.
import type { Schema, Value } from '../../executor/index.js';
import {
  formatQuery,
  SqlError,
  type Expr,
  type FromItem,
  type Ident,
  type Query,
  type Select,
  type SelectItem,
  type Statement,
} from '../../parser/index.js';
import { functionsOf } from '../expr/functions.js';
import type { TableEnvironment } from './table-environment.js';
import type { TableResult } from './table-result.js';
import {
  $,
  Expression,
  ident,
  lit,
  NO_SPAN,
  orderItem,
  qname,
  toExpr,
  INLINE_FUNCTIONS,
  type GroupWindow,
  type OverWindow,
} from './expressions.js';

/** A select/groupBy argument: an Expression, or a column name (`'*'` for all columns). */
export type FieldLike = Expression | string;

type Row = Record<string, Value>;

function fieldExpr(f: FieldLike): Expression {
  return typeof f === 'string' ? $(f) : f;
}

function selectItem(f: FieldLike): SelectItem {
  const e = fieldExpr(f);
  if (
    e.node.kind === 'ident' &&
    e.node.name.parts.length === 1 &&
    (e.node.name.parts[0] as Ident).value === '*'
  )
    return { kind: 'star', span: NO_SPAN, qualifier: null };
  return { kind: 'expr', span: NO_SPAN, expr: e.node, alias: e.alias === null ? null : ident(e.alias) };
}

/** The column name a select item produces when it has one the user can predict (an alias or a plain column). */
function outputName(e: Expression): string | null {
  if (e.alias !== null) return e.alias;
  if (e.node.kind === 'ident') return (e.node.name.parts[e.node.name.parts.length - 1] as Ident).value;
  return null;
}

function columnName(f: FieldLike, op: string): string {
  const e = fieldExpr(f);
  if (e.node.kind !== 'ident' || e.node.name.parts.length !== 1)
    throw new Error(`${op}: expected a column such as $('a'), not ${e.toString()}`);
  return (e.node.name.parts[0] as Ident).value;
}

function subquery(query: Query, alias: string, columns: readonly string[] = []): FromItem {
  // `from('t')` is `SELECT * FROM t`: read the table itself rather than a subquery of it, so that the plan has no
  // identity projection the equivalent SQL does not have (the optimizer merges projections, but not one over a
  // watermark assigner or an OVER window's input).
  if (
    columns.length === 0 &&
    query.kind === 'select' &&
    query.from?.kind === 'table' &&
    query.from.alias === null &&
    query.from.columnAliases.length === 0 &&
    query.items.length === 1 &&
    query.items[0]?.kind === 'star' &&
    query.items[0].qualifier === null &&
    query.where === null &&
    query.groupBy.length === 0 &&
    query.having === null &&
    !query.distinct
  )
    return { ...query.from, alias: ident(alias) };
  return {
    kind: 'subquery',
    span: NO_SPAN,
    query,
    lateral: false,
    alias: { name: ident(alias), columns: columns.map(ident) },
  };
}

function select(items: readonly SelectItem[], from: FromItem | null, extra: Partial<Select> = {}): Select {
  return {
    kind: 'select',
    span: NO_SPAN,
    distinct: false,
    hints: [],
    items,
    from,
    where: null,
    groupBy: [],
    having: null,
    windows: [],
    ...extra,
  };
}

const STAR_ITEM: SelectItem = { kind: 'star', span: NO_SPAN, qualifier: null };

function describeArg(a: unknown): string {
  if (a instanceof Table) return 'Table';
  if (a instanceof Expression) return a.toString();
  if (typeof a === 'string') return `'${a}'`;
  if (typeof a === 'object' && a !== null && 'alias' in a && 'kind' in a)
    return `${(a as GroupWindow).kind} window '${(a as GroupWindow).alias}'`;
  return String(a);
}

export class Table<R extends Row = Row> {
  /** The output schema, resolved when the Table was made. */
  private readonly schema: Schema;

  /** @internal Use `env.from(path)`, `env.sqlQuery(sql)` and the operations. */
  constructor(
    readonly env: TableEnvironment,
    /** The query this Table stands for. */
    readonly query: Query,
    /** The text spans in `query` index into: the SQL of `sqlQuery`, '' for synthesized queries. */
    readonly source: string,
    op: string,
    /** `join(right)` without a condition: the following `where` becomes the join condition. */
    private readonly pendingJoin: { left: Table; right: Table } | null = null,
  ) {
    registerInlineFunctions(env, query);
    this.schema = Table.guard(op, () => env.bindQuery(query, source).schema);
  }

  /** Runs `f`, rethrowing a SQL error as one that names the Table API call instead of pointing into no text. */
  private static guard<T>(op: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof SqlError && op !== '') {
        throw new SqlError(e.kind, `${op}: ${e.message}`, op, { start: 0, end: op.length }, e.hint);
      }
      throw e;
    }
  }

  private derive(name: string, args: readonly unknown[], query: Query): Table {
    return new Table(this.env, query, this.source, `${name}(${args.map(describeArg).join(', ')})`);
  }

  /** `SELECT … FROM (<this>) AS _t`. */
  private from(): FromItem {
    return subquery(this.query, '_t');
  }

  getResolvedSchema(): Schema {
    return this.schema;
  }

  /** The column names, in order. */
  get columns(): string[] {
    return this.schema.names();
  }

  /**
   * A projection. `S` declares the row type `collect()` yields (e.g. `select<{ w: string; n: bigint }>(…)`): the
   * compiler cannot infer column types from `$` names, so the declaration is the caller's (see docs/table-api.md).
   */
  select<S extends Row = Row>(...fields: FieldLike[]): Table<S> {
    return this.derive('select', fields, select(fields.map(selectItem), this.from())) as Table<S>;
  }

  where(condition: Expression): Table<R> {
    if (this.pendingJoin !== null)
      return this.pendingJoin.left.joinOn('join', 'INNER', this.pendingJoin.right, condition) as Table<R>;
    return this.derive(
      'where',
      [condition],
      select([STAR_ITEM], this.from(), { where: condition.node }),
    ) as Table<R>;
  }

  filter(condition: Expression): Table<R> {
    return this.where(condition);
  }

  /** Appends columns; a name that already exists is an error (Flink's addColumns). */
  addColumns(...fields: Expression[]): Table {
    const op = `addColumns(${fields.map(describeArg).join(', ')})`;
    for (const f of fields) {
      const n = outputName(f);
      if (n !== null && this.schema.indexOf(n) >= 0)
        throw new SqlError('validation', `${op}: column '${n}' already exists; use addOrReplaceColumns`, op, {
          start: 0,
          end: op.length,
        });
    }
    return this.derive('addColumns', fields, select([STAR_ITEM, ...fields.map(selectItem)], this.from()));
  }

  /** Appends columns, replacing (in place) an existing column of the same name. */
  addOrReplaceColumns(...fields: Expression[]): Table {
    const byName = new Map<string, Expression>();
    const added: Expression[] = [];
    for (const f of fields) {
      const n = outputName(f);
      if (n !== null && this.schema.indexOf(n) >= 0) byName.set(n, f.alias === null ? f.as(n) : f);
      else added.push(f);
    }
    const items = this.columns.map((c) => selectItem(byName.get(c) ?? $(c)));
    return this.derive(
      'addOrReplaceColumns',
      fields,
      select([...items, ...added.map(selectItem)], this.from()),
    );
  }

  dropColumns(...fields: FieldLike[]): Table {
    const op = `dropColumns(${fields.map(describeArg).join(', ')})`;
    const drop = new Set(fields.map((f) => columnName(f, op)));
    for (const d of drop)
      if (this.schema.indexOf(d) < 0)
        throw new SqlError(
          'validation',
          `${op}: column '${d}' not found (columns: ${this.columns.join(', ')})`,
          op,
          { start: 0, end: op.length },
        );
    const keep = this.columns.filter((c) => !drop.has(c));
    return this.derive(
      'dropColumns',
      fields,
      select(
        keep.map((c) => selectItem($(c))),
        this.from(),
      ),
    );
  }

  /** `renameColumns($('a').as('x'), …)`: the other columns keep their names and order. */
  renameColumns(...fields: Expression[]): Table {
    const op = `renameColumns(${fields.map(describeArg).join(', ')})`;
    const to = new Map<string, string>();
    for (const f of fields) {
      const from = columnName(f, op);
      if (f.alias === null)
        throw new SqlError('validation', `${op}: each argument must be a column with .as(newName)`, op, {
          start: 0,
          end: op.length,
        });
      if (this.schema.indexOf(from) < 0)
        throw new SqlError(
          'validation',
          `${op}: column '${from}' not found (columns: ${this.columns.join(', ')})`,
          op,
          { start: 0, end: op.length },
        );
      to.set(from, f.alias);
    }
    const items = this.columns.map((c) => selectItem(to.has(c) ? $(c).as(to.get(c) as string) : $(c)));
    return this.derive('renameColumns', fields, select(items, this.from()));
  }

  /** Renames all columns by position: `as('a', 'b')` is `SELECT * FROM (<this>) AS _t(a, b)`. */
  as(...names: string[]): Table {
    const op = `as(${names.map(describeArg).join(', ')})`;
    if (names.length !== this.schema.size)
      throw new SqlError(
        'validation',
        `${op}: ${names.length} names for ${this.schema.size} columns (${this.columns.join(', ')})`,
        op,
        { start: 0, end: op.length },
      );
    return this.derive('as', names, select([STAR_ITEM], subquery(this.query, '_t', names)));
  }

  distinct(): Table<R> {
    return this.derive('distinct', [], select([STAR_ITEM], this.from(), { distinct: true })) as Table<R>;
  }

  groupBy(...keys: FieldLike[]): GroupedTable {
    return new GroupedTable(this, keys.map(fieldExpr));
  }

  /**
   * A group window: `window(Tumble.over(lit(10).minutes()).on($('ts')).as('w')).groupBy($('w'), …).select(…)`,
   * or an OVER window: `window(Over.partitionBy($('k')).orderBy($('ts')).preceding(UNBOUNDED_RANGE).as('w'))
   * .select($('k'), $('x').sum.over($('w')))`.
   */
  window(w: GroupWindow): GroupWindowedTable;
  window(w: OverWindow): OverWindowedTable;
  window(w: GroupWindow | OverWindow): GroupWindowedTable | OverWindowedTable {
    return w.kind === 'OVER' ? new OverWindowedTable(this, [w]) : new GroupWindowedTable(this, w);
  }

  /** OVER windows for `select(... .over($(alias)))` (Flink's `Table.window(OverWindow...)`). */
  over(...windows: OverWindow[]): OverWindowedTable {
    return new OverWindowedTable(this, windows);
  }

  /**
   * `flatMap(call('split', $('line')))`: the rows of a table function per row, only its columns (Flink's
   * flatMap); `.as('a', 'b')` on the call renames them.
   */
  flatMap(fn: Expression): Table {
    const item = lateralItem(fn, '_f');
    const query = select([{ kind: 'star', span: NO_SPAN, qualifier: qname('_f') }], {
      kind: 'join',
      span: NO_SPAN,
      joinType: 'COMMA',
      natural: false,
      left: this.from(),
      right: item,
      condition: null,
    });
    return this.derive('flatMap', [fn], query);
  }

  /** `joinLateral(call('split', $('line')).as('word', 'len'), cond?)`: INNER join with a table function. */
  joinLateral(fn: Expression, condition?: Expression): Table {
    return this.lateral('joinLateral', 'INNER', fn, condition ?? lit(true));
  }

  /** `leftOuterJoinLateral(call(...))`: rows without function output stay, with NULLs (ON TRUE only, as Flink). */
  leftOuterJoinLateral(fn: Expression, condition: Expression = lit(true)): Table {
    return this.lateral('leftOuterJoinLateral', 'LEFT', fn, condition);
  }

  private lateral(op: string, joinType: 'INNER' | 'LEFT', fn: Expression, condition: Expression): Table {
    const query = select([STAR_ITEM], {
      kind: 'join',
      span: NO_SPAN,
      joinType,
      natural: false,
      left: subquery(this.query, '_l'),
      right: lateralItem(fn, '_f'),
      condition: { kind: 'on', expr: condition.node },
    });
    return this.derive(op, [fn, condition], query);
  }

  /** A global aggregation with a user-defined aggregate: `aggregate(call('wavg', $('x'), $('w')).as('avg'))`. */
  aggregate(agg: Expression): AggregatedTable {
    return new AggregatedTable(this, [], agg);
  }

  /**
   * Inner join. With a condition it is `JOIN … ON cond`; without one, the next `where(cond)` becomes the join
   * condition (Flink's `left.join(right).where(cond)`). Column names of the two sides must be distinct, as in
   * Flink's Table API (rename one side with `as` or `renameColumns` first).
   */
  join(right: Table, condition?: Expression): Table {
    if (condition !== undefined) return this.joinOn('join', 'INNER', right, condition);
    this.checkDisjoint('join', right);
    const query = select([STAR_ITEM], {
      kind: 'join',
      span: NO_SPAN,
      joinType: 'CROSS',
      natural: false,
      left: subquery(this.query, '_l'),
      right: subquery(right.query, '_r'),
      condition: null,
    });
    return new Table(this.env, query, this.source, 'join(Table)', { left: this, right });
  }

  leftOuterJoin(right: Table, condition: Expression = lit(true)): Table {
    return this.joinOn('leftOuterJoin', 'LEFT', right, condition);
  }

  rightOuterJoin(right: Table, condition: Expression = lit(true)): Table {
    return this.joinOn('rightOuterJoin', 'RIGHT', right, condition);
  }

  fullOuterJoin(right: Table, condition: Expression = lit(true)): Table {
    return this.joinOn('fullOuterJoin', 'FULL', right, condition);
  }

  private checkDisjoint(op: string, right: Table): void {
    const clash = this.columns.filter((c) => right.schema.indexOf(c) >= 0);
    if (clash.length > 0) {
      const text = `${op}(Table)`;
      throw new SqlError(
        'validation',
        `${text}: both sides have the column(s) ${clash.join(', ')}; rename one side first (as or renameColumns)`,
        text,
        { start: 0, end: text.length },
      );
    }
  }

  private joinOn(
    op: string,
    joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL',
    right: Table,
    condition: Expression,
  ): Table {
    this.checkDisjoint(op, right);
    const from: FromItem = {
      kind: 'join',
      span: NO_SPAN,
      joinType,
      natural: false,
      left: subquery(this.query, '_l'),
      right: subquery(right.query, '_r'),
      condition: { kind: 'on', expr: condition.node },
    };
    return this.derive(op, [right, condition], select([STAR_ITEM], from));
  }

  private setOp(op: string, kind: 'UNION' | 'INTERSECT' | 'EXCEPT', all: boolean, right: Table): Table<R> {
    return this.derive(op, [right], {
      kind: 'setOp',
      span: NO_SPAN,
      op: kind,
      all,
      left: this.query,
      right: right.query,
    }) as Table<R>;
  }

  union(right: Table<R>): Table<R> {
    return this.setOp('union', 'UNION', false, right);
  }
  unionAll(right: Table<R>): Table<R> {
    return this.setOp('unionAll', 'UNION', true, right);
  }
  intersect(right: Table<R>): Table<R> {
    return this.setOp('intersect', 'INTERSECT', false, right);
  }
  intersectAll(right: Table<R>): Table<R> {
    return this.setOp('intersectAll', 'INTERSECT', true, right);
  }
  minus(right: Table<R>): Table<R> {
    return this.setOp('minus', 'EXCEPT', false, right);
  }
  minusAll(right: Table<R>): Table<R> {
    return this.setOp('minusAll', 'EXCEPT', true, right);
  }

  /** `orderBy($('x').desc(), $('y'))`; ascending unless `.desc()`. */
  orderBy(...fields: FieldLike[]): Table<R> {
    const exprs = fields.map(fieldExpr);
    return this.derive('orderBy', fields, {
      kind: 'ordered',
      span: NO_SPAN,
      input: this.query,
      orderBy: exprs.map(orderItem),
      limit: null,
      offset: null,
      fetch: null,
    }) as Table<R>;
  }

  /** Skips the first n rows (after orderBy). */
  offset(n: number): Table<R> {
    return this.limits('offset', n, (q) => ({ ...q, offset: toExpr(n) }));
  }

  /** Keeps the first n rows (after orderBy and offset). */
  fetch(n: number): Table<R> {
    return this.limits('fetch', n, (q) => ({ ...q, fetch: toExpr(n) }));
  }

  /** `limit(n)` is `fetch(n)`; `limit(offset, n)` is `offset(offset).fetch(n)`. */
  limit(a: number, b?: number): Table<R> {
    return b === undefined ? this.fetch(a) : this.offset(a).fetch(b);
  }

  /** offset/fetch extend the ORDER BY of the query right below them, or start an unordered one. */
  private limits(op: string, n: number, set: (q: Extract<Query, { kind: 'ordered' }>) => Query): Table<R> {
    const q = this.query;
    const base: Extract<Query, { kind: 'ordered' }> =
      q.kind === 'ordered' &&
      (op === 'fetch'
        ? q.fetch === null && q.limit === null
        : q.offset === null && q.fetch === null && q.limit === null)
        ? q
        : { kind: 'ordered', span: NO_SPAN, input: q, orderBy: [], limit: null, offset: null, fetch: null };
    return this.derive(op, [n], set(base)) as Table<R>;
  }

  /** Runs the query: a TableResult whose `collect()` yields rows keyed by column name. */
  execute(): TableResult {
    const s: Statement = { kind: 'query', span: NO_SPAN, query: this.query };
    return Table.guard('execute()', () => this.env.executeStatement(s, this.source));
  }

  /**
   * The rows of `execute()`, typed with the row type this Table was declared with (`from<R>()`, `select<S>()`).
   * Leaving the loop early cancels the job, so `break` ends an unbounded query.
   */
  async *collect(): AsyncGenerator<R> {
    const result = this.execute();
    try {
      for await (const row of result.collect()) yield row as R;
    } finally {
      result.cancel();
    }
  }

  /** `INSERT INTO tablePath <this>`; the result's `await()` waits for a bounded job to finish. */
  executeInsert(tablePath: string): TableResult {
    const s: Statement = {
      kind: 'insert',
      span: NO_SPAN,
      overwrite: false,
      target: qname(...tablePath.split('.')),
      hints: [],
      partition: [],
      columns: [],
      query: this.query,
    };
    return Table.guard(`executeInsert('${tablePath}')`, () => this.env.executeStatement(s, this.source));
  }

  /** The plan, as `EXPLAIN` prints it for the equivalent SQL. */
  explain(): string {
    return Table.guard('explain()', () => this.env.explainQuery(this.query, this.source));
  }

  /** The query as SQL text (printed from the AST; for reading and debugging). */
  toSql(): string {
    return formatQuery(this.query);
  }

  toString(): string {
    return this.toSql();
  }
}

/** Registers the inline `call(instance, ...)` functions a query calls that `env` does not know yet. */
function registerInlineFunctions(env: TableEnvironment, query: Query): void {
  if (INLINE_FUNCTIONS.size === 0) return;
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) for (const y of x) walk(y);
    else if (typeof x === 'object' && x !== null) {
      const o = x as Record<string, unknown>;
      if (o['kind'] === 'call' && typeof o['name'] === 'object' && o['name'] !== null) {
        const name = ((o['name'] as { parts: Ident[] }).parts ?? []).map((p) => p.value).join('.');
        const def = INLINE_FUNCTIONS.get(name.toUpperCase());
        if (def !== undefined && functionsOf(env.catalog).lookup(name) === undefined)
          env.createTemporarySystemFunction(name, def);
      }
      for (const [k, v] of Object.entries(o)) if (k !== 'span') walk(v);
    }
  };
  walk(query);
}

/** `LATERAL TABLE(f(args)) AS alias(columns)` for a table function call expression. */
function lateralItem(fn: Expression, alias: string): FromItem {
  if (fn.node.kind !== 'call')
    throw new Error(`expected a table function call such as call('split', $('s')), not ${fn.toString()}`);
  return {
    kind: 'tableFunction',
    span: NO_SPAN,
    call: fn.node,
    lateral: true,
    alias: { name: ident(alias), columns: fn.columnAliases.map(ident) },
  };
}

/** Replaces `agg.over($('w'))` references to the named OVER windows by their specs (any depth). */
function inlineOverWindows<T>(node: T, windows: readonly OverWindow[]): T {
  if (Array.isArray(node)) return node.map((n: unknown) => inlineOverWindows(n, windows)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const o = node as Record<string, unknown>;
  if (
    o['kind'] === 'over' &&
    typeof o['window'] === 'object' &&
    o['window'] !== null &&
    'value' in (o['window'] as object)
  ) {
    const name = (o['window'] as Ident).value;
    const w = windows.find((x) => x.alias === name);
    if (w === undefined)
      throw new Error(
        `.over($('${name}')): no OVER window is aliased '${name}' (known: ${windows.map((x) => x.alias).join(', ')})`,
      );
    return { ...o, call: inlineOverWindows(o['call'], windows), window: w.spec } as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === 'span' ? v : inlineOverWindows(v, windows);
  return out as T;
}

/** `table.window(Over…as('w'))`: awaiting `select` with `agg.over($('w'))` calls. */
export class OverWindowedTable {
  constructor(
    private readonly table: Table,
    private readonly windows: readonly OverWindow[],
  ) {}

  select<S extends Row = Row>(...fields: FieldLike[]): Table<S> {
    const items = fields.map((f) => inlineOverWindows(selectItem(f), this.windows));
    const op = `window(${this.windows.map((w) => `Over…as('${w.alias}')`).join(', ')}).select(${fields.map(describeArg).join(', ')})`;
    return new Table<S>(
      this.table.env,
      select(items, subquery(this.table.query, '_t')),
      this.table.source,
      op,
    );
  }
}

/**
 * `groupBy(keys).aggregate(call(udaf, …).as('x'))` / `table.aggregate(…)`: awaiting `select` over the keys and
 * the aggregate's column (Flink's AggregatedTable).
 */
export class AggregatedTable {
  constructor(
    private readonly table: Table,
    private readonly keys: readonly Expression[],
    private readonly agg: Expression,
  ) {}

  select<S extends Row = Row>(...fields: FieldLike[]): Table<S> {
    const name = this.agg.alias ?? 'f0';
    const inner = select(
      [
        ...this.keys.map(selectItem),
        { kind: 'expr', span: NO_SPAN, expr: this.agg.node, alias: ident(name) },
      ],
      subquery(this.table.query, '_t'),
      { groupBy: this.keys.map((k) => ({ kind: 'expr' as const, span: NO_SPAN, expr: k.node })) },
    );
    const op = `${this.keys.length > 0 ? `groupBy(${this.keys.map(describeArg).join(', ')}).` : ''}aggregate(${describeArg(this.agg)}).select(${fields.map(describeArg).join(', ')})`;
    return new Table<S>(
      this.table.env,
      select(fields.map(selectItem), subquery(inner, '_a')),
      this.table.source,
      op,
    );
  }
}

/** `table.groupBy(keys)`: awaiting `select` with the aggregates. */
export class GroupedTable {
  constructor(
    private readonly table: Table,
    private readonly keys: readonly Expression[],
  ) {}

  /** A user-defined aggregate per group: `aggregate(call('wavg', $('x'), $('w')).as('avg')).select(…)`. */
  aggregate(agg: Expression): AggregatedTable {
    return new AggregatedTable(this.table, this.keys, agg);
  }

  select<S extends Row = Row>(...fields: FieldLike[]): Table<S> {
    const query = select(fields.map(selectItem), subquery(this.table.query, '_t'), {
      groupBy: this.keys.map((k) => ({ kind: 'expr' as const, span: NO_SPAN, expr: k.node })),
    });
    return new Table<S>(
      this.table.env,
      query,
      this.table.source,
      `groupBy(${this.keys.map(describeArg).join(', ')}).select(${fields.map(describeArg).join(', ')})`,
    );
  }
}

/** `table.window(w)`: awaiting `groupBy` with the window alias. */
export class GroupWindowedTable {
  constructor(
    private readonly table: Table,
    private readonly window: GroupWindow,
  ) {}

  groupBy(...keys: FieldLike[]): WindowGroupedTable {
    const w = this.window.alias;
    const exprs = keys.map(fieldExpr);
    const isAlias = (e: Expression): boolean =>
      e.node.kind === 'ident' &&
      e.node.name.parts.length === 1 &&
      (e.node.name.parts[0] as Ident).value === w;
    if (!exprs.some(isAlias))
      throw new Error(`window(...).groupBy(...): the group keys must include the window alias $('${w}')`);
    return new WindowGroupedTable(
      this.table,
      this.window,
      exprs.filter((e) => !isAlias(e)),
    );
  }
}

/**
 * A group window aggregation as a window TVF aggregation (Flink plans both the same way):
 * `SELECT … FROM TABLE(TUMBLE(DATA => (<input>), TIMECOL => DESCRIPTOR(ts), SIZE => …))
 *  GROUP BY window_start, window_end, keys`; `$('w').start()` / `.end()` / `.rowtime()` read window_start /
 * window_end / window_time.
 */
export class WindowGroupedTable {
  constructor(
    private readonly table: Table,
    private readonly window: GroupWindow,
    private readonly keys: readonly Expression[],
  ) {}

  select<S extends Row = Row>(...fields: FieldLike[]): Table<S> {
    const w = this.window;
    const arg = (name: string, value: Expr): Expr => ({
      kind: 'namedArg',
      span: NO_SPAN,
      name: ident(name),
      value,
    });
    const args: Expr[] = [
      arg('DATA', { kind: 'subquery', span: NO_SPAN, query: this.table.query }),
      arg('TIMECOL', { kind: 'descriptor', span: NO_SPAN, columns: [ident(w.timeField)] }),
    ];
    if (w.kind === 'TUMBLE') args.push(arg('SIZE', w.size));
    else if (w.kind === 'HOP') args.push(arg('SLIDE', w.slide as Expr), arg('SIZE', w.size));
    else args.push(arg('GAP', w.size));
    const from: FromItem = {
      kind: 'tableFunction',
      span: NO_SPAN,
      call: { kind: 'call', span: NO_SPAN, name: qname(w.kind), args, distinct: false, star: false },
      lateral: false,
      alias: null,
    };
    // `$('w').rowtime()` reads window_time, which a window TVF aggregation must group by to select.
    const readsTime = fields.some((f) => JSON.stringify(fieldExpr(f).node).includes('"value":"window_time"'));
    const groupKeys = [
      $('window_start'),
      $('window_end'),
      ...(readsTime ? [$('window_time')] : []),
      ...this.keys,
    ];
    const query = select(fields.map(selectItem), from, {
      groupBy: groupKeys.map((k) => ({ kind: 'expr' as const, span: NO_SPAN, expr: k.node })),
    });
    const op = `window(${describeArg(w)}).groupBy(${[`$('${w.alias}')`, ...this.keys.map(describeArg)].join(', ')}).select(${fields.map(describeArg).join(', ')})`;
    return new Table<S>(this.table.env, query, this.table.source, op);
  }
}
