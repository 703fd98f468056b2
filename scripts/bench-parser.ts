// Parser benchmark: statements per second for Nexmark-sized statements (DESIGN.md: measured, not a timed test).
// Run with `npx tsx scripts/bench-parser.ts` or `npm run bench:parser`. tsx compiles with esbuild's keepNames,
// which wraps every arrow function in a naming call and slows chevrotain's embedded actions several times over,
// so the parser is first transpiled with TypeScript into .cache/ and the plain JavaScript is measured.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'bench-parser');

function transpileTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) transpileTree(path);
    else if (entry.name.endsWith('.ts')) {
      const js = ts.transpileModule(readFileSync(path, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, useDefineForClassFields: true },
      }).outputText;
      const target = join(out, relative(root, path)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, js);
    }
  }
}

/** The measurement, run by plain node on the transpiled parser (never through tsx's loader). */
const RUNNER = `
import { readFileSync } from 'node:fs';
const parser = await import('./parser/index.js');
const corpus = readFileSync(process.argv[2], 'utf8');
const all = parser.parseStatements(corpus).map((s) => corpus.slice(s.span.start, s.span.end));
const nexmark = all.filter((s) => /^INSERT INTO nexmark_q/.test(s));
const words = (s) => s.split(/\\s+/).length;
for (const [name, statements] of [['Nexmark queries (q0-q22)', nexmark], ['whole corpus', all]]) {
  // Warm up the JIT, then time whole passes over the set for about two seconds.
  for (let i = 0; i < 300; i++) for (const s of statements) parser.parseStatements(s);
  let n = 0;
  const passes = [];
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < 2000) {
    const t0 = performance.now();
    for (const s of statements) parser.parseStatements(s);
    passes.push(performance.now() - t0);
    n += statements.length;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const avg = statements.reduce((a, s) => a + words(s), 0) / statements.length;
  const fmt = (x) => Math.round(x).toLocaleString('en-US');
  // Per CPU-second as well: on a shared machine the wall-clock rate mostly measures the other processes.
  // And from the passes (one parse of every statement each) that no other process or collection interrupted:
  // the 10th-percentile pass, which moves far less with the machine's load than the totals above.
  passes.sort((a, b) => a - b);
  const p10 = passes[Math.floor(passes.length / 10)];
  console.log(name + ': ' + statements.length + ' statements, ~' + avg.toFixed(0) + ' words each: ' + fmt(n / seconds) + ' statements/s (wall), ' + fmt(n / cpuSeconds) + ' per CPU-second, ' + fmt(statements.length / (p10 / 1000)) + ' in an uninterrupted pass (p10)');
}
`;

function main(): void {
  transpileTree(join(root, 'parser'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(out, 'run.mjs'), RUNNER);
  const r = spawnSync(process.execPath, [join(out, 'run.mjs'), join(root, 'test', 'parser', 'corpus.sql')], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

main();
