// Flink's logical type system, as a closed union. Every column, expression and result carries one of these.
// Nullability is part of the type (as in Flink: `INT NOT NULL` and `INT` differ); time attributes (rowtime,
// proctime) are flags on TIMESTAMP / TIMESTAMP_LTZ types, so they travel through projections with the type.

export type TimeAttribute = 'rowtime' | 'proctime';

/** The day-time and year-month interval families of Flink's INTERVAL types. */
export type IntervalFamily = 'YEAR_MONTH' | 'DAY_TIME';

export type LogicalType =
  | { readonly kind: 'BOOLEAN'; readonly nullable: boolean }
  | { readonly kind: 'TINYINT'; readonly nullable: boolean }
  | { readonly kind: 'SMALLINT'; readonly nullable: boolean }
  | { readonly kind: 'INT'; readonly nullable: boolean }
  | { readonly kind: 'BIGINT'; readonly nullable: boolean }
  | { readonly kind: 'FLOAT'; readonly nullable: boolean }
  | { readonly kind: 'DOUBLE'; readonly nullable: boolean }
  | { readonly kind: 'DECIMAL'; readonly nullable: boolean; readonly precision: number; readonly scale: number }
  | { readonly kind: 'CHAR'; readonly nullable: boolean; readonly length: number }
  | { readonly kind: 'VARCHAR'; readonly nullable: boolean; readonly length: number }
  | { readonly kind: 'BINARY'; readonly nullable: boolean; readonly length: number }
  | { readonly kind: 'VARBINARY'; readonly nullable: boolean; readonly length: number }
  | { readonly kind: 'DATE'; readonly nullable: boolean }
  | { readonly kind: 'TIME'; readonly nullable: boolean; readonly precision: number }
  | {
      readonly kind: 'TIMESTAMP';
      readonly nullable: boolean;
      readonly precision: number;
      readonly timeAttribute: TimeAttribute | null;
    }
  | {
      readonly kind: 'TIMESTAMP_LTZ';
      readonly nullable: boolean;
      readonly precision: number;
      readonly timeAttribute: TimeAttribute | null;
    }
  | { readonly kind: 'INTERVAL'; readonly nullable: boolean; readonly family: IntervalFamily }
  | { readonly kind: 'ARRAY'; readonly nullable: boolean; readonly element: LogicalType }
  | { readonly kind: 'MAP'; readonly nullable: boolean; readonly key: LogicalType; readonly value: LogicalType }
  | { readonly kind: 'ROW'; readonly nullable: boolean; readonly fields: readonly RowField[] }
  | { readonly kind: 'NULL'; readonly nullable: true };

export interface RowField {
  readonly name: string;
  readonly type: LogicalType;
}

export type TypeKind = LogicalType['kind'];

/** VARCHAR(MAX): Flink's STRING. */
export const MAX_LENGTH = 2147483647;

/** The type constructors, named as in Flink's `DataTypes`. Types are nullable unless `.notNull` is used. */
export const Types = {
  BOOLEAN: (nullable = true): LogicalType => ({ kind: 'BOOLEAN', nullable }),
  TINYINT: (nullable = true): LogicalType => ({ kind: 'TINYINT', nullable }),
  SMALLINT: (nullable = true): LogicalType => ({ kind: 'SMALLINT', nullable }),
  INT: (nullable = true): LogicalType => ({ kind: 'INT', nullable }),
  BIGINT: (nullable = true): LogicalType => ({ kind: 'BIGINT', nullable }),
  FLOAT: (nullable = true): LogicalType => ({ kind: 'FLOAT', nullable }),
  DOUBLE: (nullable = true): LogicalType => ({ kind: 'DOUBLE', nullable }),
  DECIMAL: (precision = 10, scale = 0, nullable = true): LogicalType => {
    if (precision < 1 || precision > 38) throw new RangeError(`DECIMAL precision must be 1..38, got ${precision}`);
    if (scale < 0 || scale > precision) throw new RangeError(`DECIMAL scale must be 0..${precision}, got ${scale}`);
    return { kind: 'DECIMAL', nullable, precision, scale };
  },
  CHAR: (length = 1, nullable = true): LogicalType => ({ kind: 'CHAR', nullable, length }),
  VARCHAR: (length = MAX_LENGTH, nullable = true): LogicalType => ({ kind: 'VARCHAR', nullable, length }),
  STRING: (nullable = true): LogicalType => ({ kind: 'VARCHAR', nullable, length: MAX_LENGTH }),
  BINARY: (length = 1, nullable = true): LogicalType => ({ kind: 'BINARY', nullable, length }),
  VARBINARY: (length = MAX_LENGTH, nullable = true): LogicalType => ({ kind: 'VARBINARY', nullable, length }),
  BYTES: (nullable = true): LogicalType => ({ kind: 'VARBINARY', nullable, length: MAX_LENGTH }),
  DATE: (nullable = true): LogicalType => ({ kind: 'DATE', nullable }),
  TIME: (precision = 0, nullable = true): LogicalType => ({ kind: 'TIME', nullable, precision: checkP(precision) }),
  TIMESTAMP: (precision = 6, nullable = true, timeAttribute: TimeAttribute | null = null): LogicalType => ({
    kind: 'TIMESTAMP',
    nullable,
    precision: checkP(precision),
    timeAttribute,
  }),
  TIMESTAMP_LTZ: (precision = 6, nullable = true, timeAttribute: TimeAttribute | null = null): LogicalType => ({
    kind: 'TIMESTAMP_LTZ',
    nullable,
    precision: checkP(precision),
    timeAttribute,
  }),
  INTERVAL: (family: IntervalFamily, nullable = true): LogicalType => ({ kind: 'INTERVAL', nullable, family }),
  ARRAY: (element: LogicalType, nullable = true): LogicalType => ({ kind: 'ARRAY', nullable, element }),
  MAP: (key: LogicalType, value: LogicalType, nullable = true): LogicalType => ({ kind: 'MAP', nullable, key, value }),
  ROW: (fields: readonly RowField[], nullable = true): LogicalType => ({ kind: 'ROW', nullable, fields }),
  NULL: (): LogicalType => ({ kind: 'NULL', nullable: true }),
} as const;

function checkP(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 9) throw new RangeError(`fractional-second precision must be 0..9, got ${p}`);
  return p;
}

/** The same type with the given nullability. */
export function withNullability(t: LogicalType, nullable: boolean): LogicalType {
  if (t.kind === 'NULL') return t;
  return t.nullable === nullable ? t : { ...t, nullable };
}

/** The same type without a time-attribute flag (what a computation on a rowtime yields, as in Flink). */
export function withoutTimeAttribute(t: LogicalType): LogicalType {
  if ((t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && t.timeAttribute !== null) {
    return { ...t, timeAttribute: null };
  }
  return t;
}

export function isNumeric(t: LogicalType): boolean {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      return true;
    default:
      return false;
  }
}

export function isExactInteger(t: LogicalType): boolean {
  return t.kind === 'TINYINT' || t.kind === 'SMALLINT' || t.kind === 'INT' || t.kind === 'BIGINT';
}

export function isCharacterString(t: LogicalType): boolean {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR';
}

export function isTimestamp(t: LogicalType): boolean {
  return t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
}

/** Prints a type the way Flink's `DESCRIBE` and error messages do, e.g. `TIMESTAMP(3) *ROWTIME*`, `INT NOT NULL`. */
export function formatType(t: LogicalType): string {
  const nn = t.nullable ? '' : ' NOT NULL';
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
      return t.kind + nn;
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})${nn}`;
    case 'CHAR':
      return `CHAR(${t.length})${nn}`;
    case 'VARCHAR':
      return (t.length === MAX_LENGTH ? 'STRING' : `VARCHAR(${t.length})`) + nn;
    case 'BINARY':
      return `BINARY(${t.length})${nn}`;
    case 'VARBINARY':
      return (t.length === MAX_LENGTH ? 'BYTES' : `VARBINARY(${t.length})`) + nn;
    case 'TIME':
      return `TIME(${t.precision})${nn}`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const attr = t.timeAttribute === null ? '' : t.timeAttribute === 'rowtime' ? ' *ROWTIME*' : ' *PROCTIME*';
      return `${t.kind}(${t.precision})${nn}${attr}`;
    }
    case 'INTERVAL':
      return (t.family === 'YEAR_MONTH' ? 'INTERVAL YEAR TO MONTH' : 'INTERVAL DAY TO SECOND(3)') + nn;
    case 'ARRAY':
      return `ARRAY<${formatType(t.element)}>${nn}`;
    case 'MAP':
      return `MAP<${formatType(t.key)}, ${formatType(t.value)}>${nn}`;
    case 'ROW':
      return `ROW<${t.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')}>${nn}`;
    case 'NULL':
      return 'NULL';
    default:
      return unreachable(t);
  }
}

/** Structural equality, including nullability and time attributes. */
export function typeEquals(a: LogicalType, b: LogicalType): boolean {
  return formatType(a) === formatType(b);
}

export function unreachable(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
