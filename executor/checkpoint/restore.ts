// Which subtask gets which state on a restore: a loaded (verified) checkpoint in, per subtask its state blobs out,
// matched by operator uid. Used by the MiniCluster's JobManager, which reads the state once and ships it to the
// slots with the deployment. A vertex restored at another parallelism has its state redistributed by key group
// (executor/state/rescale.ts, Flink's StateAssignmentOperation), the same rules and messages as LocalJob's.
import { redistributeState } from '../state/rescale.js';
import type { LoadedCheckpoint } from './storage.js';

/** A vertex of the job being restored: its stable uid and name, its parallelism, and how its subtasks are named. */
export interface RestoreVertex {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Names of the chain's operators after the source, in order (state entry `op-i` is operatorNames[i]'s). */
  readonly operatorNames: readonly string[];
  /** Subtask i of this vertex is `${key}/${i}` in the result. */
  readonly key: string;
}

/** The state of every subtask in `c`, each blob read and its checksum verified, before anything is deployed. */
export async function stateByTask(
  c: LoadedCheckpoint,
  vertices: readonly RestoreVertex[],
): Promise<Map<string, Map<string, Uint8Array>>> {
  const out = new Map<string, Map<string, Uint8Array>>();
  for (const v of vertices) {
    const saved = c.metadata.operators.find((o) => o.uid === v.uid);
    const old = new Map<number, Map<string, Uint8Array>>();
    for (const h of c.metadata.state) {
      if (h.operator !== v.uid) continue;
      const data = await c.read(h.operator, h.subtask, h.name);
      if (data === null) continue;
      let m = old.get(h.subtask);
      if (m === undefined) old.set(h.subtask, (m = new Map()));
      m.set(h.name, data);
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
              operatorNames: v.operatorNames,
            },
            saved,
            old,
          );
    for (const [i, m] of assigned) out.set(`${v.key}/${i}`, m);
  }
  const known = new Set(vertices.map((v) => v.uid));
  const orphan = c.metadata.state.find((h) => !known.has(h.operator));
  if (orphan !== undefined) {
    const name = c.metadata.operators.find((o) => o.uid === orphan.operator)?.name ?? orphan.operator;
    throw new Error(
      `the checkpoint ${c.path} has state for operator '${name}' (uid ${orphan.operator}) that this job does not contain; the job changed incompatibly`,
    );
  }
  return out;
}
