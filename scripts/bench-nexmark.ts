// The Nexmark benchmark (issue #11): each query as nexmark-flink runs it (nexmark source → query → blackhole
// sink through INSERT INTO), one fresh child process per query so that peak RSS is the query's own. Reports
// events per CPU-second of the whole process (process.cpuUsage: all threads, user + system, the generator
// included, as Nexmark's Cores × Time counts it), events per wall second, peak RSS, and the output's row count and
// order-independent checksum (the blackhole's 'checksum' option hashes every row with its row kind).
//
//   npm run bench -- nexmark [--query q0,q1,...|all] [--events N] [--parallelism P] [--tps T] [--json]
//   npm run bench -- nexmark --rate R [--query ...] [--seconds S] [--warmup W]   latency: p50/p99/p99.9, paced
//                            source, measured after a W-second warm-up run of the same query (default 5; 0: none)
//   npm run bench -- nexmark --memory [--memory-events 10000000,50000000]   peak RSS of the windowed queries
//   ... --mini-batch         Nexmark's Flink settings for aggregates (mini-batch 2 s / 50 k, split distinct)
//   ... --no-checksum        the sink only counts rows (to measure what hashing every row costs)
//   ... --final-checksum     also the final table's checksum (finalChecksum): equal at P1 and P2 where the
//                            changelog's interleaving is not (q4)
//   ... --cpu-profile DIR    also writes DIR/<query>-p<P>.cpuprofile of each query alone (scripts/bench-nexmark-profile.ts)
//   ... --latency-trace F    latency mode: F-<query>.txt, one line per sink batch (ms since the pacing origin, rows,
//                            min and max latency ms), to see when the stalls behind a p99 happen
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TableEnvironment } from '../index.js';
import { blackholeCounts, blackholeFactory } from '../connectors/index.js';
import { defaultFactories, FactoryRegistry, type DynamicTableFactory } from '../planner/index.js';
import type { Column, RecordBatch, SinkWriter, StreamElement } from '../executor/index.js';
import {
  QUERIES,
  UNSUPPORTED,
  countChar,
  sourceDdl,
  VIEWS,
  type NexmarkQuery,
} from './bench-nexmark-queries.js';

export interface NexmarkResult {
  readonly query: string;
  readonly events: number;
  readonly parallelism: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly eventsPerCpuSecond: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
  readonly outputRows: number;
  readonly checksum: string;
  /**
   * With --final-checksum: the checksum of the final table (what the changelog leaves), equal at every parallelism
   * even where the changelog's interleaving is not (an updating query fed by two parallel subtasks, q4).
   */
  readonly finalChecksum?: string;
}

export interface LatencyResult {
  readonly query: string;
  readonly rate: number;
  readonly events: number;
  readonly kind: 'event' | 'watermark' | 'proctime';
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly minMs: number;
  /**
   * p99 of the rows emitted after the first second from the pacing origin (JIT warm-up excluded): a diagnostic
   * beside p99, not the score. Nexmark measures after a warm-up job too (NEXMARK.md §4.2, V2's restored job).
   */
  readonly p99SteadyMs: number;
}

export interface RunOptions {
  readonly events: number;
  readonly parallelism: number;
  /** `first-event.rate`: event-time spacing (events per event-time second). */
  readonly tps: number;
  readonly seed: number;
  /**
   * Nexmark's Flink configuration for aggregates: mini-batch (2 s / 50,000 rows) and split distinct aggregation.
   * Off by default: bundles close on the wall clock, so the changelog (and its checksum) varies between runs.
   */
  readonly miniBatch?: boolean;
  /** Hash every output row (the default); false only counts rows, to measure what the checksum costs. */
  readonly checksum?: boolean;
  /** Also the final table's checksum (a second hashing pass in the sink, so off by default). */
  readonly finalChecksum?: boolean;
  /** Write a CPU profile of the query alone (V8's sampling profiler, as `node --cpu-prof`) into this folder. */
  readonly cpuProfileDir?: string | null;
}

/** Latency mode: rows emitted this long after the pacing origin count for `p99SteadyMs` (JIT warm-up excluded). */
const WARM_UP_MS = 1000;

/** Event-time rate of throughput runs: Nexmark V2's TPS (conf/nexmark_v2.yaml), whose Flink 2.0 figures we compare to. */
export const DEFAULT_TPS = 100_000;

function queryByName(name: string): NexmarkQuery {
  const q = QUERIES.find((x) => x.name === name);
  if (q === undefined) {
    const why = UNSUPPORTED[name];
    throw new Error(
      why === undefined
        ? `unknown Nexmark query '${name}' (known: ${QUERIES.map((x) => x.name).join(', ')})`
        : `${name} is not supported: ${why}`,
    );
  }
  return q;
}

const MINI_BATCH: Readonly<Record<string, string>> = {
  'table.exec.mini-batch.enabled': 'true',
  'table.exec.mini-batch.allow-latency': '2 s',
  'table.exec.mini-batch.size': '50000',
  'table.optimizer.distinct-agg.split.enabled': 'true',
};

function environment(
  q: NexmarkQuery,
  parallelism: number,
  ddl: string,
  factories?: FactoryRegistry,
  miniBatch = false,
): TableEnvironment {
  const config = miniBatch ? MINI_BATCH : {};
  const env = TableEnvironment.create(
    factories === undefined ? { parallelism, config } : { parallelism, factories, config },
  );
  env.executeSql(ddl);
  for (const v of VIEWS) env.executeSql(v);
  for (const s of q.setup) env.executeSql(s);
  if (q.udfs?.includes('count_char'))
    env.createTemporarySystemFunction('count_char', {
      eval: countChar,
      resultType: { kind: 'BIGINT', nullable: false },
    });
  return env;
}

/**
 * Runs one query to the end of a bounded input in this process and reports it. CPU and wall time start just
 * before the INSERT is planned, so JIT warm-up counts (the reference's V1 figures had no warm-up either).
 */
export async function runQuery(name: string, o: RunOptions): Promise<NexmarkResult> {
  const q = queryByName(name);
  const env = environment(
    q,
    o.parallelism,
    sourceDdl({ events: o.events, tps: o.tps, paced: false, baseTime: 0, seed: o.seed }),
    undefined,
    o.miniBatch === true,
  );
  env.executeSql(
    `CREATE TABLE nexmark_${q.name} (${q.sinkColumns}) WITH ('connector' = 'blackhole', 'checksum' = '${o.checksum === false ? 'false' : o.finalChecksum === true ? 'final' : 'true'}')`,
  );
  // The profile covers the query only; `node --cpu-prof` would also record module loading and grammar set-up.
  const profiler = o.cpuProfileDir ? new Session() : null;
  if (profiler !== null) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await env.executeSql(q.insert).await();
  const wallSeconds = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (profiler !== null) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(
      join(o.cpuProfileDir as string, `${q.name}-p${o.parallelism}.cpuprofile`),
      JSON.stringify(profile),
    );
    profiler.disconnect();
  }
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const counts = blackholeCounts.get(`default_catalog.default_database.nexmark_${q.name}`);
  if (counts === undefined || (o.checksum !== false && counts.checksum === null))
    throw new Error(`the sink of ${q.name} did not finish`);
  return {
    query: q.name,
    events: o.events,
    parallelism: o.parallelism,
    wallSeconds,
    cpuSeconds,
    eventsPerCpuSecond: o.events / cpuSeconds,
    eventsPerSecond: o.events / wallSeconds,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    outputRows: counts.rows,
    checksum: counts.checksum ?? 'none',
    ...(counts.finalChecksum === null ? {} : { finalChecksum: counts.finalChecksum }),
  };
}

/** A growable list of latency samples in ms. */
class Samples {
  values = new Float64Array(1 << 16);
  n = 0;
  push(v: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = v;
  }
}

/**
 * Latency mode: the source is paced to the wall clock (`max-emit-speed` = false) at `rate` events per second,
 * so event time t is ingested at wall time T0 + (t − baseTime), T0 being when the job started. The sink, a
 * blackhole with a clock, dates each row by the spec's rule (bench-nexmark-queries.ts, LatencySpec).
 */
export async function runLatency(
  name: string,
  rate: number,
  events: number,
  seed: number,
  traceFile: string | null = null,
): Promise<LatencyResult> {
  const q = queryByName(name);
  const spec = q.latency;
  if (spec === undefined)
    throw new Error(`${name} has no latency measurement: its output carries no event time`);
  const samples = new Samples();
  // --latency-trace: one line per sink batch (ms since T0, rows, min and max latency), to see when stalls happen.
  const trace: string[] | null = traceFile === null ? null : [];
  const clock = { t0: 0, base: 0 };
  // Samples before this index were emitted in the first WARM_UP_MS after the pacing origin.
  let warmEnd = -1;
  // Windows the watermark never passed fire at the end of input (the maximal watermark): not a latency.
  const spanMs = (events / rate) * 1000;
  const fired = (end: number, now: number): number | null => {
    const due = end - 1 + 4000 - clock.base;
    return due > spanMs ? null : now - (clock.t0 + due);
  };
  // The ingest time of event time t, and the moment the watermark (max event time − 4 s) reaches window end e
  // (a window fires when the watermark reaches end − 1 ms): the ingest of the first event at e − 1 + 4000.
  const latencyOf: (v: number, now: number) => number | null =
    spec.kind === 'event'
      ? (v, now) => now - (clock.t0 + (v - clock.base))
      : spec.kind === 'proctime'
        ? (v, now) => now - v
        : spec.windowMs !== undefined
          ? (v, now) =>
              fired(
                Math.floor(v / (spec.windowMs as number)) * (spec.windowMs as number) +
                  (spec.windowMs as number),
                now,
              )
          : (v, now) => fired(v + (spec.offsetMs ?? 0), now);
  const latencySink: DynamicTableFactory = {
    identifier: 'blackhole-latency',
    sinkChangelogMode: () => 'all',
    options: [],
    createSink(ctx): SinkWriter {
      const inner = blackholeFactory.createSink?.({ ...ctx, options: { checksum: 'true' } }) as SinkWriter;
      const col = ctx.schema.indexOf(spec.column);
      if (col < 0) throw new Error(`latency column '${spec.column}' is not in the sink of ${name}`);
      return {
        write(batch: RecordBatch) {
          const now = performance.timeOrigin + performance.now();
          if (warmEnd < 0 && clock.t0 !== 0 && now - clock.t0 >= WARM_UP_MS) warmEnd = samples.n;
          const c = batch.columns[col] as Column;
          if (c.kind !== 'f64')
            throw new Error(`latency column '${spec.column}' is not a TIMESTAMP(3) column (${c.kind})`);
          let lo = Infinity;
          let hi = -Infinity;
          for (let r = 0; r < batch.length; r++) {
            const l = latencyOf(c.values[r] as number, now);
            if (l !== null) {
              samples.push(l);
              if (l < lo) lo = l;
              if (l > hi) hi = l;
            }
          }
          if (trace !== null)
            trace.push(`${(now - clock.t0).toFixed(2)} ${batch.length} ${lo.toFixed(2)} ${hi.toFixed(2)}`);
          return inner.write(batch);
        },
        finish: () => inner.finish(),
        close: () => inner.close(),
      };
    },
  };
  const factories = new FactoryRegistry();
  for (const id of defaultFactories.identifiers())
    factories.register(defaultFactories.get(id) as DynamicTableFactory);
  factories.register(latencySink);
  // T0 is the source's first emission, the origin of its pacing (connectors/nexmark/factory.ts, `firstEmit`).
  // The wrapper must be the source the plan runs: without the split-scan entry (createScanSource) the planner takes
  // createSource, one paced reader at parallelism 1 (with it, the wrapper was bypassed and T0 stayed 0, so every
  // latency came out as an absolute epoch time).
  const { createScanSource: _splitScan, ...nexmark } = defaultFactories.get('nexmark') as DynamicTableFactory;
  factories.register({
    ...nexmark,
    createSource(ctx) {
      const inner = (nexmark.createSource as NonNullable<DynamicTableFactory['createSource']>)(ctx);
      return {
        outputSchema: inner.outputSchema,
        read(signal: AbortSignal): AsyncIterable<StreamElement> {
          const it = inner.read(signal)[Symbol.asyncIterator]();
          return {
            [Symbol.asyncIterator]: () => ({
              next: () => {
                if (clock.t0 !== 0) return it.next();
                // The reader's pacing clock is its first Date.now() of the first request (after it built its
                // tables, before the first batch): the wrapper borrows Date.now for that one call.
                const realNow = Date.now;
                Date.now = () => {
                  const t = realNow();
                  if (clock.t0 === 0) clock.t0 = t;
                  Date.now = realNow;
                  return t;
                };
                return it.next().finally(() => {
                  Date.now = realNow;
                });
              },
            }),
          };
        },
        close: () => inner.close(),
      };
    },
  });
  // Any base time works (pacing is relative to the first emission); the wall clock keeps PROCTIME plausible.
  clock.base = Date.now();
  const env = environment(
    q,
    1,
    sourceDdl({ events, tps: rate, paced: true, baseTime: clock.base, seed }),
    factories,
  );
  const extra = spec.extraColumn;
  const insert =
    extra === undefined ? q.insert : q.insert.replace(/^(INSERT INTO \S+ SELECT )/, `$1${extra.select}, `);
  const columns = extra === undefined ? q.sinkColumns : `${extra.ddl}, ${q.sinkColumns}`;
  env.executeSql(`CREATE TABLE nexmark_${q.name} (${columns}) WITH ('connector' = 'blackhole-latency')`);
  await env.executeSql(insert).await();
  if (trace !== null) writeFileSync(traceFile as string, trace.join('\n') + '\n');
  const steady = warmEnd < 0 ? new Float64Array(0) : samples.values.slice(warmEnd, samples.n).sort();
  const sorted = samples.values.subarray(0, samples.n).sort();
  const at = (p: number): number =>
    samples.n === 0 ? NaN : (sorted[Math.min(samples.n - 1, Math.floor(p * samples.n))] as number);
  return {
    query: q.name,
    rate,
    events,
    kind: spec.kind,
    samples: samples.n,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    maxMs: samples.n === 0 ? NaN : (sorted[samples.n - 1] as number),
    minMs: samples.n === 0 ? NaN : (sorted[0] as number),
    p99SteadyMs:
      steady.length === 0
        ? NaN
        : (steady[Math.min(steady.length - 1, Math.floor(0.99 * steady.length))] as number),
  };
}

interface Args {
  queries: string[];
  events: number;
  parallelism: number;
  tps: number;
  rate: number | null;
  seconds: number;
  /** Latency mode: seconds of the same paced query run first and discarded (Nexmark's warm-up job). */
  warmup: number;
  json: boolean;
  memory: boolean;
  memoryEvents: number[];
  seed: number;
  cpuProfileDir: string | null;
  latencyTrace: string | null;
  checksum: boolean;
  finalChecksum: boolean;
  miniBatch: boolean;
  child: 'run' | 'latency' | null;
}

function parseArgs(args: readonly string[]): Args {
  const a: Args = {
    queries: QUERIES.map((q) => q.name),
    events: 10_000_000,
    parallelism: 1,
    tps: DEFAULT_TPS,
    rate: null,
    seconds: 30,
    warmup: 5,
    json: false,
    memory: false,
    memoryEvents: [10_000_000, 50_000_000],
    seed: 42,
    cpuProfileDir: null,
    latencyTrace: null,
    checksum: true,
    finalChecksum: false,
    miniBatch: false,
    child: null,
  };
  let eventsGiven = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const num = (): number => {
      const raw = next();
      const v = Number(raw.replace(/_/g, ''));
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${arg} needs a positive number, got '${raw}'`);
      return v;
    };
    switch (arg) {
      case '--query':
      case '--queries': {
        const v = next();
        a.queries = v === 'all' ? QUERIES.map((q) => q.name) : v.split(',').map((s) => s.trim());
        break;
      }
      case '--events':
        a.events = num();
        eventsGiven = true;
        break;
      case '--parallelism':
        a.parallelism = num();
        break;
      case '--tps':
        a.tps = num();
        break;
      case '--rate':
        a.rate = num();
        break;
      case '--seconds':
        a.seconds = num();
        break;
      case '--warmup': {
        const raw = next();
        a.warmup = Number(raw);
        if (!Number.isFinite(a.warmup) || a.warmup < 0)
          throw new Error(`--warmup needs a number of seconds (0 for none), got '${raw}'`);
        break;
      }
      case '--seed':
        a.seed = num();
        break;
      case '--cpu-profile':
        a.cpuProfileDir = next();
        break;
      case '--latency-trace':
        a.latencyTrace = next();
        break;
      case '--mini-batch':
        a.miniBatch = true;
        break;
      case '--no-checksum':
        a.checksum = false;
        break;
      case '--final-checksum':
        a.finalChecksum = true;
        break;
      case '--json':
        a.json = true;
        break;
      case '--memory':
        a.memory = true;
        break;
      case '--memory-events':
        a.memoryEvents = next()
          .split(',')
          .map((s) => Number(s.replace(/_/g, '')));
        break;
      case '--child':
        a.child = next() === 'latency' ? 'latency' : 'run';
        break;
      default:
        throw new Error(`unknown option '${arg}' (see the header of scripts/bench-nexmark.ts)`);
    }
  }
  if (a.rate !== null && !eventsGiven) a.events = Math.round(a.rate * a.seconds);
  if (a.memory) a.queries = a.queries.filter((n) => QUERIES.find((q) => q.name === n)?.windowed === true);
  return a;
}

/** Runs one query in a fresh child process (this script in child mode) and parses its JSON line. */
function inChild<T>(query: string, mode: 'run' | 'latency', a: Args, events: number): T | { error: string } {
  const self = fileURLToPath(new URL('./bench.ts', import.meta.url));
  const argv = [
    'nexmark',
    '--child',
    mode,
    '--query',
    query,
    '--events',
    String(events),
    '--parallelism',
    String(a.parallelism),
    '--tps',
    String(a.tps),
    '--seed',
    String(a.seed),
  ];
  if (mode === 'latency') argv.push('--rate', String(a.rate), '--warmup', String(a.warmup));
  if (mode === 'latency' && a.latencyTrace !== null)
    argv.push('--latency-trace', a.latencyTrace.replace(/(\.\w+)?$/, `-${query}$1`));
  if (a.cpuProfileDir !== null) argv.push('--cpu-profile', a.cpuProfileDir);
  if (!a.checksum) argv.push('--no-checksum');
  if (a.finalChecksum) argv.push('--final-checksum');
  if (a.miniBatch) argv.push('--mini-batch');
  // An 8 GB heap, as each of Nexmark's TaskManagers had: the unbounded joins and aggregates (q4, q9, q20) keep
  // every row in state and pass Node's default heap limit at 10 M events.
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=8192', ...process.execArgv, self, ...argv],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 26,
    },
  );
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    const err = (
      child.stderr
        .trim()
        .split('\n')
        .find((l) => /Error|error/.test(l)) ??
      child.stderr.trim().split('\n').at(-1) ??
      `exit ${child.status}`
    ).trim();
    return { error: err };
  }
  return JSON.parse(line) as T;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');

export async function main(args: string[]): Promise<void> {
  const a = parseArgs(args);
  if (a.child === 'run') {
    process.stdout.write(JSON.stringify(await runQuery(a.queries[0] as string, a)) + '\n');
    return;
  }
  if (a.child === 'latency') {
    // Nexmark's runners measure after a warm-up job of the same query (../shared/NEXMARK.md §4.2): without it the
    // first ~0.4 s run on interpreted and baseline code below the paced rate, and the backlog they build is the
    // p99 of a stateless query by itself. The warm-up is a whole run of its own (same process, so the JIT keeps
    // what it compiled), paced at the same rate; its samples are dropped.
    if (a.warmup > 0)
      await runLatency(a.queries[0] as string, a.rate as number, Math.round((a.rate as number) * a.warmup), a.seed);
    process.stdout.write(
      JSON.stringify(
        await runLatency(a.queries[0] as string, a.rate as number, a.events, a.seed, a.latencyTrace),
      ) + '\n',
    );
    return;
  }
  const say = (s: string): void => void (a.json ? process.stderr : process.stdout).write(s + '\n');
  for (const q of a.queries) if (UNSUPPORTED[q] !== undefined) say(`${q}: not run — ${UNSUPPORTED[q]}`);
  const queries = a.queries.filter((q) => UNSUPPORTED[q] === undefined);
  say(`node ${process.version}, Nexmark, parallelism ${a.parallelism}, seed ${a.seed}`);

  if (a.rate !== null) {
    say(
      `latency mode: source paced at ${fmt(a.rate)} events/s, ${fmt(a.events)} events per query, after a ${a.warmup} s warm-up run of the same query (--warmup 0: none)`,
    );
    say('query  kind        samples      p50 ms    p99 ms  p99.9 ms    max ms    min ms  p99 after 1 s');
    for (const q of queries) {
      if (queryByName(q).latency === undefined) {
        say(`${q.padEnd(6)} (no latency measurement: the output carries no time)`);
        continue;
      }
      const r = inChild<LatencyResult>(q, 'latency', a, a.events);
      if ('error' in r) {
        say(`${q.padEnd(6)} FAILED: ${r.error}`);
        continue;
      }
      if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
      say(
        `${q.padEnd(6)} ${r.kind.padEnd(10)} ${String(r.samples).padStart(8)} ${[r.p50Ms, r.p99Ms, r.p999Ms, r.maxMs, r.minMs, r.p99SteadyMs].map((v) => v.toFixed(1).padStart(9)).join(' ')}`,
      );
    }
    return;
  }

  if (a.memory) {
    say(`memory mode: peak RSS of the windowed queries at ${a.memoryEvents.map(fmt).join(' and ')} events`);
    say(`query  ${a.memoryEvents.map((n) => `RSS MB @${fmt(n)}`.padStart(18)).join('')}   growth`);
    for (const q of queries) {
      const rs = a.memoryEvents.map((n) => inChild<NexmarkResult>(q, 'run', a, n));
      const ok = rs.filter((r): r is NexmarkResult => !('error' in r));
      for (const r of ok) if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
      const first = ok[0];
      const last = ok.at(-1);
      const growth =
        first !== undefined && last !== undefined && ok.length === rs.length
          ? `${(((last.peakRssMb - first.peakRssMb) / first.peakRssMb) * 100).toFixed(1)}%`
          : 'FAILED';
      say(
        `${q.padEnd(6)} ${rs.map((r) => ('error' in r ? 'failed' : r.peakRssMb.toFixed(0)).padStart(18)).join('')}   ${growth}`,
      );
    }
    return;
  }

  say(
    `${fmt(a.events)} events per query, event-time rate ${fmt(a.tps)}/s; CPU = process.cpuUsage (all threads, generator included)`,
  );
  say('query   events/CPU-s  events/s(wall)    CPU s   wall s  RSS MB    output rows  checksum');
  let total = 0;
  for (const q of queries) {
    const r = inChild<NexmarkResult>(q, 'run', a, a.events);
    if ('error' in r) {
      say(`${q.padEnd(6)} FAILED: ${r.error}`);
      continue;
    }
    total += r.wallSeconds;
    if (a.json) process.stdout.write(JSON.stringify(r) + '\n');
    say(
      `${q.padEnd(6)} ${fmt(r.eventsPerCpuSecond).padStart(13)} ${fmt(r.eventsPerSecond).padStart(15)} ${r.cpuSeconds.toFixed(2).padStart(8)} ${r.wallSeconds
        .toFixed(2)
        .padStart(
          8,
        )} ${r.peakRssMb.toFixed(0).padStart(7)} ${String(r.outputRows).padStart(14)}  ${r.checksum}`,
    );
  }
  say(`total query wall time ${total.toFixed(1)} s`);
}
