// Checkpoint storage: a directory with one folder per checkpoint (`chk-<id>`) or savepoint (`savepoint-<id>`),
// Flink's layout. State blobs are written first, content-addressed under `shared/` (so a blob that did not change
// since the previous checkpoint is referenced, not rewritten: incremental at blob granularity), and the folder's
// `_metadata` is written last through an atomic rename: a folder without a valid `_metadata` is an incomplete
// checkpoint and is never loaded. Every blob and the metadata carry a CRC-32, so a truncated or altered file is
// detected on load and that checkpoint is skipped with a message in favour of the previous one.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export const METADATA_FILE = '_metadata';
const METADATA_VERSION = 1;
const SHARED_DIR = 'shared';

export type SnapshotKind = 'checkpoint' | 'savepoint';

/** Where one piece of state lives: operator (uid), subtask, name (e.g. 'keyed', 'operator', 'source-splits'). */
export interface StateHandle {
  readonly operator: string;
  readonly subtask: number;
  readonly name: string;
  /** Path relative to the storage root (`shared/<sha256>`). */
  readonly file: string;
  readonly bytes: number;
  readonly crc32: number;
}

export interface OperatorInfo {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

export interface CheckpointMetadata {
  readonly version: number;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  /** When the checkpoint was triggered (ms since the epoch). */
  readonly timestamp: number;
  readonly operators: readonly OperatorInfo[];
  readonly state: readonly StateHandle[];
  /** Sum of the blobs' sizes, and of the ones written by this checkpoint (the rest were shared). */
  readonly stateSize: number;
  readonly incrementalSize: number;
}

/** A snapshot as the coordinator hands it over: the blobs of every acknowledged subtask. */
export interface SnapshotToStore {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly timestamp: number;
  readonly operators: readonly OperatorInfo[];
  readonly state: readonly {
    readonly operator: string;
    readonly subtask: number;
    readonly name: string;
    readonly data: Uint8Array;
  }[];
}

export interface LoadedCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** Path of the checkpoint's folder (what `execution.savepoint.path` takes). */
  readonly path: string;
  /** The blob of (operator, subtask, name), verified against its checksum. */
  read(operator: string, subtask: number, name: string): Promise<Uint8Array | null>;
}

/** A checkpoint that exists but must not be loaded; the message says which file and why. */
export class CorruptCheckpointError extends Error {
  constructor(
    readonly checkpointPath: string,
    reason: string,
  ) {
    super(`checkpoint ${checkpointPath} is unusable: ${reason}`);
    this.name = 'CorruptCheckpointError';
  }
}

/** The checksum written with the metadata: CRC-32 of the JSON body, hex. */
function bodyChecksum(body: string): string {
  return crc32(Buffer.from(body, 'utf8')).toString(16).padStart(8, '0');
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.inprogress-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    // The rename below publishes the file: its contents must be on disk first, or a crash could publish a hole.
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

export function folderName(kind: SnapshotKind, id: number): string {
  return kind === 'checkpoint' ? `chk-${id}` : `savepoint-${id}`;
}

/**
 * Checkpoints of one job under `root` (execution.checkpointing.dir/<job id>). Savepoints are self-contained
 * folders (their blobs are copied next to the metadata) so that they can be moved and outlive the job's
 * checkpoints; checkpoints share blobs.
 */
export class FileCheckpointStorage {
  constructor(
    readonly root: string,
    /** execution.checkpointing.num-retained: completed checkpoints kept; older ones are deleted. */
    private readonly numRetained = 1,
    private readonly warn: (message: string) => void = () => {},
  ) {
    if (numRetained < 1)
      throw new Error(`execution.checkpointing.num-retained must be at least 1, got ${numRetained}`);
  }

  /** Writes in progress, one after another: retention must never run while another checkpoint's blobs are written. */
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Writes the blobs, then the metadata (atomically); returns the metadata. Retention runs afterwards. Stores of
   * one storage run one at a time, so that a retention pass never sees a half-written checkpoint's blobs as
   * unreferenced.
   */
  store(s: SnapshotToStore): Promise<CheckpointMetadata> {
    const run = this.queue.then(() => this.storeNow(s));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Removes the completed checkpoints and their shared blobs (savepoints stay): the job ended. */
  async discardCheckpoints(): Promise<void> {
    await this.queue;
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return;
    }
    for (const n of names) {
      if (/^chk-\d+$/.test(n) || n === SHARED_DIR) await fs.rm(path.join(this.root, n), { recursive: true, force: true });
    }
    // The job's folder goes too when nothing else (a savepoint) is in it.
    await fs.rmdir(this.root).catch(() => undefined);
  }

  private async storeNow(s: SnapshotToStore): Promise<CheckpointMetadata> {
    const dir = path.join(this.root, folderName(s.kind, s.checkpointId));
    await fs.mkdir(dir, { recursive: true });
    const blobDir = s.kind === 'checkpoint' ? path.join(this.root, SHARED_DIR) : dir;
    await fs.mkdir(blobDir, { recursive: true });
    const handles: StateHandle[] = [];
    let stateSize = 0;
    let incrementalSize = 0;
    for (const e of s.state) {
      const digest = createHash('sha256').update(e.data).digest('hex');
      const file = path.join(blobDir, `${digest}.bin`);
      // Content addressing makes "unchanged since the last checkpoint" a lookup: the same bytes are the same file.
      if (!(await exists(file))) {
        await writeAtomically(file, e.data);
        incrementalSize += e.data.byteLength;
      }
      stateSize += e.data.byteLength;
      handles.push({
        operator: e.operator,
        subtask: e.subtask,
        name: e.name,
        file: path.relative(this.root, file),
        bytes: e.data.byteLength,
        crc32: crc32(e.data),
      });
    }
    const metadata: CheckpointMetadata = {
      version: METADATA_VERSION,
      jobId: s.jobId,
      checkpointId: s.checkpointId,
      kind: s.kind,
      timestamp: s.timestamp,
      operators: s.operators,
      state: handles,
      stateSize,
      incrementalSize,
    };
    const body = JSON.stringify(metadata);
    await writeAtomically(path.join(dir, METADATA_FILE), `${bodyChecksum(body)}\n${body}`);
    if (s.kind === 'checkpoint') await this.applyRetention();
    return metadata;
  }

  /** Completed checkpoint ids, newest first (folders with a metadata file; validity is checked on load). */
  async completedIds(): Promise<number[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return [];
    }
    const ids: number[] = [];
    for (const n of names) {
      const m = /^chk-(\d+)$/.exec(n);
      if (m !== null && (await exists(path.join(this.root, n, METADATA_FILE)))) ids.push(Number(m[1]));
    }
    return ids.sort((a, b) => b - a);
  }

  /** The newest checkpoint that verifies; corrupt or partial ones are skipped with a warning. */
  async latest(): Promise<LoadedCheckpoint | null> {
    for (const id of await this.completedIds()) {
      const dir = path.join(this.root, folderName('checkpoint', id));
      try {
        return await loadCheckpoint(dir, this.root);
      } catch (e) {
        if (!(e instanceof CorruptCheckpointError)) throw e;
        this.warn(`${e.message}; falling back to an earlier checkpoint`);
      }
    }
    return null;
  }

  /** Keeps the newest `numRetained` completed checkpoints, removes older and abandoned folders and unused blobs. */
  private async applyRetention(): Promise<void> {
    const completed = await this.completedIds();
    const keep = new Set(completed.slice(0, this.numRetained));
    const newestKept = completed[0] ?? 0;
    for (const n of await fs.readdir(this.root)) {
      const m = /^chk-(\d+)$/.exec(n);
      if (m === null) continue;
      const id = Number(m[1]);
      // Folders newer than the newest completed one may belong to a checkpoint still in flight.
      if (!keep.has(id) && id < newestKept)
        await fs.rm(path.join(this.root, n), { recursive: true, force: true });
    }
    const referenced = new Set<string>();
    for (const id of keep) {
      try {
        const md = await readMetadata(path.join(this.root, folderName('checkpoint', id)));
        for (const h of md.state) referenced.add(path.normalize(h.file));
      } catch {
        // A corrupt retained checkpoint keeps nothing alive; its blobs may belong to others and stay if referenced.
      }
    }
    const shared = path.join(this.root, SHARED_DIR);
    let blobs: string[] = [];
    try {
      blobs = await fs.readdir(shared);
    } catch {
      return;
    }
    for (const b of blobs) {
      const rel = path.join(SHARED_DIR, b);
      if (b.endsWith('.bin') && !referenced.has(rel)) await fs.rm(path.join(shared, b), { force: true });
    }
  }
}

async function readMetadata(dir: string): Promise<CheckpointMetadata> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, METADATA_FILE), 'utf8');
  } catch {
    throw new CorruptCheckpointError(dir, `no ${METADATA_FILE} file (the checkpoint did not complete)`);
  }
  const nl = text.indexOf('\n');
  const sum = nl < 0 ? '' : text.slice(0, nl);
  const body = nl < 0 ? text : text.slice(nl + 1);
  if (nl < 0 || bodyChecksum(body) !== sum) {
    throw new CorruptCheckpointError(dir, `${METADATA_FILE} fails its checksum (truncated or altered)`);
  }
  const md = JSON.parse(body) as CheckpointMetadata;
  if (md.version !== METADATA_VERSION) {
    throw new CorruptCheckpointError(
      dir,
      `metadata version ${md.version} is not supported (expected ${METADATA_VERSION})`,
    );
  }
  return md;
}

/**
 * Loads and verifies a checkpoint or savepoint folder: the metadata's checksum and, eagerly, every blob's presence
 * and size (a missing file must send recovery to the previous checkpoint before any operator restores from this
 * one); each blob's CRC is checked again when it is read.
 */
export async function loadCheckpoint(dir: string, root = path.dirname(dir)): Promise<LoadedCheckpoint> {
  const md = await readMetadata(dir);
  const byKey = new Map<string, StateHandle>();
  for (const h of md.state) {
    // Savepoint blobs live next to their metadata; checkpoint blobs under the storage root's shared folder.
    const abs = resolveBlob(h, dir, root, md.kind);
    let size: number;
    try {
      size = (await fs.stat(abs)).size;
    } catch {
      throw new CorruptCheckpointError(
        dir,
        `state file ${h.file} of operator ${h.operator} subtask ${h.subtask} is missing`,
      );
    }
    if (size !== h.bytes) {
      throw new CorruptCheckpointError(
        dir,
        `state file ${h.file} has ${size} bytes, the metadata says ${h.bytes}`,
      );
    }
    byKey.set(`${h.operator}\u0000${h.subtask}\u0000${h.name}`, h);
  }
  return {
    metadata: md,
    path: dir,
    async read(operator, subtask, name) {
      const h = byKey.get(`${operator}\u0000${subtask}\u0000${name}`);
      if (h === undefined) return null;
      const data = new Uint8Array(await fs.readFile(resolveBlob(h, dir, root, md.kind)));
      if (crc32(data) !== h.crc32) {
        throw new CorruptCheckpointError(dir, `state file ${h.file} fails its checksum`);
      }
      return data;
    },
  };
}

function resolveBlob(h: StateHandle, dir: string, root: string, kind: SnapshotKind): string {
  return kind === 'savepoint' ? path.join(dir, path.basename(h.file)) : path.join(root, h.file);
}
