// The JobGraph: StreamGraph nodes fused into chains (Flink's operator chaining). A chain runs in one subtask and
// passes batches by direct calls; only edges between chains go through channels. Two nodes chain when the edge
// between them is forward with equal parallelism, carries the main output, the upstream has no other outputs and
// the downstream no other inputs (so no channel could be bypassed).
import { describeEdge, type StreamEdge, type StreamGraph, type StreamNode } from './stream-graph.js';

export interface JobVertex {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Head first. The head of a source vertex is the source node. */
  readonly chain: readonly StreamNode[];
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

/** An edge between two chains: the stream edge leaving the upstream chain's tail node. */
export interface JobEdge {
  readonly source: number;
  readonly target: number;
  readonly edge: StreamEdge;
}

export interface JobGraph {
  readonly jobName: string;
  /** In topological order (sources first). */
  readonly vertices: readonly JobVertex[];
}

export function isChainable(e: StreamEdge, g: StreamGraph): boolean {
  const up = g.nodes.get(e.source) as StreamNode;
  const down = g.nodes.get(e.target) as StreamNode;
  return (
    e.partitioner.kind === 'forward' &&
    e.sideOutputTag === null &&
    up.parallelism === down.parallelism &&
    up.outEdges.length === 1 &&
    down.inEdges.length === 1 &&
    !(down.body.kind === 'operator' && down.body.inputs === 2)
  );
}

export function buildJobGraph(g: StreamGraph): JobGraph {
  const headOf = new Map<number, number>(); // node id -> id of its chain's head
  const order = topologicalOrder(g);
  const chains = new Map<number, StreamNode[]>();
  for (const n of order) {
    const e = n.inEdges[0];
    if (n.inEdges.length === 1 && e !== undefined && isChainable(e, g)) {
      const head = headOf.get(e.source) as number;
      headOf.set(n.id, head);
      (chains.get(head) as StreamNode[]).push(n);
    } else {
      headOf.set(n.id, n.id);
      chains.set(n.id, [n]);
    }
  }
  const vertices = new Map<number, JobVertex>();
  for (const [head, chain] of chains) {
    const h = chain[0] as StreamNode;
    vertices.set(head, {
      id: head,
      name: chain.map((c) => c.name).join(' -> '),
      parallelism: h.parallelism,
      maxParallelism: h.maxParallelism,
      chain,
      inputs: [],
      outputs: [],
    });
  }
  for (const n of order) {
    for (const e of n.outEdges) {
      const from = headOf.get(e.source) as number;
      const to = headOf.get(e.target) as number;
      if (from === to) continue;
      const je: JobEdge = { source: from, target: to, edge: e };
      (vertices.get(from) as JobVertex).outputs.push(je);
      (vertices.get(to) as JobVertex).inputs.push(je);
    }
  }
  return { jobName: g.jobName, vertices: order.filter((n) => headOf.get(n.id) === n.id).map((n) => vertices.get(n.id) as JobVertex) };
}

function topologicalOrder(g: StreamGraph): StreamNode[] {
  const out: StreamNode[] = [];
  const seen = new Set<number>();
  const visit = (n: StreamNode): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    for (const e of n.inEdges) visit(g.nodes.get(e.source) as StreamNode);
    out.push(n);
  };
  for (const n of [...g.nodes.values()].sort((a, b) => a.id - b.id)) visit(n);
  return out;
}

/** The job graph as stable text, one vertex per line with its inputs: for EXPLAIN and golden tests. */
export function explainJobGraph(j: JobGraph): string {
  return j.vertices
    .map((v) => {
      const ins = v.inputs.map((i) => `${describeEdge(i.edge)} from ${i.source}`).join(', ');
      return `${v.id}: ${v.name} [parallelism=${v.parallelism}]${ins === '' ? '' : ` <- ${ins}`}`;
    })
    .join('\n');
}
