// The `datagen` connector: generates rows at `rows-per-second` (paced to the wall clock), either unbounded or
// up to `number-of-rows` / the end of a sequence field, as in Flink. `seed` (a Freshet extension) makes the
// random fields reproducible.
import {
  ColumnBuilder,
  OPERATOR_STATE_ONLY,
  abortableSleep,
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  isKeyGroupedSnapshot,
  makeBatch,
  type Schema,
  type Source,
  type SourceReader,
  type StreamElement,
} from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';
import { SourcePushDown, evaluablePredicate } from '../../planner/catalog/factory.js';
import { Prng } from '../nexmark/prng.js';
import { fieldGenerator, type FieldGenerator, type FieldSpec } from './field-generators.js';

const FIELD_KEYS = ['kind', 'min', 'max', 'max-past', 'length', 'var-len', 'start', 'end', 'null-rate'];

function positiveNumber(options: Readonly<Record<string, string>>, key: string): number | undefined {
  const raw = options[key];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0)
    throw new Error(`option '${key}' must be a non-negative number, got '${raw}'`);
  return v;
}

function parseDuration(raw: string, key: string): number {
  const m = /^\s*(\d+)\s*(ms|s|min|h|d)?\s*$/.exec(raw);
  if (m === null)
    throw new Error(`option '${key}' must be a duration such as '5000', '10 s' or '1 h', got '${raw}'`);
  const unit = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms'] as number;
  return Number(m[1]) * unit;
}

function fieldSpecs(schema: Schema, options: Readonly<Record<string, string>>): FieldSpec[] {
  for (const key of Object.keys(options)) {
    if (!key.startsWith('fields.')) continue;
    const rest = key.slice('fields.'.length);
    const dot = rest.lastIndexOf('.');
    const field = rest.slice(0, dot);
    const prop = rest.slice(dot + 1);
    if (dot < 0 || schema.indexOf(field) < 0) throw new Error(`option '${key}' names no column of the table`);
    if (!FIELD_KEYS.includes(prop))
      throw new Error(`unsupported option '${key}' (per-field options: ${FIELD_KEYS.join(', ')})`);
  }
  return schema.fields.map((f) => {
    const get = (p: string): string | undefined => options[`fields.${f.name}.${p}`];
    const kind = get('kind') ?? 'random';
    if (kind !== 'random' && kind !== 'sequence')
      throw new Error(`option 'fields.${f.name}.kind' must be 'random' or 'sequence', got '${kind}'`);
    const nullRate = positiveNumber(options, `fields.${f.name}.null-rate`) ?? 0;
    if (nullRate > 1) throw new Error(`option 'fields.${f.name}.null-rate' must be between 0 and 1`);
    const length = positiveNumber(options, `fields.${f.name}.length`);
    const maxPast = get('max-past');
    const spec: FieldSpec = {
      kind,
      varLen: get('var-len') === 'true',
      nullRate,
      ...(get('min') !== undefined ? { min: get('min') as string } : {}),
      ...(get('max') !== undefined ? { max: get('max') as string } : {}),
      ...(get('start') !== undefined ? { start: get('start') as string } : {}),
      ...(get('end') !== undefined ? { end: get('end') as string } : {}),
      ...(length !== undefined ? { length } : {}),
      ...(maxPast !== undefined ? { maxPast: parseDuration(maxPast, `fields.${f.name}.max-past`) } : {}),
    };
    return spec;
  });
}

export const datagenFactory: DynamicTableFactory = {
  identifier: 'datagen',
  options: [
    { key: 'rows-per-second', description: 'rows generated per second (default 10000)' },
    { key: 'number-of-rows', description: 'total rows; unbounded when not set' },
    { key: 'seed', description: 'seed of the random fields (Freshet extension; default: random)' },
    {
      key: 'scan.parallelism',
      description:
        "Flink's FLIP-367 option: readers that split the rows (each sequence's range) evenly, each at rows-per-second / P (default 1)",
    },
  ],
  optionPrefixes: ['fields.'],
  validate(options, schema) {
    positiveNumber(options, 'rows-per-second');
    positiveNumber(options, 'number-of-rows');
    const specs = fieldSpecs(schema, options);
    // Build the generators once so that type/option mismatches fail at CREATE TABLE time.
    schema.fields.forEach((f, i) => fieldGenerator(f.name, f.type, specs[i] as FieldSpec, new Prng(0, i)));
  },
  // Projection push-down: only the read columns are generated; each keeps the random stream of its declared
  // position, so a projected column holds the same values as in a full read. Filters: the shared evaluator.
  supportsProjectionPushDown: () => true,
  acceptsFilter: (_options, p, schema) => evaluablePredicate(p, schema),
  createSource(ctx) {
    return datagenScan(ctx).createReader(0, 1);
  },
  /**
   * The scan at 'scan.parallelism' (Flink's FLIP-367 option): as Flink's DataGeneratorSource, reader g of P gets
   * the g-th of P even, contiguous shares of the rows (so of each sequence's range) and 'rows-per-second' / P.
   */
  createScanSource(ctx) {
    return datagenScan(ctx);
  },
  /**
   * Without 'scan.parallelism' one reader, as before split readers: the rows and their order stay those of one
   * sequence, so plans and results of existing jobs do not change with parallelism.default.
   */
  defaultScanParallelism: () => 1,
};

function datagenScan(ctx: Parameters<NonNullable<DynamicTableFactory['createSource']>>[0]): Source {
  const pushDown = new SourcePushDown(ctx.physicalSchema, ctx.projection, ctx.filters);
  const limits = rowLimits(ctx.physicalSchema, ctx.options);
  return {
    outputSchema: pushDown.outputSchema,
    bounded: limits !== null,
    createReader: (index, parallelism) =>
      new DatagenReader(ctx.physicalSchema, ctx.options, pushDown, index, parallelism),
  };
}

/**
 * The rows of the table: number-of-rows or the shortest sequence, whichever is smaller (a pruned sequence column
 * still bounds the table); null when unbounded.
 */
function rowLimits(schema: Schema, options: Readonly<Record<string, string>>): number | null {
  const specs = fieldSpecs(schema, options);
  const limits = [positiveNumber(options, 'number-of-rows')];
  specs.forEach((spec) => {
    if (spec.kind === 'sequence') limits.push(Number(spec.end) - Number(spec.start) + 1);
  });
  const known = limits.filter((x): x is number => x !== undefined);
  return known.length > 0 ? Math.max(0, Math.min(...known)) : null;
}

/** Rows [from, to) of the table (to null: unbounded); row n holds value start + n of each sequence. */
type RowRange = readonly [number, number | null];

const rangeLength = (r: RowRange): number => (r[1] === null ? Number.POSITIVE_INFINITY : r[1] - r[0]);

/** Share g of P of `ranges`, in order: the rows from (g·R/P) to ((g+1)·R/P) of their R rows, evenly (Flink's split). */
function share(ranges: readonly RowRange[], index: number, parallelism: number): RowRange[] {
  const total = ranges.reduce((n, r) => n + rangeLength(r), 0);
  // Unbounded: no sequence (a sequence bounds the table), so the row index picks no value; every reader runs on.
  if (!Number.isFinite(total)) return [[0, null]];
  const lo = Math.floor((index * total) / parallelism);
  const hi = Math.floor(((index + 1) * total) / parallelism);
  const out: RowRange[] = [];
  let at = 0;
  for (const r of ranges) {
    const len = rangeLength(r);
    const from = Math.max(lo, at);
    const to = Math.min(hi, at + len);
    if (from < to) out.push([r[0] + (from - at), r[0] + (to - at)]);
    at += len;
  }
  return out;
}

/**
 * One reader's checkpointed read position, as union operator state (a restore at another parallelism sees every
 * reader's). Flink's DataGeneratorSource keeps the same: SequenceGenerator (a CheckpointedFunction) each reader's
 * values still to emit, RandomGenerator only the count of emitted rows for 'number-of-rows'. Here both are the
 * reader's remaining row ranges, since row n holds value start + n of every sequence.
 */
interface DatagenReaderState {
  readonly index: number;
  readonly parallelism: number;
  /** Rows still to emit (to null: unbounded). */
  readonly remaining: readonly RowRange[];
  /** Rows this reader emitted (summed over the readers before a rescale): reseeds the random fields. */
  readonly emitted: number;
  /** Each sequence column's start, by name: a restore refuses a table whose sequences changed. */
  readonly starts: Readonly<Record<string, number>>;
}

function sequenceStarts(schema: Schema, options: Readonly<Record<string, string>>): Record<string, number> {
  const specs = fieldSpecs(schema, options);
  const starts: Record<string, number> = {};
  schema.fields.forEach((f, i) => {
    const spec = specs[i] as FieldSpec;
    if (spec.kind === 'sequence') starts[f.name] = Number(spec.start);
  });
  return starts;
}

const GOLDEN = 0x9e3779b1;

class DatagenReader implements SourceReader {
  readonly outputSchema: Schema;
  /** Rows still to emit; the head advances in the step that yields, so a snapshot between two elements is exact. */
  private remaining: RowRange[] | null = null;
  private emitted = 0;
  /** Whether the position came from a checkpoint (the random streams are reseeded, see read). */
  private restored = false;

  constructor(
    private readonly physicalSchema: Schema,
    private readonly options: Readonly<Record<string, string>>,
    private readonly pushDown: SourcePushDown,
    /** This reader's share: the index-th of parallelism even shares of the rows. */
    private readonly index = 0,
    private readonly parallelism = 1,
  ) {
    this.outputSchema = pushDown.outputSchema;
  }

  private initialRanges(): RowRange[] {
    const total = rowLimits(this.physicalSchema, this.options);
    return share([[0, total]], this.index, this.parallelism);
  }

  snapshotState(): Uint8Array {
    const me: DatagenReaderState = {
      index: this.index,
      parallelism: this.parallelism,
      remaining: this.remaining ?? this.initialRanges(),
      emitted: this.emitted,
      starts: sequenceStarts(this.physicalSchema, this.options),
    };
    return encodeKeyGroupedSnapshot({
      maxParallelism: OPERATOR_STATE_ONLY,
      keyGroups: new Map(),
      operatorState: { union: new Map([['readers', [me]]]) },
    });
  }

  /**
   * The same parallelism continues each reader's own ranges. Another parallelism pools every old reader's
   * remaining ranges and gives reader g the g-th of P even shares of them, as Flink's SequenceGenerator
   * redistributes its list state: no row (sequence value) is lost or emitted twice. A reader absent from the
   * state had finished (its subtask left only a marker) and has nothing left.
   */
  restoreState(bytes: Uint8Array): void {
    if (!isKeyGroupedSnapshot(bytes))
      throw new Error('datagen: the restored state is not a datagen read position');
    const readers = (decodeKeyGroupedSnapshot(bytes).operatorState.union?.get('readers') ??
      []) as DatagenReaderState[];
    const starts = sequenceStarts(this.physicalSchema, this.options);
    for (const r of readers)
      for (const [name, start] of Object.entries(r.starts))
        if (starts[name] !== start)
          throw new Error(
            `datagen: cannot restore sequence field '${name}' (start ${start} in the checkpoint); the table's sequence options changed`,
          );
    this.restored = true;
    const own = readers.length === 1 ? readers[0] : undefined;
    if (own !== undefined && own.index === this.index && own.parallelism === this.parallelism) {
      this.remaining = own.remaining.map((r) => [r[0], r[1]]);
      this.emitted = own.emitted;
      return;
    }
    const pooled = readers
      .flatMap((r) => r.remaining)
      .slice()
      .sort((a, b) => a[0] - b[0]);
    this.remaining = share(pooled, this.index, this.parallelism);
    this.emitted = readers.reduce((n, r) => n + r.emitted, 0);
  }

  async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
    // Flink's DataGeneratorSource divides 'rows-per-second' over the parallel readers.
    const rate = (positiveNumber(this.options, 'rows-per-second') ?? 10000) / this.parallelism;
    const configured = this.options['seed'] !== undefined ? Number(this.options['seed']) : null;
    const base = configured ?? Math.floor(Math.random() * 2 ** 31);
    // Random fields after a restore are new random values, as in Flink (its RandomGenerator keeps no PRNG state);
    // with a fixed 'seed' the stream is reseeded by the rows emitted, so a restore does not replay the random
    // values of the job's first rows. Reader g of P > 1 draws its own streams.
    const seed = this.restored ? (base + (this.emitted + 1) * GOLDEN) % Number.MAX_SAFE_INTEGER : base;
    const streams = this.physicalSchema.fields.length * this.index;
    const specs = fieldSpecs(this.physicalSchema, this.options);
    const all: FieldGenerator[] = this.physicalSchema.fields.map((f, i) =>
      fieldGenerator(f.name, f.type, specs[i] as FieldSpec, new Prng(seed, streams + i)),
    );
    const gens = this.pushDown.read.map((i) => all[i] as FieldGenerator);
    const readSchema = this.pushDown.readSchema;
    const remaining = (this.remaining ??= this.initialRanges());
    // Emit every 100 ms (or per 4096 rows when faster), so the rate holds and latency stays low.
    const perTick = Math.max(1, Math.min(4096, Math.ceil(rate / 10)));
    // Paced from this run's start: a restored reader continues at 'rows-per-second' instead of bursting out the
    // rows the wall clock says are overdue since the job's first start.
    const started = Date.now();
    let sent = 0;
    while (remaining.length > 0 && !signal.aborted) {
      const head = remaining[0] as RowRange;
      if (rangeLength(head) <= 0) {
        remaining.shift();
        continue;
      }
      if (rate > 0) {
        const due = started + (sent / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await abortableSleep(wait, signal);
        if (signal.aborted) break;
      }
      const first = head[0];
      const n = Math.min(perTick, rangeLength(head));
      const now = Date.now();
      const builders = readSchema.fields.map((f) => new ColumnBuilder(f.type, n));
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < gens.length; c++)
          (gens[c] as FieldGenerator).append(builders[c] as ColumnBuilder, first + r, now);
      }
      remaining[0] = [first + n, head[1]];
      this.emitted += n;
      sent += n;
      const batch = this.pushDown.finish(
        makeBatch(
          readSchema,
          builders.map((b) => b.finish()),
          n,
        ),
      );
      if (batch.length > 0) yield { kind: 'batch', batch };
    }
    if (remaining.length === 0) yield { kind: 'end' };
  }

  async close(): Promise<void> {}
}
