// The logical plan: a closed union of relational nodes, one IR for SQL and the Table API. Each node carries
// its output schema; `inputs()` and `explain()` cover every kind, so a new kind without a case will not compile.
import { formatType, unreachable, type Schema } from '../../executor/index.js';
import type { CatalogTable } from '../catalog/catalog.js';
import { formatPath } from '../catalog/catalog.js';
import { explainRex } from '../expr/explain.js';
import type { Rex } from '../expr/rex.js';

export type LogicalPlan =
  | { readonly kind: 'scan'; readonly table: CatalogTable; readonly schema: Schema }
  /** Constant rows (`VALUES`, `SELECT` without FROM); each row's expressions reference no input. */
  | { readonly kind: 'values'; readonly rows: readonly (readonly Rex[])[]; readonly schema: Schema }
  /** Writes the input into a table through its connector; the input's columns match the sink's by position. */
  | { readonly kind: 'sink'; readonly input: LogicalPlan; readonly table: CatalogTable; readonly schema: Schema }
  | { readonly kind: 'project'; readonly input: LogicalPlan; readonly exprs: readonly Rex[]; readonly schema: Schema }
  | { readonly kind: 'filter'; readonly input: LogicalPlan; readonly condition: Rex; readonly schema: Schema }
  | {
      readonly kind: 'watermarkAssigner';
      readonly input: LogicalPlan;
      readonly rowtime: number;
      readonly expr: Rex;
      readonly schema: Schema;
    };

export type PlanKind = LogicalPlan['kind'];

export function inputs(p: LogicalPlan): LogicalPlan[] {
  switch (p.kind) {
    case 'scan':
    case 'values':
      return [];
    case 'sink':
    case 'project':
    case 'filter':
    case 'watermarkAssigner':
      return [p.input];
    default:
      return unreachable(p);
  }
}

function describe(p: LogicalPlan): string {
  const names = p.schema.names();
  switch (p.kind) {
    case 'scan':
      return `LogicalTableScan(table=[${formatPath(p.table.path)}], fields=[${names.join(', ')}])`;
    case 'values':
      return `LogicalValues(tuples=[${p.rows.map((r) => `{ ${r.map((e) => explainRex(e, p.schema)).join(', ')} }`).join(', ')}])`;
    case 'sink':
      return `LogicalSink(table=[${formatPath(p.table.path)}], fields=[${p.input.schema.names().join(', ')}])`;
    case 'project':
      return `LogicalProject(${p.exprs.map((e, i) => `${names[i]}=[${explainRex(e, p.input.schema)}]`).join(', ')})`;
    case 'filter':
      return `LogicalFilter(condition=[${explainRex(p.condition, p.input.schema)}])`;
    case 'watermarkAssigner':
      return `LogicalWatermarkAssigner(rowtime=[${names[p.rowtime]}], watermark=[${explainRex(p.expr, p.input.schema)}])`;
    default:
      return unreachable(p);
  }
}

/** Indented plan text, one node per line, children below their parent (as Flink's EXPLAIN prints it). */
export function explainPlan(p: LogicalPlan, indent = 0): string {
  const line = `${'   '.repeat(indent)}${indent > 0 ? '+- ' : ''}${describe(p)}`;
  return [line, ...inputs(p).map((c) => explainPlan(c, indent + 1))].join('\n');
}

export function explainSchema(s: Schema): string {
  return s.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ');
}
