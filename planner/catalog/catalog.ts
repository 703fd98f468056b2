// The in-memory catalog: catalogs hold databases, databases hold tables and views (`default_catalog.
// default_database` at start). Tables keep physical and computed columns, the watermark, the primary key and the
// connector options; views keep their query (as AST and text) and are planned where they are used.
// Names resolve case-sensitively, as in Flink.
import type { LogicalType, Schema } from '../../executor/index.js';
import type { Query } from '../../parser/index.js';
import type { Rex } from '../expr/rex.js';

export type TableColumn =
  | { readonly kind: 'physical'; readonly name: string; readonly type: LogicalType; readonly comment: string | null }
  /** A computed column: `expr` is bound over the scan's columns (the physical columns, then the metadata ones). */
  | { readonly kind: 'computed'; readonly name: string; readonly type: LogicalType; readonly expr: Rex; readonly sql: string; readonly comment: string | null }
  /** `c TYPE METADATA [FROM 'key'] [VIRTUAL]`: a value the connector reads beside the record (Kafka's offset, …). */
  | { readonly kind: 'metadata'; readonly name: string; readonly type: LogicalType; readonly key: string; readonly virtual: boolean; readonly comment: string | null };

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
  /** PARTITIONED BY columns (connectors that declare supportsPartitioning): the `k=v/` directories of files. */
  readonly partitionKeys?: readonly string[];
}

export interface CatalogView {
  readonly kind: 'view';
  readonly path: ObjectPath;
  readonly query: Query;
  /** The text the query's spans index into, and the query's own text (for SHOW CREATE VIEW). */
  readonly source: string;
  readonly sql: string;
  /** `CREATE VIEW v (a, b) AS ...`: the column names; empty keeps the query's names. */
  readonly columnNames: readonly string[];
  readonly schema: Schema;
  readonly comment: string | null;
  readonly temporary: boolean;
}

export type CatalogObject = CatalogTable | CatalogView;

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
  private readonly objects = new Map<string, CatalogObject>();
  /** Databases by catalog. */
  private readonly databases = new Map<string, Set<string>>([['default_catalog', new Set(['default_database'])]]);

  /** Qualifies a 1-3 part name with the current catalog and database. */
  qualify(parts: readonly string[]): ObjectPath {
    const name = parts[parts.length - 1] as string;
    const database = parts.length >= 2 ? (parts[parts.length - 2] as string) : this.currentDatabase;
    const catalog = parts.length >= 3 ? (parts[parts.length - 3] as string) : this.currentCatalog;
    return { catalog, database, name };
  }

  get(path: ObjectPath): CatalogObject | undefined {
    return this.objects.get(formatPath(path));
  }

  getTable(path: ObjectPath): CatalogTable | undefined {
    const o = this.get(path);
    return o?.kind === 'table' ? o : undefined;
  }

  /** Adds or replaces an object; the database must exist. */
  put(o: CatalogObject): void {
    if (!this.hasDatabase(o.path.catalog, o.path.database)) throw new Error(`database '${o.path.catalog}.${o.path.database}' does not exist`);
    this.objects.set(formatPath(o.path), o);
  }

  createTable(table: CatalogTable): void {
    this.put(table);
  }

  drop(path: ObjectPath): boolean {
    return this.objects.delete(formatPath(path));
  }

  /** Names of the current database's tables (and views, unless `kind` says otherwise), sorted. */
  listTables(kind: 'table' | 'view' | 'all' = 'all', catalog = this.currentCatalog, database = this.currentDatabase): string[] {
    const prefix = `${catalog}.${database}.`;
    return [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (kind === 'all' || o.kind === kind))
      .map(([k]) => k.slice(prefix.length))
      .sort();
  }

  listCatalogs(): string[] {
    return [...this.databases.keys()].sort();
  }

  listDatabases(catalog = this.currentCatalog): string[] {
    return [...(this.databases.get(catalog) ?? [])].sort();
  }

  hasDatabase(catalog: string, database: string): boolean {
    return this.databases.get(catalog)?.has(database) === true;
  }

  createDatabase(catalog: string, database: string): void {
    const dbs = this.databases.get(catalog);
    if (dbs === undefined) throw new Error(`catalog '${catalog}' does not exist`);
    dbs.add(database);
  }

  /** Drops a database; with `cascade` its objects go too, otherwise it must be empty. */
  dropDatabase(catalog: string, database: string, cascade: boolean): void {
    const prefix = `${catalog}.${database}.`;
    const inside = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    if (inside.length > 0 && !cascade) throw new Error(`database '${catalog}.${database}' is not empty (use CASCADE)`);
    for (const k of inside) this.objects.delete(k);
    this.databases.get(catalog)?.delete(database);
  }
}
