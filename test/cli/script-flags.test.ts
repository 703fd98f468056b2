// Script-mode flags added with the shell: --max-rows, --timeout, --init, SIGINT (exit 130), usage errors, and
// that script mode never loads ink. Endless queries use the datagen connector.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../repl/cli.js';
import { fixtureDir, runBin, runCli, type CliRun } from '../support/cli.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = fixtureDir({ 'd.csv': '1\n2\n3\n4\n', 'init.sql': '', 'bad-init.sql': 'CREATE TABLE oops (a INT) WITH (;\n' });
const T = `CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'd.csv')}', 'format' = 'csv');`;
const TICKS = "CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '200', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000');";

describe('--max-rows', () => {
  it('stops each query after n rows and prints them', async () => {
    const r = await runCli(['--format', 'csv', '--max-rows', '2', '-e', `${T} SELECT a FROM t; SELECT a * 10 AS b FROM t;`]);
    expect(r).toEqual({ code: 0, stdout: 'a\n1\n2\nb\n10\n20\n', stderr: '' });
  });

  it('counts changes under --changelog, allows 0, and ends an endless query', async () => {
    expect((await runCli(['--format', 'json', '--changelog', '--max-rows', '1', '-e', `${T} SELECT a FROM t;`])).stdout).toBe('{"op":"+I","a":1}\n');
    expect((await runCli(['--format', 'csv', '--max-rows', '0', '-e', `${T} SELECT a FROM t;`])).stdout).toBe('a\n');
    const r = await runCli(['--format', 'csv', '--max-rows', '3', '-e', `${TICKS} SELECT id FROM ticks;`]);
    expect(r).toEqual({ code: 0, stdout: 'id\n1\n2\n3\n', stderr: '' });
  });

  it('prints a tableau with the rows it kept', async () => {
    const r = await runCli(['--max-rows', '1', '-e', `${T} SELECT a FROM t;`]);
    expect(r.stdout).toBe('[INFO] Execute statement succeeded.\n+---+\n| a |\n+---+\n| 1 |\n+---+\n1 row in set\n');
  });
});

describe('--timeout', () => {
  it('stops an endless query, prints what it produced and exits 0', async () => {
    const started = Date.now();
    const r = await runCli(['--format', 'csv', '--timeout', '0.5', '-e', `${TICKS} SELECT id FROM ticks;`]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('id');
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.slice(1, 4)).toEqual(['1', '2', '3']);
  });

  it('does not change a query that ends in time', async () => {
    expect((await runCli(['--format', 'csv', '--timeout', '30', '-e', `${T} SELECT a FROM t;`])).stdout).toBe('a\n1\n2\n3\n4\n');
  });
});

describe('--init', () => {
  it('runs before the script, without printing its own results', async () => {
    const init = fixtureDir({ 'init.sql': T });
    const r = await runCli(['--init', join(init, 'init.sql'), '-e', 'SELECT a FROM t WHERE a > 3;']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('[INFO]');
    expect(r.stdout).toContain('| 4 |');
  });

  it('runs before SQL on standard input, and -i is its short form', async () => {
    const init = fixtureDir({ 'init.sql': T });
    const r = await runCli(['-i', join(init, 'init.sql'), '--format', 'csv'], 'SELECT a FROM t WHERE a = 2;');
    expect(r).toEqual({ code: 0, stdout: 'a\n2\n', stderr: '' });
  });

  it('an error in the init script exits 1 naming the file; a missing file is a usage error', async () => {
    const bad = await runCli(['--init', join(dir, 'bad-init.sql'), '-e', 'SELECT 1;']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${join(dir, 'bad-init.sql')}:1:33: `));
    const missing = await runCli(['--init', join(dir, 'nope.sql'), '-e', 'SELECT 1;']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`cannot read '${join(dir, 'nope.sql')}': ENOENT`);
  });
});

describe('usage errors and help', () => {
  it('rejects bad values with exit 2', async () => {
    for (const args of [['--max-rows', 'x'], ['--max-rows', '-1'], ['--timeout', '0'], ['--timeout', 'soon'], ['--init']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^freshet: /);
    }
  });

  it('documents every flag in --help', async () => {
    const r = await runCli(['--help']);
    for (const flag of ['--file', '--execute', '--format', '--changelog', '--max-rows', '--timeout', '--init', '--help', '--version']) expect(r.stdout).toContain(flag);
  });
});

describe('interrupts', () => {
  it('cancels the running query on interrupt, prints what arrived and exits 130', async () => {
    let stdout = '';
    let stderr = '';
    const interrupt = new AbortController();
    const done = main(['--format', 'csv', '--changelog', '-e', `${TICKS} SELECT id FROM ticks; SELECT 'never' AS x FROM ticks;`], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Readable.from(['']),
      version: 'test',
      interrupt: interrupt.signal,
    });
    while (stdout.split('\n').length < 5) await new Promise((r) => setTimeout(r, 10));
    interrupt.abort();
    expect(await done).toBe(130);
    expect(stdout.startsWith('op,id\n+I,1\n+I,2\n+I,3\n')).toBe(true);
    expect(stdout).not.toContain('never');
    expect(stderr).toMatch(/^freshet: interrupted; the query was cancelled after \d+ rows\n$/);
  });

  it('prints the folded table received so far when interrupted', async () => {
    let stdout = '';
    const interrupt = new AbortController();
    const done = main(['--format', 'csv', '-e', `${TICKS} SELECT id FROM ticks;`], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      stdin: Readable.from(['']),
      version: 'test',
      interrupt: interrupt.signal,
    });
    await new Promise((r) => setTimeout(r, 300));
    interrupt.abort();
    expect(await done).toBe(130);
    expect(stdout.startsWith('id\n1\n2\n')).toBe(true);
  });

  it('the real command exits 130 on SIGINT after printing what arrived', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/freshet.mjs'), '--format', 'csv', '--changelog', '-e', `${TICKS} SELECT id FROM ticks;`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: CliRun = { code: -1, stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    const deadline = Date.now() + 20_000;
    while (out.stdout.split('\n').length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    out.code = await exited;
    expect(out.code).toBe(130);
    expect(out.stdout.startsWith('op,id\n+I,1\n+I,2\n')).toBe(true);
    expect(out.stderr).toMatch(/^freshet: interrupted; the query was cancelled after \d+ rows\n$/);
  });
});

describe('no ink in script mode', () => {
  it('runs -e, -f and stdin scripts without loading ink or React', () => {
    // A resolve hook in the child reports every bare import; ink needs raw mode and must stay out of scripts.
    const hook = `data:text/javascript,${encodeURIComponent(
      "import { registerHooks } from 'node:module'; registerHooks({ resolve(s, c, next) { if (s === 'ink' || s === 'react') process.stderr.write('LOADED ' + s + '\\n'); return next(s, c); } });",
    )}`;
    const r = spawnWithImport(hook, ['--format', 'csv', '-e', `${T} SELECT a FROM t WHERE a = 1;`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('a\n1\n');
    const piped = spawnWithImport(hook, ['--format', 'csv'], `${T} SELECT a FROM t WHERE a = 4;`);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('a\n4\n');
  });

  it('the bin still prints help without a terminal', () => {
    expect(runBin(['--help']).stdout).toContain('--timeout <seconds>');
  });
});

function spawnWithImport(hook: string, args: string[], stdin = ''): CliRun {
  const r = spawnSync(process.execPath, ['--import', hook, join(ROOT, 'bin/freshet.mjs'), ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
