// Runs the CLI in-process with captured output, and the real `bin/freshet.mjs` as a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../repl/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const input = Readable.from([stdin]) as Readable & { isTTY?: boolean };
  const code = await main(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: input,
    version: 'test',
  });
  return { code, stdout, stderr };
}

const ROOT = new URL('../..', import.meta.url).pathname;

/** The real command, as a user runs it (needs `npm run build`, which `npm test` does first). */
export function runBin(args: string[], stdin = ''): CliRun {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/freshet.mjs'), ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory with the given files. */
export function fixtureDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
