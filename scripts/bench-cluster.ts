// The cluster benchmark (issue 6): a keyed tumbling-window count (generator → map → filter → keyBy → 1 s
// tumbling event-time count, the runtime suite's window-batch job) on the MiniCluster at parallelism 1 and 2,
// sources included (the generator splits its sequence over the readers). Reported: events per second of wall time
// and per CPU-second (process.cpuUsage covers every thread of the process), peak RSS. Each run is a fresh child
// process, slots warmed by a small job first so that module loading in the slot threads is not timed.
// This module is also the job builder the slots import (`buildJobGraph`), so it must stay free of side effects.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  GeneratorSource,
  MiniCluster,
  Schema,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  makeBatch,
  takeRows,
  type BuildContext,
  type JobGraph,
  type RecordBatch,
} from '../executor/index.js';

const schema = Schema.of(
  ['key', Types.INT(false)],
  ['value', Types.DOUBLE(false)],
  ['ts', Types.DOUBLE(false)],
);
const KEYS = 1000;
const EVENTS_PER_MS = 100;

function generate(from: number, n: number): RecordBatch {
  const key = new Int32Array(n);
  const value = new Float64Array(n);
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const seq = from + i;
    key[i] = (seq * 7919) % KEYS;
    value[i] = seq % 1000;
    ts[i] = Math.floor(seq / EVENTS_PER_MS);
  }
  return makeBatch(
    schema,
    [
      { kind: 'i32', values: key, validity: null },
      { kind: 'f64', values: value, validity: null },
      { kind: 'f64', values: ts, validity: null },
    ],
    n,
  );
}

function doubleValue(b: RecordBatch): RecordBatch {
  const v = (b.columns[1] as { values: Float64Array }).values;
  const out = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = (v[i] as number) * 2;
  return {
    ...b,
    columns: [
      b.columns[0],
      { kind: 'f64', values: out, validity: null },
      b.columns[2],
    ] as RecordBatch['columns'],
  };
}

function notMultipleOf3(b: RecordBatch): RecordBatch | null {
  const v = (b.columns[1] as { values: Float64Array }).values;
  const sel = new Int32Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) if ((v[i] as number) % 3 !== 0) sel[n++] = i;
  return n === 0 ? null : takeRows(b, sel, n);
}

export interface BenchPayload {
  readonly events: number;
  readonly parallelism: number;
}

/** The job, built alike in the JobManager and in every slot. */
export function buildJobGraph(payload: unknown, _ctx: BuildContext): JobGraph {
  const p = payload as BenchPayload;
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: p.parallelism });
  const source = new GeneratorSource(schema, generate, { count: p.events, batchSize: 1024 });
  env
    .fromSource(
      source,
      WatermarkStrategy.forBoundedOutOfOrderness(0).withTimestampAssigner('ts'),
      'generator',
    )
    .mapBatch(doubleValue, schema, 'Map')
    .mapBatch(notMultipleOf3, schema, 'Filter')
    .keyBy('key')
    .window(TumblingEventTimeWindows.of(1000))
    .count(Schema.of(['n', Types.INT()]))
    .addSink(() => ({ write: () => {}, finish: () => {}, close: async () => {} }), 'discard');
  return env.getJobGraph(`window-count P=${p.parallelism}`);
}

interface Result {
  readonly parallelism: number;
  readonly events: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
  /**
   * Per subtask (vertex name, index): ms busy, idle (waiting for input) and backpressured (waiting for credit or
   * channel room), Flink's busy/idle/backPressuredTimeMsPerSecond summed over the run: where P=2 loses time.
   */
  readonly subtasks: readonly { name: string; busyMs: number; idleMs: number; backPressuredMs: number }[];
}

async function runOne(parallelism: number, events: number): Promise<Result> {
  const cluster = await MiniCluster.start({ 'taskmanager.numberOfTaskSlots': '2' });
  try {
    const builder = import.meta.url;
    // Warm-up: every slot imports the builder and compiles the operators once.
    await (
      await cluster.submit({ name: 'warm-up', builder, payload: { events: 200_000, parallelism: 2 } })
    ).getJobExecutionResult();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    // The DataStream environment's defaults (what the runtime suite's LocalJob runs with).
    const execution = { bufferTimeout: 10, autoWatermarkInterval: 200 };
    const job = await cluster.submit({
      name: 'bench',
      builder,
      payload: { events, parallelism } satisfies BenchPayload,
      execution,
    });
    await job.getJobExecutionResult();
    const wallSeconds = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const subtasks = job.executions.flatMap((e) => {
      const r = e.report;
      if (r === null) return [];
      const idleMs = r.counters['idleTimeMs'] ?? 0;
      const backPressuredMs = r.counters['backPressuredTimeMs'] ?? 0;
      const wall = r.endedAt - r.startedAt;
      return [
        {
          name: `${e.vertex.name}#${e.index}`,
          busyMs: Math.round(wall - idleMs - backPressuredMs),
          idleMs: Math.round(idleMs),
          backPressuredMs: Math.round(backPressuredMs),
        },
      ];
    });
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    return {
      parallelism,
      events,
      wallSeconds,
      cpuSeconds,
      eventsPerSecond: events / wallSeconds,
      eventsPerCpuSecond: events / cpuSeconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      subtasks,
    };
  } finally {
    await cluster.close();
  }
}

export async function main(args: string[]): Promise<void> {
  let events = 10_000_000;
  let child: number | null = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--events') events = Number(args[++i]);
    else if (args[i] === '--parallelism') child = Number(args[++i]);
  }
  if (child !== null) {
    process.stdout.write(JSON.stringify(await runOne(child, events)) + '\n');
    return;
  }
  const self = fileURLToPath(new URL('./bench.ts', import.meta.url));
  const results: Result[] = [];
  for (const p of [1, 2]) {
    const r = spawnSync(
      process.execPath,
      [...process.execArgv, self, 'cluster', '--parallelism', String(p), '--events', String(events)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = r.stdout.trim().split('\n').pop() ?? '';
    results.push(JSON.parse(line) as Result);
  }
  console.log('parallelism  events      wall s  cpu s   events/s    events/cpu-s  peak RSS MB');
  for (const r of results)
    console.log(
      `${String(r.parallelism).padEnd(12)} ${String(r.events).padEnd(11)} ${r.wallSeconds.toFixed(2).padEnd(7)} ${r.cpuSeconds.toFixed(2).padEnd(7)} ${Math.round(r.eventsPerSecond).toLocaleString('en-US').padEnd(11)} ${Math.round(r.eventsPerCpuSecond).toLocaleString('en-US').padEnd(13)} ${r.peakRssMb.toFixed(0)}`,
    );
  for (const r of results)
    console.log(
      `P=${r.parallelism} subtasks (busy/idle/backpressured ms): ${r.subtasks.map((t) => `${t.name} ${t.busyMs}/${t.idleMs}/${t.backPressuredMs}`).join(', ')}`,
    );
  const [p1, p2] = results as [Result, Result];
  console.log(`speed-up at P=2 (wall): ${(p2.eventsPerSecond / p1.eventsPerSecond).toFixed(2)}x`);
  console.log(
    JSON.stringify({ suite: 'cluster', results, speedup: p2.eventsPerSecond / p1.eventsPerSecond }),
  );
}
