// Functions the generated code calls for the rare or complicated cases (casts, decimal rescaling, LIKE
// patterns). Passed in as `H`, never looked up by name from user text. Hot arithmetic is inlined instead.
import { MAX_LENGTH, formatType, makeBatch, type LogicalType, type Column, type Schema } from '../../executor/index.js';
import { formatValueText, parseTemporal } from '../../executor/index.js';

/** Raised inside exact-double code when a BIGINT/DECIMAL result leaves the safe range: rerun the batch on BigInt. */
export class WidenSignal extends Error {
  constructor() {
    super('widen');
  }
}
export const WIDEN = new WidenSignal();

/** A runtime failure of an expression (division by zero, bad cast): fails the job with a clear message. */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

const POW10 = Array.from({ length: 39 }, (_, i) => 10n ** BigInt(i));
const POW10N = Array.from({ length: 16 }, (_, i) => 10 ** i);

export const H = {
  WIDEN,
  allValid(n: number): Uint8Array {
    const v = new Uint8Array((n + 7) >>> 3);
    v.fill(0xff);
    return v;
  },
  makeBatch(schema: Schema, columns: Column[], n: number, kinds: Uint8Array) {
    return makeBatch(schema, columns, n, kinds);
  },
  divZero(): never {
    throw new ExpressionError('division by zero');
  },
  /** Rescale an exact-double unscaled decimal by 10^d (d may be negative: HALF_UP rounding, as Flink). */
  rescaleNum(v: number, d: number): number {
    if (d === 0) return v;
    if (d > 0) {
      const r = v * (POW10N[d] ?? 10 ** d);
      if (!Number.isSafeInteger(r)) throw WIDEN;
      return r;
    }
    const f = POW10N[-d] ?? 10 ** -d;
    const q = Math.trunc(v / f);
    const rem = v - q * f;
    return Math.abs(rem) * 2 >= f ? q + Math.sign(v) : q;
  },
  rescaleBig(v: bigint, d: number): bigint {
    if (d === 0) return v;
    if (d > 0) return v * (POW10[d] as bigint);
    const f = POW10[-d] as bigint;
    const q = v / f;
    const rem = v - q * f;
    const twice = (rem < 0n ? -rem : rem) * 2n;
    return twice >= f ? q + (v < 0n ? -1n : 1n) : q;
  },
  /** DECIMAL division a/b with result scale s (HALF_UP). */
  decDiv(a: bigint, sa: number, b: bigint, sb: number, s: number): bigint {
    if (b === 0n) throw new ExpressionError('division by zero');
    // a/10^sa / (b/10^sb) * 10^s = a * 10^(s - sa + sb) / b, computed with one extra digit for rounding.
    const shift = s - sa + sb;
    const num = shift >= 0 ? a * (POW10[shift + 1] as bigint) : a / (POW10[-shift - 1] as bigint);
    const q = num / b;
    const last = q % 10n;
    const base = q / 10n;
    if (last >= 5n) return base + 1n;
    if (last <= -5n) return base - 1n;
    return base;
  },
  wrap64(v: bigint): bigint {
    return BigInt.asIntN(64, v);
  },
  like(value: string, pattern: string, escape: string | null): boolean {
    return likeRegex(pattern, escape).test(value);
  },
  /** CAST for the combinations not inlined; values in the codegen representation of each type. */
  cast(v: unknown, from: LogicalType, to: LogicalType, big: boolean): unknown {
    return castValue(v, from, to, big);
  },
  trim(s: string): string {
    return s.replace(/^ +| +$/g, '');
  },
  charLength(s: string): number {
    let n = 0;
    for (const _ of s) n++;
    return n;
  },
};

const likeCache = new Map<string, RegExp>();
function likeRegex(pattern: string, escape: string | null): RegExp {
  const key = `${escape ?? ''}\u0000${pattern}`;
  let re = likeCache.get(key);
  if (re === undefined) {
    let src = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i] as string;
      if (escape !== null && c === escape) {
        const next = pattern[++i];
        if (next === undefined) throw new ExpressionError(`LIKE pattern '${pattern}' ends with the escape character`);
        src += next.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      } else if (c === '%') src += '[\\s\\S]*';
      else if (c === '_') src += '[\\s\\S]';
      else src += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 'u');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(key, re);
  }
  return re;
}

function castValue(v: unknown, from: LogicalType, to: LogicalType, big: boolean): unknown {
  const fail = (): never => {
    throw new ExpressionError(`cannot cast ${formatValueText(v, from)} of type ${formatType(from)} to ${formatType(to)}`);
  };
  const toBig = (x: unknown): bigint => (typeof x === 'bigint' ? x : BigInt(x as number));
  const fromExact = (x: unknown): number | bigint => (big ? toBig(x) : (x as number));
  switch (to.kind) {
    case 'VARCHAR':
    case 'CHAR': {
      const s = formatValueText(v, from);
      if (to.kind === 'CHAR') return s.length >= to.length ? s.slice(0, to.length) : s.padEnd(to.length, ' ');
      return to.length < MAX_LENGTH && s.length > to.length ? s.slice(0, to.length) : s;
    }
    case 'BOOLEAN':
      if (from.kind === 'VARCHAR' || from.kind === 'CHAR') {
        const t = (v as string).trim().toLowerCase();
        if (t === 'true') return true;
        if (t === 'false') return false;
        return fail();
      }
      if (typeof v === 'boolean') return v;
      return Number(v) !== 0;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      let n: bigint;
      if (from.kind === 'VARCHAR' || from.kind === 'CHAR') {
        const t = (v as string).trim();
        if (!/^[+-]?\d+$/.test(t)) return fail();
        n = BigInt(t);
      } else if (from.kind === 'DECIMAL') {
        n = toBig(v) / (POW10[from.scale] as bigint);
      } else if (from.kind === 'FLOAT' || from.kind === 'DOUBLE') {
        const d = v as number;
        if (!Number.isFinite(d)) return fail();
        n = BigInt(Math.trunc(d));
      } else if (typeof v === 'boolean') {
        n = v ? 1n : 0n;
      } else {
        n = toBig(v);
      }
      const bits = to.kind === 'TINYINT' ? 8 : to.kind === 'SMALLINT' ? 16 : to.kind === 'INT' ? 32 : 64;
      const wrapped = BigInt.asIntN(bits, n);
      if (to.kind !== 'BIGINT') return Number(wrapped);
      if (big) return wrapped;
      if (wrapped > 9007199254740991n || wrapped < -9007199254740991n) throw WIDEN;
      return Number(wrapped);
    }
    case 'FLOAT':
    case 'DOUBLE': {
      let d: number;
      if (from.kind === 'VARCHAR' || from.kind === 'CHAR') {
        d = Number((v as string).trim());
        if (Number.isNaN(d) && (v as string).trim() !== 'NaN') return fail();
      } else if (from.kind === 'DECIMAL') d = Number(toBig(v)) / 10 ** from.scale;
      else if (typeof v === 'boolean') d = v ? 1 : 0;
      else d = Number(v);
      return to.kind === 'FLOAT' ? Math.fround(d) : d;
    }
    case 'DECIMAL': {
      let unscaled: bigint;
      if (from.kind === 'VARCHAR' || from.kind === 'CHAR') {
        const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(v as string);
        if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return fail();
        const frac = (m[3] ?? '').padEnd(to.scale + 1, '0');
        const digits = BigInt((m[2] || '0') + frac.slice(0, to.scale + 1));
        unscaled = H.rescaleBig(digits, -1) * (m[1] === '-' ? -1n : 1n);
      } else if (from.kind === 'DECIMAL') {
        unscaled = H.rescaleBig(toBig(v), to.scale - from.scale);
      } else if (from.kind === 'FLOAT' || from.kind === 'DOUBLE') {
        const d = v as number;
        if (!Number.isFinite(d)) return fail();
        unscaled = H.rescaleBig(BigInt(Math.round(d * 10 ** (to.scale + 1))), -1);
      } else {
        unscaled = toBig(v) * (POW10[to.scale] as bigint);
      }
      // Flink returns NULL when the value does not fit the target precision; we fail loudly only for TRY_CAST's
      // opposite, so the caller maps this to NULL (see codegen).
      if ((unscaled < 0n ? -unscaled : unscaled) >= (POW10[to.precision] as bigint)) return null;
      if (big) return unscaled;
      if (unscaled > 9007199254740991n || unscaled < -9007199254740991n) throw WIDEN;
      return Number(unscaled);
    }
    case 'DATE':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'TIME': {
      if (from.kind === 'VARCHAR' || from.kind === 'CHAR') {
        const parsed = parseTemporal(v as string, to.kind);
        if (parsed === null) return fail();
        return parsed;
      }
      if (from.kind === 'TIMESTAMP' || from.kind === 'TIMESTAMP_LTZ') {
        const ms = v as number;
        if (to.kind === 'DATE') return Math.floor(ms / 86_400_000);
        if (to.kind === 'TIME') return ((ms % 86_400_000) + 86_400_000) % 86_400_000;
        return ms;
      }
      if (from.kind === 'DATE' && (to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ')) return (v as number) * 86_400_000;
      return fromExact(v);
    }
    default:
      return fail();
  }
}
