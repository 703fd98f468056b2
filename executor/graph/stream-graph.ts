// The StreamGraph: one node per real transformation, edges carrying the partitioner, the side-output tag and
// the input number of the target. Virtual transformations (partition, union, side output) are folded into the
// edges here. The default partitioner is Flink's: forward when parallelism matches, rebalance otherwise.
import type { StreamOperator } from '../runtime/operator.js';
import { describePartitioner, type Partitioner } from '../runtime/partitioner.js';
import type { Source } from '../runtime/source.js';
import type { Schema } from '../types/schema.js';
import type { Transformation } from './transformation.js';

/** Creates a fresh operator instance for one subtask (operators hold per-subtask state). */
export type OperatorFactory = () => StreamOperator;

export type NodeBody =
  | { readonly kind: 'source'; readonly source: Source }
  | { readonly kind: 'operator'; readonly factory: OperatorFactory; readonly inputs: 1 | 2 }
  | { readonly kind: 'sink'; readonly factory: OperatorFactory };

export interface StreamNode {
  readonly id: number;
  readonly name: string;
  readonly uid: string | null;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly outputSchema: Schema;
  readonly body: NodeBody;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

export interface StreamEdge {
  readonly source: number;
  readonly target: number;
  readonly partitioner: Partitioner;
  /** The OutputTag id when the edge carries a side output, null for the main output. */
  readonly sideOutputTag: string | null;
  /** 0 for the first (or only) input of the target, 1 for the second input of a two-input operator. */
  readonly inputIndex: number;
}

export interface StreamGraph {
  readonly jobName: string;
  readonly nodes: ReadonlyMap<number, StreamNode>;
}

export interface GraphConfig {
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
}

interface Upstream {
  readonly node: number;
  readonly partitioner: Partitioner | null;
  readonly tag: string | null;
}

/** Builds the graph reachable from the given sinks (Flink generates it from every transformation added). */
export function buildStreamGraph(jobName: string, sinks: readonly Transformation[], cfg: GraphConfig): StreamGraph {
  const nodes = new Map<number, StreamNode>();
  const resolved = new Map<number, Upstream[]>();

  const node = (t: Transformation, body: NodeBody): StreamNode => {
    const n: StreamNode = {
      id: t.id,
      name: t.name,
      uid: t.uid,
      parallelism: t.parallelism ?? cfg.defaultParallelism,
      maxParallelism: cfg.maxParallelism,
      outputSchema: t.outputSchema,
      body,
      inEdges: [],
      outEdges: [],
    };
    nodes.set(t.id, n);
    return n;
  };

  const connect = (ups: readonly Upstream[], target: StreamNode, inputIndex: number): void => {
    for (const u of ups) {
      const src = nodes.get(u.node) as StreamNode;
      let partitioner = u.partitioner;
      if (partitioner === null) {
        partitioner = src.parallelism === target.parallelism ? { kind: 'forward' } : { kind: 'rebalance' };
      } else if (partitioner.kind === 'forward' && src.parallelism !== target.parallelism) {
        throw new Error(
          `forward partitioning needs equal parallelism: '${src.name}' has ${src.parallelism}, '${target.name}' has ${target.parallelism}`,
        );
      }
      const e: StreamEdge = { source: src.id, target: target.id, partitioner, sideOutputTag: u.tag, inputIndex };
      src.outEdges.push(e);
      target.inEdges.push(e);
    }
  };

  // Returns the real nodes a transformation's output comes from, with the edge properties met on the way.
  const visit = (t: Transformation): Upstream[] => {
    const done = resolved.get(t.id);
    if (done !== undefined) return done;
    let out: Upstream[];
    switch (t.kind) {
      case 'source':
        node(t, { kind: 'source', source: t.source });
        out = [{ node: t.id, partitioner: null, tag: null }];
        break;
      case 'one-input': {
        const ups = visit(t.input);
        connect(ups, node(t, { kind: 'operator', factory: t.factory, inputs: 1 }), 0);
        out = [{ node: t.id, partitioner: null, tag: null }];
        break;
      }
      case 'two-input': {
        const ups1 = visit(t.input1);
        const ups2 = visit(t.input2);
        const n = node(t, { kind: 'operator', factory: t.factory, inputs: 2 });
        connect(ups1, n, 0);
        connect(ups2, n, 1);
        out = [{ node: t.id, partitioner: null, tag: null }];
        break;
      }
      case 'sink': {
        const ups = visit(t.input);
        connect(ups, node(t, { kind: 'sink', factory: t.factory }), 0);
        out = [];
        break;
      }
      case 'union':
        out = t.inputs.flatMap((i) => visit(i));
        break;
      case 'partition':
        out = visit(t.input).map((u) => ({ ...u, partitioner: t.partitioner }));
        break;
      case 'side-output':
        out = visit(t.input).map((u) => ({ ...u, tag: t.tag }));
        break;
      default: {
        const never: never = t;
        return never;
      }
    }
    resolved.set(t.id, out);
    return out;
  };
  for (const s of sinks) visit(s);
  return { jobName, nodes };
}

export function describeEdge(e: StreamEdge): string {
  return describePartitioner(e.partitioner) + (e.sideOutputTag === null ? '' : `<${e.sideOutputTag}>`);
}
