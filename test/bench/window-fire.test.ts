// The window aggregate's merge-ahead (issue #11, q5's latency): between two fires of a HOP window the older
// slices of the next window are merged a budget at a time, and the fire merges only the newest slice. The result
// must be what merging every slice at the fire gives (Flink's SliceSharedAssigner.mergeSlices: slices oldest
// first, so FIRST_VALUE/LAST_VALUE keep time order; flink-table-runtime, window/tvf/slicing). Checked against a
// reference computed here row by row, with more keys than one batch's budget (the fire finishes the merge), and
// with a late row landing in a slice already merged ahead (that merge is dropped).
import { describe, expect, it } from 'vitest';
import { batchFromRows, batchToRows, MAX_WATERMARK, type RecordBatch } from '../../executor/batch/batch.js';
import type { Value } from '../../executor/batch/column.js';
import type { Output } from '../../executor/runtime/operator.js';
import type { AggCall } from '../../executor/sql/aggregates.js';
import { WindowAggregateOperator } from '../../executor/sql/window-aggregate.js';
import { WindowJoinOperator } from '../../executor/sql/window-join.js';
import { OperatorTestHarness } from '../../executor/testing/harness.js';
import { Types, type LogicalType } from '../../executor/types/logical-type.js';
import { Schema } from '../../executor/types/schema.js';

const input = Schema.of(
  ['ts', Types.TIMESTAMP(3, false, 'rowtime')],
  ['k', Types.BIGINT(false)],
  ['v', Types.BIGINT(false)],
);

const call = (kind: AggCall['kind'], args: number[], resultType: LogicalType): AggCall => ({
  kind,
  args,
  distinct: false,
  filterArg: -1,
  resultType,
  name: `${kind.toLowerCase()}${args.join('')}`,
});
const AGGS = [
  call('COUNT', [], Types.BIGINT(false)),
  call('MAX', [2], Types.BIGINT()),
  call('FIRST_VALUE', [2], Types.BIGINT()),
  call('LAST_VALUE', [2], Types.BIGINT()),
];
const SIZE = 10_000;
const SLIDE = 2_000;

function operator(): WindowAggregateOperator {
  return new WindowAggregateOperator({
    name: 'WindowAggregate',
    inputSchema: input,
    keys: [1],
    aggs: AGGS,
    window: { kind: 'HOP', size: SIZE, slide: SLIDE, offset: 0 },
    timeCol: 0,
    outputSchema: new Schema([
      input.field(1),
      ...AGGS.map((a) => ({ name: a.name, type: a.resultType })),
      { name: 'window_start', type: Types.TIMESTAMP(3, false) },
      { name: 'window_end', type: Types.TIMESTAMP(3, false) },
      { name: 'window_time', type: Types.TIMESTAMP(3, false, 'rowtime') },
    ]),
  });
}

/** A small deterministic generator (xorshift) so that the rows are the same in every run. */
function rows(n: number, keys: number, spanMs: number, seed: number): [number, number, number][] {
  let x = seed;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++)
    out.push([Math.floor((i * spanMs) / n), Math.floor(next() * keys), Math.floor(next() * 1e6)]);
  return out;
}

/**
 * The expected output: per window and key COUNT, MAX, FIRST_VALUE, LAST_VALUE over the rows in slice order (the
 * order the slice merge gives), arrival order within a slice; as sorted text lines.
 */
function reference(arrived: readonly [number, number, number][], windowEnds: readonly number[]): string[] {
  const lines: string[] = [];
  for (const end of windowEnds) {
    const start = end - SIZE;
    const bySlice = new Map<number, [number, number, number][]>();
    for (const r of arrived) {
      if (r[0] < start || r[0] >= end) continue;
      const slice = Math.floor(r[0] / SLIDE);
      let l = bySlice.get(slice);
      if (l === undefined) bySlice.set(slice, (l = []));
      l.push(r);
    }
    const perKey = new Map<number, { n: number; max: number; first: number; last: number }>();
    for (const slice of [...bySlice.keys()].sort((a, b) => a - b)) {
      for (const [, k, v] of bySlice.get(slice) as [number, number, number][]) {
        const s = perKey.get(k);
        if (s === undefined) perKey.set(k, { n: 1, max: v, first: v, last: v });
        else {
          s.n++;
          s.max = Math.max(s.max, v);
          s.last = v;
        }
      }
    }
    for (const [k, s] of perKey) lines.push(`${start} ${end} ${k} ${s.n} ${s.max} ${s.first} ${s.last}`);
  }
  return lines.sort();
}

function outputLines(h: OperatorTestHarness): string[] {
  return h
    .getOutput()
    .flatMap((e) => {
      if (e.kind !== 'record') return [];
      const r = e.row.map((v: Value) => Number(v));
      return [`${r[5]} ${r[6]} ${r[0]} ${r[1]} ${r[2]} ${r[3]} ${r[4]}`];
    })
    .sort();
}

/** Feeds `all` in batches of `batch` rows, each followed by the watermark max - 3 s (`late` after batch `afterBatch`). */
function run(
  all: readonly [number, number, number][],
  batch: number,
  late?: { row: [number, number, number]; afterBatch: number },
): { out: string[]; arrived: [number, number, number][] } {
  const op = operator();
  const h = new OperatorTestHarness(op, { inputs: [input] }).open();
  const arrived: [number, number, number][] = [];
  for (let i = 0, b = 0; i < all.length; i += batch, b++) {
    const part = all.slice(i, i + batch);
    h.processElements(part.map((r) => [[...r], null] as [Value[], null]));
    arrived.push(...part);
    h.processWatermark((part[part.length - 1] as [number, number, number])[0] - 3000);
    if (late !== undefined && late.afterBatch === b) {
      h.processElements([[[...late.row], null]]);
      arrived.push(late.row);
    }
  }
  h.endInput();
  return { out: outputLines(h), arrived };
}

const ends = (spanMs: number): number[] => {
  const out: number[] = [];
  for (let e = SLIDE; e < spanMs + SIZE; e += SLIDE) out.push(e);
  return out;
};

describe('window aggregate: HOP slices merged ahead of the fire', () => {
  it('gives the rows of a full merge at the fire, whatever the batch size', () => {
    const all = rows(40_000, 3_000, 30_000, 7);
    const expected = reference(all, ends(30_000));
    // 8,000 rows per batch: the merge-ahead budget (2,048 parts) is left unfinished when the next window fires.
    for (const batch of [997, 8_000]) expect(run(all, batch).out).toEqual(expected);
    // One row per batch (a watermark after each): the merge-ahead is always complete before the fire.
    const few = all.slice(0, 3_000);
    expect(run(few, 1).out).toEqual(reference(few, ends(30_000)));
  });

  it('drops the merge-ahead when a late row lands in a slice it covered', () => {
    // 1,000 rows per batch over 30 s: batch 9 ends at 14,998 ms, so the watermark is 11,998; the window [0, 10 s)
    // has fired and [2 s, 12 s) is pending, its slices ending 4 s .. 10 s merged ahead (during batch 9). A row at
    // 5 s is late for the windows that fired but still counts for those ending at 12 s and 14 s.
    const all = rows(20_000, 500, 30_000, 11);
    const lateRow: [number, number, number] = [5_000, 42, 999_999_999];
    const { out, arrived } = run(all, 1_000, { row: lateRow, afterBatch: 9 });
    const onTime = arrived.filter((r) => r !== lateRow);
    const expected = reference(
      onTime,
      ends(30_000).filter((e) => e !== 12_000 && e !== 14_000),
    );
    expected.push(...reference(arrived, [12_000, 14_000]));
    expect(out).toEqual(expected.sort());
    // The row made a difference: its MAX is in the two windows.
    expect(out.filter((l) => l.includes(' 999999999 ')).length).toBe(2);
  });
});

/** An operator's output batches, as they are emitted (the harness would flatten them into rows). */
function captured(op: { open(o: Output): void }): RecordBatch[] {
  const batches: RecordBatch[] = [];
  op.open({
    emitBatch: (b) => void batches.push(b),
    emitWatermark: () => {},
    emitSideOutput: () => {},
    emitWatermarkStatus: () => {},
  });
  return batches;
}

const rowTexts = (batches: readonly RecordBatch[]): string[] =>
  batches.flatMap((b) => batchToRows(b)).map((r) => r.map((v) => String(v)).join(' '));

describe('window join', () => {
  // (k, window_end) on both sides, joined on k; NOT NULL input columns, the padded side nullable in the output.
  const side = Schema.of(['k', Types.BIGINT(false)], ['window_end', Types.TIMESTAMP(3, false)]);
  const join = (type: 'LEFT' | 'FULL'): WindowJoinOperator =>
    new WindowJoinOperator({
      name: 'WindowJoin',
      type,
      leftSchema: side,
      rightSchema: side,
      leftKeys: [0],
      rightKeys: [0],
      leftWindowEnd: 1,
      rightWindowEnd: 1,
      condition: null,
      outputSchema: Schema.of(
        ['k', Types.BIGINT()],
        ['window_end', Types.TIMESTAMP(3)],
        ['r_k', Types.BIGINT()],
        ['r_window_end', Types.TIMESTAMP(3)],
      ),
    });

  it('emits a large window in bounded batches as it is joined, the same rows as one batch', () => {
    const op = join('LEFT');
    const batches = captured(op);
    // 10,000 keys, one row per key and side, all in the window ending at 10 s; right rows for the even keys only.
    const keys = Array.from({ length: 10_000 }, (_, k) => k);
    op.processBatch(
      batchFromRows(
        side,
        keys.map((k) => [k, 10_000]),
      ),
      0,
    );
    op.processBatch(
      batchFromRows(
        side,
        keys.filter((k) => k % 2 === 0).map((k) => [k, 10_000]),
      ),
      1,
    );
    op.processWatermark(MAX_WATERMARK);
    expect(batches.map((b) => b.length)).toEqual([4096, 4096, 1808]);
    expect(rowTexts(batches)).toEqual(
      keys.map((k) => (k % 2 === 0 ? `${k} 10000 ${k} 10000` : `${k} 10000 null null`)),
    );
  });

  it('pads with NULLs when one side has no rows in the window', () => {
    const op = join('FULL');
    const batches = captured(op);
    op.processBatch(
      batchFromRows(side, [
        [1, 10_000],
        [2, 10_000],
      ]),
      0,
    );
    op.processBatch(batchFromRows(side, [[3, 20_000]]), 1);
    op.processWatermark(MAX_WATERMARK);
    expect(rowTexts(batches)).toEqual(['1 10000 null null', '2 10000 null null', 'null null 3 20000']);
  });
});

describe('window aggregate: a large window', () => {
  it('goes out in bounded batches as it is produced, the same rows', () => {
    const op = operator();
    const batches = captured(op);
    // 10,000 keys, one row each at 1 s: every HOP window containing 1 s has 10,000 rows.
    const keys = Array.from({ length: 10_000 }, (_, k) => k);
    op.processBatch(
      batchFromRows(
        input,
        keys.map((k) => [1_000, k, k]),
      ),
    );
    op.processWatermark(1_999); // fires [-8 s, 2 s)
    expect(batches.map((b) => b.length)).toEqual([4096, 4096, 1808]);
    expect(rowTexts(batches).map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(
      keys.map((k) => `${k} 1`),
    );
  });
});
