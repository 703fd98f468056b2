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
import { UnsupportedError, ValidationError, type CallSyntax, type Expr, type Span } from '../../parser/index.js';
import { closest } from '../../parser/index.js';
import { isAggregateName } from '../expr/aggregates.js';
import { FunctionRegistry } from '../expr/functions.js';
import { Rex, type Op } from '../expr/rex.js';
import { arithmeticType, castAllowed, commonType } from '../expr/typing.js';
import { toLogicalType } from '../types.js';
import { BUILTINS, FUNCTION_NAMES, bindExtract, bindItem, type CallContext } from './bind-functions.js';
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

/** Niladic functions Flink accepts without parentheses (`CURRENT_TIMESTAMP`), when no column has the name. */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'PI', 'CURRENT_ROW_TIMESTAMP']);

export class ExprBinder {
  constructor(
    private readonly scope: Scope,
    private readonly source: string,
    private readonly functions: FunctionRegistry = new FunctionRegistry(),
    /**
     * Called first for every expression: returns the Rex an expression stands for in this context (an aggregate
     * call or a GROUP BY expression above an aggregation, an OVER call), or null to bind it normally.
     */
    private readonly substitute: ((e: Expr) => Rex | null) | null = null,
  ) {}

  private fail(message: string, span: Span, hint?: string): never {
    throw new ValidationError(message, this.source, span, hint);
  }

  bind(e: Expr): Rex {
    if (this.substitute !== null) {
      const r = this.substitute(e);
      if (r !== null) return r;
    }
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
        if (!castAllowed(operand.type, target)) this.fail(`Cast function cannot convert value of type ${formatType(operand.type)} to type ${formatType(target)}`, e.span);
        const type = withNullability(target, e.safe || operand.type.nullable || target.nullable === false ? target.nullable || e.safe || operand.type.nullable : false);
        return Rex.cast(operand, type, e.safe);
      }
      case 'case':
        return this.caseExpr(e);
      case 'call':
        return this.call(e);
      case 'isBool': {
        // x IS TRUE ≡ x IS NOT NULL AND x (never NULL); IS UNKNOWN ≡ IS NULL.
        const what = `IS ${e.negated ? 'NOT ' : ''}${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'}`;
        const x = this.boolean(this.bind(e.operand), e.operand.span, what);
        const test =
          e.value === null
            ? Rex.call('IS_NULL', [x], Types.BOOLEAN(false))
            : Rex.call('AND', [Rex.call('IS_NOT_NULL', [x], Types.BOOLEAN(false)), e.value ? x : Rex.call('NOT', [x], x.type)], Types.BOOLEAN(false));
        return e.negated ? Rex.call('NOT', [test], test.type) : test;
      }
      case 'isDistinctFrom': {
        // NULL-safe inequality: two NULLs are not distinct, NULL and a value are.
        const ne = this.compare('<>', e.left, e.right, e.span);
        if (ne.kind !== 'call') return Rex.literal(e.negated, Types.BOOLEAN(false));
        const [a, b] = ne.args as [Rex, Rex];
        const bool = Types.BOOLEAN(false);
        const aNull = Rex.call('IS_NULL', [a], bool);
        const bNull = Rex.call('IS_NULL', [b], bool);
        const distinct = Rex.call(
          'CASE',
          [Rex.call('AND', [aNull, bNull], bool), Rex.literal(false, bool), Rex.call('OR', [aNull, bNull], bool), Rex.literal(true, bool), ne],
          bool,
        );
        return e.negated ? Rex.call('NOT', [distinct], bool) : distinct;
      }
      case 'inQuery':
        throw new UnsupportedError('IN (subquery)', this.source, e.span);
      case 'exists':
        throw new UnsupportedError('EXISTS (subquery)', this.source, e.span);
      case 'subquery':
        throw new UnsupportedError('scalar subquery', this.source, e.span);
      case 'similarTo':
        throw new UnsupportedError('SIMILAR TO', this.source, e.span);
      case 'filter':
        return this.fail('FILTER (WHERE ...) is only allowed on an aggregate function in a SELECT list or HAVING clause', e.span);
      case 'over':
        return this.fail('OVER windows are only allowed in the SELECT list', e.span);
      case 'extract':
        return bindExtract(this.context('EXTRACT', [e.operand], e.span), e.unit.toUpperCase(), this.bind(e.operand));
      case 'arrayCtor':
        return this.arrayCtor(e.elements, e.span);
      case 'mapCtor':
        return this.mapCtor(e.entries, e.span);
      case 'rowCtor': {
        // ROW(a, b) names its fields EXPR$0, EXPR$1, ... as Flink does.
        const fields = e.fields.map((f) => this.bind(f));
        const type = Types.ROW(fields.map((f, i) => ({ name: `EXPR$${i}`, type: withoutTimeAttribute(f.type.kind === 'NULL' ? Types.STRING() : f.type) })), false);
        return Rex.call('ROW_VALUE', fields.map((f) => (f.type.kind === 'NULL' ? Rex.literal(null, Types.STRING()) : f)), type);
      }
      case 'subscript':
        return bindItem(this.context('ITEM', [e.operand, e.index], e.span), this.bind(e.operand), this.bind(e.index));
      case 'fieldAccess':
        return this.field(this.bind(e.operand), e.field.value, e.field.span);
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

  /**
   * Resolves `col`, `t.col`, `col.field...` and `t.col.field...` as Flink (Calcite) does: a leading part that
   * names a table in scope is a qualifier, otherwise the first part is a column and the rest are ROW fields.
   */
  private column(e: Extract<Expr, { kind: 'ident' }>): Rex {
    const parts = e.name.parts.map((p) => p.value);
    const qualified = parts.length >= 2 && this.scope.hasQualifier(parts[0] as string);
    const qualifier = qualified ? (parts[0] as string) : null;
    const name = parts[qualified ? 1 : 0] as string;
    const fields = e.name.parts.slice(qualified ? 2 : 1);
    const found = this.scope.lookup(name, qualifier);
    if (found.length === 0) {
      if (parts.length === 1 && NILADIC.has(name.toUpperCase())) return this.callByName(name.toUpperCase(), [], e.span, e.span);
      if (parts.length >= 2 && !qualified && this.scope.lookup(name, null).length === 0) {
        this.fail(`Table '${name}' not found`, e.name.parts[0]?.span ?? e.span);
      }
      const suggestion = closest(name, this.scope.names());
      this.fail(`Column '${name}' not found in ${qualifier === null ? 'any table' : `table '${qualifier}'`}`, e.span, suggestion ? `did you mean '${suggestion}'?` : undefined);
    }
    if (found.length > 1) this.fail(`Column '${name}' is ambiguous`, e.span);
    const c = found[0] as (typeof found)[number];
    let r = Rex.input(c.index, c.type);
    for (const f of fields) r = this.field(r, f.value, f.span);
    return r;
  }

  /** ROW field access; the field is NULL when the row is. */
  private field(r: Rex, name: string, span: Span): Rex {
    const t = r.type;
    if (t.kind !== 'ROW') return this.fail(`cannot access field '${name}' of a value of type ${formatType(t)}`, span);
    const i = t.fields.findIndex((f) => f.name === name);
    if (i < 0) {
      const hint = closest(name, t.fields.map((f) => f.name));
      return this.fail(`Unknown field '${name}' in ${formatType(t)}`, span, hint ? `did you mean '${hint}'?` : undefined);
    }
    const ft = (t.fields[i] as { type: LogicalType }).type;
    return Rex.field(r, i, name, withNullability(ft, ft.nullable || t.nullable));
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
    const moved = this.temporalArithmetic(op, left, right);
    if (moved !== null) return moved;
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

  /**
   * Datetime ± interval: day-time intervals move by milliseconds (a DATE by whole days), year-month intervals by
   * calendar months (the day clamped to the month's end, as Flink); interval ± interval of one family.
   */
  private temporalArithmetic(op: 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD', left: Rex, right: Rex): Rex | null {
    if (op !== 'PLUS' && op !== 'MINUS') return null;
    const isInterval = (t: LogicalType): t is Extract<LogicalType, { kind: 'INTERVAL' }> => t.kind === 'INTERVAL';
    const isDatetime = (t: LogicalType): boolean => t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'DATE';
    let dt: Rex;
    let iv: Rex;
    if (isDatetime(left.type) && isInterval(right.type)) [dt, iv] = [left, right];
    else if (op === 'PLUS' && isInterval(left.type) && isDatetime(right.type)) [dt, iv] = [right, left];
    else if (isInterval(left.type) && isInterval(right.type) && left.type.family === right.type.family) {
      return Rex.call(op, [left, right], withNullability(left.type, left.type.nullable || right.type.nullable));
    } else return null;
    const nullable = dt.type.nullable || iv.type.nullable;
    const type = withNullability(withoutTimeAttribute(dt.type), nullable);
    if ((iv.type as Extract<LogicalType, { kind: 'INTERVAL' }>).family === 'YEAR_MONTH') {
      const months = op === 'MINUS' ? Rex.call('NEGATE', [iv], iv.type) : iv;
      return Rex.call('ADD_MONTHS', [dt, months], type);
    }
    return Rex.call(op, [dt, iv], type);
  }

  /** `ARRAY[a, b]`: the elements' common type; the array itself is never NULL. */
  private arrayCtor(elements: readonly Expr[], span: Span): Rex {
    const args = elements.map((x) => this.bind(x));
    const common = commonType(args.map((a) => a.type));
    if (common === null) this.fail(`ARRAY elements have incompatible types: ${args.map((a) => formatType(a.type)).join(', ')}`, span);
    const element = withNullability(withoutTimeAttribute(common.kind === 'NULL' ? Types.STRING() : common), args.some((a) => a.type.nullable));
    return Rex.call('ARRAY_VALUE', args.map((a) => this.coerce(a, element)), Types.ARRAY(element, false));
  }

  /** `MAP[k1, v1, k2, v2]`: keys and values each by their common type. */
  private mapCtor(entries: readonly { readonly key: Expr; readonly value: Expr }[], span: Span): Rex {
    const keys = entries.map((x) => this.bind(x.key));
    const values = entries.map((x) => this.bind(x.value));
    const kt = commonType(keys.map((k) => k.type));
    const vt = commonType(values.map((v) => v.type));
    if (kt === null || vt === null) this.fail('MAP keys or values have incompatible types', span);
    const key = withNullability(withoutTimeAttribute(kt.kind === 'NULL' ? Types.STRING() : kt), keys.some((k) => k.type.nullable));
    const value = withNullability(withoutTimeAttribute(vt.kind === 'NULL' ? Types.STRING() : vt), values.some((v) => v.type.nullable));
    const args = keys.flatMap((k, i) => [this.coerce(k, key), this.coerce(values[i] as Rex, value)]);
    return Rex.call('MAP_VALUE', args, Types.MAP(key, value, false));
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
    if ((isAggregateName(name) && this.functions.get(name) === undefined) || this.functions.getAggregate(name) !== undefined) {
      this.fail(`aggregate function ${name} is not allowed here (only in the SELECT list and HAVING of a query, and not nested in another aggregate)`, e.span);
    }
    if (e.star || e.distinct) throw new UnsupportedError(`${name}(${e.star ? '*' : 'DISTINCT ...'})`, this.source, e.span);
    return this.callByName(name, e.args, e.span, e.name.span, e.syntax);
  }

  /** A call by name: user-defined functions first (they shadow built-ins, as temporary system functions do). */
  private callByName(name: string, raw: readonly Expr[], span: Span, nameSpan: Span, syntax?: CallSyntax): Rex {
    const udf = this.functions.get(name);
    if (udf !== undefined) {
      const args = raw.map((a) => this.bind(a));
      const declared = udf.argTypes;
      if (declared !== undefined) {
        if (declared.length !== args.length) this.fail(`${name} takes ${declared.length} argument${declared.length === 1 ? '' : 's'}, got ${args.length}`, span);
        args.forEach((a, i) => {
          const want = declared[i] as LogicalType;
          if (a.type.kind !== 'NULL' && commonType([a.type, want]) === null) {
            this.fail(`${name} argument ${i + 1} must be ${formatType(want)}, but got ${formatType(a.type)}`, (raw[i] as Expr).span);
          }
        });
      }
      const coerced = declared === undefined ? args : args.map((a, i) => this.coerce(a, declared[i] as LogicalType));
      return Rex.udf(udf, coerced, udf.resultType);
    }
    if (this.functions.getTable(name) !== undefined)
      this.fail(`${name} is a table function: call it in FROM as LATERAL TABLE(${name}(...))`, span);
    const fn = BUILTINS[name];
    if (fn === undefined) {
      const suggestion = closest(name, [...FUNCTION_NAMES, ...this.functions.names()]);
      this.fail(`No match found for function signature ${name}(...)`, nameSpan, suggestion ? `did you mean ${suggestion}?` : undefined);
    }
    const [min, max] = fn.arity;
    if (raw.length < min || raw.length > max) {
      const count = min === max ? `${min}` : max === 1000 ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`${name} takes ${count} argument${(max === 1000 ? min : max) === 1 ? '' : 's'}, got ${raw.length}`, span);
    }
    return fn.bind(this.context(name, raw, span, syntax));
  }

  private context(name: string, raw: readonly Expr[], span: Span, syntax?: CallSyntax): CallContext {
    const bound = new Map<number, Rex>();
    return {
      ...(syntax !== undefined ? { syntax } : {}),
      name,
      span,
      raw,
      arg: (i) => {
        let r = bound.get(i);
        if (r === undefined) {
          r = this.bind(raw[i] as Expr);
          bound.set(i, r);
        }
        return r;
      },
      fail: (message, at) => this.fail(message, at ?? span),
      coerce: (r, t) => this.coerce(r, t),
    };
  }
}
