// The entry point for embedding programs, the REPL and scripts: executes SQL statements against a catalog.
//
//   SQL text ──parser──▶ AST ──binder──▶ logical plan ──lower──▶ source + compiled operators ──▶ runtime
//
// DDL changes the catalog; a query starts a job whose result is a TableResult.
import { type Schema } from '../../executor/index.js';
import { parseStatements, UnsupportedError, type Query, type Select, type Statement } from '../../parser/index.js';
import { Catalog } from '../catalog/catalog.js';
import { defaultFactories, type FactoryRegistry } from '../catalog/factory.js';
import { StatementBinder } from '../binder/bind-statement.js';
import { explainPlan } from '../logical/plan.js';
import { lower } from '../lower.js';
import { TableResult } from './table-result.js';

export interface EnvironmentSettings {
  readonly mode?: 'streaming' | 'batch';
  readonly parallelism?: number;
  readonly config?: Readonly<Record<string, string>>;
  /** Connector factories; defaults to the built-in ones. */
  readonly factories?: FactoryRegistry;
}

export class TableEnvironment {
  readonly catalog = new Catalog();
  private readonly factories: FactoryRegistry;
  private readonly config = new Map<string, string>();

  private constructor(settings: EnvironmentSettings) {
    this.factories = settings.factories ?? defaultFactories;
    this.config.set('execution.runtime-mode', settings.mode ?? 'streaming');
    this.config.set('parallelism.default', String(settings.parallelism ?? 1));
    for (const [k, v] of Object.entries(settings.config ?? {})) this.config.set(k, v);
  }

  static create(settings: EnvironmentSettings = {}): TableEnvironment {
    return new TableEnvironment(settings);
  }

  getConfig(): { get(key: string): string | undefined; set(key: string, value: string): void } {
    return { get: (k) => this.config.get(k), set: (k, v) => void this.config.set(k, v) };
  }

  /** Executes one SQL statement. Syntax and validation errors throw SqlError; a query starts a job. */
  executeSql(sql: string): TableResult {
    const statements = parseStatements(sql);
    if (statements.length !== 1) {
      throw new Error(`executeSql takes exactly one statement, got ${statements.length}; use executeScript for several`);
    }
    return this.executeStatement(statements[0] as Statement, sql);
  }

  /**
   * Parses a whole script first (so a syntax error anywhere runs nothing), then yields each statement with its
   * result as it executes. The caller reads a query's result before the next statement runs.
   */
  *executeScript(sql: string): Generator<{ statement: Statement; result: TableResult }> {
    for (const statement of parseStatements(sql)) yield { statement, result: this.executeStatement(statement, sql) };
  }

  /** Executes an already parsed statement; `source` is the text its spans index into. */
  executeStatement(s: Statement, source: string): TableResult {
    const binder = new StatementBinder(this.catalog, this.factories, source);
    switch (s.kind) {
      case 'createTable': {
        const table = binder.createTable(s);
        const existing = this.catalog.getTable(table.path);
        if (existing !== undefined) {
          if (s.ifNotExists) return TableResult.ok();
          throw new UnsupportedError(`replacing the existing table '${table.path.name}'`, source, s.name.span);
        }
        this.catalog.createTable(table);
        return TableResult.ok();
      }
      case 'query': {
        const plan = binder.select(selectOf(s.query, source));
        return TableResult.query(plan.schema, lower(plan, this.factories, source));
      }
      case 'createTableAs':
        throw new UnsupportedError('CREATE TABLE ... AS SELECT', source, s.span);
      case 'createView':
        throw new UnsupportedError('CREATE VIEW', source, s.span);
      case 'createFunction':
        throw new UnsupportedError('CREATE FUNCTION', source, s.span);
      case 'createCatalog':
        throw new UnsupportedError('CREATE CATALOG', source, s.span);
      case 'createDatabase':
        throw new UnsupportedError('CREATE DATABASE', source, s.span);
      case 'drop':
        throw new UnsupportedError(`DROP ${s.object}`, source, s.span);
      case 'alterTable':
        throw new UnsupportedError('ALTER TABLE', source, s.span);
      case 'alterView':
        throw new UnsupportedError('ALTER VIEW', source, s.span);
      case 'insert':
        throw new UnsupportedError(s.overwrite ? 'INSERT OVERWRITE' : 'INSERT INTO', source, s.span);
      case 'statementSet':
        throw new UnsupportedError('statement sets', source, s.span);
      case 'set':
        throw new UnsupportedError('SET', source, s.span);
      case 'reset':
        throw new UnsupportedError('RESET', source, s.span);
      case 'show':
        throw new UnsupportedError(`SHOW ${s.what}`, source, s.span);
      case 'showCreate':
        throw new UnsupportedError(`SHOW CREATE ${s.object}`, source, s.span);
      case 'describe':
        throw new UnsupportedError('DESCRIBE', source, s.span);
      case 'explain':
        throw new UnsupportedError('EXPLAIN', source, s.span);
      case 'use':
        throw new UnsupportedError(s.catalog ? 'USE CATALOG' : 'USE', source, s.span);
      case 'stopJob':
        throw new UnsupportedError('STOP JOB', source, s.span);
      case 'help':
        throw new UnsupportedError('HELP', source, s.span);
      case 'quit':
        throw new UnsupportedError('QUIT', source, s.span);
      default: {
        const never: never = s;
        throw new Error(`unhandled statement ${JSON.stringify(never)}`);
      }
    }
  }

  /** The schema a query would produce, without running it. */
  resolveSchema(sql: string): Schema {
    const [s] = parseStatements(sql);
    if (s?.kind !== 'query') throw new Error('resolveSchema takes a query');
    return new StatementBinder(this.catalog, this.factories, sql).select(selectOf(s.query, sql)).schema;
  }

  /** The logical plan of a query as indented text. */
  explainSql(sql: string): string {
    const [s] = parseStatements(sql);
    if (s?.kind !== 'query') throw new Error('explainSql takes a query');
    const plan = new StatementBinder(this.catalog, this.factories, sql).select(selectOf(s.query, sql));
    return `== Abstract Syntax Tree ==\n${explainPlan(plan)}\n`;
  }

  listTables(): string[] {
    return this.catalog.listTables();
  }
}

/** The binder plans single SELECT blocks so far; every other query form is named in an UnsupportedError. */
function selectOf(q: Query, source: string): Select {
  switch (q.kind) {
    case 'select':
      return q;
    case 'values':
      throw new UnsupportedError('VALUES', source, q.span);
    case 'setOp':
      throw new UnsupportedError(q.op, source, q.span);
    case 'with':
      throw new UnsupportedError('WITH (common table expressions)', source, q.span);
    case 'ordered':
      throw new UnsupportedError('ORDER BY, LIMIT, OFFSET and FETCH', source, q.span);
  }
}
