// Lowering: the physical plan becomes DataStream transformations (one per physical node; exchanges become
// partitioned edges), and those become a StreamGraph, a chained JobGraph and a running LocalJob — the same path
// DataStream programs take. Parallelism: sources run at 1 (connectors give one reader per table today), every
// operator behind a hash exchange at `parallelism.default`, behind a single exchange at 1, and otherwise at its
// input's parallelism so that chains stay forward. Transformation ids are numbered per job, so a cluster's
// JobManager and every slot that rebuilds the job from its serialized plan (serialize.ts) agree on vertex ids.
// Sources and sinks open their connectors only when a subtask runs them, never while the graph is built.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  CalcOperator,
  WatermarkCalcOperator,
  CorrelateOperator,
  DeduplicateOperator,
  FinalTableOperator,
  GlobalGroupAggregateOperator,
  GroupAggregateOperator,
  LocalGroupAggregateOperator,
  MiniBatchOperator,
  LimitOperator,
  LocalJob,
  FileCheckpointStorage,
  checkpointConfigFrom,
  defaultCheckpointDir,
  parseFlinkDuration,
  restartStrategyOf,
  type LocalCheckpointing,
  checkpointRetentionOf,
  MiniCluster,
  StandaloneClusterClient,
  type JobSpec,
  LookupJoinOperator,
  MatchRecognizeOperator,
  SinkUpsertMaterializer,
  type MatchDefine,
  lookupCacheConfig,
  OverAggregateOperator,
  RankOperator,
  Schema,
  SinkOperator,
  SqlIntervalJoinOperator,
  SystemProcessingTimeService,
  StreamingJoinOperator,
  TemporalJoinOperator,
  TemporalSortOperator,
  Types,
  WatermarkAssignerOperator,
  WindowAggregateOperator,
  WindowDeduplicateOperator,
  WindowJoinOperator,
  WindowRankOperator,
  WindowTableFunctionOperator,
  buildJobGraph,
  buildStreamGraph,
  columnsKeySelector,
  describePartitioner,
  isValid,
  makeBatch,
  type JobGraph,
  type JoinCondition,
  type OperatorFactory,
  type Partitioner,
  type RecordBatch,
  type SinkWriter,
  type Source,
  type SourceReader,
  type StreamElement,
  type TableFunctionRuntime,
  type Transformation,
} from '../../executor/index.js';
import { UnsupportedError } from '../../parser/index.js';
import { formatPath } from '../catalog/catalog.js';
import type { FactoryRegistry, SourceContext } from '../catalog/factory.js';
import { checkMaxParallelism, computeDefaultMaxParallelism, expressionWatermarks } from '../../executor/index.js';
import { CodegenUnsupported, calcReadsWatermark, compileCalc, compileCalcPerInstance } from '../codegen/calc.js';
import { Rex } from '../expr/rex.js';
import { isInsertOnly, physicalInputs, type PhysicalNode } from './plan.js';
import { BUILDER_MODULE, BUILDER_PRELOAD, NotSerializable, serializePlan } from './serialize.js';

export interface LoweringOptions {
  readonly factories: FactoryRegistry;
  readonly sql: string;
  /** parallelism.default: the parallelism of keyed operators. */
  readonly parallelism: number;
  /** table.exec.state.ttl in ms (0 = keep state forever). */
  readonly stateTtlMs: number;
  /** execution.runtime-mode = batch: bounded inputs, no late data, final results only. */
  readonly batch?: boolean;
  readonly aggPhaseStrategy?: 'ONE_PHASE' | 'TWO_PHASE';
  /** table.exec.sink.upsert-materialize (physical planning reads it). */
  readonly upsertMaterialize?: 'AUTO' | 'FORCE' | 'NONE';
  /**
   * execution.target: 'mini-cluster' runs the job in the shared MiniCluster's slots (worker threads) when its plan
   * can be serialized; 'local' (the default here) runs every subtask in the calling thread (LocalJob).
   */
  readonly target?: 'local' | 'mini-cluster';
  /**
   * A standalone cluster to run on (`--cluster`, TableEnvironment.create({ cluster })): its JobManager's REST
   * address, the shared token, and the job id to use. Wins over `target`.
   */
  readonly cluster?: { readonly address: string; readonly token?: string; readonly jobId?: string; readonly jobName?: string };
  /** The job's name on a cluster (Flink's insert-into_<sinks> / collect, or pipeline.name); else the SQL text. */
  readonly jobName?: string;
  /** table.exec.source.idle-timeout in ms (0 = splits never go idle); a table's 'scan.watermark.idle-timeout' wins. */
  readonly sourceIdleTimeoutMs?: number;
  /** The session configuration by Flink's keys, for the optimizer's options (distinct-agg split, mini-batch). */
  readonly config?: Readonly<Record<string, string>>;
}

/** A planned job, ready to run once per execution. `run` resolves when the job ends (rejects on failure). */
export interface LoweredJob {
  /** INSERT jobs write to their tables; query jobs write to the sink `run` is given. */
  readonly isInsert: boolean;
  readonly jobGraph: (resultSink: SinkWriter | null) => JobGraph;
  run(signal: AbortSignal, resultSink?: SinkWriter): Promise<void>;
}

/**
 * The number of key groups (Flink's max parallelism): `pipeline.max-parallelism` when set, else Flink's default for
 * the job's parallelism (KeyGroupRangeAssignment.computeDefaultMaxParallelism: 128 up to parallelism 85). It bounds
 * the parallelism a savepoint of this job can be restored at.
 */
function maxParallelismOf(opts: LoweringOptions): number {
  const raw = opts.config?.['pipeline.max-parallelism'];
  if (raw === undefined || raw.trim() === '' || raw.trim() === '-1') return computeDefaultMaxParallelism(opts.parallelism);
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) throw new Error(`'pipeline.max-parallelism' must be an integer, got '${raw}'`);
  checkMaxParallelism(n);
  if (n < opts.parallelism)
    throw new Error(`'pipeline.max-parallelism' (${n}) must not be below the parallelism (${opts.parallelism})`);
  return n;
}

export function lowerJob(roots: readonly PhysicalNode[], opts: LoweringOptions): LoweredJob {
  try {
    // Compile everything now so that unsupported expressions fail when the statement is submitted, not later.
    const build = prepare(roots, opts);
    const isInsert = roots.every((r) => r.kind === 'StreamSink' && r.table !== null);
    const jobGraph = (resultSink: SinkWriter | null): JobGraph => {
      const sinks = build(resultSink);
      return buildJobGraph(
        buildStreamGraph(isInsert ? 'insert-into' : 'collect', sinks, {
          defaultParallelism: opts.parallelism,
          maxParallelism: maxParallelismOf(opts),
        }),
      );
    };
    return {
      isInsert,
      jobGraph,
      async run(signal, resultSink) {
        const checkpointing = checkpointingOf(opts.config ?? {}, opts.sql);
        if (opts.cluster !== undefined) {
          await runOnStandalone(roots, opts, opts.cluster, checkpointing !== null, signal, resultSink ?? null);
          return;
        }
        if (opts.target === 'mini-cluster') {
          const remote = clusterSpec(roots, opts);
          if (remote.ok) {
            // With checkpointing on, the cluster's JobManager coordinates the checkpoints (executor/cluster/job-manager.ts).
            const spec = checkpointing === null ? remote.spec : { ...remote.spec, ...clusterCheckpointingOf(opts.config ?? {}) };
            await runOnMiniCluster(spec, signal, resultSink ?? null);
            return;
          }
          // Not an error: the job still runs, in this thread, as Flink runs a job its cluster cannot take locally.
          noteLocalFallback(remote.reason);
        }
        const job = new LocalJob(
          jobGraph(resultSink ?? null),
          {
            batchSize: 1024,
            bufferTimeout: 0,
            autoWatermarkInterval: 0,
            channelCapacity: 8,
            clock: CLOCK,
          },
          checkpointing,
        );
        await untilDone(job, signal);
      },
    };
  } catch (e) {
    if (e instanceof CodegenUnsupported)
      throw new UnsupportedError(e.feature, opts.sql, { start: 0, end: Math.max(1, opts.sql.length) });
    throw e;
  }
}

const CLOCK = new SystemProcessingTimeService();

/** Waits for a job's end, cancelling it when `signal` aborts (the result's cancel, the shell's Ctrl-C). */
async function untilDone(job: { cancel(): unknown; getJobExecutionResult(): Promise<unknown> }, signal: AbortSignal): Promise<void> {
  const onAbort = (): void => void job.cancel();
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await job.getJobExecutionResult();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function scanParallelism(option: string | undefined, dflt: number): number {
  if (option === undefined) return dflt;
  const p = Number(option);
  if (!Number.isInteger(p) || p < 1) throw new Error(`'scan.parallelism' must be a positive integer, got '${option}'`);
  return p;
}

/**
 * The job's checkpointing from the session configuration (Flink's keys): on when execution.checkpointing.interval
 * is positive or a savepoint is to be restored (execution.savepoint.path). With checkpointing on and no
 * restart-strategy.type set, jobs restart with exponential delay, Flink 2's default.
 */
function checkpointingOf(config: Readonly<Record<string, string>>, sql: string): LocalCheckpointing | null {
  const get = (k: string): string | undefined => config[k];
  const cc = checkpointConfigFrom(get, (v) => parseFlinkDuration('execution.checkpointing.*', v));
  const restorePath = get('execution.savepoint.path') ?? null;
  if (cc.intervalMs <= 0 && restorePath === null) return null;
  const dir = get('execution.checkpointing.dir') ?? get('state.checkpoints.dir') ?? defaultCheckpointDir();
  const retained = Number(get('execution.checkpointing.num-retained') ?? get('state.checkpoints.num-retained') ?? '1');
  const restartConfig = new Map(Object.entries(config));
  if (!restartConfig.has('restart-strategy.type') && !restartConfig.has('restart-strategy')) restartConfig.set('restart-strategy.type', 'exponential-delay');
  const jobId = randomBytes(16).toString('hex');
  return {
    config: cc,
    storage: new FileCheckpointStorage(path.join(dir.replace(/^file:\/\//, ''), jobId), retained, (m) => process.emitWarning(m, { code: 'FRESHET_CHECKPOINT' })),
    restorePath,
    retention: checkpointRetentionOf(get('execution.checkpointing.externalized-checkpoint-retention')),
    restartStrategy: restartStrategyOf(restartConfig),
    log: (m) => process.emitWarning(`${m} (${sql.trim().slice(0, 60)})`, { code: 'FRESHET_RESTART' }),
  };
}

/**
 * The same checkpointing settings as plain data for a cluster's JobManager, which makes the storage itself under
 * `<execution.checkpointing.dir>/<job id>` (Flink's layout) and restarts by the job's restart-strategy.* keys
 * (exponential delay by default when checkpointing is on, as checkpointingOf).
 */
function clusterCheckpointingOf(config: Readonly<Record<string, string>>): Pick<JobSpec, 'checkpointing' | 'restartStrategy'> {
  const get = (k: string): string | undefined => config[k];
  const restartStrategy: Record<string, string> = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith('restart-strategy')));
  if (restartStrategy['restart-strategy.type'] === undefined && restartStrategy['restart-strategy'] === undefined) restartStrategy['restart-strategy.type'] = 'exponential-delay';
  return {
    checkpointing: {
      config: checkpointConfigFrom(get, (v) => parseFlinkDuration('execution.checkpointing.*', v)),
      dir: get('execution.checkpointing.dir') ?? get('state.checkpoints.dir') ?? defaultCheckpointDir(),
      numRetained: Number(get('execution.checkpointing.num-retained') ?? get('state.checkpoints.num-retained') ?? '1'),
      restorePath: get('execution.savepoint.path') ?? null,
      retention: checkpointRetentionOf(get('execution.checkpointing.externalized-checkpoint-retention')),
    },
    restartStrategy,
  };
}

/** The cluster job of planned statements, or why they must run in this thread. */
function clusterSpec(roots: readonly PhysicalNode[], opts: LoweringOptions): { ok: true; spec: JobSpec } | { ok: false; reason: string } {
  try {
    const payload = serializePlan(roots, opts);
    return { ok: true, spec: { name: opts.jobName ?? (opts.sql.trim().slice(0, 200) || 'sql job'), builder: BUILDER_MODULE, preload: BUILDER_PRELOAD, payload, sql: opts.sql } };
  } catch (e) {
    if (e instanceof NotSerializable) return { ok: false, reason: e.reason };
    throw e;
  }
}

const fallbacksNoted = new Set<string>();
/** Said once per reason (on stderr, like Flink's log line), never an error: the job runs in this thread. */
function noteLocalFallback(reason: string): void {
  if (fallbacksNoted.has(reason)) return;
  fallbacksNoted.add(reason);
  process.emitWarning(`running the job in the client thread, not on the MiniCluster: ${reason}`, { code: 'FRESHET_LOCAL_EXECUTION' });
}

/**
 * Runs the job on a standalone cluster. A job the cluster cannot take fails with the reason instead of running
 * here: the user asked for that cluster, and a silent local run would hide where the work happens.
 */
/**
 * The checkpointing spec for a standalone cluster: a folder the session names is the job's (job-level
 * configuration wins, as in Flink); otherwise the dir is left empty for the JobManager process to fill with its own
 * execution.checkpointing.dir (-D) or default, since this client's home folder means nothing on that machine.
 */
function standaloneCheckpointing(config: Readonly<Record<string, string>>): Pick<JobSpec, 'checkpointing' | 'restartStrategy'> {
  const cp = clusterCheckpointingOf(config);
  const named = config['execution.checkpointing.dir'] !== undefined || config['state.checkpoints.dir'] !== undefined;
  return named || cp.checkpointing === undefined ? cp : { ...cp, checkpointing: { ...cp.checkpointing, dir: '' } };
}

async function runOnStandalone(
  roots: readonly PhysicalNode[],
  opts: LoweringOptions,
  cluster: NonNullable<LoweringOptions['cluster']>,
  checkpointing: boolean,
  signal: AbortSignal,
  resultSink: SinkWriter | null,
): Promise<void> {
  const remote = clusterSpec(roots, opts);
  if (!remote.ok) throw new UnsupportedError(`running this job on the standalone cluster at ${cluster.address} (${remote.reason})`, opts.sql, { start: 0, end: Math.max(1, opts.sql.length) });
  // The session's restart-strategy.* keys are the job's (job-level configuration over the cluster's, as in Flink).
  const restart = Object.fromEntries(Object.entries(opts.config ?? {}).filter(([k]) => k.startsWith('restart-strategy')));
  const spec: JobSpec = {
    ...remote.spec,
    ...(cluster.jobName === undefined ? {} : { name: cluster.jobName }),
    ...(Object.keys(restart).length === 0 ? {} : { restartStrategy: restart }),
    // The JobManager process coordinates the checkpoints and writes them under execution.checkpointing.dir (its
    // filesystem: the slots send their state bytes with the acknowledgement, so the TaskManagers need no shared
    // storage), with the exponential-delay default restart strategy of a checkpointed job (clusterCheckpointingOf).
    ...(checkpointing ? standaloneCheckpointing(opts.config ?? {}) : {}),
  };
  await new StandaloneClusterClient(cluster.address, cluster.token).run(spec, {
    resultSink,
    signal,
    ...(cluster.jobId === undefined ? {} : { jobId: cluster.jobId }),
  });
}

async function runOnMiniCluster(spec: JobSpec, signal: AbortSignal, resultSink: SinkWriter | null): Promise<void> {
  const cluster = await MiniCluster.shared();
  const job = await cluster.submit(spec, { resultSink });
  await untilDone(job, signal);
}

/**
 * Compiles every node's operator factory once; returns a function that builds fresh transformations (sources
 * are created per run, as a reader can be read once).
 */
function prepare(
  roots: readonly PhysicalNode[],
  opts: LoweringOptions,
): (resultSink: SinkWriter | null, planOnly?: boolean) => Transformation[] {
  const factories = new Map<PhysicalNode, () => OperatorFactory | null>();
  const visit = (n: PhysicalNode): void => {
    if (factories.has(n)) return;
    factories.set(n, operatorFactory(n, opts));
    for (const i of physicalInputs(n)) visit(i);
  };
  for (const r of roots) visit(r);
  return (resultSink, planOnly = false) => {
    const made = new Map<PhysicalNode, { t: Transformation; parallelism: number }>();
    jobIdCounter = 0;
    const toT = (n: PhysicalNode): { t: Transformation; parallelism: number } => {
      const done = made.get(n);
      if (done !== undefined) return done;
      const result = transformation(
        n,
        opts,
        resultSink,
        toT,
        (factories.get(n) as () => OperatorFactory | null)(),
        planOnly,
      );
      made.set(n, result);
      return result;
    };
    return roots.map((r) => toT(r).t);
  };
}

function common(
  name: string,
  schema: Schema,
  parallelism: number,
): { id: number; name: string; uid: null; parallelism: number; outputSchema: Schema } {
  return { id: nextId(), name, uid: null, parallelism, outputSchema: schema };
}

/** The per-job transformation counter; prepare() resets it for every build, which is synchronous. */
let jobIdCounter = 0;
const nextId = (): number => ++jobIdCounter;

function transformation(
  n: PhysicalNode,
  opts: LoweringOptions,
  resultSink: SinkWriter | null,
  toT: (n: PhysicalNode) => { t: Transformation; parallelism: number },
  factory: OperatorFactory | null,
  planOnly: boolean,
): { t: Transformation; parallelism: number } {
  switch (n.kind) {
    case 'StreamTableSourceScan':
    case 'StreamValues': {
      // EXPLAIN builds the job graph without touching connectors; a run opens the connector only in the subtask.
      const values = n.kind === 'StreamValues' && !planOnly ? valuesSource(n.rows, n.schema) : null;
      const createReader = (): SourceReader =>
        planOnly ? notRunnable(n.schema) : values !== null ? values : createSource(n as Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>, opts);
      // Split sources (FLIP-27) read at 'scan.parallelism' (Flink's option, FLIP-367) or parallelism.default, each
      // subtask its share of the splits.
      const split = n.kind === 'StreamTableSourceScan' && opts.factories.get(n.table.options['connector'] ?? '')?.createScanSource !== undefined;
      if (split) {
        const scan = n as Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>;
        const parallel: Source = {
          outputSchema: n.schema,
          bounded: false,
          createReader: (index, parallelism) => (planOnly ? notRunnable(n.schema) : createScanSource(scan, opts).createReader(index, parallelism)),
        };
        const dflt = opts.factories.get(scan.table.options['connector'] ?? '')?.defaultScanParallelism?.(scan.table.options);
        const p = scanParallelism(scan.table.options['scan.parallelism'], dflt ?? opts.parallelism);
        return { t: { ...common(n.kind, n.schema, p), kind: 'source', source: parallel }, parallelism: p };
      }
      const source: Source = { outputSchema: n.schema, bounded: false, createReader };
      return { t: { ...common(n.kind, n.schema, 1), kind: 'source', source }, parallelism: 1 };
    }
    // Bundles are cut by the buffering aggregates (MiniBatchOperator): the assigner itself is no operator.
    case 'StreamMiniBatchAssigner':
      return toT(n.input);
    case 'StreamExchange': {
      const input = toT(n.input);
      const partitioner: Partitioner =
        n.distribution.kind === 'single'
          ? { kind: 'global' }
          : {
              kind: 'hash',
              key: columnsKeySelector(
                n.distribution.keys,
                n.distribution.keys.map((k) => n.schema.field(k).name),
              ),
            };
      const parallelism = n.distribution.kind === 'single' ? 1 : opts.parallelism;
      return {
        t: { ...common('Exchange', n.schema, parallelism), kind: 'partition', input: input.t, partitioner },
        parallelism,
      };
    }
    case 'StreamUnion': {
      const ins = n.inputs.map(toT);
      const parallelism = Math.max(...ins.map((i) => i.parallelism));
      return {
        t: { ...common('Union', n.schema, parallelism), kind: 'union', inputs: ins.map((i) => i.t) },
        parallelism,
      };
    }
    case 'StreamSink': {
      const input = toT(n.input);
      const table = n.table;
      const writer = (): SinkWriter => {
        if (table === null || planOnly) return resultSink ?? DISCARD;
        const f = opts.factories.get(table.options['connector'] ?? '');
        if (f?.createSink === undefined)
          throw new Error(
            `connector '${table.options['connector'] ?? ''}' of table ${formatPath(table.path)} cannot be written to`,
          );
        return f.createSink({
          schema: n.schema,
          options: table.options,
          tableName: formatPath(table.path),
          primaryKey: table.primaryKey,
          ...(table.partitionKeys !== undefined ? { partitionKeys: table.partitionKeys } : {}),
        });
      };
      // One writer per sink: query results are read in order, and file/Kafka writers are single today. The
      // connector is checked now (an unwritable table fails at submission) and opened when the subtask starts.
      if (table !== null && !planOnly && opts.factories.get(table.options['connector'] ?? '')?.createSink === undefined)
        throw new Error(`connector '${table.options['connector'] ?? ''}' of table ${formatPath(table.path)} cannot be written to`);
      const name = table === null ? 'collect' : `Sink: ${formatPath(table.path)}`;
      return {
        t: {
          ...common(name, n.schema, 1),
          kind: 'sink',
          input: input.t,
          factory: () => {
            const w = writer();
            return new SinkOperator(name, n.schema, () => w);
          },
        },
        parallelism: 1,
      };
    }
    case 'StreamJoin':
    case 'StreamIntervalJoin':
    case 'StreamWindowJoin':
    case 'StreamTemporalJoin': {
      const l = toT(n.left);
      const r = toT(n.right);
      const parallelism = Math.max(l.parallelism, r.parallelism);
      return {
        t: {
          ...common(n.kind, n.schema, parallelism),
          kind: 'two-input',
          input1: l.t,
          input2: r.t,
          factory: factory as OperatorFactory,
        },
        parallelism,
      };
    }
    default: {
      const input = toT(n.input);
      return {
        t: {
          ...common(n.kind, n.schema, input.parallelism),
          kind: 'one-input',
          input: input.t,
          factory: factory as OperatorFactory,
        },
        parallelism: input.parallelism,
      };
    }
  }
}

/**
 * A FLIP-27 source for a scan; a pushed-down WATERMARK runs inside it per split (Flink's SupportsWatermarkPushDown:
 * per-partition watermarks merged by minimum, splits idle after 'scan.watermark.idle-timeout' or
 * table.exec.source.idle-timeout).
 */
function createScanSource(n: Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>, opts: LoweringOptions): Source {
  const factory = opts.factories.get(n.table.options['connector'] ?? '');
  const source = factory?.createScanSource?.(sourceContext(n)) as Source;
  const wm = n.watermark;
  if (wm === undefined) return source;
  if (source.withWatermarks === undefined) throw new Error(`connector '${n.table.options['connector']}' of table ${formatPath(n.table.path)} cannot generate watermarks`);
  const extract = compileCalc({
    inputSchema: n.schema,
    outputSchema: new Schema([{ name: 'watermark', type: Types.TIMESTAMP(3) }]),
    projections: [wm.expr],
    condition: null,
  });
  const candidates = (batch: RecordBatch): Float64Array | null => {
    const out = extract(batch);
    const col = out?.columns[0];
    if (out === null || out === undefined || col === undefined || (col.kind !== 'f64' && col.kind !== 'ts')) return null;
    const c = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) c[i] = isValid(col.validity, i) ? (col.values[i] as number) : Number.NaN;
    return c;
  };
  const idle = n.table.options['scan.watermark.idle-timeout'];
  const idleMs = idle !== undefined ? parseDurationMs(idle, 'scan.watermark.idle-timeout') : (opts.sourceIdleTimeoutMs ?? 0);
  // pipeline.auto-watermark-interval: each split's watermark goes out on that period (0: after every batch read).
  return source.withWatermarks(expressionWatermarks(candidates, idleMs > 0 ? idleMs : null, autoWatermarkIntervalMs(opts)));
}

/**
 * pipeline.auto-watermark-interval in ms (Flink's PipelineOptions.AUTO_WATERMARK_INTERVAL). Flink's default is
 * 200 ms; unset, SQL jobs here keep 0 (a watermark after every batch): test/slt/window-fire.slt and the
 * differential oracle model per-batch watermarks without setting the key (with 200, window-fire's
 * tumble-fires-in-order fails: its late row is no longer late).
 */
function autoWatermarkIntervalMs(opts: LoweringOptions): number {
  const raw = opts.config?.['pipeline.auto-watermark-interval'];
  return raw === undefined ? 0 : parseDurationMs(raw, 'pipeline.auto-watermark-interval');
}

function parseDurationMs(raw: string, key: string): number {
  const m = /^\s*(\d+)\s*(ms|s|sec|second|seconds|min|minute|minutes|h|hour|hours)?\s*$/i.exec(raw);
  if (m === null) throw new Error(`option '${key}' must be a duration such as '5 s' or '500 ms', got '${raw}'`);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit.startsWith('s') ? 1000 : unit.startsWith('m') ? 60_000 : 3_600_000;
  return Number(m[1]) * factor;
}

/** What a connector is told about a scan: its columns, options and what the optimizer pushed into it. */
function sourceContext(n: Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>): SourceContext {
  const columns = n.table.columns;
  const physicalSchema = new Schema(columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name, type: c.type }] : [])));
  const metadata = columns.flatMap((c) => (c.kind === 'metadata' ? [{ name: c.name, key: c.key, type: c.type }] : []));
  return {
    physicalSchema,
    options: n.table.options,
    tableName: formatPath(n.table.path),
    primaryKey: n.table.primaryKey,
    ...(metadata.length > 0 ? { metadata } : {}),
    ...(n.projection !== undefined ? { projection: n.projection } : {}),
    ...(n.filters !== undefined ? { filters: n.filters } : {}),
    ...(n.table.partitionKeys !== undefined && n.table.partitionKeys.length > 0 ? { partitionKeys: n.table.partitionKeys } : {}),
  };
}

function createSource(
  n: Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>,
  opts: LoweringOptions,
): SourceReader {
  const options = n.table.options;
  const factory = opts.factories.get(options['connector'] ?? '');
  if (factory?.createSource === undefined) {
    throw new Error(
      `connector '${options['connector'] ?? ''}' of table ${formatPath(n.table.path)} cannot be read (it is a sink-only connector)`,
    );
  }
  // The scan's schema is the physical columns then the metadata columns; the connector is told them apart.
  const columns = n.table.columns;
  const physicalSchema = new Schema(
    columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name, type: c.type }] : [])),
  );
  const metadata = columns.flatMap((c) =>
    c.kind === 'metadata' ? [{ name: c.name, key: c.key, type: c.type }] : [],
  );
  return factory.createSource({
    physicalSchema,
    options,
    tableName: formatPath(n.table.path),
    primaryKey: n.table.primaryKey,
    ...(metadata.length > 0 ? { metadata } : {}),
    // Push-down (the optimizer only pushes into factories that declared it): read fewer columns, drop rows early.
    ...(n.projection !== undefined ? { projection: n.projection } : {}),
    ...(n.filters !== undefined ? { filters: n.filters } : {}),
  });
}

/** The operator factory of a node (null for sources, exchanges, unions and sinks, which are not operators). */
function operatorFactory(n: PhysicalNode, opts: LoweringOptions): () => OperatorFactory | null {
  const ttl = opts.stateTtlMs > 0 ? { stateTtlMs: opts.stateTtlMs } : {};
  const inputSchema = (): Schema => (physicalInputs(n)[0] as PhysicalNode).schema;
  let f: OperatorFactory | null;
  switch (n.kind) {
    case 'StreamTableSourceScan':
    case 'StreamValues':
    case 'StreamExchange':
    case 'StreamUnion':
    case 'StreamSink':
    case 'StreamMiniBatchAssigner':
      f = null;
      break;
    case 'StreamCalc': {
      const spec = { inputSchema: n.input.schema, outputSchema: n.schema, projections: n.projections, condition: n.condition };
      if (calcReadsWatermark(spec)) {
        // CURRENT_WATERMARK: each instance binds the shared code to its own watermark cell.
        const bind = compileCalcPerInstance(spec);
        f = () => new WatermarkCalcOperator('Calc', n.schema, bind);
        break;
      }
      const fn = compileCalc(spec);
      f = () => new CalcOperator('Calc', n.schema, fn);
      break;
    }
    case 'StreamWatermarkAssigner': {
      const extract = compileCalc({
        inputSchema: n.input.schema,
        outputSchema: new Schema([{ name: 'watermark', type: Types.TIMESTAMP(3) }]),
        projections: [n.expr],
        condition: null,
      });
      const interval = autoWatermarkIntervalMs(opts);
      f = () => new WatermarkAssignerOperator('WatermarkAssigner', n.schema, extract, interval);
      break;
    }
    case 'StreamGroupAggregate':
      f = () =>
        new GroupAggregateOperator({
          name: 'GroupAggregate',
          inputSchema: inputSchema(),
          keys: n.groupKeys,
          aggs: n.aggCalls,
          outputSchema: n.schema,
          generateUpdateBefore: true,
          ...ttl,
        });
      break;
    case 'StreamLocalGroupAggregate':
      f = () => new LocalGroupAggregateOperator({ name: 'LocalGroupAggregate', inputSchema: inputSchema(), keys: n.groupKeys, aggs: n.aggCalls, outputSchema: n.schema });
      break;
    case 'StreamGlobalGroupAggregate':
      f = () =>
        new GlobalGroupAggregateOperator({ name: 'GlobalGroupAggregate', inputSchema: n.localInput, keys: n.groupKeys, aggs: n.aggCalls, outputSchema: n.schema, generateUpdateBefore: true, ...ttl });
      break;
    case 'StreamWindowAggregate':
      f = () =>
        new WindowAggregateOperator({
          name: 'WindowAggregate',
          inputSchema: inputSchema(),
          keys: n.groupKeys,
          aggs: n.aggCalls,
          window: n.window,
          timeCol: n.timeCol,
          outputSchema: n.schema,
        });
      break;
    case 'StreamCorrelate': {
      const args = compileCalc({
        inputSchema: n.input.schema,
        outputSchema: new Schema(n.args.map((a, i) => ({ name: `arg${i}`, type: a.type }))),
        projections: n.args,
        condition: null,
      });
      const fn = n.fn;
      const runtime: TableFunctionRuntime =
        fn.kind === 'unnest' ? { kind: 'unnest', withOrdinality: fn.withOrdinality } : { kind: 'udtf', name: fn.fn.name, invoke: fn.fn.invoke };
      f = () =>
        new CorrelateOperator({ name: 'Correlate', inputSchema: inputSchema(), outputSchema: n.schema, args, fn: runtime, joinType: n.joinType });
      break;
    }
    case 'StreamWindowTableFunction':
      f = () =>
        new WindowTableFunctionOperator({
          name: 'WindowTableFunction',
          inputSchema: inputSchema(),
          window: n.window,
          timeCol: n.timeCol,
          outputSchema: n.schema,
          partitionKeys: n.partitionKeys,
        });
      break;
    case 'StreamJoin': {
      const condition = joinCondition(n.nonEqui, n.left.schema, n.right.schema);
      f = () =>
        new StreamingJoinOperator({
          name: 'Join',
          type: n.joinType,
          leftSchema: n.left.schema,
          rightSchema: n.right.schema,
          leftKeys: n.leftKeys,
          rightKeys: n.rightKeys,
          condition,
          outputSchema: n.schema,
          ...ttl,
        });
      break;
    }
    case 'StreamIntervalJoin': {
      const condition = joinCondition(n.nonEqui, n.left.schema, n.right.schema);
      f = () =>
        new SqlIntervalJoinOperator({
          name: 'IntervalJoin',
          type: n.joinType as 'INNER' | 'LEFT' | 'RIGHT' | 'FULL',
          leftSchema: n.left.schema,
          rightSchema: n.right.schema,
          leftKeys: n.leftKeys,
          rightKeys: n.rightKeys,
          leftTime: n.leftTime,
          rightTime: n.rightTime,
          lowerBound: n.lowerBound,
          upperBound: n.upperBound,
          condition,
          outputSchema: n.schema,
        });
      break;
    }
    case 'StreamWindowJoin': {
      const condition = joinCondition(n.nonEqui, n.left.schema, n.right.schema);
      f = () =>
        new WindowJoinOperator({
          name: 'WindowJoin',
          type: n.joinType,
          leftSchema: n.left.schema,
          rightSchema: n.right.schema,
          leftKeys: n.leftKeys,
          rightKeys: n.rightKeys,
          leftWindowEnd: n.leftWindowEnd,
          rightWindowEnd: n.rightWindowEnd,
          condition,
          outputSchema: n.schema,
        });
      break;
    }
    case 'StreamTemporalJoin': {
      const condition = joinCondition(n.nonEqui, n.left.schema, n.right.schema);
      f = () =>
        new TemporalJoinOperator({
          name: 'TemporalJoin',
          type: n.joinType,
          leftSchema: n.left.schema,
          rightSchema: n.right.schema,
          leftKeys: n.leftKeys,
          rightKeys: n.rightKeys,
          leftTime: n.leftTime,
          rightTime: n.rightTime,
          condition,
          outputSchema: n.schema,
        });
      break;
    }
    case 'StreamRank':
      f = () =>
        new RankOperator({
          name: 'Rank',
          inputSchema: inputSchema(),
          partitionKeys: n.partitionKeys,
          orderKeys: n.orderKeys,
          rankType: n.rankType,
          rankStart: n.rankStart,
          rankEnd: n.rankEnd,
          outputRankNumber: n.outputRankNumber,
          outputSchema: n.schema,
          inputInsertOnly: isInsertOnly(n.input.changelog),
          generateUpdateBefore: true,
        });
      break;
    case 'StreamSortLimit':
      f = () =>
        new RankOperator({
          name: 'SortLimit',
          inputSchema: inputSchema(),
          partitionKeys: [],
          orderKeys: n.keys,
          rankType: 'ROW_NUMBER',
          rankStart: n.offset + 1,
          rankEnd: n.offset + n.fetch,
          outputRankNumber: false,
          outputSchema: n.schema,
          inputInsertOnly: isInsertOnly(n.input.changelog),
          generateUpdateBefore: true,
        });
      break;
    case 'StreamWindowRank':
      f = () =>
        new WindowRankOperator({
          name: 'WindowRank',
          inputSchema: inputSchema(),
          partitionKeys: n.partitionKeys,
          windowEndCol: n.windowEnd,
          orderKeys: n.orderKeys,
          rankType: n.rankType,
          rankStart: n.rankStart,
          rankEnd: n.rankEnd,
          outputRankNumber: n.outputRankNumber,
          outputSchema: n.schema,
        });
      break;
    case 'StreamDeduplicate':
      f = () =>
        new DeduplicateOperator({
          name: 'Deduplicate',
          inputSchema: inputSchema(),
          keys: n.keys,
          keepLastRow: n.keepLast,
          timeCol: n.timeCol,
          isRowtime: n.isRowtime,
          generateUpdateBefore: true,
          outputSchema: n.schema,
        });
      break;
    case 'StreamWindowDeduplicate':
      f = () =>
        new WindowDeduplicateOperator({
          name: 'WindowDeduplicate',
          inputSchema: inputSchema(),
          keys: n.keys,
          windowEndCol: n.windowEnd,
          timeCol: n.timeCol,
          keepLastRow: n.keepLast,
          outputSchema: n.schema,
        });
      break;
    case 'StreamChangelogNormalize':
      // Keep-last deduplication on a changelog input is exactly ChangelogNormalize (see DeduplicateOperator).
      f = () =>
        new DeduplicateOperator({ name: 'ChangelogNormalize', inputSchema: inputSchema(), keys: n.keys, keepLastRow: true, timeCol: 0, isRowtime: false, generateUpdateBefore: true, outputSchema: n.schema });
      break;
    case 'BatchFinalTable':
      f = () => new FinalTableOperator('FinalTable', n.schema);
      break;
    case 'StreamLimit':
      f = () =>
        new LimitOperator({ name: 'Limit', outputSchema: n.schema, offset: n.offset, fetch: n.fetch });
      break;
    case 'StreamTemporalSort':
      f = () =>
        new TemporalSortOperator({
          name: 'TemporalSort',
          inputSchema: inputSchema(),
          timeCol: n.timeCol,
          secondary: n.secondary,
          outputSchema: n.schema,
        });
      break;
    case 'StreamSinkUpsertMaterializer':
      f = () => new SinkUpsertMaterializer({ name: 'SinkUpsertMaterializer', schema: n.schema, keys: n.keys });
      break;
    case 'StreamMatch': {
      const spec = n.spec;
      const rowSchema = new Schema(spec.rowExprs.map((r, i) => ({ name: `$e${i}`, type: r.type })));
      const rowExprs = compileCalc({ inputSchema: n.input.schema, outputSchema: rowSchema, projections: spec.rowExprs, condition: null });
      const defines = new Map<string, MatchDefine>(
        spec.defines.map((d) => [d.variable, { slots: d.slots, slotSchema: d.slotSchema, condition: joinCondition(d.condition, d.slotSchema, new Schema([])) as JoinCondition }]),
      );
      const measures = compileCalc({ inputSchema: spec.measures.slotSchema, outputSchema: n.schema, projections: [...n.schema.fields.slice(0, spec.partitionKeys.length).map((f, i) => Rex.input(i, f.type)), ...spec.measures.exprs], condition: null });
      f = () =>
        new MatchRecognizeOperator({
          name: 'Match',
          inputSchema: n.input.schema,
          partitionKeys: spec.partitionKeys,
          timeCol: spec.timeCol,
          isRowtime: spec.isRowtime,
          secondary: spec.secondary,
          pattern: spec.pattern,
          withinMs: spec.withinMs,
          after: spec.after,
          rowExprs: (b) => rowExprs(b) as RecordBatch,
          defines,
          measures: { slots: spec.measures.slots, slotSchema: spec.measures.slotSchema, project: (b) => measures(b) as RecordBatch },
          outputSchema: n.schema,
        });
      break;
    }
    case 'StreamLookupJoin': {
      const keyOf = compileCalc({
        inputSchema: n.input.schema,
        outputSchema: new Schema(n.leftKeys.map((k, i) => ({ name: `$key${i}`, type: k.type }))),
        projections: n.leftKeys,
        condition: null,
      });
      const condition = joinCondition(n.nonEqui, n.input.schema, n.lookupSchema);
      const table = n.table;
      const factory = opts.factories.get(table.options['connector'] ?? '');
      const createLookup = factory?.createLookup;
      if (createLookup === undefined) throw new Error(`connector '${table.options['connector'] ?? ''}' of table ${formatPath(table.path)} does not support lookup joins`);
      const cache = lookupCacheConfig(table.options, factory?.defaultLookupCache ?? 'NONE');
      f = () =>
        new LookupJoinOperator({
          name: 'LookupJoin',
          type: n.joinType,
          inputSchema: n.input.schema,
          lookupSchema: n.lookupSchema,
          keyOf: (b) => keyOf(b) as RecordBatch,
          lookupKeys: n.lookupKeys,
          // One reader per subtask, made when the operator is (the connector is not touched while planning).
          reader: createLookup({ physicalSchema: n.lookupSchema, options: table.options, tableName: formatPath(table.path), primaryKey: table.primaryKey }),
          cache,
          condition,
          outputSchema: n.schema,
        });
      break;
    }
    case 'StreamOverAggregate': {
      const aggs = n.calls.map((c) => {
        if (c.kind !== 'agg')
          throw new CodegenUnsupported('ranking functions in OVER windows outside a Top-N');
        return c.call;
      });
      f = () =>
        new OverAggregateOperator({
          name: 'OverAggregate',
          inputSchema: inputSchema(),
          partitionKeys: n.partitionKeys,
          timeCol: n.timeCol,
          isRowtime: true,
          frame: { kind: n.frame.unit, preceding: n.frame.preceding },
          aggs,
          outputSchema: n.schema,
        });
      break;
    }
  }
  // Mini-batch (optimizer/rules/mini-batch.ts): the aggregate runs behind a buffer that hands it whole bundles.
  const mb = n.kind === 'StreamGroupAggregate' || n.kind === 'StreamLocalGroupAggregate' || n.kind === 'StreamGlobalGroupAggregate' ? n.miniBatch : undefined;
  if (f !== null && mb !== undefined) {
    const inner: OperatorFactory = f;
    // The group key is the first output columns of a group or global aggregate; the local phase folds by itself.
    const keyColumns = n.kind === 'StreamGroupAggregate' || n.kind === 'StreamGlobalGroupAggregate' ? n.groupKeys.map((_k, i) => i) : null;
    f = () => new MiniBatchOperator(inner(), { ...mb, keyColumns });
  }
  return () => f;
}

/** A join's non-equi condition compiled over candidate pairs (left ++ right): 1 where it is TRUE. */
function joinCondition(cond: Rex | null, left: Schema, right: Schema): JoinCondition | null {
  if (cond === null) return null;
  const pairSchema = left.concat(right);
  const fn = compileCalc({
    inputSchema: pairSchema,
    outputSchema: new Schema([{ name: 'match', type: Types.BOOLEAN() }]),
    projections: [cond],
    condition: null,
  });
  return (pairs: RecordBatch): Uint8Array => {
    const out = new Uint8Array(pairs.length);
    const b = fn(pairs);
    if (b === null) return out;
    const c = b.columns[0];
    if (c === undefined || c.kind !== 'bool')
      throw new Error('join condition did not produce a BOOLEAN column');
    for (let i = 0; i < out.length; i++) out[i] = c.values[i] !== 0 && isValid(c.validity, i) ? 1 : 0;
    return out;
  };
}

const DISCARD: SinkWriter = {
  write() {},
  finish() {},
  async close() {},
};

function notRunnable(schema: Schema): SourceReader {
  return {
    outputSchema: schema,
    read(): AsyncIterable<StreamElement> {
      throw new Error('a job graph built for EXPLAIN cannot run');
    },
    async close() {},
  };
}

/**
 * The job graph of planned statements as EXPLAIN prints it: one line per vertex (operators chained into one
 * subtask joined by ' -> '), its parallelism and how each input is partitioned; vertices numbered in order.
 */
export function explainJobGraphOf(roots: readonly PhysicalNode[], opts: LoweringOptions): string {
  const sinks = prepare(roots, opts)(null, true);
  const graph = buildJobGraph(buildStreamGraph('explain', sinks, { defaultParallelism: opts.parallelism, maxParallelism: maxParallelismOf(opts) }));
  const number = new Map(graph.vertices.map((v, i) => [v.id, i + 1]));
  return graph.vertices
    .map((v) => {
      const ins = v.inputs.map((i) => `${describePartitioner(i.edge.partitioner)} from ${number.get(i.source)}`).join(', ');
      return `${number.get(v.id)}: ${v.name} [parallelism=${v.parallelism}]${ins === '' ? '' : ` <- ${ins}`}`;
    })
    .join('\n');
}

/**
 * EXPLAIN JSON_EXECUTION_PLAN: the job graph as Flink's JSON plan shape ({ nodes: [{ id, type, pact, contents,
 * parallelism, predecessors: [{ id, ship_strategy }] }] }), vertices numbered in order.
 */
export function jsonExecutionPlanOf(roots: readonly PhysicalNode[], opts: LoweringOptions): string {
  const sinks = prepare(roots, opts)(null, true);
  const graph = buildJobGraph(buildStreamGraph('explain', sinks, { defaultParallelism: opts.parallelism, maxParallelism: maxParallelismOf(opts) }));
  const number = new Map(graph.vertices.map((v, i) => [v.id, i + 1]));
  const nodes = graph.vertices.map((v) => ({
    id: number.get(v.id),
    type: v.name,
    pact: v.inputs.length === 0 ? 'Data Source' : v.outputs.length === 0 ? 'Data Sink' : 'Operator',
    contents: v.name,
    parallelism: v.parallelism,
    ...(v.inputs.length > 0 ? { predecessors: v.inputs.map((i) => ({ id: number.get(i.source), ship_strategy: describePartitioner(i.edge.partitioner) })) } : {}),
  }));
  return JSON.stringify({ nodes }, null, 2);
}

/** Constant rows: each row's expressions are compiled as a Calc over one empty input row. */
function valuesSource(rows: readonly (readonly Rex[])[], schema: Schema): SourceReader {
  const empty = new Schema([]);
  const one = makeBatch(empty, [], 1);
  const batches = rows.map((row) =>
    compileCalc({ inputSchema: empty, outputSchema: schema, projections: row, condition: null })(one),
  );
  // The checkpointed position: the next row to emit (Flink's values source is checkpointable too).
  let next = 0;
  return {
    outputSchema: schema,
    async *read(): AsyncGenerator<StreamElement> {
      while (next < batches.length) {
        const b = batches[next++];
        if (b !== null && b !== undefined) yield { kind: 'batch', batch: b };
      }
      yield { kind: 'end' };
    },
    snapshotState: () => new TextEncoder().encode(String(next)),
    restoreState: (bytes) => {
      next = Number(new TextDecoder().decode(bytes));
    },
    async close() {},
  };
}
