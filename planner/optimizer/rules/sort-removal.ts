// An ORDER BY without LIMIT/OFFSET whose order nobody keeps is dropped (Calcite's SqlToRelConverter removes such a
// sort in a subquery, config removeSortInSubQuery, so Flink never plans it; Calcite's SortRemoveRule likewise):
// below an aggregate, a join, a union input, a Top-N/deduplication/OVER (which order by their own keys) or another
// sort, looked for through the projections and filters between them. In streaming it would otherwise be a
// temporal sort on one subtask, buffering until the watermark.
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';
import { withInputs } from '../rule.js';

/** `p` without an order-only sort at its top (through projections and filters), or null when there is none. */
function withoutSort(p: LogicalPlan): LogicalPlan | null {
  if (p.kind === 'sort') return p.fetch === null && p.offset === 0 ? p.input : null;
  if (p.kind === 'project' || p.kind === 'filter') {
    const below = withoutSort(p.input);
    return below === null ? null : withInputs(p, [below]);
  }
  return null;
}

const ORDER_INSENSITIVE = new Set<LogicalPlan['kind']>(['aggregate', 'join', 'union', 'rank', 'deduplicate', 'over', 'sort', 'windowAggregate']);

export const sortRemovalRule: Rule = {
  name: 'sort-removal',
  apply(node) {
    if (!ORDER_INSENSITIVE.has(node.kind)) return null;
    const ins = node.kind === 'join' ? [node.left, node.right] : node.kind === 'union' ? [...node.inputs] : 'input' in node ? [node.input] : [];
    let changed = false;
    const next = ins.map((i) => {
      const w = withoutSort(i);
      if (w === null) return i;
      changed = true;
      return w;
    });
    return changed ? withInputs(node, next) : null;
  },
};
