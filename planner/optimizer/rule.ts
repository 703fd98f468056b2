// The rule driver. A rule looks at one node (and what is below it) and returns a replacement or null; the driver
// does the walking (children first, then the node; one walk per rule so EXPLAIN VERBOSE can name the rule that
// changed the plan; again until nothing changes, with a pass limit), checks that every replacement keeps the
// node's output columns and types, and names the rule when one breaks that.
import { formatType, withoutTimeAttribute } from '../../executor/index.js';
import type { FactoryRegistry } from '../catalog/factory.js';
import { inputs, type LogicalPlan } from '../logical/plan.js';

/** What rules may consult besides the plan: the connector factories (push-down) and the session options. */
export interface OptimizerContext {
  readonly factories?: FactoryRegistry;
  /** Session configuration (`table.optimizer.*`, `table.exec.mini-batch.*`), by Flink's keys. */
  readonly config?: Readonly<Record<string, string>>;
}

export interface Rule {
  /** Kebab-case, as in EXPLAIN VERBOSE and error messages. */
  readonly name: string;
  /** A replacement for `node` with the same output schema, or null when the rule does not apply. */
  apply(node: LogicalPlan, ctx: OptimizerContext): LogicalPlan | null;
}

export interface Phase {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export interface RuleTrace {
  readonly phase: string;
  readonly rule: string;
  readonly plan: LogicalPlan;
}

const PASS_LIMIT = 100;

/** Runs the phases in order; `trace` receives the whole plan after each rule application that changed it. */
export function runPhases(
  plan: LogicalPlan,
  phases: readonly Phase[],
  trace?: (t: RuleTrace) => void,
  ctx: OptimizerContext = {},
): LogicalPlan {
  let current = plan;
  for (const phase of phases) {
    for (let pass = 0; ; pass++) {
      if (pass >= PASS_LIMIT)
        throw new Error(`optimizer phase '${phase.name}' did not reach a fixpoint in ${PASS_LIMIT} passes`);
      let changedInPass = false;
      for (const rule of phase.rules) {
        let changed = false;
        const rewrite = (node: LogicalPlan): LogicalPlan => {
          const n = withInputs(node, inputs(node).map(rewrite));
          const r = rule.apply(n, ctx);
          if (r === null) return n;
          checkSchema(rule, n, r);
          changed = true;
          return r;
        };
        const next = rewrite(current);
        if (!changed) continue;
        changedInPass = true;
        current = next;
        trace?.({ phase: phase.name, rule: rule.name, plan: current });
      }
      if (!changedInPass) break;
    }
  }
  return current;
}

function checkSchema(rule: Rule, before: LogicalPlan, after: LogicalPlan): void {
  const a = before.schema.fields;
  const b = after.schema.fields;
  const same =
    a.length === b.length &&
    a.every(
      (f, i) =>
        formatType(withoutTimeAttribute(f.type)) ===
        formatType(withoutTimeAttribute((b[i] as (typeof b)[number]).type)),
    );
  if (!same) {
    throw new Error(
      `optimizer rule '${rule.name}' changed the output of ${before.kind} from ${before.schema.toString()} to ${after.schema.toString()}`,
    );
  }
}

/** `node` with its inputs replaced (the same object when they are unchanged). */
export function withInputs(node: LogicalPlan, next: readonly LogicalPlan[]): LogicalPlan {
  const old = inputs(node);
  if (old.length === next.length && old.every((o, i) => o === next[i])) return node;
  switch (node.kind) {
    case 'scan':
    case 'values':
      return node;
    case 'join':
      return { ...node, left: next[0] as LogicalPlan, right: next[1] as LogicalPlan };
    case 'union':
      return { ...node, inputs: next };
    default:
      return { ...node, input: next[0] as LogicalPlan };
  }
}
