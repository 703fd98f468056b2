// The `freshet` command line. Script mode (-f, -e, or SQL on stdin) runs statements in order and prints query
// results in the chosen format; with a terminal and no script it starts the interactive REPL.
// Exit codes: 0 success, 1 SQL or job error, 2 usage error, 130 interrupted.
import { readFile } from 'node:fs/promises';
import { TableEnvironment, SqlError, type Schema, type TableResult, type Value } from '../index.js';
import { parseStatements, parseWithRecovery } from '../parser/index.js';
import { csvHeader, csvRow, jsonRow, tableau, type OutputFormat } from './output.js';
import { FoldedTable } from './result-view.js';
import { USAGE } from './usage.js';

export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly version: string;
  /** Aborted on SIGINT: script mode cancels the running query, prints what it received and exits 130. */
  readonly interrupt?: AbortSignal;
}

export interface CliOptions {
  files: string[];
  exprs: string[];
  format: OutputFormat;
  changelog: boolean;
  /** Stop each query after this many rows (changes, under --changelog); null: no limit. */
  maxRows: number | null;
  /** Stop each query after this many seconds; null: no limit. */
  timeout: number | null;
  /** Scripts run before the prompt or the script; their own output is not printed, their errors are. */
  init: string[];
  help: boolean;
  version: boolean;
  /** `--syntax`: parse the scripts and report every syntax error, run nothing. */
  syntax: boolean;
  /** `--check`: also validate against the catalog the scripts' own DDL builds, run nothing. */
  check: boolean;
  /** `--rest-port`: serve the REST API and dashboard while a script runs (0 = any free port); null: none. */
  restPort?: number;
  /** `--cluster host:port`: run every job on a standalone cluster (its JobManager's REST address). */
  cluster?: string;
  /** `--token`: the standalone cluster's shared token. */
  token?: string;
}

export const EXIT = { OK: 0, SQL_ERROR: 1, USAGE: 2, INTERRUPTED: 130 } as const;

/**
 * Whether this run was the interactive shell. The process entry ends the process after the shell closes even
 * if jobs the user started (INSERT INTO) still run, while a script's process lives until its jobs finish.
 */
export const session = {
  interactive: false,
  /** INSERT jobs were left running on a standalone cluster: the process exits without waiting for them. */
  detached: false,
};

export { USAGE } from './usage.js';

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { files: [], exprs: [], format: 'tableau', changelog: false, maxRows: null, timeout: null, init: [], help: false, version: false, syntax: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-f':
      case '--file':
        o.files.push(value());
        break;
      case '-e':
      case '--execute':
        o.exprs.push(value());
        break;
      case '--format': {
        const f = value();
        if (f !== 'csv' && f !== 'json' && f !== 'tableau') throw new UsageError(`unknown format '${f}' (expected csv, json or tableau)`);
        o.format = f;
        break;
      }
      case '--changelog':
        o.changelog = true;
        break;
      case '--check':
        o.check = true;
        break;
      case '--syntax':
        o.syntax = true;
        break;
      case '--max-rows': {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--max-rows needs a whole number of rows, got '${v}'`);
        o.maxRows = Number(v);
        break;
      }
      case '--timeout': {
        const v = value();
        const n = Number(v);
        if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout needs a positive number of seconds, got '${v}'`);
        o.timeout = n;
        break;
      }
      case '--rest-port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--rest-port needs a port number (0 = any free port), got '${v}'`);
        o.restPort = Number(v);
        break;
      }
      case '--cluster': {
        const v = value();
        if (!/^(\[[^\]]+\]|[^:\s]+):\d+$/.test(v)) throw new UsageError(`--cluster needs host:port (the JobManager's REST address), got '${v}'`);
        o.cluster = v;
        break;
      }
      case '--token':
        o.token = value();
        break;
      case '-i':
      case '--init':
        o.init.push(value());
        break;
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '-v':
      case '--version':
        o.version = true;
        break;
      default:
        throw new UsageError(`unknown option '${a}'`);
    }
  }
  return o;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  // The standalone cluster's processes are subcommands with their own options.
  if (argv[0] === 'jobmanager' || argv[0] === 'taskmanager') {
    const { runClusterCommand } = await import('./cluster-commands.js');
    return runClusterCommand(argv, io);
  }
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`freshet: ${e.message}\n${USAGE}\n`);
    return EXIT.USAGE;
  }
  if (opts.help) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.OK;
  }
  if (opts.version) {
    io.stdout.write(`freshet ${io.version}\n`);
    return EXIT.OK;
  }
  const scripts: Array<{ name: string; sql: string }> = [];
  const inits: Array<{ name: string; sql: string }> = [];
  for (const [list, files] of [
    [inits, opts.init],
    [scripts, opts.files],
  ] as const) {
    for (const f of files) {
      try {
        list.push({ name: f, sql: await readFile(f, 'utf8') });
      } catch (e) {
        io.stderr.write(`freshet: cannot read '${f}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return EXIT.USAGE;
      }
    }
  }
  for (const e of opts.exprs) scripts.push({ name: '<command-line>', sql: e });
  if (scripts.length === 0) {
    if (io.stdin.isTTY === true) {
      // Only the interactive shell loads ink (and React): it needs raw mode, which pipes and CI do not have.
      const { runRepl } = await import('./repl.js');
      session.interactive = true;
      return runRepl(io, { init: inits, ...clusterSettings(opts) });
    }
    scripts.push({ name: '<stdin>', sql: await readAll(io.stdin) });
  }
  if (opts.syntax) return checkSyntax([...inits, ...scripts], io);
  if (opts.check) return checkScripts([...inits, ...scripts], io);
  const env = TableEnvironment.create(clusterSettings(opts));
  let rest: { url: string; close(): Promise<void> } | null = null;
  if (opts.restPort !== undefined) {
    // Scripts serve no dashboard unless asked: the URL goes to stderr, so stdout stays the results.
    const { RestServer } = await import('../executor/index.js');
    rest = await RestServer.start(env.dispatcher, { port: opts.restPort });
    io.stderr.write(`Dashboard: ${rest.url} (REST API under ${rest.url}v1/)\n`);
  }
  try {
    const quiet: CliIO = { ...io, stdout: { write: () => true } };
    for (const s of inits) {
      const code = await runScript(env, s.name, s.sql, opts, quiet);
      if (code !== EXIT.OK) return code;
    }
    for (const s of scripts) {
      const code = await runScript(env, s.name, s.sql, opts, io);
      if (code !== EXIT.OK) return code;
    }
    return EXIT.OK;
  } finally {
    // The server lives as long as the scripts: an embedding caller (and the tests) must not be left a listener.
    await rest?.close();
  }
}

/**
 * Whether an INSERT job of `env` runs on a standalone cluster and is not awaited (Flink's table.dml-sync, false),
 * once the cluster lists it (the job keeps the TableResult's id there); a job that fails before that throws.
 */
async function detachedOnCluster(env: TableEnvironment, result: TableResult): Promise<boolean> {
  const client = env.clusterClient();
  const jid = result.jobId;
  if (client === null || jid === null || env.getConfig().get('table.dml-sync')?.trim().toLowerCase() === 'true') return false;
  const ended = result.await().then(
    () => ({ error: null }),
    (e: unknown) => ({ error: e }),
  );
  for (;;) {
    const listed = await client.job(jid).then(
      () => true,
      () => false,
    );
    if (listed) return true;
    const end = await Promise.race([ended, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (end !== null) {
      if (end.error !== null) throw end.error;
      return true; // it already finished
    }
  }
}

/** The TableEnvironment settings of `--cluster` / `--token`. */
export function clusterSettings(opts: CliOptions): { cluster?: string; clusterToken?: string } {
  return {
    ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
    ...(opts.token === undefined ? {} : { clusterToken: opts.token }),
  };
}

/** `--syntax`: every statement of every script is parsed (with recovery, so all mistakes show), none runs. */
export function checkSyntax(scripts: ReadonlyArray<{ name: string; sql: string }>, io: CliIO): number {
  let failed = false;
  for (const s of scripts) {
    for (const e of parseWithRecovery(s.sql).errors) {
      io.stderr.write(`${e.format(s.name)}\n`);
      failed = true;
    }
  }
  return failed ? EXIT.SQL_ERROR : EXIT.OK;
}

/**
 * `--check`: syntax first (every mistake), then each statement is validated in order against a scratch catalog
 * that the scripts' DDL fills; every error is reported, nothing runs.
 */
export function checkScripts(scripts: ReadonlyArray<{ name: string; sql: string }>, io: CliIO): number {
  if (checkSyntax(scripts, io) !== EXIT.OK) return EXIT.SQL_ERROR;
  const env = TableEnvironment.create();
  let failed = false;
  for (const s of scripts) {
    for (const statement of parseStatements(s.sql)) {
      try {
        env.validateStatement(statement, s.sql);
      } catch (e) {
        io.stderr.write(`${describeError(e, s.name)}\n`);
        failed = true;
      }
    }
  }
  return failed ? EXIT.SQL_ERROR : EXIT.OK;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

type PrintOptions = Pick<CliOptions, 'format' | 'changelog'> &
  Partial<Pick<CliOptions, 'maxRows' | 'timeout'>> & {
    /**
     * Whether an INSERT is left running instead of awaited (on a standalone cluster, unless table.dml-sync); it
     * resolves once the cluster has the job, so the process can exit without losing the submission.
     */
    readonly detachInserts?: (result: TableResult) => Promise<boolean>;
  };

/** Runs every statement of a script; stops at the first error, which is printed with its place. */
export async function runScript(env: TableEnvironment, name: string, sql: string, opts: PrintOptions, io: CliIO): Promise<number> {
  try {
    for (const { result } of env.executeScript(sql)) {
      if (io.interrupt?.aborted === true) {
        result.cancel();
        io.stderr.write('freshet: interrupted\n');
        return EXIT.INTERRUPTED;
      }
      const received = await printResult(result, { ...opts, detachInserts: (r) => detachedOnCluster(env, r) }, io);
      if (received !== null) {
        io.stderr.write(`freshet: interrupted; the query was cancelled after ${received} ${received === 1 ? 'row' : 'rows'}\n`);
        return EXIT.INTERRUPTED;
      }
    }
    return EXIT.OK;
  } catch (e) {
    io.stderr.write(`${describeError(e, name)}\n`);
    return EXIT.SQL_ERROR;
  }
}

export function describeError(e: unknown, name: string): string {
  if (e instanceof SqlError) return e.format(name);
  const err = e as Error;
  const causes: string[] = [];
  for (let c = err.cause; c instanceof Error && causes.length < 5; c = c.cause) causes.push(`caused by: ${c.message}`);
  return [`${name}: error: ${err.message ?? String(e)}`, ...causes].join('\n');
}

/**
 * Stops a query when --timeout passes or the user interrupts; `interrupted` tells the two apart (a timeout is a
 * requested end, exit 0; an interrupt exits 130).
 */
function watchStops(result: TableResult, opts: PrintOptions, io: CliIO): { interrupted: () => boolean; dispose: () => void } {
  let interrupted = false;
  const onInterrupt = (): void => {
    interrupted = true;
    result.cancel();
  };
  io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const timer = opts.timeout !== undefined && opts.timeout !== null ? setTimeout(() => result.cancel(), opts.timeout * 1000) : null;
  return {
    interrupted: () => interrupted,
    dispose: () => {
      io.interrupt?.removeEventListener('abort', onInterrupt);
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/**
 * Prints a statement's result. Returns null normally, or the number of rows received when the user interrupted
 * the query (what arrived until then is printed first).
 */
async function printResult(result: TableResult, opts: PrintOptions, io: CliIO): Promise<number | null> {
  const schema = result.schema;
  if (schema === null) {
    if (result.jobId !== null) {
      if (opts.format === 'tableau') io.stdout.write(`[INFO] Submitting SQL update statement to the cluster...\n[INFO] SQL update statement has been successfully submitted to the cluster:\nJob ID: ${result.jobId}\n`);
      // On a standalone cluster the job lives there: the script goes on and the process exits without waiting,
      // as Flink's SQL client does (table.dml-sync = false). In this process, the script waits for its INSERTs
      // (the job would die with the process), as with table.dml-sync = true.
      if (opts.detachInserts !== undefined && (await opts.detachInserts(result))) {
        session.detached = true;
        return null;
      }
      await result.await();
      return null;
    }
    if (opts.format === 'tableau') io.stdout.write(`[INFO] Execute statement succeeded.\n`);
    return null;
  }
  const maxRows = opts.maxRows ?? Number.POSITIVE_INFINITY;
  const stops = watchStops(result, opts, io);
  let received = 0;
  try {
    if (opts.changelog) {
      const rows: Array<{ op: string; values: Value[] }> = [];
      if (opts.format === 'csv') io.stdout.write(`${csvHeader(schema, true)}\n`);
      if (maxRows === 0) result.cancel();
      else for await (const c of result.changes()) {
        received++;
        if (opts.format === 'csv') io.stdout.write(`${csvRow(schema, c.values, c.kind)}\n`);
        else if (opts.format === 'json') io.stdout.write(`${jsonRow(schema, c.values, c.kind)}\n`);
        else rows.push({ op: c.kind, values: c.values });
        if (received >= maxRows) {
          result.cancel();
          break;
        }
      }
      if (opts.format === 'tableau') io.stdout.write(`${tableau(schema, rows.map((r) => r.values), rows.map((r) => r.op))}\n`);
      return stops.interrupted() ? received : null;
    }
    // Folded as it arrives (not with materialize()), so that a stopped query still prints the table so far.
    const table = new FoldedTable();
    if (maxRows === 0) result.cancel();
    else for await (const c of result.changes()) {
      received++;
      table.apply(c);
      if (received >= maxRows) {
        result.cancel();
        break;
      }
    }
    printTable(schema, table.rows(), opts, io);
    return stops.interrupted() ? received : null;
  } finally {
    stops.dispose();
  }
}

function printTable(schema: Schema, rows: readonly Value[][], opts: PrintOptions, io: CliIO): void {
  switch (opts.format) {
    case 'csv':
      io.stdout.write(`${csvHeader(schema, false)}\n`);
      for (const r of rows) io.stdout.write(`${csvRow(schema, r, null)}\n`);
      break;
    case 'json':
      for (const r of rows) io.stdout.write(`${jsonRow(schema, r, null)}\n`);
      break;
    case 'tableau':
      io.stdout.write(`${tableau(schema, rows, null)}\n`);
      break;
  }
}
