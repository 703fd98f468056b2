// The `nexmark` source connector: wraps the Nexmark generator (NEXMARK.md) as a table. By default it is the
// reference's combined table (event_type, person, auction, bid and the dateTime the DDL computes); the Freshet
// option `'table' = 'person' | 'auction' | 'bid'` gives one entity as flat columns, which is what the shell's
// demo tables use. With max-emit-speed = false events are paced to the wall clock by their event time.
// At parallelism P the scan is split by subtask: subtask g keeps the events k ≡ g (mod P) of the one global
// sequence, so a query's output is the same at every parallelism (see createScanSource for what that costs).
import {
  OPERATOR_STATE_ONLY,
  Schema,
  abortableSleep,
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  isKeyGroupedSnapshot,
  formatType,
  makeBatch,
  takeColumn,
  withNullability,
  type Column,
  type LogicalType,
  type RecordBatch,
  type Source,
  type SourceReader,
  type StreamElement,
} from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';
import { SourcePushDown, evaluablePredicate } from '../../planner/catalog/factory.js';
import { NEXMARK_OPTION_KEYS, parseNexmarkOptions, type NexmarkConfig } from './config.js';
import { NexmarkGenerator, nexmarkSplit, type NexmarkGeneratorState } from './generator.js';
import {
  AUCTION_TYPE,
  BID_TYPE,
  EVENT_TYPE_AUCTION,
  EVENT_TYPE_BID,
  EVENT_TYPE_PERSON,
  PERSON_TYPE,
  nexmarkSchema,
} from './schema.js';

type EntityTable = 'person' | 'auction' | 'bid';

const ENTITY: Record<EntityTable, { column: number; eventType: number; type: LogicalType }> = {
  person: { column: 1, eventType: EVENT_TYPE_PERSON, type: PERSON_TYPE },
  auction: { column: 2, eventType: EVENT_TYPE_AUCTION, type: AUCTION_TYPE },
  bid: { column: 3, eventType: EVENT_TYPE_BID, type: BID_TYPE },
};

/** The columns a table mode offers: the combined schema, or one entity's fields. */
function offeredSchema(table: EntityTable | null): Schema {
  if (table === null) return nexmarkSchema;
  const t = ENTITY[table].type;
  if (t.kind !== 'ROW') throw new Error('nexmark entity types are ROWs');
  return new Schema(t.fields.map((f) => ({ name: f.name, type: f.type })));
}

function entityOption(options: Readonly<Record<string, string>>): EntityTable | null {
  const t = options['table'];
  if (t === undefined) return null;
  if (t !== 'person' && t !== 'auction' && t !== 'bid')
    throw new Error(`option 'table' must be 'person', 'auction' or 'bid', got '${t}'`);
  return t;
}

function generatorOptions(options: Readonly<Record<string, string>>): NexmarkConfig {
  const rest: Record<string, string> = {};
  // 'table' is Freshet's entity choice and 'scan.parallelism' the planner's (FLIP-367): not generator options.
  for (const [k, v] of Object.entries(options))
    if (k !== 'connector' && k !== 'table' && k !== 'scan.parallelism') rest[k] = v;
  return parseNexmarkOptions(rest);
}

/** Positions of the table's physical columns in the offered schema; types must match (nullability aside). */
function columnMapping(physical: Schema, offered: Schema): number[] {
  return physical.fields.map((f) => {
    const i = offered.indexOf(f.name);
    if (i < 0)
      throw new Error(
        `the nexmark source has no column '${f.name}' (it offers: ${offered.names().join(', ')})`,
      );
    const want = formatType(withNullability(offered.field(i).type, true));
    if (formatType(withNullability(f.type, true)) !== want)
      throw new Error(
        `column '${f.name}' must be declared as ${want} for the nexmark source, not ${formatType(f.type)}`,
      );
    return i;
  });
}

export const nexmarkFactory: DynamicTableFactory = {
  identifier: 'nexmark',
  options: [
    ...NEXMARK_OPTION_KEYS.map((key) => ({
      key,
      description: `Nexmark generator option '${key}' (see NEXMARK.md)`,
    })),
    {
      key: 'table',
      description: "Freshet extension: 'person', 'auction' or 'bid' gives that entity as flat columns",
      values: ['person', 'auction', 'bid'],
    },
    {
      key: 'scan.parallelism',
      description:
        "Flink's FLIP-367 option: readers that share the one event sequence, reader g keeping events k ≡ g (mod P) (default 1)",
    },
  ],
  validate(options, physicalSchema) {
    generatorOptions(options);
    columnMapping(physicalSchema, offeredSchema(entityOption(options)));
  },
  // Projection push-down: only the read columns are copied out of the generated batch (an entity table copies
  // fewer struct children). Accepted filters drop rows before the batch leaves the source.
  supportsProjectionPushDown: () => true,
  acceptsFilter: (_options, p, schema) => evaluablePredicate(p, schema),
  createSource(ctx) {
    return nexmarkScan(ctx).createReader(0, 1);
  },
  /**
   * The scan at 'scan.parallelism' (Flink's FLIP-367 option; default 1, below): reader g of P emits the events k ≡ g (mod P) of the
   * global sequence, so the union of the readers is exactly the parallelism-1 stream, event for event (same ids,
   * times and random fields), and a query's output does not depend on P. The reference instead cuts ids into P
   * disjoint ranges with a timeline each (NEXMARK.md §2.2, GeneratorConfig.split), which makes the events
   * themselves depend on P. The price of the same stream: the random fields come from one sequential PRNG stream,
   * so every reader runs the generator over the whole sequence and keeps its share (P times the generator's CPU;
   * the generator makes 8 M+ events per CPU-second, the queries downstream far fewer).
   */
  createScanSource(ctx) {
    return nexmarkScan(ctx);
  },
  /**
   * Without 'scan.parallelism' the scan stays at 1, as before split readers: the events are the same at any P, but
   * P readers interleave them nondeterministically into a downstream operator, so an updating query (a global
   * aggregate, a Top-N) emits a different changelog — the same final result — at P = 2 than at P = 1 (measured:
   * Nexmark q15 and q19 checksums). Flink runs the source at parallelism.default and has that too; here the
   * benchmark's p1 = p2 changelog checksums (docs/benchmarks.md) keep holding unless a table asks for more.
   */
  defaultScanParallelism: () => 1,
};

/** When a paced generator's first event went out: the origin its event times are paced from. */
interface PacingOrigin {
  at: number | null;
}

/**
 * Pacing origins of the scans planned in the current synchronous planning pass, by generator configuration. A
 * query that reads the same generator twice (Nexmark q5 and q8 scan it for two subqueries) gets one origin for
 * both scans, so an event goes out at the same wall time from each; with an origin per scan the later scan's
 * watermark trailed by its start-up (17 ms, a batch of event time), and a join of the two waited for it. Cleared
 * after the pass, so a later job never inherits an old origin.
 */
const planningOrigins = new Map<string, PacingOrigin>();

function sharedOrigin(config: NexmarkConfig, baseTime: number): PacingOrigin {
  const key = JSON.stringify([config, baseTime]);
  let origin = planningOrigins.get(key);
  if (origin === undefined) {
    if (planningOrigins.size === 0) setImmediate(() => planningOrigins.clear());
    planningOrigins.set(key, (origin = { at: null }));
  }
  return origin;
}

function nexmarkScan(ctx: Parameters<NonNullable<DynamicTableFactory['createSource']>>[0]): Source {
  const config = generatorOptions(ctx.options);
  const table = entityOption(ctx.options);
  // baseTime is the wall clock at planning, as in the reference, unless 'base-time' fixes it: every reader of
  // the scan shares it (it is taken once, here, not per reader).
  const baseTime = config.baseTime ?? Date.now();
  // Readers of this scan (split readers at P > 1) and other scans of the same generator planned with it pace
  // from one origin: the first emission of any of them.
  const origin = sharedOrigin(config, baseTime);
  const pushDown = new SourcePushDown(ctx.physicalSchema, ctx.projection, ctx.filters);
  const mapping = columnMapping(pushDown.readSchema, offeredSchema(table));
  return {
    outputSchema: pushDown.outputSchema,
    bounded: config.eventsNum > 0 && !config.keepAlive,
    createReader: (index, parallelism) =>
      new NexmarkReader(pushDown, config, table, baseTime, mapping, origin, index, parallelism),
  };
}

const MAX_BATCH = 8192;

/** Events emitted by the readers of one parallelism: reader g emitted the events k < ends[g] with k ≡ g (mod P). */
interface EmittedLayer {
  readonly parallelism: number;
  readonly ends: readonly number[];
}

/** One reader's checkpointed state (union state: a restore at another parallelism sees every reader's). */
interface NexmarkReaderState {
  readonly index: number;
  readonly parallelism: number;
  readonly position: NexmarkGeneratorState | null;
  readonly emitted: readonly EmittedLayer[];
}

class NexmarkReader implements SourceReader {
  readonly outputSchema: Schema;
  private readonly readSchema: Schema;

  constructor(
    private readonly pushDown: SourcePushDown,
    private readonly config: NexmarkConfig,
    private readonly table: EntityTable | null,
    private readonly baseTime: number,
    private readonly mapping: readonly number[],
    /** The pacing origin shared with the other readers of this generator (see sharedOrigin). */
    private readonly origin: PacingOrigin,
    /** This reader keeps the events k ≡ index (mod parallelism) of the global sequence. */
    private readonly index = 0,
    private readonly parallelism = 1,
  ) {
    this.outputSchema = pushDown.outputSchema;
    this.readSchema = pushDown.readSchema;
  }

  /** The generator's counters as of the last emitted batch (the checkpointed read position). */
  private position: NexmarkGeneratorState | undefined = undefined;
  /**
   * Events emitted before the restored checkpoint by the readers of earlier parallelisms (empty unless restored at
   * another parallelism): this reader skips them, so no event is emitted twice.
   */
  private emitted: readonly EmittedLayer[] = [];
  /** No event at or after this index is in `emitted` (the per-row check stops there). */
  private skipUntil = 0;

  /**
   * Union operator state: every reader's share (index of parallelism), its position and the layers it skips. A
   * restore at the same parallelism continues each reader where it was. At another parallelism the readers'
   * positions become one more layer of emitted events (reader g of P emitted the events k < end_g with k ≡ g mod
   * P); every new reader restarts the generator at the smallest position (the generator state there is that
   * reader's, and every event before it was emitted) and skips what a layer says was emitted: no event is lost
   * or emitted twice, at the cost of generating the events between the smallest and largest position again.
   */
  snapshotState(): Uint8Array {
    const me: NexmarkReaderState = {
      index: this.index,
      parallelism: this.parallelism,
      position: this.position ?? null,
      emitted: this.emitted,
    };
    return encodeKeyGroupedSnapshot({
      maxParallelism: OPERATOR_STATE_ONLY,
      keyGroups: new Map(),
      operatorState: { union: new Map([['readers', [me]]]) },
    });
  }

  restoreState(bytes: Uint8Array): void {
    if (!isKeyGroupedSnapshot(bytes)) {
      // A position of before union state: this reader's own, at its own parallelism.
      this.position =
        (JSON.parse(new TextDecoder().decode(bytes)) as NexmarkGeneratorState | null) ?? undefined;
      return;
    }
    const readers = (decodeKeyGroupedSnapshot(bytes).operatorState.union?.get('readers') ??
      []) as NexmarkReaderState[];
    const own = readers.length === 1 ? readers[0] : undefined;
    if (own !== undefined && own.index === this.index && own.parallelism === this.parallelism) {
      this.position = own.position ?? undefined;
      this.setEmitted(own.emitted);
      return;
    }
    if (readers.length === 0) return;
    const old = (readers[0] as NexmarkReaderState).parallelism;
    // A reader absent from the state had finished (its subtask left only a marker): it emitted all of its share.
    const ends = new Array<number>(old).fill(Number.MAX_SAFE_INTEGER);
    let restart: NexmarkReaderState | null = null;
    for (const r of readers) {
      ends[r.index] = r.position?.eventsEmitted ?? 0;
      if (restart === null || (r.position?.eventsEmitted ?? 0) < (restart.position?.eventsEmitted ?? 0))
        restart = r;
    }
    this.position = restart?.position ?? undefined;
    const layers = new Map<string, EmittedLayer>();
    for (const l of [...readers.flatMap((r) => r.emitted), { parallelism: old, ends }])
      layers.set(JSON.stringify(l), l);
    this.setEmitted([...layers.values()]);
  }

  /** Keeps the layers that still cover an event at or after the restart position. */
  private setEmitted(layers: readonly EmittedLayer[]): void {
    const from = this.position?.eventsEmitted ?? 0;
    const top = (l: EmittedLayer): number =>
      Math.max(...l.ends.filter((e) => e < Number.MAX_SAFE_INTEGER), 0);
    this.emitted = layers.filter((l) => top(l) > from);
    this.skipUntil = Math.max(0, ...this.emitted.map(top));
  }

  /** Whether event `k` was emitted before the restored checkpoint. */
  private wasEmitted(k: number): boolean {
    for (const l of this.emitted) if (k < (l.ends[k % l.parallelism] as number)) return true;
    return false;
  }

  async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
    // The whole sequence (split 0 of 1) in every reader; `project` keeps this reader's share of it.
    const gen = new NexmarkGenerator(
      this.config,
      nexmarkSplit(this.config, 1, 0, this.baseTime),
      this.position,
    );
    // Resumed, the pacing clock continues from the restored event's time instead of waiting for it again; a
    // fresh reader paces from the shared origin, set by the first reader to get here.
    const firstEmit =
      this.position === undefined
        ? (this.origin.at ??= Date.now())
        : Date.now() - Math.max(0, gen.timestampOf(gen.eventsEmitted) - this.baseTime);
    while (gen.hasNext() && !signal.aborted) {
      let n = MAX_BATCH;
      if (!this.config.maxEmitSpeed) {
        // Pace by event time: emit what is due by now, or sleep until the next event is.
        const due = gen.eventsDueBy(this.baseTime + (Date.now() - firstEmit));
        if (due === 0) {
          const next = gen.timestampOf(gen.eventsEmitted);
          await abortableSleep(
            Math.max(1, Math.min(100, next - this.baseTime - (Date.now() - firstEmit))),
            signal,
          );
          continue;
        }
        n = Math.min(due, MAX_BATCH);
      }
      const first = gen.eventsEmitted;
      const batch = gen.nextBatch(n);
      if (batch === null) break;
      // Updated in the step that yields, so a snapshot between two elements is exact.
      this.position = gen.snapshot();
      const out = this.pushDown.finish(this.project(batch, first));
      if (out.length > 0) yield { kind: 'batch', batch: out };
    }
    if (signal.aborted) return;
    // keep-alive: a finished generator stays idle instead of ending its input (so windows stay open).
    if (this.config.keepAlive)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    else yield { kind: 'end' };
  }

  /**
   * The table's columns from a generated batch whose first row is event `first` of the sequence: chosen columns,
   * or one entity's rows as flat columns; at parallelism P only the events k ≡ index (mod P).
   */
  private project(batch: RecordBatch, first: number): RecordBatch {
    const p = this.parallelism;
    // Row r is event first + r: this reader's rows start at the first r with (first + r) mod P = index.
    const start = (((this.index - first) % p) + p) % p;
    // Events emitted before a rescaled restore are skipped (per row only while the batch is below skipUntil).
    const skipping = first < this.skipUntil;
    if (this.table === null) {
      const all = this.mapping.map((i) => batch.columns[i] as Column);
      if (p === 1 && !skipping) return makeBatch(this.readSchema, all, batch.length, batch.kinds);
      const rows = new Int32Array(Math.ceil(Math.max(0, batch.length - start) / p));
      let m = 0;
      for (let r = start; r < batch.length; r += p)
        if (!skipping || !this.wasEmitted(first + r)) rows[m++] = r;
      return makeBatch(
        this.readSchema,
        all.map((c, j) => takeColumn(c, this.readSchema.field(j).type, rows, m)),
        m,
      );
    }
    const entity = ENTITY[this.table];
    const types = (batch.columns[0] as Extract<Column, { kind: 'i32' }>).values;
    const rows = new Int32Array(batch.length);
    let m = 0;
    for (let r = start; r < batch.length; r += p)
      if (types[r] === entity.eventType && (!skipping || !this.wasEmitted(first + r))) rows[m++] = r;
    const struct = batch.columns[entity.column] as Extract<Column, { kind: 'struct' }>;
    const fields = (entity.type as Extract<LogicalType, { kind: 'ROW' }>).fields;
    const columns = this.mapping.map((i) =>
      takeColumn(struct.children[i] as Column, (fields[i] as { type: LogicalType }).type, rows, m),
    );
    return makeBatch(this.readSchema, columns, m);
  }

  async close(): Promise<void> {}
}
