// The fluent DataStream API (Flink's DataStream, KeyedStream, ConnectedStreams, WindowedStream). Every call
// records a transformation and returns a new stream; nothing runs until execute. Per-row functions see rows as
// value arrays (rows.ts); `transform`/`mapBatch` take whole batches for code that needs the columnar speed.
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { newTransformationId, type Transformation } from '../graph/transformation.js';
import type { OperatorFactory } from '../graph/stream-graph.js';
import { CalcOperator } from '../runtime/calc-operator.js';
import { fieldKeySelector, toKey, type Key, type KeySelector } from '../runtime/key.js';
import type { BatchFunction, SinkWriter } from '../runtime/operator.js';
import type { Partitioner } from '../runtime/partitioner.js';
import type { AggregateFunction } from '../state/state.js';
import type { Schema } from '../types/schema.js';
import {
  countAggregate,
  fromAggregateFunction,
  fromReduceFunction,
  type BatchAggregate,
  type Evictor,
  type ProcessWindowFunction,
  type WindowContents,
} from '../windowing/functions.js';
import { defaultTrigger, type Trigger } from '../windowing/triggers.js';
import { WindowOperator } from '../windowing/window-operator.js';
import type { WindowAssigner } from '../windowing/windows.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type {
  CoProcessFunction,
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelectorFunction,
  MapFunction,
  OutputTag,
  ProcessFunction,
  ReduceFunction,
} from './functions.js';
import { IntervalJoinOperator } from './interval-join.js';
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator, ReduceOperator, SinkOperator } from './operators.js';
import type { Row } from './rows.js';
import { CollectQueue, PrintSink, type Sink } from './sinks.js';
import type { WatermarkStrategy } from './watermark-strategy.js';

export class DataStream {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
  ) {}

  get schema(): Schema {
    return this.transformation.outputSchema;
  }

  protected derive(t: Transformation): DataStream {
    return new DataStream(this.env, t);
  }

  /** A one-input operator on whole batches: the extension point for columnar operators. */
  transform(name: string, outputSchema: Schema, factory: OperatorFactory): DataStream {
    return this.derive({
      kind: 'one-input',
      id: newTransformationId(),
      name,
      uid: null,
      parallelism: this.transformation.kind === 'partition' ? null : this.transformation.parallelism,
      outputSchema,
      input: this.transformation,
      factory,
    });
  }

  /** A batch-to-batch function (return null to drop a batch): the fast path for stateless steps. */
  mapBatch(fn: BatchFunction, outputSchema: Schema = this.schema, name = 'MapBatch'): DataStream {
    return this.transform(name, outputSchema, () => new CalcOperator(name, outputSchema, fn));
  }

  map(fn: MapFunction, outputSchema: Schema = this.schema): DataStream {
    return this.transform('Map', outputSchema, () => new MapOperator('Map', outputSchema, fn));
  }

  flatMap(fn: FlatMapFunction, outputSchema: Schema = this.schema): DataStream {
    return this.transform('FlatMap', outputSchema, () => new FlatMapOperator('FlatMap', outputSchema, fn));
  }

  filter(fn: FilterFunction): DataStream {
    const schema = this.schema;
    return this.transform('Filter', schema, () => new FilterOperator('Filter', schema, fn));
  }

  process(fn: ProcessFunction, outputSchema: Schema = this.schema): DataStream {
    return this.transform('Process', outputSchema, () => new ProcessOperator('Process', outputSchema, { kind: 'process', fn }, [null]));
  }

  assignTimestampsAndWatermarks(strategy: WatermarkStrategy): DataStream {
    return this.env.withWatermarks(this, strategy, 'Timestamps/Watermarks');
  }

  keyBy(key: string | number | KeySelectorFunction): KeyedStream {
    const selector = keySelectorOf(this.schema, key);
    return new KeyedStream(this.env, this.partition({ kind: 'hash', key: selector }).transformation, selector);
  }

  /** Non-keyed windows: everything goes through one subtask (Flink's windowAll). */
  windowAll(assigner: WindowAssigner): WindowedStream {
    const constant: KeySelector = { description: 'ALL', keysOf: (b) => new Array<Key>(b.length).fill(0) };
    const keyed = new KeyedStream(this.env, this.partition({ kind: 'global' }).transformation, constant);
    return new WindowedStream(keyed, assigner, 1);
  }

  union(...others: DataStream[]): DataStream {
    for (const o of others) {
      if (o.schema.toString() !== this.schema.toString()) {
        throw new Error(`union needs equal schemas: ${this.schema.toString()} vs ${o.schema.toString()}`);
      }
    }
    return this.derive({
      kind: 'union',
      id: newTransformationId(),
      name: 'Union',
      uid: null,
      parallelism: null,
      outputSchema: this.schema,
      inputs: [this.transformation, ...others.map((o) => o.transformation)],
    });
  }

  connect(other: DataStream): ConnectedStreams {
    return new ConnectedStreams(this, other, null, null);
  }

  protected partition(p: Partitioner): DataStream {
    return this.derive({
      kind: 'partition',
      id: newTransformationId(),
      name: p.kind,
      uid: null,
      parallelism: null,
      outputSchema: this.schema,
      input: this.transformation,
      partitioner: p,
    });
  }

  rebalance(): DataStream {
    return this.partition({ kind: 'rebalance' });
  }
  rescale(): DataStream {
    return this.partition({ kind: 'rescale' });
  }
  broadcast(): DataStream {
    return this.partition({ kind: 'broadcast' });
  }
  shuffle(): DataStream {
    return this.partition({ kind: 'shuffle' });
  }
  forward(): DataStream {
    return this.partition({ kind: 'forward' });
  }
  global(): DataStream {
    return this.partition({ kind: 'global' });
  }

  setParallelism(p: number): this {
    if (!Number.isInteger(p) || p < 1) throw new RangeError(`parallelism must be a positive integer, got ${p}`);
    this.transformation.parallelism = p;
    return this;
  }

  getParallelism(): number {
    return this.transformation.parallelism ?? this.env.getParallelism();
  }

  name(name: string): this {
    this.transformation.name = name;
    return this;
  }

  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }

  /** The side output `tag` of this stream's operator. */
  getSideOutput(tag: OutputTag): DataStream {
    return this.derive({
      kind: 'side-output',
      id: newTransformationId(),
      name: `SideOutput(${tag.id})`,
      uid: null,
      parallelism: null,
      outputSchema: tag.schema,
      input: this.transformation,
      tag: tag.id,
    });
  }

  sinkTo(sink: Sink, name = 'Sink'): DataStreamSink {
    return this.addSinkFactory(name, (i, p) => sink.createWriter(i, p));
  }

  /** A sink from a writer factory (one writer per parallel subtask). */
  addSink(writer: (subtaskIndex: number, parallelism: number) => SinkWriter, name = 'Sink'): DataStreamSink {
    return this.addSinkFactory(name, writer);
  }

  print(prefix?: string): DataStreamSink {
    return this.sinkTo(new PrintSink(prefix ?? null), 'Print to Std. Out');
  }

  private addSinkFactory(name: string, make: (i: number, p: number) => SinkWriter): DataStreamSink {
    const schema = this.schema;
    const t: Transformation = {
      kind: 'sink',
      id: newTransformationId(),
      name,
      uid: null,
      parallelism: null,
      outputSchema: schema,
      input: this.transformation,
      factory: () => new SinkOperator(name, schema, make),
    };
    this.env.addSinkTransformation(t);
    return new DataStreamSink(t);
  }

  /**
   * Runs the program with a collecting sink and yields this stream's rows as they arrive. Breaking out of the
   * loop cancels the job. The sink's queue is bounded, so a slow reader slows the job down.
   */
  async *executeAndCollect(jobName = 'Collect'): AsyncGenerator<Row> {
    const queue = new CollectQueue(16);
    this.addSinkFactory('Collect Sink', () => queue.writer()).setParallelism(1);
    const job = this.env.executeAsync(jobName);
    job.getJobExecutionResult().then(
      () => queue.end(null),
      (e: unknown) => queue.end(e),
    );
    try {
      yield* queue.rows();
    } finally {
      if (job.getJobStatus() === 'RUNNING' || job.getJobStatus() === 'CREATED') await job.cancel();
    }
  }
}

export class DataStreamSink {
  constructor(readonly transformation: Transformation) {}
  setParallelism(p: number): this {
    this.transformation.parallelism = p;
    return this;
  }
  name(n: string): this {
    this.transformation.name = n;
    return this;
  }
  uid(u: string): this {
    this.transformation.uid = u;
    return this;
  }
}

export function keySelectorOf(schema: Schema, key: string | number | KeySelectorFunction): KeySelector {
  if (typeof key === 'function') {
    return { description: 'KeySelector', keysOf: (b: RecordBatch) => rowsKeys(b, key) };
  }
  const i = typeof key === 'number' ? key : schema.indexOf(key);
  if (i < 0 || i >= schema.size) throw new Error(`key field '${key}' is not in ${schema.toString()}`);
  return fieldKeySelector(i, schema.field(i).name);
}

function rowsKeys(b: RecordBatch, fn: (row: Row) => Value): Key[] {
  const out = new Array<Key>(b.length);
  for (let r = 0; r < b.length; r++) out[r] = toKey(fn(rowAt(b, r)));
  return out;
}

export class KeyedStream extends DataStream {
  constructor(
    env: StreamExecutionEnvironment,
    t: Transformation,
    readonly keySelector: KeySelector,
  ) {
    super(env, t);
  }

  override process(fn: KeyedProcessFunction, outputSchema: Schema = this.schema): DataStream {
    const key = this.keySelector;
    return this.transform(
      'KeyedProcess',
      outputSchema,
      () => new ProcessOperator('KeyedProcess', outputSchema, { kind: 'keyed', fn }, [key]),
    );
  }

  reduce(fn: ReduceFunction): DataStream {
    const key = this.keySelector;
    const schema = this.schema;
    return this.transform('Keyed Reduce', schema, () => new ReduceOperator('Keyed Reduce', schema, key, fn));
  }

  private field(f: string | number): number {
    const i = typeof f === 'number' ? f : this.schema.indexOf(f);
    if (i < 0 || i >= this.schema.size) throw new Error(`field '${f}' is not in ${this.schema.toString()}`);
    return i;
  }

  /** Rolling sum of a field; the other fields are those of the first row of the key (as in Flink). */
  sum(field: string | number): DataStream {
    const i = this.field(field);
    return this.reduce((a, b) => withField(a, i, add(a[i] ?? null, b[i] ?? null)));
  }
  min(field: string | number): DataStream {
    const i = this.field(field);
    return this.reduce((a, b) => (less(b[i] ?? null, a[i] ?? null) ? withField(a, i, b[i] ?? null) : a));
  }
  max(field: string | number): DataStream {
    const i = this.field(field);
    return this.reduce((a, b) => (less(a[i] ?? null, b[i] ?? null) ? withField(a, i, b[i] ?? null) : a));
  }
  minBy(field: string | number): DataStream {
    const i = this.field(field);
    return this.reduce((a, b) => (less(b[i] ?? null, a[i] ?? null) ? b : a));
  }
  maxBy(field: string | number): DataStream {
    const i = this.field(field);
    return this.reduce((a, b) => (less(a[i] ?? null, b[i] ?? null) ? b : a));
  }

  window(assigner: WindowAssigner): WindowedStream {
    return new WindowedStream(this, assigner, null);
  }

  /** Joins rows of two keyed streams whose timestamps are within [lower, upper] of each other (event time). */
  intervalJoin(other: KeyedStream): IntervalJoinBuilder {
    return new IntervalJoinBuilder(this, other);
  }
}

function withField(row: Row, i: number, v: Value): Row {
  const out = row.slice();
  out[i] = v;
  return out;
}

function add(a: Value, b: Value): Value {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  return Number(a) + Number(b);
}

function less(a: Value, b: Value): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return (a as number) < (b as number);
}

export class IntervalJoinBuilder {
  private lower = 0;
  private upper = 0;
  constructor(
    private readonly left: KeyedStream,
    private readonly right: KeyedStream,
  ) {}
  between(lowerMs: number, upperMs: number): this {
    if (lowerMs > upperMs) throw new RangeError('the lower bound of an interval join must not exceed the upper bound');
    this.lower = lowerMs;
    this.upper = upperMs;
    return this;
  }
  /** `fn(left, right, out)` for every pair with left.ts + lower <= right.ts <= left.ts + upper. */
  process(fn: (left: Row, right: Row, out: { collect(row: Row): void }) => void, outputSchema: Schema): DataStream {
    const { lower, upper, left, right } = this;
    const keys = [left.keySelector, right.keySelector];
    const t: Transformation = {
      kind: 'two-input',
      id: newTransformationId(),
      name: 'IntervalJoin',
      uid: null,
      parallelism: null,
      outputSchema,
      input1: left.transformation,
      input2: right.transformation,
      factory: () => new IntervalJoinOperator('IntervalJoin', outputSchema, keys, lower, upper, fn),
    };
    return new DataStream(left.env, t);
  }
}

export class ConnectedStreams {
  constructor(
    readonly first: DataStream,
    readonly second: DataStream,
    private readonly key1: KeySelector | null,
    private readonly key2: KeySelector | null,
  ) {}

  keyBy(k1: string | number | KeySelectorFunction, k2: string | number | KeySelectorFunction): ConnectedStreams {
    const a = this.first.keyBy(k1);
    const b = this.second.keyBy(k2);
    return new ConnectedStreams(a, b, a.keySelector, b.keySelector);
  }

  process(fn: CoProcessFunction, outputSchema: Schema): DataStream {
    const keys = [this.key1, this.key2];
    const t: Transformation = {
      kind: 'two-input',
      id: newTransformationId(),
      name: 'CoProcess',
      uid: null,
      parallelism: null,
      outputSchema,
      input1: this.first.transformation,
      input2: this.second.transformation,
      factory: () => new ProcessOperator('CoProcess', outputSchema, { kind: 'co', fn }, keys),
    };
    return new DataStream(this.first.env, t);
  }

  map(fn1: (row: Row) => Row, fn2: (row: Row) => Row, outputSchema: Schema): DataStream {
    return this.process(
      {
        processElement1: (row, _ctx, out) => out.collect(fn1(row)),
        processElement2: (row, _ctx, out) => out.collect(fn2(row)),
      },
      outputSchema,
    );
  }
}

export class WindowedStream {
  private trig: Trigger | null = null;
  private evict: Evictor | null = null;
  private lateness = 0;
  private lateTag: OutputTag | null = null;

  constructor(
    readonly input: KeyedStream,
    readonly assigner: WindowAssigner,
    /** windowAll runs at parallelism 1. */
    private readonly forcedParallelism: number | null,
  ) {}

  trigger(t: Trigger): this {
    this.trig = t;
    return this;
  }
  evictor(e: Evictor): this {
    this.evict = e;
    return this;
  }
  allowedLateness(ms: number): this {
    if (ms < 0) throw new RangeError('allowed lateness must not be negative');
    this.lateness = ms;
    return this;
  }
  sideOutputLateData(tag: OutputTag): this {
    this.lateTag = tag;
    return this;
  }

  reduce(fn: ReduceFunction, windowFunction: ProcessWindowFunction | null = null, outputSchema?: Schema): DataStream {
    return this.build('Window(Reduce)', { kind: 'aggregate', aggregate: fromReduceFunction(fn) as BatchAggregate<unknown> }, windowFunction, outputSchema ?? this.input.schema);
  }

  /** An incremental aggregate; its result row has `outputSchema` (or, with a window function, that function's rows do). */
  aggregate<ACC>(
    fn: AggregateFunction<Row, ACC, Row> | BatchAggregate<ACC>,
    outputSchema: Schema,
    windowFunction: ProcessWindowFunction | null = null,
  ): DataStream {
    const agg = 'addRow' in fn ? fn : fromAggregateFunction(fn);
    return this.build('Window(Aggregate)', { kind: 'aggregate', aggregate: agg as BatchAggregate<unknown> }, windowFunction, outputSchema);
  }

  /** Counts rows per key and window without reading them; `windowFunction` shapes the output row. */
  count(outputSchema: Schema, windowFunction: ProcessWindowFunction | null = null): DataStream {
    return this.aggregate(countAggregate(), outputSchema, windowFunction);
  }

  process(fn: ProcessWindowFunction, outputSchema: Schema): DataStream {
    return this.build('Window(Process)', { kind: 'list', evictor: this.evict }, fn, outputSchema);
  }

  /** Flink's legacy WindowFunction form: same as process here. */
  apply(fn: ProcessWindowFunction, outputSchema: Schema): DataStream {
    return this.process(fn, outputSchema);
  }

  private build(name: string, contents: WindowContents, fn: ProcessWindowFunction | null, outputSchema: Schema): DataStream {
    if (this.evict !== null && contents.kind !== 'list') {
      throw new Error('an evictor needs the rows of the window: use process() or apply() instead of reduce/aggregate');
    }
    const spec = {
      assigner: this.assigner,
      trigger: this.trig ?? defaultTrigger(this.assigner),
      contents,
      windowFunction: fn,
      allowedLateness: this.lateness,
      lateDataTag: this.lateTag,
      key: this.input.keySelector,
    };
    const out = this.input.transform(name, outputSchema, () => new WindowOperator(name, outputSchema, spec));
    if (this.forcedParallelism !== null) out.setParallelism(this.forcedParallelism);
    return out;
  }
}
