// The regular streaming join under the two-input harness. Expected changelogs follow Flink's
// StreamingJoinOperator / StreamingSemiAntiJoinOperator (the pseudo code in their javadoc, and
// StreamingJoinOperatorTest / StreamingSemiAntiJoinOperatorTest in flink-table-runtime): inner joins forward
// the input's row kind, outer joins move the NULL-padded row with -D/+I when the first match arrives or the
// last one leaves, SEMI/ANTI emit left rows as their match count crosses zero.
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { batchFromRows, makeBatch, type RecordBatch } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import { StreamingJoinOperator, type StreamingJoinConfig } from '../../../executor/sql/join.js';
import type { JoinCondition, JoinType } from '../../../executor/sql/join-common.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind, type RowKind as Kind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';

const L = Schema.of(['id', Types.INT()], ['lv', Types.STRING()]);
const R = Schema.of(['rid', Types.INT()], ['rv', Types.STRING()]);
const LR = new Schema([...L.fields, ...R.fields]);

const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;

function join(
  type: JoinType,
  extra: Partial<StreamingJoinConfig> = {},
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new StreamingJoinOperator({
    name: `${type} join`,
    type,
    leftSchema: L,
    rightSchema: R,
    leftKeys: [0],
    rightKeys: [0],
    condition: null,
    outputSchema: type === 'SEMI' || type === 'ANTI' ? L : LR,
    ...extra,
  });
  return new OperatorTestHarness(op, {
    inputs: [L, R],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

/** One row (or several) of one kind on an input. */
function push(h: OperatorTestHarness, input: 0 | 1, kind: Kind, ...rows: Value[][]): OperatorTestHarness {
  return h.processBatch(
    batchFromRows(
      input === 0 ? L : R,
      rows,
      rows.map(() => kind),
    ),
    input,
  );
}

/** The changelog so far as 'kind(v, v, …)' strings, then cleared. */
function changelog(h: OperatorTestHarness): string[] {
  const out = h
    .getOutput()
    .flatMap((e) => (e.kind === 'record' ? [`${e.rowKind}(${e.row.map(String).join(', ')})`] : []));
  h.clearOutput();
  return out;
}

describe('regular join: INNER', () => {
  it('emits pairs as either side arrives and forwards the input row kind', () => {
    const h = join('INNER');
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, I, [1, 'x'], [2, 'y']);
    expect(changelog(h)).toEqual(['+I(1, a, 1, x)']);
    push(h, 0, I, [1, 'b']);
    expect(changelog(h)).toEqual(['+I(1, b, 1, x)']);
    // An update of a left row: -U/+U pass through with the input's kind (inner join: Flink forwards RowKind).
    push(h, 0, UB, [1, 'a']);
    push(h, 0, UA, [1, 'a2']);
    expect(changelog(h)).toEqual(['-U(1, a, 1, x)', '+U(1, a2, 1, x)']);
    push(h, 1, D, [1, 'x']);
    expect(changelog(h)).toEqual(['-D(1, b, 1, x)', '-D(1, a2, 1, x)']);
    push(h, 0, I, [2, 'c']);
    expect(changelog(h)).toEqual(['+I(2, c, 2, y)']);
  });

  it('keeps duplicates as a multiset: each copy joins, a retraction takes one copy away', () => {
    const h = join('INNER');
    push(h, 0, I, [1, 'a'], [1, 'a']);
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual(['+I(1, a, 1, x)', '+I(1, a, 1, x)']);
    push(h, 0, D, [1, 'a']);
    push(h, 1, I, [1, 'z']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, x)', '+I(1, a, 1, z)']);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([1, 2]);
  });

  it('never matches NULL keys (SQL =) and does not store them', () => {
    const h = join('INNER');
    push(h, 0, I, [null, 'a']);
    push(h, 1, I, [null, 'x']);
    expect(changelog(h)).toEqual([]);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([0, 0]);
  });

  it('applies the non-equi condition once per batch on all candidate pairs', () => {
    let calls = 0;
    // ON l.id = r.rid AND l.lv < r.rv; a NULL comparison is not true.
    const condition: JoinCondition = (pairs: RecordBatch) => {
      calls++;
      const out = new Uint8Array(pairs.length);
      const lv = pairs.columns[1] as { values: string[]; validity: Uint8Array | null };
      const rv = pairs.columns[3] as { values: string[]; validity: Uint8Array | null };
      for (let i = 0; i < pairs.length; i++)
        out[i] = (lv.values[i] as string) < (rv.values[i] as string) ? 1 : 0;
      return out;
    };
    const h = join('INNER', { condition });
    push(h, 1, I, [1, 'm'], [1, 'c'], [2, 'z']);
    expect(calls).toBe(0); // nothing stored on the left yet: no pairs, no call
    push(h, 0, I, [1, 'b'], [1, 'n'], [2, 'a'], [3, 'a']);
    expect(calls).toBe(1);
    expect(changelog(h)).toEqual(['+I(1, b, 1, m)', '+I(1, b, 1, c)', '+I(2, a, 2, z)']);
  });

  it('joins BIGINT keys beyond 2^53 exactly, whatever the layout of the batch', () => {
    const K = Schema.of(['k', Types.BIGINT()], ['v', Types.STRING()]);
    const op = new StreamingJoinOperator({
      name: 'j',
      type: 'INNER',
      leftSchema: K,
      rightSchema: K,
      leftKeys: [0],
      rightKeys: [0],
      condition: null,
      outputSchema: new Schema([...K.fields, ...K.fields]),
    });
    const h = new OperatorTestHarness(op, { inputs: [K, K] }).open();
    const big = 2n ** 60n;
    // The left batch is wide (i64) because of `big`; the right one holds 7 in an exact-double column.
    h.processBatch(
      batchFromRows(K, [
        [big, 'a'],
        [7n, 'b'],
      ]),
      0,
    );
    h.processBatch(batchFromRows(K, [[7n, 'x']]), 1);
    h.processBatch(
      batchFromRows(K, [
        [big + 1n, 'y'],
        [big, 'z'],
      ]),
      1,
    );
    expect(changelog(h)).toEqual([`+I(7, b, 7, x)`, `+I(${big}, a, ${big}, z)`]);
  });

  it('joins on several key columns', () => {
    const L2 = Schema.of(['a', Types.INT()], ['b', Types.STRING()], ['v', Types.INT()]);
    const R2 = Schema.of(['b', Types.STRING()], ['a', Types.BIGINT()], ['w', Types.INT()]);
    const op = new StreamingJoinOperator({
      name: 'j',
      type: 'INNER',
      leftSchema: L2,
      rightSchema: R2,
      leftKeys: [0, 1],
      rightKeys: [1, 0],
      condition: null,
      outputSchema: new Schema([...L2.fields, ...R2.fields]),
    });
    const h = new OperatorTestHarness(op, { inputs: [L2, R2] }).open();
    h.processBatch(
      batchFromRows(L2, [
        [1, 'k', 10],
        [1, 'j', 11],
        [null, 'k', 12],
      ]),
      0,
    );
    h.processBatch(
      batchFromRows(R2, [
        ['k', 1n, 20],
        ['k', 2n, 21],
        ['k', null, 22],
      ]),
      1,
    );
    expect(changelog(h)).toEqual(['+I(1, k, 10, k, 1, 20)']);
  });
});

describe('regular join: outer', () => {
  it('LEFT: +I(l, null), then -D(l, null) +I(l, r) on the first match, -D(l, r) +I(l, null) when it leaves', () => {
    const h = join('LEFT');
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual(['+I(1, a, null, null)']);
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual(['-D(1, a, null, null)', '+I(1, a, 1, x)']);
    // A second match: no padding change.
    push(h, 1, I, [1, 'y']);
    expect(changelog(h)).toEqual(['+I(1, a, 1, y)']);
    // The right side is not outer: its retraction keeps its own kind (-D or -U), Flink's inputRowKind.
    push(h, 1, UB, [1, 'x']);
    expect(changelog(h)).toEqual(['-U(1, a, 1, x)']);
    push(h, 1, D, [1, 'y']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, y)', '+I(1, a, null, null)']);
    // The outer side retracts: -D whatever its kind, padded when it has no match.
    push(h, 0, UB, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(1, a, null, null)']);
  });

  it('LEFT: a left row with matches is stored with its match count and retracted as -D pairs', () => {
    const h = join('LEFT');
    push(h, 1, I, [1, 'x'], [1, 'y']);
    expect(changelog(h)).toEqual([]);
    push(h, 0, UA, [1, 'a']);
    expect(changelog(h)).toEqual(['+I(1, a, 1, x)', '+I(1, a, 1, y)']);
    push(h, 1, D, [1, 'x']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, x)']);
    push(h, 1, D, [1, 'y']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, y)', '+I(1, a, null, null)']);
    push(h, 0, D, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(1, a, null, null)']);
  });

  it('LEFT: duplicate left rows move their padded copies one by one', () => {
    const h = join('LEFT');
    push(h, 0, I, [1, 'a'], [1, 'a']);
    expect(changelog(h)).toEqual(['+I(1, a, null, null)', '+I(1, a, null, null)']);
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual([
      '-D(1, a, null, null)',
      '+I(1, a, 1, x)',
      '-D(1, a, null, null)',
      '+I(1, a, 1, x)',
    ]);
    push(h, 1, D, [1, 'x']);
    expect(changelog(h)).toEqual([
      '-D(1, a, 1, x)',
      '+I(1, a, null, null)',
      '-D(1, a, 1, x)',
      '+I(1, a, null, null)',
    ]);
  });

  it('LEFT: rows of one batch act in order, each seeing the match counts the earlier ones left', () => {
    const h = join('LEFT');
    push(h, 0, I, [1, 'a']);
    push(h, 1, I, [1, 'x']);
    changelog(h);
    h.processBatch(
      batchFromRows(
        R,
        [
          [1, 'x'],
          [1, 'y'],
          [1, 'z'],
        ],
        [D, I, I],
      ),
      1,
    );
    expect(changelog(h)).toEqual([
      '-D(1, a, 1, x)',
      '+I(1, a, null, null)',
      '-D(1, a, null, null)',
      '+I(1, a, 1, y)',
      '+I(1, a, 1, z)',
    ]);
  });

  // Flink's mini-batch join bundle (FLIP-415, InputSideHasNoUniqueKeyBundle.foldRecord): a retraction of a row
  // accumulated earlier in the same bundle cancels it; the joined table after the batch is the same.
  it('LEFT: a row accumulated and retracted in one batch is folded away, the rest act in order', () => {
    const h = join('LEFT');
    push(h, 0, I, [1, 'a']);
    changelog(h);
    h.processBatch(
      batchFromRows(
        R,
        [
          [1, 'x'],
          [1, 'x'],
          [1, 'y'],
        ],
        [I, D, I],
      ),
      1,
    );
    expect(changelog(h)).toEqual(['-D(1, a, null, null)', '+I(1, a, 1, y)']);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([1, 1]);
  });

  // The uncorrelated scalar subquery's plan: the outer rows LEFT JOIN a one-row aggregate that changes with every
  // input row. A batch of n changes (-U v0, +U v1, -U v1, +U v2, ...) now re-joins the outer side once, not n
  // times: 4 rows per outer row instead of 4n (16 M rows here, the quadratic differential run).
  it('LEFT: a batch of n updates of the one right row re-joins each left row once', () => {
    const h = join('LEFT');
    const n = 2000;
    push(h, 0, I, ...Array.from({ length: n }, (_, i) => [1, `o${i}`]));
    push(h, 1, I, [1, 'v0']);
    changelog(h);
    const rows: Value[][] = [];
    const kinds: Kind[] = [];
    for (let k = 0; k < n; k++) {
      rows.push([1, `v${k}`], [1, `v${k + 1}`]);
      kinds.push(UB, UA);
    }
    h.processBatch(batchFromRows(R, rows, kinds), 1);
    const out = changelog(h);
    expect(out).toHaveLength(4 * n);
    expect(out.slice(0, 2)).toEqual(['-U(1, o0, 1, v0)', '+I(1, o0, null, null)']);
    expect(out.slice(-2)).toEqual(['-D(1, o1999, null, null)', `+I(1, o1999, 1, v${n})`]);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([n, 1]);
  });

  it('folds only an accumulation followed by its retraction: a retraction first still acts', () => {
    const h = join('INNER');
    push(h, 0, I, [1, 'a']);
    push(h, 1, I, [1, 'x']);
    changelog(h);
    h.processBatch(
      batchFromRows(
        R,
        [
          [1, 'x'],
          [1, 'x'],
        ],
        [D, I],
      ),
      1,
    );
    expect(changelog(h)).toEqual(['-D(1, a, 1, x)', '+I(1, a, 1, x)']);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([1, 1]);
  });

  it('LEFT: NULL keys and failed conditions are padded', () => {
    const never: JoinCondition = (pairs) => new Uint8Array(pairs.length);
    const h = join('LEFT', { condition: never });
    push(h, 1, I, [1, 'x'], [null, 'y']);
    push(h, 0, I, [1, 'a'], [null, 'b']);
    expect(changelog(h)).toEqual(['+I(1, a, null, null)', '+I(null, b, null, null)']);
    push(h, 0, D, [null, 'b']);
    expect(changelog(h)).toEqual(['-D(null, b, null, null)']);
  });

  it('RIGHT mirrors LEFT', () => {
    const h = join('RIGHT');
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual(['+I(null, null, 1, x)']);
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(null, null, 1, x)', '+I(1, a, 1, x)']);
    push(h, 0, D, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, x)', '+I(null, null, 1, x)']);
  });

  it('FULL pads both sides and moves both paddings', () => {
    const h = join('FULL');
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual(['+I(1, a, null, null)']);
    // Both sides outer: the input's padding is never emitted when it matches; the other side's is retracted.
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual(['-D(1, a, null, null)', '+I(1, a, 1, x)']);
    push(h, 1, I, [2, 'y']);
    expect(changelog(h)).toEqual(['+I(null, null, 2, y)']);
    push(h, 0, D, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(1, a, 1, x)', '+I(null, null, 1, x)']);
    push(h, 1, UB, [1, 'x']);
    expect(changelog(h)).toEqual(['-D(null, null, 1, x)']);
  });
});

describe('regular join: SEMI and ANTI', () => {
  it('SEMI emits a left row while it has at least one match, with the kinds of the rows that change it', () => {
    const h = join('SEMI');
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, UA, [1, 'x']);
    expect(changelog(h)).toEqual(['+U(1, a)']);
    push(h, 1, I, [1, 'y']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, D, [1, 'x']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, UB, [1, 'y']);
    expect(changelog(h)).toEqual(['-U(1, a)']);
    push(h, 1, I, [1, 'z']);
    expect(changelog(h)).toEqual(['+I(1, a)']);
    // A left row with a match passes with its own kind.
    push(h, 0, I, [1, 'b']);
    push(h, 0, D, [1, 'a']);
    push(h, 0, I, [2, 'c'], [null, 'd']);
    expect(changelog(h)).toEqual(['+I(1, b)', '-D(1, a)']);
  });

  it('ANTI emits a left row while it has no match', () => {
    const h = join('ANTI');
    push(h, 0, I, [1, 'a'], [null, 'n']);
    expect(changelog(h)).toEqual(['+I(1, a)', '+I(null, n)']);
    push(h, 1, I, [1, 'x'], [1, 'y']);
    expect(changelog(h)).toEqual(['-D(1, a)']);
    push(h, 1, D, [1, 'x']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, UB, [1, 'y']);
    expect(changelog(h)).toEqual(['+I(1, a)']);
    push(h, 0, D, [1, 'a']);
    expect(changelog(h)).toEqual(['-D(1, a)']);
    push(h, 1, I, [1, 'z']);
    expect(changelog(h)).toEqual([]);
  });

  it('SEMI with a condition counts only matching right rows', () => {
    const rvIsX: JoinCondition = (pairs) => {
      const rv = pairs.columns[3] as { values: string[] };
      return Uint8Array.from({ length: pairs.length }, (_, i) => (rv.values[i] === 'x' ? 1 : 0));
    };
    const h = join('SEMI', { condition: rvIsX });
    push(h, 1, I, [1, 'y']);
    push(h, 0, I, [1, 'a']);
    expect(changelog(h)).toEqual([]);
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual(['+I(1, a)']);
    push(h, 1, D, [1, 'y']);
    expect(changelog(h)).toEqual([]);
  });
});

describe('regular join: state', () => {
  it('restores list sides (INNER) with equal rows and their order', () => {
    const h = join('INNER');
    push(h, 0, I, [1, 'a'], [1, 'a'], [1, 'b'], [2, 'c']);
    const restored = join('INNER', {}, h.snapshot());
    expect((restored.operator as StreamingJoinOperator).stateSize()).toEqual([4, 0]);
    push(restored, 1, I, [1, 'x']);
    expect(changelog(restored)).toEqual(['+I(1, a, 1, x)', '+I(1, a, 1, x)', '+I(1, b, 1, x)']);
    push(restored, 0, D, [1, 'a']);
    expect(changelog(restored)).toEqual(['-D(1, a, 1, x)']);
    expect((restored.operator as StreamingJoinOperator).stateSize()).toEqual([3, 1]);
  });

  it('restores a snapshot of the row-object state of earlier versions', () => {
    // Before the columnar state a side was Map<key, Map<identity, record> | record[]>, serialized with v8.
    const rec = (row: Value[], count: number, assoc: number) => ({ row, count, assoc, time: 0 });
    const legacy = serialize({
      left: new Map([[1, new Map([['1\u0000a', rec([1, 'a'], 2, 0)]])]]),
      right: new Map([[2, [rec([2, 'y'], 1, -1)]]]),
    });
    const h = join('LEFT', {}, new Uint8Array(legacy));
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([2, 1]);
    push(h, 1, I, [1, 'x']);
    expect(changelog(h)).toEqual([
      '-D(1, a, null, null)',
      '+I(1, a, 1, x)',
      '-D(1, a, null, null)',
      '+I(1, a, 1, x)',
    ]);
  });

  it('restores both sides and the match counts from a snapshot', () => {
    const h = join('FULL');
    push(h, 0, I, [1, 'a'], [2, 'b']);
    push(h, 1, I, [2, 'y']);
    changelog(h);
    const restored = join('FULL', {}, h.snapshot());
    push(restored, 1, I, [1, 'x']);
    expect(changelog(restored)).toEqual(['-D(1, a, null, null)', '+I(1, a, 1, x)']);
    push(restored, 1, D, [2, 'y']);
    expect(changelog(restored)).toEqual(['-D(2, b, 2, y)', '+I(2, b, null, null)']);
  });

  it('forgets rows not written for stateTtlMs of processing time', () => {
    const h = join('LEFT', { stateTtlMs: 1000 });
    push(h, 0, I, [1, 'a']);
    h.setProcessingTime(999);
    push(h, 0, I, [2, 'b']);
    expect(changelog(h)).toEqual(['+I(1, a, null, null)', '+I(2, b, null, null)']);
    h.setProcessingTime(1000);
    push(h, 1, I, [1, 'x'], [2, 'y']);
    // (1, a) expired at 0 + 1000; (2, b) was written at 999. Flink's TTL: expired when lastWrite + ttl <= now.
    expect(changelog(h)).toEqual(['-D(2, b, null, null)', '+I(2, b, 2, y)']);
    h.setProcessingTime(5000);
    push(h, 0, I, [3, 'c']);
    expect((h.operator as StreamingJoinOperator).stateSize()).toEqual([1, 0]);
  });

  it('forwards watermarks', () => {
    const h = join('INNER');
    h.processWatermark(5);
    expect(h.getOutput()).toEqual([{ kind: 'watermark', timestamp: 5 }]);
  });

  it('rejects a config whose output schema does not fit the join type', () => {
    expect(
      () =>
        new StreamingJoinOperator({
          name: 'bad',
          type: 'SEMI',
          leftSchema: L,
          rightSchema: R,
          leftKeys: [0],
          rightKeys: [0],
          condition: null,
          outputSchema: LR,
        }),
    ).toThrow(/outputs 2 fields/);
  });

  it('accepts an empty batch', () => {
    const h = join('LEFT');
    h.processBatch(makeBatch(L, [batchFromRows(L, []).columns[0]!, batchFromRows(L, []).columns[1]!], 0), 0);
    expect(changelog(h)).toEqual([]);
  });
});
