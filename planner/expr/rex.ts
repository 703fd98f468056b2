// The expression IR shared by SQL and the Table API: resolved, typed, closed. Column references are input
// positions; literals carry their runtime Value; every call names one operator of the `Op` list; ROW fields are
// read by position; user-defined functions carry their implementation (reaching generated code through K).
import type { LogicalType, Value } from '../../executor/index.js';

export const OPS = [
  // arithmetic
  'PLUS', 'MINUS', 'TIMES', 'DIVIDE', 'MOD', 'NEGATE',
  // comparison
  'EQUALS', 'NOT_EQUALS', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL',
  // logic and null tests
  'AND', 'OR', 'NOT', 'IS_NULL', 'IS_NOT_NULL',
  // strings
  'CONCAT', 'CONCAT_WS', 'LIKE', 'UPPER', 'LOWER', 'CHAR_LENGTH', 'TRIM', 'LTRIM', 'RTRIM', 'SUBSTRING', 'POSITION',
  'REPLACE', 'REGEXP', 'REGEXP_REPLACE', 'REGEXP_EXTRACT', 'SPLIT_INDEX', 'LPAD', 'RPAD', 'INITCAP', 'MD5', 'SHA256',
  'REVERSE', 'REPEAT', 'LEFT', 'RIGHT', 'ASCII', 'CHR', 'OVERLAY',
  // conditional
  'CASE', 'COALESCE', 'GREATEST', 'LEAST',
  // numeric functions
  'ABS', 'CEIL', 'FLOOR', 'ROUND', 'TRUNCATE', 'SIGN', 'POWER', 'SQRT', 'LN', 'LOG10', 'LOG2', 'LOG', 'EXP', 'PI',
  'RAND', 'RAND_INTEGER',
  // temporal: EXTRACT's first argument is the unit as a string literal (YEAR, MONTH, ..., DOW, DOY, WEEK)
  'EXTRACT', 'DATE_FORMAT', 'TO_TIMESTAMP', 'TO_TIMESTAMP_LTZ', 'TO_DATE', 'UNIX_TIMESTAMP', 'FROM_UNIXTIME',
  'TIMESTAMPADD', 'TIMESTAMPDIFF', 'ADD_MONTHS', 'CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME',
  'PROCTIME',
  // CURRENT_WATERMARK(rowtime): the watermark of the operator evaluating it (its argument only types the result)
  'CURRENT_WATERMARK',
  // FLOOR/CEIL(x TO unit): the unit as a string literal first, as EXTRACT's, then x and whether x is a DATE
  'FLOOR_TO', 'CEIL_TO',
  // JSON over STRING values
  'JSON_VALUE', 'JSON_QUERY', 'JSON_EXISTS',
  // JSON_OBJECT: the ON NULL behavior and the value encodings as string literals, then key, value, key, value, ...
  'JSON_OBJECT',
  // collections: ITEM is `array[i]` (1-based) and `map[key]`; *_VALUE construct ARRAY[...], MAP[...], ROW(...)
  'CARDINALITY', 'ELEMENT', 'ITEM', 'ARRAY_VALUE', 'MAP_VALUE', 'ROW_VALUE',
] as const;

export type Op = (typeof OPS)[number];

/** A scalar function registered through the API: called with engine Values, returns a Value of `resultType`. */
export interface UserFunction {
  readonly name: string;
  readonly eval: (...args: Value[]) => Value;
  readonly resultType: LogicalType;
  readonly argTypes?: readonly LogicalType[];
}

export type Rex =
  | { readonly kind: 'input'; readonly index: number; readonly type: LogicalType }
  | { readonly kind: 'literal'; readonly value: Value; readonly type: LogicalType }
  | { readonly kind: 'call'; readonly op: Op; readonly args: readonly Rex[]; readonly type: LogicalType }
  /** `safe` = TRY_CAST: a value that cannot be converted becomes NULL instead of failing the job. */
  | { readonly kind: 'cast'; readonly operand: Rex; readonly type: LogicalType; readonly safe: boolean }
  /** Field `index` of a ROW value (`person.id`); NULL when the row is NULL. */
  | { readonly kind: 'field'; readonly operand: Rex; readonly index: number; readonly name: string; readonly type: LogicalType }
  | { readonly kind: 'udf'; readonly fn: UserFunction; readonly args: readonly Rex[]; readonly type: LogicalType };

export type RexKind = Rex['kind'];

export const Rex = {
  input: (index: number, type: LogicalType): Rex => ({ kind: 'input', index, type }),
  literal: (value: Value, type: LogicalType): Rex => ({ kind: 'literal', value, type }),
  call: (op: Op, args: readonly Rex[], type: LogicalType): Rex => ({ kind: 'call', op, args, type }),
  cast: (operand: Rex, type: LogicalType, safe = false): Rex => ({ kind: 'cast', operand, type, safe }),
  field: (operand: Rex, index: number, name: string, type: LogicalType): Rex => ({ kind: 'field', operand, index, name, type }),
  udf: (fn: UserFunction, args: readonly Rex[], type: LogicalType): Rex => ({ kind: 'udf', fn, args, type }),
};
