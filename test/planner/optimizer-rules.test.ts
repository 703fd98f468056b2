// The logical rules of the 'push-down and pruning' phase and constant folding: each one on a hand-built input
// plan (the expected plan text via explainPlan), and each one on data — the same query run with and without the
// rule must give the same final table. The rules follow Calcite's ReduceExpressionsRule/RexSimplify,
// FilterMergeRule, FilterProjectTransposeRule, FilterSetOpTransposeRule, FilterAggregateTransposeRule and
// RelFieldTrimmer, which Flink's logical optimization runs (FlinkStreamRuleSets.scala).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Schema, Types, type LogicalType } from '../../executor/index.js';
import { TableEnvironment, formatValueText } from '../../index.js';
import { FactoryRegistry, defaultFactories, type DynamicTableFactory } from '../../planner/catalog/factory.js';
import { Rex } from '../../planner/expr/rex.js';
import { explainPlan, type AggregateCall, type LogicalPlan } from '../../planner/logical/plan.js';
import { PHASES } from '../../planner/optimizer/optimize.js';
import { runPhases, type Rule } from '../../planner/optimizer/rule.js';
import { constantFoldingRule } from '../../planner/optimizer/rules/constant-folding.js';
import { filterAggregateTransposeRule } from '../../planner/optimizer/rules/filter-aggregate-transpose.js';
import { filterIntoUnionRule } from '../../planner/optimizer/rules/filter-into-union.js';
import { filterMergeRule } from '../../planner/optimizer/rules/filter-merge.js';
import { filterProjectTransposeRule } from '../../planner/optimizer/rules/filter-project-transpose.js';
import { projectPruningRule } from '../../planner/optimizer/rules/project-pruning.js';

// ---- hand-built plans ----

const INT = Types.INT();
const BOOL = Types.BOOLEAN();
const BOOL_NN = Types.BOOLEAN(false);
const STR = Types.STRING();

/** T(a INT, b INT, s STRING): one constant row, so the plans need no catalog. */
const T: LogicalPlan = {
  kind: 'values',
  rows: [[Rex.literal(1, INT), Rex.literal(2, INT), Rex.literal('x', STR)]],
  schema: new Schema([
    { name: 'a', type: INT },
    { name: 'b', type: INT },
    { name: 's', type: STR },
  ]),
};
const a = Rex.input(0, INT);
const b = Rex.input(1, INT);
const lit = (v: number): Rex => Rex.literal(v, Types.INT(false));
const bool = (v: boolean | null): Rex => Rex.literal(v, v === null ? BOOL : BOOL_NN);
const call = (op: Parameters<typeof Rex.call>[0], args: Rex[], type: LogicalType): Rex =>
  Rex.call(op, args, type);
const gt = (x: Rex, y: Rex): Rex => call('GREATER_THAN', [x, y], BOOL);
const and = (...xs: Rex[]): Rex => call('AND', xs, BOOL);
const or = (...xs: Rex[]): Rex => call('OR', xs, BOOL);
const not = (x: Rex): Rex => call('NOT', [x], x.type);

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
function aggCall(
  kind: AggregateCall['kind'],
  args: number[],
  name: string,
  resultType: LogicalType,
): AggregateCall {
  return { kind, args, distinct: false, filterArg: -1, resultType, name };
}
function aggregate(input: LogicalPlan, groupKeys: number[], calls: AggregateCall[]): LogicalPlan {
  return {
    kind: 'aggregate',
    input,
    groupKeys,
    aggCalls: calls,
    schema: new Schema([
      ...groupKeys.map((k) => input.schema.field(k)),
      ...calls.map((c) => ({ name: c.name, type: c.resultType })),
    ]),
  };
}

/** The plan after running only `rules` to a fixpoint (the driver also checks that each kept the schema). */
function run(plan: LogicalPlan, ...rules: Rule[]): string {
  return explainPlan(runPhases(plan, [{ name: 'test', rules }]));
}

describe('constant-folding', () => {
  it('evaluates literal-only arithmetic, CAST and CASE with the compiled Calc code', () => {
    const plan = project(T, [
      ['x', call('PLUS', [a, call('PLUS', [lit(1), lit(2)], Types.INT(false))], INT)],
      ['y', Rex.cast(Rex.literal('5', Types.STRING(false)), Types.INT(false))],
      ['z', call('CASE', [gt(lit(1), lit(2)), Rex.literal('p', STR), Rex.literal('q', STR)], STR)],
      ['w', Rex.cast(Rex.literal(9007199254740991n, Types.BIGINT(false)), Types.DECIMAL(20, 0, false))],
      // Beyond 2^53 the Calc's double mode would round the folded literal; the runtime widens the unfolded CAST.
      ['v', Rex.cast(Rex.literal(9007199254740993n, Types.BIGINT(false)), Types.DECIMAL(20, 0, false))],
    ]);
    expect(run(plan, constantFoldingRule)).toBe(
      [
        "LogicalProject(x=[+(a, 3)], y=[5], z=[_UTF-16LE'q'], w=[9007199254740991], v=[CAST(9007199254740993 AS DECIMAL(20, 0) NOT NULL)])",
        "   +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('simplifies AND/OR with TRUE/FALSE operands and NOT NOT, keeping three-valued logic', () => {
    const x = gt(a, lit(1));
    const cases: [Rex, string][] = [
      [and(x, bool(true)), '>(a, 1)'],
      [and(x, bool(false)), 'FALSE'],
      [or(x, bool(false)), '>(a, 1)'],
      [or(x, bool(true)), 'TRUE'],
      [not(not(x)), '>(a, 1)'],
      [and(x, bool(true), gt(b, lit(0))), 'AND(>(a, 1), >(b, 0))'],
      // All-literal three-valued cases are evaluated by the runtime: FALSE AND NULL = FALSE, TRUE OR NULL = TRUE,
      // TRUE AND NULL = NULL.
      [and(bool(false), bool(null)), 'FALSE'],
      [or(bool(true), bool(null)), 'TRUE'],
      [and(bool(true), bool(null)), 'null:BOOLEAN'],
      // x AND NULL must stay: it is NULL or FALSE depending on x.
      [and(x, bool(null)), 'AND(>(a, 1), null:BOOLEAN)'],
    ];
    for (const [e, expected] of cases)
      expect(run(project(T, [['c', e]]), constantFoldingRule).split('\n')[0]).toBe(
        `LogicalProject(c=[${expected}])`,
      );
  });

  it('removes a filter on TRUE, keeps a filter on FALSE, and turns a NULL condition into FALSE', () => {
    expect(run(filter(T, or(gt(a, lit(1)), bool(true))), constantFoldingRule)).toBe(
      "LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
    );
    expect(run(filter(T, and(gt(a, lit(1)), gt(lit(1), lit(2)))), constantFoldingRule).split('\n')[0]).toBe(
      'LogicalFilter(condition=[FALSE])',
    );
    expect(run(filter(T, and(bool(true), bool(null))), constantFoldingRule).split('\n')[0]).toBe(
      'LogicalFilter(condition=[FALSE])',
    );
  });

  it('never folds non-deterministic calls, and leaves an expression that fails to evaluate to the runtime', () => {
    const rand = call('RAND', [], Types.DOUBLE(false));
    const plan = project(T, [
      ['r', call('PLUS', [rand, call('PLUS', [lit(1), lit(1)], Types.INT(false))], Types.DOUBLE(false))],
      ['bad', Rex.cast(Rex.literal('x', Types.STRING(false)), Types.INT(false))],
    ]);
    expect(run(plan, constantFoldingRule).split('\n')[0]).toBe(
      "LogicalProject(r=[+(RAND(), 2)], bad=[CAST(_UTF-16LE'x' AS INT NOT NULL)])",
    );
  });
});

describe('filter-project-transpose and filter-merge', () => {
  it('moves a filter below a deterministic projection, rewriting it over the projection input', () => {
    const p = project(T, [
      ['x', call('PLUS', [a, lit(1)], INT)],
      ['s', Rex.input(2, STR)],
    ]);
    expect(run(filter(p, gt(Rex.input(0, INT), lit(3))), filterProjectTransposeRule)).toBe(
      [
        'LogicalProject(x=[+(a, 1)], s=[s])',
        '   +- LogicalFilter(condition=[>(+(a, 1), 3)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('keeps a filter above a projection that computes RAND() (the filter must test the value it outputs)', () => {
    const p = project(T, [['r', call('RAND', [], Types.DOUBLE(false))]]);
    const plan = filter(p, call('LESS_THAN', [Rex.input(0, Types.DOUBLE(false)), lit(1)], BOOL));
    expect(run(plan, filterProjectTransposeRule)).toBe(explainPlan(plan));
  });

  it('merges stacked filters into one AND, inner condition first', () => {
    expect(run(filter(filter(T, gt(a, lit(1))), gt(b, lit(2))), filterMergeRule)).toBe(
      [
        'LogicalFilter(condition=[AND(>(a, 1), >(b, 2))])',
        "   +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('together: a WHERE over a subquery with a WHERE becomes one filter below the projections', () => {
    const inner = project(filter(T, gt(a, lit(0))), [
      ['x', call('TIMES', [a, lit(2)], INT)],
      ['b', b],
    ]);
    const plan = filter(inner, gt(Rex.input(0, INT), Rex.input(1, INT)));
    expect(run(plan, filterProjectTransposeRule, filterMergeRule)).toBe(
      [
        'LogicalProject(x=[*(a, 2)], b=[b])',
        '   +- LogicalFilter(condition=[AND(>(a, 0), >(*(a, 2), b))])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });
});

describe('filter-into-union', () => {
  it('filters each input of a UNION ALL', () => {
    const union: LogicalPlan = { kind: 'union', inputs: [T, T], schema: T.schema };
    expect(run(filter(union, gt(a, lit(1))), filterIntoUnionRule)).toBe(
      [
        'LogicalUnion(all=[true])',
        '   +- LogicalFilter(condition=[>(a, 1)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
        '   +- LogicalFilter(condition=[>(a, 1)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });
});

describe('filter-aggregate-transpose', () => {
  const BIGINT_NN = Types.BIGINT(false);
  const agg = aggregate(T, [2], [aggCall('COUNT', [], 'c', BIGINT_NN), aggCall('SUM', [0], 'total', INT)]);

  it('moves conjuncts on group keys below the aggregate and keeps those on aggregate results', () => {
    const cond = and(
      call('NOT_EQUALS', [Rex.input(0, STR), Rex.literal('b', STR)], BOOL),
      gt(Rex.input(1, BIGINT_NN), Rex.literal(1n, BIGINT_NN)),
    );
    expect(run(filter(agg, cond), filterAggregateTransposeRule)).toBe(
      [
        'LogicalFilter(condition=[>(c, 1)])',
        '   +- LogicalAggregate(group=[{2}], c=[COUNT(*)], total=[SUM(a)])',
        "      +- LogicalFilter(condition=[<>(s, _UTF-16LE'b')])",
        "         +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('moves nothing below a global aggregate (a FALSE filter there would still leave the one row)', () => {
    const global = aggregate(T, [], [aggCall('COUNT', [], 'c', BIGINT_NN)]);
    const plan = filter(global, bool(false));
    expect(run(plan, filterAggregateTransposeRule)).toBe(explainPlan(plan));
  });

  it('keeps a non-deterministic conjunct above the aggregate', () => {
    const cond = call('LESS_THAN', [call('RAND', [], Types.DOUBLE(false)), lit(1)], BOOL_NN);
    const plan = filter(agg, cond);
    expect(run(plan, filterAggregateTransposeRule)).toBe(explainPlan(plan));
  });
});

describe('project-pruning', () => {
  it('drops inner projection expressions that the outer one does not read', () => {
    const rand = call('RAND', [], Types.DOUBLE(false));
    const inner = project(T, [
      ['x', call('PLUS', [a, lit(1)], INT)],
      ['r', rand],
      ['s', Rex.input(2, STR)],
    ]);
    // The outer projection reads r twice, so project-merge must leave the pair; pruning still drops x.
    const r = Rex.input(1, Types.DOUBLE(false));
    const plan = project(inner, [
      ['r2', call('PLUS', [r, r], Types.DOUBLE(false))],
      ['s', Rex.input(2, STR)],
    ]);
    expect(run(plan, projectPruningRule)).toBe(
      [
        'LogicalProject(r2=[+(r, r)], s=[s])',
        '   +- LogicalProject(r=[RAND()], s=[s])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('drops aggregate calls nothing reads, keeping the group keys', () => {
    const agg = aggregate(
      T,
      [2],
      [
        aggCall('COUNT', [], 'c', Types.BIGINT(false)),
        aggCall('SUM', [0], 'total', INT),
        aggCall('MAX', [1], 'top', INT),
      ],
    );
    const plan = project(agg, [
      ['s', Rex.input(0, STR)],
      ['top', Rex.input(3, INT)],
    ]);
    expect(run(plan, projectPruningRule)).toBe(
      [
        'LogicalProject(s=[s], top=[top])',
        '   +- LogicalAggregate(group=[{2}], top=[MAX(b)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('narrows each join side to the columns the outer projection and the join condition read', () => {
    const cond = call('EQUALS', [a, Rex.input(4, INT)], BOOL);
    const join: LogicalPlan = {
      kind: 'join',
      left: T,
      right: T,
      joinType: 'INNER',
      condition: cond,
      schema: T.schema.concat(T.schema),
    };
    const plan = project(join, [
      ['s', Rex.input(2, STR)],
      ['a2', Rex.input(3, INT)],
    ]);
    expect(run(plan, projectPruningRule)).toBe(
      [
        'LogicalProject(s=[s], a2=[a])',
        '   +- LogicalJoin(condition=[=(a, b)], joinType=[inner])',
        '      +- LogicalProject(a=[a], s=[s])',
        "         +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
        '      +- LogicalProject(a=[a], b=[b])',
        "         +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });

  it('keeps one call of a global aggregate (no keys and no calls has no operator)', () => {
    const agg = aggregate(
      T,
      [],
      [aggCall('COUNT', [], 'c', Types.BIGINT(false)), aggCall('SUM', [0], 't', INT)],
    );
    const plan = project(agg, [['one', lit(1)]]);
    expect(run(plan, projectPruningRule)).toBe(
      [
        'LogicalProject(one=[1])',
        '   +- LogicalAggregate(group=[{}], c=[COUNT(*)])',
        "      +- LogicalValues(tuples=[{ 1, 2, _UTF-16LE'x' }])",
      ].join('\n'),
    );
  });
});

// ---- the same queries on data, with and without each rule ----

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-opt-rules-'));
  writeFileSync(
    join(dir, 'words.csv'),
    ['a,1', 'b,2', 'a,3', 'c,4', 'a,5', 'b,6', 'c,', 'd,7'].join('\n') + '\n',
  );
});

/** The built-in factories without source push-down, so each plan shows its own rule's rewrite (push-down has its
 *  own tests in source-push-down.test.ts). */
function withoutSourcePushDown(): FactoryRegistry {
  const r = new FactoryRegistry();
  for (const id of defaultFactories.identifiers()) {
    const { supportsProjectionPushDown: _p, acceptsFilter: _f, ...rest } = defaultFactories.get(id) as DynamicTableFactory;
    r.register(rest);
  }
  return r;
}

function env(): TableEnvironment {
  const e = TableEnvironment.create({ factories: withoutSourcePushDown() });
  e.executeSql(
    `CREATE TABLE words (w STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'words.csv')}', 'format' = 'csv')`,
  );
  return e;
}

async function table(sql: string): Promise<string[]> {
  const r = env().executeSql(sql);
  const schema = r.schema!;
  return (await r.materialize())
    .map((row) =>
      row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema.field(i).type))).join(', '),
    )
    .sort();
}

/** Runs `f` with the named rule taken out of every optimizer phase. */
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

function optimizedPlan(sql: string): string {
  const text = env().explainSql(sql);
  return text.slice(
    text.indexOf('== Optimized Logical Plan =='),
    text.indexOf('== Optimized Physical Plan =='),
  );
}

const E2E: { rule: string; sql: string; shows: RegExp; rows: number }[] = [
  {
    rule: 'constant-folding',
    sql: `SELECT w, n + (1 + 2) AS m, CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END AS c, CAST(9007199254740993 AS BIGINT) + 0 AS big
          FROM words WHERE n > 1 + 1 AND TRUE AND NOT NOT (w <> 'zz') AND (n IS NULL OR 1 = 1)`,
    shows:
      /LogicalProject\(w=\[w\], m=\[\+\(n, 3\)\], c=\[_UTF-16LE'y'\], big=\[\+\(CAST\(9007199254740993 AS BIGINT NOT NULL\), 0\)\]\)/,
    rows: 5,
  },
  {
    rule: 'filter-project-transpose',
    sql: 'SELECT * FROM (SELECT w, n * 2 AS d FROM words WHERE n > 1) WHERE d > 5',
    shows: /LogicalFilter\(condition=\[AND\(>\(n, 1\), >\(\*\(n, 2\), 5\)\)\]\)/,
    rows: 5,
  },
  {
    rule: 'filter-merge',
    sql: 'SELECT * FROM (SELECT w, n * 2 AS d FROM words WHERE n > 1) WHERE d > 5',
    shows: /LogicalFilter\(condition=\[AND\(/,
    rows: 5,
  },
  {
    rule: 'filter-into-union',
    sql: 'SELECT * FROM (SELECT w, n FROM words UNION ALL SELECT w, n + 10 FROM words) WHERE n > 4',
    shows: /LogicalUnion[^\n]*\n\s+\+- LogicalProject[^\n]*\n\s+\+- LogicalFilter/,
    rows: 10,
  },
  {
    rule: 'filter-aggregate-transpose',
    sql: "SELECT * FROM (SELECT w, COUNT(*) AS c, SUM(n) AS s FROM words GROUP BY w) WHERE w <> 'b' AND c > 1",
    shows:
      /LogicalFilter\(condition=\[>\(EXPR\$0, 1\)\]\)\n\s+\+- LogicalAggregate[^\n]*\n[^\n]*\n\s+\+- LogicalFilter\(condition=\[<>\(w, _UTF-16LE'b'\)\]\)/,
    rows: 2,
  },
  {
    rule: 'filter-aggregate-transpose',
    sql: "SELECT w, MAX(n) AS m FROM words GROUP BY w HAVING w IN ('a', 'c', 'd') AND MAX(n) > 4",
    shows: /LogicalAggregate[^\n]*\n[^\n]*\n\s+\+- LogicalFilter\(condition=\[OR\(/,
    rows: 2,
  },
  {
    rule: 'project-pruning',
    sql: 'SELECT w, s FROM (SELECT w, COUNT(*) AS c, SUM(n) AS s, MAX(n) AS m FROM words GROUP BY w)',
    shows: /LogicalAggregate\(group=\[\{0\}\], EXPR\$1=\[SUM\(n\)\]\)\n/,
    rows: 4,
  },
  {
    rule: 'project-pruning',
    sql: 'SELECT a.w, a.n FROM words a JOIN words b ON a.w = b.w',
    shows: /LogicalJoin[^\n]*\n(\s+\+- [^\n]*\n)+\s+\+- LogicalProject\(w=\[w\]\)\n/,
    rows: 18,
  },
];

describe('each rule on data: the same final table with and without it', () => {
  for (const c of E2E) {
    it(`${c.rule}: ${c.sql.replace(/\s+/g, ' ')}`, async () => {
      expect(optimizedPlan(c.sql)).toMatch(c.shows);
      const withRule = await table(c.sql);
      const without = await withoutRule(c.rule, () => table(c.sql));
      expect(withRule).toHaveLength(c.rows);
      expect(withRule).toEqual(without);
    });
  }
});
