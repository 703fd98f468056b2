// The generator's random source (xoshiro128** against the reference C code's output) and price(), which
// replaces Math.pow by tables and a series and must agree with round(10^(6u)·100).
import { describe, expect, it } from 'vitest';
import { Prng, smallInt, wideInt } from '../../../connectors/nexmark/prng.js';
import { price } from '../../../connectors/nexmark/tables.js';

describe('Prng', () => {
  it('is xoshiro128**: the reference implementation gives these words from state (1, 2, 3, 2^31 + 4)', () => {
    const rng = new Prng(0, 0);
    rng.setState([1, 2, 3, 0x80000004 | 0]);
    const words = Array.from({ length: 6 }, () => rng.nextU32());
    expect(words).toEqual([11520, 0, 5927616, 76718016, 1232314340, 3851833764]);
  });

  it('fills a pool with the same sequence as nextU32', () => {
    const a = new Prng(42, 3);
    const b = new Prng(42, 3);
    const pool = new Uint32Array(1000);
    a.fill(pool);
    for (let i = 0; i < pool.length; i++) expect(pool[i]).toBe(b.nextU32());
    expect(a.state()).toEqual(b.state());
  });

  it('seeds distinct streams from (seed, stream), also for negative and large seeds', () => {
    const first = (seed: number, stream: number): number[] => {
      const r = new Prng(seed, stream);
      return [r.nextU32(), r.nextU32(), r.nextU32()];
    };
    expect(first(0, 0)).toEqual(first(0, 0));
    const all = [first(0, 0), first(0, 1), first(1, 0), first(-1, 0), first(2 ** 40, 0), first(2 ** 40 + 1, 0), first(0, 7)];
    expect(new Set(all.map((x) => x.join())).size).toBe(all.length);
    expect(() => new Prng(1.5, 0)).toThrow(RangeError);
    expect(() => new Prng(0, 0).setState([0, 0, 0, 0])).toThrow(RangeError);
  });

  it('draws integers uniformly in range', () => {
    const rng = new Prng(9, 0);
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.nextInt(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 1000; i++) {
      const big = rng.nextInt(3 * 2 ** 40);
      expect(Number.isInteger(big) && big >= 0 && big < 3 * 2 ** 40).toBe(true);
      const d = rng.nextDouble();
      expect(d >= 0 && d < 1).toBe(true);
    }
    expect(smallInt(0xffffffff, 10)).toBe(9);
    expect(smallInt(0, 10)).toBe(0);
    expect(wideInt(0xffffffff, 0xffffffff, 2 ** 50)).toBe(2 ** 50 - 1);
  });
});

describe('price()', () => {
  it('agrees with round(10^(6u)·100) for u = x / 2^32', () => {
    let mismatches = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const x = Math.imul(i, 2654435761) >>> 0;
      if (price(x) !== Math.round(Math.pow(10, (x / 2 ** 32) * 6) * 100)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(price(0)).toBe(100);
    expect(price(0xffffffff)).toBe(1e8);
  });
});
