// The in-memory catalog: `default_catalog.default_database` holds tables (with their physical and computed
// columns, watermark, primary key and connector options). Names resolve case-sensitively, as in Flink.
import type { LogicalType } from '../../executor/index.js';
import type { Rex } from '../expr/rex.js';

export type TableColumn =
  | { readonly kind: 'physical'; readonly name: string; readonly type: LogicalType; readonly comment: string | null }
  /** A computed column: `expr` is bound over the physical columns (input i = i-th physical column). */
  | { readonly kind: 'computed'; readonly name: string; readonly type: LogicalType; readonly expr: Rex; readonly sql: string; readonly comment: string | null };

export interface WatermarkSpec {
  /** The rowtime column (index into `columns`). */
  readonly column: number;
  /** Bound over all columns of the table, physical and computed. */
  readonly expr: Rex;
  readonly sql: string;
}

export interface CatalogTable {
  readonly kind: 'table';
  readonly path: ObjectPath;
  readonly columns: readonly TableColumn[];
  readonly watermark: WatermarkSpec | null;
  readonly primaryKey: readonly string[] | null;
  readonly options: Readonly<Record<string, string>>;
  readonly comment: string | null;
  readonly temporary: boolean;
}

export interface ObjectPath {
  readonly catalog: string;
  readonly database: string;
  readonly name: string;
}

export function formatPath(p: ObjectPath): string {
  return `${p.catalog}.${p.database}.${p.name}`;
}

export class Catalog {
  currentCatalog = 'default_catalog';
  currentDatabase = 'default_database';
  private readonly tables = new Map<string, CatalogTable>();

  /** Qualifies a 1-3 part name with the current catalog and database. */
  qualify(parts: readonly string[]): ObjectPath {
    const name = parts[parts.length - 1] as string;
    const database = parts.length >= 2 ? (parts[parts.length - 2] as string) : this.currentDatabase;
    const catalog = parts.length >= 3 ? (parts[parts.length - 3] as string) : this.currentCatalog;
    return { catalog, database, name };
  }

  getTable(path: ObjectPath): CatalogTable | undefined {
    return this.tables.get(formatPath(path));
  }

  createTable(table: CatalogTable): void {
    this.tables.set(formatPath(table.path), table);
  }

  dropTable(path: ObjectPath): boolean {
    return this.tables.delete(formatPath(path));
  }

  /** Table names of the current database, sorted. */
  listTables(): string[] {
    const prefix = `${this.currentCatalog}.${this.currentDatabase}.`;
    return [...this.tables.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }
}
