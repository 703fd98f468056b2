// Name resolution scope of a query block: the visible columns with their table qualifier and input position.
import type { LogicalType } from '../../executor/index.js';

export interface ScopeColumn {
  readonly name: string;
  /** The table name or alias the column is reachable through. */
  readonly qualifier: string | null;
  readonly type: LogicalType;
  readonly index: number;
}

export class Scope {
  constructor(readonly columns: readonly ScopeColumn[]) {}

  /** Columns named `name` (optionally under `qualifier`). */
  lookup(name: string, qualifier: string | null): ScopeColumn[] {
    return this.columns.filter((c) => c.name === name && (qualifier === null || c.qualifier === qualifier));
  }

  hasQualifier(q: string): boolean {
    return this.columns.some((c) => c.qualifier === q);
  }

  names(): string[] {
    return this.columns.map((c) => c.name);
  }
}
