// Which subtask gets which state on a restore: a loaded (verified) checkpoint in, per subtask its state blobs out,
// matched by operator uid. Used by the MiniCluster's JobManager, which reads the state once and ships it to the
// slots with the deployment; the checks (a changed parallelism, state of an operator the job no longer has) are
// the ones LocalJob makes, with the same messages.
import type { LoadedCheckpoint } from './storage.js';

/** A vertex of the job being restored: its stable uid and name, its parallelism, and how its subtasks are named. */
export interface RestoreVertex {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
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
    const handles = c.metadata.state.filter((h) => h.operator === v.uid);
    if (handles.length > 0 && saved !== undefined && saved.parallelism !== v.parallelism) {
      throw new Error(
        `restoring operator '${v.name}' at parallelism ${v.parallelism} from a checkpoint taken at ${saved.parallelism} is not supported yet (rescaling keyed state comes with key-group redistribution)`,
      );
    }
    for (const h of handles) {
      const data = await c.read(h.operator, h.subtask, h.name);
      if (data === null) continue;
      const task = `${v.key}/${h.subtask}`;
      let m = out.get(task);
      if (m === undefined) out.set(task, (m = new Map()));
      m.set(h.name, data);
    }
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
