// StreamExecutionEnvironment: where a DataStream program starts (sources) and ends (execute). It records
// transformations; `execute` turns them into a StreamGraph, chains it into a JobGraph and runs it on the local
// executor (all subtasks in this thread until the slot-based executor of issue 6).
import { randomBytes } from 'node:crypto';
import type { Value } from '../batch/column.js';
import { buildJobGraph, explainJobGraph, type JobGraph } from '../graph/job-graph.js';
import { buildStreamGraph, type StreamGraph } from '../graph/stream-graph.js';
import { newTransformationId, type Transformation } from '../graph/transformation.js';
import { DEFAULT_MAX_PARALLELISM } from '../runtime/key.js';
import {
  DEFAULT_EXECUTION_OPTIONS,
  LocalJob,
  type CheckpointRetention,
  type JobClient,
  type JobExecutionResult,
} from '../runtime/local-executor.js';
import type { Source } from '../runtime/source.js';
import {
  DEFAULT_CHECKPOINT_CONFIG,
  type CheckpointConfig,
  type CheckpointingMode,
} from '../checkpoint/coordinator.js';
import { FileCheckpointStorage } from '../checkpoint/storage.js';
import { restartStrategyOf, type RestartStrategy } from '../cluster/restart-strategy.js';
import { defaultCheckpointDir } from '../checkpoint/defaults.js';
import type { ProcessingTimeService } from '../runtime/time.js';
import type { Schema } from '../types/schema.js';
import { DataStream } from './data-stream.js';
import { inferSchema, type Row } from './rows.js';
import { CollectionSource } from './sources.js';
import { TimestampsAndWatermarksOperator } from './timestamps-operator.js';
import type { WatermarkStrategy } from './watermark-strategy.js';

export type RuntimeMode = 'STREAMING' | 'BATCH';

export interface EnvironmentOptions {
  readonly parallelism?: number;
  readonly maxParallelism?: number;
  /** ms; default 10, 0 = flush every batch at once, -1 = only when full. */
  readonly bufferTimeout?: number;
  /** pipeline.auto-watermark-interval in ms; default 200, 0 = after every record. */
  readonly autoWatermarkInterval?: number;
  readonly runtimeMode?: RuntimeMode;
  /** Rows per network buffer (default 1024). */
  readonly batchSize?: number;
  /** Buffers a channel holds before backpressure (default 8). */
  readonly channelCapacity?: number;
  /** The processing-time clock; tests pass a ManualProcessingTimeService. */
  readonly clock?: ProcessingTimeService;
}

/** Flink's CheckpointConfig setters (env.getCheckpointConfig()). */
export class CheckpointSettings {
  config: CheckpointConfig = DEFAULT_CHECKPOINT_CONFIG;
  /** execution.checkpointing.dir; a folder per job is made under it. */
  dir: string | null = null;
  numRetained = 1;
  /** execution.savepoint.path: the checkpoint or savepoint the next job starts from. */
  restorePath: string | null = null;
  private set(patch: Partial<CheckpointConfig>): this {
    this.config = { ...this.config, ...patch };
    return this;
  }
  setCheckpointInterval(ms: number): this {
    return this.set({ intervalMs: ms });
  }
  setCheckpointingMode(mode: CheckpointingMode): this {
    return this.set({ mode });
  }
  setCheckpointTimeout(ms: number): this {
    return this.set({ timeoutMs: ms });
  }
  setMinPauseBetweenCheckpoints(ms: number): this {
    return this.set({ minPauseMs: ms });
  }
  setMaxConcurrentCheckpoints(n: number): this {
    return this.set({ maxConcurrent: n });
  }
  setTolerableCheckpointFailureNumber(n: number): this {
    return this.set({ tolerableFailures: n });
  }
  setCheckpointStorage(dir: string): this {
    this.dir = dir;
    return this;
  }
  setNumRetainedCheckpoints(n: number): this {
    this.numRetained = n;
    return this;
  }
  /** What happens to checkpoints when the job ends (Flink's externalized-checkpoint-retention). */
  retention: CheckpointRetention = 'NO_EXTERNALIZED_CHECKPOINTS';
  setExternalizedCheckpointRetention(r: CheckpointRetention): this {
    this.retention = r;
    return this;
  }
  isCheckpointingEnabled(): boolean {
    return this.config.intervalMs > 0;
  }
}

/** A restart strategy (Flink's fixed-delay): `attempts` restarts, `delayMs` apart. */
export function fixedDelayRestart(attempts: number, delayMs: number): RestartStrategy {
  // One implementation of Flink's strategies: the cluster's, configured by the same keys.
  return restartStrategyOf(
    new Map([
      ['restart-strategy.type', 'fixed-delay'],
      ['restart-strategy.fixed-delay.attempts', String(attempts)],
      ['restart-strategy.fixed-delay.delay', `${delayMs} ms`],
    ]),
  );
}

export class StreamExecutionEnvironment {
  private parallelism: number;
  private readonly checkpointSettings = new CheckpointSettings();
  /** Flink's default with checkpointing on is fixed-delay with unlimited attempts; 1 s apart. */
  private restartStrategy: { nextDelay(now: number): number | null } | null = null;
  private maxParallelism: number;
  private bufferTimeout: number;
  private autoWatermarkInterval: number;
  private runtimeMode: RuntimeMode;
  private readonly batchSize: number;
  private readonly channelCapacity: number;
  private readonly clock: ProcessingTimeService;
  /** Sinks added since the last execute: the roots the StreamGraph is built from. */
  private sinks: Transformation[] = [];

  constructor(opts: EnvironmentOptions = {}) {
    this.parallelism = opts.parallelism ?? 1;
    this.maxParallelism = opts.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    this.bufferTimeout = opts.bufferTimeout ?? DEFAULT_EXECUTION_OPTIONS.bufferTimeout;
    this.autoWatermarkInterval =
      opts.autoWatermarkInterval ?? DEFAULT_EXECUTION_OPTIONS.autoWatermarkInterval;
    this.runtimeMode = opts.runtimeMode ?? 'STREAMING';
    this.batchSize = opts.batchSize ?? DEFAULT_EXECUTION_OPTIONS.batchSize;
    this.channelCapacity = opts.channelCapacity ?? DEFAULT_EXECUTION_OPTIONS.channelCapacity;
    this.clock = opts.clock ?? DEFAULT_EXECUTION_OPTIONS.clock;
  }

  static getExecutionEnvironment(opts: EnvironmentOptions = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(opts);
  }

  setParallelism(p: number): this {
    if (!Number.isInteger(p) || p < 1)
      throw new RangeError(`parallelism must be a positive integer, got ${p}`);
    this.parallelism = p;
    return this;
  }
  getParallelism(): number {
    return this.parallelism;
  }
  setMaxParallelism(p: number): this {
    this.maxParallelism = p;
    return this;
  }
  setBufferTimeout(ms: number): this {
    this.bufferTimeout = ms;
    return this;
  }
  getBufferTimeout(): number {
    return this.bufferTimeout;
  }
  setAutoWatermarkInterval(ms: number): this {
    this.autoWatermarkInterval = ms;
    return this;
  }
  getAutoWatermarkInterval(): number {
    return this.autoWatermarkInterval;
  }
  /** Checkpoints every `intervalMs` (Flink's enableCheckpointing); see getCheckpointConfig() for the rest. */
  enableCheckpointing(intervalMs: number, mode: CheckpointingMode = 'EXACTLY_ONCE'): this {
    if (!(intervalMs > 0))
      throw new RangeError(`the checkpoint interval must be positive, got ${intervalMs}`);
    this.checkpointSettings.setCheckpointInterval(intervalMs).setCheckpointingMode(mode);
    return this;
  }
  getCheckpointConfig(): CheckpointSettings {
    return this.checkpointSettings;
  }
  setRestartStrategy(strategy: { nextDelay(now: number): number | null }): this {
    this.restartStrategy = strategy;
    return this;
  }
  /** Starts the next job from this checkpoint or savepoint folder (Flink's execution.savepoint.path). */
  setSavepointRestorePath(path: string | null): this {
    this.checkpointSettings.restorePath = path;
    return this;
  }
  setRuntimeMode(mode: RuntimeMode): this {
    this.runtimeMode = mode;
    return this;
  }
  getRuntimeMode(): RuntimeMode {
    return this.runtimeMode;
  }

  /** A source with event time from the strategy (Flink applies the strategy inside the source; here it is chained right after it). */
  fromSource(source: Source, strategy: WatermarkStrategy | null, name: string): DataStream {
    if (this.runtimeMode === 'BATCH' && !source.bounded)
      throw new Error(`BATCH runtime mode needs bounded sources; '${name}' is unbounded`);
    const t: Transformation = {
      kind: 'source',
      id: newTransformationId(),
      name,
      uid: null,
      parallelism: null,
      outputSchema: source.outputSchema,
      source,
    };
    // FLIP-27 sources run the strategy per split inside the reader (BATCH mode needs no watermarks but the last).
    if (strategy !== null && source.withWatermarks !== undefined && this.runtimeMode !== 'BATCH') {
      const split = source.withWatermarks(
        strategy.forSource(source.outputSchema, this.autoWatermarkInterval),
      );
      return new DataStream(this, { ...t, source: split });
    }
    const stream = new DataStream(this, t);
    return strategy === null
      ? stream
      : this.withWatermarks(stream, strategy, `${name}: Timestamps/Watermarks`);
  }

  /** @internal Chains a TimestampsAndWatermarksOperator after `stream`. */
  withWatermarks(stream: DataStream, strategy: WatermarkStrategy, name: string): DataStream {
    const schema = stream.schema;
    const batch = this.runtimeMode === 'BATCH';
    return stream.transform(
      name,
      schema,
      () => new TimestampsAndWatermarksOperator(name, schema, strategy, !batch),
    );
  }

  /** A bounded stream of the given rows (schema inferred from the values; see inferSchema). Parallelism 1. */
  fromElements(...rows: Row[]): DataStream {
    return this.fromCollection(rows);
  }

  fromCollection(rows: readonly (readonly Value[])[], schema?: Schema): DataStream {
    const s = schema ?? inferSchema(rows);
    const stream = this.fromSource(new CollectionSource(s, rows as Row[]), null, 'Collection Source');
    stream.setParallelism(1);
    return stream;
  }

  /** @internal */
  addSinkTransformation(t: Transformation): void {
    this.sinks.push(t);
  }

  getStreamGraph(jobName = 'Freshet Streaming Job'): StreamGraph {
    return buildStreamGraph(jobName, this.sinks, {
      defaultParallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
    });
  }

  getJobGraph(jobName?: string): JobGraph {
    return buildJobGraph(this.getStreamGraph(jobName));
  }

  /** The job graph as text: chained vertices, parallelism and the partitioning of each input. */
  explain(): string {
    return explainJobGraph(this.getJobGraph());
  }

  /** Starts the job; the program's sinks are then cleared, as Flink does after execute. */
  executeAsync(jobName = 'Freshet Streaming Job'): LocalJob {
    if (this.sinks.length === 0)
      throw new Error('no sinks defined: add one (print, sinkTo, addSink, executeAndCollect)');
    const job = this.getJobGraph(jobName);
    this.sinks = [];
    const cs = this.checkpointSettings;
    const checkpointing =
      cs.isCheckpointingEnabled() || cs.restorePath !== null
        ? {
            config: cs.config,
            // One folder per execution, named by a fresh job id as Flink does, so runs never mix checkpoints.
            storage: new FileCheckpointStorage(
              `${cs.dir ?? defaultCheckpointDir()}/${randomBytes(16).toString('hex')}`,
              cs.numRetained,
              (m) => console.warn(`[freshet] ${m}`),
            ),
            restorePath: cs.restorePath,
            retention: cs.retention,
            restartStrategy: this.restartStrategy ?? fixedDelayRestart(Number.MAX_SAFE_INTEGER, 1000),
          }
        : null;
    return new LocalJob(
      job,
      {
        batchSize: this.batchSize,
        bufferTimeout: this.bufferTimeout,
        autoWatermarkInterval: this.autoWatermarkInterval,
        channelCapacity: this.channelCapacity,
        clock: this.clock,
      },
      checkpointing,
    );
  }

  execute(jobName?: string): Promise<JobExecutionResult> {
    const client: JobClient = this.executeAsync(jobName);
    return client.getJobExecutionResult();
  }
}
