// Both engines' cells become one canonical text, decided by the type Freshet declares for the column: integers
// exact, DECIMAL(p, s) at exactly s digits (DuckDB often answers DOUBLE or another scale), doubles rounded to 12
// significant digits (a relative tolerance of about 1e-12 that keeps rows hashable), timestamps at the column's
// precision in UTC, strings as they are. A row is its cells joined with a separator no value contains.
import type { LogicalType, Value } from '../../index.js';
import { formatDate, formatDecimal, formatTs } from './generator.js';

export const SEP = '\u241f';

const MS_PER_DAY = 86_400_000;

/** TIME as milliseconds of the day, printed at the column's precision (as a user sees it). */
function formatTime(ms: number, precision: number): string {
  const text = formatTs(ms).slice(11);
  return precision === 0 ? text.slice(0, 8) : text.slice(0, 9 + Math.min(precision, 3));
}

function canonicalDouble(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return '0';
  return String(Number(x.toPrecision(12)));
}

/** Rounds a decimal string or number to `scale` digits, half away from zero (Flink's DECIMAL rounding). */
function decimalFromText(text: string, scale: number): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (m === null) throw new Error(`not a number: ${text}`);
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let digits = `${int}${frac}`.replace(/^0+(?=\d)/, '') || '0';
  let point = int.length + Number(exp); // digits before the decimal point
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  const keep = point + scale;
  let unscaled: bigint;
  if (keep >= digits.length) unscaled = BigInt(digits + '0'.repeat(keep - digits.length));
  else if (keep < 0) unscaled = 0n;
  else {
    unscaled = BigInt(digits.slice(0, keep) || '0');
    if ((digits[keep] as string) >= '5') unscaled += 1n;
  }
  return sign === '-' ? -unscaled : unscaled;
}

function rescale(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  if (from < to) return unscaled * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  const q = unscaled / div;
  const r = unscaled % div;
  const half = div / 2n;
  if (r >= half) return q + 1n;
  if (-r >= half) return q - 1n;
  return q;
}

/** A Freshet cell in canonical text. */
export function canonicalFreshet(v: Value, t: LogicalType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(v);
    case 'FLOAT':
    case 'DOUBLE':
      return canonicalDouble(v as number);
    case 'DECIMAL':
      return formatDecimal(typeof v === 'bigint' ? v : BigInt(v as number), t.scale);
    case 'CHAR':
    case 'VARCHAR':
      return `'${v as string}'`;
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, t.precision);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return typeof v === 'bigint' ? formatTs(Number(v / 1_000_000n)) : formatTs(v as number);
    default:
      return JSON.stringify(v, (_k, x: unknown) =>
        typeof x === 'bigint' ? x.toString() : x instanceof Map ? [...x] : x,
      );
  }
}

interface DuckDecimal {
  readonly scale: number;
  readonly value: bigint;
}

const isDecimal = (v: object): v is DuckDecimal => 'scale' in v && 'value' in v && 'width' in v;

/** A DuckDB cell in canonical text, converted to the type Freshet declared for the column. */
export function canonicalOracle(v: unknown, t: LogicalType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (t.kind) {
    case 'BOOLEAN':
      return v === true ? 'true' : v === false ? 'false' : `?${String(v)}`;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      if (typeof v === 'object' && isDecimal(v)) return formatDecimal(rescale(v.value, v.scale, 0), 0);
      return typeof v === 'number' && !Number.isInteger(v) ? `?${v}` : String(v);
    case 'FLOAT':
    case 'DOUBLE':
      if (typeof v === 'object' && isDecimal(v))
        return canonicalDouble(Number(formatDecimal(v.value, v.scale)));
      return canonicalDouble(Number(v));
    case 'DECIMAL':
      if (typeof v === 'object' && isDecimal(v))
        return formatDecimal(rescale(v.value, v.scale, t.scale), t.scale);
      if (typeof v === 'number')
        return Number.isFinite(v) ? formatDecimal(decimalFromText(String(v), t.scale), t.scale) : String(v);
      return formatDecimal(decimalFromText(String(v), t.scale), t.scale);
    case 'CHAR':
    case 'VARCHAR':
      return `'${String(v)}'`;
    case 'DATE':
      if (typeof v === 'object' && 'days' in v) return formatDate((v as { days: number }).days);
      return `?${String(v)}`;
    case 'TIME':
      if (typeof v === 'object' && 'micros' in v)
        return formatTime(Number((v as { micros: bigint }).micros / 1000n), t.precision);
      return `?${String(v)}`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      if (typeof v === 'object' && 'micros' in v) {
        const micros = (v as { micros: bigint }).micros;
        let ms = micros / 1000n;
        if (micros % 1000n < 0n) ms -= 1n;
        return formatTs(Number(ms));
      }
      if (typeof v === 'object' && 'days' in v) return formatTs((v as { days: number }).days * MS_PER_DAY);
      return `?${String(v)}`;
    default:
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
}

/** The canonical text of a whole row. */
export function rowKey(cells: readonly string[]): string {
  return cells.join(SEP);
}
