// The snapshot of a keyed operator: its keyed state backend and its timers, both cut by key group into one
// key-grouped blob (Flink keeps timers in the keyed state too, per key group: InternalTimerServiceSerializationProxy),
// plus any operator state. Restoring works the same whether the blob is one old subtask's or the key groups of
// several old subtasks merged by a rescale.
import { keyGroupOf, type Key } from '../runtime/key.js';
import type { TimersSnapshot } from '../runtime/timer-service.js';
import type { KeyedBackendSection, KeyedStateBackend } from './heap-backend.js';
import {
  decodeKeyGroupedSnapshot,
  decodeKeyedMaps,
  encodeKeyGroupedSnapshot,
  encodeKeyedMaps,
  type OperatorStateSections,
} from './key-grouped-snapshot.js';

/**
 * One key group of a keyed operator: its state entries, its event-time and processing-time timers, each timer
 * with its place in the queue it came from, so that timers of one timestamp fire in their original order after
 * a restore at the same parallelism.
 */
type SavedTimer<N> = [timestamp: number, key: Key, namespace: N, order: number];
interface KeyedOperatorSection<N> {
  s?: KeyedBackendSection;
  e?: SavedTimer<N>[];
  p?: SavedTimer<N>[];
}

export function snapshotKeyedOperator<N>(
  maxParallelism: number,
  backend: KeyedStateBackend | null,
  timers: TimersSnapshot<N> | null,
  operatorState: OperatorStateSections = {},
): Uint8Array {
  const groups = new Map<number, KeyedOperatorSection<N>>();
  const at = (g: number): KeyedOperatorSection<N> => {
    let s = groups.get(g);
    if (s === undefined) groups.set(g, (s = {}));
    return s;
  };
  if (backend !== null) for (const [g, section] of backend.snapshotKeyGroups()) at(g).s = section;
  if (timers !== null) {
    timers.eventTime.forEach(([ts, k, ns], i) =>
      (at(keyGroupOf(k, maxParallelism)).e ??= []).push([ts, k, ns, i]),
    );
    timers.processingTime.forEach(([ts, k, ns], i) =>
      (at(keyGroupOf(k, maxParallelism)).p ??= []).push([ts, k, ns, i]),
    );
  }
  return encodeKeyGroupedSnapshot({ maxParallelism, keyGroups: groups, operatorState });
}

/** Restores the backend and the timers from a keyed operator's blob; returns its operator state. */
export function restoreKeyedOperator<N>(
  bytes: Uint8Array,
  maxParallelism: number,
  backend: KeyedStateBackend | null,
  timers: { restore(s: TimersSnapshot<N>): void } | null,
): OperatorStateSections {
  const s = decodeKeyGroupedSnapshot(bytes);
  if (s.maxParallelism !== maxParallelism) {
    throw new Error(
      `keyed state taken with max parallelism ${s.maxParallelism} cannot be restored at max parallelism ${maxParallelism}`,
    );
  }
  const eventTime: SavedTimer<N>[] = [];
  const processingTime: SavedTimer<N>[] = [];
  for (const section of s.keyGroups.values()) {
    const sec = section as KeyedOperatorSection<N>;
    if (sec.s !== undefined) {
      if (backend === null)
        throw new Error('the snapshot has keyed state but the operator has no keyed state backend');
      backend.restoreKeyGroup(sec.s);
    }
    if (sec.e !== undefined) for (const t of sec.e) eventTime.push(t);
    if (sec.p !== undefined) for (const t of sec.p) processingTime.push(t);
  }
  if (timers !== null) {
    const byTime = (a: SavedTimer<N>, b: SavedTimer<N>): number => a[0] - b[0] || a[3] - b[3];
    const plain = (l: SavedTimer<N>[]): [number, Key, N][] =>
      l.sort(byTime).map(([ts, k, ns]) => [ts, k, ns]);
    timers.restore({ eventTime: plain(eventTime), processingTime: plain(processingTime) });
  }
  return s.operatorState;
}

/**
 * The snapshot of an operator that keeps its keyed state in one map keyed by the exchange's key and has a timer
 * service (the SQL interval and temporal joins): both cut by key group, timers with their queue order.
 */
export function snapshotKeyedMapWithTimers<V, N>(
  maxParallelism: number,
  state: ReadonlyMap<Key, V>,
  timers: TimersSnapshot<N>,
): Uint8Array {
  return encodeKeyedMaps(maxParallelism, {
    state,
    e: timers.eventTime.map(([ts, k, ns], i) => [k, [ts, ns, i]] as const),
    p: timers.processingTime.map(([ts, k, ns], i) => [k, [ts, ns, i]] as const),
  });
}

export function restoreKeyedMapWithTimers<V, N>(
  bytes: Uint8Array,
): { state: Map<Key, V>; timers: TimersSnapshot<N> } {
  const { maps } = decodeKeyedMaps(bytes);
  const timers = (name: string): [number, Key, N][] =>
    ((maps[name] ?? []) as [Key, [number, N, number]][])
      .sort((a, b) => a[1][0] - b[1][0] || a[1][2] - b[1][2])
      .map(([k, [ts, ns]]) => [ts, k, ns]);
  return {
    state: new Map((maps['state'] ?? []) as [Key, V][]),
    timers: { eventTime: timers('e'), processingTime: timers('p') },
  };
}
