// Starts the processes of a standalone cluster for the tests: `freshet jobmanager` and `freshet taskmanager` from the
// built package (dist/), as a user runs them. Slots started from TypeScript sources compile the package again in
// every thread (10-15 s each on the shared machine, docs/cluster.md), so the processes run the compiled code; the
// tests' own client runs from sources and its job specs name .ts modules, which the cluster maps onto dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/repl/main.js');

let warned = false;

/**
 * Whether dist/ has the standalone cluster (the tests need `npm run build` first, as `npm test` does). Without it
 * the tests skip with one visible line, except in CI, where a skip would hide the cluster tests: there it fails.
 */
export function distBuilt(): boolean {
  const built =
    existsSync(MAIN) && existsSync(path.join(ROOT, 'dist/executor/cluster/standalone-jobmanager.js'));
  if (!built && process.env['CI'] === 'true')
    throw new Error('the standalone-cluster tests need dist/ (npm test builds it first; run npm run build)');
  if (!built && !warned) {
    warned = true;
    process.stderr.write(
      'standalone-cluster tests skipped: dist/ is not built (npm test builds it; or run npm run build)\n',
    );
  }
  return built;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
}

const procs = new Set<Proc>();

export function startProcess(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FRESHET_CLUSTER_TOKEN')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Proc = {
    child,
    pid: child.pid as number,
    stdout: '',
    stderr: '',
    exited: new Promise((r) => child.on('exit', (code, sig) => r(code ?? sig ?? -1))),
  };
  child.stdout?.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (p.stderr += d.toString()));
  procs.add(p);
  void p.exited.then(() => procs.delete(p));
  return p;
}

/** Waits until the process printed a line matching `re` (returns the match), or fails with its output. */
export async function waitFor(p: Proc, re: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => (exited = true));
  for (;;) {
    const m = re.exec(p.stdout) ?? re.exec(p.stderr);
    if (m !== null) return m;
    if (exited || Date.now() > deadline)
      throw new Error(
        `process ${p.pid} ${exited ? 'exited' : 'timed out'} before printing ${re}\nstdout: ${p.stdout}\nstderr: ${p.stderr}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface JobManagerProc extends Proc {
  readonly rpc: string;
  readonly rest: string;
  /** The REST address as `--cluster` takes it. */
  readonly restAddress: string;
}

export async function startJobManager(extra: readonly string[] = []): Promise<JobManagerProc> {
  const p = startProcess(['jobmanager', '--port', '0', '--rest-port', '0', ...extra]);
  const rpc = (await waitFor(p, /JobManager RPC: \S+:(\d+)/))[1] as string;
  const rest = (await waitFor(p, /REST API and dashboard: (http:\/\/\S+\/) /))[1] as string;
  return Object.assign(p, { rpc: `127.0.0.1:${rpc}`, rest, restAddress: new URL(rest).host });
}

export interface TaskManagerProc extends Proc {
  /** The id the JobManager gave it (what /v1/taskmanagers and subtask details show). */
  readonly id: string;
}

export async function startTaskManager(
  jm: JobManagerProc,
  slots: number,
  extra: readonly string[] = [],
): Promise<TaskManagerProc> {
  const p = startProcess(['taskmanager', '--jobmanager', jm.rpc, '--slots', String(slots), ...extra]);
  const id = (await waitFor(p, /^TaskManager (\S+):/m))[1] as string;
  return Object.assign(p, { id });
}

/**
 * The cluster of the SIGKILL proofs: a JobManager that declares a TaskManager lost after 3 s without heartbeats
 * (500 ms apart) and writes checkpoints into `checkpointDir`, and three one-slot TaskManagers — two for a job at
 * parallelism 2, one spare, so a restart after a kill finds a slot while the replacement process starts.
 */
export async function startKillCluster(
  checkpointDir: string,
): Promise<{ jm: JobManagerProc; tms: TaskManagerProc[] }> {
  const jm = await startJobManager([
    '-D',
    'heartbeat.interval=500ms',
    '-D',
    'heartbeat.timeout=3s',
    '-D',
    'slot.request.timeout=60s',
    '-D',
    `execution.checkpointing.dir=${checkpointDir}`,
  ]);
  const tms = await Promise.all([startTaskManager(jm, 1), startTaskManager(jm, 1), startTaskManager(jm, 1)]);
  return { jm, tms };
}

/** SIGTERM to every process still running (each by its pid), SIGKILL after a grace period. */
export async function stopAll(): Promise<void> {
  const running = [...procs];
  for (const p of running) p.child.kill('SIGTERM');
  await Promise.all(
    running.map((p) =>
      Promise.race([p.exited, new Promise((r) => setTimeout(r, 5000))]).then(() => {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      }),
    ),
  );
}

/** Resident memory of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

export async function getJson<T = unknown>(
  url: string,
  token?: string,
): Promise<{ status: number; body: T }> {
  const init = token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } };
  // A pooled keep-alive socket the server closed after its idle timeout fails the request ("other side
  // closed"): that is the HTTP client's race, not the server's answer, so it is retried once.
  const res = await fetch(url, init).catch(() => fetch(url, init));
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T };
}

export async function until<T>(
  what: string,
  f: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => null);
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Writes `freshet.mjs` into `dir`: the public function classes bundled into one file, as an installed 'freshet'
 * package would give them to a user's UDF module. Such a module loads in the client (sources), in the MiniCluster's
 * slot threads and in TaskManager processes running dist/ (the loader recognises the classes across copies).
 */
export function writeFunctionBundle(dir: string): void {
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export { ScalarFunction, TableFunction, AggregateFunction } from ${JSON.stringify(path.join(ROOT, 'planner/api/functions.ts'))};`,
      `export { Types } from ${JSON.stringify(path.join(ROOT, 'executor/types/logical-type.ts'))};`,
    ].join('\n'),
  );
  buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: path.join(dir, 'freshet.mjs'),
    logLevel: 'silent',
  });
}
