// Literal typing as in Flink/Calcite: integers are INT, then BIGINT, then DECIMAL; `1.5` is DECIMAL(2, 1);
// `1e3` is DOUBLE; strings are CHAR(n) NOT NULL; intervals become milliseconds or months.
import { Types, parseTemporal, type LogicalType, type Value } from '../../executor/index.js';
import { ValidationError, type Span, type TimeUnit } from '../../parser/index.js';

export function numberLiteral(text: string): { value: Value; type: LogicalType } {
  if (/[eE]/.test(text)) return { value: Number(text), type: Types.DOUBLE(false) };
  if (!text.includes('.')) {
    const v = BigInt(text);
    if (v <= 2147483647n) return { value: Number(v), type: Types.INT(false) };
    if (v <= 9223372036854775807n) return { value: v, type: Types.BIGINT(false) };
    return { value: v, type: Types.DECIMAL(Math.min(38, text.length), 0, false) };
  }
  const [int = '', frac = ''] = text.split('.');
  const digits = (int + frac).replace(/^0+(?=\d)/, '');
  const scale = frac.length;
  const precision = Math.max(scale, digits.length, 1);
  return { value: BigInt(int + frac || '0'), type: Types.DECIMAL(Math.min(38, precision), scale, false) };
}

const MS: Record<string, number> = { DAY: 86_400_000, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000 };

/** `INTERVAL '5' SECOND` → 5000 ms; `INTERVAL '1-2' YEAR TO MONTH` → 14 months. */
export function intervalLiteral(text: string, from: TimeUnit, to: TimeUnit | null, source: string, span: Span): { value: Value; type: LogicalType } {
  const fail = (): never => {
    throw new ValidationError(`illegal interval literal '${text}' for INTERVAL ${from}${to ? ' TO ' + to : ''}`, source, span);
  };
  const t = text.trim();
  const neg = t.startsWith('-');
  const body = neg || t.startsWith('+') ? t.slice(1) : t;
  const sign = neg ? -1 : 1;
  if (from === 'YEAR' || from === 'MONTH') {
    if (to === null || to === from) {
      if (!/^\d+$/.test(body)) fail();
      return { value: sign * Number(body) * (from === 'YEAR' ? 12 : 1), type: Types.INTERVAL('YEAR_MONTH', false) };
    }
    const m = /^(\d+)-(\d+)$/.exec(body);
    if (m === null || to !== 'MONTH') return fail();
    return { value: sign * (Number(m[1]) * 12 + Number(m[2])), type: Types.INTERVAL('YEAR_MONTH', false) };
  }
  const units: TimeUnit[] = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  const i0 = units.indexOf(from);
  const i1 = to === null ? i0 : units.indexOf(to);
  if (i0 < 0 || i1 < i0) return fail();
  const parts = body.split(/[ :]/);
  if (parts.length !== i1 - i0 + 1) return fail();
  let ms = 0;
  parts.forEach((p, k) => {
    const unit = units[i0 + k] as string;
    const isSecond = unit === 'SECOND';
    if (!(isSecond ? /^\d+(\.\d{1,3})?$/ : /^\d+$/).test(p)) fail();
    ms += Math.round(Number(p) * (MS[unit] as number));
  });
  return { value: sign * ms, type: Types.INTERVAL('DAY_TIME', false) };
}

export function typedLiteral(kind: 'DATE' | 'TIME' | 'TIMESTAMP', text: string, source: string, span: Span): { value: Value; type: LogicalType } {
  const v = parseTemporal(text, kind);
  if (v === null) throw new ValidationError(`illegal ${kind} literal '${text}'`, source, span);
  if (kind === 'DATE') return { value: v, type: Types.DATE(false) };
  if (kind === 'TIME') return { value: v, type: Types.TIME(0, false) };
  const frac = /\.(\d+)$/.exec(text.trim());
  return { value: v, type: Types.TIMESTAMP(Math.min(3, Math.max(0, frac?.[1]?.length ?? 0)), false) };
}
