// Measures the Nexmark generator alone on one core: events per CPU-second (user + system of the whole process,
// so GC threads count too, from process.cpuUsage) and per wall-second, plus peak RSS. It reads the compiled
// dist/ output, so build first (npx picks the project's Node 22; the machine's own node may be older):
//   npm run build && npx node --experimental-strip-types scripts/bench-nexmark-generator.ts [events] [batchRows] [runs]
import type * as Nexmark from '../connectors/nexmark/index.js';

const nexmark = (await import(new URL('../dist/connectors/nexmark/index.js', import.meta.url).href)) as typeof Nexmark;

const events = Number(process.argv[2] ?? 50_000_000);
const batchRows = Number(process.argv[3] ?? 8192);
const runs = Number(process.argv[4] ?? 3);

interface Scenario {
  readonly name: string;
  readonly options: Record<string, string>;
  readonly parallelism: number;
  readonly split: number;
}

// The connector defaults (P = 1) and one split each of V1 (10 M/s over P = 8) and V2 (100 k/s over P = 8): the
// same work per event, but other event-time spacings and auction lengths.
const scenarios: Scenario[] = [
  { name: 'defaults, P=1', options: {}, parallelism: 1, split: 0 },
  { name: 'V1 split 3 of 8', options: { 'first-event.rate': '10000000', 'events.num': '100000000' }, parallelism: 8, split: 3 },
  { name: 'V2 split 5 of 8', options: { 'first-event.rate': '100000', 'events.num': '200000000' }, parallelism: 8, split: 5 },
];

interface Run {
  readonly rows: number;
  readonly cpuS: number;
  readonly wallS: number;
}

function run(s: Scenario, count: number): Run {
  const config = nexmark.parseNexmarkOptions({ ...s.options, seed: '1' });
  const gen = new nexmark.NexmarkGenerator(config, nexmark.nexmarkSplit(config, s.parallelism, s.split, 0));
  let rows = 0;
  let checksum = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  while (rows < count) {
    const batch = gen.nextBatch(Math.min(batchRows, count - rows));
    if (batch === null) break;
    rows += batch.length;
    // Touch the output, so that nothing can be skipped as unused.
    const dt = batch.columns[4];
    if (dt !== undefined && dt.kind === 'f64') checksum += dt.values[batch.length - 1] as number;
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  if (checksum < 0) throw new Error('unreachable: event times are not negative');
  return { rows, cpuS: (cpu.user + cpu.system) / 1e6, wallS };
}

const millions = (x: number): string => (x / 1e6).toFixed(2);

console.log(
  `node ${process.version}; up to ${events.toLocaleString('en-US')} events per run, ${runs} runs per scenario, batches of ${batchRows} rows`,
);
for (const s of scenarios) {
  run(s, Math.min(events, 2_000_000)); // warm-up: let the JIT settle before measuring
  const results = Array.from({ length: runs }, () => run(s, events));
  const perCpu = results.map((r) => r.rows / r.cpuS).sort((a, b) => a - b);
  const perWall = results.map((r) => r.rows / r.wallS).sort((a, b) => a - b);
  const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)] as number;
  console.log(
    `${s.name.padEnd(16)} median ${millions(median(perCpu))} M events/CPU-s (best ${millions(perCpu[perCpu.length - 1] as number)}), ` +
      `median ${millions(median(perWall))} M events/wall-s; ${(results[0] as Run).rows.toLocaleString('en-US')} events a run`,
  );
}
// maxRSS is in KiB.
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
