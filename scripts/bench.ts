// `npm run bench -- <suite> [options]`: the benchmark dispatcher. Each suite lives in its own module and
// prints a table plus a JSON line; docs/benchmarks.md records the numbers. Suites: runtime (the DataStream
// runtime, issue 5), nexmark (the Nexmark queries end to end, issue 11). Measurements, not tests: nothing here
// asserts.
const suites: Record<string, () => Promise<{ main(args: string[]): Promise<void> }>> = {
  runtime: () => import('./bench-runtime.js'),
  nexmark: () => import('./bench-nexmark.js'),
  cluster: () => import('./bench-cluster.js'),
};

const [name = 'runtime', ...rest] = process.argv.slice(2);
const load = suites[name];
if (load === undefined) {
  console.error(`unknown benchmark suite '${name}'; available: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
await (await load()).main(rest);
