// The heap keyed-state backend: state tables in JS Maps, keyed by key then namespace (Flink's
// HeapKeyedStateBackend). It implements the KeyedStateBackend interface that a later issue's durable,
// larger-than-memory backend implements too. Snapshots are key-grouped (key-grouped-snapshot.ts): one section
// per key group, so that a restore at another parallelism takes only the groups a subtask owns.
import { keyGroupOf, type Key } from '../runtime/key.js';
import { decodeKeyGroupedSnapshot, encodeKeyGroupedSnapshot } from './key-grouped-snapshot.js';
import type {
  AggregateFunction,
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  StateTtlConfig,
  ValueState,
  ValueStateDescriptor,
} from './state.js';

/** A namespace as the tables store it: a window's key (start, end, ...) or VOID_NAMESPACE for plain keyed state. */
export type NamespaceKey = string | number;
export const VOID_NAMESPACE: NamespaceKey = 0;

/** A state bound to the current key, whose namespace the operator sets (windows). */
export interface InternalKvState {
  setNamespace(ns: NamespaceKey): void;
  /** Moves the content of the given namespaces into the current one (session window merges). */
  mergeNamespaces(target: NamespaceKey, sources: readonly NamespaceKey[]): void;
}

export interface KeyedStateBackend {
  readonly maxParallelism: number;
  setCurrentKey(key: Key): void;
  getCurrentKey(): Key;
  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> & InternalKvState;
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> & InternalKvState;
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> & InternalKvState;
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> & InternalKvState;
  getAggregatingState<IN, ACC, OUT>(
    d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> &
    InternalKvState & { getAccumulator(): ACC | undefined; setAccumulator(acc: ACC): void };
  /** Number of (key, namespace) entries over all states: a size metric and a test hook. */
  entryCount(): number;
  /** A key-grouped snapshot (key-grouped-snapshot.ts). */
  snapshot(): Uint8Array;
  /** Restores the entries of the key groups in [from, to] (all by default). */
  restore(bytes: Uint8Array, keyGroups?: readonly [number, number]): void;
  /** Every key's entries, one section per key group: what operators with timers compose their snapshot from. */
  snapshotKeyGroups(): Map<number, KeyedBackendSection>;
  restoreKeyGroup(section: KeyedBackendSection): void;
}

interface TtlValue {
  v: unknown;
  t: number;
}

/** One state's entries: key -> namespace -> value (wrapped with a timestamp when the state has a TTL). */
class StateTable {
  readonly map = new Map<Key, Map<NamespaceKey, unknown>>();
  /** Mutable only so that a table restored before its descriptor was seen learns its TTL on first use. */
  constructor(public ttl: StateTtlConfig | null) {}

  get(key: Key, ns: NamespaceKey): unknown {
    const m = this.map.get(key);
    return m === undefined ? undefined : m.get(ns);
  }

  put(key: Key, ns: NamespaceKey, v: unknown): void {
    let m = this.map.get(key);
    if (m === undefined) {
      m = new Map();
      this.map.set(key, m);
    }
    m.set(ns, v);
  }

  remove(key: Key, ns: NamespaceKey): void {
    const m = this.map.get(key);
    if (m === undefined) return;
    m.delete(ns);
    if (m.size === 0) this.map.delete(key);
  }
}

/** One key group's entries of every state: [state name, [key, [namespace, stored value][]][]][]. */
export type KeyedBackendSection = [string, [Key, [NamespaceKey, unknown][]][]][];

export class HeapKeyedStateBackend implements KeyedStateBackend {
  private currentKey: Key = null;
  private readonly tables = new Map<string, StateTable>();

  constructor(
    readonly maxParallelism: number,
    /** Processing time, for TTL. */
    private readonly now: () => number,
  ) {}

  setCurrentKey(key: Key): void {
    this.currentKey = key;
  }

  getCurrentKey(): Key {
    return this.currentKey;
  }

  private table(d: StateDescriptor): StateTable {
    let t = this.tables.get(d.name);
    if (t === undefined) {
      t = new StateTable(d.options.ttl ?? null);
      this.tables.set(d.name, t);
    } else if (d.options.ttl !== undefined) t.ttl = d.options.ttl;
    return t;
  }

  getValueState<T>(d: ValueStateDescriptor<T>): ValueState<T> & InternalKvState {
    const s = new KvState(this, this.table(d as StateDescriptor), this.now);
    return {
      setNamespace: (ns) => s.setNamespace(ns),
      mergeNamespaces: (target, sources) => s.merge(target, sources, (_a, b) => b),
      value: () => s.read() as T | undefined,
      update: (v: T) => s.write(v),
      clear: () => s.clear(),
    };
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> & InternalKvState {
    const s = new KvState(this, this.table(d as StateDescriptor), this.now);
    const list = (): T[] => (s.read() as T[] | undefined) ?? [];
    return {
      setNamespace: (ns) => s.setNamespace(ns),
      mergeNamespaces: (target, sources) =>
        s.merge(target, sources, (a, b) => [...(a as T[]), ...(b as T[])]),
      get: () => list(),
      add: (v: T) => {
        const l = s.read() as T[] | undefined;
        if (l === undefined) s.write([v]);
        else {
          // Appending in place is safe: snapshots serialise, they never share the array.
          l.push(v);
          s.write(l);
        }
      },
      addAll: (vs: readonly T[]) => s.write([...list(), ...vs]),
      update: (vs: readonly T[]) => (vs.length === 0 ? s.clear() : s.write([...vs])),
      clear: () => s.clear(),
    };
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> & InternalKvState {
    const s = new KvState(this, this.table(d as StateDescriptor), this.now);
    const map = (): Map<K, V> | undefined => s.read() as Map<K, V> | undefined;
    return {
      setNamespace: (ns) => s.setNamespace(ns),
      mergeNamespaces: (target, sources) =>
        s.merge(target, sources, (a, b) => new Map([...(a as Map<K, V>), ...(b as Map<K, V>)])),
      get: (k: K) => map()?.get(k),
      put: (k: K, v: V) => {
        const m = map() ?? new Map<K, V>();
        m.set(k, v);
        s.write(m);
      },
      remove: (k: K) => {
        const m = map();
        if (m === undefined) return;
        m.delete(k);
        if (m.size === 0) s.clear();
        else s.write(m);
      },
      contains: (k: K) => map()?.has(k) ?? false,
      entries: () => [...(map() ?? [])],
      keys: () => [...(map()?.keys() ?? [])],
      values: () => [...(map()?.values() ?? [])],
      isEmpty: () => (map()?.size ?? 0) === 0,
      clear: () => s.clear(),
    };
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> & InternalKvState {
    const s = new KvState(this, this.table(d as unknown as StateDescriptor), this.now);
    return {
      setNamespace: (ns) => s.setNamespace(ns),
      mergeNamespaces: (target, sources) => s.merge(target, sources, (a, b) => d.reduce(a as T, b as T)),
      get: () => s.read() as T | undefined,
      add: (v: T) => {
        const cur = s.read() as T | undefined;
        s.write(cur === undefined ? v : d.reduce(cur, v));
      },
      clear: () => s.clear(),
    };
  }

  getAggregatingState<IN, ACC, OUT>(
    d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> &
    InternalKvState & { getAccumulator(): ACC | undefined; setAccumulator(acc: ACC): void } {
    const s = new KvState(this, this.table(d as unknown as StateDescriptor), this.now);
    const f: AggregateFunction<IN, ACC, OUT> = d.aggregate;
    return {
      setNamespace: (ns) => s.setNamespace(ns),
      mergeNamespaces: (target, sources) => s.merge(target, sources, (a, b) => f.merge(a as ACC, b as ACC)),
      get: () => {
        const acc = s.read() as ACC | undefined;
        return acc === undefined ? undefined : f.getResult(acc);
      },
      add: (v: IN) => {
        const acc = (s.read() as ACC | undefined) ?? f.createAccumulator();
        s.write(f.add(v, acc));
      },
      getAccumulator: () => s.read() as ACC | undefined,
      setAccumulator: (acc: ACC) => s.write(acc),
      clear: () => s.clear(),
    };
  }

  entryCount(): number {
    let n = 0;
    for (const t of this.tables.values()) for (const m of t.map.values()) n += m.size;
    return n;
  }

  /** Every key's entries, one section per key group (empty groups absent). */
  snapshotKeyGroups(): Map<number, KeyedBackendSection> {
    const groups = new Map<number, Map<string, [Key, [NamespaceKey, unknown][]][]>>();
    for (const [name, t] of this.tables) {
      for (const [key, m] of t.map) {
        if (m.size === 0) continue;
        const g = keyGroupOf(key, this.maxParallelism);
        let byName = groups.get(g);
        if (byName === undefined) groups.set(g, (byName = new Map()));
        let entries = byName.get(name);
        if (entries === undefined) byName.set(name, (entries = []));
        entries.push([key, [...m]]);
      }
    }
    const out = new Map<number, KeyedBackendSection>();
    for (const [g, byName] of groups) out.set(g, [...byName]);
    return out;
  }

  /** Adds the entries of one key group's section (a restore, possibly from several old subtasks' sections). */
  restoreKeyGroup(section: KeyedBackendSection): void {
    for (const [name, entries] of section) {
      let t = this.tables.get(name);
      if (t === undefined) {
        // The TTL comes back with the descriptor when the operator asks for the state again (table()).
        t = new StateTable(null);
        this.tables.set(name, t);
      }
      for (const [key, nss] of entries) for (const [ns, v] of nss) t.put(key, ns, v);
    }
  }

  /** A key-grouped snapshot of this backend alone (operators with timers compose theirs: keyed-operator.ts). */
  snapshot(): Uint8Array {
    return encodeKeyGroupedSnapshot({
      maxParallelism: this.maxParallelism,
      keyGroups: this.snapshotKeyGroups(),
      operatorState: {},
    });
  }

  restore(bytes: Uint8Array, keyGroups?: readonly [number, number]): void {
    const s = decodeKeyGroupedSnapshot(bytes);
    if (s.maxParallelism !== this.maxParallelism) {
      throw new Error(
        `keyed state taken with max parallelism ${s.maxParallelism} cannot be restored at max parallelism ${this.maxParallelism}`,
      );
    }
    for (const [g, section] of s.keyGroups) {
      if (keyGroups !== undefined && (g < keyGroups[0] || g > keyGroups[1])) continue;
      this.restoreKeyGroup(section as KeyedBackendSection);
    }
  }
}

/** Reads and writes one state table at the backend's current key and this state's namespace, applying TTL. */
class KvState {
  private ns: NamespaceKey = VOID_NAMESPACE;
  private readonly table: StateTable;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    table: StateTable,
    private readonly now: () => number,
  ) {
    this.table = table;
  }

  setNamespace(ns: NamespaceKey): void {
    this.ns = ns;
  }

  read(): unknown {
    const key = this.backend.getCurrentKey();
    const raw = this.table.get(key, this.ns);
    const ttl = this.table.ttl;
    if (ttl === null || raw === undefined) return raw;
    const w = raw as TtlValue;
    const now = this.now();
    if (now - w.t >= ttl.ttlMs) {
      // Expired: cleaned up on access (Flink's default lazy cleanup).
      this.table.remove(key, this.ns);
      return ttl.visibility === 'ReturnExpiredIfNotCleanedUp' ? w.v : undefined;
    }
    if (ttl.updateType === 'OnReadAndWrite') w.t = now;
    return w.v;
  }

  write(v: unknown): void {
    const ttl = this.table.ttl;
    this.table.put(
      this.backend.getCurrentKey(),
      this.ns,
      ttl === null ? v : ({ v, t: this.now() } satisfies TtlValue),
    );
  }

  clear(): void {
    this.table.remove(this.backend.getCurrentKey(), this.ns);
  }

  merge(
    target: NamespaceKey,
    sources: readonly NamespaceKey[],
    combine: (a: unknown, b: unknown) => unknown,
  ): void {
    let acc: unknown = undefined;
    for (const ns of sources) {
      this.ns = ns;
      const v = this.read();
      if (v === undefined) continue;
      this.clear();
      acc = acc === undefined ? v : combine(acc, v);
    }
    this.ns = target;
    if (acc === undefined) return;
    const cur = this.read();
    this.write(cur === undefined ? acc : combine(cur, acc));
  }
}
