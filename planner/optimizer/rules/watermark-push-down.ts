// WatermarkAssigner over TableScan: the watermark moves into the source (Flink's
// PushWatermarkIntoTableSourceScanRule with SupportsWatermarkPushDown), which then runs it per split — per Kafka
// partition, per file — and emits the minimum over splits that are not idle. A watermark computed after the scan
// would take the maximum over all partitions' rows, and rows of a partition that lags would turn late.
// WatermarkAssigner over Project over TableScan (Flink's PushWatermarkIntoTableSourceScanAcrossCalcRule): the
// expression is rewritten over the scan's columns and the Project stays above the scan, when the rowtime is a
// plain scan column and the projection is deterministic. EXPLAIN shows `watermark=[...]` on the scan. Runs after
// projection push-down: a scan that carries a watermark is not narrowed again (the expression indexes its columns).
import { Schema } from '../../../executor/index.js';
import { isDeterministic, replaceInputs } from '../../expr/rex-util.js';
import type { LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

type Scan = Extract<LogicalPlan, { kind: 'scan' }>;

export const watermarkPushDownRule: Rule = {
  name: 'watermark-push-down',
  apply(node, ctx) {
    if (node.kind !== 'watermarkAssigner') return null;
    const pushable = (s: LogicalPlan): s is Scan => {
      if (s.kind !== 'scan' || s.watermark !== undefined) return false;
      const f = ctx.factories?.get(s.table.options['connector'] ?? '');
      return f?.createScanSource !== undefined && f.supportsWatermarkPushDown?.(s.table.options) === true;
    };
    const below = node.input;
    if (pushable(below)) {
      // The scan takes the assigner's schema: the rowtime column keeps its time attribute type.
      return { ...below, schema: node.schema, watermark: { rowtime: node.rowtime, expr: node.expr } };
    }
    if (below.kind !== 'project' || !pushable(below.input) || !below.exprs.every(isDeterministic))
      return null;
    const scan = below.input;
    const rt = below.exprs[node.rowtime];
    if (rt === undefined || rt.kind !== 'input') return null;
    const expr = replaceInputs(node.expr, (i) => below.exprs[i] as (typeof below.exprs)[number]);
    const rowtimeType = node.schema.field(node.rowtime).type;
    const scanSchema = new Schema(
      scan.schema.fields.map((f, i) => (i === rt.index ? { name: f.name, type: rowtimeType } : f)),
    );
    const pushed: LogicalPlan = { ...scan, schema: scanSchema, watermark: { rowtime: rt.index, expr } };
    const exprs = below.exprs.map((e, i) =>
      i === node.rowtime && e.kind === 'input' ? { ...e, type: rowtimeType } : e,
    );
    return { ...below, input: pushed, exprs, schema: node.schema };
  },
};
