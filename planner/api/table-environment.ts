// The entry point for embedding programs, the REPL and scripts: executes SQL statements against a catalog.
//
//   SQL text ──parser──▶ AST ──binder──▶ logical plan ──lower──▶ source + compiled operators ──▶ runtime
//
// DDL changes the catalog; a query starts a job whose result is a TableResult.
import { Dispatcher, MiniCluster, StandaloneClusterClient, localTaskManagers, newJobId, type JobOverview } from '../../executor/index.js';
import { Schema, Types } from '../../executor/index.js';
import { parseStatements, UnsupportedError, ValidationError, type Span, type Statement } from '../../parser/index.js';
import { Catalog, formatPath, type ObjectPath } from '../catalog/catalog.js';
import { defaultFactories, type FactoryRegistry } from '../catalog/factory.js';
import { StatementBinder } from '../binder/bind-statement.js';
import type { LogicalPlan } from '../logical/plan.js';
import { configTable, describe, describeFunction, show, showCreate } from './statements.js';
import { FunctionLoadError, loadFunction, type LoadedFunction } from '../catalog/function-loader.js';
import { FUNCTION_NAMES } from '../binder/bind-functions.js';
import { functionsOf } from '../expr/functions.js';
import { toRegistered, type FunctionDefinition } from './functions.js';
import { StatementSet, type InsertStatement } from './statement-set.js';
import { explainStatements, parseDuration, planJob } from '../planner.js';
import type { LoweredJob, LoweringOptions } from '../physical/lower.js';
import { TableResult } from './table-result.js';
import { Table } from './table.js';
import type { Value } from '../../executor/index.js';
import { NO_SPAN, qname } from './expressions.js';
import { formatQuery, type Query } from '../../parser/index.js';

export interface EnvironmentSettings {
  readonly mode?: 'streaming' | 'batch';
  readonly parallelism?: number;
  readonly config?: Readonly<Record<string, string>>;
  /** Connector factories; defaults to the built-in ones. */
  readonly factories?: FactoryRegistry;
  /** The Dispatcher jobs are submitted to (SHOW JOBS lists its jobs); by default each environment has its own. */
  readonly dispatcher?: Dispatcher;
  /**
   * A standalone cluster to run every job on: its JobManager's REST address, `host:port` (`freshet jobmanager`'s
   * --rest-port). Jobs are submitted over REST; a query's rows stream back through the JobManager.
   */
  readonly cluster?: string;
  /** The cluster's shared token (`--token`); default: the FRESHET_CLUSTER_TOKEN environment variable. */
  readonly clusterToken?: string;
}

export class TableEnvironment {
  readonly catalog = new Catalog();
  private readonly factories: FactoryRegistry;
  private readonly config = new Map<string, string>();
  /** The configuration at creation, which RESET restores. */
  private readonly defaults: ReadonlyMap<string, string>;
  /** Every query and INSERT job goes through it: SHOW JOBS / STOP JOB, the REST API and the dashboard see them. */
  readonly dispatcher: Dispatcher;
  /** The standalone cluster jobs run on (settings.cluster), or null. */
  private readonly cluster: { readonly address: string; readonly token?: string } | null;

  private constructor(settings: EnvironmentSettings) {
    const clusterToken = (settings.clusterToken ?? process.env['FRESHET_CLUSTER_TOKEN']) || undefined;
    this.cluster = settings.cluster === undefined ? null : { address: settings.cluster, ...(clusterToken === undefined ? {} : { token: clusterToken }) };
    const cluster = this.cluster;
    this.factories = settings.factories ?? defaultFactories;
    this.config.set('execution.runtime-mode', settings.mode ?? 'streaming');
    this.config.set('parallelism.default', String(settings.parallelism ?? 1));
    for (const [k, v] of Object.entries(settings.config ?? {})) this.config.set(k, v);
    this.defaults = new Map(this.config);
    this.dispatcher =
      settings.dispatcher ??
      new Dispatcher({
        configuration: () => Object.fromEntries(this.config),
        // The TaskManagers of wherever jobs run: the shared MiniCluster's under execution.target = mini-cluster.
        taskManagers: () =>
          cluster !== null
            ? new StandaloneClusterClient(cluster.address, cluster.token).rest.taskManagers()
            : (this.config.get('execution.target') ?? process.env['FRESHET_EXECUTION_TARGET'] ?? 'local').toLowerCase() === 'mini-cluster'
            ? MiniCluster.shared().then((c) => c.taskManagers())
            : localTaskManagers(),
      });
  }

  static create(settings: EnvironmentSettings = {}): TableEnvironment {
    return new TableEnvironment(settings);
  }

  /** The standalone cluster's REST client when this environment runs its jobs there (settings.cluster), else null. */
  clusterClient(): StandaloneClusterClient['rest'] | null {
    return this.cluster === null ? null : new StandaloneClusterClient(this.cluster.address, this.cluster.token).rest;
  }

  getConfig(): { get(key: string): string | undefined; set(key: string, value: string): void } {
    return { get: (k) => this.config.get(k), set: (k, v) => void this.config.set(k, v) };
  }

  /**
   * Stops a job; with `savepoint` (a directory, or '' for the job's checkpoint directory) it first takes a
   * savepoint and resolves to its path, from which `SET 'execution.savepoint.path'` resumes (Flink's
   * stop-with-savepoint). The job must run with checkpointing on for a savepoint.
   */
  async stopJob(jobId: string, opts: { savepoint?: string } = {}): Promise<string | null> {
    const r = await this.dispatcher.stopJob(jobId, opts.savepoint === undefined ? {} : { savepoint: opts.savepoint });
    return r.savepoint;
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
        const existing = this.catalog.get(table.path);
        if (existing !== undefined) {
          if (s.ifNotExists) return TableResult.ok();
          throw new ValidationError(`Table or view '${formatPath(table.path)}' already exists`, source, s.name.span);
        }
        this.requireDatabase(table.path, source, s.name.span);
        this.catalog.createTable(table);
        return TableResult.ok();
      }
      case 'query': {
        const plan = binder.query(s.query);
        return this.submit([plan], source, s.span, plan.schema);
      }
      case 'createTableAs': {
        // CTAS: a table with the query's columns, then an INSERT of the query into it.
        const plan = binder.query(s.query);
        const path = this.catalog.qualify(s.name.parts.map((p) => p.value));
        if (this.catalog.get(path) !== undefined) {
          if (s.ifNotExists) return TableResult.ok();
          throw new ValidationError(`Table or view '${formatPath(path)}' already exists`, source, s.name.span);
        }
        if (s.partitionedBy.length > 0) throw new UnsupportedError('PARTITIONED BY', source, s.span);
        const table = binder.tableFromSchema(path, plan.schema, s.options, s.comment, s.temporary, s.span);
        this.requireDatabase(path, source, s.name.span);
        this.catalog.createTable(table);
        const sinkPlan: LogicalPlan = { kind: 'sink', input: plan, table, schema: plan.schema };
        return this.submit([sinkPlan], source, s.span, null);
      }
      case 'createView': {
        const view = binder.createView(s);
        if (this.catalog.get(view.path) !== undefined) {
          if (s.ifNotExists) return TableResult.ok();
          throw new ValidationError(`Table or view '${formatPath(view.path)}' already exists`, source, s.name.span);
        }
        this.requireDatabase(view.path, source, s.name.span);
        this.catalog.put(view);
        return TableResult.ok();
      }
      case 'createFunction':
        return this.createFunction(s, source);
      case 'createCatalog':
        throw new UnsupportedError('CREATE CATALOG (only the in-memory default_catalog exists)', source, s.span);
      case 'createDatabase': {
        const path = this.catalog.qualify([...s.name.parts.map((p) => p.value), '_']);
        const [catalog, database] = [path.catalog, path.database];
        if (this.catalog.hasDatabase(catalog, database)) {
          if (s.ifNotExists) return TableResult.ok();
          throw new ValidationError(`Database '${catalog}.${database}' already exists`, source, s.name.span);
        }
        if (!this.catalog.listCatalogs().includes(catalog)) throw new ValidationError(`Catalog '${catalog}' does not exist`, source, s.name.span);
        this.catalog.createDatabase(catalog, database);
        return TableResult.ok();
      }
      case 'drop':
        return this.drop(s, source);
      case 'alterTable': {
        const obj = this.catalog.get(this.catalog.qualify(s.name.parts.map((p) => p.value)));
        if (obj === undefined || obj.kind !== 'table') {
          if (s.ifExists && obj === undefined) return TableResult.ok();
          throw new ValidationError(`Table '${s.name.parts.map((p) => p.value).join('.')}' does not exist`, source, s.name.span);
        }
        const action = s.action;
        if (action.kind === 'rename') {
          const to = this.catalog.qualify(action.newName.parts.map((p) => p.value));
          if (this.catalog.get(to) !== undefined) throw new ValidationError(`Table or view '${formatPath(to)}' already exists`, source, action.newName.span);
          this.catalog.drop(obj.path);
          this.catalog.put({ ...obj, path: to });
          return TableResult.ok();
        }
        const options = { ...obj.options };
        if (action.kind === 'setOptions') for (const o of action.options) options[o.key] = o.value;
        else for (const k of action.keys) delete options[k];
        binder.checkConnectorOptions(options, obj, s.span);
        this.catalog.put({ ...obj, options });
        return TableResult.ok();
      }
      case 'alterView': {
        const obj = this.catalog.get(this.catalog.qualify(s.name.parts.map((p) => p.value)));
        if (obj === undefined || obj.kind !== 'view') throw new ValidationError(`View '${s.name.parts.map((p) => p.value).join('.')}' does not exist`, source, s.name.span);
        const action = s.action;
        if (action.kind === 'rename') {
          const to = this.catalog.qualify(action.newName.parts.map((p) => p.value));
          if (this.catalog.get(to) !== undefined) throw new ValidationError(`Table or view '${formatPath(to)}' already exists`, source, action.newName.span);
          this.catalog.drop(obj.path);
          this.catalog.put({ ...obj, path: to });
        } else {
          const view = binder.createView({ kind: 'createView', span: s.span, temporary: obj.temporary, ifNotExists: false, name: s.name, columns: [], comment: obj.comment, query: action.query });
          this.catalog.put(view);
        }
        return TableResult.ok();
      }
      case 'insert':
        return this.submit([binder.insert(s)], source, s.span, null);
      case 'statementSet':
        return this.submit(
          s.inserts.map((i) => binder.insert(i)),
          source,
          s.span,
          null,
        );
      case 'set':
        if (s.key === null) return configTable(this.config);
        this.config.set(s.key, s.value ?? '');
        return TableResult.ok();
      case 'reset':
        if (s.key === null) {
          this.config.clear();
          for (const [k, v] of this.defaults) this.config.set(k, v);
        } else if (this.defaults.has(s.key)) this.config.set(s.key, this.defaults.get(s.key) as string);
        else this.config.delete(s.key);
        return TableResult.ok();
      case 'show':
        if (s.what === 'JOBS') return showJobs(this.dispatcher.listJobs());
        if (s.what === 'USER FUNCTIONS') return show(s, this.catalog, source, () => functionsOf(this.catalog).userFunctions().map((f) => f.name));
        return show(s, this.catalog, source, () => this.functionNames());
      case 'showCreate':
        return showCreate(s, this.catalog, source);
      case 'describe':
        if (s.function === true) return describeFunction(s, functionsOf(this.catalog), source);
        return describe(s, this.catalog, source);
      case 'explain': {
        const inner = s.statement;
        let plan: LogicalPlan;
        if (inner.kind === 'query') plan = binder.query(inner.query);
        else if (inner.kind === 'insert') plan = binder.insert(inner);
        else throw new UnsupportedError(`EXPLAIN of ${inner.kind} statements`, source, inner.span);
        return TableResult.rows(Schema.of(['result', Types.STRING(false)]), [[explainStatements([plan], this.lowering(source), s.details)]]);
      }
      case 'use': {
        const parts = s.name.parts.map((p) => p.value);
        if (s.catalog) {
          if (!this.catalog.listCatalogs().includes(parts[0] as string)) throw new ValidationError(`Catalog '${parts[0]}' does not exist`, source, s.name.span);
          this.catalog.currentCatalog = parts[0] as string;
          this.catalog.currentDatabase = this.catalog.listDatabases()[0] ?? 'default_database';
          return TableResult.ok();
        }
        const database = parts[parts.length - 1] as string;
        const catalog = parts.length > 1 ? (parts[0] as string) : this.catalog.currentCatalog;
        if (!this.catalog.hasDatabase(catalog, database)) throw new ValidationError(`Database '${catalog}.${database}' does not exist`, source, s.name.span);
        this.catalog.currentCatalog = catalog;
        this.catalog.currentDatabase = database;
        return TableResult.ok();
      }
      case 'stopJob': {
        // Flink's SQL client: STOP JOB cancels. A savepoint takes time and has a result (its path), which a
        // synchronous executeSql cannot wait for: the embedding API has `await env.stopJob(id, { savepoint })`.
        if (s.withSavepoint) throw new UnsupportedError("STOP JOB ... WITH SAVEPOINT in executeSql (use `await env.stopJob(id, { savepoint: '' })`, the shell or POST /v1/jobs/:jid/stop)", source, s.span);
        if (!this.dispatcher.listJobs().some((j) => j.jid === s.jobId)) throw new ValidationError(`Could not find job '${s.jobId}' (SHOW JOBS lists them)`, source, s.span);
        void this.dispatcher.stopJob(s.jobId);
        return TableResult.ok();
      }
      case 'help':
      case 'quit':
        throw new UnsupportedError(`${s.kind.toUpperCase()} outside the SQL client`, source, s.span);
      default: {
        const never: never = s;
        throw new Error(`unhandled statement ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Validates a statement without starting a job (`freshet --check`): statements that only change the catalog or
   * the session are applied, so later statements see them; queries, INSERTs and CTAS are bound but not run.
   */
  validateStatement(s: Statement, source: string): void {
    const binder = new StatementBinder(this.catalog, this.factories, source);
    switch (s.kind) {
      case 'query':
        binder.query(s.query);
        return;
      case 'insert':
        binder.insert(s);
        return;
      case 'statementSet':
        for (const i of s.inserts) binder.insert(i);
        return;
      case 'explain':
        this.validateStatement(s.statement, source);
        return;
      case 'createTableAs': {
        const plan = binder.query(s.query);
        const path = this.catalog.qualify(s.name.parts.map((p) => p.value));
        if (this.catalog.get(path) !== undefined) {
          if (s.ifNotExists) return;
          throw new ValidationError(`Table or view '${formatPath(path)}' already exists`, source, s.name.span);
        }
        this.requireDatabase(path, source, s.name.span);
        this.catalog.createTable(binder.tableFromSchema(path, plan.schema, s.options, s.comment, s.temporary, s.span));
        return;
      }
      case 'stopJob':
      case 'help':
      case 'quit':
        return;
      default:
        // Catalog and session statements start no job: apply them.
        this.executeStatement(s, source);
    }
  }

  private drop(s: Extract<Statement, { kind: 'drop' }>, source: string): TableResult {
    const parts = s.name.parts.map((p) => p.value);
    switch (s.object) {
      case 'TABLE':
      case 'VIEW': {
        const path = this.catalog.qualify(parts);
        const obj = this.catalog.get(path);
        if (obj === undefined) {
          if (s.ifExists) return TableResult.ok();
          throw new ValidationError(`${s.object === 'TABLE' ? 'Table' : 'View'} with identifier '${formatPath(path)}' does not exist`, source, s.name.span);
        }
        if (obj.kind.toUpperCase() !== s.object) throw new ValidationError(`'${formatPath(path)}' is a ${obj.kind}; use DROP ${obj.kind.toUpperCase()}`, source, s.name.span);
        this.catalog.drop(path);
        return TableResult.ok();
      }
      case 'DATABASE': {
        const database = parts[parts.length - 1] as string;
        const catalog = parts.length > 1 ? (parts[0] as string) : this.catalog.currentCatalog;
        if (!this.catalog.hasDatabase(catalog, database)) {
          if (s.ifExists) return TableResult.ok();
          throw new ValidationError(`Database '${catalog}.${database}' does not exist`, source, s.name.span);
        }
        if (catalog === this.catalog.currentCatalog && database === this.catalog.currentDatabase) {
          throw new ValidationError(`Cannot drop the database '${catalog}.${database}' which is in use`, source, s.name.span);
        }
        try {
          this.catalog.dropDatabase(catalog, database, s.cascade === true);
        } catch (e) {
          throw new ValidationError((e as Error).message, source, s.name.span);
        }
        return TableResult.ok();
      }
      case 'FUNCTION': {
        const registry = functionsOf(this.catalog);
        const name = parts[parts.length - 1] as string;
        const info = registry.lookup(name) === undefined ? undefined : registry.info(name);
        if (registry.lookup(name) === undefined) {
          if (s.ifExists) return TableResult.ok();
          throw new ValidationError(`Function '${this.functionPath(parts, s.system)}' does not exist`, source, s.name.span);
        }
        const temporary = info?.temporary ?? true;
        if (s.temporary !== temporary)
          throw new ValidationError(`Function '${name}' is ${temporary ? 'temporary: use DROP TEMPORARY FUNCTION' : 'a catalog function: use DROP FUNCTION'}`, source, s.name.span);
        registry.drop(name);
        return TableResult.ok();
      }
      case 'CATALOG':
        throw new UnsupportedError(`DROP ${s.object}`, source, s.span);
    }
  }

  private functionPath(parts: readonly string[], system: boolean): string {
    return system ? (parts[parts.length - 1] as string) : formatPath(this.catalog.qualify(parts));
  }

  /**
   * CREATE [TEMPORARY] [SYSTEM] FUNCTION [IF NOT EXISTS] name AS 'module#Export' [LANGUAGE JAVASCRIPT|TYPESCRIPT]
   * (Flink's statement; the identifier names an ES module export instead of a JVM class: function-loader.ts).
   * The class is loaded and checked now, as Flink validates it at CREATE time. One session registry holds all
   * user functions, so a name is one function whatever its catalog and database.
   */
  private createFunction(s: Extract<Statement, { kind: 'createFunction' }>, source: string): TableResult {
    const language = s.language ?? 'JAVASCRIPT';
    if (language !== 'JAVASCRIPT' && language !== 'TYPESCRIPT')
      throw new UnsupportedError(`CREATE FUNCTION ... LANGUAGE ${language} (Freshet loads ES modules: LANGUAGE JAVASCRIPT or TYPESCRIPT with AS 'module#Export')`, source, s.span);
    const parts = s.name.parts.map((p) => p.value);
    if (s.system && parts.length > 1) throw new ValidationError('A system function is named without catalog or database', source, s.name.span);
    const name = parts[parts.length - 1] as string;
    const path = s.system ? null : this.catalog.qualify(parts);
    if (path !== null) this.requireDatabase(path, source, s.name.span);
    const registry = functionsOf(this.catalog);
    if (registry.lookup(name) !== undefined) {
      if (s.ifNotExists) return TableResult.ok();
      throw new ValidationError(`Function '${this.functionPath(parts, s.system)}' already exists`, source, s.name.span);
    }
    let loaded: LoadedFunction;
    try {
      loaded = loadFunction(name, s.className, language);
    } catch (e) {
      if (e instanceof FunctionLoadError) throw new ValidationError(e.message, source, s.span);
      throw e;
    }
    registry.registerFunction(toRegistered(name, loaded.definition));
    registry.setInfo({ name, identifier: s.className, language, temporary: s.temporary, system: s.system, path: path === null ? null : `${path.catalog}.${path.database}` });
    return TableResult.ok();
  }

  private requireDatabase(path: ObjectPath, source: string, span: Span): void {
    if (!this.catalog.hasDatabase(path.catalog, path.database)) {
      throw new ValidationError(`Database '${path.catalog}.${path.database}' does not exist`, source, span);
    }
  }

  /** The session configuration the planner and the job read (parallelism, state TTL). */
  /**
   * Plans a query or INSERT job and submits it to the Dispatcher under the TableResult's job id. The job still
   * runs through the planned job's own `run` (which picks the executor), so the Dispatcher only observes it.
   */
  private submit(plans: readonly LogicalPlan[], source: string, span: Span, schema: Schema | null, sql = source.slice(span.start, span.end)): TableResult {
    const jid = newJobId();
    // Flink's default job names: insert-into_<sink identifiers> for INSERTs, collect for queries; pipeline.name wins.
    const sinks = plans.flatMap((p) => (p.kind === 'sink' && p.table !== null ? [formatPath(p.table.path)] : []));
    const name = this.config.get('pipeline.name') ?? (schema === null ? `insert-into_${sinks.join(',')}` : 'collect');
    const base = this.lowering(source);
    // On a cluster the job keeps the TableResult's name (and on a standalone one its id), so SHOW JOBS here and the
    // cluster's REST agree.
    const lowering =
      base.cluster === undefined ? { ...base, jobName: name } : { ...base, jobName: name, cluster: { ...base.cluster, jobId: jid, jobName: name } };
    const lowered = planJob(plans, lowering);
    const dispatcher = this.dispatcher;
    const tracked: LoweredJob = {
      isInsert: lowered.isInsert,
      jobGraph: lowered.jobGraph,
      run(signal, resultSink) {
        dispatcher.submit({
          jid,
          name,
          sql,
          explain: () => explainStatements(plans, lowering),
          type: lowering.batch === true ? 'BATCH' : 'STREAMING',
          run: (jobSignal) => lowered.run(jobSignal, resultSink),
        });
        const onAbort = (): void => void dispatcher.cancelJob(jid);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
        return dispatcher.result(jid).then(() => undefined);
      },
    };
    return schema === null ? TableResult.insert(tracked, jid) : TableResult.query(schema, tracked, jid);
  }

  private lowering(sql: string): LoweringOptions {
    const parallelism = Number(this.config.get('parallelism.default') ?? '1');
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`'parallelism.default' must be a positive integer, not '${this.config.get('parallelism.default')}'`);
    const ttl = this.config.get('table.exec.state.ttl');
    const mode = (this.config.get('execution.runtime-mode') ?? 'streaming').toLowerCase();
    if (mode !== 'streaming' && mode !== 'batch') throw new Error(`'execution.runtime-mode' must be 'streaming' or 'batch', not '${mode}'`);
    const strategy = (this.config.get('table.optimizer.agg-phase-strategy') ?? 'AUTO').toUpperCase();
    if (!['AUTO', 'ONE_PHASE', 'TWO_PHASE'].includes(strategy)) throw new Error(`'table.optimizer.agg-phase-strategy' must be AUTO, ONE_PHASE or TWO_PHASE, not '${strategy}'`);
    const miniBatch = (this.config.get('table.exec.mini-batch.enabled') ?? 'false').toLowerCase() === 'true';
    // Flink's TwoStageOptimizedAggregateRule: local-global only with mini-batch on and a strategy other than
    // ONE_PHASE (AUTO and TWO_PHASE alike); without mini-batch, TWO_PHASE plans one phase, as in Flink.
    const aggPhaseStrategy = miniBatch && strategy !== 'ONE_PHASE' ? 'TWO_PHASE' : 'ONE_PHASE';
    // execution.target: where jobs run (docs/cluster.md); serializable SQL jobs go to the shared MiniCluster.
    const target = (this.config.get('execution.target') ?? process.env['FRESHET_EXECUTION_TARGET'] ?? 'local').toLowerCase();
    if (target !== 'local' && target !== 'mini-cluster') throw new Error(`'execution.target' must be 'mini-cluster' or 'local', not '${target}'`);
    const upsertMaterialize = (this.config.get('table.exec.sink.upsert-materialize') ?? 'AUTO').toUpperCase();
    if (upsertMaterialize !== 'AUTO' && upsertMaterialize !== 'FORCE' && upsertMaterialize !== 'NONE') throw new Error(`'table.exec.sink.upsert-materialize' must be AUTO, FORCE or NONE, not '${upsertMaterialize}'`);
    return { factories: this.factories, sql, parallelism, stateTtlMs: ttl === undefined ? 0 : parseDuration(ttl), batch: mode === 'batch', aggPhaseStrategy, target, ...(this.cluster === null ? {} : { cluster: this.cluster }), upsertMaterialize, config: Object.fromEntries(this.config), sourceIdleTimeoutMs: this.config.get('table.exec.source.idle-timeout') === undefined ? 0 : parseDuration(this.config.get('table.exec.source.idle-timeout') as string) };
  }

  /** Names for SHOW FUNCTIONS. */
  private functionNames(): string[] {
    return [...new Set([...FUNCTION_NAMES, ...functionsOf(this.catalog).names()])];
  }

  /** The schema a query would produce, without running it. */
  resolveSchema(sql: string): Schema {
    const [s] = parseStatements(sql);
    if (s?.kind !== 'query') throw new Error('resolveSchema takes a query');
    return new StatementBinder(this.catalog, this.factories, sql).query(s.query).schema;
  }

  /** The logical plan of a query as indented text. */
  explainSql(sql: string): string {
    const [s] = parseStatements(sql);
    if (s?.kind !== 'query') throw new Error('explainSql takes a query');
    const plan = new StatementBinder(this.catalog, this.factories, sql).query(s.query);
    return explainStatements([plan], this.lowering(sql));
  }

  /**
   * Registers a function usable from SQL and the Table API as `name(...)`, shadowing a built-in of the same name
   * (Flink's temporary system function): a ScalarFunction, TableFunction (`LATERAL TABLE(name(...))`,
   * `joinLateral`, `flatMap`) or AggregateFunction instance (planner/api/functions.ts), or a plain scalar
   * definition `{ eval, resultType, argTypes? }`. `eval` receives engine Values (NULL as null, BIGINT/DECIMAL as
   * bigint); with `argTypes` the arguments are checked and cast to them.
   */
  createTemporarySystemFunction(name: string, fn: FunctionDefinition): void {
    const registry = functionsOf(this.catalog);
    registry.registerFunction(toRegistered(name, fn));
    registry.setInfo({ name, identifier: classNameOf(fn), language: 'JAVASCRIPT', temporary: true, system: true, path: null });
  }

  /**
   * Flink's catalog-scoped temporary function (`createTemporaryFunction("db.fn", …)`). Functions live in one
   * session registry here, so the last part of the path names it; the catalog and database must exist.
   */
  createTemporaryFunction(path: string, fn: FunctionDefinition): void {
    const parts = path.split('.');
    const qualified = this.catalog.qualify(parts);
    if (!this.catalog.hasDatabase(qualified.catalog, qualified.database))
      throw new Error(`createTemporaryFunction('${path}'): database '${qualified.catalog}.${qualified.database}' does not exist`);
    const registry = functionsOf(this.catalog);
    registry.registerFunction(toRegistered(qualified.name, fn));
    registry.setInfo({ name: qualified.name, identifier: classNameOf(fn), language: 'JAVASCRIPT', temporary: true, system: false, path: `${qualified.catalog}.${qualified.database}` });
  }

  /** Removes a function registered with createTemporaryFunction; false if there was none. */
  dropTemporaryFunction(path: string): boolean {
    return functionsOf(this.catalog).drop(this.catalog.qualify(path.split('.')).name);
  }

  /** Removes a function registered with createTemporarySystemFunction; false if there was none. */
  dropTemporarySystemFunction(name: string): boolean {
    return functionsOf(this.catalog).drop(name);
  }

  // ---- Table API (planner/api/table.ts): fluent queries built as AST and bound by the same binder as SQL ----

  /** A Table reading a registered table or view (`catalog.db.name`, `db.name` or `name`). */
  from<R extends Record<string, Value> = Record<string, Value>>(path: string): Table<R> {
    const query: Query = {
      kind: 'select',
      span: NO_SPAN,
      distinct: false,
      hints: [],
      items: [{ kind: 'star', span: NO_SPAN, qualifier: null }],
      from: { kind: 'table', span: NO_SPAN, name: qname(...path.split('.')), alias: null, columnAliases: [], hints: [], forSystemTime: null },
      where: null,
      groupBy: [],
      having: null,
      windows: [],
    };
    return new Table<R>(this, query, '', `from('${path}')`);
  }

  /** A Table for a SQL query; errors in it point into `sql` as executeSql's do. */
  sqlQuery(sql: string): Table {
    const statements = parseStatements(sql);
    const s = statements[0];
    if (statements.length !== 1 || s?.kind !== 'query') throw new Error('sqlQuery takes exactly one query (SELECT, VALUES, WITH, ...)');
    return new Table(this, s.query, sql, '');
  }

  /** Registers `table` as a temporary view, usable from SQL and `from(name)`. */
  createTemporaryView(name: string, table: Table): void {
    // A fluent query has no text: store it printed from its AST, so SHOW CREATE VIEW has something to show. (Spans
    // of a sqlQuery part inside it then index into the printed text; the view is validated here, so they are only
    // read for an error when a table it reads changes later.)
    const synthesized = table.query.span.end === 0;
    const source = synthesized ? formatQuery(table.query) : table.source;
    const query = synthesized ? { ...table.query, span: { start: 0, end: source.length } } : table.query;
    const name_ = qname(...name.split('.'));
    this.executeStatement({ kind: 'createView', span: NO_SPAN, temporary: true, ifNotExists: false, name: name_, columns: [], comment: null, query }, source);
  }

  /** Binds a query AST (the Table API's); `source` is the text its spans index into. */
  bindQuery(query: Query, source: string): LogicalPlan {
    return new StatementBinder(this.catalog, this.factories, source).query(query);
  }

  /** explainSql for a query AST. */
  explainQuery(query: Query, source: string): string {
    return explainStatements([this.bindQuery(query, source)], this.lowering(source));
  }

  /** Flink's StatementSet: INSERTs from SQL and Table programs planned and run as one job. */
  createStatementSet(): StatementSet {
    return new StatementSet(this);
  }

  /** @internal INSERTs (each with the text its spans index into) planned as one job. */
  executeInserts(items: readonly { readonly statement: InsertStatement; readonly source: string }[]): TableResult {
    const plans = items.map((i) => new StatementBinder(this.catalog, this.factories, i.source).insert(i.statement));
    // Submitted through the Dispatcher like EXECUTE STATEMENT SET, so SHOW JOBS, STOP JOB and the REST API see it.
    const sql = `EXECUTE STATEMENT SET BEGIN\n${items.map((i) => `  ${i.source.slice(i.statement.span.start, i.statement.span.end) || i.source}`).join(';\n')};\nEND`;
    return this.submit(plans, items[0]?.source ?? '', NO_SPAN, null, sql);
  }

  /** @internal The plan of INSERTs planned together. */
  explainInserts(items: readonly { readonly statement: InsertStatement; readonly source: string }[]): string {
    const plans = items.map((i) => new StatementBinder(this.catalog, this.factories, i.source).insert(i.statement));
    return explainStatements(plans, this.lowering(items[0]?.source ?? ''));
  }

  listTables(): string[] {
    return this.catalog.listTables();
  }
}

/** SHOW JOBS with Flink's columns (ShowJobsOperation): job id, job name, status, start time (Instant.toString()). */
function showJobs(jobs: readonly JobOverview[]): TableResult {
  const str = Types.STRING(false);
  return TableResult.rows(
    Schema.of(['job id', str], ['job name', str], ['status', str], ['start time', str]),
    jobs.map((j) => [j.jid, j.name, j.state, new Date(j['start-time']).toISOString()]),
  );
}

/** The class name DESCRIBE FUNCTION shows for an API-registered function (a plain definition has none). */
function classNameOf(fn: FunctionDefinition): string {
  const c = (fn as { constructor?: { name?: string } }).constructor?.name;
  return c === undefined || c === 'Object' ? '(inline definition)' : c;
}
