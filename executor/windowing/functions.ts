// What a windowed stream computes per window: an incremental aggregate (reduce, aggregate, built-in counts) or
// the list of rows for a ProcessWindowFunction, optionally evicted first. The aggregate form reads the batch at
// a row index, so built-in aggregates such as COUNT never build a row.
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Key } from '../runtime/key.js';
import type { AggregateFunction } from '../state/state.js';
import type { Collector, Row } from '../datastream/rows.js';
import type { OutputTag } from '../datastream/functions.js';
import type { TimeWindow } from './windows.js';

/** An aggregate over batch rows: the runtime form of every incremental window function. */
export interface BatchAggregate<ACC> {
  createAccumulator(): ACC;
  addRow(acc: ACC, batch: RecordBatch, row: number): ACC;
  merge(a: ACC, b: ACC): ACC;
  getResult(acc: ACC): Row;
}

export function fromAggregateFunction<ACC>(f: AggregateFunction<Row, ACC, Row>): BatchAggregate<ACC> {
  return {
    createAccumulator: () => f.createAccumulator(),
    addRow: (acc, batch, r) => f.add(rowAt(batch, r), acc),
    merge: (a, b) => f.merge(a, b),
    getResult: (acc) => f.getResult(acc),
  };
}

/** Reduce as an aggregate whose accumulator is the reduced row (null before the first row). */
export function fromReduceFunction(reduce: (a: Row, b: Row) => Row): BatchAggregate<Row | null> {
  return {
    createAccumulator: () => null,
    addRow: (acc, batch, r) => {
      const row = rowAt(batch, r);
      return acc === null ? row : reduce(acc, row);
    },
    merge: (a, b) => (a === null ? b : b === null ? a : reduce(a, b)),
    getResult: (acc) => acc ?? [],
  };
}

/** Counts rows without reading them: the aggregate the runtime benchmark's keyed window uses. */
export function countAggregate(): BatchAggregate<number> {
  return {
    createAccumulator: () => 0,
    addRow: (acc) => acc + 1,
    merge: (a, b) => a + b,
    getResult: (acc) => [acc],
  };
}

export interface WindowContext {
  window(): TimeWindow;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output(tag: OutputTag, row: Row): void;
}

/** Called when a window fires with its rows (or, after an aggregate, the one aggregated row). */
export interface ProcessWindowFunction {
  process(key: Key, ctx: WindowContext, elements: readonly Row[], out: Collector): void;
}

/** Evictors remove rows of a list window before or after the window function (Flink's Evictor). */
export type Evictor =
  | { readonly kind: 'count'; readonly maxCount: number; readonly doEvictAfter: boolean }
  | { readonly kind: 'time'; readonly windowSize: number; readonly doEvictAfter: boolean };

export const CountEvictor = {
  of: (maxCount: number, doEvictAfter = false): Evictor => ({ kind: 'count', maxCount, doEvictAfter }),
};
export const TimeEvictor = {
  of: (windowSize: number, doEvictAfter = false): Evictor => ({ kind: 'time', windowSize, doEvictAfter }),
};

/** Keeps what the evictor keeps of [timestamp, row] pairs. */
export function evict(e: Evictor, rows: readonly [number, Row][]): [number, Row][] {
  switch (e.kind) {
    case 'count':
      return rows.length <= e.maxCount ? [...rows] : rows.slice(rows.length - e.maxCount);
    case 'time': {
      let max = Number.NEGATIVE_INFINITY;
      for (const [t] of rows) if (t > max) max = t;
      const cutoff = max - e.windowSize;
      return rows.filter(([t]) => t > cutoff);
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

export type WindowContents =
  | { readonly kind: 'aggregate'; readonly aggregate: BatchAggregate<unknown> }
  | { readonly kind: 'list'; readonly evictor: Evictor | null };
