// WatermarkAssigner over TableScan: the watermark moves into the source (Flink's
// PushWatermarkIntoTableSourceScanRule with SupportsWatermarkPushDown), which then runs it per split — per Kafka
// partition, per file — and emits the minimum over splits that are not idle. A watermark computed after the scan
// would take the maximum over all partitions' rows, and rows of a partition that lags would turn late.
// EXPLAIN shows `watermark=[...]` on the scan. Runs after projection push-down: a scan that carries a watermark
// is not narrowed again, since the watermark expression indexes the scan's columns.
import type { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const watermarkPushDownRule: Rule = {
  name: 'watermark-push-down',
  apply(node, ctx) {
    if (node.kind !== 'watermarkAssigner') return null;
    // Projection push-down can leave an identity Project between the assigner and the scan: it is transparent.
    const below = node.input;
    const scan = below.kind === 'project' && isIdentity(below.exprs, below.input.schema.size) ? below.input : below;
    if (scan.kind !== 'scan') return null;
    if (scan.watermark !== undefined) return null;
    const factory = ctx.factories?.get(scan.table.options['connector'] ?? '');
    if (factory?.createScanSource === undefined || factory.supportsWatermarkPushDown?.(scan.table.options) !== true) return null;
    // The scan takes the assigner's schema: the rowtime column keeps its time attribute type.
    const pushed: LogicalPlan = { ...scan, schema: node.schema, watermark: { rowtime: node.rowtime, expr: node.expr } };
    return pushed;
  },
};

function isIdentity(exprs: readonly Rex[], inputSize: number): boolean {
  return exprs.length === inputSize && exprs.every((e, i) => e.kind === 'input' && e.index === i);
}
