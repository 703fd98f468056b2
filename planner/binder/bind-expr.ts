// Binds AST expressions to the typed IR against a scope: resolves names (with "did you mean"), types every
// operator by Flink's rules, and inserts the implicit casts that make operand types agree.
import {
  Types,
  formatType,
  isCharacterString,
  isNumeric,
  withNullability,
  withoutTimeAttribute,
  type LogicalType,
} from '../../executor/index.js';
import { UnsupportedError, ValidationError, type Expr, type Span } from '../../parser/index.js';
import { closest } from '../../parser/index.js';
import { Rex, type Op } from '../expr/rex.js';
import { arithmeticType, commonType } from '../expr/typing.js';
import { toLogicalType } from '../types.js';
import { intervalLiteral, numberLiteral, typedLiteral } from './literals.js';
import type { Scope } from './scope.js';

const COMPARISON: Record<string, Op> = {
  '=': 'EQUALS',
  '<>': 'NOT_EQUALS',
  '<': 'LESS_THAN',
  '<=': 'LESS_THAN_OR_EQUAL',
  '>': 'GREATER_THAN',
  '>=': 'GREATER_THAN_OR_EQUAL',
};
const ARITH: Record<string, 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD'> = { '+': 'PLUS', '-': 'MINUS', '*': 'TIMES', '/': 'DIVIDE', '%': 'MOD' };

/** Scalar functions by SQL name: how many arguments, and the result type from the argument types. */
const FUNCTIONS: Record<string, { op: Op; arity: [number, number]; type: (args: LogicalType[], span: Span) => LogicalType }> = {
  UPPER: { op: 'UPPER', arity: [1, 1], type: (a) => stringResult(a) },
  LOWER: { op: 'LOWER', arity: [1, 1], type: (a) => stringResult(a) },
  TRIM: { op: 'TRIM', arity: [1, 1], type: (a) => stringResult(a) },
  CHAR_LENGTH: { op: 'CHAR_LENGTH', arity: [1, 1], type: (a) => Types.INT(a[0]?.nullable ?? true) },
  CHARACTER_LENGTH: { op: 'CHAR_LENGTH', arity: [1, 1], type: (a) => Types.INT(a[0]?.nullable ?? true) },
  ABS: { op: 'ABS', arity: [1, 1], type: (a) => withoutTimeAttribute(a[0] as LogicalType) },
  MOD: { op: 'MOD', arity: [2, 2], type: () => Types.INT() },
  COALESCE: { op: 'COALESCE', arity: [1, 1000], type: () => Types.INT() },
  CONCAT: { op: 'CONCAT', arity: [1, 1000], type: (a) => Types.STRING(a.some((t) => t.nullable)) },
};

function stringResult(a: LogicalType[]): LogicalType {
  return Types.STRING((a[0] as LogicalType).nullable);
}

export class ExprBinder {
  constructor(
    private readonly scope: Scope,
    private readonly source: string,
  ) {}

  private fail(message: string, span: Span, hint?: string): never {
    throw new ValidationError(message, this.source, span, hint);
  }

  bind(e: Expr): Rex {
    switch (e.kind) {
      case 'numberLit': {
        const { value, type } = numberLiteral(e.text);
        return Rex.literal(value, type);
      }
      case 'stringLit':
        return Rex.literal(e.value, Types.CHAR(Math.max(1, e.value.length), false));
      case 'boolLit':
        return Rex.literal(e.value, Types.BOOLEAN(false));
      case 'nullLit':
        return Rex.literal(null, Types.NULL());
      case 'typedLit': {
        const { value, type } = typedLiteral(e.type, e.value, this.source, e.span);
        return Rex.literal(value, type);
      }
      case 'intervalLit': {
        const { value, type } = intervalLiteral(e.value, e.from, e.to, this.source, e.span);
        return Rex.literal(value, type);
      }
      case 'ident':
        return this.column(e);
      case 'unary': {
        const operand = this.bind(e.operand);
        if (e.op === 'NOT') return Rex.call('NOT', [this.boolean(operand, e.operand.span, 'NOT')], Types.BOOLEAN(operand.type.nullable));
        if (!isNumeric(operand.type) && operand.type.kind !== 'INTERVAL') this.fail(`cannot apply '${e.op}' to ${formatType(operand.type)}`, e.span);
        if (e.op === '+') return operand;
        if (operand.kind === 'literal' && operand.value !== null) {
          const v = operand.value;
          return Rex.literal(typeof v === 'bigint' ? -v : -(v as number), operand.type);
        }
        return Rex.call('NEGATE', [operand], withoutTimeAttribute(operand.type));
      }
      case 'binary':
        return this.binary(e);
      case 'isNull': {
        const operand = this.bind(e.operand);
        return Rex.call(e.negated ? 'IS_NOT_NULL' : 'IS_NULL', [operand], Types.BOOLEAN(false));
      }
      case 'between': {
        // a BETWEEN l AND h  ≡  a >= l AND a <= h (ASYMMETRIC, as in Flink's default).
        if (e.symmetric) throw new UnsupportedError('BETWEEN SYMMETRIC', this.source, e.span);
        const lo = this.compare('>=', e.operand, e.low, e.span);
        const hi = this.compare('<=', e.operand, e.high, e.span);
        const both = Rex.call('AND', [lo, hi], Types.BOOLEAN(lo.type.nullable || hi.type.nullable));
        return e.negated ? Rex.call('NOT', [both], both.type) : both;
      }
      case 'inList': {
        const eqs = e.list.map((item) => this.compare('=', e.operand, item, item.span));
        const any = eqs.length === 1 ? (eqs[0] as Rex) : Rex.call('OR', eqs, Types.BOOLEAN(eqs.some((q) => q.type.nullable)));
        return e.negated ? Rex.call('NOT', [any], any.type) : any;
      }
      case 'like': {
        const operand = this.string(this.bind(e.operand), e.operand.span, 'LIKE');
        const pattern = this.string(this.bind(e.pattern), e.pattern.span, 'LIKE');
        const args = [operand, pattern];
        if (e.escape !== null) args.push(this.string(this.bind(e.escape), e.escape.span, 'ESCAPE'));
        const like = Rex.call('LIKE', args, Types.BOOLEAN(args.some((a) => a.type.nullable)));
        return e.negated ? Rex.call('NOT', [like], like.type) : like;
      }
      case 'cast': {
        const operand = this.bind(e.operand);
        const target = toLogicalType(e.type, this.source);
        const type = withNullability(target, e.safe || operand.type.nullable || target.nullable === false ? target.nullable || e.safe || operand.type.nullable : false);
        return Rex.cast(operand, type, e.safe);
      }
      case 'case':
        return this.caseExpr(e);
      case 'call':
        return this.call(e);
      case 'isBool':
        throw new UnsupportedError(`IS ${e.negated ? 'NOT ' : ''}${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'}`, this.source, e.span);
      case 'isDistinctFrom':
        throw new UnsupportedError(`IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM`, this.source, e.span);
      case 'inQuery':
        throw new UnsupportedError('IN (subquery)', this.source, e.span);
      case 'exists':
        throw new UnsupportedError('EXISTS (subquery)', this.source, e.span);
      case 'subquery':
        throw new UnsupportedError('scalar subquery', this.source, e.span);
      case 'similarTo':
        throw new UnsupportedError('SIMILAR TO', this.source, e.span);
      case 'filter':
        throw new UnsupportedError('FILTER (WHERE ...) on an aggregate', this.source, e.span);
      case 'over':
        throw new UnsupportedError('OVER window aggregation', this.source, e.span);
      case 'extract':
        throw new UnsupportedError('EXTRACT', this.source, e.span);
      case 'arrayCtor':
        throw new UnsupportedError('ARRAY constructor', this.source, e.span);
      case 'mapCtor':
        throw new UnsupportedError('MAP constructor', this.source, e.span);
      case 'rowCtor':
        throw new UnsupportedError('ROW constructor', this.source, e.span);
      case 'subscript':
        throw new UnsupportedError('subscript [...]', this.source, e.span);
      case 'fieldAccess':
        throw new UnsupportedError('field access on an expression', this.source, e.span);
      case 'namedArg':
        throw new UnsupportedError('named argument =>', this.source, e.span);
      case 'tableArg':
        throw new UnsupportedError('TABLE argument', this.source, e.span);
      case 'descriptor':
        throw new UnsupportedError('DESCRIPTOR', this.source, e.span);
      default: {
        const never: never = e;
        throw new Error(`unhandled expression ${JSON.stringify(never)}`);
      }
    }
  }

  private column(e: Extract<Expr, { kind: 'ident' }>): Rex {
    const parts = e.name.parts.map((p) => p.value);
    const name = parts[parts.length - 1] as string;
    const qualifier = parts.length >= 2 ? (parts[parts.length - 2] as string) : null;
    if (parts.length > 2) throw new UnsupportedError('field access on ROW columns', this.source, e.span);
    if (qualifier !== null && !this.scope.hasQualifier(qualifier)) {
      const cols = this.scope.lookup(qualifier, null);
      if (cols.length > 0) throw new UnsupportedError('field access on ROW columns', this.source, e.span);
      this.fail(`Table '${qualifier}' not found`, e.name.parts[0]?.span ?? e.span);
    }
    const found = this.scope.lookup(name, qualifier);
    if (found.length === 0) {
      const suggestion = closest(name, this.scope.names());
      this.fail(`Column '${name}' not found in ${qualifier === null ? 'any table' : `table '${qualifier}'`}`, e.span, suggestion ? `did you mean '${suggestion}'?` : undefined);
    }
    if (found.length > 1) this.fail(`Column '${name}' is ambiguous`, e.span);
    const c = found[0] as (typeof found)[number];
    return Rex.input(c.index, c.type);
  }

  private boolean(r: Rex, span: Span, what: string): Rex {
    if (r.type.kind === 'BOOLEAN') return r;
    if (r.type.kind === 'NULL') return Rex.literal(null, Types.BOOLEAN());
    return this.fail(`${what} requires a BOOLEAN operand, but got ${formatType(r.type)}`, span);
  }

  private string(r: Rex, span: Span, what: string): Rex {
    if (isCharacterString(r.type)) return r;
    if (r.type.kind === 'NULL') return Rex.literal(null, Types.STRING());
    return this.fail(`${what} requires a character string operand, but got ${formatType(r.type)}`, span);
  }

  /** Casts `r` to `t` unless it already has that type (ignoring nullability and time attributes). */
  private coerce(r: Rex, t: LogicalType): Rex {
    const same = formatType(withNullability(withoutTimeAttribute(r.type), true)) === formatType(withNullability(withoutTimeAttribute(t), true));
    if (same) return r;
    if (r.kind === 'literal' && r.value === null) return Rex.literal(null, withNullability(t, true));
    return Rex.cast(r, withNullability(t, r.type.nullable), false);
  }

  private compare(op: string, l: Expr, r: Expr, span: Span): Rex {
    const left = this.bind(l);
    const right = this.bind(r);
    const common = commonType([left.type, right.type]);
    if (common === null) {
      this.fail(`cannot compare ${formatType(left.type)} with ${formatType(right.type)}`, span);
    }
    const nullable = left.type.nullable || right.type.nullable;
    if (common.kind === 'NULL') return Rex.literal(null, Types.BOOLEAN());
    return Rex.call(COMPARISON[op] as Op, [this.coerce(left, common), this.coerce(right, common)], Types.BOOLEAN(nullable));
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>): Rex {
    if (e.op === 'AND' || e.op === 'OR') {
      const l = this.boolean(this.bind(e.left), e.left.span, e.op);
      const r = this.boolean(this.bind(e.right), e.right.span, e.op);
      return Rex.call(e.op, [l, r], Types.BOOLEAN(l.type.nullable || r.type.nullable));
    }
    if (COMPARISON[e.op] !== undefined) return this.compare(e.op, e.left, e.right, e.span);
    const left = this.bind(e.left);
    const right = this.bind(e.right);
    if (e.op === '||') {
      const l = this.string(left, e.left.span, "'||'");
      const r = this.string(right, e.right.span, "'||'");
      return Rex.call('CONCAT', [l, r], Types.STRING(l.type.nullable || r.type.nullable));
    }
    const op = ARITH[e.op] as 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD';
    // Timestamps move by day-time intervals (both in milliseconds); the result is no longer a time attribute.
    const isTs = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ';
    const isDayTime = (t: LogicalType): boolean => t.kind === 'INTERVAL' && t.family === 'DAY_TIME';
    if ((op === 'PLUS' || op === 'MINUS') && isTs(left.type) && isDayTime(right.type)) {
      return Rex.call(op, [left, right], withNullability(withoutTimeAttribute(left.type), left.type.nullable || right.type.nullable));
    }
    if (op === 'PLUS' && isDayTime(left.type) && isTs(right.type)) {
      return Rex.call(op, [right, left], withNullability(withoutTimeAttribute(right.type), left.type.nullable || right.type.nullable));
    }
    if (left.type.kind === 'INTERVAL' || right.type.kind === 'INTERVAL') {
      throw new UnsupportedError(`'${e.op}' between ${formatType(left.type)} and ${formatType(right.type)}`, this.source, e.span);
    }
    const type = arithmeticType(op, left.type.kind === 'NULL' ? right.type : left.type, right.type.kind === 'NULL' ? left.type : right.type);
    if (type === null) this.fail(`cannot apply '${e.op}' to ${formatType(left.type)} and ${formatType(right.type)}`, e.span);
    // Floating-point results compute on doubles: convert exact operands first.
    const operand = (r: Rex): Rex => (type.kind === 'DOUBLE' || type.kind === 'FLOAT' ? this.coerce(r, type) : r.type.kind === 'NULL' ? Rex.literal(null, type) : r);
    const intOnly = type.kind !== 'DECIMAL' && type.kind !== 'DOUBLE' && type.kind !== 'FLOAT';
    // Exact-integer operands are widened to the result type so the generated code sees one representation.
    const args = intOnly ? [this.coerce(left, type), this.coerce(right, type)] : [operand(left), operand(right)];
    return Rex.call(op, args, type);
  }

  private caseExpr(e: Extract<Expr, { kind: 'case' }>): Rex {
    const whens = e.whens.map((w) => {
      const cond =
        e.operand === null
          ? this.boolean(this.bind(w.when), w.when.span, 'WHEN')
          : this.compare('=', e.operand, w.when, w.when.span);
      return { cond, then: this.bind(w.then) };
    });
    const otherwise = e.otherwise === null ? null : this.bind(e.otherwise);
    const results = [...whens.map((w) => w.then.type), ...(otherwise ? [otherwise.type] : [])];
    const common = commonType(results);
    if (common === null) this.fail(`CASE branches have incompatible types: ${results.map(formatType).join(', ')}`, e.span);
    const nullable = otherwise === null || results.some((t) => t.nullable);
    const type = withNullability(withoutTimeAttribute(common.kind === 'NULL' ? Types.STRING() : common), nullable);
    const args: Rex[] = [];
    for (const w of whens) args.push(w.cond, this.coerce(w.then, type));
    if (otherwise !== null) args.push(this.coerce(otherwise, type));
    return Rex.call('CASE', args, type);
  }

  private call(e: Extract<Expr, { kind: 'call' }>): Rex {
    const name = e.name.parts.map((p) => p.value).join('.').toUpperCase();
    const fn = FUNCTIONS[name];
    if (fn === undefined) {
      const suggestion = closest(name, Object.keys(FUNCTIONS));
      this.fail(`No match found for function signature ${name}(...)`, e.name.span, suggestion ? `did you mean ${suggestion}?` : undefined);
    }
    if (e.star || e.distinct) throw new UnsupportedError(`${name}(${e.star ? '*' : 'DISTINCT ...'})`, this.source, e.span);
    const [min, max] = fn.arity;
    if (e.args.length < min || e.args.length > max) {
      this.fail(`${name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, got ${e.args.length}`, e.span);
    }
    const args = e.args.map((a) => this.bind(a));
    switch (fn.op) {
      case 'UPPER':
      case 'LOWER':
      case 'TRIM':
      case 'CHAR_LENGTH':
        return Rex.call(fn.op, [this.string(args[0] as Rex, (e.args[0] as Expr).span, name)], fn.type(args.map((a) => a.type), e.span));
      case 'ABS':
        if (!isNumeric((args[0] as Rex).type)) this.fail(`ABS requires a numeric argument, got ${formatType((args[0] as Rex).type)}`, e.span);
        return Rex.call('ABS', args, fn.type(args.map((a) => a.type), e.span));
      case 'MOD': {
        const [l, r] = args as [Rex, Rex];
        const type = arithmeticType('MOD', l.type, r.type);
        if (type === null || type.kind === 'DOUBLE' || type.kind === 'FLOAT') this.fail(`MOD requires exact numeric arguments, got ${formatType(l.type)} and ${formatType(r.type)}`, e.span);
        const coerced = type.kind === 'DECIMAL' ? [l, r] : [this.coerce(l, type), this.coerce(r, type)];
        return Rex.call('MOD', coerced, type);
      }
      case 'COALESCE': {
        const common = commonType(args.map((a) => a.type));
        if (common === null) this.fail(`COALESCE arguments have incompatible types: ${args.map((a) => formatType(a.type)).join(', ')}`, e.span);
        const type = withNullability(withoutTimeAttribute(common), args.every((a) => a.type.nullable));
        return Rex.call('COALESCE', args.map((a) => this.coerce(a, type)), type);
      }
      case 'CONCAT':
        args.forEach((a, i) => this.string(a, (e.args[i] as Expr).span, 'CONCAT'));
        return Rex.call('CONCAT', args, fn.type(args.map((a) => a.type), e.span));
      default:
        throw new Error(`function ${name} has no binding`);
    }
  }
}
