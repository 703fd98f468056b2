// How an edge distributes a producer's output over the consumer's subtasks (Flink's StreamPartitioner).
// Pointwise partitioners (forward, rescale) connect each producer to a fixed subset of consumers; the others
// connect all-to-all. The set is closed: the executor switches over it exhaustively.
import type { KeySelector } from './key.js';

export type Partitioner =
  | { readonly kind: 'forward' }
  | { readonly kind: 'hash'; readonly key: KeySelector }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'rescale' }
  | { readonly kind: 'shuffle' }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'global' };

export type PartitionerKind = Partitioner['kind'];

export function describePartitioner(p: Partitioner): string {
  switch (p.kind) {
    case 'hash':
      return `HASH[${p.key.description}]`;
    case 'forward':
    case 'rebalance':
    case 'rescale':
    case 'shuffle':
    case 'broadcast':
    case 'global':
      return p.kind.toUpperCase();
    default: {
      const never: never = p;
      return never;
    }
  }
}

/**
 * The consumer subtasks producer `i` (of `up`) sends to, for a consumer of parallelism `down`.
 * Forward needs equal parallelism (checked when the graph is built); rescale spreads each producer over a
 * contiguous block of consumers, or groups producers onto one consumer when scaling down.
 */
export function targetsOf(p: Partitioner, i: number, up: number, down: number): number[] {
  switch (p.kind) {
    case 'forward':
      return [i];
    case 'global':
      return [0];
    case 'rescale': {
      if (down >= up) {
        const from = Math.floor((i * down) / up);
        const to = Math.floor(((i + 1) * down) / up);
        return range(from, to);
      }
      return [Math.floor((i * down) / up)];
    }
    case 'hash':
    case 'rebalance':
    case 'shuffle':
    case 'broadcast':
      return range(0, down);
    default: {
      const never: never = p;
      return never;
    }
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let j = from; j < Math.max(to, from + 1); j++) out.push(j);
  return out;
}
