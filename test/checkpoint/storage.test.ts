// Checkpoint storage: metadata written last, checksums on everything, corrupt and partial checkpoints skipped
// with a message in favour of the previous one (issue #12 "Checkpoint storage faults"), retention, shared blobs.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptCheckpointError,
  FileCheckpointStorage,
  METADATA_FILE,
  loadCheckpoint,
  type SnapshotToStore,
} from '../../executor/checkpoint/storage.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-chk-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | null): string => (b === null ? '<none>' : new TextDecoder().decode(b));

function snapshot(
  id: number,
  values: Record<string, string>,
  kind: 'checkpoint' | 'savepoint' = 'checkpoint',
): SnapshotToStore {
  return {
    jobId: 'job-1',
    checkpointId: id,
    kind,
    timestamp: 1000 * id,
    operators: [{ uid: 'agg', name: 'GroupAggregate', parallelism: 2, maxParallelism: 128 }],
    state: Object.entries(values).map(([k, v]) => {
      const [operator = '', subtask = '0'] = k.split('/');
      return { operator, subtask: Number(subtask), name: 'keyed', data: bytes(v) };
    }),
  };
}

describe('FileCheckpointStorage', () => {
  it('stores blobs and metadata and reads them back verified', async () => {
    const s = new FileCheckpointStorage(root, 3);
    const md = await s.store(snapshot(1, { 'agg/0': 'state of subtask 0', 'agg/1': 'state of subtask 1' }));
    expect(md.stateSize).toBe(36);
    expect(md.incrementalSize).toBe(36);
    const c = await s.latest();
    expect(c?.metadata.checkpointId).toBe(1);
    expect(c?.path).toBe(path.join(root, 'chk-1'));
    expect(text((await c?.read('agg', 1, 'keyed')) ?? null)).toBe('state of subtask 1');
    expect(await c?.read('agg', 2, 'keyed')).toBeNull();
  });

  it('writes unchanged blobs once: the second checkpoint only adds what changed', async () => {
    const s = new FileCheckpointStorage(root, 3);
    await s.store(snapshot(1, { 'agg/0': 'a', 'agg/1': 'bbbb' }));
    const md2 = await s.store(snapshot(2, { 'agg/0': 'a', 'agg/1': 'cccccc' }));
    expect(md2.stateSize).toBe(7);
    expect(md2.incrementalSize).toBe(6);
    expect(text(await (await s.latest())!.read('agg', 1, 'keyed'))).toBe('cccccc');
  });

  it('keeps the newest num-retained checkpoints and deletes blobs nobody references', async () => {
    const s = new FileCheckpointStorage(root, 2);
    await s.store(snapshot(1, { 'agg/0': 'one' }));
    await s.store(snapshot(2, { 'agg/0': 'two' }));
    await s.store(snapshot(3, { 'agg/0': 'three' }));
    expect(await s.completedIds()).toEqual([3, 2]);
    expect((await fs.readdir(root)).sort()).toEqual(['chk-2', 'chk-3', 'shared']);
    expect((await fs.readdir(path.join(root, 'shared'))).length).toBe(2);
  });

  it('skips a checkpoint whose metadata is truncated, with a message, and loads the previous one', async () => {
    const warnings: string[] = [];
    const s = new FileCheckpointStorage(root, 3, (m) => warnings.push(m));
    await s.store(snapshot(1, { 'agg/0': 'good' }));
    await s.store(snapshot(2, { 'agg/0': 'newer' }));
    const meta = path.join(root, 'chk-2', METADATA_FILE);
    const full = await fs.readFile(meta, 'utf8');
    await fs.writeFile(meta, full.slice(0, full.length - 10));
    const c = await s.latest();
    expect(c?.metadata.checkpointId).toBe(1);
    expect(text(await c!.read('agg', 0, 'keyed'))).toBe('good');
    expect(warnings).toEqual([
      `checkpoint ${path.join(root, 'chk-2')} is unusable: _metadata fails its checksum (truncated or altered); falling back to an earlier checkpoint`,
    ]);
  });

  it('skips a checkpoint whose state file is missing', async () => {
    const warnings: string[] = [];
    const s = new FileCheckpointStorage(root, 3, (m) => warnings.push(m));
    await s.store(snapshot(1, { 'agg/0': 'good' }));
    const md2 = await s.store(snapshot(2, { 'agg/0': 'newer' }));
    await fs.rm(path.join(root, md2.state[0]!.file));
    expect((await s.latest())?.metadata.checkpointId).toBe(1);
    expect(warnings[0]).toMatch(/state file shared\/[0-9a-f]+\.bin of operator agg subtask 0 is missing/);
  });

  it('detects an altered blob when it is read', async () => {
    const s = new FileCheckpointStorage(root, 3);
    const md = await s.store(snapshot(1, { 'agg/0': 'abcd' }));
    await fs.writeFile(path.join(root, md.state[0]!.file), 'abce');
    const c = await s.latest();
    await expect(c!.read('agg', 0, 'keyed')).rejects.toThrow(/fails its checksum/);
  });

  it('ignores a folder without metadata (a checkpoint that never completed)', async () => {
    const s = new FileCheckpointStorage(root, 3);
    await s.store(snapshot(1, { 'agg/0': 'x' }));
    await fs.mkdir(path.join(root, 'chk-2'));
    expect(await s.completedIds()).toEqual([1]);
    await expect(loadCheckpoint(path.join(root, 'chk-2'))).rejects.toBeInstanceOf(CorruptCheckpointError);
  });

  it('concurrent stores never let retention delete a checkpoint being written (found in review)', async () => {
    const s = new FileCheckpointStorage(root, 1);
    const big: Record<string, string> = {};
    for (let i = 0; i < 200; i++) big[`agg/${i}`] = `state ${i}`;
    const five = s.store(snapshot(5, big));
    await new Promise((r) => setTimeout(r, 5));
    const four = s.store(snapshot(4, { 'agg/0': 'four' }));
    await Promise.all([five, four]);
    const latest = await s.latest();
    expect(latest?.metadata.checkpointId).toBe(5);
    expect(text(await latest!.read('agg', 199, 'keyed'))).toBe('state 199');
  });

  it('writes savepoints self-contained, so the folder can be moved', async () => {
    const s = new FileCheckpointStorage(root, 1);
    await s.store(snapshot(7, { 'agg/0': 'saved', 'agg/1': 'also' }, 'savepoint'));
    const moved = path.join(root, 'elsewhere');
    await fs.rename(path.join(root, 'savepoint-7'), moved);
    const c = await loadCheckpoint(moved);
    expect(c.metadata.kind).toBe('savepoint');
    expect(text(await c.read('agg', 1, 'keyed'))).toBe('also');
  });
});
