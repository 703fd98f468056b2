// The MATCH_RECOGNIZE node's payload: the pattern, the DEFINE conditions and the MEASURES, with every pattern
// navigation (`LAST(A.price, 1)`, `PREV(price)`, `AVG(A.price)`, `CLASSIFIER()`) lifted into a named "slot" that
// the runtime computes from the rows of a match; conditions and measures are ordinary expressions over the slots.
// The row expressions the slots read (`price`, `price * tax`) are computed once per input row.
import type { MatchSlot, MatchPattern, AfterMatchSkip, Schema } from '../../executor/index.js';
import { formatPattern } from '../../executor/index.js';
import { explainRex } from '../expr/explain.js';
import type { Rex } from '../expr/rex.js';
import { describeSortKeys, duration, type SortKey } from './plan.js';

export interface MatchSpec {
  readonly partitionKeys: readonly number[];
  /** The ORDER BY time attribute (ascending) and the keys after it. */
  readonly timeCol: number;
  readonly isRowtime: boolean;
  readonly secondary: readonly SortKey[];
  readonly pattern: MatchPattern;
  readonly withinMs: number | null;
  readonly after: AfterMatchSkip;
  /** Expressions over the input row that slots read (by index). */
  readonly rowExprs: readonly Rex[];
  readonly defines: readonly MatchDefineSpec[];
  /** Measures over `slotSchema` = the partition key columns ++ the slots. */
  readonly measures: {
    readonly slots: readonly MatchSlot[];
    readonly slotSchema: Schema;
    readonly exprs: readonly Rex[];
  };
}

export interface MatchDefineSpec {
  readonly variable: string;
  readonly slots: readonly MatchSlot[];
  readonly slotSchema: Schema;
  readonly condition: Rex;
}

/** Flink's EXPLAIN text of a Match node's arguments. */
export function describeMatch(spec: MatchSpec, input: Schema, output: Schema): string {
  const a = spec.after;
  const after =
    a.kind === 'pastLastRow'
      ? 'SKIP PAST LAST ROW'
      : a.kind === 'toNextRow'
        ? 'SKIP TO NEXT ROW'
        : `SKIP TO ${a.kind === 'toFirst' ? 'FIRST' : 'LAST'} ${(a as { readonly variable: string }).variable}`;
  const order = describeSortKeys(
    [{ col: spec.timeCol, descending: false, nullsFirst: false }, ...spec.secondary],
    input,
  );
  const k = spec.partitionKeys.length;
  return [
    `partitionBy=[${spec.partitionKeys.map((c) => input.field(c).name).join(', ')}]`,
    `orderBy=[${order}]`,
    `measures=[${spec.measures.exprs.map((e, i) => `FINAL(${explainRex(e, spec.measures.slotSchema)}) AS ${output.field(k + i).name}`).join(', ')}]`,
    'rowsPerMatch=[ONE ROW PER MATCH]',
    `after=[${after}]`,
    `pattern=[${formatPattern(spec.pattern)}]`,
    ...(spec.withinMs !== null ? [`within=[${duration(spec.withinMs)}]`] : []),
    `define=[{${spec.defines.map((d) => `${d.variable}=${explainRex(d.condition, d.slotSchema)}`).join(', ')}}]`,
  ].join(', ');
}
