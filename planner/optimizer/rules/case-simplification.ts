// CASE simplification (Calcite's RexSimplify#simplifyCase): a WHEN branch whose condition is FALSE or NULL never
// fires and goes; a WHEN TRUE ends the CASE there (its value is the result); a CASE left with no WHEN is its ELSE
// value; a CASE whose every branch (and ELSE) is the same deterministic expression is that expression.
// CASE operands are [when1, then1, when2, then2, ..., else]. The result keeps the CASE's type (a CAST to the
// nullable type where a branch value is NOT NULL), so the node's output types do not change.
import { formatType } from '../../../executor/index.js';
import { isDeterministic, rexKey } from '../../expr/rex-util.js';
import { Rex } from '../../expr/rex.js';
import type { Rule } from '../rule.js';
import { mapArgs, rewriteExpressions } from './expression-rewrite.js';

export const caseSimplificationRule: Rule = {
  name: 'case-simplification',
  apply(node) {
    return rewriteExpressions(node, (r) => simplifyCases(r));
  },
};

export function simplifyCases(r: Rex): Rex {
  switch (r.kind) {
    case 'call': {
      const next = mapArgs(r, simplifyCases);
      return next.op === 'CASE' ? (simplifyCase(next) ?? next) : next;
    }
    case 'cast':
    case 'field': {
      const operand = simplifyCases(r.operand);
      return operand === r.operand ? r : { ...r, operand };
    }
    case 'udf': {
      const args = r.args.map(simplifyCases);
      return args.every((a, i) => a === r.args[i]) ? r : { ...r, args };
    }
    default:
      return r;
  }
}

function simplifyCase(r: Extract<Rex, { kind: 'call' }>): Rex | null {
  const args = r.args;
  if (args.length % 2 === 0) return null;
  const branches: [Rex, Rex][] = [];
  let otherwise = args[args.length - 1] as Rex;
  let changed = false;
  for (let i = 0; i + 1 < args.length; i += 2) {
    const when = args[i] as Rex;
    const then = args[i + 1] as Rex;
    if (when.kind === 'literal' && when.value !== true) {
      changed = true; // FALSE or NULL: never taken
      continue;
    }
    if (when.kind === 'literal' && when.value === true) {
      otherwise = then; // later branches are unreachable
      changed = true;
      break;
    }
    branches.push([when, then]);
  }
  // Every outcome the same deterministic value (conditions deterministic too): the CASE is that value.
  const key = rexKey(otherwise);
  if (
    branches.length > 0 &&
    branches.every(([w, t]) => rexKey(t) === key && isDeterministic(w)) &&
    isDeterministic(otherwise)
  ) {
    return keepType(otherwise, r);
  }
  if (!changed) return null;
  if (branches.length === 0) return keepType(otherwise, r);
  return Rex.call('CASE', [...branches.flat(), otherwise], r.type);
}

function keepType(value: Rex, of: Rex): Rex {
  return formatType(value.type) === formatType(of.type) ? value : Rex.cast(value, of.type);
}
