// The runtime benchmark (issue 5): map -> filter -> keyBy -> tumbling event-time count on one core, reported
// as events per CPU-second (process.cpuUsage, so idle waiting does not flatter it) and peak RSS. Each scenario
// runs in a fresh child process so that its peak RSS is its own. Two flavours: columnar batch functions (what
// SQL operators use) and per-row user functions (the convenient DataStream form, paying a row array per call).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  GeneratorSource,
  Schema,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  makeBatch,
  takeRows,
  type DataStream,
  type RecordBatch,
} from '../executor/index.js';

const schema = Schema.of(['key', Types.INT(false)], ['value', Types.DOUBLE(false)], ['ts', Types.DOUBLE(false)]);
const KEYS = 1000;
/** Events per millisecond of event time: a 1 s window holds 100k events, ~100 per key. */
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

/** value * 2, as a columnar function: one new column, the others shared. */
function doubleValue(b: RecordBatch): RecordBatch {
  const v = (b.columns[1] as { values: Float64Array }).values;
  const out = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = (v[i] as number) * 2;
  const cols = [b.columns[0], { kind: 'f64', values: out, validity: null }, b.columns[2]] as RecordBatch['columns'];
  return { ...b, columns: cols };
}

/** Keeps rows whose value is not a multiple of 3 (two thirds). */
function notMultipleOf3(b: RecordBatch): RecordBatch | null {
  const v = (b.columns[1] as { values: Float64Array }).values;
  const sel = new Int32Array(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) if ((v[i] as number) % 3 !== 0) sel[n++] = i;
  return n === 0 ? null : takeRows(b, sel, n);
}

type Scenario = 'stateless-batch' | 'window-batch' | 'stateless-row' | 'window-row';
const SCENARIOS: readonly Scenario[] = ['stateless-batch', 'window-batch', 'stateless-row', 'window-row'];

interface Result {
  readonly scenario: Scenario;
  readonly events: number;
  readonly outputRows: number;
  readonly cpuSeconds: number;
  readonly wallSeconds: number;
  readonly eventsPerCpuSecond: number;
  readonly peakRssMb: number;
}

async function runScenario(scenario: Scenario, events: number): Promise<Result> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ parallelism: 1 });
  const source = new GeneratorSource(schema, generate, { count: events, batchSize: 1024 });
  const rowFlavour = scenario.endsWith('-row');
  let stream: DataStream = env.fromSource(
    source,
    WatermarkStrategy.forBoundedOutOfOrderness(0).withTimestampAssigner('ts'),
    'generator',
  );
  stream = rowFlavour
    ? stream.map((r) => [r[0] as number, (r[1] as number) * 2, r[2] as number]).filter((r) => (r[1] as number) % 3 !== 0)
    : stream.mapBatch(doubleValue, schema, 'Map').mapBatch(notMultipleOf3, schema, 'Filter');
  if (scenario.startsWith('window')) {
    stream = stream
      .keyBy('key')
      .window(TumblingEventTimeWindows.of(1000))
      .count(Schema.of(['n', Types.INT()]));
  }
  let outputRows = 0;
  stream.addSink(() => ({
    write: (b) => void (outputRows += b.length),
    finish: () => {},
    close: async () => {},
  }));
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await env.execute(scenario);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    scenario,
    events,
    outputRows,
    cpuSeconds,
    wallSeconds: (performance.now() - wall0) / 1000,
    eventsPerCpuSecond: events / cpuSeconds,
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function parseArgs(args: string[]): { events: number; scenario: Scenario | null } {
  let events = 10_000_000;
  let scenario: Scenario | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--events') events = Number(args[++i]);
    else if (a === '--scenario') scenario = args[++i] as Scenario;
  }
  return { events, scenario };
}

export async function main(args: string[]): Promise<void> {
  const { events, scenario } = parseArgs(args);
  if (scenario !== null) {
    // Child mode: run one scenario and report it as JSON on stdout.
    process.stdout.write(JSON.stringify(await runScenario(scenario, events)) + '\n');
    return;
  }
  const self = fileURLToPath(new URL('./bench.ts', import.meta.url));
  const results: Result[] = [];
  for (const s of SCENARIOS) {
    // Row-at-a-time user functions are slower; fewer events keep the run short.
    const n = s.endsWith('-row') ? Math.max(1, Math.floor(events / 5)) : events;
    const child = spawnSync(process.execPath, [...process.execArgv, self, 'runtime', '--scenario', s, '--events', String(n)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`scenario ${s} failed (exit ${child.status})`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as Result);
  }
  console.log(`node ${process.version}, ${events.toLocaleString('en')} events (row flavours: a fifth), parallelism 1`);
  console.log('scenario           events/CPU-s   CPU s   wall s  peak RSS MB  output rows');
  for (const r of results) {
    console.log(
      `${r.scenario.padEnd(18)} ${Math.round(r.eventsPerCpuSecond).toLocaleString('en').padStart(12)} ${r.cpuSeconds
        .toFixed(2)
        .padStart(7)} ${r.wallSeconds.toFixed(2).padStart(8)} ${r.peakRssMb.toFixed(0).padStart(12)} ${String(r.outputRows).padStart(12)}`,
    );
  }
  console.log(JSON.stringify({ suite: 'runtime', results }));
}
