// Statements beyond CREATE TABLE and SELECT: views, VALUES, subqueries, INSERT INTO sinks and statement sets,
// CTAS, SET/RESET, SHOW, DESCRIBE, SHOW CREATE, EXPLAIN, USE, DROP, ALTER. Results are checked as tables.
import { describe, expect, it } from 'vitest';
import { TableEnvironment, SqlError, type Value } from '../../index.js';
import { blackholeCounts, printTarget } from '../../connectors/index.js';

const GEN = `CREATE TABLE nums (id BIGINT, v INT) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5', 'fields.v.min' = '0', 'fields.v.max' = '0')`;

async function rows(env: TableEnvironment, sql: string): Promise<Value[][]> {
  return env.executeSql(sql).materialize();
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SqlError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('queries', () => {
  it('VALUES with a common type per column, and SELECT without FROM', async () => {
    const env = TableEnvironment.create();
    expect(await rows(env, "VALUES (1, 'a'), (2, 'bc'), (3, NULL)")).toEqual([
      [1, 'a'],
      [2, 'bc'],
      [3, null],
    ]);
    expect(await rows(env, "SELECT 1 + 2 AS three, 'x' || 'y' AS xy")).toEqual([[3, 'xy']]);
    expect(env.resolveSchema('SELECT 1 + 2 AS three').toString()).toBe('(`three` INT NOT NULL)');
  });

  it('subqueries in FROM with aliases and column aliases', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    expect(await rows(env, 'SELECT s.x * 10 AS y FROM (SELECT id AS x FROM nums WHERE id > 3) AS s')).toEqual([[40n], [50n]]);
    expect(await rows(env, 'SELECT b FROM nums AS t(a, b) WHERE a = 2')).toEqual([[0]]);
    expect(errorOf(() => env.executeSql('SELECT * FROM nums AS t(a)'))).toBe('1 column aliases given for 2 columns');
  });

  it('views are validated when created and planned where they are used', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql('CREATE VIEW big (k) AS SELECT id FROM nums WHERE id >= 4');
    expect(await rows(env, 'SELECT k + 1 AS k1 FROM big')).toEqual([[5n], [6n]]);
    env.executeSql('CREATE VIEW bigger AS SELECT k FROM big WHERE k > 4');
    expect(await rows(env, 'SELECT * FROM bigger')).toEqual([[5n]]);
    expect(errorOf(() => env.executeSql('CREATE VIEW bad AS SELECT nope FROM nums'))).toBe("Column 'nope' not found in any table");
    expect(errorOf(() => env.executeSql('CREATE VIEW big AS SELECT id FROM nums'))).toBe("Table or view 'default_catalog.default_database.big' already exists");
    env.executeSql('CREATE VIEW IF NOT EXISTS big AS SELECT id FROM nums');
  });
});

describe('INSERT INTO', () => {
  it('writes a query into a print sink, changes prefixed by the row kind', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql("CREATE TABLE out (id BIGINT, label STRING) WITH ('connector' = 'print', 'print-identifier' = 'sink')");
    const lines: string[] = [];
    const saved = printTarget.stdout;
    printTarget.stdout = (s) => void lines.push(s);
    try {
      const r = env.executeSql("INSERT INTO out SELECT id, CASE WHEN id > 3 THEN 'big' ELSE 'small' END FROM nums WHERE id <> 2");
      expect(r.jobId).toMatch(/^[0-9a-f]{32}$/);
      await r.await();
    } finally {
      printTarget.stdout = saved;
    }
    expect(lines.join('')).toBe('sink> +I[1, small]\nsink> +I[3, small]\nsink> +I[4, big]\nsink> +I[5, big]\n');
  });

  it('converts types implicitly by position and fills unlisted columns with NULL', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql("CREATE TABLE out (a DOUBLE, b STRING, c INT) WITH ('connector' = 'blackhole')");
    await env.executeSql('INSERT INTO out (c, a) SELECT v, id FROM nums').await();
    expect(blackholeCounts.get('default_catalog.default_database.out')?.rows).toBe(5);
    expect(env.explainSql('SELECT a FROM out')).toContain('LogicalTableScan(table=[default_catalog.default_database.out]');
  });

  it('reports a column type mismatch as Flink does', () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql("CREATE TABLE out (a INT, b BOOLEAN) WITH ('connector' = 'blackhole')");
    expect(errorOf(() => env.executeSql('INSERT INTO out SELECT v, id FROM nums'))).toBe(
      [
        "Column types of query result and sink for 'default_catalog.default_database.out' do not match.",
        "Cause: Incompatible types for sink column 'b' at position 1.",
        '',
        'Query schema: [v: INT, id: BIGINT]',
        'Sink schema:  [a: INT, b: BOOLEAN]',
      ].join('\n'),
    );
    expect(errorOf(() => env.executeSql('INSERT INTO out SELECT v FROM nums'))).toContain('Cause: different number of columns.');
    expect(errorOf(() => env.executeSql('INSERT INTO nums SELECT id, v FROM nums'))).toBe("connector 'datagen' of table 'nums' cannot be written to (it has no sink)");
  });

  it('runs a statement set as one job, and CREATE TABLE AS SELECT', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql("CREATE TABLE s1 (id BIGINT) WITH ('connector' = 'blackhole')");
    env.executeSql("CREATE TABLE s2 (id BIGINT) WITH ('connector' = 'blackhole')");
    await env.executeSql('EXECUTE STATEMENT SET BEGIN INSERT INTO s1 SELECT id FROM nums; INSERT INTO s2 SELECT id FROM nums WHERE id > 4; END').await();
    expect(blackholeCounts.get('default_catalog.default_database.s1')?.rows).toBe(5);
    expect(blackholeCounts.get('default_catalog.default_database.s2')?.rows).toBe(1);
    await env.executeSql("CREATE TABLE s3 WITH ('connector' = 'blackhole') AS SELECT id, v * 2 AS w FROM nums").await();
    expect(blackholeCounts.get('default_catalog.default_database.s3')?.rows).toBe(5);
    expect(await rows(env, 'DESCRIBE s3')).toEqual([
      ['id', 'BIGINT', true, null, null, null],
      ['w', 'INT', true, null, null, null],
    ]);
  });
});

describe('catalog and session statements', () => {
  it('SHOW TABLES / VIEWS / DATABASES / CATALOGS / CURRENT ..., with LIKE', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    env.executeSql('CREATE VIEW v1 AS SELECT id FROM nums');
    expect(await rows(env, 'SHOW TABLES')).toEqual([['nums'], ['v1']]);
    expect(await rows(env, 'SHOW VIEWS')).toEqual([['v1']]);
    expect(await rows(env, "SHOW TABLES LIKE 'n%'")).toEqual([['nums']]);
    expect(await rows(env, 'SHOW CATALOGS')).toEqual([['default_catalog']]);
    expect(await rows(env, 'SHOW CURRENT DATABASE')).toEqual([['default_database']]);
    const fns = (await rows(env, 'SHOW FUNCTIONS')).map((r) => r[0]);
    expect(fns).toContain('UPPER');
  });

  it('DESCRIBE shows types, nullability, keys, computed columns and the watermark', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE t (id INT NOT NULL, ts TIMESTAMP(3), id2 AS id * 2, PRIMARY KEY (id) NOT ENFORCED,
      WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'blackhole')`);
    expect(await rows(env, 'DESCRIBE t')).toEqual([
      // As Flink's DESCRIBE: nullability is its own column, the type column omits NOT NULL.
      ['id', 'INT', false, 'PRI(id)', null, null],
      ['ts', 'TIMESTAMP(3) *ROWTIME*', true, null, null, "ts - INTERVAL '5' SECOND"],
      ['id2', 'INT', false, null, 'AS id * 2', null],
    ]);
    const [[ddl]] = (await rows(env, 'SHOW CREATE TABLE t')) as [[string]];
    expect(ddl).toBe(
      [
        'CREATE TABLE `default_catalog`.`default_database`.`t` (',
        '  `id` INT NOT NULL,',
        '  `ts` TIMESTAMP(3),',
        '  `id2` AS id * 2,',
        "  WATERMARK FOR `ts` AS ts - INTERVAL '5' SECOND,",
        '  CONSTRAINT `PK_id` PRIMARY KEY (`id`) NOT ENFORCED',
        ') WITH (',
        "  'connector' = 'blackhole'",
        ')',
        '',
      ].join('\n'),
    );
  });

  it('SET, SET listing, RESET', async () => {
    const env = TableEnvironment.create();
    env.executeSql("SET 'table.exec.state.ttl' = '1 h'");
    expect(env.getConfig().get('table.exec.state.ttl')).toBe('1 h');
    const all = await rows(env, 'SET');
    expect(all).toContainEqual(['table.exec.state.ttl', '1 h']);
    expect(all).toContainEqual(['execution.runtime-mode', 'streaming']);
    env.executeSql("SET 'execution.runtime-mode' = 'batch'");
    env.executeSql("RESET 'execution.runtime-mode'");
    expect(env.getConfig().get('execution.runtime-mode')).toBe('streaming');
    env.executeSql('RESET');
    expect(env.getConfig().get('table.exec.state.ttl')).toBeUndefined();
  });

  it('CREATE DATABASE, USE, DROP TABLE/VIEW/DATABASE, ALTER TABLE', async () => {
    const env = TableEnvironment.create();
    env.executeSql('CREATE DATABASE db2');
    env.executeSql('USE db2');
    env.executeSql(GEN);
    expect(await rows(env, 'SHOW TABLES')).toEqual([['nums']]);
    env.executeSql('USE default_database');
    expect(await rows(env, 'SHOW TABLES')).toEqual([]);
    expect(await rows(env, 'SELECT id FROM db2.nums WHERE id = 1')).toEqual([[1n]]);
    expect(errorOf(() => env.executeSql('DROP DATABASE db2'))).toBe("database 'default_catalog.db2' is not empty (use CASCADE)");
    env.executeSql("ALTER TABLE db2.nums SET ('rows-per-second' = '5')");
    expect(errorOf(() => env.executeSql("ALTER TABLE db2.nums SET ('rows-per-sec' = '5')"))).toMatch(/^unsupported option 'rows-per-sec'/);
    env.executeSql('ALTER TABLE db2.nums RENAME TO db2.numbers');
    env.executeSql('DROP TABLE db2.numbers');
    env.executeSql('DROP TABLE IF EXISTS db2.numbers');
    expect(errorOf(() => env.executeSql('DROP VIEW db2.numbers'))).toBe("View with identifier 'default_catalog.db2.numbers' does not exist");
    env.executeSql('DROP DATABASE db2');
    expect(await rows(env, 'SHOW DATABASES')).toEqual([['default_database']]);
  });

  it('EXPLAIN prints the logical, optimized and physical plans with changelog modes', async () => {
    const env = TableEnvironment.create();
    env.executeSql(GEN);
    const [[plan]] = (await rows(env, 'EXPLAIN SELECT id FROM nums WHERE v > 1')) as [[string]];
    expect(plan).toBe(
      [
        '== Abstract Syntax Tree ==',
        'LogicalProject(id=[id])',
        '   +- LogicalFilter(condition=[>(v, 1)])',
        '      +- LogicalTableScan(table=[default_catalog.default_database.nums], fields=[id, v])',
        '',
        // datagen evaluates the filter and produces only id (projection and filter push-down).
        '== Optimized Logical Plan ==',
        'LogicalProject(id=[id])',
        '   +- LogicalTableScan(table=[default_catalog.default_database.nums, project=[id], filter=[>(v, 1)]], fields=[id])',
        '',
        '== Optimized Physical Plan ==',
        'StreamSink(collect, fields=[id], changelogMode=[I])',
        '   +- StreamTableSourceScan(table=[[default_catalog.default_database.nums, project=[id], filter=[>(v, 1)]]], fields=[id], changelogMode=[I])',
        '',
        '== Job Graph ==',
        '1: StreamTableSourceScan -> collect [parallelism=1]',
        '',
      ].join('\n'),
    );
  });
});
