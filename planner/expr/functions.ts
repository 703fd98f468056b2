// The function catalog for user-defined functions: scalar, table and aggregate functions registered through the
// TableEnvironment, looked up by the binder before the built-ins (as Flink's temporary system functions shadow
// built-ins). Names are case-insensitive; one name is one function of one kind.
import type { Field, LogicalType, UserAggregate, Value } from '../../executor/index.js';
import type { Catalog } from '../catalog/catalog.js';
import type { UserFunction } from './rex.js';

/**
 * A table function as the planner and runtime see it (Flink's TableFunction): `invoke` calls `collect` once per
 * output row, each row the values of `fields` in order.
 */
export interface UserTableFunction {
  readonly name: string;
  readonly fields: readonly Field[];
  readonly argTypes?: readonly LogicalType[];
  readonly invoke: (args: readonly Value[], collect: (row: readonly Value[]) => void) => void;
}

/** An aggregate function (Flink's AggregateFunction) with its declared result and accumulator types. */
export interface UserAggregateFunction extends UserAggregate {
  readonly resultType: LogicalType;
  readonly accumulatorType?: LogicalType;
  readonly argTypes?: readonly LogicalType[];
}

export type RegisteredFunction =
  | { readonly kind: 'scalar'; readonly fn: UserFunction }
  | { readonly kind: 'table'; readonly fn: UserTableFunction }
  | { readonly kind: 'aggregate'; readonly fn: UserAggregateFunction };

/** What DESCRIBE FUNCTION shows (Flink's info rows): how a function was created. */
export interface FunctionInfo {
  /** The name as written at creation (SHOW USER FUNCTIONS lists it). */
  readonly name: string;
  /** CREATE FUNCTION's `'module#Export'`, or the class (constructor) name of an API-registered instance. */
  readonly identifier: string;
  readonly language: 'JAVASCRIPT' | 'TYPESCRIPT';
  readonly temporary: boolean;
  readonly system: boolean;
  /** The catalog and database of a catalog function (null for system functions). */
  readonly path: string | null;
}

export class FunctionRegistry {
  private readonly fns = new Map<string, RegisteredFunction>();
  private readonly infos = new Map<string, FunctionInfo>();

  /** Records how `name` was created (CREATE FUNCTION or the API). */
  setInfo(info: FunctionInfo): void {
    this.infos.set(info.name.toUpperCase(), info);
  }

  info(name: string): FunctionInfo | undefined {
    return this.infos.get(name.toUpperCase());
  }

  /** The user functions as created, by name. */
  userFunctions(): FunctionInfo[] {
    return [...this.fns.keys()].map(
      (k) => this.infos.get(k) ?? { name: k.toLowerCase(), identifier: '', language: 'JAVASCRIPT', temporary: true, system: true, path: null },
    );
  }

  /** Registers a scalar function (the original entry point, kept for its callers). */
  register(fn: UserFunction): void {
    this.fns.set(fn.name.toUpperCase(), { kind: 'scalar', fn });
  }

  registerFunction(f: RegisteredFunction): void {
    this.fns.set(f.fn.name.toUpperCase(), f);
  }

  drop(name: string): boolean {
    this.infos.delete(name.toUpperCase());
    return this.fns.delete(name.toUpperCase());
  }

  /** The scalar function of that name (names are case-insensitive, like Flink's). */
  get(name: string): UserFunction | undefined {
    const f = this.fns.get(name.toUpperCase());
    return f?.kind === 'scalar' ? f.fn : undefined;
  }

  getTable(name: string): UserTableFunction | undefined {
    const f = this.fns.get(name.toUpperCase());
    return f?.kind === 'table' ? f.fn : undefined;
  }

  getAggregate(name: string): UserAggregateFunction | undefined {
    const f = this.fns.get(name.toUpperCase());
    return f?.kind === 'aggregate' ? f.fn : undefined;
  }

  lookup(name: string): RegisteredFunction | undefined {
    return this.fns.get(name.toUpperCase());
  }

  names(): string[] {
    return [...this.fns.keys()];
  }
}

// One registry per catalog, kept beside it so the catalog type does not have to change shape for it.
const registries = new WeakMap<Catalog, FunctionRegistry>();

export function functionsOf(catalog: Catalog): FunctionRegistry {
  let r = registries.get(catalog);
  if (r === undefined) {
    r = new FunctionRegistry();
    registries.set(catalog, r);
  }
  return r;
}
