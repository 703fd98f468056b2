// Process entry of the `freshet` bin: wires the CLI to the real process streams and exit code.
import { readFileSync } from 'node:fs';
import { main } from './cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, version: pkg.version }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`freshet: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
