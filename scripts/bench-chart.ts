// The Nexmark chart of docs/benchmarks.md: events per CPU-second per query, Freshet (from the JSON lines of
// `npm run bench -- nexmark --json`) against the published per-core figures of Flink (Nexmark V1 and V2) and
// Feldera, on a log scale. Plain SVG text, no dependency.
//   npm run bench -- nexmark --json > p1.jsonl; npx tsx scripts/bench-chart.ts p1.jsonl [p2.jsonl] > docs/nexmark.svg
import { readFileSync } from 'node:fs';
import { PUBLISHED, QUERIES } from './bench-nexmark-queries.js';

interface Row {
  readonly query: string;
  readonly parallelism: number;
  readonly events: number;
  readonly eventsPerCpuSecond: number;
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly value: (q: string) => number | undefined;
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v: number): string {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  return `${Math.round(v / 1e3)} K`;
}

export function chart(runs: readonly (readonly Row[])[], title: string): string {
  const freshet: Series[] = runs.map((rows, i) => {
    const p = rows[0]?.parallelism ?? 1;
    const byQuery = new Map(rows.map((r) => [r.query, r.eventsPerCpuSecond]));
    return {
      label: `Freshet, parallelism ${p}`,
      color: i === 0 ? '#1f6feb' : '#6ea8fe',
      value: (q: string) => byQuery.get(q),
    };
  });
  const series: Series[] = [
    ...freshet,
    {
      label: 'Flink 2.0 (Nexmark V2, per core)',
      color: '#e8590c',
      value: (q) => mult(PUBLISHED[q]?.flinkV2),
    },
    {
      label: 'Flink 1.13 (Nexmark V1, per core)',
      color: '#f4a261',
      value: (q) => mult(PUBLISHED[q]?.flinkV1),
    },
    {
      label: 'Feldera / DBSP (per worker core)',
      color: '#2a9d8f',
      value: (q) => mult(PUBLISHED[q]?.feldera),
    },
  ];
  const queries = QUERIES.map((q) => q.name).filter((q) => freshet.some((s) => s.value(q) !== undefined));
  const barH = 7;
  const groupH = series.length * barH + 10;
  const left = 60;
  const width = 900;
  const plotW = width - left - 130;
  const top = 70;
  const height = top + queries.length * groupH + 40;
  const lo = 1e4;
  const hi = 1e7;
  const x = (v: number): number =>
    left + (Math.log10(Math.min(Math.max(v, lo), hi) / lo) / Math.log10(hi / lo)) * plotW;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`);
  series.forEach((s, i) => {
    const lx = left + (i % 3) * 260;
    const ly = 36 + Math.floor(i / 3) * 14;
    out.push(
      `<rect x="${lx}" y="${ly - 8}" width="10" height="8" fill="${s.color}"/><text x="${lx + 14}" y="${ly}">${escape(s.label)}</text>`,
    );
  });
  for (let e = 4; e <= 7; e++) {
    const gx = x(10 ** e);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 30}" stroke="#ccc"/>`);
    out.push(`<text x="${gx}" y="${height - 16}" text-anchor="middle">${fmt(10 ** e)}</text>`);
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${height - 3}" text-anchor="middle">events per CPU-second (log scale)</text>`,
  );
  queries.forEach((q, qi) => {
    const gy = top + qi * groupH;
    out.push(`<text x="${left - 8}" y="${gy + groupH / 2}" text-anchor="end" font-weight="bold">${q}</text>`);
    series.forEach((s, si) => {
      const v = s.value(q);
      if (v === undefined) return;
      const y = gy + si * barH;
      out.push(
        `<rect x="${left}" y="${y}" width="${(x(v) - left).toFixed(1)}" height="${barH - 1}" fill="${s.color}"/>`,
      );
      out.push(`<text x="${(x(v) + 3).toFixed(1)}" y="${y + barH - 1}" font-size="8">${fmt(v)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function mult(k: number | undefined): number | undefined {
  return k === undefined ? undefined : k * 1000;
}

const files = process.argv.slice(2);
if (files.length > 0) {
  const runs = files.map((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Row),
  );
  const events = runs[0]?.[0]?.events ?? 0;
  process.stdout.write(
    chart(
      runs,
      `Nexmark: events per CPU-second per query (Freshet at ${events.toLocaleString('en')} events, generator included)`,
    ),
  );
}
