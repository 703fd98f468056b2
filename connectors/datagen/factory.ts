// The `datagen` connector: generates rows at `rows-per-second` (paced to the wall clock), either unbounded or
// up to `number-of-rows` / the end of a sequence field, as in Flink. `seed` (a Freshet extension) makes the
// random fields reproducible.
import {
  ColumnBuilder,
  abortableSleep,
  makeBatch,
  type Schema,
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
      description: 'accepted for compatibility; parallelism comes with the executor',
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
    return new DatagenReader(
      ctx.physicalSchema,
      ctx.options,
      new SourcePushDown(ctx.physicalSchema, ctx.projection, ctx.filters),
    );
  },
};

/**
 * The checkpointed read position (operator state of the one reader). Flink's DataGeneratorSource keeps the same:
 * SequenceGenerator (a CheckpointedFunction) the values still to emit, RandomGenerator only the count of emitted
 * rows for 'number-of-rows'. `produced` is both here, since a sequence's value of row n is start + n; the next
 * values are recorded too so a restore can check that the table's sequences still match the state.
 */
interface DatagenReaderState {
  readonly version: 1;
  /** Rows emitted before the checkpoint. */
  readonly produced: number;
  /** Each sequence column's next value, by column name (null: no sequence there). */
  readonly nextValues: Readonly<Record<string, number>>;
}

const STATE_VERSION = 1;

function sequenceStart(spec: FieldSpec): number | null {
  return spec.kind === 'sequence' && spec.start !== undefined ? Number(spec.start) : null;
}

class DatagenReader implements SourceReader {
  readonly outputSchema: Schema;
  /** Rows emitted so far (updated in the step that yields, so a snapshot between two elements is exact). */
  private produced = 0;
  /** Whether `produced` came from a checkpoint (the pacing clock and the random streams continue, see read). */
  private restored = false;

  constructor(
    private readonly physicalSchema: Schema,
    private readonly options: Readonly<Record<string, string>>,
    private readonly pushDown: SourcePushDown,
  ) {
    this.outputSchema = pushDown.outputSchema;
  }

  snapshotState(): Uint8Array {
    const specs = fieldSpecs(this.physicalSchema, this.options);
    const nextValues: Record<string, number> = {};
    this.physicalSchema.fields.forEach((f, i) => {
      const start = sequenceStart(specs[i] as FieldSpec);
      if (start !== null) nextValues[f.name] = start + this.produced;
    });
    const state: DatagenReaderState = { version: STATE_VERSION, produced: this.produced, nextValues };
    return new TextEncoder().encode(JSON.stringify(state));
  }

  restoreState(bytes: Uint8Array): void {
    let state: DatagenReaderState;
    try {
      state = JSON.parse(new TextDecoder().decode(bytes)) as DatagenReaderState;
    } catch {
      throw new Error('datagen: the restored state is not a datagen read position');
    }
    if (state.version !== STATE_VERSION || !Number.isSafeInteger(state.produced) || state.produced < 0)
      throw new Error(`datagen: unsupported read position state (version ${String(state.version)})`);
    // A sequence whose 'start' changed since the checkpoint would continue from a value the state never saw:
    // refused by name rather than silently skipping or repeating values.
    const specs = fieldSpecs(this.physicalSchema, this.options);
    for (const [name, next] of Object.entries(state.nextValues ?? {})) {
      const i = this.physicalSchema.indexOf(name);
      const start = i < 0 ? null : sequenceStart(specs[i] as FieldSpec);
      if (start === null || start + state.produced !== next)
        throw new Error(
          `datagen: cannot restore sequence field '${name}' (next value ${next} in the checkpoint); the table's sequence options changed`,
        );
    }
    this.produced = state.produced;
    this.restored = true;
  }

  async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
    const rate = positiveNumber(this.options, 'rows-per-second') ?? 10000;
    const configured = this.options['seed'] !== undefined ? Number(this.options['seed']) : null;
    // Random fields after a restore are new random values, as in Flink (its RandomGenerator keeps no PRNG state);
    // with a fixed 'seed' the stream is reseeded by the restored position, so a restore does not replay the
    // random values of the job's first rows, and two restores from the same checkpoint agree.
    const base = configured ?? Math.floor(Math.random() * 2 ** 31);
    const seed = this.restored ? (base + this.produced * 0x9e3779b1) % Number.MAX_SAFE_INTEGER : base;
    const specs = fieldSpecs(this.physicalSchema, this.options);
    const all: FieldGenerator[] = this.physicalSchema.fields.map((f, i) =>
      fieldGenerator(f.name, f.type, specs[i] as FieldSpec, new Prng(seed, i)),
    );
    const gens = this.pushDown.read.map((i) => all[i] as FieldGenerator);
    const readSchema = this.pushDown.readSchema;
    // The source ends at number-of-rows or when the shortest sequence runs out, whichever comes first (a pruned
    // sequence column still bounds the table).
    const limits = [
      positiveNumber(this.options, 'number-of-rows'),
      ...all.map((g) => g.limit ?? undefined),
    ].filter((x): x is number => x !== undefined);
    const total = limits.length > 0 ? Math.min(...limits) : Number.POSITIVE_INFINITY;
    // Emit every 100 ms (or per 4096 rows when faster), so the rate holds and latency stays low.
    const perTick = Math.max(1, Math.min(4096, Math.ceil(rate / 10)));
    // Paced from this run's start and first row: a restored reader continues at 'rows-per-second' instead of
    // bursting out the rows the wall clock says are overdue since the job's first start.
    const started = Date.now();
    const first = this.produced;
    while (this.produced < total && !signal.aborted) {
      if (rate > 0) {
        const due = started + ((this.produced - first) / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await abortableSleep(wait, signal);
        if (signal.aborted) break;
      }
      const produced = this.produced;
      const n = Math.min(perTick, total - produced);
      const now = Date.now();
      const builders = readSchema.fields.map((f) => new ColumnBuilder(f.type, n));
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < gens.length; c++)
          (gens[c] as FieldGenerator).append(builders[c] as ColumnBuilder, produced + r, now);
      }
      this.produced = produced + n;
      const batch = this.pushDown.finish(
        makeBatch(
          readSchema,
          builders.map((b) => b.finish()),
          n,
        ),
      );
      if (batch.length > 0) yield { kind: 'batch', batch };
    }
    if (this.produced >= total) yield { kind: 'end' };
  }

  async close(): Promise<void> {}
}
