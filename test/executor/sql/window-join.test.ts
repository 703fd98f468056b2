// The SQL window join under the two-input harness, against Flink's WindowJoinOperator / WindowJoinHelper
// (flink-table-runtime, operators/join/window) and the examples of the Flink docs page "Window JOIN"
// (docs/dev/table/sql/queries/window-join.md): rows wait in their (window_end, key) buffer until the watermark
// reaches window_end - 1, then join once; rows for fired windows are late.
import { describe, expect, it } from 'vitest';
import { batchFromRows, MAX_WATERMARK } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import type { JoinCondition, JoinType } from '../../../executor/sql/join-common.js';
import { WindowJoinOperator, type WindowJoinConfig } from '../../../executor/sql/window-join.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';

// TUMBLE(TABLE t, DESCRIPTOR(row_time), INTERVAL '5' MINUTES) over (row_time, num, id).
const T = Schema.of(
  ['row_time', Types.TIMESTAMP(3)],
  ['num', Types.INT()],
  ['id', Types.STRING()],
  ['window_start', Types.TIMESTAMP(3)],
  ['window_end', Types.TIMESTAMP(3)],
);
const TT = new Schema([...T.fields, ...T.fields]);

const at = (h: number, m: number): number => Date.UTC(2020, 3, 15, h, m);
const FIVE_MIN = 5 * 60_000;

function tumbled(h: number, m: number, num: number | null, id: string): Value[] {
  const t = at(h, m);
  const start = t - (t % FIVE_MIN);
  return [t, num, id, start, start + FIVE_MIN];
}

const LEFT_TABLE = [tumbled(12, 2, 1, 'L1'), tumbled(12, 6, 2, 'L2'), tumbled(12, 3, 3, 'L3')];
const RIGHT_TABLE = [tumbled(12, 1, 2, 'R2'), tumbled(12, 4, 3, 'R3'), tumbled(12, 5, 4, 'R4')];

function join(
  type: JoinType,
  extra: Partial<WindowJoinConfig> = {},
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new WindowJoinOperator({
    name: `${type} window join`,
    type,
    leftSchema: T,
    rightSchema: T,
    leftKeys: [1],
    rightKeys: [1],
    leftWindowEnd: 4,
    rightWindowEnd: 4,
    condition: null,
    outputSchema: type === 'SEMI' || type === 'ANTI' ? T : TT,
    ...extra,
  });
  return new OperatorTestHarness(op, {
    inputs: [T, T],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function push(h: OperatorTestHarness, input: 0 | 1, ...rows: Value[][]): OperatorTestHarness {
  return h.processBatch(batchFromRows(T, rows), input);
}

/** Joined rows as 'L_Id/R_Id' (the docs' projection, with '-' for NULL), watermarks as 'wm t'; then cleared. */
function ids(h: OperatorTestHarness, width = 10): string[] {
  const out = h.getOutput().map((e) => {
    if (e.kind === 'watermark') return `wm ${e.timestamp}`;
    if (e.kind !== 'record') return '';
    const l = String(e.row[2] ?? '-');
    return width === 5 ? `${e.rowKind} ${l}` : `${e.rowKind} ${l}/${String(e.row[7] ?? '-')}`;
  });
  h.clearOutput();
  return out;
}

describe('window join', () => {
  it('FULL JOIN of the Flink docs example: L2 and R2 fall into different windows', () => {
    const h = join('FULL');
    push(h, 0, ...LEFT_TABLE);
    push(h, 1, ...RIGHT_TABLE);
    expect(ids(h)).toEqual([]);
    h.processWatermark(MAX_WATERMARK);
    const rows = h.getOutput().flatMap((e) => (e.kind === 'record' ? [e.row] : []));
    // L_Num, L_Id, R_Num, R_Id, window_start as the docs print them (order within a window is not defined).
    const projected = rows.map((r) => [r[1], r[2], r[6], r[7], r[3] ?? r[8]]);
    expect(projected).toEqual([
      [1, 'L1', null, null, at(12, 0)],
      [3, 'L3', 3, 'R3', at(12, 0)],
      [null, null, 2, 'R2', at(12, 0)],
      [2, 'L2', null, null, at(12, 5)],
      [null, null, 4, 'R4', at(12, 5)],
    ]);
  });

  it('fires a window when the watermark reaches window_end - 1, in window order, then forwards the watermark', () => {
    const h = join('INNER');
    push(h, 0, ...LEFT_TABLE, tumbled(12, 4, 3, 'L3b'));
    push(h, 1, ...RIGHT_TABLE, tumbled(12, 7, 2, 'R2b'));
    h.processWatermark(at(12, 5) - 2);
    expect(ids(h)).toEqual([`wm ${at(12, 5) - 2}`]);
    h.processWatermark(at(12, 5) - 1);
    expect(ids(h)).toEqual(['+I L3/R3', '+I L3b/R3', `wm ${at(12, 5) - 1}`]);
    h.processWatermark(at(12, 20));
    expect(ids(h)).toEqual(['+I L2/R2b', `wm ${at(12, 20)}`]);
    expect((h.operator as WindowJoinOperator).bufferedWindows()).toBe(0);
  });

  it('drops and counts rows of windows that have fired', () => {
    const h = join('LEFT');
    h.processWatermark(at(12, 5) - 1);
    push(h, 0, tumbled(12, 4, 1, 'late'), tumbled(12, 5, 1, 'on time'));
    h.processWatermark(MAX_WATERMARK);
    expect(ids(h)).toEqual([`wm ${at(12, 5) - 1}`, '+I on time/-', `wm ${MAX_WATERMARK}`]);
    expect(h.metrics.get('numLateRecordsDropped')).toBe(1);
  });

  it('LEFT and RIGHT pad unmatched rows; RIGHT loops right-major', () => {
    const left = join('LEFT');
    push(left, 0, ...LEFT_TABLE);
    push(left, 1, ...RIGHT_TABLE);
    left.processWatermark(MAX_WATERMARK);
    expect(ids(left)).toEqual(['+I L1/-', '+I L3/R3', '+I L2/-', `wm ${MAX_WATERMARK}`]);
    const right = join('RIGHT');
    push(right, 1, tumbled(12, 1, 3, 'Ra'), tumbled(12, 2, 3, 'Rb'));
    push(right, 0, tumbled(12, 3, 3, 'La'), tumbled(12, 4, 3, 'Lb'));
    right.processWatermark(MAX_WATERMARK);
    expect(ids(right)).toEqual(['+I La/Ra', '+I Lb/Ra', '+I La/Rb', '+I Lb/Rb', `wm ${MAX_WATERMARK}`]);
  });

  it('SEMI and ANTI of the Flink docs example', () => {
    const semi = join('SEMI');
    push(semi, 0, ...LEFT_TABLE);
    push(semi, 1, ...RIGHT_TABLE);
    semi.processWatermark(MAX_WATERMARK);
    expect(ids(semi, 5)).toEqual(['+I L3', `wm ${MAX_WATERMARK}`]);
    const anti = join('ANTI');
    push(anti, 0, ...LEFT_TABLE);
    push(anti, 1, ...RIGHT_TABLE);
    anti.processWatermark(MAX_WATERMARK);
    expect(ids(anti, 5)).toEqual(['+I L1', '+I L2', `wm ${MAX_WATERMARK}`]);
  });

  it('never matches NULL keys, but pads them on outer sides and emits them for ANTI', () => {
    const full = join('FULL');
    push(full, 0, tumbled(12, 1, null, 'Ln'));
    push(full, 1, tumbled(12, 2, null, 'Rn'));
    full.processWatermark(MAX_WATERMARK);
    expect(ids(full)).toEqual(['+I Ln/-', '+I -/Rn', `wm ${MAX_WATERMARK}`]);
    const inner = join('INNER');
    push(inner, 0, tumbled(12, 1, null, 'Ln'));
    push(inner, 1, tumbled(12, 2, null, 'Rn'));
    expect((inner.operator as WindowJoinOperator).bufferedWindows()).toBe(0);
    const anti = join('ANTI');
    push(anti, 0, tumbled(12, 1, null, 'Ln'));
    push(anti, 1, tumbled(12, 2, null, 'Rn'));
    anti.processWatermark(MAX_WATERMARK);
    expect(ids(anti, 5)).toEqual(['+I Ln', `wm ${MAX_WATERMARK}`]);
  });

  it('runs the non-equi condition once per watermark over the pairs of every fired window', () => {
    let calls = 0;
    // ON … AND L.row_time < R.row_time
    const earlier: JoinCondition = (pairs) => {
      calls++;
      const lt = pairs.columns[0] as { values: Float64Array };
      const rt = pairs.columns[5] as { values: Float64Array };
      return Uint8Array.from({ length: pairs.length }, (_, i) =>
        (lt.values[i] as number) < (rt.values[i] as number) ? 1 : 0,
      );
    };
    const h = join('LEFT', { condition: earlier });
    push(h, 0, tumbled(12, 1, 1, 'La'), tumbled(12, 3, 1, 'Lb'), tumbled(12, 6, 1, 'Lc'));
    push(h, 1, tumbled(12, 2, 1, 'Ra'), tumbled(12, 9, 1, 'Rc'));
    h.processWatermark(MAX_WATERMARK);
    expect(calls).toBe(1);
    expect(ids(h)).toEqual(['+I La/Ra', '+I Lb/-', '+I Lc/Rc', `wm ${MAX_WATERMARK}`]);
  });

  it('rejects retractions: window joins take insert-only input', () => {
    const h = join('INNER');
    expect(() =>
      h.processBatch(batchFromRows(T, [LEFT_TABLE[0] as Value[]], [RowKind.UPDATE_BEFORE]), 0),
    ).toThrow(/insert-only/);
  });

  it('restores buffered windows from a snapshot', () => {
    const h = join('FULL');
    push(h, 0, ...LEFT_TABLE);
    const restored = join('FULL', {}, h.snapshot());
    push(restored, 1, ...RIGHT_TABLE);
    restored.processWatermark(at(12, 5) - 1);
    expect(ids(restored)).toEqual(['+I L1/-', '+I L3/R3', '+I -/R2', `wm ${at(12, 5) - 1}`]);
  });
});
