// Walking and rewriting expressions: the column references an expression reads, renumbering them when a rule
// moves an expression to another input, and a structural key to tell two expressions apart.
import { formatType, type LogicalType } from '../../executor/index.js';
import { Rex } from './rex.js';

/** A copy of `r` with every input reference `i` replaced by `map(i)` (a Rex, e.g. the expression it stood for). */
export function replaceInputs(r: Rex, map: (index: number, type: LogicalType) => Rex): Rex {
  switch (r.kind) {
    case 'input':
      return map(r.index, r.type);
    case 'literal':
      return r;
    case 'call':
      return Rex.call(
        r.op,
        r.args.map((a) => replaceInputs(a, map)),
        r.type,
      );
    case 'cast':
      return Rex.cast(replaceInputs(r.operand, map), r.type, r.safe);
    case 'field':
      return Rex.field(replaceInputs(r.operand, map), r.index, r.name, r.type);
    case 'udf':
      return Rex.udf(
        r.fn,
        r.args.map((a) => replaceInputs(a, map)),
        r.type,
      );
  }
}

/** Renumbers input references (`i` → `map(i)`), keeping their types. */
export function remapInputs(r: Rex, map: (index: number) => number): Rex {
  return replaceInputs(r, (i, t) => Rex.input(map(i), t));
}

export function visit(r: Rex, f: (r: Rex) => void): void {
  f(r);
  switch (r.kind) {
    case 'call':
    case 'udf':
      for (const a of r.args) visit(a, f);
      return;
    case 'cast':
    case 'field':
      visit(r.operand, f);
      return;
    default:
      return;
  }
}

/** The input columns an expression reads. */
export function inputsOf(r: Rex): Set<number> {
  const out = new Set<number>();
  visit(r, (x) => {
    if (x.kind === 'input') out.add(x.index);
  });
  return out;
}

/** Whether an expression's value can change between calls on the same row (RAND, PROCTIME, CURRENT_TIMESTAMP). */
export function isDeterministic(r: Rex): boolean {
  let det = true;
  visit(r, (x) => {
    if (x.kind === 'udf' || (x.kind === 'call' && NON_DETERMINISTIC.has(x.op))) det = false;
  });
  return det;
}

const NON_DETERMINISTIC = new Set([
  'RAND',
  'RAND_INTEGER',
  'PROCTIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  // Flink's CURRENT_WATERMARK definition is notDeterministic(): its value depends on when the row is processed.
  'CURRENT_WATERMARK',
]);

/**
 * Whether an expression reads the evaluating operator's watermark (CURRENT_WATERMARK). Such an expression must
 * stay in the Calc it was planned in: below a join, union, aggregate or watermark assigner, or inside a source,
 * the operator evaluating it sees a different watermark.
 */
export function readsWatermark(r: Rex): boolean {
  let found = false;
  visit(r, (x) => {
    if (x.kind === 'call' && x.op === 'CURRENT_WATERMARK') found = true;
  });
  return found;
}

/** A text that is equal for structurally equal expressions (same operators, inputs, literals and types). */
export function rexKey(r: Rex): string {
  switch (r.kind) {
    case 'input':
      return `$${r.index}`;
    case 'literal':
      return `lit(${typeof r.value === 'bigint' ? `${r.value}n` : JSON.stringify(r.value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v instanceof Map ? [...v] : v))}:${formatType(r.type)})`;
    case 'call':
      return `${r.op}(${r.args.map(rexKey).join(',')}):${formatType(r.type)}`;
    case 'cast':
      return `${r.safe ? 'TRY_CAST' : 'CAST'}(${rexKey(r.operand)}:${formatType(r.type)})`;
    case 'field':
      return `${rexKey(r.operand)}.${r.index}`;
    case 'udf':
      return `udf:${r.fn.name}(${r.args.map(rexKey).join(',')})`;
  }
}

/** Splits a condition into its AND-ed conjuncts. */
export function conjuncts(r: Rex): Rex[] {
  if (r.kind === 'call' && r.op === 'AND') return r.args.flatMap(conjuncts);
  return [r];
}

export function isTrueLiteral(r: Rex): boolean {
  return r.kind === 'literal' && r.value === true;
}
