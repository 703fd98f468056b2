// Projection and filter push-down into sources (Flink's PushProjectIntoTableSourceScanRule and
// PushFilterIntoTableSourceScanRule over SupportsProjectionPushDown / SupportsFilterPushDown, see
// https://nightlies.apache.org/flink/flink-docs-stable/docs/dev/table/sourcessinks/#source-abilities):
// the plan shows `project=[...]` / `filter=[...]` on the scan, the connectors read fewer columns and drop rows,
// and every query gives the same final table with and without the rules.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Schema, Types, batchToRows, type RecordBatch } from '../../executor/index.js';
import { TableEnvironment, formatValueText } from '../../index.js';
import {
  FactoryRegistry,
  SourcePushDown,
  defaultFactories,
  type DynamicTableFactory,
} from '../../planner/catalog/factory.js';
import { PHASES } from '../../planner/optimizer/optimize.js';
import type { Rule } from '../../planner/optimizer/rule.js';

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-push-down-'));
  writeFileSync(
    join(dir, 'items.csv'),
    ['1,apple,3,true', '2,pear,,false', '3,plum,7,true', '4,fig,1,', '5,kiwi,9,false'].join('\n') + '\n',
  );
  // The third column is malformed for INT in one record: only a read that parses it fails.
  writeFileSync(join(dir, 'bad.csv'), ['1,apple,x', '2,pear,4'].join('\n') + '\n');
  writeFileSync(
    join(dir, 'items.json'),
    [
      '{"id":1,"name":"apple","qty":3}',
      '{"id":2,"name":"pear","qty":null}',
      '{"id":3,"name":"plum","qty":7}',
    ].join('\n') + '\n',
  );
});

/** The built-in factories, or the same ones with push-down taken away (the plan then reads every column). */
function registry(pushDown: boolean): FactoryRegistry {
  if (pushDown) return defaultFactories;
  const r = new FactoryRegistry();
  for (const id of defaultFactories.identifiers()) {
    const f = defaultFactories.get(id) as DynamicTableFactory;
    const { supportsProjectionPushDown: _p, acceptsFilter: _f, ...rest } = f;
    r.register(rest);
  }
  return r;
}

function env(pushDown = true): TableEnvironment {
  const e = TableEnvironment.create({ factories: registry(pushDown) });
  e.executeSql(
    `CREATE TABLE items (id INT, name STRING, qty INT, ok BOOLEAN) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'items.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    `CREATE TABLE jitems (id INT, name STRING, qty INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'items.json')}', 'format' = 'json')`,
  );
  e.executeSql(
    `CREATE TABLE bad (id INT, name STRING, qty INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'bad.csv')}', 'format' = 'csv')`,
  );
  e.executeSql(
    "CREATE TABLE gen (k INT, v BIGINT, s STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '200', 'rows-per-second' = '0', 'seed' = '7', 'fields.k.min' = '0', 'fields.k.max' = '9', 'fields.v.kind' = 'sequence', 'fields.v.start' = '1', 'fields.v.end' = '1000', 'fields.s.length' = '3')",
  );
  e.executeSql(
    "CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, dateTime TIMESTAMP(3), extra STRING) WITH ('connector' = 'nexmark', 'table' = 'bid', 'events.num' = '2000', 'base-time' = '0')",
  );
  return e;
}

async function table(sql: string, pushDown = true): Promise<string[]> {
  const r = env(pushDown).executeSql(sql);
  const schema = r.schema!;
  return (await r.materialize())
    .map((row) =>
      row.map((v, i) => (v === null ? 'NULL' : formatValueText(v, schema.field(i).type))).join(', '),
    )
    .sort();
}

function physicalPlan(sql: string): string {
  const text = env().explainSql(sql);
  return text.slice(text.indexOf('== Optimized Physical Plan =='), text.indexOf('== Job Graph =='));
}

describe('EXPLAIN shows what the source was given', () => {
  it('project=[...] lists the columns read, in table order', () => {
    expect(physicalPlan('SELECT qty, id FROM items')).toContain(
      'StreamTableSourceScan(table=[[default_catalog.default_database.items, project=[id, qty]]], fields=[id, qty]',
    );
  });
  // The source reads qty for its filter without producing it, as a Flink source does after both push-downs.
  it('filter=[...] holds the accepted conjuncts; the rest stays in the Calc', () => {
    const plan = physicalPlan(
      "SELECT name FROM items WHERE qty > 2 AND name <> 'plum' AND UPPER(name) <> 'KIWI'",
    );
    expect(plan).toContain("project=[name], filter=[and(>(qty, 2), <>(name, _UTF-16LE'plum'))]]]");
    expect(plan).toMatch(/StreamCalc\(select=\[name\], where=\[<>\(UPPER\(name\), _UTF-16LE'KIWI'\)\]/);
  });
  it('a literal on the left is flipped; NULL tests are pushed', () => {
    expect(physicalPlan('SELECT id FROM items WHERE 3 < qty AND ok IS NOT NULL')).toContain(
      'filter=[and(>(qty, 3), IS NOT NULL(ok))]',
    );
  });
  it('nothing is pushed past a watermark assigner (the watermark must see every row)', () => {
    const e = env();
    e.executeSql(
      "CREATE TABLE ev (id INT, extra STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', 'number-of-rows' = '5')",
    );
    const text = e.explainSql('SELECT id FROM ev WHERE id > 1');
    expect(text).not.toContain('filter=[');
    expect(text).toContain('project=[id, ts]');
  });
  it('COUNT(*) still reads one column', () => {
    expect(physicalPlan('SELECT COUNT(*) FROM items')).toContain('project=[id]]]');
  });
  it('a factory without the abilities gets no push-down', () => {
    const text = env(false).explainSql('SELECT id FROM items WHERE qty > 1');
    expect(text).not.toContain('project=[');
    expect(text).not.toContain('filter=[');
  });
});

describe('the sources read fewer columns', () => {
  it('CSV converts only the projected fields: a malformed unread field does not fail the read', async () => {
    expect(await table('SELECT id, name FROM bad')).toEqual(['1, apple', '2, pear']);
    await expect(table('SELECT id, name FROM bad', false)).rejects.toThrow(/malformed CSV record/);
  });
  it('datagen generates only the read columns, with the same values as a full read', async () => {
    const f = defaultFactories.get('datagen') as DynamicTableFactory;
    const schema = new Schema([
      { name: 'k', type: Types.INT() },
      { name: 'v', type: Types.BIGINT() },
      { name: 's', type: Types.STRING() },
    ]);
    const options = { connector: 'datagen', 'number-of-rows': '50', 'rows-per-second': '0', seed: '3' };
    const read = async (projection?: number[]): Promise<RecordBatch[]> => {
      const reader = f.createSource!({
        physicalSchema: schema,
        options,
        tableName: 't',
        ...(projection !== undefined ? { projection } : {}),
      });
      const out: RecordBatch[] = [];
      for await (const e of reader.read(new AbortController().signal))
        if (e.kind === 'batch') out.push(e.batch);
      return out;
    };
    const full = (await read()).flatMap(batchToRows);
    const proj = await read([2, 0]);
    expect(proj[0]!.schema.names()).toEqual(['s', 'k']);
    expect(proj[0]!.columns).toHaveLength(2);
    expect(proj.flatMap(batchToRows)).toEqual(full.map((r) => [r[2], r[0]]));
  });
  it('the shared evaluator drops rows whose predicate is not TRUE (NULL is not TRUE)', () => {
    const schema = new Schema([
      { name: 'a', type: Types.INT() },
      { name: 'b', type: Types.STRING() },
    ]);
    const pd = new SourcePushDown(schema, [1], [{ kind: 'compare', column: 0, op: '>=', value: 2 }]);
    const batch = {
      schema,
      length: 4,
      kinds: new Uint8Array(4),
      columns: [
        { kind: 'i32' as const, values: new Int32Array([1, 2, 0, 5]), validity: new Uint8Array([0b1011]) },
        { kind: 'str' as const, values: ['w', 'x', 'y', 'z'], validity: null },
      ],
    };
    expect(batchToRows(pd.finish(batch))).toEqual([['x'], ['z']]);
  });
});

/** Runs `f` with the named rules taken out of every optimizer phase. */
async function withoutRules<T>(names: string[], f: () => Promise<T>): Promise<T> {
  type MutablePhase = { rules: readonly Rule[] };
  const saved = PHASES.map((p) => p.rules);
  for (const p of PHASES) (p as MutablePhase).rules = p.rules.filter((r) => !names.includes(r.name));
  try {
    return await f();
  } finally {
    PHASES.forEach((p, i) => ((p as MutablePhase).rules = saved[i] as readonly Rule[]));
  }
}

const ON_DATA: { sql: string; rows: number }[] = [
  { sql: "SELECT name, qty FROM items WHERE qty > 2 AND name <> 'plum'", rows: 2 },
  { sql: 'SELECT id FROM items WHERE qty IS NULL OR ok IS NULL', rows: 2 },
  { sql: 'SELECT id FROM items WHERE ok = true AND qty >= 3', rows: 2 },
  { sql: 'SELECT ok, COUNT(*), SUM(qty) FROM items WHERE id <> 3 GROUP BY ok', rows: 3 },
  { sql: 'SELECT name FROM jitems WHERE qty < 5', rows: 1 },
  { sql: 'SELECT k, COUNT(*), MAX(v) FROM gen WHERE v > 100 AND k <= 4 GROUP BY k', rows: 5 },
  {
    sql: 'SELECT auction, MAX(price) FROM bids WHERE price > 5000000 AND auction < 1010 GROUP BY auction',
    rows: -1,
  },
];

describe('the same final table with and without push-down', () => {
  for (const c of ON_DATA) {
    it(c.sql, async () => {
      const pushed = await table(c.sql);
      const plain = await withoutRules(['push-filter-into-source', 'push-projection-into-source'], () =>
        table(c.sql, false),
      );
      if (c.rows >= 0) expect(pushed).toHaveLength(c.rows);
      else expect(pushed.length).toBeGreaterThan(0);
      expect(pushed).toEqual(plain);
    });
  }
});
