// Compiles a Calc (optional filter, then projections) into one JavaScript function over column arrays.
// The generated loop reads typed arrays directly, evaluates every expression inline with explicit null flags,
// and writes typed output arrays: no per-row objects, no closures. Literals reach the code through the
// constants array `K`, never as spliced text. BIGINT/DECIMAL run on exact doubles; a result that leaves the
// safe-integer range throws WIDEN and the batch is re-run by a BigInt variant compiled for it. Fields of ROW
// inputs are read straight from the struct's child columns; only a nested value that is used whole (passed to a
// function, cast, computed) is materialized as a per-row object.
import {
  Types,
  hasNanos,
  takeColumn,
  formatType,
  type Column,
  type ColumnKind,
  type LogicalType,
  type RecordBatch,
  type Schema,
  type BatchFunction,
} from '../../executor/index.js';
import type { Op, Rex } from '../expr/rex.js';
import { asDecimal } from '../expr/typing.js';
import { JavaRandom } from './functions.js';
import { H, WidenSignal } from './helpers.js';

type Mode = 'num' | 'big';

/** The physical layout of an input column including the children of ROW columns (they vary per batch too). */
export interface KindTree {
  readonly kind: ColumnKind;
  readonly children: readonly KindTree[];
}

function kindTree(c: Column): KindTree {
  return { kind: c.kind, children: c.kind === 'struct' ? c.children.map(kindTree) : [] };
}

function kindKey(k: KindTree): string {
  return k.children.length === 0 ? k.kind : `${k.kind}(${k.children.map(kindKey).join(',')})`;
}

function hasWide(k: KindTree): boolean {
  return k.kind === 'i64' || k.kind === 'big' || k.children.some(hasWide);
}

/** Values of these types are objects in generated code (materialized nested values). */
function isNested(t: LogicalType): boolean {
  return t.kind === 'ROW' || t.kind === 'ARRAY' || t.kind === 'MAP';
}

/** Built-ins compiled to one call of a runtime function in H.F, NULL in → NULL out (and NULL when it returns null). */
const RUNTIME: Partial<Record<Op, { fn: keyof typeof H.F; nullable: boolean }>> = {
  LTRIM: { fn: 'ltrim', nullable: false },
  RTRIM: { fn: 'rtrim', nullable: false },
  INITCAP: { fn: 'initcap', nullable: false },
  REVERSE: { fn: 'reverse', nullable: false },
  MD5: { fn: 'md5', nullable: false },
  SHA256: { fn: 'sha256', nullable: false },
  ASCII: { fn: 'ascii', nullable: false },
  CHR: { fn: 'chr', nullable: false },
  SUBSTRING: { fn: 'substring', nullable: true },
  POSITION: { fn: 'position', nullable: false },
  REPLACE: { fn: 'replace', nullable: false },
  OVERLAY: { fn: 'overlay', nullable: false },
  FLOOR_TO: { fn: 'floorTo', nullable: false },
  CEIL_TO: { fn: 'ceilTo', nullable: false },
  REGEXP: { fn: 'regexp', nullable: true },
  REGEXP_REPLACE: { fn: 'regexpReplace', nullable: true },
  REGEXP_EXTRACT: { fn: 'regexpExtract', nullable: true },
  SPLIT_INDEX: { fn: 'splitIndex', nullable: true },
  LPAD: { fn: 'lpad', nullable: true },
  RPAD: { fn: 'rpad', nullable: true },
  REPEAT: { fn: 'repeat', nullable: false },
  LEFT: { fn: 'left', nullable: false },
  RIGHT: { fn: 'right', nullable: false },
  EXTRACT: { fn: 'extract', nullable: false },
  DATE_FORMAT: { fn: 'dateFormat', nullable: false },
  TO_TIMESTAMP: { fn: 'toTimestamp', nullable: true },
  TO_DATE: { fn: 'toDate', nullable: true },
  TO_TIMESTAMP_LTZ: { fn: 'toTimestampLtz', nullable: false },
  UNIX_TIMESTAMP: { fn: 'unixTimestamp', nullable: false },
  FROM_UNIXTIME: { fn: 'fromUnixtime', nullable: false },
  TIMESTAMPDIFF: { fn: 'timestampDiff', nullable: false },
  JSON_VALUE: { fn: 'jsonValue', nullable: true },
  JSON_QUERY: { fn: 'jsonQuery', nullable: true },
  JSON_EXISTS: { fn: 'jsonExists', nullable: false },
};

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
  /** Setup lines per column path read by the code (`3` = input 3, `3.1` = its field 1), run once per batch. */
  readonly columns = new Map<string, string[]>();

  constructor(
    private readonly mode: Mode,
    private readonly inputKinds: readonly KindTree[],
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
        return this.readColumn([r.index], r.type);
      case 'literal': {
        if (r.value === null) return { v: this.zeroOf(r.type), n: 'true' };
        let v: unknown = r.value;
        if (isExactWide(r.type)) v = this.mode === 'big' ? BigInt(v as bigint) : Number(v as bigint);
        else if (hasNanos(r.type) && typeof v === 'bigint') v = H.fromValue(v, r.type, false);
        return { v: this.constant(v), n: 'false' };
      }
      case 'cast':
        return this.cast(r.operand, r.type, r.safe);
      case 'field':
        return this.field(r);
      case 'udf':
        return this.udf(r);
      case 'call':
        return this.call(r);
    }
  }

  /** The kind tree of a column path, or null when the path goes through a non-struct column. */
  private kindAt(path: readonly number[]): KindTree | null {
    let k: KindTree | undefined = this.inputKinds[path[0] as number];
    for (const f of path.slice(1)) {
      if (k?.kind !== 'struct') return null;
      k = k.children[f];
    }
    return k ?? null;
  }

  /** Reads the cell of row `i` of an input column or of a (nested) struct child column, without materializing. */
  private readColumn(path: readonly number[], type: LogicalType): Code {
    const key = path.join('_');
    const kind = this.kindAt(path);
    if (kind === null) throw new Error(`internal error: no column at path ${path.join('.')}`);
    if (!this.columns.has(key)) {
      const access = `cols[${path[0]}]` + path.slice(1).map((f) => `.children[${f}]`).join('');
      const setup = [`const c${key} = ${access}; const iv${key} = c${key}.validity;`];
      if (kind.kind !== 'struct' && kind.kind !== 'list' && kind.kind !== 'map') setup.push(`const in${key} = c${key}.values;`);
      this.columns.set(key, setup);
    }
    // A struct child is NULL when it or any enclosing struct is NULL.
    const nulls: string[] = [];
    for (let d = 1; d <= path.length; d++) {
      const k = path.slice(0, d).join('_');
      if (!this.columns.has(k)) this.columns.set(k, [`const c${k} = cols[${path[0]}]${path.slice(1, d).map((f) => `.children[${f}]`).join('')}; const iv${k} = c${k}.validity;`]);
      nulls.push(`(iv${k} !== null && ((iv${k}[i >>> 3] >>> (i & 7)) & 1) === 0)`);
    }
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`const ${n} = ${nulls.join(' || ')};`);
    switch (kind.kind) {
      case 'bool':
        this.emit(`const ${v} = in${key}[i] !== 0;`);
        break;
      case 'f64':
        this.emit(`const ${v} = ${isExactWide(type) && this.mode === 'big' ? `BigInt(in${key}[i])` : `in${key}[i]`};`);
        break;
      case 'i64':
      case 'big':
        if (this.mode !== 'big') throw new Error('wide column read in exact-double mode');
        this.emit(`const ${v} = in${key}[i];`);
        break;
      case 'i8':
      case 'i16':
      case 'i32':
      case 'f32':
      case 'str':
      case 'bin':
      case 'ts':
        // TIMESTAMP(p > 3) is computed on its epoch milliseconds.
        this.emit(`const ${v} = in${key}[i];`);
        break;
      case 'struct':
      case 'list':
      case 'map':
        this.emit(`const ${v} = ${n} ? null : H.getValue(c${key}, ${this.constant(type)}, i);`);
        break;
    }
    return { v, n };
  }

  /** The input column path of a chain of field accesses over struct columns, or null. */
  private columnPath(r: Rex): number[] | null {
    if (r.kind === 'input') return this.inputKinds[r.index]?.kind === 'struct' || r.type.kind !== 'ROW' ? [r.index] : null;
    if (r.kind !== 'field') return null;
    const p = this.columnPath(r.operand);
    if (p === null || this.kindAt(p)?.kind !== 'struct') return null;
    return [...p, r.index];
  }

  private field(r: Extract<Rex, { kind: 'field' }>): Code {
    const path = this.columnPath(r);
    if (path !== null) return this.readColumn(path, r.type);
    const row = this.expr(r.operand);
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`const ${v}r = ${row.n} ? null : ${row.v}[${r.index}];`);
    this.emit(`const ${n} = ${v}r === null || ${v}r === undefined;`);
    this.emit(`const ${v} = ${n} ? ${this.zeroOf(r.type)} : ${this.fromValueCode(`${v}r`, r.type)};`);
    return { v, n };
  }

  /** JS expression converting a Value to the codegen representation of `t`. */
  private fromValueCode(x: string, t: LogicalType): string {
    if (isExactWide(t) || hasNanos(t)) return `H.fromValue(${x}, ${this.constant(t)}, ${this.mode === 'big'})`;
    return x;
  }

  private toValueCode(x: string, t: LogicalType): string {
    if (isExactWide(t)) return this.mode === 'big' ? x : `BigInt(${x})`;
    if (hasNanos(t)) return `H.toValue(${x}, ${this.constant(t)})`;
    return x;
  }

  private udf(r: Extract<Rex, { kind: 'udf' }>): Code {
    // User functions see every argument, NULL included (like a Java UDF's boxed arguments).
    const args = r.args.map((a) => {
      const c = this.expr(a);
      return `(${c.n} ? null : ${this.toValueCode(c.v, a.type)})`;
    });
    const out = this.fresh('v');
    const v = this.fresh('v');
    const n = this.fresh('n');
    this.emit(`const ${out} = H.udf(${this.constant(r.fn.name)}, ${this.constant(r.fn.eval)}, [${args.join(', ')}]);`);
    this.emit(`const ${n} = ${out} === null;`);
    this.emit(`const ${v} = ${n} ? ${this.zeroOf(r.type)} : ${this.fromValueCode(out, r.type)};`);
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

  /** Like strict, but the body may also yield null (→ SQL NULL). */
  private strictNullable(args: Code[], body: (vs: string[]) => string, t: LogicalType): Code {
    const n = args.map((a) => a.n).filter((x) => x !== 'false');
    const v = this.fresh('v');
    const nn = this.fresh('n');
    this.emit(`let ${v} = ${this.zeroOf(t)}; let ${nn} = ${n.length === 0 ? 'false' : n.join(' || ')};`);
    this.emit(`if (!${nn}) { const c = ${body(args.map((a) => a.v))}; if (c === null) ${nn} = true; else ${v} = c; }`);
    return { v, n: nn };
  }

  /** BIGINT results of runtime functions come back as JS numbers (or bigint): bring them to the mode. */
  private exactResult(c: Code, t: LogicalType): Code {
    if (!isExactWide(t)) return c;
    const v = this.fresh('v');
    if (this.mode === 'big') {
      this.emit(`const ${v} = ${c.n} ? 0n : BigInt(${c.v});`);
    } else {
      this.emit(`if (!${c.n} && (typeof ${c.v} === 'bigint' || !Number.isSafeInteger(${c.v}))) throw H.WIDEN;`);
      this.emit(`const ${v} = ${c.v};`);
    }
    return { v, n: c.n };
  }

  private call(r: Extract<Rex, { kind: 'call' }>): Code {
    const t = r.type;
    const runtime = RUNTIME[r.op];
    if (runtime !== undefined) {
      const args = r.args.map((a) => this.expr(a));
      const body = (vs: string[]): string => `H.F.${runtime.fn}(${vs.join(', ')})`;
      const c = runtime.nullable ? this.strictNullable(args, body, t) : this.strict(args, body, this.zeroOf(t));
      return this.exactResult(c, t);
    }
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
      case 'CONCAT_WS': {
        const [sep, ...rest] = r.args.map((a) => this.expr(a));
        const parts = rest.map((a) => `(${a.n} ? null : ${a.v})`);
        return this.strict([sep as Code], ([s]) => `H.F.concatWs(${s}, ${parts.join(', ')})`, "''");
      }
      case 'UPPER':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `${a}.toUpperCase()`, "''");
      case 'LOWER':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `${a}.toLowerCase()`, "''");
      case 'TRIM':
        if (r.args.length === 2) return this.strict(r.args.map((a) => this.expr(a)), ([a, ch]) => `H.F.trim(${a}, ${ch})`, "''");
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `H.trim(${a})`, "''");
      case 'CHAR_LENGTH':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `H.charLength(${a})`);
      case 'ABS': {
        const a = this.expr(r.args[0] as Rex);
        if (isExactWide(t) && this.mode === 'big') return this.strict([a], ([x]) => `(${x} < 0n ? -${x} : ${x})`, '0n');
        if (t.kind === 'INT') return this.strict([a], ([x]) => `(Math.abs(${x}) | 0)`);
        return this.strict([a], ([x]) => `Math.abs(${x})`);
      }
      case 'SIGN': {
        const a = this.expr(r.args[0] as Rex);
        const unit = t.kind === 'DECIMAL' ? 10 ** t.scale : 1;
        if (isExactWide(t) && this.mode === 'big') return this.strict([a], ([x]) => `(${x} > 0n ? ${BigInt(unit)}n : ${x} < 0n ? -${BigInt(unit)}n : 0n)`, '0n');
        return this.strict([a], ([x]) => `(Math.sign(${x}) * ${unit})`);
      }
      case 'CEIL':
      case 'FLOOR': {
        const arg = r.args[0] as Rex;
        const a = this.expr(arg);
        const ceil = r.op === 'CEIL';
        if (t.kind === 'DOUBLE' || t.kind === 'FLOAT') return this.strict([a], ([x]) => `Math.${ceil ? 'ceil' : 'floor'}(${x})`);
        if (arg.type.kind !== 'DECIMAL') return a;
        const s = arg.type.scale;
        if (this.mode === 'big') return this.strict([a], ([x]) => `H.F.floorCeilExactBig(${x}, ${s}, ${ceil})`, '0n');
        return this.strict([a], ([x]) => `H.F.floorCeilExact(${x}, ${s}, ${ceil})`);
      }
      case 'ROUND':
      case 'TRUNCATE':
        return this.round(r.args[0] as Rex, r.args[1] as Rex, t, r.op === 'TRUNCATE');
      case 'POWER':
        return this.strict(r.args.map((a) => this.expr(a)), ([x, y]) => `Math.pow(${x}, ${y})`);
      case 'SQRT':
        return this.strict([this.expr(r.args[0] as Rex)], ([x]) => `Math.sqrt(${x})`);
      case 'LN':
        return this.strict([this.expr(r.args[0] as Rex)], ([x]) => `Math.log(${x})`);
      case 'LOG10':
        return this.strict([this.expr(r.args[0] as Rex)], ([x]) => `Math.log10(${x})`);
      case 'LOG2':
        return this.strict([this.expr(r.args[0] as Rex)], ([x]) => `Math.log2(${x})`);
      case 'LOG':
        return this.strict(r.args.map((a) => this.expr(a)), ([b, x]) => `(Math.log(${x}) / Math.log(${b}))`);
      case 'EXP':
        return this.strict([this.expr(r.args[0] as Rex)], ([x]) => `Math.exp(${x})`);
      case 'PI':
        return { v: 'Math.PI', n: 'false' };
      case 'RAND': {
        // A seeded RAND draws from one java.util.Random per compiled operator, as Flink's per-task instance.
        const seed = r.args[0];
        const v = this.fresh('v');
        if (seed?.kind === 'literal') this.emit(`const ${v} = ${this.constant(new JavaRandom(seed.value as number))}.nextDouble();`);
        else this.emit(`const ${v} = H.F.random();`);
        return { v, n: 'false' };
      }
      case 'RAND_INTEGER': {
        const bound = this.expr(r.args[0] as Rex);
        const seed = r.args[1];
        const rng = seed?.kind === 'literal' ? this.constant(new JavaRandom(seed.value as number)) : 'undefined';
        return this.strict([bound], ([b]) => `H.F.randomInt(${b}, ${rng})`);
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
      case 'GREATEST':
      case 'LEAST': {
        // Flink: NULL if any argument is NULL; otherwise the extreme, kept in a local (no per-row closure).
        const cmp = r.op === 'GREATEST' ? '>' : '<';
        const args = r.args.map((a) => this.expr(a));
        const acc = this.fresh('v');
        const res = this.strict(args, ([first]) => first as string, this.zeroOf(t));
        this.emit(`let ${acc} = ${res.v};`);
        for (const a of args.slice(1)) this.emit(`if (${a.v} ${cmp} ${acc}) ${acc} = ${a.v};`);
        return { v: acc, n: res.n };
      }
      case 'TIMESTAMPADD': {
        const args = r.args.map((a) => this.expr(a));
        return this.strict(args, ([u, k, x]) => `H.F.timestampAdd(${u}, ${k}, ${x}, ${t.kind === 'DATE'})`);
      }
      case 'ADD_MONTHS': {
        const args = r.args.map((a) => this.expr(a));
        return this.strict(args, ([x, m]) => `H.F.addMonths(${x}, ${m}, ${t.kind === 'DATE'})`);
      }
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
      case 'PROCTIME':
        return this.strict([], () => 'H.F.now()');
      case 'CURRENT_DATE':
        return this.strict([], () => 'H.F.today()');
      case 'CURRENT_WATERMARK': {
        // The operator instance's watermark cell W (NaN until its first watermark: NULL, as in Flink).
        const v = this.fresh('v');
        const n = this.fresh('n');
        this.emit(`const ${v} = W[0]; const ${n} = ${v} !== ${v};`);
        return { v, n };
      }
      case 'CURRENT_TIME':
        return this.strict([], () => 'H.F.timeOfDay()');
      case 'CARDINALITY':
        return this.strict([this.expr(r.args[0] as Rex)], ([a]) => `H.cardinality(${a})`);
      case 'ELEMENT': {
        const a = this.expr(r.args[0] as Rex);
        const raw = this.strictNullable([a], ([x]) => `H.element(${x})`, Types.NULL());
        const v = this.fresh('v');
        this.emit(`const ${v} = ${raw.n} ? ${this.zeroOf(t)} : ${this.fromValueCode(raw.v, t)};`);
        return { v, n: raw.n };
      }
      case 'ITEM': {
        const container = r.args[0] as Rex;
        const [c, k] = r.args.map((a) => this.expr(a)) as [Code, Code];
        const isMap = container.type.kind === 'MAP';
        const key = isMap ? this.toValueCode(k.v, (r.args[1] as Rex).type) : k.v;
        const raw = this.strictNullable([c, k], ([x]) => `H.item(${x}, ${key}, ${isMap})`, Types.NULL());
        const v = this.fresh('v');
        this.emit(`const ${v} = ${raw.n} ? ${this.zeroOf(t)} : ${this.fromValueCode(raw.v, t)};`);
        return { v, n: raw.n };
      }
      case 'ARRAY_VALUE':
      case 'ROW_VALUE': {
        // A materialized nested value: elements as Values, NULL elements as null.
        const parts = r.args.map((a) => {
          const c = this.expr(a);
          return `(${c.n} ? null : ${this.toValueCode(c.v, a.type)})`;
        });
        const v = this.fresh('v');
        this.emit(`const ${v} = [${parts.join(', ')}];`);
        return { v, n: 'false' };
      }
      case 'JSON_OBJECT': {
        // Not null-propagating: a NULL value is written as null or left out (ON NULL); keys are never NULL.
        const parts = r.args.map((a) => {
          const c = this.expr(a);
          return c.n === 'false' ? c.v : `(${c.n} ? null : ${c.v})`;
        });
        const v = this.fresh('v');
        this.emit(`const ${v} = H.F.jsonObject([${parts.join(', ')}]);`);
        return { v, n: 'false' };
      }
      case 'MAP_VALUE': {
        const parts = r.args.map((a) => {
          const c = this.expr(a);
          return `(${c.n} ? null : ${this.toValueCode(c.v, a.type)})`;
        });
        const entries: string[] = [];
        for (let k = 0; k + 1 < parts.length; k += 2) entries.push(`[${parts[k]}, ${parts[k + 1]}]`);
        const v = this.fresh('v');
        this.emit(`const ${v} = new Map([${entries.join(', ')}]);`);
        return { v, n: 'false' };
      }
      default:
        throw new Error(`internal error: operator ${r.op} has no code generator`);
    }
  }

  /** ROUND/TRUNCATE: HALF_UP (or toward zero) at `d` digits, in the type's representation. */
  private round(arg: Rex, digits: Rex, t: LogicalType, truncate: boolean): Code {
    const a = this.expr(arg);
    const d = this.expr(digits);
    if (t.kind === 'DOUBLE' || t.kind === 'FLOAT') {
      const f = t.kind === 'FLOAT' ? 'Math.fround' : '';
      return this.strict([a, d], ([x, y]) => `${f}(H.F.roundDouble(${x}, ${y}, ${truncate}))`);
    }
    const big = isExactWide(t) && this.mode === 'big';
    const fn = big ? 'H.F.roundExactBig' : 'H.F.roundExact';
    if (arg.type.kind === 'DECIMAL' && t.kind === 'DECIMAL') {
      // Literal digits (the binder requires them for DECIMAL): drop (s - target) digits, shift back for d < 0.
      const dv = digits.kind === 'literal' ? (digits.value as number) : 0;
      const s = arg.type.scale;
      if (dv >= s) return a;
      const drop = dv < 0 ? s - dv : s - dv;
      const shift = dv < 0 ? -dv : 0;
      const res = this.strict([a], ([x]) => `${fn}(${x}, ${drop}, ${shift}, ${truncate})`, big ? '0n' : '0');
      if (!big) this.emit(`if (!${res.n} && !Number.isSafeInteger(${res.v})) throw H.WIDEN;`);
      return res;
    }
    // Integers: only negative digits change the value.
    const wrap = t.kind === 'INT' ? ' | 0' : '';
    return this.strict([a, d], ([x, y]) => `(${y} >= 0 ? ${x} : (${fn}(${x}, -${y}, -${y}, ${truncate})${wrap}))`, big ? '0n' : '0');
  }

  private zeroOf(t: LogicalType): string {
    if (t.kind === 'BOOLEAN') return 'false';
    if (t.kind === 'VARCHAR' || t.kind === 'CHAR') return "''";
    if (t.kind === 'BINARY' || t.kind === 'VARBINARY') return 'H.EMPTY';
    if (isNested(t) || t.kind === 'NULL') return 'null';
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
    if (t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'INTERVAL') {
      // Datetime ± day-time interval and interval ± interval: milliseconds (or months) add exactly in a double.
      return this.strict([this.expr(l), this.expr(r)], ([x, y]) => `(${x} ${js} ${y})`);
    }
    if (t.kind === 'DATE') {
      return this.strict([this.expr(l), this.expr(r)], ([x, y]) => `H.F.datePlusMillis(${x}, ${op === 'MINUS' ? '-' : ''}${y})`);
    }
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
            ([x, y]) => `H.decMod(${toWide(x as string, l.type)}, ${s - sl}, ${toWide(y as string, r.type)}, ${s - sr})`,
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
  /** `whole`: `feature` is the complete name of what is unsupported (not a kind of expression in a Calc). */
  constructor(
    readonly feature: string,
    whole = false,
  ) {
    super(whole ? `${feature} is not supported` : `${feature} are not supported in projections and filters yet`);
  }
}

/** The output array of a computed column: a typed array for flat numeric types, a plain array otherwise. */
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
    case 'BINARY':
    case 'VARBINARY':
      return 'new Array(m).fill(H.EMPTY)';
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'NULL':
      return 'new Array(m).fill(null)';
  }
}

/** The column object literal of a computed output (nested values go through the column builder). */
function outputColumn(t: LogicalType, mode: Mode, values: string, validity: string, typeConst: string): string {
  switch (t.kind) {
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'NULL':
      return `H.buildColumn(${typeConst}, ${values}, ${validity}, m)`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      // Computed timestamps carry milliseconds; a p > 3 column keeps its nanos-of-millisecond array (zeros).
      if (hasNanos(t)) return `{ kind: 'ts', values: ${values}, nanos: new Int32Array(m), validity: ${validity} }`;
      return `{ kind: 'f64', values: ${values}, validity: ${validity} }`;
    default:
      return `{ kind: '${outputKind(t, mode)}', values: ${values}, validity: ${validity} }`;
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
    case 'BINARY':
    case 'VARBINARY':
      return 'bin';
    default:
      return 'f64';
  }
}

type Compiled = (batch: RecordBatch, K: readonly unknown[], H: unknown, W: WatermarkCell) => RecordBatch;

export interface CalcSpec {
  readonly inputSchema: Schema;
  readonly outputSchema: Schema;
  readonly projections: readonly Rex[];
  readonly condition: Rex | null;
}

/**
 * The current watermark of one operator instance, as CURRENT_WATERMARK reads it: element 0 is the last watermark
 * the operator received, NaN before the first. The operator writes it; the generated code reads it per row.
 */
export type WatermarkCell = Float64Array;

export function newWatermarkCell(): WatermarkCell {
  return new Float64Array([Number.NaN]);
}

/** A cell that never receives a watermark (Calcs compiled where no operator feeds one). */
const NO_WATERMARK: WatermarkCell = newWatermarkCell();

/** Whether a Calc reads the operator's watermark, i.e. needs `compileCalcPerInstance`. */
export function calcReadsWatermark(spec: CalcSpec): boolean {
  return [...spec.projections, ...(spec.condition === null ? [] : [spec.condition])].some(rexReadsWatermark);
}

function rexReadsWatermark(r: Rex): boolean {
  switch (r.kind) {
    case 'literal':
    case 'input':
      return false;
    case 'cast':
    case 'field':
      return rexReadsWatermark(r.operand);
    case 'udf':
      return r.args.some(rexReadsWatermark);
    case 'call':
      return r.op === 'CURRENT_WATERMARK' || r.args.some(rexReadsWatermark);
  }
}

/**
 * Compiles a Calc. Variants are specialised by the input column kinds of each batch (exact-double vs wide
 * BIGINT/DECIMAL) and cached; a batch whose arithmetic leaves the exact range is re-run in BigInt mode.
 * CURRENT_WATERMARK is refused here: only an operator that owns a watermark cell (the Calc operator, through
 * `compileCalcPerInstance`) can evaluate it; joins, aggregates and window operators compile through this.
 */
export function compileCalc(spec: CalcSpec): BatchFunction {
  if (calcReadsWatermark(spec)) throw new CodegenUnsupported('CURRENT_WATERMARK outside a projection or a WHERE/HAVING filter (e.g. in a join condition, an aggregate argument or a window)', true);
  return calcCompiler(spec)(NO_WATERMARK);
}

/**
 * Compiles a Calc once and binds it per operator instance to that instance's watermark cell: parallel instances
 * in one thread share the generated code, never the watermark.
 */
export function compileCalcPerInstance(spec: CalcSpec): (watermark: WatermarkCell) => BatchFunction {
  return calcCompiler(spec);
}

function calcCompiler(spec: CalcSpec): (watermark: WatermarkCell) => BatchFunction {
  const cache = new Map<string, { fn: Compiled; consts: unknown[] }>();
  const variant = (kinds: KindTree[], mode: Mode): { fn: Compiled; consts: unknown[] } => {
    const key = `${mode}:${kinds.map(kindKey).join(',')}`;
    let c = cache.get(key);
    if (c === undefined) {
      c = generate(spec, kinds, mode);
      cache.set(key, c);
    }
    return c;
  };
  const flat = spec.inputSchema.fields.every((f) => f.type.kind !== 'ROW');
  // A BIGINT/DECIMAL literal beyond ±2^53 has no exact double: such an expression always runs in BigInt mode.
  const wideLiteral = [...spec.projections, ...(spec.condition === null ? [] : [spec.condition])].some(hasWideLiteral);
  return (W) => (batch: RecordBatch): RecordBatch | null => {
    // Flat inputs (the common case) key variants by top-level kinds; ROW inputs need their children's kinds.
    const kinds = flat ? batch.columns.map((c) => ({ kind: c.kind, children: [] })) : batch.columns.map(kindTree);
    const mode: Mode = wideLiteral || kinds.some(hasWide) ? 'big' : 'num';
    try {
      const v = variant(kinds, mode);
      return v.fn(batch, v.consts, H, W);
    } catch (e) {
      if (!(e instanceof WidenSignal) || mode === 'big') throw e;
      const v = variant(kinds, 'big');
      return v.fn(batch, v.consts, H, W);
    }
  };
}

function hasWideLiteral(r: Rex): boolean {
  switch (r.kind) {
    case 'literal':
      return typeof r.value === 'bigint' && isExactWide(r.type) && (r.value > MAX_SAFE || r.value < -MAX_SAFE);
    case 'input':
      return false;
    case 'cast':
    case 'field':
      return hasWideLiteral(r.operand);
    case 'call':
    case 'udf':
      return r.args.some(hasWideLiteral);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function generate(spec: CalcSpec, kinds: KindTree[], mode: Mode): { fn: Compiled; consts: unknown[] } {
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
    outCols.push(outputColumn(p.type, mode, `o${o}`, `ov${o}`, g.constant(p.type)));
  });
  for (const setup of g.columns.values()) body.push(...setup);
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
  type Inner = (batch: RecordBatch, K: readonly unknown[], H: unknown, W: WatermarkCell) => { sel: Int32Array | null; m: number; cols: Array<Column | null> };
  let inner: Inner;
  try {
    inner = new Function('batch', 'K', 'H', 'W', source) as Inner;
  } catch (e) {
    throw new Error(`internal error: generated Calc code does not compile (${(e as Error).message})\n${source}`);
  }
  const { inputSchema, outputSchema } = spec;
  // Passthrough columns are reused as they are when no row was dropped, gathered by the selection otherwise.
  const fn: Compiled = (batch, K, _H, W) => {
    const { sel, m, cols } = inner(batch, K, H, W);
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
