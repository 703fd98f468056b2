// Compiles a Calc (optional filter, then projections) into one JavaScript function over column arrays.
// The generated loop reads typed arrays directly, evaluates every expression inline with explicit null flags,
// and writes typed output arrays: no per-row objects, no closures. Literals reach the code through the
// constants array `K`, never as spliced text. BIGINT/DECIMAL run on exact doubles; a result that leaves the
// safe-integer range throws WIDEN and the batch is re-run by a BigInt variant compiled for it.
import {
  takeColumn,
  formatType,
  type Column,
  type ColumnKind,
  type LogicalType,
  type RecordBatch,
  type Schema,
  type BatchFunction,
} from '../../executor/index.js';
import type { Rex } from '../expr/rex.js';
import { asDecimal } from '../expr/typing.js';
import { H, WidenSignal } from './helpers.js';

type Mode = 'num' | 'big';

interface Code {
  /** JS expression (usually a local name) of the value; meaningless when null. */
  v: string;
  /** JS expression that is true when the value is NULL ('false' when it cannot be). */
  n: string;
}

/** Whether a type's values use the exact-integer representation switched by the mode. */
function isExactWide(t: LogicalType): boolean {
  return t.kind === 'BIGINT' || t.kind === 'DECIMAL';
}

class Gen {
  private lines: string[] = [];
  private counter = 0;
  readonly consts: unknown[] = [];
  readonly usedInputs = new Set<number>();

  constructor(
    private readonly mode: Mode,
    private readonly inputKinds: readonly ColumnKind[],
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  emit(line: string): void {
    this.lines.push(line);
  }

  take(): string[] {
    const out = this.lines;
    this.lines = [];
    return out;
  }

  constant(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }

  expr(r: Rex): Code {
    switch (r.kind) {
      case 'input':
        return this.input(r.index, r.type);
      case 'literal': {
        if (r.value === null) return { v: '0', n: 'true' };
        let v: unknown = r.value;
        if (isExactWide(r.type)) v = this.mode === 'big' ? BigInt(v as bigint) : Number(v as bigint);
        return { v: this.constant(v), n: 'false' };
      }
      case 'cast':
        return this.cast(r.operand, r.type, r.safe);
      case 'call':
        return this.call(r);
    }
  }

  private input(index: number, type: LogicalType): Code {
    this.usedInputs.add(index);
    const kind = this.inputKinds[index];
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`const ${n} = iv${index} !== null && ((iv${index}[i >>> 3] >>> (i & 7)) & 1) === 0;`);
    switch (kind) {
      case 'bool':
        this.emit(`const ${v} = in${index}[i] !== 0;`);
        break;
      case 'f64':
        this.emit(`const ${v} = ${isExactWide(type) && this.mode === 'big' ? `BigInt(in${index}[i])` : `in${index}[i]`};`);
        break;
      case 'i64':
      case 'big':
        if (this.mode !== 'big') throw new Error('wide column read in exact-double mode');
        this.emit(`const ${v} = in${index}[i];`);
        break;
      case 'i8':
      case 'i16':
      case 'i32':
      case 'f32':
      case 'str':
      case 'bin':
        this.emit(`const ${v} = in${index}[i];`);
        break;
      default:
        throw new CodegenUnsupported(`expressions over ${formatType(type)} values`);
    }
    return { v, n };
  }

  /** A null-propagating operator: NULL if any argument is NULL, else `body` over the argument values. */
  private strict(args: Code[], body: (vs: string[]) => string, zero = '0'): Code {
    const n = args.map((a) => a.n).filter((x) => x !== 'false');
    const nn = this.fresh('n');
    const v = this.fresh('v');
    this.emit(`const ${nn} = ${n.length === 0 ? 'false' : n.join(' || ')};`);
    this.emit(`const ${v} = ${nn} ? ${zero} : ${body(args.map((a) => a.v))};`);
    return { v, n: nn };
  }

  private call(r: Extract<Rex, { kind: 'call' }>): Code {
    const t = r.type;
    switch (r.op) {
      case 'AND':
      case 'OR':
        return this.logic(r.op, r.args.map((a) => this.expr(a)));
      case 'NOT':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `!${a}`, 'false');
      case 'IS_NULL':
      case 'IS_NOT_NULL': {
        const a = this.expr(r.args[0] as Rex);
        const v = this.fresh('v');
        this.emit(`const ${v} = ${r.op === 'IS_NULL' ? '' : '!'}(${a.n});`);
        return { v, n: 'false' };
      }
      case 'EQUALS':
      case 'NOT_EQUALS':
      case 'LESS_THAN':
      case 'LESS_THAN_OR_EQUAL':
      case 'GREATER_THAN':
      case 'GREATER_THAN_OR_EQUAL': {
        const js = { EQUALS: '===', NOT_EQUALS: '!==', LESS_THAN: '<', LESS_THAN_OR_EQUAL: '<=', GREATER_THAN: '>', GREATER_THAN_OR_EQUAL: '>=' }[r.op];
        const args = r.args.map((a) => this.expr(a));
        return this.strict(args, ([a, b]) => `(${a} ${js} ${b})`, 'false');
      }
      case 'PLUS':
      case 'MINUS':
      case 'TIMES':
      case 'DIVIDE':
      case 'MOD':
        return this.arithmetic(r.op, r.args[0] as Rex, r.args[1] as Rex, t);
      case 'NEGATE': {
        const a = this.expr(r.args[0] as Rex);
        if (t.kind === 'INT') return this.strict([a], ([x]) => `(-${x} | 0)`);
        if (isExactWide(t) && this.mode === 'big') return this.strict([a], ([x]) => `H.wrap64(-${x})`, '0n');
        return this.strict([a], ([x]) => `(-${x})`);
      }
      case 'CONCAT':
        return this.strict(r.args.map((a) => this.expr(a)), (vs) => `(${vs.join(' + ')})`, "''");
      case 'UPPER':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `${a}.toUpperCase()`, "''");
      case 'LOWER':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `${a}.toLowerCase()`, "''");
      case 'TRIM':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `H.trim(${a})`, "''");
      case 'CHAR_LENGTH':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `H.charLength(${a})`);
      case 'ABS': {
        const a = this.expr(r.args[0] as Rex);
        if (isExactWide(t) && this.mode === 'big') return this.strict([a], ([x]) => `(${x} < 0n ? -${x} : ${x})`, '0n');
        return this.strict([a], ([x]) => `Math.abs(${x})`);
      }
      case 'LIKE': {
        const args = r.args.map((a) => this.expr(a));
        return this.strict(args, ([s, p, e]) => `H.like(${s}, ${p}, ${e ?? 'null'})`, 'false');
      }
      case 'CASE':
        return this.caseWhen(r.args, t);
      case 'COALESCE': {
        const v = this.fresh('v');
        const n = this.fresh('n');
        this.emit(`let ${v} = ${this.zeroOf(t)}; let ${n} = true;`);
        for (const arg of r.args) {
          this.emit(`if (${n}) {`);
          const a = this.expr(arg);
          this.emit(`if (!(${a.n})) { ${v} = ${a.v}; ${n} = false; }`);
          this.emit('}');
        }
        return { v, n };
      }
    }
  }

  private zeroOf(t: LogicalType): string {
    if (t.kind === 'BOOLEAN') return 'false';
    if (t.kind === 'VARCHAR' || t.kind === 'CHAR') return "''";
    if (isExactWide(t) && this.mode === 'big') return '0n';
    return '0';
  }

  /** SQL three-valued AND/OR: FALSE AND NULL is FALSE, TRUE OR NULL is TRUE. */
  private logic(op: 'AND' | 'OR', args: Code[]): Code {
    const v = this.fresh('v');
    const n = this.fresh('n');
    const decisive = op === 'AND' ? 'false' : 'true';
    this.emit(`let ${v} = ${op === 'AND' ? 'true' : 'false'}; let ${n} = false;`);
    for (const a of args) {
      this.emit(`if (${a.n}) ${n} = true; else if (${a.v} === ${decisive}) { ${v} = ${decisive}; }`);
    }
    this.emit(`if (${v} === ${decisive}) ${n} = false;`);
    return { v, n };
  }

  private caseWhen(args: readonly Rex[], t: LogicalType): Code {
    // args: when1, then1, when2, then2, ..., else
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`let ${v} = ${this.zeroOf(t)}; let ${n} = true;`);
    let open = 0;
    for (let k = 0; k + 1 < args.length; k += 2) {
      const w = this.expr(args[k] as Rex);
      this.emit(`if (!(${w.n}) && ${w.v} === true) {`);
      const th = this.expr(args[k + 1] as Rex);
      this.emit(`${v} = ${th.v}; ${n} = ${th.n};`);
      this.emit('} else {');
      open++;
    }
    if (args.length % 2 === 1) {
      const e = this.expr(args[args.length - 1] as Rex);
      this.emit(`${v} = ${e.v}; ${n} = ${e.n};`);
    }
    this.emit('}'.repeat(open));
    return { v, n };
  }

  private arithmetic(op: 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD', l: Rex, r: Rex, t: LogicalType): Code {
    const js = { PLUS: '+', MINUS: '-', TIMES: '*', DIVIDE: '/', MOD: '%' }[op];
    if (t.kind === 'DOUBLE' || t.kind === 'FLOAT') {
      const a = this.expr(l);
      const b = this.expr(r);
      const f = t.kind === 'FLOAT' ? 'Math.fround' : '';
      // Numeric operands that are exact-wide in big mode arrive as bigint: the binder casts them first.
      return this.strict([a, b], ([x, y]) => `${f}(${x} ${js} ${y})`);
    }
    if (t.kind === 'DECIMAL') return this.decimalArithmetic(op, l, r, t);
    const a = this.expr(l);
    const b = this.expr(r);
    if (t.kind === 'BIGINT') {
      if (this.mode === 'big') {
        if (op === 'DIVIDE' || op === 'MOD') return this.strict([a, b], ([x, y]) => `(${y} === 0n ? H.divZero() : H.wrap64(${x} ${js} ${y}))`, '0n');
        return this.strict([a, b], ([x, y]) => `H.wrap64(${x} ${js} ${y})`, '0n');
      }
      const res = this.strict([a, b], ([x, y]) => {
        if (op === 'DIVIDE') return `(${y} === 0 ? H.divZero() : (${x} - ${x} % ${y}) / ${y})`;
        if (op === 'MOD') return `(${y} === 0 ? H.divZero() : ${x} % ${y})`;
        return `(${x} ${js} ${y})`;
      });
      this.emit(`if (!${res.n} && !Number.isSafeInteger(${res.v})) throw H.WIDEN;`);
      return res;
    }
    // TINYINT, SMALLINT, INT wrap around like Java's int arithmetic (Flink's generated code is Java).
    const bits = t.kind === 'TINYINT' ? 24 : t.kind === 'SMALLINT' ? 16 : 0;
    const wrap = (e: string): string => (bits === 0 ? `(${e} | 0)` : `((${e} << ${bits}) >> ${bits})`);
    return this.strict([a, b], ([x, y]) => {
      if (op === 'TIMES') return wrap(`Math.imul(${x}, ${y})`);
      if (op === 'DIVIDE') return `(${y} === 0 ? H.divZero() : ${wrap(`${x} / ${y}`)})`;
      if (op === 'MOD') return `(${y} === 0 ? H.divZero() : ${x} % ${y})`;
      return wrap(`${x} ${js} ${y}`);
    });
  }

  private decimalArithmetic(op: 'PLUS' | 'MINUS' | 'TIMES' | 'DIVIDE' | 'MOD', l: Rex, r: Rex, t: Extract<LogicalType, { kind: 'DECIMAL' }>): Code {
    const sl = (asDecimal(l.type) as { scale: number }).scale;
    const sr = (asDecimal(r.type) as { scale: number }).scale;
    const a = this.expr(l);
    const b = this.expr(r);
    const big = this.mode === 'big';
    const resc = big ? 'H.rescaleBig' : 'H.rescaleNum';
    const toWide = (x: string, from: LogicalType): string => (big && !isExactWide(from) ? `BigInt(${x})` : x);
    let res: Code;
    switch (op) {
      case 'PLUS':
      case 'MINUS': {
        const s = Math.max(sl, sr);
        const js = op === 'PLUS' ? '+' : '-';
        res = this.strict([a, b], ([x, y]) => `${resc}(${resc}(${toWide(x as string, l.type)}, ${s - sl}) ${js} ${resc}(${toWide(y as string, r.type)}, ${s - sr}), ${t.scale - s})`, big ? '0n' : '0');
        break;
      }
      case 'TIMES':
        res = this.strict([a, b], ([x, y]) => `${resc}(${toWide(x as string, l.type)} * ${toWide(y as string, r.type)}, ${t.scale - sl - sr})`, big ? '0n' : '0');
        break;
      case 'DIVIDE':
      case 'MOD': {
        if (!big) throw new WidenSignal(); // division needs BigInt precision: always compiled in big mode
        if (op === 'DIVIDE') {
          res = this.strict([a, b], ([x, y]) => `H.decDiv(${toWide(x as string, l.type)}, ${sl}, ${toWide(y as string, r.type)}, ${sr}, ${t.scale})`, '0n');
        } else {
          const s = Math.max(sl, sr);
          res = this.strict(
            [a, b],
            ([x, y]) => `((d) => d === 0n ? H.divZero() : H.rescaleBig(${toWide(x as string, l.type)}, ${s - sl}) % d)(H.rescaleBig(${toWide(y as string, r.type)}, ${s - sr}))`,
            '0n',
          );
        }
        break;
      }
    }
    if (!big) this.emit(`if (!${res.n} && !Number.isSafeInteger(${res.v})) throw H.WIDEN;`);
    return res;
  }

  private cast(operand: Rex, to: LogicalType, safe: boolean): Code {
    const from = operand.type;
    const a = this.expr(operand);
    if (formatType({ ...from, nullable: true } as LogicalType) === formatType({ ...to, nullable: true } as LogicalType)) return a;
    // Cheap numeric widenings inline; everything else through H.cast.
    const intLike = (k: string): boolean => k === 'TINYINT' || k === 'SMALLINT' || k === 'INT';
    if ((to.kind === 'DOUBLE' || to.kind === 'FLOAT') && (intLike(from.kind) || from.kind === 'DOUBLE' || from.kind === 'FLOAT' || (from.kind === 'BIGINT' && this.mode === 'num'))) {
      return this.strict([a], ([x]) => (to.kind === 'FLOAT' ? `Math.fround(${x})` : `${x}`));
    }
    if (intLike(from.kind) && to.kind === 'BIGINT') return this.strict([a], ([x]) => (this.mode === 'big' ? `BigInt(${x})` : `${x}`), this.zeroOf(to));
    const f = this.constant(from);
    const tt = this.constant(to);
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`let ${v} = ${this.zeroOf(to)}; let ${n} = ${a.n};`);
    const call = `H.cast(${a.v}, ${f}, ${tt}, ${this.mode === 'big'})`;
    if (safe) {
      this.emit(`if (!${n}) { try { const c = ${call}; if (c === null) ${n} = true; else ${v} = c; } catch (e) { if (e === H.WIDEN) throw e; ${n} = true; } }`);
    } else {
      this.emit(`if (!${n}) { const c = ${call}; if (c === null) ${n} = true; else ${v} = c; }`);
    }
    return { v, n };
  }
}

/** An expression shape the generator does not compile yet; the planner reports it as unsupported. */
export class CodegenUnsupported extends Error {
  constructor(readonly feature: string) {
    super(`${feature} are not supported in projections and filters yet`);
  }
}

/** The typed-array constructor for an output of a type in a mode; null for object-array outputs. */
function outputArray(t: LogicalType, mode: Mode): string {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'new Uint8Array(m)';
    case 'TINYINT':
      return 'new Int8Array(m)';
    case 'SMALLINT':
      return 'new Int16Array(m)';
    case 'INT':
    case 'DATE':
    case 'TIME':
      return 'new Int32Array(m)';
    case 'FLOAT':
      return 'new Float32Array(m)';
    case 'BIGINT':
      return mode === 'big' ? 'new BigInt64Array(m)' : 'new Float64Array(m)';
    case 'DECIMAL':
      return mode === 'big' ? 'new Array(m).fill(0n)' : 'new Float64Array(m)';
    case 'DOUBLE':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'new Float64Array(m)';
    case 'INTERVAL':
      return t.family === 'YEAR_MONTH' ? 'new Int32Array(m)' : 'new Float64Array(m)';
    case 'CHAR':
    case 'VARCHAR':
      return "new Array(m).fill('')";
    default:
      throw new CodegenUnsupported(`computed values of type ${formatType(t)}`);
  }
}

function outputKind(t: LogicalType, mode: Mode): ColumnKind {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'bool';
    case 'TINYINT':
      return 'i8';
    case 'SMALLINT':
      return 'i16';
    case 'INT':
    case 'DATE':
    case 'TIME':
      return 'i32';
    case 'FLOAT':
      return 'f32';
    case 'BIGINT':
      return mode === 'big' ? 'i64' : 'f64';
    case 'DECIMAL':
      return mode === 'big' ? 'big' : 'f64';
    case 'INTERVAL':
      return t.family === 'YEAR_MONTH' ? 'i32' : 'f64';
    case 'CHAR':
    case 'VARCHAR':
      return 'str';
    default:
      return 'f64';
  }
}

type Compiled = (batch: RecordBatch, K: readonly unknown[], H: unknown) => RecordBatch;

export interface CalcSpec {
  readonly inputSchema: Schema;
  readonly outputSchema: Schema;
  readonly projections: readonly Rex[];
  readonly condition: Rex | null;
}

/**
 * Compiles a Calc. Variants are specialised by the input column kinds of each batch (exact-double vs wide
 * BIGINT/DECIMAL) and cached; a batch whose arithmetic leaves the exact range is re-run in BigInt mode.
 */
export function compileCalc(spec: CalcSpec): BatchFunction {
  const cache = new Map<string, { fn: Compiled; consts: unknown[] }>();
  const variant = (kinds: ColumnKind[], mode: Mode): { fn: Compiled; consts: unknown[] } => {
    const key = `${mode}:${kinds.join(',')}`;
    let c = cache.get(key);
    if (c === undefined) {
      c = generate(spec, kinds, mode);
      cache.set(key, c);
    }
    return c;
  };
  const hasWideInput = (kinds: ColumnKind[]): boolean => kinds.some((k) => k === 'i64' || k === 'big');
  return (batch: RecordBatch): RecordBatch | null => {
    const kinds = batch.columns.map((c) => c.kind);
    const mode: Mode = hasWideInput(kinds) ? 'big' : 'num';
    try {
      const v = variant(kinds, mode);
      return v.fn(batch, v.consts, H);
    } catch (e) {
      if (!(e instanceof WidenSignal) || mode === 'big') throw e;
      const v = variant(kinds, 'big');
      return v.fn(batch, v.consts, H);
    }
  };
}

function generate(spec: CalcSpec, kinds: ColumnKind[], mode: Mode): { fn: Compiled; consts: unknown[] } {
  const g = new Gen(mode, kinds);
  const body: string[] = [];
  body.push('const n = batch.length; const cols = batch.columns;');
  // Filter pass: the selection vector of rows whose condition is TRUE (NULL and FALSE drop the row).
  let filterLines: string[] = [];
  if (spec.condition !== null) {
    const c = g.expr(spec.condition);
    filterLines = g.take();
    filterLines.push(`if (!(${c.n}) && ${c.v} === true) sel[m++] = i;`);
  }
  // Projection pass: passthrough columns are taken (or reused), computed ones are generated.
  const outDecl: string[] = [];
  const rowLines: string[] = [];
  const outCols: string[] = [];
  const passthrough: Array<{ out: number; input: number }> = [];
  spec.projections.forEach((p, o) => {
    if (p.kind === 'input') {
      passthrough.push({ out: o, input: p.index });
      outCols.push('null');
      return;
    }
    const code = g.expr(p);
    rowLines.push(...g.take());
    outDecl.push(`const o${o} = ${outputArray(p.type, mode)}; let ov${o} = null;`);
    rowLines.push(`if (${code.n}) { if (ov${o} === null) ov${o} = H.allValid(m); ov${o}[j >>> 3] &= ~(1 << (j & 7)); } else o${o}[j] = ${p.type.kind === 'BOOLEAN' ? `${code.v} ? 1 : 0` : code.v};`);
    outCols.push(`{ kind: '${outputKind(p.type, mode)}', values: o${o}, validity: ov${o} }`);
  });
  for (const i of g.usedInputs) body.push(`const in${i} = cols[${i}].values; const iv${i} = cols[${i}].validity;`);
  if (spec.condition !== null) {
    body.push('const sel = new Int32Array(n); let m = 0;');
    body.push('for (let i = 0; i < n; i++) {', ...filterLines, '}');
  } else {
    body.push('const sel = null; const m = n;');
  }
  body.push(...outDecl);
  if (rowLines.length > 0) {
    body.push('for (let j = 0; j < m; j++) {', 'const i = sel === null ? j : sel[j];', ...rowLines, '}');
  }
  body.push(`return { sel, m, cols: [${outCols.join(', ')}] };`);
  const source = body.join('\n');
  type Inner = (batch: RecordBatch, K: readonly unknown[], H: unknown) => { sel: Int32Array | null; m: number; cols: Array<Column | null> };
  let inner: Inner;
  try {
    inner = new Function('batch', 'K', 'H', source) as Inner;
  } catch (e) {
    throw new Error(`internal error: generated Calc code does not compile (${(e as Error).message})\n${source}`);
  }
  const { inputSchema, outputSchema } = spec;
  // Passthrough columns are reused as they are when no row was dropped, gathered by the selection otherwise.
  const fn: Compiled = (batch, K) => {
    const { sel, m, cols } = inner(batch, K, H);
    let kinds = batch.kinds;
    if (sel !== null && m !== batch.length) {
      kinds = new Uint8Array(m);
      for (let j = 0; j < m; j++) kinds[j] = batch.kinds[sel[j] as number] as number;
      for (const p of passthrough) cols[p.out] = takeColumn(batch.columns[p.input] as Column, inputSchema.field(p.input).type, sel, m);
    } else {
      for (const p of passthrough) cols[p.out] = batch.columns[p.input] as Column;
    }
    return H.makeBatch(outputSchema, cols as Column[], m, kinds);
  };
  return { fn, consts: g.consts };
}
