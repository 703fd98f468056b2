// The command-line contract: -f/-e, --format csv|json|tableau, --changelog, exit codes and located errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, runBin, runCli } from '../support/cli.js';

const CSV = [
  '1,Alice,10.5,2024-01-01 10:00:00,true',
  '2,"Bob, Jr.",20,2024-01-01 10:00:01.5,false',
  '3,,30.25,2024-01-01 10:00:02,',
  '4,"say ""hi""",,,true',
  '',
].join('\n');

function script(dir: string, query: string): string {
  return `CREATE TABLE people (
  id INT,
  name STRING,
  score DECIMAL(10, 2),
  ts TIMESTAMP(3),
  active BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'people.csv')}', 'format' = 'csv');
${query}`;
}

describe('freshet -f with a filter query', () => {
  const dir = fixtureDir({ 'people.csv': CSV });
  const file = (q: string): string => {
    const f = join(dir, `q${Math.random().toString(36).slice(2)}.sql`);
    writeFileSync(f, script(dir, q));
    return f;
  };

  it('prints CSV: header, final rows, RFC 4180 quoting, NULL as empty, TIMESTAMP(3) with millis', async () => {
    const r = await runCli(['-f', file('SELECT id, name, score, ts, active FROM people WHERE id >= 2;'), '--format', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'id,name,score,ts,active',
        '2,"Bob, Jr.",20.00,2024-01-01 10:00:01.500,false',
        '3,,30.25,2024-01-01 10:00:02.000,',
        '4,"say ""hi""",,,true',
        '',
      ].join('\n'),
    );
  });

  it('prints JSON lines with exact numbers and nulls', async () => {
    const r = await runCli(['-f', file("SELECT id, score, name || '!' AS shout FROM people WHERE score > 15;"), '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['{"id":2,"score":20.00,"shout":"Bob, Jr.!"}', '{"id":3,"score":30.25,"shout":null}']);
  });

  it('prints a tableau table like the Flink SQL client', async () => {
    const r = await runCli(['-f', file('SELECT id, name FROM people WHERE active;'), '--format', 'tableau']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      ['+----+----------+', '| id |     name |', '+----+----------+', '|  1 |    Alice |', '|  4 | say "hi" |', '+----+----------+', '2 rows in set'].join('\n'),
    );
  });

  it('prints the changelog with an op column under --changelog', async () => {
    const r = await runCli(['-f', file('SELECT id FROM people WHERE id < 3;'), '--format', 'csv', '--changelog']);
    expect(r.stdout).toBe('op,id\n+I,1\n+I,2\n');
    const j = await runCli(['-f', file('SELECT id FROM people WHERE id = 3;'), '--format', 'json', '--changelog']);
    expect(j.stdout).toBe('{"op":"+I","id":3}\n');
  });

  it('evaluates expressions with SQL null semantics and Flink types', async () => {
    const r = await runCli([
      '-f',
      file("SELECT id * 2 + 1 AS a, score * 2 AS b, score / 3 AS c, CASE WHEN name IS NULL THEN 'none' ELSE LOWER(name) END AS d, id BETWEEN 2 AND 3 AS e, id IN (1, 4) AS f FROM people;"),
      '--format',
      'csv',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'a,b,c,d,e,f',
      // DECIMAL(10,2) / INT: Flink's division type is DECIMAL(21, 13) (scale = max(6, s1 + p2 + 1)).
      '3,21.00,3.5000000000000,alice,false,true',
      '5,40.00,6.6666666666667,"bob, jr.",true,false',
      '7,60.50,10.0833333333333,none,true,false',
      '9,,,"say ""hi""",false,true',
    ]);
  });

  it('runs -e with several statements', async () => {
    const r = await runCli(['-e', script(dir, 'SELECT COUNT_ME FROM people')]);
    expect(r.code).toBe(1);
    const ok = await runCli(['-e', script(dir, 'SELECT name FROM people WHERE id = 1;'), '--format', 'csv']);
    expect(ok.stdout).toBe('name\nAlice\n');
  });

  it('reads SQL from standard input when no script is given', async () => {
    const r = await runCli(['--format', 'csv'], script(dir, 'SELECT id FROM people WHERE id = 2;'));
    expect(r.stdout).toBe('id\n2\n');
  });
});

describe('errors and exit codes', () => {
  it('a syntax error exits non-zero with line:column, the line and a caret, and suggests SELECT', async () => {
    const r = await runCli(['-e', 'SELEC 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "<command-line>:1:1: unexpected 'SELEC', expected a statement (SELECT, CREATE TABLE, ...)\nSELEC 1\n^^^^^\nhint: did you mean SELECT?\n",
    );
  });

  it('reports errors at their place in a file, on the right line', async () => {
    const dir = fixtureDir({ 'bad.sql': "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'csv');\n\nSELECT a\nFROM t\nWHERE a >;\n" });
    const r = await runCli(['-f', join(dir, 'bad.sql')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${join(dir, 'bad.sql')}:5:10: unexpected ';', expected an expression\nWHERE a >;\n         ^\n`);
  });

  it('an unknown column names the column and suggests a near one', async () => {
    const dir = fixtureDir({ 'd.csv': '1\n' });
    const r = await runCli(['-e', `CREATE TABLE t (amount INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.csv')}', 'format' = 'csv'); SELECT amout FROM t`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^<command-line>:1:\d+: Column 'amout' not found in any table\n/);
    expect(r.stderr).toContain("hint: did you mean 'amount'?");
    expect(r.stderr).toMatch(/\n {100,}\^{5}\n/);
  });

  it('an unknown connector option names the option', async () => {
    const r = await runCli(['-e', "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'x', 'format' = 'csv', 'colour' = 'red')"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unsupported option 'colour' for connector 'filesystem'");
  });

  it('a malformed CSV record fails the query with file:line and the field', async () => {
    const dir = fixtureDir({ 'd.csv': '1\nx\n' });
    const r = await runCli(['-e', `CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.csv')}', 'format' = 'csv'); SELECT a FROM t`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`malformed CSV record at ${join(dir, 'd.csv')}:2: field 'a': cannot parse 'x' as INT`);
  });

  it('skips and counts malformed records with csv.ignore-parse-errors', async () => {
    const dir = fixtureDir({ 'd.csv': '1\nx\n3\n' });
    const r = await runCli(['--format', 'csv', '-e', `CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.csv')}', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true'); SELECT a FROM t`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\n1\n3\n');
  });

  it('a usage error exits 2', async () => {
    expect((await runCli(['--format', 'xml'])).code).toBe(2);
    expect((await runCli(['--bogus'])).code).toBe(2);
  });

  it('the real bin runs a script, prints help and version, and exits non-zero on errors', () => {
    const dir = fixtureDir({ 'd.csv': '7\n8\n' });
    const ok = runBin(['--format', 'csv', '-e', `CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.csv')}', 'format' = 'csv'); SELECT a + 1 AS b FROM t WHERE a > 7`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('b\n9\n');
    expect(runBin(['--help']).stdout).toContain('Usage: freshet');
    expect(runBin(['--version']).stdout).toMatch(/^freshet \d+\.\d+\.\d+/);
    const bad = runBin(['-e', 'SELECT FROM']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('<command-line>:1:8:');
  });
});

