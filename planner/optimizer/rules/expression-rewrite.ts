// Shared by the expression-simplification rules: applies a rewrite to every expression a node holds (projection
// expressions, filter and join conditions), telling the rewrite whether the expression is a condition, where NULL
// counts as FALSE (a WHERE or ON drops the row either way: Calcite's RexUnknownAs.FALSE).
import type { Rex } from '../../expr/rex.js';
import type { LogicalPlan } from '../../logical/plan.js';

export type ExprRewrite = (r: Rex, unknownAsFalse: boolean) => Rex;

/** The node with its expressions rewritten, or null when every expression came back unchanged. */
export function rewriteExpressions(node: LogicalPlan, f: ExprRewrite): LogicalPlan | null {
  switch (node.kind) {
    case 'project': {
      const exprs = node.exprs.map((e) => f(e, false));
      return exprs.every((e, i) => e === node.exprs[i]) ? null : { ...node, exprs };
    }
    case 'filter': {
      const condition = f(node.condition, true);
      return condition === node.condition ? null : { ...node, condition };
    }
    case 'join': {
      const condition = f(node.condition, true);
      return condition === node.condition ? null : { ...node, condition };
    }
    default:
      return null;
  }
}

/** Rewrites the operands of a call bottom-up with `f`, returning `r` itself when none changed. */
export function mapArgs(
  r: Extract<Rex, { kind: 'call' }>,
  f: (a: Rex) => Rex,
): Extract<Rex, { kind: 'call' }> {
  const args = r.args.map(f);
  return args.every((a, i) => a === r.args[i]) ? r : { ...r, args };
}
