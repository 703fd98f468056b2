// The job graph as Flink's dashboard draws it: one node per vertex (an operator chain) with its live numbers,
// coloured by busy time and backpressure, and the exchanges between them as labelled edges. Layout is dagre's
// (layered, left to right); this file only turns positions into SVG. All text goes through lit-html bindings,
// so operator names from user SQL are never parsed as markup.
import { Graph, layout } from '@dagrejs/dagre';
import { svg, type TemplateResult } from 'lit-html';
import type { JobDetail, VertexDetail } from './api.js';
import { fmtCount, fmtPct, fmtRate, fmtWatermark, nodeColour } from './format.js';

const NODE_W = 260;
const NODE_H = 104;

interface Laid {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, { x: number; y: number }>;
  readonly edges: readonly {
    from: string;
    to: string;
    label: string;
    points: readonly { x: number; y: number }[];
  }[];
}

/** Layout depends only on the graph's shape: computed once per job, not on every refresh. */
const cache = new Map<string, Laid>();

function layoutOf(job: JobDetail): Laid {
  const key = `${job.jid}:${job.plan.nodes.map((n) => `${n.id}<${(n.inputs ?? []).map((i) => i.id).join(',')}`).join(';')}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 30, ranksep: 90, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of job.plan.nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  for (const n of job.plan.nodes) {
    for (const i of n.inputs ?? [])
      g.setEdge(
        i.id,
        n.id,
        { label: i.ship_strategy, width: 8 * i.ship_strategy.length, height: 14 },
        `${i.id}-${n.id}-${i.num}`,
      );
  }
  layout(g);
  const nodes = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number };
    nodes.set(id, { x: n.x, y: n.y });
  }
  const edges = g.edges().map((e) => {
    const l = g.edge(e) as { label: string; points: { x: number; y: number }[] };
    return { from: e.v, to: e.w, label: l.label, points: l.points };
  });
  const gl = g.graph() as { width?: number; height?: number };
  const laid: Laid = { width: gl.width ?? NODE_W, height: gl.height ?? NODE_H, nodes, edges };
  cache.set(key, laid);
  return laid;
}

/** Shortens a long chain name to fit the node, keeping its head and tail operators. */
function shorten(name: string, max: number): string {
  return name.length <= max ? name : `${name.slice(0, max / 2 - 1)}…${name.slice(name.length - max / 2 + 1)}`;
}

function node(
  v: VertexDetail,
  at: { x: number; y: number },
  selected: boolean,
  onClick: (id: string) => void,
): TemplateResult {
  const m = v.metrics;
  const x = at.x - NODE_W / 2;
  const y = at.y - NODE_H / 2;
  return svg`<g class="dag-node ${selected ? 'selected' : ''}" data-vertex=${v.id} transform="translate(${x},${y})" @click=${() => onClick(v.id)}>
    <title>${v.name}</title>
    <rect width=${NODE_W} height=${NODE_H} fill=${nodeColour(m['busy-ratio'], m['backpressured-ratio'])}></rect>
    <text class="title" x="8" y="16">${shorten(v.name, 38)}</text>
    <text x="8" y="34">Parallelism ${v.parallelism} · ${v.status}</text>
    <text x="8" y="50" data-metric="records-in">In ${fmtRate(m['read-records-per-second'])} (${fmtCount(m['read-records'])})</text>
    <text x="8" y="66" data-metric="records-out">Out ${fmtRate(m['write-records-per-second'])} (${fmtCount(m['write-records'])})</text>
    <text x="8" y="82">Busy ${fmtPct(m['busy-ratio'])} · Backpressure ${fmtPct(m['backpressured-ratio'])}</text>
    <text x="8" y="98">WM ${fmtWatermark(m['current-input-watermark'] ?? m['current-output-watermark'])} · Late ${fmtCount(m['late-records-dropped'])}</text>
  </g>`;
}

export function dag(job: JobDetail, selected: string | null, onClick: (id: string) => void): TemplateResult {
  const laid = layoutOf(job);
  const byId = new Map(job.vertices.map((v) => [v.id, v]));
  const edges = laid.edges.map((e) => {
    const pts = e.points;
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    const mid = pts[Math.floor(pts.length / 2)] ?? { x: 0, y: 0 };
    return svg`<g class="dag-edge"><path d=${d} marker-end="url(#arrow)"></path><text x=${mid.x} y=${mid.y - 4} text-anchor="middle">${e.label}</text></g>`;
  });
  const nodes = [...laid.nodes].flatMap(([id, at]) => {
    const v = byId.get(id);
    return v === undefined ? [] : [node(v, at, id === selected, onClick)];
  });
  return svg`<svg width=${laid.width} height=${laid.height} viewBox="0 0 ${laid.width} ${laid.height}" data-testid="dag">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#7b8794"></path></marker></defs>
    ${edges}${nodes}
  </svg>`;
}
