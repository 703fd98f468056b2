// The statements that read or change the session rather than run a query: SHOW, DESCRIBE, SHOW CREATE, SET,
// RESET, USE, DROP, ALTER. Their results are small tables computed here, shaped like Flink's SQL client's.
import { Schema, Types, formatType, type Value } from '../../executor/index.js';
import { ValidationError, closest, type Describe, type ShowCreate, type ShowStatement, type Span } from '../../parser/index.js';
import { formatPath, type Catalog, type CatalogObject, type CatalogTable } from '../catalog/catalog.js';
import { TableResult } from './table-result.js';
import type { FunctionRegistry } from '../expr/functions.js';

function stringTable(column: string, values: readonly string[]): TableResult {
  return TableResult.rows(Schema.of([column, Types.STRING(false)]), values.map((v) => [v]));
}

/** SQL LIKE for SHOW ... LIKE: `%` any run, `_` one character, case-sensitive. */
function likeMatch(value: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 's');
  return re.test(value);
}

export function show(s: ShowStatement, catalog: Catalog, source: string, functionNames: () => string[]): TableResult {
  const filter = (names: string[]): string[] => (s.like === null ? names : names.filter((n) => likeMatch(n, (s.like as { pattern: string }).pattern) !== (s.like as { negated: boolean }).negated));
  const db = (): [string, string] => {
    if (s.from === null) return [catalog.currentCatalog, catalog.currentDatabase];
    const parts = s.from.parts.map((p) => p.value);
    const database = parts[parts.length - 1] as string;
    const cat = parts.length > 1 ? (parts[0] as string) : catalog.currentCatalog;
    if (!catalog.hasDatabase(cat, database)) throw new ValidationError(`Database '${cat}.${database}' does not exist`, source, s.from.span);
    return [cat, database];
  };
  switch (s.what) {
    case 'TABLES':
      return stringTable('table name', filter(catalog.listTables('all', ...db())));
    case 'VIEWS':
      return stringTable('view name', filter(catalog.listTables('view', ...db())));
    case 'DATABASES':
      return stringTable('database name', filter(catalog.listDatabases()));
    case 'CATALOGS':
      return stringTable('catalog name', filter(catalog.listCatalogs()));
    case 'CURRENT CATALOG':
      return stringTable('current catalog name', [catalog.currentCatalog]);
    case 'CURRENT DATABASE':
      return stringTable('current database name', [catalog.currentDatabase]);
    case 'FUNCTIONS':
    case 'USER FUNCTIONS':
      return stringTable('function name', filter(functionNames().sort()));
    case 'COLUMNS': {
      if (s.from === null) throw new ValidationError('SHOW COLUMNS needs FROM <table>', source, s.span);
      return describeObject(lookup(catalog, s.from.parts.map((p) => p.value), source, s.from.span));
    }
    case 'JOBS':
    case 'MODULES':
    case 'FULL MODULES':
      return s.what === 'JOBS' ? stringTable('job id', []) : TableResult.rows(Schema.of(['module name', Types.STRING(false)], ['used', Types.BOOLEAN(false)]), [['core', true]]);
  }
}

export function lookup(catalog: Catalog, parts: readonly string[], source: string, span: Span): CatalogObject {
  const path = catalog.qualify(parts);
  const obj = catalog.get(path);
  if (obj === undefined) {
    const hint = closest(path.name, catalog.listTables());
    throw new ValidationError(`Object '${path.name}' not found within '${path.catalog}.${path.database}'`, source, span, hint ? `did you mean '${hint}'?` : undefined);
  }
  return obj;
}

export function describe(s: Describe, catalog: Catalog, source: string): TableResult {
  return describeObject(lookup(catalog, s.name.parts.map((p) => p.value), source, s.name.span));
}

/** Flink's DESCRIBE layout: name, type, null, key, extras, watermark. */
function describeObject(obj: CatalogObject): TableResult {
  const schema = Schema.of(
    ['name', Types.STRING(false)],
    ['type', Types.STRING(false)],
    ['null', Types.BOOLEAN(false)],
    ['key', Types.STRING()],
    ['extras', Types.STRING()],
    ['watermark', Types.STRING()],
  );
  if (obj.kind === 'view') {
    return TableResult.rows(schema, obj.schema.fields.map((f) => [f.name, formatType({ ...f.type, nullable: true }), f.type.nullable, null, null, null]));
  }
  const rows: Value[][] = obj.columns.map((c, i) => {
    const rowtime = obj.watermark?.column === i;
    const type = rowtime && (c.type.kind === 'TIMESTAMP' || c.type.kind === 'TIMESTAMP_LTZ') ? { ...c.type, timeAttribute: 'rowtime' as const } : c.type;
    const pk = obj.primaryKey?.includes(c.name) === true ? `PRI(${(obj.primaryKey ?? []).join(', ')})` : null;
    return [c.name, formatType({ ...type, nullable: true }), type.nullable && pk === null, pk, c.kind === 'computed' ? `AS ${c.sql}` : c.kind === 'metadata' ? metadataSql(c) : null, rowtime ? (obj.watermark?.sql ?? null) : null];
  });
  return TableResult.rows(schema, rows);
}

const q = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `METADATA FROM 'key' [VIRTUAL]`, as Flink prints a metadata column. */
export function metadataSql(c: { readonly key: string; readonly virtual: boolean }): string {
  return `METADATA FROM ${lit(c.key)}${c.virtual ? ' VIRTUAL' : ''}`;
}

/** The DDL that recreates a table, as SHOW CREATE TABLE prints it. */
export function tableDdl(t: CatalogTable): string {
  const lines = t.columns.map(
    (c) =>
      (c.kind === 'physical' ? `  ${q(c.name)} ${formatType(c.type)}` : c.kind === 'metadata' ? `  ${q(c.name)} ${formatType(c.type)} ${metadataSql(c)}` : `  ${q(c.name)} AS ${c.sql}`) +
      (c.comment !== null ? ` COMMENT ${lit(c.comment)}` : ''),
  );
  if (t.watermark !== null) lines.push(`  WATERMARK FOR ${q((t.columns[t.watermark.column] as { name: string }).name)} AS ${t.watermark.sql}`);
  if (t.primaryKey !== null) lines.push(`  CONSTRAINT ${q(`PK_${t.primaryKey.join('_')}`)} PRIMARY KEY (${t.primaryKey.map(q).join(', ')}) NOT ENFORCED`);
  const opts = Object.entries(t.options).map(([k, v]) => `  ${lit(k)} = ${lit(v)}`);
  const p = t.path;
  return `CREATE ${t.temporary ? 'TEMPORARY ' : ''}TABLE ${q(p.catalog)}.${q(p.database)}.${q(p.name)} (\n${lines.join(',\n')}\n)${t.comment !== null ? `\nCOMMENT ${lit(t.comment)}` : ''} WITH (\n${opts.join(',\n')}\n)\n`;
}

export function showCreate(s: ShowCreate, catalog: Catalog, source: string): TableResult {
  const obj = lookup(catalog, s.name.parts.map((p) => p.value), source, s.name.span);
  if (s.object === 'TABLE' && obj.kind !== 'table') throw new ValidationError(`'${formatPath(obj.path)}' is a view; use SHOW CREATE VIEW`, source, s.name.span);
  if (s.object === 'VIEW' && obj.kind !== 'view') throw new ValidationError(`'${formatPath(obj.path)}' is a table; use SHOW CREATE TABLE`, source, s.name.span);
  const text =
    obj.kind === 'table'
      ? tableDdl(obj)
      : `CREATE ${obj.temporary ? 'TEMPORARY ' : ''}VIEW ${q(obj.path.catalog)}.${q(obj.path.database)}.${q(obj.path.name)}${obj.columnNames.length > 0 ? ` (${obj.columnNames.map(q).join(', ')})` : ''} AS\n${obj.sql}\n`;
  return stringTable('result', [text]);
}

/** SET without a key: the session configuration as key/value rows. */
export function configTable(config: ReadonlyMap<string, string>): TableResult {
  const rows = [...config.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, v]);
  return TableResult.rows(Schema.of(['key', Types.STRING(false)], ['value', Types.STRING(false)]), rows);
}

/**
 * DESCRIBE FUNCTION [EXTENDED] (Flink 1.19's layout: `info name`, `info value`; rows system function, temporary,
 * class name, function language, resource uris, and with EXTENDED the kind and determinism).
 */
export function describeFunction(s: Describe, registry: FunctionRegistry, source: string): TableResult {
  const name = s.name.parts[s.name.parts.length - 1]?.value as string;
  const fn = registry.lookup(name);
  if (fn === undefined) throw new ValidationError(`Function '${s.name.parts.map((p) => p.value).join('.')}' does not exist`, source, s.name.span);
  const info = registry.info(name);
  const rows: [string, string][] = [
    ['system function', String(info?.system ?? true)],
    ['temporary', String(info?.temporary ?? true)],
    ['class name', info?.identifier ?? ''],
    ['function language', info?.language ?? 'JAVASCRIPT'],
    ['resource uris', '[]'],
  ];
  if (s.extended) {
    rows.push(['kind', fn.kind === 'scalar' ? 'SCALAR' : fn.kind === 'table' ? 'TABLE' : 'AGGREGATE']);
    // User functions are never folded or reordered (rex-util's isDeterministic treats every UDF call as such).
    rows.push(['deterministic', 'false']);
  }
  return TableResult.rows(Schema.of(['info name', Types.STRING(false)], ['info value', Types.STRING(false)]), rows);
}
