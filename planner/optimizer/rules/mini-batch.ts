// Physical rewrite for mini-batch (Flink's `table.exec.mini-batch.enabled`, `.allow-latency`, `.size`; the
// MiniBatchIntervalInferRule puts a MiniBatchAssigner at the sources and the group aggregates switch to their
// mini-batch functions): every group aggregate (and the local and global phases of a two-phase one) buffers
// bundles of up to `size` rows or `allow-latency` and folds each per key, and a StreamMiniBatchAssigner above each
// source (above its watermark assigner when it has one) shows where bundles start. Flink requires both options
// when mini-batch is on; so does this.
import { parseDuration } from '../../planner.js';
import { physicalInputs, type MiniBatch, type PhysicalNode } from '../../physical/plan.js';

/** The mini-batch settings of the session, or null when mini-batch is off. Throws naming a missing option. */
export function miniBatchOf(config: Readonly<Record<string, string>> | undefined): MiniBatch | null {
  if ((config?.['table.exec.mini-batch.enabled'] ?? 'false').toLowerCase() !== 'true') return null;
  const latency = config?.['table.exec.mini-batch.allow-latency'];
  const size = config?.['table.exec.mini-batch.size'];
  if (latency === undefined)
    throw new Error(
      "'table.exec.mini-batch.allow-latency' must be set when 'table.exec.mini-batch.enabled' is true (e.g. '5 s')",
    );
  if (size === undefined)
    throw new Error(
      "'table.exec.mini-batch.size' must be set when 'table.exec.mini-batch.enabled' is true (e.g. '5000')",
    );
  const intervalMs = parseDuration(latency);
  const n = Number(size);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`'table.exec.mini-batch.size' must be a positive integer, not '${size}'`);
  if (intervalMs <= 0)
    throw new Error(`'table.exec.mini-batch.allow-latency' must be positive, not '${latency}'`);
  return { intervalMs, size: n };
}

function rebuild(n: PhysicalNode, next: readonly PhysicalNode[]): PhysicalNode {
  const old = physicalInputs(n);
  if (old.length === next.length && old.every((o, i) => o === next[i])) return n;
  if ('left' in n && 'right' in n)
    return { ...n, left: next[0] as PhysicalNode, right: next[1] as PhysicalNode } as PhysicalNode;
  if (n.kind === 'StreamUnion') return { ...n, inputs: next };
  return { ...n, input: next[0] as PhysicalNode } as PhysicalNode;
}

/** The plan with mini-batch applied (unchanged when the plan has no group aggregate). */
export function applyMiniBatch(root: PhysicalNode, mb: MiniBatch): PhysicalNode {
  let aggregates = 0;
  const marked = new Map<PhysicalNode, PhysicalNode>();
  const mark = (n: PhysicalNode): PhysicalNode => {
    const seen = marked.get(n);
    if (seen !== undefined) return seen;
    let out = rebuild(n, physicalInputs(n).map(mark));
    if (
      out.kind === 'StreamGroupAggregate' ||
      out.kind === 'StreamLocalGroupAggregate' ||
      out.kind === 'StreamGlobalGroupAggregate'
    ) {
      aggregates++;
      out = { ...out, miniBatch: mb };
    }
    marked.set(n, out);
    return out;
  };
  const withAggs = mark(root);
  if (aggregates === 0) return root;
  const placed = new Map<PhysicalNode, PhysicalNode>();
  const assigner = (input: PhysicalNode): PhysicalNode => ({
    kind: 'StreamMiniBatchAssigner',
    input,
    intervalMs: mb.intervalMs,
    schema: input.schema,
    changelog: input.changelog,
  });
  const place = (n: PhysicalNode): PhysicalNode => {
    const seen = placed.get(n);
    if (seen !== undefined) return seen;
    const out =
      n.kind === 'StreamWatermarkAssigner' || n.kind === 'StreamTableSourceScan' || n.kind === 'StreamValues'
        ? assigner(n)
        : rebuild(n, physicalInputs(n).map(place));
    placed.set(n, out);
    return out;
  };
  return place(withAggs);
}
