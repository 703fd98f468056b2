// Deduplication (Flink's StreamPhysicalDeduplicate): ROW_NUMBER() OVER (PARTITION BY k ORDER BY time ASC|DESC)
// = 1 without the rank number keeps the first (ASC) or last (DESC) row per key by a time attribute. The
// deduplicate operator keeps one row per key instead of a sorted buffer.
import type { Rule } from '../rule.js';

export const deduplicateRule: Rule = {
  name: 'deduplicate',
  apply(node) {
    if (
      node.kind !== 'rank' ||
      node.rankType !== 'ROW_NUMBER' ||
      node.rankStart !== 1 ||
      node.rankEnd !== 1 ||
      node.outputRankNumber
    )
      return null;
    const [order, ...more] = node.orderKeys;
    if (order === undefined || more.length > 0) return null;
    const t = node.input.schema.field(order.col).type;
    const attr = t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' ? t.timeAttribute : undefined;
    // Window deduplication orders by the input's original time column, which the window TVF turned into a plain
    // TIMESTAMP (Flink's Window Deduplication docs order by it the same way).
    const windowedTime = node.windowEnd !== null && (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ');
    if (attr !== 'rowtime' && attr !== 'proctime' && !windowedTime) return null;
    const keys = node.windowEnd === null ? node.partitionKeys : node.partitionKeys;
    return {
      kind: 'deduplicate',
      input: node.input,
      keys,
      keepLast: order.descending,
      timeCol: order.col,
      isRowtime: attr !== 'proctime',
      windowEnd: node.windowEnd,
      schema: node.schema,
    };
  },
};
