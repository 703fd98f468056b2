// CURRENT_WATERMARK(rowtime) (Flink docs dev/table/functions/systemfunctions.md, Temporal Functions; type rules of
// CurrentWatermarkInputTypeStrategy / CurrentWatermarkTypeStrategy; notDeterministic() in
// BuiltInFunctionDefinitions): validation messages, the result type, where the optimizer may not move it, the
// per-instance watermark cell of the Calc operator, and batch mode. The streaming data cases (late rows dropped,
// after a window aggregate) are in test/sql/current-watermark.slt.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperatorTestHarness } from '../../executor/testing/harness.js';
import { Schema, Types, WatermarkCalcOperator, formatType } from '../../executor/index.js';
import { $, SqlError, TableEnvironment, currentWatermark } from '../../index.js';
import { compileCalc, compileCalcPerInstance } from '../../planner/codegen/calc.js';
import { Rex } from '../../planner/expr/rex.js';
import { isDeterministic } from '../../planner/expr/rex-util.js';
import { explainPlan, type LogicalPlan } from '../../planner/logical/plan.js';
import { runPhases } from '../../planner/optimizer/rule.js';
import { filterIntoUnionRule } from '../../planner/optimizer/rules/filter-into-union.js';

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(
    "CREATE TABLE a (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
  );
  e.executeSql(
    "CREATE TABLE b (id INT, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '10')",
  );
  return e;
}

function formatted(sql: string): string {
  try {
    env().executeSql(sql);
  } catch (err) {
    if (err instanceof SqlError) return err.format();
    throw err;
  }
  return 'no error';
}

describe('CURRENT_WATERMARK: validation (CurrentWatermarkInputTypeStrategy messages)', () => {
  it('refuses an argument that cannot be a time attribute', () => {
    expect(formatted('SELECT CURRENT_WATERMARK(id) FROM a')).toBe(
      [
        "<sql>:1:26: CURRENT_WATERMARK() must be called with a single rowtime attribute argument, but 'INT' cannot be a time attribute.",
        'SELECT CURRENT_WATERMARK(id) FROM a',
        '                         ^^',
      ].join('\n'),
    );
  });

  it('refuses a timestamp that is not a rowtime attribute (a computation on the rowtime is not one)', () => {
    expect(formatted('SELECT CURRENT_WATERMARK(CAST(ts AS TIMESTAMP(3))) FROM a')).toBe(
      [
        "<sql>:1:26: The argument of CURRENT_WATERMARK() must be a rowtime attribute, but was 'TIMESTAMP(3)'.",
        'SELECT CURRENT_WATERMARK(CAST(ts AS TIMESTAMP(3))) FROM a',
        '                         ^^^^^^^^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
  });

  it('refuses it where no Calc evaluates it (a join condition), naming the feature', () => {
    expect(() =>
      env().executeSql('SELECT a.id FROM a JOIN b ON a.id = b.id AND a.ts > CURRENT_WATERMARK(a.ts)'),
    ).toThrow(
      'CURRENT_WATERMARK outside a projection or a WHERE/HAVING filter (e.g. in a join condition, an aggregate argument or a window) is not supported',
    );
  });
});

describe('CURRENT_WATERMARK: type', () => {
  it("is the rowtime's type at precision 3, nullable, without the time attribute (CurrentWatermarkTypeStrategy)", () => {
    const e = env();
    const ta = e.sqlQuery('SELECT ts, CURRENT_WATERMARK(ts) AS w FROM a').getResolvedSchema();
    expect(formatType(ta.field(0).type)).toBe('TIMESTAMP(3) *ROWTIME*');
    expect(formatType(ta.field(1).type)).toBe('TIMESTAMP(3)');
    const tb = e.sqlQuery('SELECT CURRENT_WATERMARK(ts) AS w FROM b').getResolvedSchema();
    expect(formatType(tb.field(0).type)).toBe('TIMESTAMP_LTZ(3)');
  });

  it('is not deterministic, so constant folding and the push-down rules treat it as Flink does', () => {
    const ts = Rex.input(0, Types.TIMESTAMP(3, true, 'rowtime'));
    expect(isDeterministic(Rex.call('CURRENT_WATERMARK', [ts], Types.TIMESTAMP(3)))).toBe(false);
  });

  it('the Table API currentWatermark($(ts)) plans as the SQL call', () => {
    const e = env();
    const sql = e.sqlQuery('SELECT id, CURRENT_WATERMARK(ts) AS w FROM a').explain();
    const api = e
      .from('a')
      .select($('id'), currentWatermark($('ts')).as('w'))
      .explain();
    const logical = (s: string): string => s.slice(s.indexOf('== Optimized Physical Plan =='));
    expect(logical(api)).toBe(logical(sql));
  });
});

describe('CURRENT_WATERMARK: the optimizer keeps it in the Calc it was planned in', () => {
  it('a WHERE conjunct reading it stays above the join; the other conjuncts become the join condition', () => {
    const plan = env().explainSql(
      'SELECT a.id FROM a, b WHERE a.id = b.id AND a.ts > CURRENT_WATERMARK(a.ts)',
    );
    const physical = plan.slice(
      plan.indexOf('== Optimized Physical Plan =='),
      plan.indexOf('== Job Graph =='),
    );
    expect(physical).toContain(
      [
        '   +- StreamCalc(select=[id], where=[>(ts, CURRENT_WATERMARK(ts))], changelogMode=[I])',
        '      +- StreamJoin(joinType=[InnerJoin], where=[=(id, id)], select=[id, ts, id], changelogMode=[I])',
      ].join('\n'),
    );
  });

  it('filter-into-union leaves a filter reading it above the union (the union watermark is the minimum)', () => {
    const ts = Types.TIMESTAMP(3, true, 'rowtime');
    const T: LogicalPlan = {
      kind: 'values',
      rows: [[Rex.literal(0, ts)]],
      schema: new Schema([{ name: 'ts', type: ts }]),
    };
    const union: LogicalPlan = { kind: 'union', all: true, inputs: [T, T], schema: T.schema } as LogicalPlan;
    const cond = Rex.call(
      'GREATER_THAN',
      [Rex.input(0, ts), Rex.call('CURRENT_WATERMARK', [Rex.input(0, ts)], Types.TIMESTAMP(3))],
      Types.BOOLEAN(),
    );
    const filter: LogicalPlan = { kind: 'filter', input: union, condition: cond, schema: union.schema };
    const out = runPhases(filter, [{ name: 'test', rules: [filterIntoUnionRule] }]);
    expect(explainPlan(out).split('\n')[0]).toBe('LogicalFilter(condition=[>(ts, CURRENT_WATERMARK(ts))])');
  });
});

describe('CURRENT_WATERMARK: the Calc operator', () => {
  const ts = Types.TIMESTAMP(3, true, 'rowtime');
  const input = new Schema([{ name: 'ts', type: ts }]);
  const output = new Schema([{ name: 'w', type: Types.TIMESTAMP(3) }]);
  const spec = {
    inputSchema: input,
    outputSchema: output,
    projections: [Rex.call('CURRENT_WATERMARK', [Rex.input(0, ts)], Types.TIMESTAMP(3))],
    condition: null,
  };

  it('each instance reads its own watermark: NULL before its first, then the last one received', () => {
    const bind = compileCalcPerInstance(spec);
    const one = new OperatorTestHarness(new WatermarkCalcOperator('Calc', output, bind), { inputs: [input] });
    const two = new OperatorTestHarness(new WatermarkCalcOperator('Calc', output, bind), { inputs: [input] });
    one
      .processElement([1000])
      .processWatermark(5000)
      .processElement([2000])
      .processWatermark(7000)
      .processElement([3000]);
    two.processElement([1000]);
    expect(one.extractRows()).toEqual([[null], [5000], [7000]]);
    expect(two.extractRows()).toEqual([[null]]);
    // The watermark still goes downstream, after the cell is updated.
    expect(
      one
        .getOutput()
        .filter((e) => e.kind === 'watermark')
        .map((e) => (e as { timestamp: number }).timestamp),
    ).toEqual([5000, 7000]);
  });

  it('compileCalc without a cell refuses it (joins, aggregates and windows compile their expressions there)', () => {
    expect(() => compileCalc(spec)).toThrow(/CURRENT_WATERMARK outside a projection/);
  });
});

describe('CURRENT_WATERMARK: batch mode', () => {
  it('is NULL on every row (batch has one watermark, at the end of the input)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'freshet-cw-'));
    writeFileSync(join(dir, 'part-0.csv'), '1,2020-04-15 08:05:00\n2,2020-04-15 08:07:00\n');
    const e = TableEnvironment.create();
    e.executeSql("SET 'execution.runtime-mode' = 'batch'");
    e.executeSql(
      `CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = '${dir}', 'format' = 'csv')`,
    );
    const rows = await e.executeSql('SELECT id, CURRENT_WATERMARK(ts) FROM t').materialize();
    expect(rows.map((r) => [...r]).sort()).toEqual([
      [1, null],
      [2, null],
    ]);
  });
});
