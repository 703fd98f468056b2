// How a job graph's state is laid out in a checkpoint, per operator (stream node) uid, for the executors that
// write and read checkpoints: a subtask's snapshot entries ('source', 'op-<i>', 'finished') in, state handles
// (operator uid, name) out; and back on restore, a loaded checkpoint in, each subtask's entries out, redistributed
// by key group where a vertex's parallelism changed (state/rescale.ts). The MiniCluster's JobManager uses it; the
// layout is LocalJob's (one per operator, so re-chaining and rescaling keep state), so a savepoint of either
// executor restores on the other.
import type { JobGraph, JobVertex } from '../graph/job-graph.js';
import { redistributeState } from '../state/rescale.js';
import type { LoadedCheckpoint, OperatorInfo } from './storage.js';

/** The entry a subtask that had finished leaves (runtime/subtask.ts FINISHED_MARKER). */
const FINISHED = 'finished';

/** Where subtask entries of vertex `v` go: entry name → the (operator uid, handle name) pairs it is stored under. */
export function stateHandleNames(
  v: JobVertex,
  uids: ReadonlyMap<number, string>,
): (entry: string) => { operator: string; name: string }[] {
  const ops = v.chain.filter((n) => n.body.kind !== 'source');
  const source = v.chain[0]?.body.kind === 'source' ? v.chain[0] : null;
  return (entry) => {
    if (entry === FINISHED) return v.chain.map((n) => ({ operator: uids.get(n.id) as string, name: entry }));
    if (entry === 'source' && source !== null)
      return [{ operator: uids.get(source.id) as string, name: 'source' }];
    const m = /^op-(\d+)$/.exec(entry);
    const node = m === null ? undefined : ops[Number(m[1])];
    if (node === undefined)
      throw new Error(`${v.name}: state entry '${entry}' belongs to no operator of the chain`);
    return [{ operator: uids.get(node.id) as string, name: 'op' }];
  };
}

/** The operators a checkpoint of `job` records (per stream node, with its vertex's parallelism). */
export function operatorInfos(job: JobGraph, uids: ReadonlyMap<number, string>): OperatorInfo[] {
  return job.vertices.flatMap((v) =>
    v.chain.map((n) => ({
      uid: uids.get(n.id) as string,
      name: n.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
    })),
  );
}

/**
 * The state of every subtask of `job` in `c`, each blob read and its checksum verified before anything runs,
 * keyed `${key(v)}/${subtask}`. Fails on state of an operator the job no longer has, naming it.
 */
export async function stateByTask(
  c: LoadedCheckpoint,
  job: JobGraph,
  uids: ReadonlyMap<number, string>,
  key: (v: JobVertex) => string,
): Promise<Map<string, Map<string, Uint8Array>>> {
  const out = new Map<string, Map<string, Uint8Array>>();
  for (const v of job.vertices) {
    const ops = v.chain.filter((n) => n.body.kind !== 'source');
    for (const n of v.chain) {
      const uid = uids.get(n.id) as string;
      const saved = c.metadata.operators.find((o) => o.uid === uid);
      // The entry this operator's state has in the new chain.
      const entry = n.body.kind === 'source' ? 'source' : `op-${ops.indexOf(n)}`;
      const old = new Map<number, Map<string, Uint8Array>>();
      for (const h of c.metadata.state) {
        if (h.operator !== uid) continue;
        const data = await c.read(h.operator, h.subtask, h.name);
        if (data === null) continue;
        let m = old.get(h.subtask);
        if (m === undefined) old.set(h.subtask, (m = new Map()));
        m.set(h.name === FINISHED ? FINISHED : entry, data);
      }
      if (old.size === 0) continue;
      const assigned =
        saved === undefined
          ? old
          : redistributeState(
              {
                name: v.name,
                parallelism: v.parallelism,
                maxParallelism: v.maxParallelism,
                operatorNames: ops.map((o) => o.name),
              },
              saved,
              old,
            );
      for (const [i, m] of assigned) {
        const task = `${key(v)}/${i}`;
        let t = out.get(task);
        if (t === undefined) out.set(task, (t = new Map()));
        for (const [k, d] of m) t.set(k, d);
      }
    }
  }
  const known = new Set(uids.values());
  const orphan = c.metadata.state.find((h) => !known.has(h.operator));
  if (orphan !== undefined) {
    const name = c.metadata.operators.find((o) => o.uid === orphan.operator)?.name ?? orphan.operator;
    throw new Error(
      `the checkpoint ${c.path} has state for operator '${name}' (uid ${orphan.operator}) that this job does not contain; the job changed incompatibly`,
    );
  }
  return out;
}
