// Restoring a vertex at another parallelism (Flink's StateAssignmentOperation): the state blobs of every old
// subtask in, the blobs of every new subtask out. Key-grouped blobs are split by key group (each new subtask takes
// the groups of its KeyGroupRange from whichever old subtask held them) with operator state repartitioned as Flink
// does; a blob that is not key-grouped cannot be split and fails the restore, naming the operator. The checks on
// max parallelism are Flink's (checkParallelismPreconditions).
import { isKeyGroupedSnapshot, redistributeKeyGrouped } from './key-grouped-snapshot.js';

/** The vertex being restored, as the new job has it. */
export interface RescaleTarget {
  /** The vertex's name (messages). */
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Names of the chain's operators after the source, in order: state entry `op-i` belongs to operatorNames[i]. */
  readonly operatorNames: readonly string[];
}

/** The vertex as the checkpoint recorded it. */
export interface RescaleSource {
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** The entry a subtask that had finished leaves in a checkpoint (subtask.ts FINISHED_MARKER). */
const FINISHED = 'finished';

/**
 * Flink's checks before any state is assigned: the max parallelism is part of the key-group layout, so it must
 * not change; the new parallelism cannot exceed it (a subtask would own no key group).
 */
export function checkRescalePreconditions(target: RescaleTarget, saved: RescaleSource): void {
  if (saved.maxParallelism !== target.maxParallelism) {
    throw new Error(
      `the maximum parallelism (${saved.maxParallelism}) with which the checkpoint of operator '${target.name}' was taken and its current maximum parallelism (${target.maxParallelism}) differ; key groups cannot be remapped (set the max parallelism back to ${saved.maxParallelism}: 'pipeline.max-parallelism' in SQL, setMaxParallelism in a DataStream program)`,
    );
  }
  if (target.parallelism > saved.maxParallelism) {
    throw new Error(
      `the state of operator '${target.name}' cannot be restored at parallelism ${target.parallelism}: its maximum parallelism (number of key groups) is ${saved.maxParallelism}`,
    );
  }
}

/**
 * The state of each new subtask (index → entry name → blob) from each old subtask's (same shape). At equal
 * parallelism the blobs stay where they were. Otherwise: if every old subtask had finished, every new one starts
 * finished; subtasks that had finished contribute nothing; each remaining entry ('source', 'op-i') is
 * redistributed by key group, or the restore fails naming what cannot be rescaled.
 */
export function redistributeState(
  target: RescaleTarget,
  saved: RescaleSource,
  old: ReadonlyMap<number, ReadonlyMap<string, Uint8Array>>,
): Map<number, Map<string, Uint8Array>> {
  checkRescalePreconditions(target, saved);
  const out = new Map<number, Map<string, Uint8Array>>();
  if (saved.parallelism === target.parallelism) {
    for (const [i, m] of old) out.set(i, new Map(m));
    return out;
  }
  const live: (ReadonlyMap<string, Uint8Array> | null)[] = [];
  let finished = 0;
  for (let i = 0; i < saved.parallelism; i++) {
    const m = old.get(i) ?? null;
    if (m !== null && m.has(FINISHED)) {
      finished++;
      live.push(null);
    } else live.push(m);
  }
  if (old.size > 0 && finished === saved.parallelism) {
    for (let i = 0; i < target.parallelism; i++) out.set(i, new Map([[FINISHED, new Uint8Array(0)]]));
    return out;
  }
  const names = new Set<string>();
  for (const m of live) if (m !== null) for (const n of m.keys()) names.add(n);
  for (const name of [...names].sort()) {
    const blobs = live.map((m) => m?.get(name) ?? null);
    const opaque = blobs.find((b) => b !== null && !isKeyGroupedSnapshot(b));
    if (opaque !== undefined) throw notRescalable(target, saved, name);
    for (let i = 0; i < target.parallelism; i++) {
      let m = out.get(i);
      if (m === undefined) out.set(i, (m = new Map()));
      m.set(name, redistributeKeyGrouped(blobs, i, target.parallelism, target.maxParallelism));
    }
  }
  return out;
}

function notRescalable(target: RescaleTarget, saved: RescaleSource, entry: string): Error {
  const from = `from a checkpoint taken at parallelism ${saved.parallelism}`;
  if (entry === 'source') {
    return new Error(
      `source '${target.name}' cannot be restored at parallelism ${target.parallelism} ${from}: its read positions are not split into redistributable splits; restore it at parallelism ${saved.parallelism} (e.g. set its parallelism explicitly)`,
    );
  }
  const k = /^op-(\d+)$/.exec(entry);
  const op = k === null ? entry : (target.operatorNames[Number(k[1])] ?? entry);
  return new Error(
    `operator '${op}' (in '${target.name}') cannot be restored at parallelism ${target.parallelism} ${from}: its state is not partitioned by key group (non-rescalable state); restore it at parallelism ${saved.parallelism}`,
  );
}
