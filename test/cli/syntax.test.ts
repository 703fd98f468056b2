// `freshet --syntax`: checks scripts without running them, reporting every syntax error with its place.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, runCli } from '../support/cli.js';

describe('freshet --syntax', () => {
  it('exits 0 and prints nothing for a clean script, running nothing', async () => {
    const dir = fixtureDir({ 'ok.sql': "CREATE TABLE t (a INT) WITH ('connector' = 'no-such-connector');\nSELECT a FROM missing_table;\n" });
    const r = await runCli(['--syntax', '-f', join(dir, 'ok.sql')]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('reports every mistake as file:line:column with a caret, and exits 1', async () => {
    const dir = fixtureDir({ 'bad.sql': 'SELECT 1;\nSELEC 2;\nSELECT a, FROM t;\n' });
    const file = join(dir, 'bad.sql');
    const r = await runCli(['--syntax', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `${file}:2:1: unexpected 'SELEC', expected a statement (SELECT, CREATE TABLE, ...)\nSELEC 2;\n^^^^^\nhint: did you mean SELECT?\n` +
        `${file}:3:11: unexpected 'FROM', expected an expression or '*'\nSELECT a, FROM t;\n          ^^^^\nhint: is the ',' before FROM one too many?\n`,
    );
  });

  it('checks -e scripts too', async () => {
    const r = await runCli(['--syntax', '-e', 'SELEC 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<command-line>:1:1:');
  });
});
