// `freshet jobmanager` and `freshet taskmanager`: the processes of a standalone cluster (docs/cluster.md,
// "Standalone cluster"). Flink's scripts take the same roles (jobmanager.sh / taskmanager.sh) and `-D key=value`
// dynamic properties for configuration. Both run until SIGTERM or SIGINT.
import { cpus } from 'node:os';
import type { CliIO } from './cli.js';

export const CLUSTER_USAGE = `Usage: freshet jobmanager [--port <rpc port>] [--rest-port <port>] [--bind <address>]
                          [--token <secret>] [-D <key>=<value>]...
       freshet taskmanager --jobmanager <host:port> [--slots <n>] [--bind <address>]
                          [--data-port <port>] [--token <secret>]

jobmanager   the Dispatcher (REST API and dashboard, default port 8081), the ResourceManager and
             a JobManager per job; TaskManagers register on the RPC port (default 6123)
taskmanager  a TaskManager process with <n> slots (worker threads; default: the number of cores)
             that registers with the JobManager's RPC address

  --bind <address>   address to listen on (default 127.0.0.1); any other address needs --token
  --token <secret>   shared secret every TaskManager, client and REST call must present
                     (default: the FRESHET_CLUSTER_TOKEN environment variable)
  -D <key>=<value>   Flink configuration, e.g. -D heartbeat.timeout=50s
                     -D restart-strategy.type=fixed-delay -D restart-strategy.fixed-delay.attempts=3

Clients: freshet --cluster <host:rest port> [-f script.sql | -e "..."], or
         TableEnvironment.create({ cluster: 'host:port' }).`;

class ClusterUsageError extends Error {}

interface Parsed {
  readonly flags: Map<string, string>;
  readonly config: Record<string, string>;
  readonly help: boolean;
}

function parse(argv: readonly string[], allowed: readonly string[]): Parsed {
  const flags = new Map<string, string>();
  const config: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (a === '-D' || a.startsWith('-D')) {
      const kv = a === '-D' ? argv[++i] : a.slice(2);
      const eq = kv?.indexOf('=') ?? -1;
      if (kv === undefined || eq <= 0) throw new ClusterUsageError(`-D needs key=value, got '${kv ?? ''}'`);
      config[kv.slice(0, eq)] = kv.slice(eq + 1);
      continue;
    }
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined];
    if (!allowed.includes(flag)) throw new ClusterUsageError(`unknown option '${a}'`);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new ClusterUsageError(`${flag} needs a value`);
    flags.set(flag, v);
  }
  return { flags, config, help };
}

function port(flags: Map<string, string>, flag: string, dflt: number): number {
  const v = flags.get(flag);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new ClusterUsageError(`${flag} needs a port number (0 = any free port), got '${v}'`);
  return Number(v);
}

/** Waits for SIGTERM or the CLI's interrupt (SIGINT); resolves to the exit code. */
function untilStopped(io: CliIO, close: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let done = false;
    const stop = (code: number): void => {
      if (done) return;
      done = true;
      void close()
        .catch(() => undefined)
        .then(() => resolve(code));
    };
    process.once('SIGTERM', () => stop(0));
    io.interrupt?.addEventListener('abort', () => stop(0), { once: true });
  });
}

/** Runs `freshet jobmanager|taskmanager ...`; resolves to the exit code when the process is told to stop. */
export async function runClusterCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const [role, ...rest] = argv;
  let parsed: Parsed;
  try {
    parsed =
      role === 'jobmanager'
        ? parse(rest, ['--port', '--rest-port', '--bind', '--token'])
        : parse(rest, ['--jobmanager', '--slots', '--bind', '--data-port', '--token']);
  } catch (e) {
    if (!(e instanceof ClusterUsageError)) throw e;
    io.stderr.write(`freshet ${role}: ${e.message}\n${CLUSTER_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${CLUSTER_USAGE}\n`);
    return 0;
  }
  const { flags, config } = parsed;
  // An empty token is no token (an exported but empty FRESHET_CLUSTER_TOKEN).
  const token = (flags.get('--token') ?? process.env['FRESHET_CLUSTER_TOKEN']) || undefined;
  const bind = flags.get('--bind');
  const { StandaloneJobManager, StandaloneTaskManager } = await import('../executor/index.js');
  try {
    if (role === 'jobmanager') {
      const jm = await StandaloneJobManager.start({
        port: port(flags, '--port', 6123),
        restPort: port(flags, '--rest-port', 8081),
        ...(bind === undefined ? {} : { bind }),
        ...(token === undefined ? {} : { token }),
        config,
      });
      // One line per address, for people and for scripts (the tests read them).
      io.stdout.write(`JobManager RPC: ${bind ?? '127.0.0.1'}:${jm.rpcPort}\n`);
      io.stdout.write(`REST API and dashboard: ${jm.restUrl} (API under ${jm.restUrl}v1/)\n`);
      return await untilStopped(io, () => jm.close());
    }
    const jmAddr = flags.get('--jobmanager');
    if (jmAddr === undefined) throw new ClusterUsageError('--jobmanager <host:port> is required');
    const slotsText = flags.get('--slots') ?? String(cpus().length);
    const slots = Number(slotsText);
    if (!Number.isInteger(slots) || slots < 1)
      throw new ClusterUsageError(`--slots needs a positive integer, got '${slotsText}'`);
    const tm = await StandaloneTaskManager.start({
      jobmanager: jmAddr,
      slots,
      ...(bind === undefined ? {} : { bind }),
      ...(flags.has('--data-port') ? { dataPort: port(flags, '--data-port', 0) } : {}),
      ...(token === undefined ? {} : { token }),
      log: (line) => io.stderr.write(`taskmanager: ${line}\n`),
    });
    io.stdout.write(`TaskManager ${tm.id}: ${slots} slot(s), data port ${tm.dataHost}:${tm.dataPort}\n`);
    return await untilStopped(io, () => tm.close());
  } catch (e) {
    if (e instanceof ClusterUsageError) {
      io.stderr.write(`freshet ${role}: ${e.message}\n${CLUSTER_USAGE}\n`);
      return 2;
    }
    io.stderr.write(`freshet ${role}: ${(e as Error).message}\n`);
    return 1;
  }
}
