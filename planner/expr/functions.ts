// The function catalog for user-defined scalar functions: names registered through the TableEnvironment,
// looked up by the binder before the built-ins (as Flink's temporary system functions shadow built-ins).
import type { Catalog } from '../catalog/catalog.js';
import type { UserFunction } from './rex.js';

export class FunctionRegistry {
  private readonly fns = new Map<string, UserFunction>();

  register(fn: UserFunction): void {
    this.fns.set(fn.name.toUpperCase(), fn);
  }

  drop(name: string): boolean {
    return this.fns.delete(name.toUpperCase());
  }

  /** Names are case-insensitive, like Flink's function names. */
  get(name: string): UserFunction | undefined {
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
