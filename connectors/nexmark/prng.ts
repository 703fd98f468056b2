// The generator's seeded random source: xoshiro128** over four int32 words, seeded from (seed, split index).
// It replaces the reference's unseeded SplittableRandom (NEXMARK.md §2.4, "Randomness"): fast, 32-bit only
// (no BigInt on the hot path), and its whole state is four numbers, so a checkpoint can carry it.

const TWO_32 = 4294967296;
const INV_2_32 = 1 / TWO_32;
const INV_2_53 = 1 / 2 ** 53;

/**
 * Bounds up to this take one 32-bit draw in `nextInt`: the relative bias of floor(x·m / 2^32) is at most
 * m / 2^32 (≤ 2^-12 here, under 3e-6 for the m ≤ 10,000 that the generator mostly uses). Larger bounds take
 * 53 bits, so user-sized bounds (hot ratios, long auction horizons) stay uniform.
 */
export const SMALL_BOUND = 1 << 20;

/** The state of a `Prng`, as plain numbers (each an int32). */
export type PrngState = readonly [number, number, number, number];

export class Prng {
  // An Int32Array keeps the words unboxed: plain object fields holding values ≥ 2^31 would be heap numbers.
  private readonly s = new Int32Array(4);

  /** Seeds from any safe integer `seed` and a stream number (the split index), mixing both into all words. */
  constructor(seed: number, stream: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isSafeInteger(stream) || stream < 0) throw new RangeError(`stream must be a non-negative integer, got ${stream}`);
    const lo = seed - Math.floor(seed / TWO_32) * TWO_32; // the low 32 bits, also for negative seeds
    const hi = Math.floor(seed / TWO_32);
    // SplitMix32-style expansion: distinct (seed, stream) pairs give unrelated, never all-zero states.
    let x = mix32((lo ^ mix32(hi + 0x632be5ab)) + Math.imul(stream + 1, 0x9e3779b9));
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) | 0;
      this.s[i] = mix32(x ^ mix32(stream ^ 0x85ebca6b));
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** A uniform integer in [0, 2^32). */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const s2 = s[2] as number;
    const s3 = s[3] as number;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[0] = s0 ^ n3;
    s[1] = s1 ^ n2;
    s[2] = n2 ^ t;
    s[3] = rotl(n3, 11);
    return r >>> 0;
  }

  /**
   * Fills `out` with the next out.length values of nextU32, with the state in locals: the generator draws
   * from such a pool, because a call per draw does not inline into its large batch loop.
   */
  fill(out: Uint32Array): void {
    const s = this.s;
    let s0 = s[0] as number;
    let s1 = s[1] as number;
    let s2 = s[2] as number;
    let s3 = s[3] as number;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }

  /** A uniform integer in [0, bound), bound ≥ 1 (see SMALL_BOUND for the precision). */
  nextInt(bound: number): number {
    if (bound <= SMALL_BOUND) return Math.floor(this.nextU32() * bound * INV_2_32);
    return Math.floor(this.nextDouble() * bound);
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) * INV_2_53;
  }

  state(): PrngState {
    return [this.s[0] as number, this.s[1] as number, this.s[2] as number, this.s[3] as number];
  }

  setState(state: PrngState): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || (w | 0) !== w)) {
      throw new RangeError(`a PRNG state is four int32 words, got [${state.join(', ')}]`);
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) throw new RangeError('a PRNG state cannot be all zero');
    this.s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Murmur3's finaliser: a bijection on int32 with full avalanche. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** U[0, bound) from one 32-bit draw x, for bound ≤ SMALL_BOUND (the generator's inlined form of nextInt). */
export function smallInt(x: number, bound: number): number {
  return Math.floor(x * bound * INV_2_32);
}

/** U[0, bound) from two 32-bit draws (53 bits), for any bound up to 2^53. */
export function wideInt(hi: number, lo: number, bound: number): number {
  return Math.floor(((hi >>> 5) * 67108864 + (lo >>> 6)) * INV_2_53 * bound);
}
