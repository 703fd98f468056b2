// Evaluates SQL expressions through the real pipeline (parser → binder → compiled Calc → runtime) over a tiny
// in-memory table, so function tests check what a user's query would return, formatted as Flink prints it.
import {
  FactoryRegistry,
  TableEnvironment,
  Types,
  batchFromRows,
  formatType,
  formatValueText,
  type DynamicTableFactory,
  type LogicalType,
  type SourceReader,
  type StreamElement,
  type Value,
} from '../../index.js';

/** In-memory rows for the `test-values` connector, by the table's 'data-id' option. */
const DATA = new Map<string, readonly (readonly Value[])[]>();
let nextId = 0;

const valuesFactory: DynamicTableFactory = {
  identifier: 'test-values',
  options: [{ key: 'data-id', required: true, description: 'the key of registered rows' }],
  createSource(ctx): SourceReader {
    const rows = DATA.get(ctx.options['data-id'] ?? '') ?? [];
    return {
      outputSchema: ctx.physicalSchema,
      async *read(): AsyncGenerator<StreamElement> {
        yield { kind: 'batch', batch: batchFromRows(ctx.physicalSchema, rows) };
      },
      async close() {},
    };
  },
};

export interface Column {
  readonly name: string;
  /** SQL type text for the DDL, e.g. `ROW<id BIGINT, name STRING>`. */
  readonly sql: string;
  readonly type: LogicalType;
  readonly value: Value;
}

/** The columns of `one_row_table`: one value of each kind the function tests need. */
export const ONE_ROW: readonly Column[] = [
  { name: 'i', sql: 'INT', type: Types.INT(), value: 7 },
  { name: 'ni', sql: 'INT', type: Types.INT(), value: null },
  { name: 'b', sql: 'BIGINT', type: Types.BIGINT(), value: 9007199254740993n },
  { name: 'd', sql: 'DOUBLE', type: Types.DOUBLE(), value: 2.5 },
  { name: 'amount', sql: 'DECIMAL(10, 2)', type: Types.DECIMAL(10, 2), value: 1234n },
  { name: 's', sql: 'STRING', type: Types.STRING(), value: 'Hello World' },
  { name: 'ns', sql: 'STRING', type: Types.STRING(), value: null },
  { name: 'ts', sql: 'TIMESTAMP(3)', type: Types.TIMESTAMP(3), value: Date.UTC(2024, 2, 15, 13, 45, 30, 123) },
  { name: 'dt', sql: 'DATE', type: Types.DATE(), value: Date.UTC(2024, 0, 31) / 86_400_000 },
  { name: 'js', sql: 'STRING', type: Types.STRING(), value: '{"a":{"b":[10,20,{"c":"x"}]},"n":null,"t":true,"k":1.5}' },
  {
    name: 'person',
    sql: 'ROW<id BIGINT, name STRING, address ROW<city STRING, zip INT>>',
    type: Types.ROW([
      { name: 'id', type: Types.BIGINT() },
      { name: 'name', type: Types.STRING() },
      { name: 'address', type: Types.ROW([{ name: 'city', type: Types.STRING() }, { name: 'zip', type: Types.INT() }]) },
    ]),
    value: [1001n, 'Ann', ['Paris', 75001]],
  },
  { name: 'nperson', sql: 'ROW<id BIGINT, name STRING>', type: Types.ROW([{ name: 'id', type: Types.BIGINT() }, { name: 'name', type: Types.STRING() }]), value: null },
  { name: 'arr', sql: 'ARRAY<INT>', type: Types.ARRAY(Types.INT()), value: [10, 20, 30] },
  { name: 'one', sql: 'ARRAY<STRING>', type: Types.ARRAY(Types.STRING()), value: ['only'] },
  { name: 'empty', sql: 'ARRAY<INT>', type: Types.ARRAY(Types.INT()), value: [] },
  { name: 'm', sql: 'MAP<STRING, BIGINT>', type: Types.MAP(Types.STRING(), Types.BIGINT()), value: new Map<Value, Value>([['a', 1n], ['b', 2n]]) },
];

export interface Env {
  readonly env: TableEnvironment;
  /** Creates `name` over in-memory rows of the given columns. */
  table(name: string, columns: readonly Pick<Column, 'name' | 'sql'>[], rows: readonly (readonly Value[])[]): void;
}

/** A TableEnvironment with the `test-values` connector and `one_row_table` (see ONE_ROW). */
export function testEnv(): Env {
  const factories = new FactoryRegistry();
  factories.register(valuesFactory);
  const env = TableEnvironment.create({ factories });
  const table = (name: string, columns: readonly Pick<Column, 'name' | 'sql'>[], rows: readonly (readonly Value[])[]): void => {
    const id = `d${nextId++}`;
    DATA.set(id, rows);
    env.executeSql(`CREATE TABLE ${name} (${columns.map((c) => `\`${c.name}\` ${c.sql}`).join(', ')}) WITH ('connector' = 'test-values', 'data-id' = '${id}')`);
  };
  table('one_row_table', ONE_ROW, [ONE_ROW.map((c) => c.value)]);
  return { env, table };
}

export interface Evaluated {
  /** The value as Flink prints it (CAST to STRING form), `NULL` for null. */
  readonly text: string;
  readonly value: Value;
  /** The result type as DESCRIBE prints it. */
  readonly type: string;
}

/** `SELECT <expr> FROM one_row_table` (or a given table) through the real pipeline. */
export async function evalExpr(expr: string, env: Env = testEnv(), from = 'one_row_table'): Promise<Evaluated> {
  const result = env.env.executeSql(`SELECT ${expr} FROM ${from}`);
  const rows = await result.materialize();
  const field = result.schema?.field(0);
  if (field === undefined) throw new Error('no result schema');
  const value = rows[0]?.[0] ?? null;
  return { text: formatValueText(value, field.type), value, type: formatType(field.type) };
}

/** All rows of a query, each cell formatted as Flink prints it. */
export async function queryText(sql: string, env: Env): Promise<string[][]> {
  const result = env.env.executeSql(sql);
  const rows = await result.materialize();
  const fields = result.schema?.fields ?? [];
  return rows.map((r) => r.map((v, i) => formatValueText(v, (fields[i] as { type: LogicalType }).type)));
}
