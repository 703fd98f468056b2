// Expression IR as text for EXPLAIN: columns by name (`$i` when unnamed), calls in Calcite's function style.
import { formatType, formatValueText, type Schema } from '../../executor/index.js';
import type { Rex } from './rex.js';

const INFIX: Partial<Record<string, string>> = {
  PLUS: '+', MINUS: '-', TIMES: '*', DIVIDE: '/', MOD: 'MOD', EQUALS: '=', NOT_EQUALS: '<>', LESS_THAN: '<',
  LESS_THAN_OR_EQUAL: '<=', GREATER_THAN: '>', GREATER_THAN_OR_EQUAL: '>=', CONCAT: '||',
};

export function explainRex(r: Rex, input: Schema): string {
  switch (r.kind) {
    case 'input':
      return input.fields[r.index]?.name ?? `$${r.index}`;
    case 'literal':
      if (r.value === null) return 'null:' + formatType(r.type);
      return r.type.kind === 'VARCHAR' || r.type.kind === 'CHAR' ? `_UTF-16LE'${String(r.value)}'` : formatValueText(r.value, r.type);
    case 'cast':
      return `${r.safe ? 'TRY_CAST' : 'CAST'}(${explainRex(r.operand, input)} AS ${formatType(r.type)})`;
    case 'field':
      return `${explainRex(r.operand, input)}.${r.name}`;
    case 'udf':
      return `${r.fn.name}(${r.args.map((a) => explainRex(a, input)).join(', ')})`;
    case 'call': {
      const args = r.args.map((a) => explainRex(a, input));
      const infix = INFIX[r.op];
      if (infix !== undefined && args.length === 2) return `${infix}(${args[0]}, ${args[1]})`;
      return `${r.op}(${args.join(', ')})`;
    }
  }
}
