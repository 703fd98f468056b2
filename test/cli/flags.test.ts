// Every flag of `freshet` in script mode, in its long and short form, and every exit code (0 ok, 1 SQL or job
// error, 2 usage error, 130 interrupted: the last in script-flags.test.ts): what `freshet --help` promises.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureDir, runBin, runCli } from '../support/cli.js';

const dir = fixtureDir({ 'n.csv': '1\n2\n3\n' });
const TABLE = `CREATE TABLE n (x INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'n.csv')}', 'format' = 'csv');`;
const ENDLESS =
  "CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '50', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000');";

function file(name: string, sql: string): string {
  const f = join(dir, name);
  writeFileSync(f, sql);
  return f;
}

describe('short and long forms', () => {
  it('-f and --file, -e and --execute run the same scripts, repeated ones in order', async () => {
    const a = file('a.sql', TABLE);
    const b = file('b.sql', 'SELECT SUM(x) AS s FROM n;');
    const long = await runCli(['--format', 'csv', '--file', a, '--file', b]);
    const short = await runCli(['--format', 'csv', '-f', a, '-f', b]);
    expect(long).toEqual({ code: 0, stdout: 's\n6\n', stderr: '' });
    expect(short).toEqual(long);
    const e = await runCli(['--format', 'csv', '-e', TABLE, '--execute', 'SELECT MAX(x) AS m FROM n']);
    expect(e).toEqual({ code: 0, stdout: 'm\n3\n', stderr: '' });
  });

  it('-i and --init, -h and --help, -v and --version', async () => {
    const init = file('init.sql', TABLE);
    const viaShort = await runCli(['-i', init, '--format', 'json', '-e', 'SELECT COUNT(*) AS c FROM n']);
    const viaLong = await runCli(['--init', init, '--format', 'json', '-e', 'SELECT COUNT(*) AS c FROM n']);
    expect(viaShort).toEqual({ code: 0, stdout: '{"c":3}\n', stderr: '' });
    expect(viaLong).toEqual(viaShort);
    const help = await runCli(['-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: freshet [options]');
    expect(await runCli(['--help'])).toEqual(help);
    expect(await runCli(['-v'])).toEqual({ code: 0, stdout: 'freshet test\n', stderr: '' });
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: 'freshet test\n', stderr: '' });
  });

  it('--help names every flag, and each one it names is accepted', async () => {
    const help = (await runCli(['--help'])).stdout;
    const flags = [...help.matchAll(/^\s+(?:(-\w), )?(--[\w-]+)/gm)]
      .flatMap((m) => [m[1], m[2]])
      .filter((f): f is string => f !== undefined);
    expect(flags).toEqual([
      '-f',
      '--file',
      '-e',
      '--execute',
      '--format',
      '--changelog',
      '--max-rows',
      '--timeout',
      '--rest-port',
      '--cluster',
      '--token',
      '-i',
      '--init',
      '--syntax',
      '--check',
      '-h',
      '--help',
      '-v',
      '--version',
    ]);
    for (const f of flags) {
      const r = await runCli([f]);
      // A flag that takes a value says so (exit 2); the others run (nothing to run: exit 0) or print.
      expect(r.stderr.includes('unknown option'), f).toBe(false);
    }
  });
});

describe('the real command', () => {
  it('answers -h/--help and -v/--version (the entry prints them before it loads the engine)', async () => {
    const help = (await runCli(['--help'])).stdout;
    for (const args of [['-h'], ['--help'], ['-v', '--help']])
      expect(runBin(args), args.join(' ')).toEqual({ code: 0, stdout: help, stderr: '' });
    for (const args of [['-v'], ['--version']])
      expect(runBin(args).stdout, args.join(' ')).toMatch(/^freshet \d+\.\d+\.\d+\n$/);
  });
});

describe('--rest-port', () => {
  it('serves the REST API while the scripts run, prints its URL on stderr, and closes it after', async () => {
    let url = '';
    let jobs: unknown = null;
    const stderr = { write: (s: string): boolean => ((url = /Dashboard: (\S+)/.exec(s)?.[1] ?? url), true) };
    const { main } = await import('../../repl/cli.js');
    const { Readable } = await import('node:stream');
    const running = main(
      ['--rest-port', '0', '--timeout', '2', '--format', 'csv', '-e', `${ENDLESS} SELECT id FROM ticks`],
      {
        stdout: { write: () => true },
        stderr,
        stdin: Readable.from(['']),
        version: 'test',
      },
    );
    for (let i = 0; i < 100 && url === ''; i++) await new Promise((r) => setTimeout(r, 20));
    expect(url).toMatch(/^http:\/\/[\w.]+:\d+\/$/);
    // While the query runs, the job is there, RUNNING.
    for (let i = 0; i < 50; i++) {
      jobs = await (await fetch(`${url}v1/jobs`)).json();
      if (JSON.stringify(jobs).includes('RUNNING')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(JSON.stringify(jobs)).toContain('RUNNING');
    expect(await running).toBe(0);
    await expect(fetch(`${url}v1/jobs`)).rejects.toThrow();
  });

  it('takes a port number only', async () => {
    for (const v of ['x', '70000', '-1']) {
      const r = await runCli(['--rest-port', v, '-e', 'SELECT 1']);
      expect(r.code, v).toBe(2);
      expect(r.stderr, v).toContain('--rest-port needs a port number');
    }
  });
});

describe('exit codes', () => {
  it('0 when every statement succeeds, also for an empty script', async () => {
    expect((await runCli(['-e', TABLE])).code).toBe(0);
    expect((await runCli(['-e', ''])).code).toBe(0);
    expect((await runCli(['-e', '-- only a comment'])).code).toBe(0);
  });

  it('1 for a syntax error, a validation error and a failing job, naming the place', async () => {
    const syntax = await runCli(['-e', 'SELEC 1']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain('<command-line>:1:1:');
    const validation = await runCli(['-e', `${TABLE} SELECT y FROM n`]);
    expect(validation.code).toBe(1);
    expect(validation.stderr).toMatch(/y/);
    const missing = await runCli([
      '-e',
      "CREATE TABLE gone (x INT) WITH ('connector' = 'filesystem', 'path' = '/nonexistent/freshet/x.csv', 'format' = 'csv'); SELECT x FROM gone",
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toBe('');
    // Later statements do not run after an error.
    const stops = await runCli(['--format', 'csv', '-e', `SELEC 1; ${TABLE} SELECT x FROM n`]);
    expect(stops.stdout).toBe('');
  });

  it('2 for usage errors: an unknown flag, a missing value, a missing file, a bad format', async () => {
    for (const args of [
      ['--bogus'],
      ['-f'],
      ['--format'],
      ['-f', join(dir, 'no-such.sql')],
      ['--format', 'xml'],
      ['--max-rows', 'many'],
    ]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^freshet: /);
    }
  });
});
