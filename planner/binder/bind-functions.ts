// Built-in scalar functions by SQL name: arity, argument checks and implicit casts, and the result type by
// Flink's rules (System Functions in the Flink docs). Each entry turns a call into IR over the closed `Op` list;
// IF and NULLIF become CASE, so the code generator sees one conditional.
import {
  Types,
  formatType,
  isCharacterString,
  isExactInteger,
  isNumeric,
  isTimestamp,
  withNullability,
  withoutTimeAttribute,
  type LogicalType,
} from '../../executor/index.js';
import { ValidationError, type CallSyntax, type Expr, type Span } from '../../parser/index.js';
import { Rex, type Op } from '../expr/rex.js';
import { arithmeticType, castAllowed, commonType } from '../expr/typing.js';
import { toLogicalType } from '../types.js';

/** What a function binder gets: lazily bound arguments with checks that report at the argument's span. */
export interface CallContext {
  readonly name: string;
  readonly span: Span;
  readonly raw: readonly Expr[];
  /** The call's keyword syntax (`JSON_VALUE(... RETURNING INT)`), when the caller passes it. */
  readonly syntax?: CallSyntax;
  arg(i: number): Rex;
  fail(message: string, span?: Span): never;
  coerce(r: Rex, t: LogicalType): Rex;
}

interface FunctionDef {
  readonly arity: readonly [number, number];
  bind(c: CallContext): Rex;
}

const anyNullable = (args: readonly Rex[]): boolean => args.some((a) => a.type.nullable);
const isStr = isCharacterString;

function argSpan(c: CallContext, i: number): Span {
  return c.raw[i]?.span ?? c.span;
}

function str(c: CallContext, i: number): Rex {
  const r = c.arg(i);
  if (isStr(r.type)) return r;
  if (r.type.kind === 'NULL') return Rex.literal(null, Types.STRING());
  return c.fail(`${c.name} requires a character string for argument ${i + 1}, but got ${formatType(r.type)}`, argSpan(c, i));
}

function num(c: CallContext, i: number): Rex {
  const r = c.arg(i);
  if (isNumeric(r.type)) return r;
  if (r.type.kind === 'NULL') return Rex.literal(null, Types.INT());
  return c.fail(`${c.name} requires a numeric argument ${i + 1}, but got ${formatType(r.type)}`, argSpan(c, i));
}

function dbl(c: CallContext, i: number): Rex {
  const r = num(c, i);
  return c.coerce(r, Types.DOUBLE(r.type.nullable));
}

function int(c: CallContext, i: number): Rex {
  const r = c.arg(i);
  if (r.type.kind === 'NULL') return Rex.literal(null, Types.INT());
  if (!isExactInteger(r.type)) return c.fail(`${c.name} requires an integer argument ${i + 1}, but got ${formatType(r.type)}`, argSpan(c, i));
  return c.coerce(r, Types.INT(r.type.nullable));
}

/** An integer literal argument (ROUND's scale, TO_TIMESTAMP_LTZ's precision), needed to type the result. */
function intLiteral(c: CallContext, i: number): number {
  const r = c.arg(i);
  if (r.kind === 'literal' && typeof r.value === 'number' && isExactInteger(r.type)) return r.value;
  return c.fail(`${c.name} requires an integer literal as argument ${i + 1}`, argSpan(c, i));
}

/** A temporal argument as epoch milliseconds: TIMESTAMP(_LTZ) as is, DATE and strings converted. */
function timestamp(c: CallContext, i: number, strings: boolean): Rex {
  const r = c.arg(i);
  if (isTimestamp(r.type)) return r;
  if (r.type.kind === 'DATE') return c.coerce(r, Types.TIMESTAMP(3, r.type.nullable));
  if (strings && isStr(r.type)) return Rex.cast(r, Types.TIMESTAMP(3), true);
  if (r.type.kind === 'NULL') return Rex.literal(null, Types.TIMESTAMP(3));
  return c.fail(`${c.name} requires a TIMESTAMP or DATE argument ${i + 1}, but got ${formatType(r.type)}`, argSpan(c, i));
}

/** A time-unit keyword argument (`TIMESTAMPADD(DAY, ...)`), parsed as a bare identifier. */
function unit(c: CallContext, i: number, allowed: readonly string[]): string {
  const e = c.raw[i];
  const u = e?.kind === 'ident' && e.name.parts.length === 1 ? (e.name.parts[0]?.value ?? '').toUpperCase() : '';
  const canonical = u === 'SQL_TSI_DAY' ? 'DAY' : u;
  if (!allowed.includes(canonical)) return c.fail(`${c.name} requires a time unit (${allowed.join(', ')}) as argument ${i + 1}`, argSpan(c, i));
  return canonical;
}

const str1 = (op: Op, type: (a: Rex) => LogicalType = (a) => Types.STRING(a.type.nullable)): FunctionDef => ({
  arity: [1, 1],
  bind: (c) => {
    const a = str(c, 0);
    return Rex.call(op, [a], type(a));
  },
});

const double1 = (op: Op): FunctionDef => ({
  arity: [1, 1],
  bind: (c) => {
    const a = dbl(c, 0);
    return Rex.call(op, [a], Types.DOUBLE(a.type.nullable));
  },
});

/** FLOOR/CEIL keep integer and floating types; DECIMAL(p, s) becomes DECIMAL(p, 0) (Calcite's ARG0_OR_EXACT_NO_SCALE). */
const floorCeil = (op: 'FLOOR' | 'CEIL'): FunctionDef => ({
  // FLOOR(x) and, parsed as a second argument naming the unit, FLOOR(ts TO unit), which has no runtime operation yet.
  arity: [1, 2],
  bind: (c) => {
    if (c.raw.length === 2) return floorCeilTo(c, op);
    const a = num(c, 0);
    const t = a.type.kind === 'DECIMAL' ? Types.DECIMAL(a.type.precision, 0, a.type.nullable) : withoutTimeAttribute(a.type);
    return Rex.call(op, [a], t);
  },
});

/** Flink's LogicalTypeMerging.findRoundDecimalType: the result scale is the rounding digits, clamped. */
function roundType(t: LogicalType, d: number): LogicalType {
  if (t.kind !== 'DECIMAL') return t;
  if (d >= t.scale) return t;
  if (d < 0) return Types.DECIMAL(Math.min(38, 1 + t.precision - t.scale), 0, t.nullable);
  return Types.DECIMAL(1 + t.precision - t.scale + d, d, t.nullable);
}

const roundLike = (op: 'ROUND' | 'TRUNCATE'): FunctionDef => ({
  arity: [1, 2],
  bind: (c) => {
    const a = num(c, 0);
    if (c.raw.length === 1) return Rex.call(op, [a, Rex.literal(0, Types.INT(false))], roundType(a.type, 0));
    if (a.type.kind === 'DECIMAL') {
      const d = intLiteral(c, 1);
      return Rex.call(op, [a, Rex.literal(d, Types.INT(false))], roundType(a.type, d));
    }
    const d = int(c, 1);
    return Rex.call(op, [a, d], withNullability(a.type, a.type.nullable || d.type.nullable));
  },
});

/** The units of FLOOR/CEIL(x TO unit) (Flink docs, System Functions > Temporal Functions: timeintervalunit). */
const FLOOR_UNITS = ['MILLENNIUM', 'CENTURY', 'DECADE', 'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'];
const DATE_FLOOR_UNITS = FLOOR_UNITS.slice(0, FLOOR_UNITS.indexOf('DAY') + 1);

/**
 * FLOOR(x TO unit) / CEIL(x TO unit) of a TIMESTAMP or DATE: x rounded down (up) to the unit, of x's type (a
 * rowtime loses its time-attribute mark, as any computed value). TIMESTAMP_LTZ rounds in the session time zone
 * in Flink, and precisions above milliseconds have another representation here: both are refused by name.
 */
function floorCeilTo(c: CallContext, op: 'FLOOR' | 'CEIL'): Rex {
  const unit = c.raw[1];
  const name = unit?.kind === 'ident' && unit.name.parts.length === 1 ? (unit.name.parts[0]?.value ?? '').toUpperCase() : '?';
  if (c.syntax?.kind !== 'floorTo') return c.fail(`${op} takes one argument, or the form ${op}(timepoint TO unit)`);
  if (!FLOOR_UNITS.includes(name)) return c.fail(`${op}(... TO ${name}) is not supported: the unit must be one of ${FLOOR_UNITS.join(', ')}`, argSpan(c, 1));
  const a = c.arg(0);
  const t = a.type;
  if (t.kind === 'NULL') return Rex.literal(null, Types.TIMESTAMP(3));
  if (t.kind === 'TIMESTAMP_LTZ') return c.fail(`${op}(... TO ${name}) of TIMESTAMP_LTZ is not supported yet (it rounds in the session time zone)`, argSpan(c, 0));
  if (t.kind === 'TIMESTAMP' && t.precision > 3) return c.fail(`${op}(... TO ${name}) of ${formatType(t)} is not supported yet: only precisions up to 3`, argSpan(c, 0));
  if (t.kind !== 'TIMESTAMP' && t.kind !== 'DATE') return c.fail(`${op}(... TO ${name}) requires a TIMESTAMP or DATE, but got ${formatType(t)}`, argSpan(c, 0));
  if (t.kind === 'DATE' && !DATE_FLOOR_UNITS.includes(name)) return c.fail(`${op}(... TO ${name}) of a DATE needs a unit of a day or longer`, argSpan(c, 1));
  const args = [Rex.literal(name, Types.STRING(false)), a, Rex.literal(t.kind === 'DATE', Types.BOOLEAN(false))];
  return Rex.call(op === 'FLOOR' ? 'FLOOR_TO' : 'CEIL_TO', args, withoutTimeAttribute(t));
}

/**
 * JSON_OBJECT([[KEY] k VALUE v, ...] [NULL | ABSENT ON NULL]) (Flink docs, System Functions > JSON Functions):
 * keys are non-NULL string literals, values strings, numbers, booleans or a nested JSON_OBJECT (inserted as
 * JSON, not as a string); the result is a STRING NOT NULL. NULL ON NULL is the default.
 */
function jsonObject(c: CallContext): Rex {
  const behaviors = c.syntax?.kind === 'json' ? c.syntax.behaviors : [];
  let onNull = 'NULL';
  for (const b of behaviors) {
    if (b.on !== 'NULL' || (b.action !== 'NULL' && b.action !== 'ABSENT')) return c.fail(`${b.action} ON ${b.on} does not apply to JSON_OBJECT (only NULL ON NULL or ABSENT ON NULL)`, b.span);
    onNull = b.action;
  }
  if (c.raw.length % 2 !== 0) return c.fail('JSON_OBJECT takes key VALUE value pairs');
  const args: Rex[] = [];
  let encodings = '';
  for (let i = 0; i < c.raw.length; i += 2) {
    const k = c.arg(i);
    if (k.kind !== 'literal' || typeof k.value !== 'string' || !isStr(k.type)) return c.fail('JSON_OBJECT keys must be non-NULL string literals', argSpan(c, i));
    const v = c.arg(i + 1);
    const raw = c.raw[i + 1];
    const nested = raw?.kind === 'call' && raw.name.parts.length === 1 && raw.name.parts[0]?.value.toUpperCase() === 'JSON_OBJECT';
    if (nested || isStr(v.type)) {
      args.push(k, v);
      encodings += nested ? 'r' : 'q';
    } else if (v.type.kind === 'NULL') {
      args.push(k, Rex.literal(null, Types.STRING()));
      encodings += 'q';
    } else if (isNumeric(v.type) || v.type.kind === 'BOOLEAN') {
      // A number's CAST text is its JSON text; a BOOLEAN's (TRUE/FALSE) is lower-cased at run time.
      args.push(k, Rex.cast(v, Types.STRING(v.type.nullable)));
      encodings += v.type.kind === 'BOOLEAN' ? 'b' : 'r';
    } else {
      return c.fail(`JSON_OBJECT values of type ${formatType(v.type)} are not supported yet (strings, numbers, booleans and nested JSON_OBJECT are)`, argSpan(c, i + 1));
    }
  }
  return Rex.call('JSON_OBJECT', [Rex.literal(onNull, Types.STRING(false)), Rex.literal(encodings, Types.STRING(false)), ...args], Types.STRING(false));
}

function extractFn(unitName: string): FunctionDef {
  return {
    arity: [1, 1],
    bind: (c) => {
      const r = c.arg(0);
      const a = r.type.kind === 'TIME' ? r : timestamp(c, 0, false);
      return Rex.call('EXTRACT', [Rex.literal(unitName, Types.STRING(false)), a], Types.BIGINT(a.type.nullable));
    },
  };
}

const EXTRACT_UNITS = ['MILLENNIUM', 'CENTURY', 'DECADE', 'YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DOW', 'ISODOW', 'DOY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND', 'EPOCH'];

/** EXTRACT(unit FROM x) as IR, shared by the EXTRACT syntax and the YEAR(x)-style functions. */
export function bindExtract(c: CallContext, unitName: string, operand: Rex): Rex {
  if (!EXTRACT_UNITS.includes(unitName)) return c.fail(`EXTRACT does not support the unit ${unitName}`);
  let a = operand;
  if (a.type.kind === 'DATE') a = c.coerce(a, Types.TIMESTAMP(3, a.type.nullable));
  else if (a.type.kind !== 'TIME' && !isTimestamp(a.type) && a.type.kind !== 'NULL') return c.fail(`EXTRACT requires a DATE, TIME or TIMESTAMP operand, but got ${formatType(a.type)}`);
  return Rex.call('EXTRACT', [Rex.literal(unitName, Types.STRING(false)), a], Types.BIGINT(a.type.nullable));
}

const TIME_UNITS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND'];

function jsonArgs(c: CallContext): Rex[] {
  return [str(c, 0), str(c, 1)];
}

/** Functions with a bare-name form, bound as calls with no arguments. */
function now(op: Op, type: LogicalType): FunctionDef {
  return { arity: [0, 0], bind: () => Rex.call(op, [], type) };
}

export const BUILTINS: Readonly<Record<string, FunctionDef>> = {
  // ---------------------------------------------------------------------- arithmetic (Arithmetic Functions)
  ABS: {
    arity: [1, 1],
    bind: (c) => {
      const a = num(c, 0);
      return Rex.call('ABS', [a], withoutTimeAttribute(a.type));
    },
  },
  MOD: {
    arity: [2, 2],
    bind: (c) => {
      const l = num(c, 0);
      const r = num(c, 1);
      const type = arithmeticType('MOD', l.type, r.type);
      if (type === null || type.kind === 'DOUBLE' || type.kind === 'FLOAT') return c.fail(`MOD requires exact numeric arguments, got ${formatType(l.type)} and ${formatType(r.type)}`);
      return Rex.call('MOD', type.kind === 'DECIMAL' ? [l, r] : [c.coerce(l, type), c.coerce(r, type)], type);
    },
  },
  CEIL: floorCeil('CEIL'),
  CEILING: floorCeil('CEIL'),
  FLOOR: floorCeil('FLOOR'),
  ROUND: roundLike('ROUND'),
  TRUNCATE: roundLike('TRUNCATE'),
  SIGN: {
    arity: [1, 1],
    bind: (c) => {
      const a = num(c, 0);
      return Rex.call('SIGN', [a], withoutTimeAttribute(a.type));
    },
  },
  POWER: {
    arity: [2, 2],
    bind: (c) => {
      const args = [dbl(c, 0), dbl(c, 1)];
      return Rex.call('POWER', args, Types.DOUBLE(anyNullable(args)));
    },
  },
  SQRT: double1('SQRT'),
  LN: double1('LN'),
  LOG10: double1('LOG10'),
  LOG2: double1('LOG2'),
  EXP: double1('EXP'),
  LOG: {
    arity: [1, 2],
    bind: (c) => {
      if (c.raw.length === 1) {
        const a = dbl(c, 0);
        return Rex.call('LN', [a], Types.DOUBLE(a.type.nullable));
      }
      const args = [dbl(c, 0), dbl(c, 1)];
      return Rex.call('LOG', args, Types.DOUBLE(anyNullable(args)));
    },
  },
  PI: now('PI', Types.DOUBLE(false)),
  RAND: {
    arity: [0, 1],
    bind: (c) => Rex.call('RAND', c.raw.length === 0 ? [] : [Rex.literal(intLiteral(c, 0), Types.INT(false))], Types.DOUBLE(false)),
  },
  RAND_INTEGER: {
    arity: [1, 2],
    bind: (c) => {
      if (c.raw.length === 1) {
        const bound = int(c, 0);
        return Rex.call('RAND_INTEGER', [bound], Types.INT(bound.type.nullable));
      }
      const bound = int(c, 1);
      return Rex.call('RAND_INTEGER', [bound, Rex.literal(intLiteral(c, 0), Types.INT(false))], Types.INT(bound.type.nullable));
    },
  },
  // ---------------------------------------------------------------------------- strings (String Functions)
  UPPER: str1('UPPER'),
  LOWER: str1('LOWER'),
  TRIM: {
    // TRIM(s) and the keyword form TRIM([BOTH|LEADING|TRAILING] [chars] FROM s): the parser passes the mode (as an
    // unquoted name, if written), then `chars` (if written), then `s`. `chars` is a set of characters, as in
    // Flink's trim; the default is a space.
    arity: [1, 3],
    bind: (c) => {
      if (c.raw.length === 1) return str1('TRIM').bind(c);
      const first = c.raw[0];
      const mode = first?.kind === 'ident' && first.name.parts.length === 1 && first.name.parts[0]?.quoted !== true ? (first.name.parts[0]?.value ?? '').toUpperCase() : '';
      const isMode = mode === 'BOTH' || mode === 'LEADING' || mode === 'TRAILING';
      const last = c.raw.length - 1;
      const s = str(c, last);
      const charsAt = isMode ? (last === 2 ? 1 : -1) : last === 1 ? 0 : -1;
      if (charsAt < 0 && !(isMode && last === 1)) return c.fail('TRIM takes [BOTH|LEADING|TRAILING] [characters] FROM string');
      const chars = charsAt < 0 ? Rex.literal(' ', Types.STRING(false)) : str(c, charsAt);
      const op: Op = mode === 'LEADING' ? 'LTRIM' : mode === 'TRAILING' ? 'RTRIM' : 'TRIM';
      return Rex.call(op, [s, chars], Types.STRING(s.type.nullable || chars.type.nullable));
    },
  },
  LTRIM: str1('LTRIM'),
  RTRIM: str1('RTRIM'),
  INITCAP: str1('INITCAP'),
  REVERSE: str1('REVERSE'),
  MD5: str1('MD5'),
  SHA256: str1('SHA256'),
  ASCII: str1('ASCII', (a) => Types.INT(a.type.nullable)),
  CHAR_LENGTH: str1('CHAR_LENGTH', (a) => Types.INT(a.type.nullable)),
  CHARACTER_LENGTH: str1('CHAR_LENGTH', (a) => Types.INT(a.type.nullable)),
  CHR: {
    arity: [1, 1],
    bind: (c) => {
      const a = int(c, 0);
      return Rex.call('CHR', [a], Types.STRING(a.type.nullable));
    },
  },
  CONCAT: {
    arity: [1, 1000],
    bind: (c) => {
      const args = c.raw.map((_, i) => str(c, i));
      return Rex.call('CONCAT', args, Types.STRING(anyNullable(args)));
    },
  },
  CONCAT_WS: {
    arity: [2, 1000],
    bind: (c) => {
      const args = c.raw.map((_, i) => str(c, i));
      // NULL only when the separator is NULL: NULL arguments are skipped.
      return Rex.call('CONCAT_WS', args, Types.STRING((args[0] as Rex).type.nullable));
    },
  },
  SUBSTRING: {
    arity: [2, 3],
    bind: (c) => {
      const args = [str(c, 0), int(c, 1), ...(c.raw.length === 3 ? [int(c, 2)] : [])];
      return Rex.call('SUBSTRING', args, Types.STRING(true));
    },
  },
  SUBSTR: {
    arity: [2, 3],
    bind: (c) => BUILTINS['SUBSTRING']?.bind(c) as Rex,
  },
  LOCATE: {
    arity: [2, 3],
    bind: (c) => {
      const args = [str(c, 0), str(c, 1), ...(c.raw.length === 3 ? [int(c, 2)] : [])];
      return Rex.call('POSITION', args, Types.INT(anyNullable(args)));
    },
  },
  OVERLAY: {
    // OVERLAY(s PLACING r FROM start [FOR length]) (String Functions): the parser passes s, r, start [, length].
    arity: [3, 4],
    bind: (c) => {
      const args = [str(c, 0), str(c, 1), int(c, 2), ...(c.raw.length === 4 ? [int(c, 3)] : [])];
      return Rex.call('OVERLAY', args, Types.STRING(anyNullable(args)));
    },
  },
  POSITION: {
    // POSITION(sub IN s [FROM start]): the parser passes sub, s and start; 1-based, 0 when absent (LOCATE).
    arity: [2, 3],
    bind: (c) => BUILTINS['LOCATE']?.bind(c) as Rex,
  },
  INSTR: {
    arity: [2, 2],
    bind: (c) => {
      // INSTR(str, sub) is LOCATE(sub, str).
      const args = [str(c, 1), str(c, 0)];
      return Rex.call('POSITION', args, Types.INT(anyNullable(args)));
    },
  },
  REPLACE: {
    arity: [3, 3],
    bind: (c) => {
      const args = [str(c, 0), str(c, 1), str(c, 2)];
      return Rex.call('REPLACE', args, Types.STRING(anyNullable(args)));
    },
  },
  REGEXP: {
    arity: [2, 2],
    bind: (c) => Rex.call('REGEXP', [str(c, 0), str(c, 1)], Types.BOOLEAN(true)),
  },
  REGEXP_REPLACE: {
    arity: [3, 3],
    bind: (c) => Rex.call('REGEXP_REPLACE', [str(c, 0), str(c, 1), str(c, 2)], Types.STRING(true)),
  },
  REGEXP_EXTRACT: {
    arity: [2, 3],
    bind: (c) => Rex.call('REGEXP_EXTRACT', [str(c, 0), str(c, 1), ...(c.raw.length === 3 ? [int(c, 2)] : [])], Types.STRING(true)),
  },
  SPLIT_INDEX: {
    arity: [3, 3],
    bind: (c) => Rex.call('SPLIT_INDEX', [str(c, 0), str(c, 1), int(c, 2)], Types.STRING(true)),
  },
  LPAD: {
    arity: [3, 3],
    bind: (c) => Rex.call('LPAD', [str(c, 0), int(c, 1), str(c, 2)], Types.STRING(true)),
  },
  RPAD: {
    arity: [3, 3],
    bind: (c) => Rex.call('RPAD', [str(c, 0), int(c, 1), str(c, 2)], Types.STRING(true)),
  },
  REPEAT: {
    arity: [2, 2],
    bind: (c) => {
      const args = [str(c, 0), int(c, 1)];
      return Rex.call('REPEAT', args, Types.STRING(anyNullable(args)));
    },
  },
  LEFT: {
    arity: [2, 2],
    bind: (c) => {
      const args = [str(c, 0), int(c, 1)];
      return Rex.call('LEFT', args, Types.STRING(anyNullable(args)));
    },
  },
  RIGHT: {
    arity: [2, 2],
    bind: (c) => {
      const args = [str(c, 0), int(c, 1)];
      return Rex.call('RIGHT', args, Types.STRING(anyNullable(args)));
    },
  },
  // ----------------------------------------------------------------- conditional (Conditional Functions)
  COALESCE: {
    arity: [1, 1000],
    bind: (c) => {
      const args = c.raw.map((_, i) => c.arg(i));
      const common = commonType(args.map((a) => a.type));
      if (common === null) return c.fail(`COALESCE arguments have incompatible types: ${args.map((a) => formatType(a.type)).join(', ')}`);
      const type = withNullability(withoutTimeAttribute(common), args.every((a) => a.type.nullable));
      return Rex.call('COALESCE', args.map((a) => c.coerce(a, type)), type);
    },
  },
  IFNULL: {
    arity: [2, 2],
    bind: (c) => BUILTINS['COALESCE']?.bind(c) as Rex,
  },
  NULLIF: {
    arity: [2, 2],
    bind: (c) => {
      const a = c.arg(0);
      const b = c.arg(1);
      const common = commonType([a.type, b.type]);
      if (common === null || common.kind === 'NULL') return c.fail(`NULLIF arguments have incompatible types: ${formatType(a.type)}, ${formatType(b.type)}`);
      const eq = Rex.call('EQUALS', [c.coerce(a, common), c.coerce(b, common)], Types.BOOLEAN(true));
      const type = withNullability(withoutTimeAttribute(a.type), true);
      return Rex.call('CASE', [eq, Rex.literal(null, type), c.coerce(a, type)], type);
    },
  },
  IF: {
    arity: [3, 3],
    bind: (c) => {
      const cond = c.arg(0);
      if (cond.type.kind !== 'BOOLEAN' && cond.type.kind !== 'NULL') return c.fail(`IF requires a BOOLEAN condition, but got ${formatType(cond.type)}`, argSpan(c, 0));
      const a = c.arg(1);
      const b = c.arg(2);
      const common = commonType([a.type, b.type]);
      if (common === null) return c.fail(`IF branches have incompatible types: ${formatType(a.type)}, ${formatType(b.type)}`);
      const type = withNullability(withoutTimeAttribute(common.kind === 'NULL' ? Types.STRING() : common), a.type.nullable || b.type.nullable);
      const when = cond.type.kind === 'NULL' ? Rex.literal(null, Types.BOOLEAN()) : cond;
      return Rex.call('CASE', [when, c.coerce(a, type), c.coerce(b, type)], type);
    },
  },
  GREATEST: greatestLeast('GREATEST'),
  LEAST: greatestLeast('LEAST'),
  // ------------------------------------------------------------------- temporal (Temporal Functions)
  YEAR: extractFn('YEAR'),
  QUARTER: extractFn('QUARTER'),
  MONTH: extractFn('MONTH'),
  WEEK: extractFn('WEEK'),
  DAYOFYEAR: extractFn('DOY'),
  DAYOFMONTH: extractFn('DAY'),
  DAYOFWEEK: extractFn('DOW'),
  HOUR: extractFn('HOUR'),
  MINUTE: extractFn('MINUTE'),
  SECOND: extractFn('SECOND'),
  CURRENT_TIMESTAMP: now('CURRENT_TIMESTAMP', Types.TIMESTAMP_LTZ(3, false)),
  NOW: now('CURRENT_TIMESTAMP', Types.TIMESTAMP_LTZ(3, false)),
  CURRENT_ROW_TIMESTAMP: now('CURRENT_TIMESTAMP', Types.TIMESTAMP_LTZ(3, false)),
  LOCALTIMESTAMP: now('LOCALTIMESTAMP', Types.TIMESTAMP(3, false)),
  CURRENT_DATE: now('CURRENT_DATE', Types.DATE(false)),
  CURRENT_TIME: now('CURRENT_TIME', Types.TIME(0, false)),
  LOCALTIME: now('CURRENT_TIME', Types.TIME(0, false)),
  PROCTIME: now('PROCTIME', Types.TIMESTAMP_LTZ(3, false, 'proctime')),
  // Flink's CurrentWatermarkInputTypeStrategy and CurrentWatermarkTypeStrategy: one rowtime argument; the
  // result is its timestamp type at precision 3, nullable (NULL before the first watermark), no time attribute.
  CURRENT_WATERMARK: {
    arity: [1, 1],
    bind: (c) => {
      const a = c.arg(0);
      const t = a.type;
      if (t.kind !== 'TIMESTAMP' && t.kind !== 'TIMESTAMP_LTZ')
        return c.fail(`CURRENT_WATERMARK() must be called with a single rowtime attribute argument, but '${formatType(t)}' cannot be a time attribute.`, argSpan(c, 0));
      if (t.timeAttribute !== 'rowtime')
        return c.fail(`The argument of CURRENT_WATERMARK() must be a rowtime attribute, but was '${formatType(t)}'.`, argSpan(c, 0));
      const type = t.kind === 'TIMESTAMP' ? Types.TIMESTAMP(3, true) : Types.TIMESTAMP_LTZ(3, true);
      return Rex.call('CURRENT_WATERMARK', [a], type);
    },
  },
  DATE_FORMAT: {
    arity: [2, 2],
    bind: (c) => Rex.call('DATE_FORMAT', [timestamp(c, 0, true), str(c, 1)], Types.STRING(true)),
  },
  TO_TIMESTAMP: {
    arity: [1, 2],
    bind: (c) => Rex.call('TO_TIMESTAMP', c.raw.map((_, i) => str(c, i)), Types.TIMESTAMP(3, true)),
  },
  TO_DATE: {
    arity: [1, 2],
    bind: (c) => Rex.call('TO_DATE', c.raw.map((_, i) => str(c, i)), Types.DATE(true)),
  },
  TO_TIMESTAMP_LTZ: {
    arity: [1, 2],
    bind: (c) => {
      const a = dbl(c, 0);
      const p = c.raw.length === 2 ? intLiteral(c, 1) : 3;
      if (p !== 0 && p !== 3) return c.fail(`TO_TIMESTAMP_LTZ supports precision 0 (seconds) or 3 (milliseconds), got ${p}`, argSpan(c, 1));
      return Rex.call('TO_TIMESTAMP_LTZ', [a, Rex.literal(p, Types.INT(false))], Types.TIMESTAMP_LTZ(3, a.type.nullable));
    },
  },
  UNIX_TIMESTAMP: {
    arity: [0, 2],
    bind: (c) => {
      const args = c.raw.map((_, i) => str(c, i));
      return Rex.call('UNIX_TIMESTAMP', args, Types.BIGINT(anyNullable(args)));
    },
  },
  FROM_UNIXTIME: {
    arity: [1, 2],
    bind: (c) => {
      const args = [dbl(c, 0), ...(c.raw.length === 2 ? [str(c, 1)] : [])];
      return Rex.call('FROM_UNIXTIME', args, Types.STRING(anyNullable(args)));
    },
  },
  TIMESTAMPADD: {
    arity: [3, 3],
    bind: (c) => {
      const u = unit(c, 0, TIME_UNITS);
      const n = int(c, 1);
      const t = c.arg(2);
      if (t.type.kind !== 'DATE' && !isTimestamp(t.type)) return c.fail(`TIMESTAMPADD requires a TIMESTAMP or DATE argument 3, but got ${formatType(t.type)}`, argSpan(c, 2));
      const dateOnly = t.type.kind === 'DATE' && (u === 'YEAR' || u === 'QUARTER' || u === 'MONTH' || u === 'WEEK' || u === 'DAY');
      const base = t.type.kind === 'DATE' && !dateOnly ? c.coerce(t, Types.TIMESTAMP(3, t.type.nullable)) : t;
      const type = withNullability(withoutTimeAttribute(base.type), base.type.nullable || n.type.nullable);
      return Rex.call('TIMESTAMPADD', [Rex.literal(u, Types.STRING(false)), n, base], type);
    },
  },
  TIMESTAMPDIFF: {
    arity: [3, 3],
    bind: (c) => {
      const u = unit(c, 0, TIME_UNITS);
      const a = timestamp(c, 1, false);
      const b = timestamp(c, 2, false);
      return Rex.call('TIMESTAMPDIFF', [Rex.literal(u, Types.STRING(false)), a, b], Types.INT(a.type.nullable || b.type.nullable));
    },
  },
  // ----------------------------------------------------------------------------- JSON (JSON Functions)
  JSON_OBJECT: { arity: [0, 1000], bind: jsonObject },
  JSON_VALUE: {
    // JSON_VALUE(j, path [RETURNING type] [NULL ON EMPTY] [NULL ON ERROR]): the STRING value, cast to the
    // RETURNING type with NULL where the cast fails (NULL ON ERROR is the default). ERROR and DEFAULT x need
    // the runtime to tell a missing path from a bad value, which jsonValue does not yet.
    arity: [2, 2],
    bind: (c) => {
      const value = Rex.call('JSON_VALUE', jsonArgs(c), Types.STRING(true));
      const syntax = c.syntax;
      if (syntax?.kind !== 'json') return value;
      for (const b of syntax.behaviors) {
        if (b.on === 'NULL' || b.action === 'ABSENT') return c.fail(`${b.action} ON ${b.on} does not apply to JSON_VALUE`, b.span);
        if (b.action !== 'NULL') return c.fail(`JSON_VALUE with ${b.action} ON ${b.on} is not supported yet`, b.span);
      }
      if (syntax.returning === null) return value;
      let type: LogicalType;
      try {
        type = withNullability(toLogicalType(syntax.returning, ''), true);
      } catch (e) {
        if (e instanceof ValidationError) return c.fail(e.message, syntax.returning.span);
        throw e;
      }
      if (!castAllowed(value.type, type)) return c.fail(`JSON_VALUE cannot return ${formatType(type)}`, syntax.returning.span);
      return Rex.cast(value, type, true);
    },
  },
  JSON_QUERY: { arity: [2, 2], bind: (c) => Rex.call('JSON_QUERY', jsonArgs(c), Types.STRING(true)) },
  JSON_EXISTS: {
    arity: [2, 2],
    bind: (c) => {
      const args = jsonArgs(c);
      return Rex.call('JSON_EXISTS', args, Types.BOOLEAN(anyNullable(args)));
    },
  },
  // ---------------------------------------------------------------------- collections (Collection Functions)
  CARDINALITY: {
    arity: [1, 1],
    bind: (c) => {
      const a = c.arg(0);
      if (a.type.kind !== 'ARRAY' && a.type.kind !== 'MAP') return c.fail(`CARDINALITY requires an ARRAY or MAP argument, but got ${formatType(a.type)}`, argSpan(c, 0));
      return Rex.call('CARDINALITY', [a], Types.INT(a.type.nullable));
    },
  },
  ELEMENT: {
    arity: [1, 1],
    bind: (c) => {
      const a = c.arg(0);
      if (a.type.kind !== 'ARRAY') return c.fail(`ELEMENT requires an ARRAY argument, but got ${formatType(a.type)}`, argSpan(c, 0));
      return Rex.call('ELEMENT', [a], withNullability(a.type.element, true));
    },
  },
};

function greatestLeast(op: 'GREATEST' | 'LEAST'): FunctionDef {
  return {
    arity: [1, 1000],
    bind: (c) => {
      const args = c.raw.map((_, i) => c.arg(i));
      const common = commonType(args.map((a) => a.type));
      if (common === null || common.kind === 'NULL') return c.fail(`${op} arguments have incompatible types: ${args.map((a) => formatType(a.type)).join(', ')}`);
      const type = withNullability(withoutTimeAttribute(common), anyNullable(args));
      return Rex.call(op, args.map((a) => c.coerce(a, type)), type);
    },
  };
}

/** `array[i]` (1-based, NULL when out of range) and `map[key]` (NULL when absent). */
export function bindItem(c: CallContext, container: Rex, index: Rex): Rex {
  const t = container.type;
  if (t.kind === 'ARRAY') {
    if (!isExactInteger(index.type)) return c.fail(`an ARRAY index must be an integer, but got ${formatType(index.type)}`);
    return Rex.call('ITEM', [container, c.coerce(index, Types.INT(index.type.nullable))], withNullability(t.element, true));
  }
  if (t.kind === 'MAP') {
    const common = commonType([t.key, index.type]);
    if (common === null) return c.fail(`a MAP<${formatType(t.key)}, ...> key cannot be ${formatType(index.type)}`);
    return Rex.call('ITEM', [container, c.coerce(index, t.key)], withNullability(t.value, true));
  }
  return c.fail(`cannot subscript a value of type ${formatType(t)}`);
}

export const FUNCTION_NAMES: readonly string[] = Object.keys(BUILTINS);
