// CREATE / DROP FUNCTION, SHOW [USER] FUNCTIONS and DESCRIBE FUNCTION (Flink's statements, docs
// dev/table/sql/create.md#create-function, drop.md, show.md, describe.md), with Freshet's identifier
// `'module#Export'` naming an ES module export instead of a JVM class (planner/catalog/function-loader.ts). The
// module under test imports the public classes from a bundle written here, a second copy of them as an installed
// 'freshet' package would be: the loader recognises the classes across copies.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlError, TableEnvironment, type Value } from '../../index.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir = '';
let mjs = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'freshet-udf-'));
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export { ScalarFunction, TableFunction, AggregateFunction } from ${JSON.stringify(join(ROOT, 'planner/api/functions.ts'))};`,
      `export { Types } from ${JSON.stringify(join(ROOT, 'executor/types/logical-type.ts'))};`,
    ].join('\n'),
  );
  buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: join(dir, 'freshet.mjs'),
    logLevel: 'silent',
  });
  mjs = join(dir, 'udfs.mjs');
  copyFileSync(join(import.meta.dirname, 'fixtures', 'udfs.mjs'), mjs);
  writeFileSync(
    join(dir, 'typed.mts'),
    [
      "import { ScalarFunction, Types } from './freshet.mjs';",
      'export class Twice extends ScalarFunction {',
      '  resultType = Types.INT();',
      '  eval(x: number | null): number | null {',
      '    return x === null ? null : x * 2;',
      '  }',
      '}',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(env: TableEnvironment, sql: string): Promise<Value[][]> {
  return (await env.executeSql(sql).materialize()).map((r) => [...r]);
}

function error(env: TableEnvironment, sql: string): string {
  try {
    env.executeSql(sql);
  } catch (e) {
    return e instanceof SqlError ? (e.format().split('\n')[0] as string) : String(e);
  }
  return 'no error';
}

describe('CREATE FUNCTION loads a function class from an ES module', () => {
  it("a scalar function from a file URL and export: 'file:///…/udfs.mjs#MyUpper'", async () => {
    const env = TableEnvironment.create();
    env.executeSql(
      `CREATE TEMPORARY SYSTEM FUNCTION my_upper AS '${pathToFileURL(mjs).href}#MyUpper' LANGUAGE JAVASCRIPT`,
    );
    expect(
      await rows(env, "SELECT my_upper(s) FROM (VALUES ('ab'), ('c'), (CAST(NULL AS STRING))) AS t(s)"),
    ).toEqual([['AB!'], ['C!'], [null]]);
  });

  it('a table function used with LATERAL TABLE, from a path relative to the working directory', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE FUNCTION split_words AS './${relative(process.cwd(), mjs)}#SplitWords'`);
    expect(
      await rows(env, "SELECT s, word, len FROM (VALUES ('a bb')) AS t(s), LATERAL TABLE(split_words(s))"),
    ).toEqual([
      ['a bb', 'a', 1],
      ['a bb', 'bb', 2],
    ]);
  });

  it('an aggregate function, and the default export when the identifier has no #', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE FUNCTION longest AS '${mjs}#LongestLength'`);
    env.executeSql(`CREATE FUNCTION upper_default AS '${mjs}'`);
    expect(
      await rows(env, "SELECT longest(s), upper_default('x') FROM (VALUES ('ab'), ('abcd'), ('a')) AS t(s)"),
    ).toEqual([[4, 'X!']]);
  });

  it('a TypeScript module with LANGUAGE TYPESCRIPT (Node strips its types)', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE FUNCTION twice AS '${join(dir, 'typed.mts')}#Twice' LANGUAGE TYPESCRIPT`);
    expect(await rows(env, 'SELECT twice(21)')).toEqual([[42]]);
    expect(error(env, `CREATE FUNCTION twice2 AS '${join(dir, 'typed.mts')}#Twice'`)).toContain(
      'is a TypeScript module: declare LANGUAGE TYPESCRIPT',
    );
  });
});

describe('CREATE FUNCTION errors name the module and what is wrong', () => {
  const env = TableEnvironment.create();
  it.each([
    [
      'module not found',
      `CREATE FUNCTION f AS '/nonexistent/udfs.mjs#F'`,
      "Cannot create function 'f' from '/nonexistent/udfs.mjs#F': module '/nonexistent/udfs.mjs' not found (/nonexistent/udfs.mjs)",
    ],
    [
      'package not found',
      `CREATE FUNCTION f AS 'no-such-freshet-udf-package#F'`,
      "Cannot create function 'f' from 'no-such-freshet-udf-package#F': module 'no-such-freshet-udf-package' not found",
    ],
  ])('%s', (_n, sql, message) => {
    expect(error(env, sql)).toBe(`<sql>:1:1: ${message}`);
  });

  it('an export that does not exist lists the exports there are', () => {
    expect(error(env, `CREATE FUNCTION f AS '${mjs}#Missing'`)).toBe(
      `<sql>:1:1: Cannot create function 'f' from '${mjs}#Missing': module '${mjs}' has no export 'Missing' (it exports 'LongestLength', 'MyUpper', 'NotAFunction', 'SplitWords', 'default', 'notAClass')`,
    );
  });

  it('an export that is not a function class (a plain class, a value)', () => {
    for (const name of ['NotAFunction', 'notAClass'])
      expect(error(env, `CREATE FUNCTION f AS '${mjs}#${name}'`)).toBe(
        `<sql>:1:1: Cannot create function 'f' from '${mjs}#${name}': export '${name}' of '${mjs}' is not a ScalarFunction, TableFunction or AggregateFunction class`,
      );
  });

  it('LANGUAGE JAVA / PYTHON are refused by name', () => {
    expect(error(env, "CREATE FUNCTION f AS 'com.example.F' LANGUAGE JAVA")).toBe(
      "<sql>:1:1: CREATE FUNCTION ... LANGUAGE JAVA (Freshet loads ES modules: LANGUAGE JAVASCRIPT or TYPESCRIPT with AS 'module#Export') is not supported",
    );
    expect(error(env, "CREATE FUNCTION f AS 'f.F' LANGUAGE PYTHON")).toContain('LANGUAGE PYTHON');
  });

  it('an existing name fails unless IF NOT EXISTS', () => {
    const e = TableEnvironment.create();
    e.executeSql(`CREATE FUNCTION up AS '${mjs}#MyUpper'`);
    expect(error(e, `CREATE FUNCTION up AS '${mjs}#MyUpper'`)).toBe(
      "<sql>:1:17: Function 'default_catalog.default_database.up' already exists",
    );
    expect(error(e, `CREATE FUNCTION IF NOT EXISTS up AS '${mjs}#MyUpper'`)).toBe('no error');
  });
});

describe('SHOW [USER] FUNCTIONS, DESCRIBE FUNCTION, DROP FUNCTION', () => {
  it('lists, describes and drops', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE FUNCTION up AS '${mjs}#MyUpper'`);
    env.executeSql(`CREATE TEMPORARY FUNCTION words AS '${mjs}#SplitWords'`);
    expect(await rows(env, 'SHOW USER FUNCTIONS')).toEqual([['up'], ['words']]);
    const all = (await rows(env, 'SHOW FUNCTIONS')).map((r) => r[0]);
    expect(all).toContain('UPPER');
    expect(all).toContain('UP');
    expect(await rows(env, 'DESCRIBE FUNCTION up')).toEqual([
      ['system function', 'false'],
      ['temporary', 'false'],
      ['class name', `${mjs}#MyUpper`],
      ['function language', 'JAVASCRIPT'],
      ['resource uris', '[]'],
    ]);
    expect(
      (await rows(env, 'DESCRIBE FUNCTION EXTENDED words'))
        .slice(1, 2)
        .concat((await rows(env, 'DESCRIBE FUNCTION EXTENDED words')).slice(5, 6)),
    ).toEqual([
      ['temporary', 'true'],
      ['kind', 'TABLE'],
    ]);
    expect(error(env, 'DROP TEMPORARY FUNCTION up')).toBe(
      "<sql>:1:25: Function 'up' is a catalog function: use DROP FUNCTION",
    );
    expect(error(env, 'DROP FUNCTION words')).toBe(
      "<sql>:1:15: Function 'words' is temporary: use DROP TEMPORARY FUNCTION",
    );
    env.executeSql('DROP FUNCTION up');
    env.executeSql('DROP TEMPORARY FUNCTION words');
    expect(await rows(env, 'SHOW USER FUNCTIONS')).toEqual([]);
    expect(error(env, 'DROP FUNCTION up')).toBe(
      "<sql>:1:15: Function 'default_catalog.default_database.up' does not exist",
    );
    expect(error(env, 'DROP FUNCTION IF EXISTS up')).toBe('no error');
    expect(error(env, "SELECT up('x')")).toContain('No match found for function signature UP(');
  });
});
