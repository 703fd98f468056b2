// EXPLAIN ESTIMATED_COST: a row count and a cumulative cost per physical node, printed as Flink prints them
// (`: rowcount = 1.0E8, cumulative cost = {1.0E8 rows, 1.0E8 cpu, 0.0 io, 0.0 network, 0.0 memory}`). Without table
// statistics the numbers are Calcite's guesses, as in Flink: an unknown table has 1.0E8 rows (Flink's default for a
// source without statistics), a bounded generator its configured count; a condition keeps 15% of the rows per
// equality, 50% per range comparison, 90% per IS NOT NULL and 25% otherwise (RelMdUtil.guessSelectivity); a keyed
// aggregate emits 10% of its input rows per key column, a global one a single row. The cost of a node is the rows it
// reads (cpu), the bytes exchanges ship (network, 8 bytes per column) and the bytes keyed state holds (memory);
// cumulative = the node plus everything below it. They rank plans, they do not predict run time.
import type { SourcePredicate } from '../catalog/factory.js';
import type { Rex } from '../expr/rex.js';
import { physicalInputs, type PhysicalNode } from '../physical/plan.js';

export interface NodeCost {
  readonly rows: number;
  readonly cpu: number;
  readonly io: number;
  readonly network: number;
  readonly memory: number;
}

const UNKNOWN_ROWS = 1e8;
const BYTES_PER_COLUMN = 8;

/** Selectivity of a condition, by Calcite's guesses. */
export function selectivity(r: Rex | null): number {
  if (r === null) return 1;
  if (r.kind === 'literal') return r.value === true ? 1 : 0;
  if (r.kind !== 'call') return 0.25;
  switch (r.op) {
    case 'AND':
      return r.args.reduce((s, a) => s * selectivity(a), 1);
    case 'OR':
      return Math.min(1, 1 - r.args.reduce((s, a) => s * (1 - selectivity(a)), 1));
    case 'NOT':
      return 1 - selectivity(r.args[0] ?? null);
    case 'EQUALS':
      return 0.15;
    case 'NOT_EQUALS':
    case 'LESS_THAN':
    case 'LESS_THAN_OR_EQUAL':
    case 'GREATER_THAN':
    case 'GREATER_THAN_OR_EQUAL':
      return 0.5;
    case 'IS_NOT_NULL':
      return 0.9;
    default:
      return 0.25;
  }
}

function predicateSelectivity(p: SourcePredicate): number {
  if (p.kind !== 'compare') return p.kind === 'isNotNull' ? 0.9 : 0.1;
  return p.op === '=' ? 0.15 : 0.5;
}

function sourceRows(n: Extract<PhysicalNode, { kind: 'StreamTableSourceScan' }>): number {
  const o = n.table.options;
  const bounded = Number(o['number-of-rows'] ?? o['events.num'] ?? NaN);
  const rows = Number.isFinite(bounded) ? bounded : UNKNOWN_ROWS;
  return (n.filters ?? []).reduce((r, p) => r * predicateSelectivity(p), rows);
}

/** Row count and cumulative cost of every node of the plan. */
export function estimateCosts(root: PhysicalNode): Map<PhysicalNode, { rows: number; cumulative: NodeCost }> {
  const out = new Map<PhysicalNode, { rows: number; cumulative: NodeCost }>();
  const visit = (n: PhysicalNode): { rows: number; cumulative: NodeCost } => {
    const seen = out.get(n);
    if (seen !== undefined) return seen;
    const ins = physicalInputs(n).map(visit);
    const inRows = ins.reduce((s, i) => s + i.rows, 0);
    const width = n.schema.size * BYTES_PER_COLUMN;
    let rows = inRows;
    let network = 0;
    let memory = 0;
    switch (n.kind) {
      case 'StreamTableSourceScan':
        rows = sourceRows(n);
        break;
      case 'StreamValues':
        rows = n.rows.length;
        break;
      case 'StreamCalc':
        rows = inRows * selectivity(n.condition);
        break;
      case 'StreamExchange':
        network = inRows * width;
        break;
      case 'StreamGroupAggregate':
      case 'StreamGlobalGroupAggregate':
      case 'StreamLocalGroupAggregate':
      case 'StreamWindowAggregate':
        rows = n.groupKeys.length === 0 ? 1 : Math.max(1, inRows * Math.min(1, 0.1 * n.groupKeys.length));
        memory = rows * width;
        break;
      case 'StreamJoin':
      case 'StreamIntervalJoin':
      case 'StreamWindowJoin':
      case 'StreamTemporalJoin': {
        const l = ins[0] as { rows: number };
        const r = ins[1] as { rows: number };
        const keys = n.leftKeys.length;
        rows =
          keys === 0
            ? l.rows * r.rows * selectivity(n.nonEqui)
            : Math.max(l.rows, r.rows) * selectivity(n.nonEqui);
        memory = (l.rows + r.rows) * width;
        break;
      }
      case 'StreamRank':
      case 'StreamWindowRank':
      case 'StreamDeduplicate':
      case 'StreamWindowDeduplicate':
      case 'StreamChangelogNormalize':
      case 'StreamOverAggregate':
      case 'StreamSortLimit':
      case 'StreamTemporalSort':
        memory = inRows * width;
        break;
      case 'StreamLimit':
        rows = Math.min(inRows, n.fetch);
        break;
      default:
        break;
    }
    const below = ins.reduce(
      (s, i) => ({
        rows: s.rows + i.cumulative.rows,
        cpu: s.cpu + i.cumulative.cpu,
        io: s.io + i.cumulative.io,
        network: s.network + i.cumulative.network,
        memory: s.memory + i.cumulative.memory,
      }),
      { rows: 0, cpu: 0, io: 0, network: 0, memory: 0 },
    );
    const cumulative: NodeCost = {
      rows: below.rows + rows,
      cpu: below.cpu + (ins.length === 0 ? rows : inRows),
      io: below.io,
      network: below.network + network,
      memory: below.memory + memory,
    };
    const r = { rows, cumulative };
    out.set(n, r);
    return r;
  };
  visit(root);
  return out;
}

/** A number as Java prints a double (Flink's EXPLAIN): 1.0E8, 2.5E7, 15.0, 0.0. */
export function javaDouble(v: number): string {
  if (v === 0) return '0.0';
  if (Math.abs(v) >= 1e7 || Math.abs(v) < 1e-3) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  const rounded = Math.round(v * 1000) / 1000;
  return Number.isInteger(rounded) ? `${rounded}.0` : String(rounded);
}

export function formatCost(c: { rows: number; cumulative: NodeCost }): string {
  const k = c.cumulative;
  return `rowcount = ${javaDouble(c.rows)}, cumulative cost = {${javaDouble(k.rows)} rows, ${javaDouble(k.cpu)} cpu, ${javaDouble(k.io)} io, ${javaDouble(k.network)} network, ${javaDouble(k.memory)} memory}`;
}
