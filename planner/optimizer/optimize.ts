// The optimizer: named phases of rules, run in this fixed order (each to a fixpoint by the driver in rule.ts).
//
//   0. predicate push-down   constant folding (literal-only calls evaluated by the compiled Calc code, boolean
//                            simplification with three-valued logic, filters on TRUE removed), WHERE
//                            conditions into inner joins
//   1. pattern recognition   Top-N from a filter on ROW_NUMBER/RANK, window aggregation from GROUP BY
//                            window_start, window_end over a window TVF, and over an already windowed
//                            aggregate (cascading windows)
//   2. simplification        project merge, rank-number pruning (after the patterns exposed them),
//                            deduplication from a Top-1 by a time attribute
//   3. push-down, pruning    after the patterns, which match the Filter/Project shapes the binder makes: CASE
//                            and three-valued-logic simplification; filters merged and moved below projects,
//                            into union inputs, below aggregates (key-only conjuncts) and into joins, one-sided
//                            join conditions into the join inputs; ORDER BY without LIMIT under an operator
//                            that does not keep order removed; projects merged and unread columns /
//                            aggregate calls dropped; DISTINCT aggregates split into partial (by a hash bucket)
//                            and final when table.optimizer.distinct-agg.split.enabled; constants folded again where substitution made new ones; filters the
//                            connector can evaluate pushed into the scan (SupportsFilterPushDown)
//   4. projection push-down  unread columns pruned through filters and watermark assigners down to the scan,
//                            which reads only the used columns (SupportsProjectionPushDown); separate from phase 3
//                            because filter-project-transpose moves the other way
//
// Physical planning (physical/to-physical.ts) then picks operators, exchanges and changelog modes, and fuses
// adjacent Calcs.
import type { LogicalPlan } from '../logical/plan.js';
import { runPhases, type OptimizerContext, type Phase, type RuleTrace } from './rule.js';
import { sortRemovalRule } from './rules/sort-removal.js';
import { splitDistinctAggregateRule } from './rules/split-distinct-aggregate.js';
import { caseSimplificationRule } from './rules/case-simplification.js';
import { joinConditionPushDownRule } from './rules/join-condition-push-down.js';
import { threeValuedLogicSimplificationRule } from './rules/three-valued-logic-simplification.js';
import { projectFilterTransposeRule } from './rules/project-filter-transpose.js';
import { projectWatermarkAssignerTransposeRule } from './rules/project-watermark-assigner-transpose.js';
import { pushFilterIntoSourceRule } from './rules/push-filter-into-source.js';
import { pushProjectionIntoSourceRule } from './rules/push-projection-into-source.js';
import { filterIntoJoinRule } from './rules/filter-into-join.js';
import { attachedWindowAggregateRule } from './rules/attached-window-aggregate.js';
import { deduplicateRule } from './rules/deduplicate.js';
import { projectMergeRule } from './rules/project-merge.js';
import { rankNumberPruningRule } from './rules/rank-number-pruning.js';
import { rankRule } from './rules/rank.js';
import { windowAggregateRule } from './rules/window-aggregate.js';
import { constantFoldingRule } from './rules/constant-folding.js';
import { filterAggregateTransposeRule } from './rules/filter-aggregate-transpose.js';
import { filterIntoUnionRule } from './rules/filter-into-union.js';
import { filterMergeRule } from './rules/filter-merge.js';
import { filterProjectTransposeRule } from './rules/filter-project-transpose.js';
import { projectPruningRule } from './rules/project-pruning.js';
import { watermarkPushDownRule } from './rules/watermark-push-down.js';

export const PHASES: readonly Phase[] = [
  { name: 'predicate push-down', rules: [constantFoldingRule, filterIntoJoinRule] },
  { name: 'pattern recognition', rules: [rankRule, windowAggregateRule, attachedWindowAggregateRule] },
  { name: 'simplification', rules: [projectMergeRule, rankNumberPruningRule, deduplicateRule] },
  {
    name: 'push-down and pruning',
    rules: [
      constantFoldingRule,
      caseSimplificationRule,
      threeValuedLogicSimplificationRule,
      filterMergeRule,
      filterProjectTransposeRule,
      filterIntoUnionRule,
      filterAggregateTransposeRule,
      filterIntoJoinRule,
      joinConditionPushDownRule,
      sortRemovalRule,
      splitDistinctAggregateRule,
      projectMergeRule,
      projectPruningRule,
      pushFilterIntoSourceRule,
    ],
  },
  {
    name: 'projection push-down',
    rules: [
      projectFilterTransposeRule,
      projectWatermarkAssignerTransposeRule,
      projectMergeRule,
      projectPruningRule,
      pushProjectionIntoSourceRule,
    ],
  },
  // Last: a scan holding a watermark is not narrowed again (the expression indexes its columns).
  { name: 'watermark push-down', rules: [watermarkPushDownRule] },
];

export function optimize(plan: LogicalPlan, trace?: (t: RuleTrace) => void, ctx: OptimizerContext = {}): LogicalPlan {
  return runPhases(plan, PHASES, trace, ctx);
}
