// The expression IR shared by SQL and the Table API: resolved, typed, closed. Column references are input
// positions; literals carry their runtime Value; every call names one operator of the `Op` list.
import type { LogicalType, Value } from '../../executor/index.js';

export const OPS = [
  // arithmetic
  'PLUS', 'MINUS', 'TIMES', 'DIVIDE', 'MOD', 'NEGATE',
  // comparison
  'EQUALS', 'NOT_EQUALS', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL',
  // logic and null tests
  'AND', 'OR', 'NOT', 'IS_NULL', 'IS_NOT_NULL',
  // strings
  'CONCAT', 'LIKE', 'UPPER', 'LOWER', 'CHAR_LENGTH', 'TRIM',
  // conditional
  'CASE', 'COALESCE',
  // numeric functions
  'ABS',
] as const;

export type Op = (typeof OPS)[number];

export type Rex =
  | { readonly kind: 'input'; readonly index: number; readonly type: LogicalType }
  | { readonly kind: 'literal'; readonly value: Value; readonly type: LogicalType }
  | { readonly kind: 'call'; readonly op: Op; readonly args: readonly Rex[]; readonly type: LogicalType }
  /** `safe` = TRY_CAST: a value that cannot be converted becomes NULL instead of failing the job. */
  | { readonly kind: 'cast'; readonly operand: Rex; readonly type: LogicalType; readonly safe: boolean };

export const Rex = {
  input: (index: number, type: LogicalType): Rex => ({ kind: 'input', index, type }),
  literal: (value: Value, type: LogicalType): Rex => ({ kind: 'literal', value, type }),
  call: (op: Op, args: readonly Rex[], type: LogicalType): Rex => ({ kind: 'call', op, args, type }),
  cast: (operand: Rex, type: LogicalType, safe = false): Rex => ({ kind: 'cast', operand, type, safe }),
};
