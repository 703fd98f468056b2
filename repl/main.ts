// Process entry of the `freshet` bin: wires the CLI to the real process streams, SIGINT and the exit code.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

// The first SIGINT asks the running query to stop (the CLI prints what it received and exits 130); a second
// one means the user does not want to wait for that. The handler is installed before the engine is loaded, so
// that a Ctrl-C during start-up also ends with 130 rather than the default signal death.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

// `freshet --help` and `--version` alone answer at once, without loading the engine (about a CPU-second).
const args = process.argv.slice(2);
if (args.length > 0 && args.every((a) => ['-h', '--help', '-v', '--version'].includes(a))) {
  if (args.some((a) => a === '-h' || a === '--help')) {
    const { USAGE } = await import('./usage.js');
    process.stdout.write(`${USAGE}\n`);
  } else process.stdout.write(`freshet ${pkg.version}\n`);
  process.exit(0);
}

const { main, session } = await import('./cli.js');

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, version: pkg.version, interrupt: interrupt.signal }).then(
  (code) => {
    process.exitCode = code;
    // A script's process otherwise lives until the jobs it started (INSERT INTO) end. After an interrupt, or
    // when the user leaves the shell, it ends now: writes to pipes, files and terminals are synchronous on
    // POSIX, so nothing printed is lost.
    // So does a script that left INSERT jobs running on a standalone cluster (they live there, not here).
    if (code === 130 || session.interactive || session.detached) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`freshet: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
