// The hash exchange per batch (issue 6): key groups of a whole batch from the typed arrays, rows gathered into
// per-channel buffers. The oracle is the per-row definition, Flink's KeyGroupStreamPartitioner.selectChannel →
// KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism) =
// computeOperatorIndexForKeyGroup(.., murmurHash(key.hashCode()) % maxParallelism), as keyGroupOf and
// subtaskOfKeyGroup implement it (pinned against Flink's values in test/checkpoint/rescale-keygroups.test.ts):
// every row must land in the channel that definition names, in its input order, with its values bit for bit.
import { describe, expect, it } from 'vitest';
import {
  LocalChannel,
  RecordWriter,
  Schema,
  Types,
  batchFromRows,
  batchToRows,
  fieldKeySelector,
  javaHashCode,
  keyGroupOf,
  keyGroupsOf,
  makeBatch,
  subtaskOfKeyGroup,
  type ChannelWriter,
  type Key,
  type Partitioner,
  type RecordBatch,
  type StreamElement,
  type Value,
} from '../../executor/index.js';
import { decodeElement, encodeElement } from '../../executor/cluster/frame.js';

/** A deterministic pseudo-random sequence (xorshift), so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  42,
  2147483647,
  -2147483648,
  2147483648,
  -2147483649,
  2 ** 40 + 3,
  -(2 ** 45) - 7,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 60,
  1.5,
  -2.25,
  0.1,
  1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1704067200000,
];
const STRINGS = ['', 'a', 'key-17', 'Grüße', '日本語', '🙂 emoji', 'x'.repeat(100)];

describe('keyGroupsOf: the per-batch key groups equal the per-row keyGroupOf', () => {
  const cases: Array<[string, ReturnType<typeof Types.INT>, Value[]]> = [
    ['TINYINT', Types.TINYINT(), [-128, 127, 0, 5, null]],
    ['SMALLINT', Types.SMALLINT(), [-32768, 32767, 0, 5, null]],
    ['INT', Types.INT(), [-2147483648, 2147483647, 0, 1, -1, 999, null]],
    ['FLOAT', Types.FLOAT(), [1.5, -0, 3, 16777216, Number.NaN, null]],
    ['DOUBLE', Types.DOUBLE(), [...NUMBERS, null]],
    ['VARCHAR', Types.STRING(), [...STRINGS, null]],
    ['BIGINT', Types.BIGINT(), [0n, -1n, 2n ** 40n, -(2n ** 62n), 2n ** 63n - 1n, null]],
    ['BOOLEAN', Types.BOOLEAN(), [true, false, null]],
    ['DECIMAL', Types.DECIMAL(20, 2), [12345n, -1n, 10n ** 19n, null]],
  ];
  for (const [name, type, values] of cases) {
    it(`${name} keys, with nulls`, () => {
      const schema = Schema.of(['k', type], ['v', Types.INT()]);
      const rows = values.map((v, i) => [v, i]);
      const batch = batchFromRows(schema, rows);
      const selector = fieldKeySelector(0, 'k');
      const keys = selector.keysOf(batch);
      const codes = new Int32Array(batch.length);
      selector.hashCodesOf?.(batch, codes);
      expect([...codes]).toEqual(keys.map((k) => javaHashCode(k as Key)));
      // 128 and 4096 take the mask path, 100 and 300 the remainder: both equal Flink's `% maxParallelism`.
      for (const maxP of [128, 4096, 100, 300]) {
        const groups = new Int32Array(batch.length);
        keyGroupsOf(selector, batch, maxP, groups);
        expect([...groups]).toEqual(keys.map((k) => keyGroupOf(k as Key, maxP)));
      }
    });
  }

  it('a selector without the typed-array path goes through its keys', () => {
    const schema = Schema.of(['k', Types.INT()]);
    const batch = batchFromRows(schema, [[1], [2], [3]]);
    const selector = {
      description: 'k*2',
      keysOf: (b: RecordBatch): Key[] => batchToRows(b).map((r) => (r[0] as number) * 2),
    };
    const groups = new Int32Array(3);
    keyGroupsOf(selector, batch, 128, groups);
    expect([...groups]).toEqual([2, 4, 6].map((k) => keyGroupOf(k, 128)));
  });
});

/** Collects what a channel is pushed; with `encode`, as a remote channel does (the frame is copied at once). */
class Recorder implements ChannelWriter {
  readonly batches: RecordBatch[] = [];
  readonly events: StreamElement[] = [];
  readonly copiesOnPush: boolean;
  constructor(private readonly encode: boolean) {
    this.copiesOnPush = encode;
  }
  push(el: StreamElement): void {
    const copy = this.encode && el.kind === 'batch' ? decodeElement(encodeElement(el), el.batch.schema) : el;
    this.events.push(copy);
    if (copy.kind === 'batch') this.batches.push(copy.batch);
  }
  writable(): boolean {
    return true;
  }
  onWritable(): void {}
  rows(): Value[][] {
    return this.batches.flatMap((b) => batchToRows(b));
  }
  timestamps(): number[] {
    return this.batches.flatMap((b) =>
      b.timestamps === undefined ? Array.from(b.kinds, () => Number.NaN) : [...b.timestamps],
    );
  }
}

function writer(
  p: Partitioner,
  channels: ChannelWriter[],
  batchSize: number,
  maxParallelism = 128,
): RecordWriter {
  return new RecordWriter(
    p,
    channels,
    channels.length,
    { batchSize, bufferTimeout: -1, maxParallelism, onPending: () => {} },
    0,
  );
}

const WIDE = Schema.of(
  ['k', Types.INT()],
  ['s', Types.STRING()],
  ['d', Types.DOUBLE()],
  ['b', Types.BOOLEAN()],
  ['t', Types.TINYINT()],
  ['sm', Types.SMALLINT()],
  ['f', Types.FLOAT()],
  ['big', Types.BIGINT()],
  ['ts9', Types.TIMESTAMP(9)],
  ['dec', Types.DECIMAL(30, 0)],
  ['bin', Types.BYTES()],
);

function wideRows(n: number, seed: number, wideBigint: boolean): Value[][] {
  const r = rng(seed);
  const rows: Value[][] = [];
  for (let i = 0; i < n; i++) {
    const nul = (): boolean => r() < 0.1;
    rows.push([
      nul() ? null : Math.floor(r() * 50) - 10,
      nul() ? null : (STRINGS[Math.floor(r() * STRINGS.length)] ?? ''),
      nul() ? null : (NUMBERS[Math.floor(r() * NUMBERS.length)] ?? 0),
      nul() ? null : r() < 0.5,
      nul() ? null : Math.floor(r() * 256) - 128,
      nul() ? null : Math.floor(r() * 65536) - 32768,
      nul() ? null : Math.fround(r() * 1000 - 500),
      nul()
        ? null
        : wideBigint
          ? BigInt(Math.floor(r() * 1e5)) * 10n ** 13n
          : BigInt(Math.floor(r() * 1e6) - 5e5),
      nul() ? null : 1_700_000_000_000_000_000n + BigInt(Math.floor(r() * 1e9)),
      nul() ? null : BigInt(Math.floor(r() * 1e9)) * 10n ** 20n,
      nul() ? null : new Uint8Array([i & 255, (i >> 8) & 255]),
    ]);
  }
  return rows;
}

describe('RecordWriter hash exchange', () => {
  for (const encode of [false, true]) {
    it(`routes every row to its key's subtask, in order, values exact (${encode ? 'remote: buffers reused' : 'local: batches handed on'})`, () => {
      const channels = [0, 1, 2].map(() => new Recorder(encode));
      const w = writer({ kind: 'hash', key: fieldKeySelector(0, 'k') }, channels, 64);
      const expected: Value[][][] = [[], [], []];
      const expectedTs: number[][] = [[], [], []];
      const r = rng(7);
      for (let b = 0; b < 40; b++) {
        // Batch sizes around and above the buffer size; BIGINT switches to the wide layout now and then.
        const n = 1 + Math.floor(r() * 150);
        const rows = wideRows(n, b + 1, b % 7 === 3);
        const plain = batchFromRows(WIDE, rows);
        const withTs = b % 3 !== 0;
        const ts = new Float64Array(n).map((_, i) => b * 1000 + i);
        const batch = withTs ? makeBatch(WIDE, plain.columns, n, plain.kinds, ts) : plain;
        rows.forEach((row, i) => {
          const c = subtaskOfKeyGroup(keyGroupOf(row[0] as Key, 128), 128, 3);
          expected[c]?.push(row);
          expectedTs[c]?.push(withTs ? b * 1000 + i : Number.NaN);
        });
        w.emit(batch);
      }
      w.flushAll();
      channels.forEach((ch, c) => {
        expect(ch.rows()).toEqual(expected[c]);
        // A batch without timestamps among ones with them reads NaN there (as concatBatches gives it).
        expect(ch.timestamps()).toEqual(expectedTs[c]);
      });
    });
  }

  it('flushes a channel once it holds batchSize rows, whole, and at most one batch per channel per emit', () => {
    const schema = Schema.of(['k', Types.INT()]);
    const channels = [new Recorder(false), new Recorder(false)];
    const w = writer({ kind: 'hash', key: fieldKeySelector(0, 'k') }, channels, 100);
    for (let b = 0; b < 50; b++) {
      const before = channels.map((c) => c.batches.length);
      w.emit(
        batchFromRows(
          schema,
          Array.from({ length: 70 }, (_, i) => [b * 70 + i]),
        ),
      );
      channels.forEach((c, i) => expect(c.batches.length - (before[i] as number)).toBeLessThanOrEqual(1));
    }
    for (const c of channels) for (const b of c.batches) expect(b.length).toBeGreaterThanOrEqual(100);
    w.flushAll();
    const total = channels.reduce((s, c) => s + c.rows().length, 0);
    expect(total).toBe(50 * 70);
  });

  it('a batch whose rows all go to one channel is handed on without a copy when large', () => {
    const schema = Schema.of(['k', Types.INT()]);
    const channels = [new Recorder(false), new Recorder(false)];
    const w = writer({ kind: 'hash', key: fieldKeySelector(0, 'k') }, channels, 8);
    const batch = batchFromRows(
      schema,
      Array.from({ length: 20 }, () => [5]),
    );
    w.emit(batch);
    const target = subtaskOfKeyGroup(keyGroupOf(5, 128), 128, 2);
    expect(channels[target]?.batches[0]).toBe(batch);
  });

  it('nested columns (ROW, ARRAY) are routed too, through pieces', () => {
    const schema = Schema.of(
      ['k', Types.INT()],
      ['a', Types.ARRAY(Types.INT())],
      ['r', Types.ROW([{ name: 'x', type: Types.STRING() }])],
    );
    const channels = [new Recorder(true), new Recorder(false)];
    const w = writer({ kind: 'hash', key: fieldKeySelector(0, 'k') }, channels, 16);
    const rows: Value[][] = Array.from({ length: 50 }, (_, i) => [i, [i, i + 1], [`s${i}`]]);
    w.emit(batchFromRows(schema, rows));
    w.flushAll();
    const expected: Value[][][] = [[], []];
    for (const row of rows) expected[subtaskOfKeyGroup(keyGroupOf(row[0] as Key, 128), 128, 2)]?.push(row);
    channels.forEach((ch, c) => expect(ch.rows()).toEqual(expected[c]));
  });

  it('events flush the buffers first, so they stay in order with the data', () => {
    const schema = Schema.of(['k', Types.INT()]);
    const ch = new LocalChannel('c', 100);
    const w = writer({ kind: 'forward' }, [ch], 1000);
    w.emit(batchFromRows(schema, [[1], [2]]));
    w.broadcastEvent({ kind: 'watermark', timestamp: 5 });
    w.emit(batchFromRows(schema, [[3]]));
    w.broadcastEvent({ kind: 'end' });
    const kinds: string[] = [];
    for (let el = ch.poll(); el !== undefined; el = ch.poll())
      kinds.push(el.kind === 'batch' ? `batch(${el.batch.length})` : el.kind);
    expect(kinds).toEqual(['batch(2)', 'watermark', 'batch(1)', 'end']);
  });
});
