// Aggregate functions as SQL names them, and their result types by Flink's rules (FlinkSqlOperatorTable and
// the AggFunctionFactory): COUNT is BIGINT NOT NULL, SUM and AVG keep an integer argument's type (AVG truncates),
// SUM of DECIMAL(p, s) is DECIMAL(38, s) and AVG of it DECIMAL(38, max(6, s)), MIN/MAX/FIRST_VALUE/LAST_VALUE
// keep the argument's type, everything but COUNT is nullable (an empty group, or all inputs NULL).
import {
  Types,
  formatType,
  isNumeric,
  withNullability,
  withoutTimeAttribute,
  type LogicalType,
} from '../../executor/index.js';
import type { AggKind } from '../logical/plan.js';

/** SQL name → the aggregate it calls. STDDEV and VARIANCE are Flink's aliases of the sample variants. */
export const AGGREGATE_FUNCTIONS: Readonly<Record<string, AggKind>> = {
  COUNT: 'COUNT',
  SUM: 'SUM',
  SUM0: 'SUM0',
  $SUM0: 'SUM0',
  AVG: 'AVG',
  MIN: 'MIN',
  MAX: 'MAX',
  FIRST_VALUE: 'FIRST_VALUE',
  LAST_VALUE: 'LAST_VALUE',
  LISTAGG: 'LISTAGG',
  STDDEV_POP: 'STDDEV_POP',
  STDDEV_SAMP: 'STDDEV_SAMP',
  STDDEV: 'STDDEV_SAMP',
  VAR_POP: 'VAR_POP',
  VAR_SAMP: 'VAR_SAMP',
  VARIANCE: 'VAR_SAMP',
  BOOL_AND: 'BOOL_AND',
  BOOL_OR: 'BOOL_OR',
};

export function isAggregateName(name: string): boolean {
  return Object.hasOwn(AGGREGATE_FUNCTIONS, name.toUpperCase());
}

/** The result type, or an error message naming what the function accepts. */
export function aggregateResultType(kind: AggKind, args: readonly LogicalType[]): LogicalType | string {
  const arg = args[0] === undefined ? null : withoutTimeAttribute(args[0]);
  const arity = kind === 'COUNT' ? null : kind === 'LISTAGG' ? [1, 2] : [1, 1];
  if (arity !== null && (args.length < (arity[0] as number) || args.length > (arity[1] as number))) {
    return `${kind} takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} or ${arity[1]}`} argument${arity[1] === 1 ? '' : 's'}, got ${args.length}`;
  }
  const numeric = (): LogicalType | string =>
    arg !== null && isNumeric(arg)
      ? arg
      : `${kind} needs a numeric argument, but got ${arg === null ? 'none' : formatType(arg)}`;
  switch (kind) {
    case 'COUNT':
      return Types.BIGINT(false);
    case 'SUM':
    case 'SUM0': {
      const t = numeric();
      if (typeof t === 'string') return t;
      const r = t.kind === 'DECIMAL' ? Types.DECIMAL(38, t.scale) : t;
      return withNullability(r, kind === 'SUM');
    }
    case 'AVG': {
      const t = numeric();
      if (typeof t === 'string') return t;
      return withNullability(t.kind === 'DECIMAL' ? Types.DECIMAL(38, Math.max(6, t.scale)) : t, true);
    }
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'VAR_POP':
    case 'VAR_SAMP': {
      const t = numeric();
      if (typeof t === 'string') return t;
      return withNullability(t.kind === 'DECIMAL' ? Types.DOUBLE() : t, true);
    }
    case 'MIN':
    case 'MAX':
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      return withNullability(arg as LogicalType, true);
    case 'LISTAGG':
      return Types.STRING();
    case 'BOOL_AND':
    case 'BOOL_OR':
      return arg?.kind === 'BOOLEAN'
        ? Types.BOOLEAN()
        : `${kind} needs a BOOLEAN argument, but got ${arg === null ? 'none' : formatType(arg)}`;
    case 'UDAF':
      // A user-defined aggregate declares its result type; the binder reads it from the function.
      return 'a user-defined aggregate function declares its own result type';
  }
}
