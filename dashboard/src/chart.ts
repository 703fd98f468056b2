// A small live line chart (SVG polyline) over the samples the job page keeps: throughput and watermark lag over
// the last minutes, one sample per refresh.
import { svg, type TemplateResult } from 'lit-html';

export interface Series {
  readonly at: number[];
  readonly values: number[];
}

const W = 600;
const H = 140;
const PAD = 28;

export function lineChart(s: Series, fmt: (v: number) => string, testid: string): TemplateResult {
  const n = s.values.length;
  const max = Math.max(1, ...s.values);
  const t0 = s.at[0] ?? 0;
  const t1 = s.at[n - 1] ?? 1;
  const span = Math.max(1, t1 - t0);
  const pts = s.values
    .map(
      (v, i) =>
        `${PAD + ((W - PAD - 4) * ((s.at[i] as number) - t0)) / span},${H - 16 - ((H - 26) * v) / max}`,
    )
    .join(' ');
  return svg`<svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" data-testid=${testid} data-last=${n === 0 ? '' : String(s.values[n - 1])}>
    <text class="axis" x="2" y="12">${fmt(max)}</text>
    <text class="axis" x="2" y=${H - 18}>0</text>
    <text class="axis" x=${W - 60} y=${H - 2}>${n === 0 ? '' : `${Math.round(span / 1000)} s`}</text>
    <polyline points=${pts}></polyline>
  </svg>`;
}
