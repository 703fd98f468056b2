// Stable operator ids for state: checkpoints and savepoints name a vertex's state by a uid that must be the same
// when the same program runs again (vertex ids are counters and differ per run). As Flink's StreamGraphHasherV2:
// a user-set uid wins; otherwise a hash of the chain's operator names and the uids of its inputs (with how each
// input is partitioned), and an occurrence number for identical siblings. Parallelism is left out on purpose, so
// that a job resumed at another parallelism still finds its state.
import { createHash } from 'node:crypto';
import type { JobGraph } from '../graph/job-graph.js';

export function vertexUids(job: JobGraph): Map<number, string> {
  const uids = new Map<number, string>();
  const seen = new Map<string, number>();
  for (const v of job.vertices) {
    const userUid = v.chain.map((n) => n.uid).find((u) => u !== null && u !== undefined);
    if (userUid !== undefined && userUid !== null) {
      uids.set(v.id, `uid:${userUid}`);
      continue;
    }
    const inputs = v.inputs
      .map(
        (e) =>
          `${uids.get(e.source) ?? '?'}:${e.edge.partitioner.kind}:${e.edge.inputIndex}:${e.edge.sideOutputTag ?? ''}`,
      )
      .sort();
    const signature = `${v.chain.map((n) => `${n.body.kind}:${n.name}`).join('>')}|${inputs.join(',')}`;
    const n = seen.get(signature) ?? 0;
    seen.set(signature, n + 1);
    uids.set(v.id, createHash('sha1').update(`${signature}#${n}`).digest('hex').slice(0, 16));
  }
  return uids;
}

/**
 * Stable ids per operator (stream node), as Flink SQL's plan-derived uids (table.exec.uid.generation PLAN_ONLY):
 * a user-set uid wins, else a hash of the operator's kind and name, the ids of its inputs (with input index and
 * side-output tag) and an occurrence number. Neither chaining nor parallelism nor how an edge is partitioned is
 * part of it, so a job resumed at another parallelism, where operators chain differently (a sink at parallelism
 * 1 chains to its input only when that runs at 1 too), still finds each operator's state.
 */
export function operatorUids(job: JobGraph): Map<number, string> {
  const uids = new Map<number, string>();
  const seen = new Map<string, number>();
  // Vertices are in topological order and a chain is in data order, so every input's id is known before use.
  for (const v of job.vertices) {
    for (const n of v.chain) {
      if (n.uid !== null && n.uid !== undefined) {
        uids.set(n.id, `uid:${n.uid}`);
        continue;
      }
      const inputs = n.inEdges
        .map((e) => `${uids.get(e.source) ?? '?'}:${e.inputIndex}:${e.sideOutputTag ?? ''}`)
        .sort();
      const signature = `${n.body.kind}:${n.name}|${inputs.join(',')}`;
      const k = seen.get(signature) ?? 0;
      seen.set(signature, k + 1);
      uids.set(n.id, createHash('sha1').update(`${signature}#${k}`).digest('hex').slice(0, 16));
    }
  }
  return uids;
}
