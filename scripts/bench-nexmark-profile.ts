// Summarises a V8 CPU profile (`npm run bench -- nexmark --cpu-profile DIR`, or `node --cpu-prof`): self time
// per function and per source file, the numbers docs/benchmarks.md quotes for "where the time goes".
//   npx tsx scripts/bench-nexmark-profile.ts DIR/q1-p1.cpuprofile [top N]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export function summarise(profile: Profile, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const perNode = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const d = profile.timeDeltas[i] ?? 0;
    perNode.set(id, (perNode.get(id) ?? 0) + d);
    total += d;
  });
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, t] of perNode) {
    const cf = (byId.get(id) as ProfileNode).callFrame;
    const file = cf.url === '' ? '(native)' : cf.url.replace(/^file:\/\//, '').replace(/^.*\/(work\/main|f-build)\//, '');
    const fn = `${cf.functionName === '' ? '(anonymous)' : cf.functionName} ${file}:${cf.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + t);
    files.set(file, (files.get(file) ?? 0) + t);
  }
  const pct = (t: number): string => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${(total / 1e6).toFixed(2)} s sampled`,
    'self time by function:',
    ...sorted(fns).map(([k, t]) => `  ${pct(t)}  ${k}`),
    'self time by file:',
    ...sorted(files).map(([k, t]) => `  ${pct(t)}  ${k}`),
  ];
}

const [file, n] = process.argv.slice(2);
if (file !== undefined) {
  for (const line of summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(n ?? 25))) console.log(line);
}
