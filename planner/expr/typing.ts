// Flink's type rules for operators: numeric promotion, DECIMAL precision/scale derivation (as in Flink's
// LogicalTypeMerging), and the common type of comparison operands and CASE branches.
import { Types, isNumeric, type LogicalType } from '../../executor/index.js';

const INT_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const INT_DIGITS: Record<string, number> = { TINYINT: 3, SMALLINT: 5, INT: 10, BIGINT: 19 };
const MAX_PRECISION = 38;
/** Flink keeps at least this many fractional digits when a DECIMAL result has to be narrowed. */
const MIN_ADJUSTED_SCALE = 6;

function nullableOf(...ts: LogicalType[]): boolean {
  return ts.some((t) => t.nullable);
}

/** An exact integer type viewed as DECIMAL(digits, 0), for mixed DECIMAL arithmetic. */
export function asDecimal(t: LogicalType): { precision: number; scale: number } | null {
  if (t.kind === 'DECIMAL') return { precision: t.precision, scale: t.scale };
  const d = INT_DIGITS[t.kind];
  return d === undefined ? null : { precision: d, scale: 0 };
}

function adjust(precision: number, scale: number, nullable: boolean): LogicalType {
  if (precision <= MAX_PRECISION) return Types.DECIMAL(precision, scale, nullable);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MIN_ADJUSTED_SCALE);
  const adjustedScale = Math.max(MAX_PRECISION - intDigits, minScale);
  return Types.DECIMAL(MAX_PRECISION, adjustedScale, nullable);
}

export type ArithmeticOp = 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD';

/** The result type of a binary arithmetic operator, or null if the operands are not both numeric. */
export function arithmeticType(op: ArithmeticOp, a: LogicalType, b: LogicalType): LogicalType | null {
  if (!isNumeric(a) || !isNumeric(b)) return null;
  const nullable = nullableOf(a, b);
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return Types.DOUBLE(nullable);
  if (a.kind === 'FLOAT' || b.kind === 'FLOAT') return Types.FLOAT(nullable);
  if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
    const x = asDecimal(a) as { precision: number; scale: number };
    const y = asDecimal(b) as { precision: number; scale: number };
    switch (op) {
      case 'PLUS':
      case 'MINUS': {
        const scale = Math.max(x.scale, y.scale);
        return adjust(Math.max(x.precision - x.scale, y.precision - y.scale) + scale + 1, scale, nullable);
      }
      case 'TIMES':
        return adjust(x.precision + y.precision + 1, x.scale + y.scale, nullable);
      case 'DIVIDE': {
        const scale = Math.max(MIN_ADJUSTED_SCALE, x.scale + y.precision + 1);
        return adjust(x.precision - x.scale + y.scale + scale, scale, nullable);
      }
      case 'MOD': {
        const scale = Math.max(x.scale, y.scale);
        return adjust(Math.min(x.precision - x.scale, y.precision - y.scale) + scale, scale, nullable);
      }
    }
  }
  // Exact integers: the wider of the two (Flink: INT + INT is INT, and overflow wraps as in Java).
  const wider = (INT_RANK[a.kind] as number) >= (INT_RANK[b.kind] as number) ? a : b;
  return { ...wider, nullable } as LogicalType;
}

/** The type both sides of a comparison (or all CASE branches) are converted to; null if incompatible. */
export function commonType(types: readonly LogicalType[]): LogicalType | null {
  const known = types.filter((t) => t.kind !== 'NULL');
  const nullable = types.some((t) => t.nullable);
  if (known.length === 0) return Types.NULL();
  let acc = known[0] as LogicalType;
  for (const t of known.slice(1)) {
    const next = pairCommon(acc, t);
    if (next === null) return null;
    acc = next;
  }
  return acc.kind === 'NULL' ? acc : ({ ...acc, nullable } as LogicalType);
}

function pairCommon(a: LogicalType, b: LogicalType): LogicalType | null {
  if (isNumeric(a) && isNumeric(b)) {
    if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE' || a.kind === 'FLOAT' || b.kind === 'FLOAT') {
      return a.kind === 'DOUBLE' || b.kind === 'DOUBLE' ? Types.DOUBLE() : Types.FLOAT();
    }
    if (a.kind === 'DECIMAL' || b.kind === 'DECIMAL') {
      const x = asDecimal(a) as { precision: number; scale: number };
      const y = asDecimal(b) as { precision: number; scale: number };
      const scale = Math.max(x.scale, y.scale);
      const intDigits = Math.max(x.precision - x.scale, y.precision - y.scale);
      return adjust(intDigits + scale, scale, true);
    }
    return (INT_RANK[a.kind] as number) >= (INT_RANK[b.kind] as number) ? a : b;
  }
  const isStr = (t: LogicalType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
  if (isStr(a) && isStr(b)) {
    const la = (a as { length: number }).length;
    const lb = (b as { length: number }).length;
    if (a.kind === 'CHAR' && b.kind === 'CHAR' && la === lb) return a;
    return Types.VARCHAR(Math.max(la, lb));
  }
  if (a.kind === b.kind) {
    if (a.kind === 'TIMESTAMP' || a.kind === 'TIMESTAMP_LTZ' || a.kind === 'TIME') {
      const pa = (a as { precision: number }).precision;
      const pb = (b as { precision: number }).precision;
      return { ...(pa >= pb ? a : b), timeAttribute: null } as LogicalType;
    }
    if (a.kind === 'BOOLEAN' || a.kind === 'DATE' || a.kind === 'INTERVAL') return a;
    if (a.kind === 'BINARY' || a.kind === 'VARBINARY') return Types.BYTES();
    if (a.kind === 'ROW' || a.kind === 'ARRAY' || a.kind === 'MAP') return nestedCommon(a, b);
  }
  // Flink compares a string with a temporal value by casting the string.
  if (isStr(a) && (b.kind === 'DATE' || b.kind === 'TIMESTAMP' || b.kind === 'TIME')) return b;
  if (isStr(b) && (a.kind === 'DATE' || a.kind === 'TIMESTAMP' || a.kind === 'TIME')) return a;
  return null;
}

/** Nested types meet field by field (names from the first); null if the shapes differ. */
function nestedCommon(a: LogicalType, b: LogicalType): LogicalType | null {
  const inner = (x: LogicalType, y: LogicalType): LogicalType | null => {
    const c = commonType([x, y]);
    return c === null ? null : ({ ...c, nullable: x.nullable || y.nullable } as LogicalType);
  };
  if (a.kind === 'ARRAY' && b.kind === 'ARRAY') {
    const e = inner(a.element, b.element);
    return e === null ? null : Types.ARRAY(e);
  }
  if (a.kind === 'MAP' && b.kind === 'MAP') {
    const k = inner(a.key, b.key);
    const v = inner(a.value, b.value);
    return k === null || v === null ? null : Types.MAP(k, v);
  }
  if (a.kind === 'ROW' && b.kind === 'ROW' && a.fields.length === b.fields.length) {
    const fields = a.fields.map((f, i) => ({ name: f.name, type: inner(f.type, (b.fields[i] as { type: LogicalType }).type) }));
    if (fields.some((f) => f.type === null)) return null;
    return Types.ROW(fields as { name: string; type: LogicalType }[]);
  }
  return null;
}

/**
 * Flink's explicit cast matrix (LogicalTypeCasts) for the supported types: every type to character strings,
 * strings to the scalar types, numeric and BOOLEAN among themselves, datetime conversions, and nested types
 * element-wise (ROW field by field, same arity).
 */
export function castAllowed(from: LogicalType, to: LogicalType): boolean {
  if (from.kind === 'NULL') return true;
  const isStr = (t: LogicalType): boolean => t.kind === 'CHAR' || t.kind === 'VARCHAR';
  const isBin = (t: LogicalType): boolean => t.kind === 'BINARY' || t.kind === 'VARBINARY';
  const isDatetime = (t: LogicalType): boolean => t.kind === 'DATE' || t.kind === 'TIME' || t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
  const numOrBool = (t: LogicalType): boolean => isNumeric(t) || t.kind === 'BOOLEAN';
  if (isStr(to)) return true;
  if (isStr(from)) return numOrBool(to) || isDatetime(to) || isBin(to);
  if (numOrBool(from) && numOrBool(to)) return true;
  if (isBin(from) && isBin(to)) return true;
  if (isDatetime(from) && isDatetime(to)) {
    if (from.kind === 'TIME') return to.kind === 'TIME' || to.kind === 'TIMESTAMP' || to.kind === 'TIMESTAMP_LTZ';
    if (from.kind === 'DATE') return to.kind !== 'TIME';
    return true;
  }
  if (from.kind === 'INTERVAL' && to.kind === 'INTERVAL') return from.family === to.family;
  if (from.kind === 'ARRAY' && to.kind === 'ARRAY') return castAllowed(from.element, to.element);
  if (from.kind === 'MAP' && to.kind === 'MAP') return castAllowed(from.key, to.key) && castAllowed(from.value, to.value);
  if (from.kind === 'ROW' && to.kind === 'ROW') {
    return from.fields.length === to.fields.length && from.fields.every((f, i) => castAllowed(f.type, (to.fields[i] as { type: LogicalType }).type));
  }
  return false;
}
