// The output side of an edge between chains: partitions batches over the edge's channels and buffers the small
// pieces a hash or rebalance cuts them into. A channel's buffer is flushed when it holds `batchSize` rows or
// when the buffer timeout expires (the subtask arms the timer through `onPending`); 0 flushes after every emit.
// Events (watermarks, barriers, idleness, end) flush first so that they stay in order with the data.
//
// A hash exchange runs per batch, not per row: the key groups of the whole batch go into an Int32Array (through
// the key selector's typed-array path), a counting sort orders the row indices by target channel, and each
// channel's buffer gathers its rows column by column straight into its own typed arrays (Flink's BufferBuilder
// per subpartition). A row is copied once on its way to the channel, not cut into a piece and then concatenated.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { makeBatch, takeRows } from '../batch/batch.js';
import type { Column } from '../batch/column.js';
import { allValid, validityBytes } from '../batch/validity.js';
import type { Schema } from '../types/schema.js';
import type { ChannelWriter } from './channel.js';
import { keyGroupsOf, subtaskOfKeyGroup } from './key.js';
import type { Partitioner } from './partitioner.js';

export interface RecordWriterOptions {
  readonly batchSize: number;
  /** ms; 0 = flush after every emit; negative = flush only when full (Flink's -1). */
  readonly bufferTimeout: number;
  readonly maxParallelism: number;
  /** Called when data is buffered and not yet flushed, so the owner can schedule `flushAll`. */
  readonly onPending: () => void;
}

export class RecordWriter {
  private readonly buffers: ChannelBuffer[];
  private nextChannel: number;
  private anyPending = false;
  /** Hash exchange: key group → channel (Flink's computeOperatorIndexForKeyGroup), computed once. */
  private readonly channelOfKeyGroup: Int32Array | null;
  /** Per-batch scratch, grown to the largest batch seen: each row's channel, then row indices by channel. */
  private target = new Int32Array(0);
  private order = new Int32Array(0);
  private readonly counts: Int32Array;
  private readonly starts: Int32Array;

  constructor(
    readonly partitioner: Partitioner,
    /** The channels of this producer, indexed by position in the partitioner's target list. */
    readonly channels: readonly ChannelWriter[],
    /** For hash partitioning: the consumer's parallelism (channels cover all consumers in order). */
    consumerParallelism: number,
    private readonly opts: RecordWriterOptions,
    producerIndex: number,
  ) {
    this.buffers = channels.map((ch) => new ChannelBuffer(opts.batchSize, ch));
    this.counts = new Int32Array(channels.length);
    this.starts = new Int32Array(channels.length + 1);
    this.channelOfKeyGroup = null;
    if (partitioner.kind === 'hash' && channels.length > 1) {
      const maxP = opts.maxParallelism;
      const table = new Int32Array(maxP);
      for (let g = 0; g < maxP; g++) table[g] = subtaskOfKeyGroup(g, maxP, consumerParallelism);
      this.channelOfKeyGroup = table;
    }
    // Start round-robin at the producer's index so that parallel producers do not all hit consumer 0 first.
    this.nextChannel = producerIndex % Math.max(1, channels.length);
  }

  emit(batch: RecordBatch): void {
    if (batch.length === 0) return;
    const p = this.partitioner;
    const n = this.channels.length;
    switch (p.kind) {
      case 'forward':
      case 'global':
        this.toChannel(0, batch);
        break;
      case 'rebalance':
      case 'rescale':
        // Whole batches round-robin: per-record round-robin would cut every batch into n pieces for the same
        // balance over time.
        this.toChannel(this.nextChannel, batch);
        this.nextChannel = (this.nextChannel + 1) % n;
        break;
      case 'shuffle':
        this.toChannel(Math.floor(Math.random() * n), batch);
        break;
      case 'broadcast':
        for (let c = 0; c < n; c++) this.toChannel(c, batch);
        break;
      case 'hash':
        if (this.channelOfKeyGroup === null) this.toChannel(0, batch);
        else this.hashPartition(batch, p.key, this.channelOfKeyGroup);
        break;
      default: {
        const never: never = p;
        throw new Error(`unknown partitioner ${String(never)}`);
      }
    }
    if (this.opts.bufferTimeout === 0) this.flushAll();
    else if (this.anyPending) this.opts.onPending();
  }

  private hashPartition(
    batch: RecordBatch,
    key: Extract<Partitioner, { kind: 'hash' }>['key'],
    channelOf: Int32Array,
  ): void {
    const n = this.channels.length;
    const len = batch.length;
    if (this.target.length < len) {
      this.target = new Int32Array(len);
      this.order = new Int32Array(len);
    }
    const target = this.target;
    const order = this.order;
    const counts = this.counts;
    const starts = this.starts;
    keyGroupsOf(key, batch, this.opts.maxParallelism, target);
    counts.fill(0);
    for (let i = 0; i < len; i++) {
      const c = channelOf[target[i] as number] as number;
      target[i] = c;
      counts[c]++;
    }
    for (let c = 0; c < n; c++) {
      const k = counts[c] as number;
      // Every row to one channel (a skewed or single-key batch): no gather needed.
      if (k === len) {
        this.toChannel(c, batch);
        return;
      }
      starts[c + 1] = (starts[c] as number) + k;
    }
    // Counting sort of the row indices by channel, stable, so each channel keeps the rows' order.
    for (let i = 0; i < len; i++) {
      const c = target[i] as number;
      order[starts[c] as number] = i;
      starts[c]++;
    }
    // `starts[c]` now holds channel c's end; its start is the end minus its count.
    for (let c = 0; c < n; c++) {
      const k = counts[c] as number;
      if (k === 0) continue;
      (this.buffers[c] as ChannelBuffer).add(batch, order, (starts[c] as number) - k, k);
    }
    starts[0] = 0;
    this.anyPending = true;
  }

  private toChannel(c: number, batch: RecordBatch): void {
    const buf = this.buffers[c] as ChannelBuffer;
    if (batch.length >= this.opts.batchSize) {
      // A full batch goes as it is (copying it would buy nothing), joined to what the channel holds so that one
      // input element still pushes at most one batch per channel (the bound the backpressure tests assert).
      buf.pushWith(batch);
      return;
    }
    buf.add(batch, null, 0, batch.length);
    this.anyPending = true;
  }

  flushAll(): void {
    if (!this.anyPending) return;
    for (const b of this.buffers) b.flush();
    this.anyPending = false;
  }

  /** Sends an event to every channel, after the data buffered before it. */
  broadcastEvent(el: StreamElement): void {
    this.flushAll();
    for (const ch of this.channels) ch.push(el);
  }

  writable(): boolean {
    for (const ch of this.channels) if (!ch.writable()) return false;
    return true;
  }
}

/** Column kinds a buffer copies into arrays of its own; nested ones (ROW, ARRAY, MAP) are kept as pieces. */
type FlatColumn = Exclude<Column, { kind: 'struct' | 'list' | 'map' }>;
type FlatKind = FlatColumn['kind'];

/**
 * The element type a gather loop sees for a column, one loop per type so that each stays monomorphic: 1-byte
 * kinds as Uint8Array, SMALLINT as Uint16Array, INT/FLOAT bit patterns as Int32Array, doubles as Float64Array,
 * BIGINT (i64) as pairs of Int32 (a BigInt per element would allocate), strings and bytes as plain arrays. Bit
 * patterns are copied exactly.
 */
const U8 = 0;
const U16 = 1;
const I32 = 2;
const F64 = 3;
const PAIRS = 4;
const ANY = 5;
type Elem = typeof U8 | typeof U16 | typeof I32 | typeof F64 | typeof PAIRS | typeof ANY;
type Elements = Uint8Array | Uint16Array | Int32Array | Float64Array | unknown[];

const ELEM: Record<FlatKind, Elem> = {
  bool: U8,
  i8: U8,
  i16: U16,
  i32: I32,
  f32: I32,
  f64: F64,
  ts: F64,
  i64: PAIRS,
  big: ANY,
  str: ANY,
  bin: ANY,
};

/** Bytes per row of a column's values in the buffer's block (0: a plain array outside it). */
const WIDTH: Record<FlatKind, number> = {
  bool: 1,
  i8: 1,
  i16: 2,
  i32: 4,
  f32: 4,
  f64: 8,
  ts: 8,
  i64: 8,
  big: 0,
  str: 0,
  bin: 0,
};

/** One column being filled: `values` in the column's own type, `bits` the same memory as the gather sees it. */
interface ColumnBuffer {
  readonly kind: FlatKind;
  readonly elem: Elem;
  values: FlatColumn['values'];
  bits: Elements;
  nanos: Int32Array | null;
  validity: Uint8Array | null;
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * One channel's output buffer: rows copied in (whole batches, or gathered by row index from a hash split) until
 * it holds at least `batchSize` rows, then pushed to the channel as one batch, so one input element pushes at
 * most one batch per channel (the bound backpressure relies on). The room is one ArrayBuffer (row kinds,
 * timestamps, every column's values: one allocation per batch, not one per array), grown when a larger input
 * arrives. When the channel copies what it is pushed (a remote channel encodes it into a frame), the same block
 * (twice `batchSize` rows) takes the next batch: no allocation at all.
 */
class ChannelBuffer {
  private rows = 0;
  private capacity: number;
  private schema: Schema | null = null;
  private cols: ColumnBuffer[] | null = null;
  private kinds: Uint8Array | null = null;
  private ts: Float64Array | null = null;
  /** Whether a buffered row carries an event timestamp (the others get NaN, as concatBatches gives them). */
  private hasTs = false;
  /** Batches with nested columns, coalesced by concatenation at flush (the rare path). */
  private pieces: RecordBatch[] = [];
  private piecesRows = 0;
  private readonly reuse: boolean;

  constructor(
    private readonly batchSize: number,
    private readonly channel: ChannelWriter,
  ) {
    this.reuse = channel.copiesOnPush === true;
    this.capacity = 2 * Math.max(1, batchSize);
  }

  /** Copies rows `order[start .. start+count)` of `batch` (rows start .. start+count when `order` is null). */
  add(batch: RecordBatch, order: Int32Array | null, start: number, count: number): void {
    if (!isFlat(batch)) {
      this.flushRows();
      const piece =
        order !== null
          ? takeRows(batch, order.subarray(start, start + count), count)
          : start === 0 && count === batch.length
            ? batch
            : takeRows(batch, range(start, count), count);
      this.pieces.push(piece);
      this.piecesRows += count;
      if (this.piecesRows >= this.batchSize) this.flushPieces();
      return;
    }
    this.flushPieces();
    if (this.rows > 0 && !this.sameLayout(batch)) this.flushRows();
    if (this.rows === 0) this.prepare(batch, count);
    else if (this.rows + count > this.capacity) this.grow(this.rows + count);
    this.copy(batch, order, start, count);
    this.rows += count;
    if (this.rows >= this.batchSize) this.flushRows();
  }

  flush(): void {
    this.flushPieces();
    this.flushRows();
  }

  /** Pushes what the buffer holds followed by `batch`, as one batch. */
  pushWith(batch: RecordBatch): void {
    // Columns of another layout (BIGINT as f64, then as i64) cannot be joined: the held rows go first, alone.
    if (this.rows > 0 && (!isFlat(batch) || !this.sameLayout(batch))) this.flushRows();
    const held: RecordBatch[] = this.pieces;
    this.pieces = [];
    this.piecesRows = 0;
    const rows = this.takeRows();
    if (rows !== null) held.push(rows);
    held.push(batch);
    this.channel.push({ kind: 'batch', batch: concatBatches(held) });
  }

  private flushPieces(): void {
    if (this.pieces.length === 0) return;
    const parts = this.pieces;
    this.pieces = [];
    this.piecesRows = 0;
    this.channel.push({ kind: 'batch', batch: concatBatches(parts) });
  }

  /** Same column kinds as the buffered rows (a BIGINT column may be f64 in one batch and i64 in the next). */
  private sameLayout(batch: RecordBatch): boolean {
    const cols = this.cols as ColumnBuffer[];
    if (cols.length !== batch.columns.length) return false;
    for (let i = 0; i < cols.length; i++)
      if ((cols[i] as ColumnBuffer).kind !== batch.columns[i]?.kind) return false;
    return true;
  }

  /** Empty room for rows shaped like `batch`: the previous block when reusable, of the same kinds and big enough. */
  private prepare(batch: RecordBatch, count: number): void {
    this.schema = batch.schema;
    this.hasTs = false;
    if (this.reuse && this.cols !== null && count <= this.capacity && this.sameLayout(batch)) {
      for (const c of this.cols) {
        c.validity = null;
        if (c.elem === ANY) c.bits = c.values = new Array<never>(this.capacity);
      }
      return;
    }
    // A reused block may be roomy (twice batchSize). A block handed on with its batch is sized to what it will
    // hold: the flush comes at the first add that reaches batchSize, so with pieces no larger than this first
    // one it holds at most batchSize - 1 + count rows (a larger piece grows it). Slack in a handed-on block is
    // external memory V8 counts towards its next GC.
    this.capacity = this.reuse
      ? Math.max(this.capacity, count)
      : count >= this.batchSize
        ? count
        : this.batchSize - 1 + count;
    this.allocate(
      batch.columns.map((c) => c.kind as FlatKind),
      batch.timestamps !== undefined,
    );
  }

  /** One block of `capacity` rows for row kinds, timestamps (if wanted) and the columns' values. */
  private allocate(kinds: readonly FlatKind[], withTs: boolean): void {
    const cap = this.capacity;
    let size = align8(cap) + (withTs ? cap * 8 : 0);
    for (const k of kinds) size += align8(cap * WIDTH[k]) + (k === 'ts' ? align8(cap * 4) : 0);
    const block = new ArrayBuffer(size);
    this.kinds = new Uint8Array(block, 0, cap);
    let at = align8(cap);
    this.ts = null;
    if (withTs) {
      this.ts = new Float64Array(block, at, cap);
      at += cap * 8;
    }
    this.cols = kinds.map((k) => {
      const c = columnBuffer(k, block, at, cap);
      at += align8(cap * WIDTH[k]);
      if (k === 'ts') {
        c.nanos = new Int32Array(block, at, cap);
        at += align8(cap * 4);
      }
      return c;
    });
  }

  /** Room for `need` rows or more, keeping the rows buffered so far (an input bigger than the room left). */
  private grow(need: number): void {
    const n = this.rows;
    const old = this.cols as ColumnBuffer[];
    const oldKinds = this.kinds as Uint8Array;
    const oldTs = this.ts;
    this.capacity = Math.max(need, 2 * this.capacity);
    this.allocate(
      old.map((c) => c.kind),
      oldTs !== null,
    );
    (this.kinds as Uint8Array).set(oldKinds.subarray(0, n));
    if (oldTs !== null) (this.ts as Float64Array).set(oldTs.subarray(0, n));
    const cols = this.cols as ColumnBuffer[];
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as ColumnBuffer;
      const o = old[i] as ColumnBuffer;
      gather(c.elem, c.bits, o.bits, null, 0, n, 0);
      if (o.nanos !== null) (c.nanos as Int32Array).set(o.nanos.subarray(0, n));
      if (o.validity !== null) {
        c.validity = new Uint8Array(validityBytes(this.capacity));
        c.validity.set(o.validity.subarray(0, validityBytes(n)));
      }
    }
  }

  private copy(batch: RecordBatch, order: Int32Array | null, start: number, count: number): void {
    const at = this.rows;
    gather(U8, this.kinds as Uint8Array, batch.kinds, order, start, count, at);
    if (batch.timestamps !== undefined) {
      if (!this.hasTs) {
        // Timestamps after rows without them (rare): a separate array, the earlier rows NaN.
        if (this.ts === null) this.ts = new Float64Array(this.capacity);
        this.ts.fill(Number.NaN, 0, at);
        this.hasTs = true;
      }
      gather(F64, this.ts as Float64Array, batch.timestamps, order, start, count, at);
    } else if (this.hasTs) (this.ts as Float64Array).fill(Number.NaN, at, at + count);
    const cols = this.cols as ColumnBuffer[];
    for (let i = 0; i < cols.length; i++) {
      const dst = cols[i] as ColumnBuffer;
      const src = batch.columns[i] as FlatColumn;
      gather(dst.elem, dst.bits, viewOf(src), order, start, count, at);
      if (src.kind === 'ts') gather(I32, dst.nanos as Int32Array, src.nanos, order, start, count, at);
      if (src.validity !== null || dst.validity !== null) {
        dst.validity ??= allValid(at, this.capacity);
        gatherValidity(dst.validity, src.validity, order, start, count, at);
      }
    }
  }

  private flushRows(): void {
    const batch = this.takeRows();
    if (batch !== null) this.channel.push({ kind: 'batch', batch });
  }

  /**
   * The buffered rows as a batch, or null. With `reuse` its arrays are overwritten by the next rows, so it must
   * be pushed (copied by the channel) or copied before anything is added again.
   */
  private takeRows(): RecordBatch | null {
    const n = this.rows;
    if (n === 0) return null;
    this.rows = 0;
    const cols = this.cols as ColumnBuffer[];
    const columns = cols.map((c) => columnOf(c, n));
    const kinds = (this.kinds as Uint8Array).subarray(0, n);
    const ts = this.hasTs ? (this.ts as Float64Array).subarray(0, n) : undefined;
    const batch = makeBatch(this.schema as Schema, columns, n, kinds, ts);
    if (!this.reuse) {
      // The batch owns the block now (a local channel hands it on as it is).
      this.cols = null;
      this.kinds = null;
      this.ts = null;
    }
    return batch;
  }
}

const FLAT: Record<Column['kind'], boolean> = {
  bool: true,
  i8: true,
  i16: true,
  i32: true,
  f32: true,
  f64: true,
  i64: true,
  big: true,
  ts: true,
  str: true,
  bin: true,
  struct: false,
  list: false,
  map: false,
};

function isFlat(batch: RecordBatch): boolean {
  for (const c of batch.columns) if (!FLAT[c.kind]) return false;
  return true;
}

/** The typed array of each flat kind that lives in a block (strings and bytes are plain arrays). */
const BLOCK_ARRAY: Record<
  Exclude<FlatKind, 'big' | 'str' | 'bin'>,
  new (block: ArrayBuffer, at: number, n: number) => FlatColumn['values']
> = {
  bool: Uint8Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  f32: Float32Array,
  f64: Float64Array,
  ts: Float64Array,
  i64: BigInt64Array,
};

/** A column buffer whose values live in `block` at byte `at` (plain arrays for strings and bytes). */
function columnBuffer(kind: FlatKind, block: ArrayBuffer, at: number, cap: number): ColumnBuffer {
  const values =
    kind === 'big' || kind === 'str' || kind === 'bin'
      ? new Array<never>(cap)
      : new BLOCK_ARRAY[kind](block, at, cap);
  const bits = viewOf({ kind, values, validity: null } as FlatColumn);
  return { kind, elem: ELEM[kind], values, bits, nanos: null, validity: null };
}

/** A source column's values as its gather loop sees them (see ELEM). */
function viewOf(c: FlatColumn): Elements {
  switch (c.kind) {
    case 'bool':
    case 'i32':
    case 'f64':
    case 'ts':
    case 'big':
    case 'str':
    case 'bin':
      return c.values;
    case 'i8':
      return new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.length);
    case 'i16':
      return new Uint16Array(c.values.buffer, c.values.byteOffset, c.values.length);
    case 'f32':
      return new Int32Array(c.values.buffer, c.values.byteOffset, c.values.length);
    case 'i64':
      return new Int32Array(c.values.buffer, c.values.byteOffset, c.values.length * 2);
    default: {
      const never: never = c;
      throw new Error(`not a flat column ${String(never)}`);
    }
  }
}

/** Copies row src[order[start+j]] (src[start+j] when `order` is null) to row at+j of dst, for j < count. */
function gather(
  elem: Elem,
  dst: Elements,
  src: Elements,
  order: Int32Array | null,
  start: number,
  count: number,
  at: number,
): void {
  if (order === null) {
    if (elem === ANY) {
      const d = dst as unknown[];
      const s = src as unknown[];
      for (let j = 0; j < count; j++) d[at + j] = s[start + j];
    } else {
      const w = elem === PAIRS ? 2 : 1;
      const s = src as Int32Array;
      (dst as Int32Array).set(s.subarray(start * w, (start + count) * w), at * w);
    }
    return;
  }
  switch (elem) {
    case U8:
      return gatherU8(dst as Uint8Array, src as Uint8Array, order, start, count, at);
    case U16:
      return gatherU16(dst as Uint16Array, src as Uint16Array, order, start, count, at);
    case I32:
      return gatherI32(dst as Int32Array, src as Int32Array, order, start, count, at);
    case F64:
      return gatherF64(dst as Float64Array, src as Float64Array, order, start, count, at);
    case PAIRS:
      return gatherPairs(dst as Int32Array, src as Int32Array, order, start, count, at);
    case ANY: {
      const d = dst as unknown[];
      const s = src as unknown[];
      for (let j = 0; j < count; j++) d[at + j] = s[order[start + j] as number];
      return;
    }
  }
}

// One copy of the same loop per element type, on purpose: a single generic loop would see five array types at
// its element accesses and V8 would compile it megamorphic (several times slower per row).
function gatherF64(
  dst: Float64Array,
  src: Float64Array,
  order: Int32Array,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) dst[at + j] = src[order[start + j] as number] as number;
}

function gatherI32(
  dst: Int32Array,
  src: Int32Array,
  order: Int32Array,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) dst[at + j] = src[order[start + j] as number] as number;
}

function gatherU16(
  dst: Uint16Array,
  src: Uint16Array,
  order: Int32Array,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) dst[at + j] = src[order[start + j] as number] as number;
}

function gatherU8(
  dst: Uint8Array,
  src: Uint8Array,
  order: Int32Array,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) dst[at + j] = src[order[start + j] as number] as number;
}

function gatherPairs(
  dst: Int32Array,
  src: Int32Array,
  order: Int32Array,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) {
    const r = (order[start + j] as number) * 2;
    const w = (at + j) * 2;
    dst[w] = src[r] as number;
    dst[w + 1] = src[r + 1] as number;
  }
}

/** Sets the validity bits of the copied rows (the buffer's bitmap starts zeroed beyond the rows it holds). */
function gatherValidity(
  dst: Uint8Array,
  src: Uint8Array | null,
  order: Int32Array | null,
  start: number,
  count: number,
  at: number,
): void {
  for (let j = 0; j < count; j++) {
    const r = order === null ? start + j : (order[start + j] as number);
    if (src === null || (((src[r >>> 3] as number) >>> (r & 7)) & 1) === 1) {
      const w = at + j;
      dst[w >>> 3] = (dst[w >>> 3] as number) | (1 << (w & 7));
    }
  }
}

/** The first `n` rows of a column buffer as a column (views over its arrays). */
function columnOf(c: ColumnBuffer, n: number): Column {
  const validity = c.validity === null ? null : c.validity.subarray(0, validityBytes(n));
  if (Array.isArray(c.values)) {
    // Handed over: the buffer gets a new array for its next batch (prepare).
    const values = c.values;
    values.length = n;
    return { kind: c.kind, values, validity } as Column;
  }
  const values = c.values.subarray(0, n);
  if (c.kind === 'ts')
    return {
      kind: 'ts',
      values: values as Float64Array,
      nanos: (c.nanos as Int32Array).subarray(0, n),
      validity,
    };
  return { kind: c.kind, values, validity } as Column;
}

/** Row indices start .. start+count-1. */
function range(start: number, count: number): Int32Array {
  const r = new Int32Array(count);
  for (let j = 0; j < count; j++) r[j] = start + j;
  return r;
}
