// Physical rewrite: an exchange whose input is already hash-distributed on the same keys (in the same order, so
// the same hash) is dropped, and the keyed operator reads its input forward, at the same parallelism — every hash
// exchange runs at parallelism.default. Flink reaches the same plans through the distribution trait its physical
// rules require and satisfy (FlinkRelDistribution; StreamPhysicalExchange is only added where the input's trait
// does not already satisfy it), e.g. a join on the GROUP BY key of an aggregate below it.
//
// The distribution of a node's output is followed through the operators that keep rows on their subtask: Calcs
// that pass the key columns through, keyed operators whose output holds their keys (group aggregates: the keys
// come first; Top-N, deduplication, changelog normalize: the input columns; regular joins: the left input's).
import { physicalInputs, type PhysicalNode } from '../../physical/plan.js';

/** The hash keys (output columns) rows are already distributed by, or null when unknown or not hashed. */
export function hashDistribution(n: PhysicalNode): readonly number[] | null {
  switch (n.kind) {
    case 'StreamExchange':
      return n.distribution.kind === 'hash' ? n.distribution.keys : null;
    case 'StreamCalc': {
      const below = hashDistribution(n.input);
      if (below === null) return null;
      const at = below.map((k) => n.projections.findIndex((p) => p.kind === 'input' && p.index === k));
      return at.every((i) => i >= 0) ? at : null;
    }
    case 'StreamGroupAggregate':
    case 'StreamGlobalGroupAggregate': {
      const below = hashDistribution(n.input);
      const keys = n.kind === 'StreamGroupAggregate' ? n.groupKeys : n.groupKeys.map((_k, i) => i);
      return below !== null && sameKeys(below, keys) ? n.groupKeys.map((_k, i) => i) : null;
    }
    case 'StreamRank':
    case 'StreamDeduplicate':
    case 'StreamChangelogNormalize':
      return hashDistribution(n.input);
    case 'StreamJoin':
      return hashDistribution(n.left);
    default:
      return null;
  }
}

function sameKeys(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/** The plan without redundant exchanges (the same object where nothing changed; shared nodes stay shared). */
export function removeRedundantExchanges(root: PhysicalNode): PhysicalNode {
  const done = new Map<PhysicalNode, PhysicalNode>();
  const visit = (n: PhysicalNode): PhysicalNode => {
    const seen = done.get(n);
    if (seen !== undefined) return seen;
    let out = withPhysicalInputs(n, physicalInputs(n).map(visit));
    if (out.kind === 'StreamExchange' && out.distribution.kind === 'hash') {
      const below = hashDistribution(out.input);
      if (below !== null && sameKeys(below, out.distribution.keys)) out = out.input;
    }
    done.set(n, out);
    return out;
  };
  return visit(root);
}

function withPhysicalInputs(n: PhysicalNode, next: readonly PhysicalNode[]): PhysicalNode {
  const old = physicalInputs(n);
  if (old.length === next.length && old.every((o, i) => o === next[i])) return n;
  if (old.length === 0) return n;
  if ('left' in n && 'right' in n)
    return { ...n, left: next[0] as PhysicalNode, right: next[1] as PhysicalNode } as PhysicalNode;
  if (n.kind === 'StreamUnion') return { ...n, inputs: next };
  return { ...n, input: next[0] as PhysicalNode } as PhysicalNode;
}
