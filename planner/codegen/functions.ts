// Runtime implementations of the built-in scalar functions, called by generated code as `H.F.name(...)` with
// non-NULL arguments in the code generator's value representation. A function that returns null makes the
// result NULL (REGEXP_EXTRACT without a match, SPLIT_INDEX out of range, unparsable TO_TIMESTAMP, ...).
import { createHash } from 'node:crypto';
import { formatDate, formatTimestamp, parseTemporal } from '../../executor/index.js';

const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------- strings

const SURROGATE = /[\uD800-\uDFFF]/;

/** Code points of a string (Flink counts characters, not UTF-16 units); the fast path avoids the split. */
function chars(s: string): string[] | null {
  return SURROGATE.test(s) ? Array.from(s) : null;
}

function substringSql(s: string, pos: number, len: number | undefined): string | null {
  if (len !== undefined && len < 0) return null;
  const cp = chars(s);
  const n = cp === null ? s.length : cp.length;
  // Flink's BinaryStringDataUtil.substringSQL: a start before the first character gives the empty string.
  const start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  if (start < 0 || start >= n) return '';
  const end = len === undefined ? n : Math.min(n, start + len);
  if (start >= end) return '';
  return cp === null ? s.slice(start, end) : cp.slice(start, end).join('');
}

const regexCache = new Map<string, RegExp | null>();

/** A Java regular expression as a JS RegExp (leading inline flags such as `(?i)` become flags); null if invalid. */
function javaRegex(pattern: string, global: boolean): RegExp | null {
  const key = `${global ? 'g' : ''}\u0000${pattern}`;
  if (regexCache.has(key)) return regexCache.get(key) ?? null;
  let src = pattern;
  let flags = global ? 'g' : '';
  const inline = /^\(\?([imsx]+)\)/.exec(src);
  if (inline !== null) {
    src = src.slice(inline[0].length);
    for (const f of inline[1] as string) if (f !== 'x' && !flags.includes(f)) flags += f;
  }
  let re: RegExp | null;
  try {
    re = new RegExp(src, flags);
  } catch {
    re = null;
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** Java's Matcher.replaceAll replacement syntax (`$1`, `${name}`, `\$`) in JS's `String.replace` syntax. */
function javaReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i] as string;
    if (c === '\\' && i + 1 < r.length) {
      const next = r[++i] as string;
      out += next === '$' ? '$$' : next;
    } else if (c === '$' && r[i + 1] === '{') {
      const end = r.indexOf('}', i);
      out += `$<${r.slice(i + 2, end)}>`;
      i = end;
    } else out += c;
  }
  return out;
}

function pad(base: string, len: number, padding: string, left: boolean): string | null {
  if (len < 0 || padding === '') return null;
  if (len === 0) return '';
  const fill = Math.max(len - base.length, 0);
  let p = '';
  while (p.length < fill) p += padding;
  p = p.slice(0, fill);
  const b = base.slice(0, len - fill);
  return left ? p + b : b + p;
}

function isLetterOrDigit(c: string): boolean {
  return /[\p{L}\p{Nd}]/u.test(c);
}

// ---------------------------------------------------------------------------------------------- dates

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type DateToken = { readonly lit: string } | { readonly letter: string; readonly count: number };

const formatCache = new Map<string, DateToken[]>();

/** Tokenizes a java.text.SimpleDateFormat pattern: letter runs and quoted or plain literal text. */
function tokens(pattern: string): DateToken[] {
  let t = formatCache.get(pattern);
  if (t !== undefined) return t;
  t = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = end < 0 ? pattern.slice(i + 1) : pattern.slice(i + 1, end);
      t.push({ lit: text === '' ? "'" : text });
      i = end < 0 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      t.push({ letter: c, count: j - i });
      i = j;
    } else {
      t.push({ lit: c });
      i++;
    }
  }
  if (formatCache.size > 1000) formatCache.clear();
  formatCache.set(pattern, t);
  return t;
}

const z = (n: number, w: number): string => String(n).padStart(w, '0');

/** ISO-8601 week of the year of a UTC date (what EXTRACT(WEEK) and WEEK() return). */
function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / DAY + 1) / 7);
}

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
}

/** Per pattern, the last formatted interval: a result holds for every ms of the aligned unit it was made for. */
const lastFormatted = new Map<string, { unit: number; from: number; to: number; out: string }>();

/** The length of the UTC interval (ms) over which a pattern's output cannot change; 1 if it has milliseconds. */
function patternUnit(pattern: string): number {
  let unit = DAY; // years, months, days, weekdays and ISO weeks change only at UTC midnight
  for (const t of tokens(pattern)) {
    if ('lit' in t) continue;
    switch (t.letter) {
      case 'H':
      case 'k':
      case 'h':
      case 'K':
      case 'a':
        unit = Math.min(unit, 3_600_000);
        break;
      case 'm':
        unit = Math.min(unit, 60_000);
        break;
      case 's':
        unit = Math.min(unit, 1000);
        break;
      case 'y':
      case 'Y':
      case 'M':
      case 'd':
      case 'E':
      case 'D':
      case 'w':
      case 'u':
      case 'G':
      case 'z':
        break;
      default:
        unit = 1;
    }
  }
  return unit;
}

/**
 * DATE_FORMAT: a row of the same day (minute, ...) as the previous one reuses its text. Nexmark's q15-q17 format
 * every bid's time to its day; building a Date and the text per row was 8% of q15.
 */
function formatMs(ms: number, pattern: string): string {
  let last = lastFormatted.get(pattern);
  if (last === undefined) {
    if (lastFormatted.size > 100) lastFormatted.clear();
    last = { unit: patternUnit(pattern), from: 1, to: 0, out: '' };
    lastFormatted.set(pattern, last);
  }
  if (ms >= last.from && ms < last.to) return last.out;
  const out = formatMsUncached(ms, pattern);
  if (last.unit > 1) {
    last.from = Math.floor(ms / last.unit) * last.unit;
    last.to = last.from + last.unit;
    last.out = out;
  }
  return out;
}

function formatMsUncached(ms: number, pattern: string): string {
  const d = new Date(ms);
  let out = '';
  for (const t of tokens(pattern)) {
    if ('lit' in t) {
      out += t.lit;
      continue;
    }
    const n = t.count;
    const y = d.getUTCFullYear();
    const h = d.getUTCHours();
    switch (t.letter) {
      case 'y':
      case 'Y':
        out += n === 2 ? z(y % 100, 2) : z(y, n);
        break;
      case 'M':
        out += n >= 4 ? MONTHS[d.getUTCMonth()] : n === 3 ? (MONTHS[d.getUTCMonth()] as string).slice(0, 3) : z(d.getUTCMonth() + 1, n);
        break;
      case 'd':
        out += z(d.getUTCDate(), n);
        break;
      case 'H':
        out += z(h, n);
        break;
      case 'k':
        out += z(h === 0 ? 24 : h, n);
        break;
      case 'h':
        out += z(h % 12 === 0 ? 12 : h % 12, n);
        break;
      case 'K':
        out += z(h % 12, n);
        break;
      case 'm':
        out += z(d.getUTCMinutes(), n);
        break;
      case 's':
        out += z(d.getUTCSeconds(), n);
        break;
      case 'S':
        out += z(d.getUTCMilliseconds(), n);
        break;
      case 'E':
        out += n >= 4 ? WEEKDAYS[d.getUTCDay()] : (WEEKDAYS[d.getUTCDay()] as string).slice(0, 3);
        break;
      case 'a':
        out += h < 12 ? 'AM' : 'PM';
        break;
      case 'D':
        out += z(dayOfYear(d), n);
        break;
      case 'w':
        out += z(isoWeek(d), n);
        break;
      case 'u':
        out += String(d.getUTCDay() || 7);
        break;
      case 'G':
        out += y > 0 ? 'AD' : 'BC';
        break;
      case 'z':
        out += 'UTC';
        break;
      case 'Z':
        out += '+0000';
        break;
      case 'X':
        out += 'Z';
        break;
      default:
        out += t.letter.repeat(n);
    }
  }
  return out;
}

const parseCache = new Map<string, { re: RegExp; fields: string[] }>();

/** Parses `text` with a SimpleDateFormat pattern to epoch ms (UTC); null when it does not match. */
function parseMs(text: string, pattern: string): number | null {
  let p = parseCache.get(pattern);
  if (p === undefined) {
    const ts = tokens(pattern);
    const fields: string[] = [];
    let src = '^\\s*';
    ts.forEach((t, k) => {
      if ('lit' in t) {
        src += t.lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        return;
      }
      const next = ts[k + 1];
      const adjacent = next !== undefined && 'letter' in next;
      fields.push(t.letter);
      if (t.letter === 'M' && t.count >= 3) src += '([A-Za-z]+)';
      else if (t.letter === 'a' || t.letter === 'E') src += '([A-Za-z]+)';
      else if (t.letter === 'X' || t.letter === 'Z' || t.letter === 'z') src += '(Z|UTC|GMT|[+-]\\d{2}:?\\d{2})';
      else src += adjacent ? `(\\d{${t.count}})` : '(\\d+)';
    });
    p = { re: new RegExp(src), fields };
    if (parseCache.size > 1000) parseCache.clear();
    parseCache.set(pattern, p);
  }
  const m = p.re.exec(text);
  if (m === null) return null;
  let [y, mo, d, h, mi, s, ms, pm, offset] = [1970, 1, 1, 0, 0, 0, 0, -1, 0];
  p.fields.forEach((f, k) => {
    const v = m[k + 1] as string;
    const n = Number(v);
    switch (f) {
      case 'y':
        y = v.length === 2 ? 2000 + n : n;
        break;
      case 'M':
        mo = /^\d+$/.test(v) ? n : MONTHS.findIndex((x) => x.toLowerCase().startsWith(v.toLowerCase())) + 1;
        break;
      case 'd':
        d = n;
        break;
      case 'H':
      case 'k':
        h = n === 24 && f === 'k' ? 0 : n;
        break;
      case 'h':
      case 'K':
        h = n % 12;
        break;
      case 'm':
        mi = n;
        break;
      case 's':
        s = n;
        break;
      case 'S':
        ms = Number((v + '00').slice(0, 3));
        break;
      case 'a':
        pm = v.toUpperCase() === 'PM' ? 1 : 0;
        break;
      case 'X':
      case 'Z':
      case 'z': {
        const o = /^([+-])(\d{2}):?(\d{2})$/.exec(v);
        if (o !== null) offset = (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3])) * 60_000;
        break;
      }
      default:
        break;
    }
  });
  if (pm === 1) h += 12;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset;
}

/** Calendar-month arithmetic on epoch ms: the day of month is clamped to the target month's length. */
function addMonthsMs(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const ty = y + Math.floor(m / 12);
  const tm = ((m % 12) + 12) % 12;
  const last = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), last);
  const msOfDay = ((ms % DAY) + DAY) % DAY;
  return Date.UTC(ty, tm, day) + msOfDay;
}

const UNIT_MS: Record<string, number> = { WEEK: 7 * DAY, DAY, HOUR: 3_600_000, MINUTE: 60_000, SECOND: 1000, MILLISECOND: 1 };
const UNIT_MONTHS: Record<string, number> = { YEAR: 12, QUARTER: 3, MONTH: 1 };

// ---------------------------------------------------------------------------------------------- JSON

type PathStep = string | number;
const pathCache = new Map<string, PathStep[] | null>();

/** A simple SQL/JSON path: `[lax|strict] $.a.b[0]['c']`; null when not understood. */
function jsonPath(path: string): PathStep[] | null {
  let p = pathCache.get(path);
  if (p !== undefined) return p;
  const steps: PathStep[] = [];
  let s = path.trim().replace(/^(lax|strict)\s+/i, '');
  let ok = s.startsWith('$');
  s = s.slice(1);
  while (ok && s.length > 0) {
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z_$][\w$]*)/.exec(s)) !== null) steps.push(m[1] as string);
    else if ((m = /^\."([^"]*)"/.exec(s)) !== null) steps.push(m[1] as string);
    else if ((m = /^\[\s*(\d+)\s*\]/.exec(s)) !== null) steps.push(Number(m[1]));
    else if ((m = /^\[\s*'([^']*)'\s*\]/.exec(s)) !== null) steps.push(m[1] as string);
    else if ((m = /^\[\s*"([^"]*)"\s*\]/.exec(s)) !== null) steps.push(m[1] as string);
    else {
      ok = false;
      break;
    }
    s = s.slice(m[0].length);
  }
  p = ok ? steps : null;
  if (pathCache.size > 1000) pathCache.clear();
  pathCache.set(path, p);
  return p;
}

const MISSING = Symbol('missing');

function jsonLookup(text: string, path: string): unknown {
  const steps = jsonPath(path);
  if (steps === null) return MISSING;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return MISSING;
  }
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(v) || step >= v.length) return MISSING;
      v = v[step];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, step)) return MISSING;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

// ---------------------------------------------------------------------------------------------- java.util.Random

/** java.util.Random's 48-bit LCG, so RAND(seed) and RAND_INTEGER(seed, n) give Flink's sequences. */
export class JavaRandom {
  private seed: bigint;

  constructor(seed: number) {
    this.seed = (BigInt(seed) ^ 0x5deece66dn) & ((1n << 48n) - 1n);
  }

  private next(bits: number): number {
    this.seed = (this.seed * 0x5deece66dn + 0xbn) & ((1n << 48n) - 1n);
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextDouble(): number {
    return ((this.next(26) >>> 0) * 2 ** 27 + (this.next(27) >>> 0)) * 2 ** -53;
  }

  nextInt(bound: number): number {
    if (bound <= 0) throw new RangeError('bound must be positive');
    if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(this.next(31))) >> 31n);
    for (;;) {
      const bits = this.next(31);
      const val = bits % bound;
      if (bits - val + (bound - 1) < 2 ** 31) return val;
    }
  }
}

// ---------------------------------------------------------------------------------------------- the table

/**
 * FLOOR(x TO unit) on epoch milliseconds (TIMESTAMP) or epoch days (DATE), in UTC as TIMESTAMP has no zone:
 * the start of the unit containing x (Calcite's DateTimeUtils.unixTimestampFloor / julianDateFloor, which Flink
 * runs). YEAR, QUARTER and MONTH go by the calendar; WEEK starts on Sunday, as in Calcite.
 */
function floorTo(unit: string, v: number, isDate: boolean): number {
  const ms = isDate ? v * DAY : v;
  const d = new Date(ms);
  let out: number;
  switch (unit) {
    case 'MILLENNIUM':
    case 'CENTURY':
    case 'DECADE': {
      const span = unit === 'MILLENNIUM' ? 1000 : unit === 'CENTURY' ? 100 : 10;
      // Centuries and millennia start at year 1 (2001-01-01 begins the 21st century), decades at year 0.
      const y = d.getUTCFullYear();
      const start = unit === 'DECADE' ? Math.floor(y / span) * span : Math.floor((y - 1) / span) * span + 1;
      out = Date.UTC(start, 0, 1);
      break;
    }
    case 'YEAR':
      out = Date.UTC(d.getUTCFullYear(), 0, 1);
      break;
    case 'QUARTER':
      out = Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / 3) * 3, 1);
      break;
    case 'MONTH':
      out = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      break;
    case 'WEEK': {
      const day = Math.floor(ms / DAY);
      // 1970-01-01 was a Thursday, four days after a Sunday.
      out = (day - ((((day + 4) % 7) + 7) % 7)) * DAY;
      break;
    }
    default: {
      const size = UNIT_MS[unit] as number;
      out = Math.floor(ms / size) * size;
    }
  }
  return isDate ? Math.floor(out / DAY) : out;
}

/** CEIL(x TO unit): x itself when it starts a unit, else the start of the next one. */
function ceilTo(unit: string, v: number, isDate: boolean): number {
  const floor = floorTo(unit, v, isDate);
  if (floor === v) return v;
  const months = unit === 'MILLENNIUM' ? 12000 : unit === 'CENTURY' ? 1200 : unit === 'DECADE' ? 120 : UNIT_MONTHS[unit];
  if (months !== undefined) return isDate ? Math.floor(addMonthsMs(floor * DAY, months) / DAY) : addMonthsMs(floor, months);
  const size = UNIT_MS[unit] as number;
  return isDate ? floor + Math.max(1, size / DAY) : floor + size;
}

export const F = {
  ltrim(s: string, chars = ' '): string {
    let i = 0;
    while (i < s.length && chars.includes(s[i] as string)) i++;
    return s.slice(i);
  },
  rtrim(s: string, chars = ' '): string {
    let j = s.length;
    while (j > 0 && chars.includes(s[j - 1] as string)) j--;
    return s.slice(0, j);
  },
  trim: (s: string, chars: string): string => F.rtrim(F.ltrim(s, chars), chars),
  initcap(s: string): string {
    let out = '';
    let start = true;
    for (const c of s) {
      const word = isLetterOrDigit(c);
      out += word ? (start ? c.toUpperCase() : c.toLowerCase()) : c;
      start = !word;
    }
    return out;
  },
  reverse: (s: string): string => (chars(s) ?? s.split('')).reverse().join(''),
  md5: (s: string): string => createHash('md5').update(s, 'utf8').digest('hex'),
  sha256: (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex'),
  ascii: (s: string): number => (s.length === 0 ? 0 : s.charCodeAt(0)),
  chr: (n: number): string => (n < 0 ? '' : String.fromCharCode(n % 256)),
  substring: substringSql,
  position(sub: string, s: string, from?: number): number {
    const start = from ?? 1;
    if (start < 1) return 0;
    return s.indexOf(sub, start - 1) + 1;
  },
  replace: (s: string, from: string, to: string): string => s.split(from).join(to),
  /**
   * OVERLAY(s PLACING r FROM start [FOR length]) (Flink docs, System Functions > String Functions): `length`
   * characters of s from the 1-based `start` replaced by r; `length` defaults to r's length. As Calcite's
   * SqlFunctions.overlay, but positions past either end are clamped rather than failing the job.
   */
  overlay(s: string, r: string, start: number, length?: number): string {
    const from = Math.max(0, start - 1);
    return s.substring(0, from) + r + s.substring(from + Math.max(0, length ?? r.length));
  },
  regexp(s: string, pattern: string): boolean | null {
    const re = javaRegex(pattern, false);
    return re === null ? null : re.test(s);
  },
  regexpReplace(s: string, pattern: string, replacement: string): string | null {
    const re = javaRegex(pattern, true);
    return re === null ? null : s.replace(re, javaReplacement(replacement));
  },
  regexpExtract(s: string, pattern: string, group = 0): string | null {
    const re = javaRegex(pattern, false);
    if (re === null || group < 0) return null;
    const m = re.exec(s);
    if (m === null || group >= m.length) return null;
    return m[group] ?? null;
  },
  splitIndex(s: string, sep: string, index: number): string | null {
    if (index < 0 || s === '') return null;
    const parts = sep === '' ? s.trim().split(/\s+/) : s.split(sep);
    return parts[index] ?? null;
  },
  lpad: (s: string, len: number, p: string): string | null => pad(s, len, p, true),
  rpad: (s: string, len: number, p: string): string | null => pad(s, len, p, false),
  repeat: (s: string, n: number): string => (n <= 0 ? '' : s.repeat(n)),
  left: (s: string, n: number): string => (n <= 0 ? '' : (substringSql(s, 1, n) as string)),
  right(s: string, n: number): string {
    if (n <= 0) return '';
    const cp = chars(s) ?? s.split('');
    return cp.slice(Math.max(0, cp.length - n)).join('');
  },
  concatWs(sep: string, ...parts: Array<string | null>): string {
    return parts.filter((p) => p !== null).join(sep);
  },

  // ------------------------------------------------------------------------------------- numbers
  /** ROUND/TRUNCATE of a double at `d` digits, on its shortest decimal form (Java's BigDecimal.valueOf). */
  roundDouble(x: number, d: number, truncate: boolean): number {
    if (!Number.isFinite(x) || x === 0) return x;
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const neg = mant.startsWith('-');
    const digits = mant.replace(/^-/, '').replace('.', '');
    const scale = digits.length - 1 - Number(exp); // x = digits * 10^-scale
    let unscaled = BigInt(digits);
    if (scale > d) {
      const f = 10n ** BigInt(scale - d);
      const q = unscaled / f;
      const rem = unscaled - q * f;
      unscaled = !truncate && rem * 2n >= f ? q + 1n : q;
    } else {
      return x;
    }
    const v = Number(`${neg ? '-' : ''}${unscaled}e${-d}`);
    return v === 0 && neg ? -0 : v;
  },
  /** ROUND/TRUNCATE of an exact integer or unscaled decimal: drop `drop` digits (HALF_UP or DOWN), then shift. */
  roundExact(v: number, drop: number, shift: number, truncate: boolean): number {
    const f = 10 ** drop;
    const rem = v % f;
    let q = (v - rem) / f;
    if (!truncate && Math.abs(rem) * 2 >= f) q += Math.sign(v);
    return q * 10 ** shift;
  },
  roundExactBig(v: bigint, drop: number, shift: number, truncate: boolean): bigint {
    const f = 10n ** BigInt(drop);
    const q = v / f;
    const rem = v - q * f;
    const r = !truncate && (rem < 0n ? -rem : rem) * 2n >= f ? q + (v < 0n ? -1n : 1n) : q;
    return r * 10n ** BigInt(shift);
  },
  /** FLOOR/CEIL of an unscaled decimal to scale 0. */
  floorCeilExact(v: number, scale: number, ceil: boolean): number {
    const f = 10 ** scale;
    const rem = v % f;
    const q = (v - rem) / f;
    if (ceil) return rem > 0 ? q + 1 : q;
    return rem < 0 ? q - 1 : q;
  },
  floorCeilExactBig(v: bigint, scale: number, ceil: boolean): bigint {
    const f = 10n ** BigInt(scale);
    const q = v / f;
    const rem = v - q * f;
    if (ceil) return rem > 0n ? q + 1n : q;
    return rem < 0n ? q - 1n : q;
  },
  random: (): number => Math.random(),
  randomInt(bound: number, rng?: JavaRandom): number {
    if (bound <= 0) throw new RangeError(`RAND_INTEGER bound must be positive, got ${bound}`);
    return rng !== undefined ? rng.nextInt(bound) : Math.floor(Math.random() * bound);
  },

  // ------------------------------------------------------------------------------------- time
  /** EXTRACT(unit FROM x) of epoch ms (a TIME is ms of day, i.e. a time on 1970-01-01). */
  extract(unit: string, ms: number): number {
    const d = new Date(ms);
    switch (unit) {
      case 'MILLENNIUM':
        return Math.floor((d.getUTCFullYear() + 999) / 1000);
      case 'CENTURY':
        return Math.floor((d.getUTCFullYear() + 99) / 100);
      case 'DECADE':
        return Math.floor(d.getUTCFullYear() / 10);
      case 'YEAR':
        return d.getUTCFullYear();
      case 'QUARTER':
        return Math.floor(d.getUTCMonth() / 3) + 1;
      case 'MONTH':
        return d.getUTCMonth() + 1;
      case 'WEEK':
        return isoWeek(d);
      case 'DAY':
        return d.getUTCDate();
      case 'DOW':
        return d.getUTCDay() + 1;
      case 'ISODOW':
        return d.getUTCDay() || 7;
      case 'DOY':
        return dayOfYear(d);
      case 'HOUR':
        return d.getUTCHours();
      case 'MINUTE':
        return d.getUTCMinutes();
      case 'SECOND':
        return d.getUTCSeconds();
      case 'MILLISECOND':
        return d.getUTCSeconds() * 1000 + d.getUTCMilliseconds();
      case 'MICROSECOND':
        return (d.getUTCSeconds() * 1000 + d.getUTCMilliseconds()) * 1000;
      case 'EPOCH':
        return Math.floor(ms / 1000);
      default:
        throw new Error(`unknown EXTRACT unit ${unit}`);
    }
  },
  dateFormat: (ms: number, pattern: string): string => formatMs(ms, pattern),
  toTimestamp(s: string, pattern?: string): number | null {
    return pattern === undefined ? parseTemporal(s, 'TIMESTAMP') : parseMs(s, pattern);
  },
  toDate(s: string, pattern?: string): number | null {
    const ms = pattern === undefined ? parseTemporal(s, 'DATE') : parseMs(s, pattern);
    if (ms === null) return null;
    return pattern === undefined ? ms : Math.floor(ms / DAY);
  },
  toTimestampLtz: (n: number, precision: number): number => (precision === 0 ? n * 1000 : Math.trunc(n)),
  /** Seconds since the epoch; Long.MIN_VALUE when the text does not parse (as Flink). */
  unixTimestamp(s?: string, pattern?: string): number | bigint {
    if (s === undefined) return Math.floor(Date.now() / 1000);
    const ms = parseMs(s, pattern ?? 'yyyy-MM-dd HH:mm:ss');
    return ms === null ? -9223372036854775808n : Math.floor(ms / 1000);
  },
  fromUnixtime: (sec: number, pattern?: string): string => formatMs(Math.floor(sec) * 1000, pattern ?? 'yyyy-MM-dd HH:mm:ss'),
  /** TIMESTAMPADD on epoch ms, or on days for a DATE moved by whole days or months. */
  timestampAdd(unit: string, n: number, v: number, isDate: boolean): number {
    const months = UNIT_MONTHS[unit];
    if (months !== undefined) return isDate ? Math.floor(addMonthsMs(v * DAY, n * months) / DAY) : addMonthsMs(v, n * months);
    const ms = UNIT_MS[unit] as number;
    return isDate ? v + (n * ms) / DAY : v + n * ms;
  },
  timestampDiff(unit: string, a: number, b: number): number {
    const months = UNIT_MONTHS[unit];
    if (months === undefined) return Math.trunc((b - a) / (UNIT_MS[unit] as number));
    const da = new Date(a);
    const db = new Date(b);
    let m = db.getUTCFullYear() * 12 + db.getUTCMonth() - (da.getUTCFullYear() * 12 + da.getUTCMonth());
    const restA = a - Date.UTC(da.getUTCFullYear(), da.getUTCMonth(), 1);
    const restB = b - Date.UTC(db.getUTCFullYear(), db.getUTCMonth(), 1);
    if (m > 0 && restB < restA) m--;
    if (m < 0 && restB > restA) m++;
    return Math.trunc(m / months);
  },
  floorTo,
  ceilTo,
  addMonths: (v: number, months: number, isDate: boolean): number => (isDate ? Math.floor(addMonthsMs(v * DAY, months) / DAY) : addMonthsMs(v, months)),
  /** DATE ± day-time interval: whole days (Flink truncates the interval to days). */
  datePlusMillis: (days: number, ms: number): number => days + Math.trunc(ms / DAY),
  now: (): number => Date.now(),
  today: (): number => Math.floor(Date.now() / DAY),
  timeOfDay: (): number => Math.floor((Date.now() % DAY) / 1000) * 1000,
  formatDate,
  formatTimestamp,

  // ------------------------------------------------------------------------------------- JSON
  /**
   * JSON_OBJECT over [onNull, encodings, key1, value1, ...] (Flink docs, System Functions > JSON Functions):
   * values arrive as strings, encoded per entry as `q` (a string, quoted), `r` (JSON text: a number's text or a
   * nested JSON_OBJECT, inserted as is) or `b` (a BOOLEAN's CAST text, written as true/false). A NULL value is
   * `null` under NULL ON NULL and leaves its entry out under ABSENT ON NULL.
   */
  jsonObject(parts: ReadonlyArray<string | null>): string {
    const absent = parts[0] === 'ABSENT';
    const encodings = parts[1] as string;
    let out = '{';
    for (let i = 2, e = 0; i + 1 < parts.length; i += 2, e++) {
      const value = parts[i + 1] as string | null;
      if (value === null && absent) continue;
      if (out.length > 1) out += ',';
      out += JSON.stringify(parts[i]) + ':';
      if (value === null) out += 'null';
      else {
        const enc = encodings[e];
        out += enc === 'q' ? JSON.stringify(value) : enc === 'b' ? value.toLowerCase() : value;
      }
    }
    return out + '}';
  },
  jsonValue(text: string, path: string): string | null {
    const v = jsonLookup(text, path);
    if (v === MISSING || v === null || typeof v === 'object') return null;
    return String(v);
  },
  jsonQuery(text: string, path: string): string | null {
    const v = jsonLookup(text, path);
    if (v === MISSING || v === null || typeof v !== 'object') return null;
    return JSON.stringify(v);
  },
  jsonExists: (text: string, path: string): boolean => jsonLookup(text, path) !== MISSING,
};
