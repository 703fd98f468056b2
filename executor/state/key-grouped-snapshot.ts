// The rescalable snapshot format: an operator's state blob cut into one section per key group plus its operator
// (non-keyed) state, as Flink's keyed-state handles carry per-key-group offsets (KeyGroupRangeOffsets). A restore
// at another parallelism picks the sections of the key groups a new subtask owns out of every old subtask's blob
// by byte range, without decoding them, and redistributes operator state as Flink's
// RoundRobinOperatorStateRepartitioner does (list state split evenly, union state to all, broadcast state copied).
import { deserialize, serialize } from 'node:v8';
import { keyGroupOf, keyGroupRange, type Key } from '../runtime/key.js';

/** Operator (non-keyed) state by name, in Flink's three redistribution modes (OperatorStateHandle.Mode). */
export interface OperatorStateSections {
  /** getListState: SPLIT_DISTRIBUTE, the elements of all old subtasks split into even contiguous runs. */
  readonly list?: ReadonlyMap<string, readonly unknown[]>;
  /** getUnionListState: UNION, every new subtask gets the elements of every old subtask. */
  readonly union?: ReadonlyMap<string, readonly unknown[]>;
  /** getBroadcastState: BROADCAST, the same on every subtask; each new subtask gets one copy. */
  readonly broadcast?: ReadonlyMap<string, unknown>;
}

export interface KeyGroupedSnapshot {
  readonly maxParallelism: number;
  /** Key group → the operator's state for the keys of that group (structured-cloneable); empty groups absent. */
  readonly keyGroups: ReadonlyMap<number, unknown>;
  readonly operatorState: OperatorStateSections;
}

// Layout: magic 'FKGS', version u8, maxParallelism u32, group count u32, per group (group u32, length u32),
// operator-state length u32, then the group sections in that order and the operator-state section (all v8
// serialisations). Little-endian throughout.
const MAGIC = [0x46, 0x4b, 0x47, 0x53];
const VERSION = 1;
const HEADER = 4 + 1 + 4 + 4;

/** The max parallelism of a blob with operator state only: it fits any layout of key groups. */
export const OPERATOR_STATE_ONLY = 0;

/** Whether `bytes` is a key-grouped snapshot (the operator can be restored at another parallelism). */
export function isKeyGroupedSnapshot(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER && MAGIC.every((b, i) => bytes[i] === b);
}

/** A decoded header: each group's section as a view into the blob (not yet deserialised). */
export interface KeyGroupedSections {
  readonly maxParallelism: number;
  readonly groups: ReadonlyMap<number, Uint8Array>;
  readonly operatorState: Uint8Array;
}

export function encodeKeyGroupedSnapshot(s: KeyGroupedSnapshot): Uint8Array {
  const groups = [...s.keyGroups].sort((a, b) => a[0] - b[0]).map(([g, v]) => [g, serialize(v)] as const);
  return encodeSections(s.maxParallelism, groups, serialize(normalizeOperatorState(s.operatorState)));
}

function encodeSections(
  maxParallelism: number,
  groups: readonly (readonly [number, Uint8Array])[],
  operatorState: Uint8Array,
): Uint8Array {
  const head = HEADER + groups.length * 8 + 4;
  let total = head + operatorState.length;
  for (const [, b] of groups) total += b.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  dv.setUint32(5, maxParallelism, true);
  dv.setUint32(9, groups.length, true);
  let h = HEADER;
  let p = head;
  for (const [g, b] of groups) {
    dv.setUint32(h, g, true);
    dv.setUint32(h + 4, b.length, true);
    h += 8;
    out.set(b, p);
    p += b.length;
  }
  dv.setUint32(h, operatorState.length, true);
  out.set(operatorState, p);
  return out;
}

export function readKeyGroupedSections(bytes: Uint8Array): KeyGroupedSections {
  if (!isKeyGroupedSnapshot(bytes)) throw new Error('not a key-grouped state snapshot');
  if (bytes[4] !== VERSION) throw new Error(`unsupported key-grouped snapshot version ${bytes[4]}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxParallelism = dv.getUint32(5, true);
  const n = dv.getUint32(9, true);
  const head = HEADER + n * 8 + 4;
  if (head > bytes.length) throw new Error('truncated key-grouped state snapshot');
  const groups = new Map<number, Uint8Array>();
  let p = head;
  for (let i = 0; i < n; i++) {
    const g = dv.getUint32(HEADER + i * 8, true);
    const len = dv.getUint32(HEADER + i * 8 + 4, true);
    if (p + len > bytes.length) throw new Error('truncated key-grouped state snapshot');
    groups.set(g, bytes.subarray(p, p + len));
    p += len;
  }
  const opLen = dv.getUint32(HEADER + n * 8, true);
  if (p + opLen !== bytes.length) throw new Error('key-grouped state snapshot has the wrong length');
  return { maxParallelism, groups, operatorState: bytes.subarray(p, p + opLen) };
}

export function decodeKeyGroupedSnapshot(bytes: Uint8Array): KeyGroupedSnapshot {
  const s = readKeyGroupedSections(bytes);
  const keyGroups = new Map<number, unknown>();
  for (const [g, b] of s.groups) keyGroups.set(g, deserialize(b));
  return {
    maxParallelism: s.maxParallelism,
    keyGroups,
    operatorState: deserialize(s.operatorState) as OperatorStateSections,
  };
}

function normalizeOperatorState(o: OperatorStateSections): Required<OperatorStateSections> {
  return { list: o.list ?? new Map(), union: o.union ?? new Map(), broadcast: o.broadcast ?? new Map() };
}

/**
 * The state of new subtask `index` (of `parallelism`) from the blobs of every old subtask (index = old subtask;
 * null for a subtask that had no state, e.g. it had finished). Key groups: the sections of the groups in the new
 * subtask's KeyGroupRange, whichever old subtask held them. Operator state: Flink's round-robin repartitioning.
 */
export function redistributeKeyGrouped(
  old: readonly (Uint8Array | null)[],
  index: number,
  parallelism: number,
  maxParallelism: number,
): Uint8Array {
  const [from, to] = keyGroupRange(index, maxParallelism, parallelism);
  const groups: [number, Uint8Array][] = [];
  const ops: Required<OperatorStateSections>[] = [];
  for (const bytes of old) {
    if (bytes === null) {
      ops.push(normalizeOperatorState({}));
      continue;
    }
    const s = readKeyGroupedSections(bytes);
    // 0: operator state only (a source reader, which has no key groups and does not know the max parallelism).
    if (s.maxParallelism !== maxParallelism && s.maxParallelism !== OPERATOR_STATE_ONLY) {
      throw new Error(
        `the state was taken with max parallelism ${s.maxParallelism} and cannot be restored at max parallelism ${maxParallelism}`,
      );
    }
    for (const [g, b] of s.groups) if (g >= from && g <= to) groups.push([g, b]);
    ops.push(normalizeOperatorState(deserialize(s.operatorState) as OperatorStateSections));
  }
  groups.sort((a, b) => a[0] - b[0]);
  return encodeSections(maxParallelism, groups, serialize(repartitionOperatorState(ops, index, parallelism)));
}

/**
 * Flink's RoundRobinOperatorStateRepartitioner for one new subtask: list state is the concatenation of all old
 * subtasks' elements cut into `parallelism` contiguous runs, the first (total % parallelism) one element longer,
 * with the start of the longer runs rotating from one state name to the next (names in sorted order); union state
 * is the concatenation; broadcast state is the first old subtask's copy.
 */
export function repartitionOperatorState(
  old: readonly Required<OperatorStateSections>[],
  index: number,
  parallelism: number,
): Required<OperatorStateSections> {
  const names = (pick: (o: Required<OperatorStateSections>) => ReadonlyMap<string, unknown>): string[] =>
    [...new Set(old.flatMap((o) => [...pick(o).keys()]))].sort();
  const list = new Map<string, unknown[]>();
  let start = 0;
  for (const name of names((o) => o.list)) {
    const all = old.flatMap((o) => [...(o.list.get(name) ?? [])]);
    const base = Math.floor(all.length / parallelism);
    const remainder = all.length % parallelism;
    // Runs in subtask order beginning at `start`; the first `remainder` of them get one more element.
    let offset = 0;
    let mine: unknown[] = [];
    for (let k = 0; k < parallelism; k++) {
      const sub = (start + k) % parallelism;
      const n = base + (k < remainder ? 1 : 0);
      if (sub === index) mine = all.slice(offset, offset + n);
      offset += n;
    }
    start = (start + remainder) % parallelism;
    if (mine.length > 0) list.set(name, mine);
  }
  const union = new Map<string, unknown[]>();
  for (const name of names((o) => o.union))
    union.set(
      name,
      old.flatMap((o) => [...(o.union.get(name) ?? [])]),
    );
  const broadcast = new Map<string, unknown>();
  for (const name of names((o) => o.broadcast)) {
    const first = old.find((o) => o.broadcast.has(name));
    if (first !== undefined) broadcast.set(name, first.broadcast.get(name));
  }
  return { list, union, broadcast };
}

/** Entries of a key → value map grouped by key group (a keyed operator's snapshot sections). */
export function groupByKeyGroup<V>(
  entries: Iterable<readonly [Key, V]>,
  maxParallelism: number,
): Map<number, [Key, V][]> {
  const out = new Map<number, [Key, V][]>();
  for (const [k, v] of entries) {
    const g = keyGroupOf(k, maxParallelism);
    let l = out.get(g);
    if (l === undefined) out.set(g, (l = []));
    l.push([k, v]);
  }
  return out;
}

/**
 * A snapshot of an operator whose keyed state is a few maps keyed by the exchange's key (name → entries), cut by
 * key group, plus its operator state: the one-call form for the SQL operators.
 */
export function encodeKeyedMaps(
  maxParallelism: number,
  maps: Readonly<Record<string, Iterable<readonly [Key, unknown]>>>,
  operatorState: OperatorStateSections = {},
): Uint8Array {
  const sections = new KeyedSections(maxParallelism);
  for (const [name, entries] of Object.entries(maps)) for (const [k, v] of entries) sections.add(name, k, v);
  return sections.encode(operatorState);
}

/**
 * Builds the sections of `encodeKeyedMaps` entry by entry. A key's group is hashed once for a run of entries of
 * that key (a join key with many stored rows, a Top-N partition's rows), not once per entry.
 */
export class KeyedSections {
  private readonly groups = new Map<number, Record<string, [Key, unknown][]>>();
  private lastKey: Key | undefined = undefined;
  private lastGroup: Record<string, [Key, unknown][]> | null = null;

  constructor(readonly maxParallelism: number) {}

  /** Adds entry `[key, value]` to map `name` of the key's group. */
  add(name: string, key: Key, value: unknown): void {
    let sec = this.lastGroup;
    if (sec === null || key !== this.lastKey) {
      const g = keyGroupOf(key, this.maxParallelism);
      sec = this.groups.get(g) ?? null;
      if (sec === null) this.groups.set(g, (sec = {}));
      this.lastKey = key;
      this.lastGroup = sec;
    }
    (sec[name] ??= []).push([key, value]);
  }

  encode(operatorState: OperatorStateSections = {}): Uint8Array {
    return encodeKeyGroupedSnapshot({
      maxParallelism: this.maxParallelism,
      keyGroups: this.groups,
      operatorState,
    });
  }
}

/**
 * The operator state of a blob of `encodeKeyedMaps`' shape, or of the opaque blob an operator wrote before its
 * state was key-grouped (null then: the caller decodes its old format, which restores at the same parallelism).
 */
export function keyedMapsOrLegacy(bytes: Uint8Array): ReturnType<typeof decodeKeyedMaps> | null {
  return isKeyGroupedSnapshot(bytes) ? decodeKeyedMaps(bytes) : null;
}

/** An operator's event-time watermark and arrival counter as union state (MATCH_RECOGNIZE, the SESSION TVF). */
export function watermarkAndCounter(watermark: number, counter: number): OperatorStateSections {
  return {
    union: new Map([
      ['watermark', [watermark]],
      ['seq', [counter]],
    ]),
  };
}

/** What `watermarkAndCounter` restores to: the smallest watermark and the largest counter of the old subtasks. */
export function restoreWatermarkAndCounter(o: OperatorStateSections): { watermark: number; counter: number } {
  return {
    watermark: minUnionWatermark(o),
    counter: Math.max(0, ...((o.union?.get('seq') ?? []) as number[])),
  };
}

/** The minimum of a union-state list of watermarks (Flink's WindowAggOperator takes it after a rescale). */
export function minUnionWatermark(operatorState: OperatorStateSections, name = 'watermark'): number {
  const all = (operatorState.union?.get(name) ?? []) as number[];
  let min = Infinity;
  for (const w of all) if (w < min) min = w;
  return all.length === 0 ? -Infinity : min;
}

/** The maps of `encodeKeyedMaps` (entries of every key group in the blob, in key-group order). */
export function decodeKeyedMaps(bytes: Uint8Array): {
  maps: Record<string, [Key, unknown][]>;
  operatorState: OperatorStateSections;
} {
  const s = decodeKeyGroupedSnapshot(bytes);
  const maps: Record<string, [Key, unknown][]> = {};
  for (const section of s.keyGroups.values()) {
    for (const [name, entries] of Object.entries(section as Record<string, [Key, unknown][]>)) {
      const out = (maps[name] ??= []);
      for (const e of entries) out.push(e);
    }
  }
  return { maps, operatorState: s.operatorState };
}
