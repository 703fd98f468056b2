// User-defined functions as TypeScript classes, the shapes of Flink's ScalarFunction, TableFunction and
// AggregateFunction (docs/dev/table/functions/udfs). Types are declared on the instance (`resultType`,
// `accumulatorType`, `argTypes`) where Flink reads annotations or reflection; `toRegistered` turns an instance
// into the planner's function record, which `createTemporarySystemFunction` stores.
import type { LogicalType, Value } from '../../executor/index.js';
import type { DataTypeAst } from '../../parser/index.js';
import { toLogicalType } from '../types.js';
import type { RegisteredFunction } from '../expr/functions.js';
import type { UserFunction } from '../expr/rex.js';

/**
 * A scalar function: `eval` maps one row's arguments to one value of `resultType`. Arguments arrive as engine
 * Values (NULL as null, BIGINT and DECIMAL as bigint); with `argTypes` they are checked and cast to them.
 */
export abstract class ScalarFunction<T extends Value = Value> {
  abstract readonly resultType: DeclaredType;
  abstract eval(...args: never[]): T;
}

/**
 * Optional members a function class may declare (not in the base classes, so that a subclass declares them
 * without `override`): `argTypes` checks and casts the arguments; an AggregateFunction's `accumulatorType`,
 * `retract(acc, ...args)` and `merge(acc, others)`.
 */
export interface FunctionExtras<ACC = unknown> {
  readonly argTypes?: readonly DeclaredType[];
  readonly accumulatorType?: DeclaredType;
  retract?(acc: ACC, ...args: never[]): void;
  merge?(acc: ACC, others: Iterable<ACC>): void;
}

function extras(def: object): FunctionExtras {
  return def as FunctionExtras;
}

/**
 * A table function (Flink's TableFunction<T>): `eval` is called once per input row and emits any number of rows
 * with `this.collect(row)`. A ROW `resultType` gives one column per field (named by the field); any other type
 * one column named `f0` (Flink's name for an atomic result). `T` types the rows `collect` takes.
 */
export abstract class TableFunction<T extends readonly Value[] = Value[]> {
  abstract readonly resultType: DeclaredType;
  /** Set by the runtime around each `eval` call. */
  private collector: ((row: readonly Value[]) => void) | null = null;

  abstract eval(...args: never[]): void;

  /** Emits one output row: the values of the result columns, in order. */
  protected collect(row: T): void {
    if (this.collector === null) throw new Error(`${this.constructor.name}.collect() called outside eval()`);
    this.collector(row);
  }

  /** @internal The runtime's entry: calls `eval(...args)` with `collect` routed to `out`. */
  invokeWith(args: readonly Value[], out: (row: readonly Value[]) => void): void {
    this.collector = out;
    try {
      (this.eval as (...a: readonly Value[]) => void)(...args);
    } finally {
      this.collector = null;
    }
  }
}

/**
 * An aggregate function (Flink's AggregateFunction<T, ACC>): `createAccumulator` starts a group, `accumulate`
 * adds a row's arguments, `retract` takes them back (needed when the input updates), `merge` folds other
 * accumulators in (needed by window and two-phase aggregation), `getValue` gives the result. The accumulator
 * must be a mutable plain-data object (objects, arrays, Maps): it is kept in state and checkpointed as data, so
 * it loses any class prototype on restore.
 */
export abstract class AggregateFunction<T extends Value = Value, ACC = unknown> {
  abstract readonly resultType: DeclaredType;
  abstract createAccumulator(): ACC;
  abstract accumulate(acc: ACC, ...args: never[]): void;
  abstract getValue(acc: ACC): T;
}

/**
 * The kind a function class declares, found on its prototype chain under a registry-wide symbol: a class from a
 * module loaded by CREATE FUNCTION may extend another copy of these classes (the package installed beside the
 * module, or dist/ beside the sources), where `instanceof` would say no.
 */
const KIND = Symbol.for('freshet.udf.kind');
for (const [cls, kind] of [
  [ScalarFunction, 'scalar'],
  [TableFunction, 'table'],
  [AggregateFunction, 'aggregate'],
] as const)
  Object.defineProperty(cls.prototype, KIND, { value: kind, enumerable: false });

export type FunctionClassKind = 'scalar' | 'table' | 'aggregate';

/**
 * Where a function created by CREATE FUNCTION came from: the module's file URL and export. A plan that calls it
 * carries this instead of the function's code, and every slot or TaskManager loads the module again
 * (planner/physical/serialize.ts), as Flink ships a UDF's class name and loads the class from the user jar in each
 * task. Functions registered as instances through the Table API have no origin: their code cannot be shipped.
 */
export interface FunctionOrigin {
  readonly name: string;
  readonly kind: FunctionClassKind;
  /** A file: URL (resolved at CREATE time, so the working directory of the slot does not matter). */
  readonly module: string;
  readonly exportName: string;
  readonly language: 'JAVASCRIPT' | 'TYPESCRIPT';
}

/** The key of a loaded instance's and its registered runtime function's origin (not enumerable). */
export const FUNCTION_ORIGIN = Symbol.for('freshet.udf.origin');

/** The origin of a function loaded by CREATE FUNCTION (the instance or the registered runtime object), if any. */
export function functionOriginOf(x: object): FunctionOrigin | undefined {
  return (x as Record<symbol, FunctionOrigin | undefined>)[FUNCTION_ORIGIN];
}

/** Marks the runtime object made from a loaded instance with the instance's origin. */
function withOrigin<T extends object>(fn: T, definition: object): T {
  const origin = functionOriginOf(definition);
  if (origin !== undefined) Object.defineProperty(fn, FUNCTION_ORIGIN, { value: origin, enumerable: false });
  return fn;
}

/** 'scalar' / 'table' / 'aggregate' for an instance of a subclass of the public function classes, else null. */
export function functionKindOf(x: unknown): FunctionClassKind | null {
  if (typeof x !== 'object' || x === null) return null;
  const k = (x as Record<symbol, unknown>)[KIND];
  return k === 'scalar' || k === 'table' || k === 'aggregate' ? k : null;
}

/** A declared type: an engine LogicalType (`Types.INT()`) or a Table API DataType (`DataTypes.INT()`). */
export type DeclaredType = LogicalType | DataTypeAst;

function resolve(t: DeclaredType): LogicalType {
  return 'params' in t ? toLogicalType(t, '') : t;
}

/** Any AggregateFunction subclass instance, whatever its accumulator type. */
export interface AggregateFunctionLike {
  readonly resultType: DeclaredType;
  createAccumulator(): unknown;
  accumulate(acc: never, ...args: never[]): void;
  getValue(acc: never): Value;
}

/** What `createTemporarySystemFunction` accepts: a function class instance, or a plain scalar definition. */
export type FunctionDefinition =
  ScalarFunction | TableFunction<readonly Value[]> | AggregateFunctionLike | Omit<UserFunction, 'name'>;

function argTypesOf(def: object): { argTypes?: readonly LogicalType[] } {
  const a = extras(def).argTypes;
  return a === undefined ? {} : { argTypes: a.map(resolve) };
}

/** The result columns of a table function's declared type. */
function tableFields(t: LogicalType): { name: string; type: LogicalType }[] {
  return t.kind === 'ROW' ? t.fields.map((f) => ({ name: f.name, type: f.type })) : [{ name: 'f0', type: t }];
}

export function toRegistered(name: string, definition: FunctionDefinition): RegisteredFunction {
  const r = registeredOf(name, definition);
  withOrigin(r.fn, definition);
  return r;
}

function registeredOf(name: string, definition: FunctionDefinition): RegisteredFunction {
  const kind = functionKindOf(definition);
  if (kind === 'table') {
    const def = definition as TableFunction<readonly Value[]>;
    const resultType = resolve(def.resultType);
    if (resultType.kind === 'NULL')
      throw new Error(`table function ${name}: resultType must be a concrete type`);
    return {
      kind: 'table',
      fn: {
        name,
        fields: tableFields(resultType),
        ...argTypesOf(def),
        invoke: (args, collect) => def.invokeWith(args, collect),
      },
    };
  }
  if (kind === 'aggregate') {
    const def = definition;
    const f = def as AggregateFunction<Value, unknown>;
    const x = extras(def);
    const retract = x.retract;
    const merge = x.merge;
    return {
      kind: 'aggregate',
      fn: {
        name,
        resultType: resolve(f.resultType),
        ...(x.accumulatorType !== undefined ? { accumulatorType: resolve(x.accumulatorType) } : {}),
        ...argTypesOf(def),
        createAccumulator: () => f.createAccumulator(),
        accumulate: (acc, ...args) =>
          (f.accumulate as (a: unknown, ...v: Value[]) => void).call(f, acc, ...args),
        retract:
          retract === undefined
            ? undefined
            : (acc, ...args) => (retract as (a: unknown, ...v: Value[]) => void).call(f, acc, ...args),
        merge: merge === undefined ? undefined : (acc, others) => merge.call(f, acc, others),
        getValue: (acc) => f.getValue(acc),
      },
    };
  }
  if (kind === 'scalar') {
    const def = definition as ScalarFunction;
    return {
      kind: 'scalar',
      fn: {
        name,
        resultType: resolve(def.resultType),
        ...argTypesOf(def),
        eval: (...args: Value[]) => (def.eval as (...a: Value[]) => Value).call(def, ...args),
      },
    };
  }
  return { kind: 'scalar', fn: { ...(definition as Omit<UserFunction, 'name'>), name } };
}
