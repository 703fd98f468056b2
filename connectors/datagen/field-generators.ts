// Per-field value generators of the datagen connector, as in Flink: `random` (uniform within min/max, strings of
// a given length, timestamps up to max-past before now) and `sequence` (start..end, which bounds the source).
// Generators write straight into a column builder; the seeded PRNG makes runs reproducible.
import { MAX_LENGTH, type ColumnBuilder, type LogicalType, type Value } from '../../executor/index.js';
import type { Prng } from '../nexmark/prng.js';

export interface FieldSpec {
  readonly kind: 'random' | 'sequence';
  readonly min?: string;
  readonly max?: string;
  readonly maxPast?: number;
  readonly length?: number;
  readonly varLen: boolean;
  readonly start?: string;
  readonly end?: string;
  readonly nullRate: number;
}

export interface FieldGenerator {
  /** Appends the value of row `n` (0-based within this source). */
  append(b: ColumnBuilder, n: number, now: number): void;
  /** For sequences: how many values exist (the source ends after that many rows). */
  readonly limit: number | null;
}

const INT_RANGE: Partial<Record<LogicalType['kind'], [number, number]>> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  // BIGINT random values stay in the exact-double range unless min/max say otherwise.
  BIGINT: [-(2 ** 53), 2 ** 53],
};

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function fieldGenerator(name: string, type: LogicalType, spec: FieldSpec, rng: Prng): FieldGenerator {
  const fail = (msg: string): never => {
    throw new Error(`datagen field '${name}': ${msg}`);
  };
  const num = (key: 'min' | 'max' | 'start' | 'end', dflt?: number): number => {
    const raw = spec[key];
    if (raw === undefined) return dflt ?? fail(`option 'fields.${name}.${key}' is required`);
    const v = Number(raw);
    if (!Number.isFinite(v)) fail(`option 'fields.${name}.${key}' must be a number, got '${raw}'`);
    return v;
  };
  const withNulls = (g: FieldGenerator): FieldGenerator =>
    spec.nullRate <= 0
      ? g
      : {
          limit: g.limit,
          append(b, n, now) {
            if (rng.nextDouble() < spec.nullRate) b.appendNull();
            else g.append(b, n, now);
          },
        };

  if (spec.kind === 'sequence') {
    const start = num('start');
    const end = num('end');
    if (end < start) fail(`'end' (${end}) is before 'start' (${start})`);
    const count = end - start + 1;
    const seq = (toValue: (v: number) => Value): FieldGenerator => ({ limit: count, append: (b, n) => b.append(toValue(start + n)) });
    switch (type.kind) {
      case 'TINYINT':
      case 'SMALLINT':
      case 'INT':
      case 'FLOAT':
      case 'DOUBLE':
        return withNulls(seq((v) => v));
      case 'BIGINT':
        return withNulls(seq((v) => BigInt(v)));
      case 'DECIMAL':
        return withNulls(seq((v) => BigInt(v) * 10n ** BigInt(type.scale)));
      case 'CHAR':
      case 'VARCHAR':
        return withNulls(seq((v) => String(v)));
      default:
        return fail(`the sequence generator does not support ${type.kind}`);
    }
  }

  switch (type.kind) {
    case 'BOOLEAN':
      return withNulls({ limit: null, append: (b) => b.append(rng.nextInt(2) === 1) });
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const [lo, hi] = INT_RANGE[type.kind] as [number, number];
      const min = num('min', lo);
      const max = num('max', hi);
      if (max < min) fail(`'max' (${max}) is below 'min' (${min})`);
      const span = max - min + 1;
      const big = type.kind === 'BIGINT';
      return withNulls({
        limit: null,
        append: (b) => {
          const v = min + Math.floor(rng.nextDouble() * span);
          b.append(big ? BigInt(v) : v);
        },
      });
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const min = num('min', -Number.MAX_VALUE / 2);
      const max = num('max', Number.MAX_VALUE / 2);
      return withNulls({ limit: null, append: (b) => b.append(min + rng.nextDouble() * (max - min)) });
    }
    case 'DECIMAL': {
      const limit = 10 ** Math.min(15, type.precision - type.scale);
      const min = num('min', -limit + 1);
      const max = num('max', limit - 1);
      const f = 10 ** type.scale;
      return withNulls({ limit: null, append: (b) => b.append(BigInt(Math.round((min + rng.nextDouble() * (max - min)) * f))) });
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY': {
      const declared = type.length === MAX_LENGTH ? 100 : type.length;
      const length = spec.length ?? declared;
      if (type.length !== MAX_LENGTH && length > type.length) fail(`'length' (${length}) exceeds the column length ${type.length}`);
      const bytes = type.kind === 'BINARY' || type.kind === 'VARBINARY';
      return withNulls({
        limit: null,
        append: (b) => {
          const n = spec.varLen ? 1 + rng.nextInt(length) : length;
          if (bytes) {
            const out = new Uint8Array(n);
            for (let i = 0; i < n; i++) out[i] = rng.nextInt(256);
            b.append(out);
            return;
          }
          let s = '';
          for (let i = 0; i < n; i++) s += ALNUM[rng.nextInt(ALNUM.length)];
          b.append(s);
        },
      });
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const maxPast = spec.maxPast ?? 0;
      const nanos = type.precision > 3;
      return withNulls({
        limit: null,
        append: (b, _n, now) => {
          const ms = now - Math.floor(rng.nextDouble() * (maxPast + 1));
          b.append(nanos ? BigInt(ms) * 1_000_000n : ms);
        },
      });
    }
    case 'DATE': {
      const maxPastDays = Math.floor((spec.maxPast ?? 0) / 86_400_000);
      return withNulls({ limit: null, append: (b, _n, now) => b.append(Math.floor(now / 86_400_000) - rng.nextInt(maxPastDays + 1)) });
    }
    case 'TIME':
      return withNulls({ limit: null, append: (b) => b.append(rng.nextInt(86_400_000)) });
    default:
      return fail(`the random generator does not support ${type.kind} (use a computed column)`);
  }
}
