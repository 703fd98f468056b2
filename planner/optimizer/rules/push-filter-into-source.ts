// Filter over TableScan: the conjuncts the connector can evaluate itself go into the scan (Flink's
// PushFilterIntoTableSourceScanRule with SupportsFilterPushDown#applyFilters: the source takes what it can, the
// rest stays in the Filter). Only `column <op> literal` and NULL tests on physical columns are offered; EXPLAIN
// shows them as `filter=[...]` on the scan. A filter above a watermark assigner is not pushed (as in Flink: the
// watermark must see every row the source reads).
import { formatType, withNullability } from '../../../executor/index.js';
import type { SourcePredicate } from '../../catalog/factory.js';
import { conjuncts } from '../../expr/rex-util.js';
import { Rex } from '../../expr/rex.js';
import { physicalSchemaOf, type LogicalPlan } from '../../logical/plan.js';
import { Types } from '../../../executor/index.js';
import type { Rule } from '../rule.js';
import { scanPhysicalColumns } from './push-projection-into-source.js';

const COMPARE: Partial<Record<string, '=' | '<>' | '<' | '<=' | '>' | '>='>> = {
  EQUALS: '=',
  NOT_EQUALS: '<>',
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL: '<=',
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL: '>=',
};
const FLIPPED = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/** The conjunct as a source predicate over physical columns, or null when it is not of a pushable form. */
export function toSourcePredicate(c: Rex, physicalOf: readonly number[]): SourcePredicate | null {
  if (c.kind !== 'call') return null;
  if ((c.op === 'IS_NULL' || c.op === 'IS_NOT_NULL') && c.args[0]?.kind === 'input') {
    const column = physicalOf[c.args[0].index] ?? -1;
    return column < 0 ? null : { kind: c.op === 'IS_NULL' ? 'isNull' : 'isNotNull', column };
  }
  const op = COMPARE[c.op];
  if (op === undefined) return null;
  let [x, y] = c.args as [Rex, Rex];
  let o: SourcePredicate & { kind: 'compare' } extends { op: infer O } ? O : never = op;
  if (x.kind === 'literal' && y.kind === 'input') {
    [x, y] = [y, x];
    o = FLIPPED[op];
  }
  if (x.kind !== 'input' || y.kind !== 'literal' || y.value === null) return null;
  // Same type on both sides (nullability aside): no implicit widening the source would have to copy.
  const same = (t: Rex['type']): string => formatType(withNullability(t, true));
  if (same(x.type) !== same(y.type)) return null;
  const v = y.value;
  if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'string' && typeof v !== 'boolean')
    return null;
  const column = physicalOf[x.index] ?? -1;
  return column < 0 ? null : { kind: 'compare', column, op: o, value: v };
}

export const pushFilterIntoSourceRule: Rule = {
  name: 'push-filter-into-source',
  apply(node, ctx) {
    if (node.kind !== 'filter' || node.input.kind !== 'scan') return null;
    const scan = node.input;
    const factory = ctx.factories?.get(scan.table.options['connector'] ?? '');
    if (factory?.acceptsFilter === undefined) return null;
    const physical = physicalSchemaOf(scan.table);
    const cols = scanPhysicalColumns(scan);
    const accepted: SourcePredicate[] = [];
    const rest: Rex[] = [];
    for (const c of conjuncts(node.condition)) {
      const p = toSourcePredicate(c, cols);
      if (p !== null && factory.acceptsFilter(scan.table.options, p, physical)) accepted.push(p);
      else rest.push(c);
    }
    if (accepted.length === 0) return null;
    const pushed: LogicalPlan = { ...scan, filters: [...(scan.filters ?? []), ...accepted] };
    if (rest.length === 0) return pushed;
    const condition =
      rest.length === 1
        ? (rest[0] as Rex)
        : Rex.call('AND', rest, Types.BOOLEAN(rest.some((r) => r.type.nullable)));
    return { ...node, input: pushed, condition };
  },
};
