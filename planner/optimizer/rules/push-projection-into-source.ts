// Project over TableScan: the scan reads only the physical columns the projection uses, when the connector
// declares projection push-down (Flink's PushProjectIntoTableSourceScanRule with SupportsProjectionPushDown).
// EXPLAIN then shows `project=[...]` on the scan, and the source decodes fewer columns. Metadata columns and the
// primary key stay (an upsert source keys its changelog normalization by the key).
import { Schema } from '../../../executor/index.js';
import { inputsOf, remapInputs } from '../../expr/rex-util.js';
import { physicalSchemaOf, type LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

type Scan = Extract<LogicalPlan, { kind: 'scan' }>;

/** The physical column (position in the table's physical schema) behind each scan output, or -1 for metadata. */
export function scanPhysicalColumns(scan: Scan): number[] {
  const physical = physicalSchemaOf(scan.table).size;
  const proj = scan.projection ?? Array.from({ length: physical }, (_x, i) => i);
  return scan.schema.fields.map((_f, i) => (i < proj.length ? (proj[i] as number) : -1));
}

export const pushProjectionIntoSourceRule: Rule = {
  name: 'push-projection-into-source',
  apply(node, ctx) {
    if (node.kind !== 'project' || node.input.kind !== 'scan') return null;
    const scan = node.input;
    const factory = ctx.factories?.get(scan.table.options['connector'] ?? '');
    if (factory?.supportsProjectionPushDown?.(scan.table.options) !== true) return null;
    const cols = scanPhysicalColumns(scan);
    const physicalCount = cols.filter((c) => c >= 0).length;
    const used = new Set<number>();
    for (const e of node.exprs) for (const i of inputsOf(e)) used.add(i);
    const pk = new Set(scan.table.primaryKey ?? []);
    const keep: number[] = [];
    for (let i = 0; i < cols.length; i++) {
      if (cols[i] === -1 || used.has(i) || pk.has(scan.schema.field(i).name)) keep.push(i);
    }
    // A source must produce some column: COUNT(*) reads none, the first one stands in.
    if (!keep.some((i) => (cols[i] as number) >= 0) && physicalCount > 0) keep.unshift(0);
    const keptPhysical = keep.filter((i) => (cols[i] as number) >= 0);
    if (keptPhysical.length === physicalCount) return null;
    const at = new Map(keep.map((old, k) => [old, k]));
    const narrowed: Scan = {
      ...scan,
      projection: keptPhysical.map((i) => cols[i] as number),
      schema: new Schema(keep.map((i) => scan.schema.field(i))),
    };
    return {
      ...node,
      input: narrowed,
      exprs: node.exprs.map((e) => remapInputs(e, (i) => at.get(i) as number)),
    };
  },
};
