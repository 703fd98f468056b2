// `freshet --check`: syntax, then every statement validated against the catalog the script's own DDL builds,
// without running a query or starting a job.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, runCli } from '../support/cli.js';

describe('freshet --check', () => {
  it('exits 0 for a valid script and runs nothing (no output, no sink written)', async () => {
    const dir = fixtureDir({});
    const out = join(dir, 'out');
    const r = await runCli([
      '--check',
      '-e',
      `CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '5');
       CREATE TABLE s (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '${out}', 'format' = 'csv');
       CREATE VIEW v AS SELECT id * 2 AS x FROM g;
       INSERT INTO s SELECT x FROM v;
       SELECT x FROM v WHERE x > 2;`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const { existsSync } = await import('node:fs');
    expect(existsSync(out)).toBe(false);
  });

  it('reports every validation error with its place, and keeps going', async () => {
    const r = await runCli([
      '--check',
      '-e',
      "CREATE TABLE g (id BIGINT) WITH ('connector' = 'datagen');\nSELECT idd FROM g;\nSELECT id FROM nope;\nSELECT id + 'x' FROM g;",
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('<command-line>:'));
    expect(lines).toEqual([
      "<command-line>:2:8: Column 'idd' not found in any table",
      "<command-line>:3:16: Object 'nope' not found within 'default_catalog.default_database'",
      expect.stringMatching(/^<command-line>:4:8: /),
    ]);
  });

  it('reports syntax errors first and validates nothing then', async () => {
    const r = await runCli(['--check', '-e', 'SELEC 1; SELECT FROM']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<command-line>:1:1:');
    expect(r.stderr).toContain('<command-line>:1:17:');
  });
});
