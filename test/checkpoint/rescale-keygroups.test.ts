// Key groups as Flink assigns them, and how state moves between parallelisms. The expected key groups were
// computed by running Flink's algorithm on the JVM (KeyGroupRangeAssignment.assignToKeyGroup = MathUtils.murmurHash(
// key.hashCode()) % maxParallelism, with Java's own Integer/Long/Double/String/Boolean.hashCode; flink-runtime
// org.apache.flink.runtime.state.KeyGroupRangeAssignment, flink-core org.apache.flink.util.MathUtils), so a key
// lands in the same group as in Flink. Operator state follows RoundRobinOperatorStateRepartitioner.
import { describe, expect, it } from 'vitest';
import {
  computeDefaultMaxParallelism,
  javaHashCode,
  keyGroupOf,
  keyGroupRange,
  murmurHash,
  subtaskOfKeyGroup,
  type Key,
} from '../../executor/runtime/key.js';
import {
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  readKeyGroupedSections,
  redistributeKeyGrouped,
} from '../../executor/state/key-grouped-snapshot.js';
import { HeapKeyedStateBackend } from '../../executor/state/heap-backend.js';
import { ValueStateDescriptor } from '../../executor/state/state.js';
import { redistributeState } from '../../executor/state/rescale.js';

// [key, Java hashCode, MathUtils.murmurHash, group at max parallelism 128, 256, 32768] from the JVM.
const FLINK: [Key, number, number, number, number, number][] = [
  [0, 0, 593689054, 94, 222, 31198],
  [1, 1, 68075478, 86, 214, 16342],
  [2, 2, 1085422463, 127, 127, 15231],
  [3, 3, 847579505, 113, 113, 2417],
  [7, 7, 1343918321, 113, 241, 4337],
  [42, 42, 1134849565, 29, 29, 28189],
  [-1, -1, 1982413648, 80, 80, 15184],
  [-123456, -123456, 1211201781, 117, 245, 30965],
  [2147483647, 2147483647, 1653689534, 62, 190, 19646],
  [-2147483648, -2147483648, 1718298732, 108, 108, 10348],
  // Long (beyond 32 bits), as a number and as a bigint.
  [2 ** 40, 256, 1409940790, 54, 54, 32054],
  [-(2n ** 33n) - 5n, 6, 975490194, 18, 146, 19602],
  // Double
  [3.5, 1074528256, 1385515823, 47, 47, 19247],
  [-0.25, -1076887552, 820708682, 74, 74, 1354],
  [1e300, -164130400, 1683163247, 111, 111, 2159],
  // String (UTF-16 units, so an astral character is two)
  ['', 0, 593689054, 94, 222, 31198],
  ['a', 97, 1455541201, 81, 209, 19409],
  ['hello', 99162322, 1715862179, 35, 163, 31395],
  ['key-17', -1134722988, 1460463584, 96, 224, 26592],
  ['héllo', 103094734, 162369042, 18, 18, 3602],
  ['\u{1F600}', 1772899, 1934073014, 54, 182, 7350],
  [true, 1231, 1090530765, 77, 205, 11725],
  [false, 1237, 1530821891, 3, 3, 32003],
];

describe('key groups (Flink KeyGroupRangeAssignment)', () => {
  it.each(FLINK)('%s hashes and groups as in Flink', (key, hash, murmur, g128, g256, g32768) => {
    expect(javaHashCode(key)).toBe(hash);
    expect(murmurHash(hash)).toBe(murmur);
    expect(keyGroupOf(key, 128)).toBe(g128);
    expect(keyGroupOf(key, 256)).toBe(g256);
    expect(keyGroupOf(key, 32768)).toBe(g32768);
  });

  // Long.hashCode of a number key is computed without BigInt (it runs per row in hash exchanges); it must agree
  // with the exact 64-bit reference for every safe integer, negative ones and word boundaries included.
  it('hashes safe integers beyond 32 bits as the Long they are, without BigInt', () => {
    const reference = (v: bigint): number => {
      const u = BigInt.asUintN(64, v);
      return Number(BigInt.asIntN(32, u ^ (u >> 32n)));
    };
    const xs = [2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 32) + 1, 1_700_000_000_000, -1_700_000_000_000];
    xs.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    let seed = 12345;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 20_000; i++) {
      const x = Math.floor((random() * 2 - 1) * 2 ** (33 + random() * 20));
      if (Math.abs(x) > 2 ** 31) xs.push(x);
    }
    for (const x of xs) expect(javaHashCode(x), String(x)).toBe(reference(BigInt(x)));
  });

  it('computes the default max parallelism as Flink (roundUpToPowerOfTwo(p + p/2) within [128, 32768])', () => {
    const cases: [number, number][] = [
      [1, 128],
      [2, 128],
      [3, 128],
      [85, 128],
      [86, 256],
      [100, 256],
      [1000, 2048],
      [30000, 32768],
    ];
    for (const [p, m] of cases) expect(computeDefaultMaxParallelism(p)).toBe(m);
  });

  it('gives each subtask a contiguous key-group range, and routes every group to the subtask that owns it', () => {
    for (const [maxP, p] of [
      [128, 1],
      [128, 2],
      [128, 3],
      [128, 7],
      [256, 5],
      [10, 10],
    ] as const) {
      let next = 0;
      for (let i = 0; i < p; i++) {
        const [from, to] = keyGroupRange(i, maxP, p);
        // KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex
        expect(from).toBe(Math.floor((i * maxP + p - 1) / p));
        expect(to).toBe(Math.floor(((i + 1) * maxP - 1) / p));
        expect(from).toBe(next);
        for (let g = from; g <= to; g++) expect(subtaskOfKeyGroup(g, maxP, p)).toBe(i);
        next = to + 1;
      }
      expect(next).toBe(maxP);
    }
  });
});

describe('key-grouped snapshots', () => {
  it('keeps one section per key group and restores only the groups asked for', () => {
    const backend = new HeapKeyedStateBackend(128, () => 0);
    const count = backend.getValueState(new ValueStateDescriptor<number>('count'));
    for (let k = 0; k < 50; k++) {
      backend.setCurrentKey(k);
      count.update(k * 10);
    }
    const bytes = backend.snapshot();
    const sections = readKeyGroupedSections(bytes);
    expect(sections.maxParallelism).toBe(128);
    expect(new Set(sections.groups.keys())).toEqual(
      new Set(Array.from({ length: 50 }, (_, k) => keyGroupOf(k, 128))),
    );
    // The second of three subtasks takes only its range.
    const [from, to] = keyGroupRange(1, 128, 3);
    const part = new HeapKeyedStateBackend(128, () => 0);
    part.restore(bytes, [from, to]);
    const mine = Array.from({ length: 50 }, (_, k) => k).filter(
      (k) => subtaskOfKeyGroup(keyGroupOf(k, 128), 128, 3) === 1,
    );
    expect(part.entryCount()).toBe(mine.length);
    const v = part.getValueState(new ValueStateDescriptor<number>('count'));
    for (const k of mine) {
      part.setCurrentKey(k);
      expect(v.value()).toBe(k * 10);
    }
  });

  it('moves key groups from every old subtask to the new owner (2 -> 3 -> 1), losing and duplicating none', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    const at2 = [0, 1].map((i) => {
      const b = new HeapKeyedStateBackend(128, () => 0);
      const s = b.getValueState(new ValueStateDescriptor<string>('v'));
      for (const k of keys) {
        if (subtaskOfKeyGroup(keyGroupOf(k, 128), 128, 2) !== i) continue;
        b.setCurrentKey(k);
        s.update(`value of ${k}`);
      }
      return b.snapshot();
    });
    const at3 = [0, 1, 2].map((i) => redistributeKeyGrouped(at2, i, 3, 128));
    const owners = new Map<Key, number>();
    at3.forEach((bytes, i) => {
      const b = new HeapKeyedStateBackend(128, () => 0);
      b.restore(bytes);
      const s = b.getValueState(new ValueStateDescriptor<string>('v'));
      for (const k of keys) {
        b.setCurrentKey(k);
        if (s.value() === undefined) continue;
        expect(s.value()).toBe(`value of ${k}`);
        expect(owners.has(k)).toBe(false);
        owners.set(k, i);
        // The state sits where the hash exchange routes the key.
        expect(subtaskOfKeyGroup(keyGroupOf(k, 128), 128, 3)).toBe(i);
      }
    });
    expect(owners.size).toBe(keys.length);
    const at1 = redistributeKeyGrouped(at3, 0, 1, 128);
    const one = new HeapKeyedStateBackend(128, () => 0);
    one.restore(at1);
    expect(one.entryCount()).toBe(keys.length);
  });

  it('splits list state evenly, gives union state to all and broadcast state once (RoundRobinOperatorStateRepartitioner)', () => {
    const old = [
      encodeKeyGroupedSnapshot({
        maxParallelism: 128,
        keyGroups: new Map(),
        operatorState: {
          list: new Map([['offsets', ['a', 'b', 'c']]]),
          union: new Map([['watermark', [10]]]),
          broadcast: new Map([['rules', { x: 1 }]]),
        },
      }),
      encodeKeyGroupedSnapshot({
        maxParallelism: 128,
        keyGroups: new Map(),
        operatorState: {
          list: new Map([['offsets', ['d', 'e']]]),
          union: new Map([['watermark', [7]]]),
          broadcast: new Map([['rules', { x: 1 }]]),
        },
      }),
    ];
    const at3 = [0, 1, 2].map(
      (i) => decodeKeyGroupedSnapshot(redistributeKeyGrouped(old, i, 3, 128)).operatorState,
    );
    // 5 elements over 3 subtasks: runs of 2, 2, 1 in order.
    expect(at3.map((o) => o.list?.get('offsets') ?? [])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (const o of at3) {
      expect(o.union?.get('watermark')).toEqual([10, 7]);
      expect(o.broadcast?.get('rules')).toEqual({ x: 1 });
    }
    const at1 = decodeKeyGroupedSnapshot(redistributeKeyGrouped(old, 0, 1, 128)).operatorState;
    expect(at1.list?.get('offsets')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('restoring a vertex at another parallelism', () => {
  const keyed = (maxParallelism = 128): Uint8Array =>
    encodeKeyGroupedSnapshot({
      maxParallelism,
      keyGroups: new Map([
        [5, 'x'],
        [100, 'y'],
      ]),
      operatorState: {},
    });
  const target = {
    name: 'KeyedSum -> Sink: out',
    parallelism: 3,
    maxParallelism: 128,
    operatorNames: ['KeyedSum', 'Sink: out'],
  };

  it('assigns every new subtask its groups, and keeps blobs in place at the same parallelism', () => {
    const old = new Map([
      [0, new Map([['op-0', keyed()]])],
      [1, new Map([['finished', new Uint8Array(0)]])],
    ]);
    const out = redistributeState(target, { parallelism: 2, maxParallelism: 128 }, old);
    expect([...out.keys()]).toEqual([0, 1, 2]);
    const groups = [0, 1, 2].map((i) => [...readKeyGroupedSections(out.get(i)!.get('op-0')!).groups.keys()]);
    expect(groups).toEqual([[5], [], [100]]);
    const same = redistributeState(
      { ...target, parallelism: 2 },
      { parallelism: 2, maxParallelism: 128 },
      old,
    );
    expect(same.get(1)!.has('finished')).toBe(true);
  });

  it('fails on state that is not key-grouped, naming the operator', () => {
    const old = new Map([
      [0, new Map([['op-1', new TextEncoder().encode('[1,2]')]])],
      [1, new Map([['op-1', new TextEncoder().encode('[3]')]])],
    ]);
    expect(() => redistributeState(target, { parallelism: 2, maxParallelism: 128 }, old)).toThrow(
      "operator 'Sink: out' (in 'KeyedSum -> Sink: out') cannot be restored at parallelism 3 from a checkpoint taken at parallelism 2: its state is not partitioned by key group (non-rescalable state); restore it at parallelism 2",
    );
    const source = new Map([
      [0, new Map([['source', new TextEncoder().encode('17')]])],
      [1, new Map()],
    ]);
    expect(() =>
      redistributeState({ ...target, name: 'numbers' }, { parallelism: 2, maxParallelism: 128 }, source),
    ).toThrow(
      /^source 'numbers' cannot be restored at parallelism 3 from a checkpoint taken at parallelism 2: its read positions are not split/,
    );
  });

  it('fails when the max parallelism changed, or the parallelism exceeds it (Flink checkParallelismPreconditions)', () => {
    const old = new Map([[0, new Map([['op-0', keyed()]])]]);
    expect(() =>
      redistributeState({ ...target, maxParallelism: 256 }, { parallelism: 1, maxParallelism: 128 }, old),
    ).toThrow(
      "the maximum parallelism (128) with which the checkpoint of operator 'KeyedSum -> Sink: out' was taken and its current maximum parallelism (256) differ",
    );
    expect(() =>
      redistributeState({ ...target, parallelism: 200 }, { parallelism: 1, maxParallelism: 128 }, old),
    ).toThrow(
      "the state of operator 'KeyedSum -> Sink: out' cannot be restored at parallelism 200: its maximum parallelism (number of key groups) is 128",
    );
  });
});
