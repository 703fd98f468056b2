// Measures the Nexmark generator alone on one core: events per CPU-second (user + system, GC included, from
// process.cpuUsage) and per wall-second, plus peak RSS. Reads the compiled dist/ output, so build first:
//   npm run build && node --experimental-strip-types scripts/bench-nexmark-generator.ts [events] [batchRows]
import type * as Nexmark from '../connectors/nexmark/index.js';

const nexmark = (await import(new URL('../dist/connectors/nexmark/index.js', import.meta.url).href)) as typeof Nexmark;

const events = Number(process.argv[2] ?? 50_000_000);
const batchRows = Number(process.argv[3] ?? 8192);

interface Scenario {
  readonly name: string;
  readonly options: Record<string, string>;
  readonly parallelism: number;
  readonly split: number;
}

// The connector defaults (P = 1) and one V1 split (10 M/s over P = 8): the same work per event, but V1's
// 1–4 ms auctions and 0.8 µs spacing exercise other timestamp values.
const scenarios: Scenario[] = [
  { name: 'defaults, P=1', options: {}, parallelism: 1, split: 0 },
  { name: 'V1 split 3 of 8', options: { 'first-event.rate': '10000000', 'events.num': '100000000' }, parallelism: 8, split: 3 },
];

function run(s: Scenario, count: number): { cpuS: number; wallS: number; rows: number; checksum: number } {
  const config = nexmark.parseNexmarkOptions(s.options);
  const gen = new nexmark.NexmarkGenerator(config, nexmark.nexmarkSplit(config, s.parallelism, s.split, 0));
  let rows = 0;
  let checksum = 0;
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  while (rows < count) {
    const batch = gen.nextBatch(Math.min(batchRows, count - rows));
    if (batch === null) break;
    rows += batch.length;
    // Touch the output so that no part of the work can be skipped.
    const dt = batch.columns[4];
    if (dt !== undefined && dt.kind === 'f64') checksum += dt.values[batch.length - 1] as number;
  }
  const cpu = process.cpuUsage(cpu0);
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  return { cpuS: (cpu.user + cpu.system) / 1e6, wallS, rows, checksum };
}

console.log(`node ${process.version}, ${events.toLocaleString('en-US')} events per scenario, batches of ${batchRows} rows`);
for (const s of scenarios) {
  run(s, Math.min(events, 2_000_000)); // warm-up: let the JIT settle before measuring
  const r = run(s, events);
  console.log(
    `${s.name.padEnd(18)} ${(r.rows / r.cpuS / 1e6).toFixed(2)} M events/CPU-s   ${(r.rows / r.wallS / 1e6).toFixed(2)} M events/wall-s   ` +
      `(${r.rows.toLocaleString('en-US')} events, ${r.cpuS.toFixed(2)} CPU-s, checksum ${r.checksum})`,
  );
}
// maxRSS is in KiB.
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
