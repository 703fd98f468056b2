// CASE simplification, three-valued-logic simplification and join-condition push-down: each rule on hand-built
// input plans (expected plan text), and on data — the same final table with and without the rule. The rules follow
// Calcite's RexSimplify (simplifyCase, simplifyAnd/simplifyOr with RexUnknownAs.FALSE in conditions, IS [NOT]
// NULL on NOT NULL operands) and FilterJoinRule.JOIN_CONDITION_PUSH, which Flink's logical rule sets run
// (FlinkStreamRuleSets.scala: FILTER_PREPARE_RULES, JOIN_PREDICATE_REWRITE_RULES).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Schema, Types, type LogicalType } from '../../executor/index.js';
import { TableEnvironment, formatValueText } from '../../index.js';
import { Rex } from '../../planner/expr/rex.js';
import { explainPlan, type JoinKind, type LogicalPlan } from '../../planner/logical/plan.js';
import { PHASES } from '../../planner/optimizer/optimize.js';
import { runPhases, type Rule } from '../../planner/optimizer/rule.js';
import { constantFoldingRule } from '../../planner/optimizer/rules/constant-folding.js';
import { caseSimplificationRule } from '../../planner/optimizer/rules/case-simplification.js';
import { joinConditionPushDownRule } from '../../planner/optimizer/rules/join-condition-push-down.js';
import { threeValuedLogicSimplificationRule } from '../../planner/optimizer/rules/three-valued-logic-simplification.js';

const INT = Types.INT();
const INT_NN = Types.INT(false);
const BOOL = Types.BOOLEAN();
const BOOL_NN = Types.BOOLEAN(false);
const STR = Types.STRING();

/** T(a INT, b INT NOT NULL, s STRING): one constant row, so the plans need no catalog. */
const T: LogicalPlan = {
  kind: 'values',
  rows: [[Rex.literal(1, INT), Rex.literal(2, INT_NN), Rex.literal('x', STR)]],
  schema: new Schema([
    { name: 'a', type: INT },
    { name: 'b', type: INT_NN },
    { name: 's', type: STR },
  ]),
};
const a = Rex.input(0, INT);
const b = Rex.input(1, INT_NN);
const lit = (v: number): Rex => Rex.literal(v, INT_NN);
const bool = (v: boolean | null): Rex => Rex.literal(v, v === null ? BOOL : BOOL_NN);
const call = (op: Parameters<typeof Rex.call>[0], args: Rex[], type: LogicalType): Rex =>
  Rex.call(op, args, type);
const gt = (x: Rex, y: Rex): Rex =>
  call('GREATER_THAN', [x, y], x.type.nullable || y.type.nullable ? BOOL : BOOL_NN);
const eq = (x: Rex, y: Rex): Rex =>
  call('EQUALS', [x, y], x.type.nullable || y.type.nullable ? BOOL : BOOL_NN);
const and = (...xs: Rex[]): Rex => call('AND', xs, xs.some((x) => x.type.nullable) ? BOOL : BOOL_NN);
const or = (...xs: Rex[]): Rex => call('OR', xs, xs.some((x) => x.type.nullable) ? BOOL : BOOL_NN);
const not = (x: Rex): Rex => call('NOT', [x], x.type);
const isNull = (x: Rex): Rex => call('IS_NULL', [x], BOOL_NN);
const isNotNull = (x: Rex): Rex => call('IS_NOT_NULL', [x], BOOL_NN);
const caseOf = (type: LogicalType, ...args: Rex[]): Rex => call('CASE', args, type);

function filter(input: LogicalPlan, condition: Rex): LogicalPlan {
  return { kind: 'filter', input, condition, schema: input.schema };
}
function project(input: LogicalPlan, cols: [string, Rex][]): LogicalPlan {
  return {
    kind: 'project',
    input,
    exprs: cols.map((c) => c[1]),
    schema: new Schema(cols.map(([name, e]) => ({ name, type: e.type }))),
  };
}
function joinOf(left: LogicalPlan, right: LogicalPlan, joinType: JoinKind, condition: Rex): LogicalPlan {
  const semi = joinType === 'SEMI' || joinType === 'ANTI';
  return {
    kind: 'join',
    left,
    right,
    joinType,
    condition,
    schema: semi ? left.schema : left.schema.concat(right.schema),
  };
}

function run(plan: LogicalPlan, ...rules: Rule[]): string {
  return explainPlan(runPhases(plan, [{ name: 'test', rules }]));
}
const exprOf = (text: string): string => text.split('\n')[0] as string;

describe('case-simplification', () => {
  const cases: [string, Rex, string][] = [
    [
      'a FALSE/NULL branch is dropped',
      caseOf(INT, gt(a, lit(1)), lit(1), bool(false), lit(2), bool(null), lit(3), lit(4)),
      'LogicalProject(x=[CASE(>(a, 1), 1, 4)])',
    ],
    [
      'WHEN TRUE ends the CASE',
      caseOf(INT, gt(a, lit(1)), a, bool(true), lit(2), gt(a, lit(5)), lit(3), lit(4)),
      'LogicalProject(x=[CASE(>(a, 1), a, 2)])',
    ],
    ['no branch left: the ELSE value', caseOf(INT, bool(false), lit(1), a), 'LogicalProject(x=[a])'],
    [
      'every branch the same: that value',
      caseOf(INT, gt(a, lit(1)), a, gt(b, lit(2)), a, a),
      'LogicalProject(x=[a])',
    ],
    [
      'the first WHEN TRUE: its value, typed as the CASE',
      caseOf(INT, bool(true), lit(7), a),
      'LogicalProject(x=[CAST(7 AS INTEGER)])',
    ],
  ];
  for (const [what, e, want] of cases) {
    it(what, () =>
      expect(exprOf(run(project(T, [['x', e]]), caseSimplificationRule)).replace('INTEGER', 'INTEGER')).toBe(
        want.replace('INTEGER', 'INT'),
      ),
    );
  }
  it('leaves a CASE with distinct outcomes alone (the rule does not apply)', () => {
    const p = project(T, [['x', caseOf(INT, gt(a, lit(1)), lit(1), lit(2))]]);
    expect(caseSimplificationRule.apply(p, {})).toBeNull();
  });
});

describe('three-valued-logic-simplification', () => {
  const conds: [string, Rex, string][] = [
    ['IS NULL on a NOT NULL column is FALSE', isNull(b), 'LogicalFilter(condition=[FALSE])'],
    [
      'IS NOT NULL on a NOT NULL column is TRUE (the filter goes)',
      and(isNotNull(b), gt(a, lit(1))),
      'LogicalFilter(condition=[>(a, 1)])',
    ],
    ['IS NULL on a nullable column stays', isNull(a), 'LogicalFilter(condition=[IS_NULL(a)])'],
    [
      'x AND NOT x is never TRUE, even for a nullable x',
      and(gt(a, lit(1)), not(gt(a, lit(1)))),
      'LogicalFilter(condition=[FALSE])',
    ],
    [
      'x OR NOT x over a nullable x: TRUE exactly when x is not NULL',
      or(gt(a, lit(1)), not(gt(a, lit(1)))),
      'LogicalFilter(condition=[IS_NOT_NULL(<=(a, 1))])',
    ],
    ['x OR NOT x over NOT NULL x is TRUE', or(gt(b, lit(1)), not(gt(b, lit(1)))), 'LogicalValues'],
    [
      'NOT of a comparison is the negated comparison',
      not(gt(a, lit(1))),
      'LogicalFilter(condition=[<=(a, 1)])',
    ],
    [
      'duplicates go',
      and(gt(a, lit(1)), gt(b, lit(2)), gt(a, lit(1))),
      'LogicalFilter(condition=[AND(>(a, 1), >(b, 2))])',
    ],
    [
      'x = x on NOT NULL is TRUE; on a nullable x in a condition IS NOT NULL',
      and(eq(b, b), eq(a, a)),
      'LogicalFilter(condition=[IS_NOT_NULL(a)])',
    ],
  ];
  for (const [what, c, want] of conds) {
    // constant-folding removes the TRUE operands and a filter on TRUE, as it does in the optimizer's phase.
    it(what, () =>
      expect(exprOf(run(filter(T, c), threeValuedLogicSimplificationRule, constantFoldingRule))).toBe(
        want === 'LogicalValues' ? exprOf(explainPlan(T)) : want,
      ),
    );
  }
  it('in a projection NULL is not FALSE: x AND NOT x over a nullable x stays', () => {
    const p = project(T, [['x', and(gt(a, lit(1)), not(gt(a, lit(1))))]]);
    expect(exprOf(run(p, threeValuedLogicSimplificationRule))).toBe(
      'LogicalProject(x=[AND(>(a, 1), <=(a, 1))])',
    );
  });
  it('in a projection x AND NOT x over NOT NULL x is FALSE', () => {
    const p = project(T, [['x', and(gt(b, lit(1)), not(gt(b, lit(1))))]]);
    expect(exprOf(run(p, threeValuedLogicSimplificationRule))).toBe('LogicalProject(x=[FALSE])');
  });
});

describe('join-condition-push-down', () => {
  const R: LogicalPlan = {
    ...T,
    schema: new Schema([
      { name: 'c', type: INT },
      { name: 'd', type: INT_NN },
      { name: 't', type: STR },
    ]),
  };
  const c = Rex.input(3, INT);
  const d = Rex.input(4, INT_NN);
  const cond = and(eq(a, c), gt(b, lit(1)), gt(d, lit(2)), gt(a, d));
  const shape = (joinType: JoinKind): string => run(joinOf(T, R, joinType, cond), joinConditionPushDownRule);
  it('INNER: each side gets its conjuncts', () => {
    expect(shape('INNER')).toBe(
      [
        'LogicalJoin(condition=[AND(=(a, c), >(a, d))], joinType=[inner])',
        '   +- LogicalFilter(condition=[>(b, 1)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
        '   +- LogicalFilter(condition=[>(d, 2)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });
  it('LEFT: only the right side (every left row must come out)', () => {
    expect(shape('LEFT').split('\n')[0]).toBe(
      'LogicalJoin(condition=[AND(=(a, c), >(b, 1), >(a, d))], joinType=[left])',
    );
    expect(shape('LEFT')).toContain('+- LogicalFilter(condition=[>(d, 2)])');
    expect(shape('LEFT')).not.toContain('>(b, 1)])\n      +-');
  });
  it('RIGHT: only the left side', () => {
    expect(shape('RIGHT').split('\n')[0]).toBe(
      'LogicalJoin(condition=[AND(=(a, c), >(d, 2), >(a, d))], joinType=[right])',
    );
  });
  it('FULL: nothing moves', () => {
    expect(joinConditionPushDownRule.apply(joinOf(T, R, 'FULL', cond), {})).toBeNull();
  });
  it('ANTI: only the right side; SEMI: both', () => {
    expect(shape('ANTI').split('\n')[0]).toBe(
      'LogicalJoin(condition=[AND(=(a, c), >(b, 1), >(a, d))], joinType=[anti])',
    );
    expect(shape('SEMI').split('\n')[0]).toBe(
      'LogicalJoin(condition=[AND(=(a, c), >(a, d))], joinType=[semi])',
    );
  });
});

// ---- on data: the same final table with and without each rule ----

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-simplify-'));
  writeFileSync(join(dir, 'l.csv'), ['1,a,10', '2,b,', '3,c,30', '4,,40', '5,e,50'].join('\n') + '\n');
  writeFileSync(join(dir, 'ev.csv'), ['a,2024-01-01 00:00:01', 'b,2024-01-01 00:00:02', 'a,2024-01-01 00:00:03', 'c,2024-01-01 00:00:05'].join('\n') + '\n');
  writeFileSync(join(dir, 'r.csv'), ['1,x,5', '2,y,15', '3,z,25', '9,w,35', ',v,45'].join('\n') + '\n');
});

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(
    `CREATE TABLE l (id INT NOT NULL, name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'l.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE r (id INT, tag STRING, w INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'r.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(`CREATE TABLE ev (w STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'ev.csv')}', 'format' = 'csv')`);
  return e;
}

async function table(sql: string): Promise<string[]> {
  const res = env().executeSql(sql);
  const schema = res.schema!;
  return (await res.materialize())
    .map((row) =>
      row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema.field(i).type))).join(', '),
    )
    .sort();
}

async function withoutRule<T>(name: string, f: () => Promise<T>): Promise<T> {
  type MutablePhase = { rules: readonly Rule[] };
  const saved = PHASES.map((p) => p.rules);
  for (const p of PHASES) (p as MutablePhase).rules = p.rules.filter((r) => r.name !== name);
  try {
    return await f();
  } finally {
    PHASES.forEach((p, i) => ((p as MutablePhase).rules = saved[i] as readonly Rule[]));
  }
}

function optimized(sql: string): string {
  const text = env().explainSql(sql);
  return text.slice(
    text.indexOf('== Optimized Logical Plan =='),
    text.indexOf('== Optimized Physical Plan =='),
  );
}

const E2E: { rule: string; sql: string; shows: RegExp; rows: number }[] = [
  // The temporal sort the subquery's ORDER BY would be (on one subtask, until the watermark) is gone.
  { rule: 'sort-removal', sql: 'SELECT w, COUNT(*) FROM (SELECT * FROM ev ORDER BY ts) GROUP BY w', shows: /LogicalAggregate[^\n]*\n(?![\s\S]*LogicalSort)/, rows: 3 },
  {
    rule: 'case-simplification',
    sql: "SELECT id, CASE WHEN 1 > 2 THEN 'never' WHEN v > 20 THEN 'big' ELSE 'small' END AS k FROM l",
    shows: /CASE\(>\(v, 20\), _UTF-16LE'big', _UTF-16LE'small'\)/,
    rows: 5,
  },
  {
    rule: 'case-simplification',
    sql: 'SELECT id, CASE WHEN v > 20 THEN name WHEN v < 5 THEN name ELSE name END AS n FROM l',
    shows: /LogicalTableScan\(table=\[[^\]]*project=\[id, name\]\]/,
    rows: 5,
  },
  {
    rule: 'three-valued-logic-simplification',
    sql: 'SELECT id FROM l WHERE id IS NOT NULL AND NOT (v > 20)',
    shows: /filter=\[<=\(v, 20\)\]/,
    rows: 1,
  },
  {
    rule: 'three-valued-logic-simplification',
    sql: 'SELECT id FROM l WHERE v > 20 OR NOT (v > 20)',
    shows: /LogicalFilter\(condition=\[IS_NOT_NULL\(<=\(v, 20\)\)\]\)/,
    rows: 4,
  },
  {
    rule: 'three-valued-logic-simplification',
    sql: 'SELECT id, name = name AS same, id IS NULL AS n FROM l',
    shows: /same=\[=\(name, name\)\], n=\[FALSE\]/,
    rows: 5,
  },
  {
    rule: 'join-condition-push-down',
    sql: 'SELECT l.id, r.tag FROM l JOIN r ON l.id = r.id AND r.w > 10 AND l.name IS NOT NULL',
    shows:
      /LogicalJoin\(condition=\[=\(id, id\)\][\s\S]*l, project=\[id\], filter=\[IS NOT NULL\(name\)\][\s\S]*r, project=\[id, tag\], filter=\[>\(w, 10\)\]/,
    rows: 2,
  },
  {
    rule: 'join-condition-push-down',
    sql: 'SELECT l.id, r.tag FROM l LEFT JOIN r ON l.id = r.id AND r.w > 10 AND l.v > 20',
    shows: /joinType=\[left\]/,
    rows: 5,
  },
  {
    rule: 'join-condition-push-down',
    sql: 'SELECT l.id, r.tag FROM l FULL JOIN r ON l.id = r.id AND r.w > 10',
    shows: /joinType=\[full\]/,
    rows: 8,
  },
  {
    rule: 'join-condition-push-down',
    sql: 'SELECT id FROM l WHERE NOT EXISTS (SELECT * FROM r WHERE r.id = l.id AND r.w > 10)',
    shows: /joinType=\[anti\]/,
    rows: 3,
  },
];

describe('each rule on data: the same final table with and without it', () => {
  for (const c of E2E) {
    it(`${c.rule}: ${c.sql}`, async () => {
      expect(optimized(c.sql)).toMatch(c.shows);
      const withRule = await table(c.sql);
      const without = await withoutRule(c.rule, () => table(c.sql));
      expect(withRule).toHaveLength(c.rows);
      expect(withRule).toEqual(without);
    });
  }
});
