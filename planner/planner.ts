// From bound statements to a running job: optimize each logical plan, plan it physically (operators, exchanges,
// changelog modes), and lower the physical plans into one job. EXPLAIN prints every stage of the same path.
import type { LogicalPlan } from './logical/plan.js';
import { explainPlan } from './logical/plan.js';
import { estimateCosts, formatCost } from './optimizer/cost.js';
import { optimize } from './optimizer/optimize.js';
import type { RuleTrace } from './optimizer/rule.js';
import { explainPhysical } from './physical/explain.js';
import { explainJobGraphOf, jsonExecutionPlanOf, lowerJob, type LoweredJob, type LoweringOptions } from './physical/lower.js';
import type { PhysicalNode } from './physical/plan.js';
import { toPhysical } from './physical/to-physical.js';

export interface PlannedStatements {
  readonly logical: readonly LogicalPlan[];
  readonly optimized: readonly LogicalPlan[];
  readonly physical: readonly PhysicalNode[];
}

/** The lowering options plus the session configuration the optimizer reads (`table.optimizer.*`, mini-batch). */
export type PlannerOptions = LoweringOptions & { readonly config?: Readonly<Record<string, string>> };

export function planStatements(
  plans: readonly LogicalPlan[],
  opts: PlannerOptions,
  trace?: (t: RuleTrace) => void,
): PlannedStatements {
  const optimized = plans.map((p) => optimize(p, trace, { factories: opts.factories, ...(opts.config !== undefined ? { config: opts.config } : {}) }));
  const physical = optimized.map((p) => toPhysical(p, opts));
  return { logical: plans, optimized, physical };
}

/** Plans and lowers statements into one job (a statement set is one job with several sinks). */
export function planJob(plans: readonly LogicalPlan[], opts: LoweringOptions): LoweredJob {
  return lowerJob(planStatements(plans, opts).physical, opts);
}

export type ExplainDetail =
  'CHANGELOG_MODE' | 'JSON_EXECUTION_PLAN' | 'VERBOSE' | 'PLAN_ADVICE' | 'ESTIMATED_COST';

/** Flink's EXPLAIN text: the AST (bound logical plan), the optimized plan, the physical plan, and advice. */
export function explainStatements(
  plans: readonly LogicalPlan[],
  opts: LoweringOptions,
  details: readonly ExplainDetail[] = [],
): string {
  const traces: string[] = [];
  const verbose = details.includes('VERBOSE');
  const planned = planStatements(
    plans,
    opts,
    verbose
      ? (t) => traces.push(`-- ${t.rule} (phase '${t.phase}')\n${explainPlan(t.plan)}`)
      : undefined,
  );
  const parts = [
    `== Abstract Syntax Tree ==\n${planned.logical.map((p) => explainPlan(p)).join('\n\n')}`,
    ...(verbose && traces.length > 0 ? [`== Optimizer Rules Applied ==\n${traces.join('\n\n')}`] : []),
    `== Optimized Logical Plan ==\n${planned.optimized.map((p) => explainPlan(p)).join('\n\n')}`,
    `== Optimized Physical Plan ==\n${planned.physical.map((p) => explainPhysical(p, true, 0, details.includes('ESTIMATED_COST') ? costsOf(p) : undefined)).join('\n\n')}`,
  ];
  parts.push(`== Job Graph ==\n${explainJobGraphOf(planned.physical, opts)}`);
  if (details.includes('JSON_EXECUTION_PLAN')) parts.push(`== JSON Execution Plan ==\n${jsonExecutionPlanOf(planned.physical, opts)}`);
  const advice = planAdvice(planned.physical, opts.stateTtlMs);
  if (advice.length > 0) parts.push(`== Plan Advice ==\n${advice.join('\n')}`);
  return parts.join('\n\n') + '\n';
}

/** ESTIMATED_COST: each node's row count and cumulative cost (optimizer/cost.ts). */
function costsOf(root: PhysicalNode): (n: PhysicalNode) => string {
  const costs = estimateCosts(root);
  return (n) => formatCost(costs.get(n) as Parameters<typeof formatCost>[0]);
}

/** Warnings Flink's PLAN_ADVICE gives: state that grows without bound. */
export function planAdvice(roots: readonly PhysicalNode[], stateTtlMs: number): string[] {
  if (stateTtlMs > 0) return [];
  const out: string[] = [];
  const seen = new Set<PhysicalNode>();
  const walk = (n: PhysicalNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (
      n.kind === 'StreamGroupAggregate' ||
      n.kind === 'StreamJoin' ||
      n.kind === 'StreamRank' ||
      n.kind === 'StreamDeduplicate'
    ) {
      out.push(
        `[WARNING] ${n.kind} keeps state for every key forever: on an unbounded input its state grows without limit. Set 'table.exec.state.ttl' (e.g. SET 'table.exec.state.ttl' = '1 h') to expire idle keys, or use a windowed variant.`,
      );
    }
    const ins =
      n.kind === 'StreamJoin' || n.kind === 'StreamIntervalJoin' || n.kind === 'StreamWindowJoin'
        ? [n.left, n.right]
        : n.kind === 'StreamUnion'
          ? n.inputs
          : 'input' in n
            ? [n.input]
            : [];
    ins.forEach(walk);
  };
  roots.forEach(walk);
  return [...new Set(out)];
}

/** `table.exec.state.ttl` values: `0`, `3600000` (ms), `1 h`, `10 min`, `30 s`, `2 d`, `500 ms`. */
export function parseDuration(text: string): number {
  const m =
    /^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|second|seconds|min|minute|minutes|h|hour|hours|d|day|days)?\s*$/i.exec(
      text,
    );
  if (m === null) throw new Error(`invalid duration '${text}' (examples: 0, 500 ms, 30 s, 10 min, 1 h, 2 d)`);
  const v = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  const factor =
    unit.startsWith('m') && unit !== 'ms' && !unit.startsWith('mil')
      ? 60_000
      : unit === 'ms' || unit.startsWith('mil')
        ? 1
        : unit.startsWith('s')
          ? 1000
          : unit.startsWith('h')
            ? 3_600_000
            : 86_400_000;
  return Math.round(v * factor);
}
