// Text form of values, as Flink prints them (CAST to STRING, CSV output, the SQL client): TIMESTAMP(3) as
// `YYYY-MM-DD HH:MM:SS.sss`, DECIMAL with its exact scale, DOUBLE like Java's Double.toString.
import { hasNanos, type Value } from '../batch/column.js';
import { unreachable, type LogicalType } from './logical-type.js';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDate(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  return `${y < 0 ? '-' + pad(-y, 4) : pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatTime(msOfDay: number, precision: number): string {
  const h = Math.floor(msOfDay / 3_600_000);
  const m = Math.floor((msOfDay % 3_600_000) / 60_000);
  const s = Math.floor((msOfDay % 60_000) / 1000);
  const frac = precision > 0 ? '.' + pad(msOfDay % 1000, 3).padEnd(precision, '0').slice(0, precision) : '';
  return `${pad(h)}:${pad(m)}:${pad(s)}${frac}`;
}

/** Epoch ms (+ nanos of the millisecond) as `YYYY-MM-DD HH:MM:SS[.f…]` with exactly `precision` digits. */
export function formatTimestamp(ms: number, precision: number, nanosOfMs = 0): string {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms - days * 86_400_000;
  const base = `${formatDate(days)} ${formatTime(rest - (rest % 1000), 0)}`;
  if (precision === 0) return base;
  const frac = pad(rest % 1000, 3) + pad(nanosOfMs, 6);
  return `${base}.${frac.slice(0, precision)}`;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${neg ? '-' : ''}${int}${scale > 0 ? '.' + frac : ''}`;
}

/** Java's Double.toString: `1.0`, `0.001`, `1.0E7`, `1.5E-4`, `NaN`, `Infinity`. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(d);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  const [mant, exp] = d.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** The canonical text of a value of a type (runtime value representation, see executor Value). */
export function formatValueText(v: unknown, t: LogicalType): string {
  if (v === null || v === undefined) return 'NULL';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'TRUE' : 'FALSE';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(v);
    case 'FLOAT':
    case 'DOUBLE':
      return formatDouble(v as number);
    case 'DECIMAL':
      return formatDecimal(typeof v === 'bigint' ? v : BigInt(v as number), t.scale);
    case 'CHAR':
    case 'VARCHAR':
      return v as string;
    case 'BINARY':
    case 'VARBINARY':
      return 'x\'' + Array.from(v as Uint8Array, (b) => b.toString(16).padStart(2, '0')).join('') + "'";
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, t.precision);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      if (hasNanos(t)) {
        const ns = v as bigint;
        let ms = ns / 1_000_000n;
        if (ns % 1_000_000n < 0n) ms -= 1n;
        return formatTimestamp(Number(ms), t.precision, Number(ns - ms * 1_000_000n));
      }
      return formatTimestamp(v as number, t.precision);
    }
    case 'INTERVAL':
      return t.family === 'YEAR_MONTH' ? formatMonths(v as number) : formatMillis(v as number);
    case 'ARRAY':
      return `[${(v as Value[]).map((e) => formatValueText(e, t.element)).join(', ')}]`;
    case 'MAP':
      return `{${[...(v as Map<Value, Value>)].map(([k, x]) => `${formatValueText(k, t.key)}=${formatValueText(x, t.value)}`).join(', ')}}`;
    case 'ROW':
      return `(${(v as Value[]).map((e, i) => formatValueText(e, (t.fields[i] as { type: LogicalType }).type)).join(', ')})`;
    case 'NULL':
      return 'NULL';
    default:
      return unreachable(t);
  }
}

function formatMonths(m: number): string {
  const sign = m < 0 ? '-' : '+';
  const a = Math.abs(m);
  return `${sign}${Math.floor(a / 12)}-${pad(a % 12)}`;
}

function formatMillis(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  let a = Math.abs(ms);
  const days = Math.floor(a / 86_400_000);
  a -= days * 86_400_000;
  return `${sign}${days} ${formatTime(a, 3)}`;
}

/** Parses `YYYY-MM-DD`, `HH:MM:SS[.fff]`, `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` as UTC wall-clock; null if invalid. */
export function parseTemporal(s: string, kind: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'): number | null {
  const t = s.trim();
  if (kind === 'TIME') {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(t);
    if (m === null) return null;
    const ms = Number(((m[4] ?? '') + '000').slice(0, 3));
    return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3] ?? 0)) * 1000 + ms;
  }
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/.exec(t);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const days = Date.UTC(y, mo - 1, d) / 86_400_000;
  if (new Date(days * 86_400_000).getUTCDate() !== d) return null;
  if (kind === 'DATE') return m[4] === undefined ? days : null;
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  return days * 86_400_000 + ((Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0)) * 60 + Number(m[6] ?? 0)) * 1000 + ms;
}
