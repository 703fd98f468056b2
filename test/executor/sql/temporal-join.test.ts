// The event-time temporal join under the two-input harness, against Flink's TemporalRowTimeJoinOperator
// (flink-table-runtime, operators/join/temporal; TemporalRowTimeJoinHelper.latestRightRowToJoin's javadoc
// gives the version rule) and the orders/currency_rates example of the Flink docs page "Joins", section
// "Event Time Temporal Join": an order joins the rate valid at its order time, once the watermark passes it.
import { describe, expect, it } from 'vitest';
import { batchFromRows, MAX_WATERMARK } from '../../../executor/batch/batch.js';
import type { Value } from '../../../executor/batch/column.js';
import type { JoinCondition } from '../../../executor/sql/join-common.js';
import { TemporalJoinOperator, type TemporalJoinConfig } from '../../../executor/sql/temporal-join.js';
import { OperatorTestHarness } from '../../../executor/testing/harness.js';
import { Types } from '../../../executor/types/logical-type.js';
import { RowKind, type RowKind as Kind } from '../../../executor/types/row-kind.js';
import { Schema } from '../../../executor/types/schema.js';

const ORDERS = Schema.of(
  ['order_id', Types.STRING()],
  ['price', Types.DOUBLE()],
  ['currency', Types.STRING()],
  ['order_time', Types.TIMESTAMP(3)],
);
const RATES = Schema.of(
  ['currency', Types.STRING()],
  ['conversion_rate', Types.DOUBLE()],
  ['update_time', Types.TIMESTAMP(3)],
);
const OUT = new Schema([...ORDERS.fields, ...RATES.fields]);

const { INSERT: I, UPDATE_BEFORE: UB, UPDATE_AFTER: UA, DELETE: D } = RowKind;

function join(
  type: TemporalJoinConfig['type'],
  extra: Partial<TemporalJoinConfig> = {},
  restoreFrom?: Uint8Array,
): OperatorTestHarness {
  const op = new TemporalJoinOperator({
    name: `${type} temporal join`,
    type,
    leftSchema: ORDERS,
    rightSchema: RATES,
    leftKeys: [2],
    rightKeys: [0],
    leftTime: 3,
    rightTime: 2,
    condition: null,
    outputSchema: OUT,
    ...extra,
  });
  return new OperatorTestHarness(op, {
    inputs: [ORDERS, RATES],
    ...(restoreFrom === undefined ? {} : { restoreFrom }),
  }).open();
}

function order(h: OperatorTestHarness, ...rows: Value[][]): OperatorTestHarness {
  return h.processBatch(batchFromRows(ORDERS, rows), 0);
}

function rate(h: OperatorTestHarness, kind: Kind, ...rows: Value[][]): OperatorTestHarness {
  return h.processBatch(
    batchFromRows(
      RATES,
      rows,
      rows.map(() => kind),
    ),
    1,
  );
}

/** 'kind order_id rate' per joined row ('-' for NULL), 'wm t' per watermark; then cleared. */
function results(h: OperatorTestHarness): string[] {
  const out = h
    .getOutput()
    .map((e) =>
      e.kind === 'record'
        ? `${e.rowKind} ${String(e.row[0])} ${String(e.row[5] ?? '-')}`
        : e.kind === 'watermark'
          ? `wm ${e.timestamp}`
          : '',
    );
  h.clearOutput();
  return out;
}

describe('temporal join (event time)', () => {
  it('joins each order with the rate valid at its order time, once the watermark passes it', () => {
    const h = join('INNER');
    rate(h, I, ['EUR', 1.14, 1000], ['USD', 1.0, 1000]);
    rate(h, UA, ['EUR', 1.1, 5000]);
    order(
      h,
      ['o1', 11.11, 'EUR', 3000],
      ['o2', 12.51, 'EUR', 6000],
      ['o0', 1.0, 'EUR', 500],
      ['o3', 3.0, 'USD', 5000],
    );
    h.processWatermark(2999);
    expect(results(h)).toEqual(['wm 2999']);
    h.processWatermark(5999);
    // Timers fire in time order, EUR's (3000) before USD's (5000). o0 went out at 2999 without a match: it is
    // older than every EUR version.
    expect(results(h)).toEqual(['+I o1 1.14', '+I o3 1', 'wm 5999']);
    h.processWatermark(6000);
    expect(results(h)).toEqual(['+I o2 1.1', 'wm 6000']);
  });

  it('LEFT pads orders without a valid version: before the first, after a delete, or of an unknown key', () => {
    const h = join('LEFT');
    rate(h, I, ['EUR', 1.14, 1000]);
    rate(h, D, ['EUR', 1.14, 7000]);
    rate(h, I, ['EUR', 1.2, 9000]);
    order(
      h,
      ['o0', 1, 'EUR', 500],
      ['o1', 2, 'EUR', 7000],
      ['o2', 3, 'EUR', 8999],
      ['o3', 4, 'EUR', 9000],
      ['o4', 5, 'GBP', 100],
    );
    h.processWatermark(MAX_WATERMARK);
    // GBP's timer (100) fires before EUR's (500); a key's orders go out in arrival order.
    expect(results(h)).toEqual([
      '+I o4 -',
      '+I o0 -',
      '+I o1 -',
      '+I o2 -',
      '+I o3 1.2',
      `wm ${MAX_WATERMARK}`,
    ]);
  });

  it('a later version at the same time replaces the earlier; update-before rows are not versions', () => {
    const h = join('INNER');
    rate(h, I, ['EUR', 1.14, 1000]);
    rate(h, UB, ['EUR', 1.14, 1000]);
    rate(h, UA, ['EUR', 1.15, 1000]);
    rate(h, UB, ['EUR', 1.15, 1000]);
    rate(h, UA, ['EUR', 1.2, 5000]);
    order(h, ['o1', 1, 'EUR', 2000], ['o2', 2, 'EUR', 5000]);
    h.processWatermark(MAX_WATERMARK);
    expect(results(h)).toEqual(['+I o1 1.15', '+I o2 1.2', `wm ${MAX_WATERMARK}`]);
  });

  it('drops versions older than the one valid at the watermark, keeping that one', () => {
    const h = join('LEFT');
    rate(h, I, ['EUR', 1, 1000], ['EUR', 2, 2000], ['EUR', 3, 3000], ['EUR', 4, 9000]);
    h.processWatermark(3500);
    const op = h.operator as TemporalJoinOperator;
    expect(op.stateSize()).toEqual([0, 2]);
    // An order behind the watermark is not dropped (Flink has no late check here): its timer fires with the
    // next watermark, and it meets only the versions still kept, so 2500 finds none.
    order(h, ['late', 1, 'EUR', 2500], ['ok', 2, 'EUR', 3200]);
    h.processWatermark(3600);
    expect(results(h)).toEqual(['wm 3500', '+I late -', '+I ok 3', 'wm 3600']);
  });

  it('runs the condition once per watermark; a failed condition is an unmatched order', () => {
    let calls = 0;
    // ON o.currency = r.currency AND o.price > r.conversion_rate
    const dearer: JoinCondition = (pairs) => {
      calls++;
      const price = pairs.columns[1] as { values: Float64Array };
      const rateCol = pairs.columns[5] as { values: Float64Array };
      return Uint8Array.from({ length: pairs.length }, (_, i) =>
        (price.values[i] as number) > (rateCol.values[i] as number) ? 1 : 0,
      );
    };
    const h = join('LEFT', { condition: dearer });
    rate(h, I, ['EUR', 1.5, 1000], ['USD', 1, 1000]);
    order(h, ['o1', 2, 'EUR', 2000], ['o2', 1, 'EUR', 2000], ['o3', 2, 'USD', 2000]);
    h.processWatermark(3000);
    expect(calls).toBe(1);
    expect(results(h)).toEqual(['+I o1 1.5', '+I o2 -', '+I o3 1', 'wm 3000']);
  });

  it('never matches a NULL key', () => {
    const h = join('LEFT');
    rate(h, I, [null, 9, 1000]);
    order(h, ['o1', 1, null, 2000]);
    h.processWatermark(MAX_WATERMARK);
    expect(results(h)).toEqual(['+I o1 -', `wm ${MAX_WATERMARK}`]);
  });

  it('restores waiting orders, versions and timers from a snapshot', () => {
    const h = join('INNER');
    rate(h, I, ['EUR', 1.14, 1000]);
    order(h, ['o1', 1, 'EUR', 2000]);
    const restored = join('INNER', {}, h.snapshot());
    rate(restored, UA, ['EUR', 1.2, 1500]);
    restored.processWatermark(2000);
    expect(results(restored)).toEqual(['+I o1 1.2', 'wm 2000']);
  });
});
