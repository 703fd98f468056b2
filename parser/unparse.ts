// The unparser: AST back to SQL text. The output re-parses to the same AST (modulo spans), which the corpus
// identity test checks; parentheses are printed exactly where precedence needs them, since they leave no node.
import type * as A from './ast.js';
import { Keywords } from './lexer.js';

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORD_FUNCTIONS = new Set(['LEFT', 'RIGHT', 'GROUPING']);

export function formatIdent(id: A.Ident): string {
  const word = Keywords[id.value.toUpperCase()];
  const reserved = word !== undefined && !(word.CATEGORIES ?? []).some((c) => c.name === 'NonReserved');
  if (id.quoted || !PLAIN_NAME.test(id.value) || reserved) return `\`${id.value.replace(/`/g, '``')}\``;
  return id.value;
}

export function formatName(n: A.QualifiedName): string {
  return n.parts.map(formatIdent).join('.');
}

export function formatString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function options(opts: readonly A.TableOption[]): string {
  return `(${opts.map((o) => `${formatString(o.key)} = ${formatString(o.value)}`).join(', ')})`;
}

function identList(ids: readonly A.Ident[]): string {
  return `(${ids.map(formatIdent).join(', ')})`;
}

/** Inside a hint there are no keywords, so only names that are not plain need backticks. */
function hintIdent(id: A.Ident): string {
  return id.quoted || !PLAIN_NAME.test(id.value) ? `\`${id.value.replace(/`/g, '``')}\`` : id.value;
}

function hints(hs: readonly A.Hint[]): string {
  const one = (h: A.Hint): string => {
    const body = h.options.length > 0 ? options(h.options).slice(1, -1) : h.args.map(hintIdent).join(', ');
    return `${hintIdent(h.name)}(${body})`;
  };
  return `/*+ ${hs.map(one).join(', ')} */`;
}

// ----------------------------------------------------------------------------------------------- types

export function formatType(t: A.DataTypeAst): string {
  const nn = t.notNull ? ' NOT NULL' : '';
  const params = t.params.length > 0 ? `(${t.params.join(', ')})` : '';
  switch (t.name) {
    case 'ARRAY':
    case 'MULTISET':
      return `${t.name}<${formatType(t.element as A.DataTypeAst)}>${nn}`;
    case 'MAP':
      return `MAP<${formatType(t.key as A.DataTypeAst)}, ${formatType(t.value as A.DataTypeAst)}>${nn}`;
    case 'ROW':
      return `ROW<${(t.fields ?? []).map((f) => `${formatIdent(f.name)} ${formatType(f.type)}${f.description !== undefined ? ` ${formatString(f.description)}` : ''}`).join(', ')}>${nn}`;
    case 'INTERVAL':
      return `INTERVAL ${t.from ?? 'SECOND'}${t.to !== undefined ? ` TO ${t.to}` : ''}${nn}`;
    default:
      return `${t.name}${params}${nn}`;
  }
}

// ----------------------------------------------------------------------------------------------- expressions

/** Binding strength, loosest first; a child printed where a stronger one is required gets parentheses. */
function precedence(e: A.Expr): number {
  switch (e.kind) {
    case 'binary':
      switch (e.op) {
        case 'OR':
          return 1;
        case 'AND':
          return 2;
        case '+':
        case '-':
          return 5;
        case '*':
        case '/':
        case '%':
        case '||':
          return 6;
        default:
          return 4;
      }
    case 'unary':
      return e.op === 'NOT' ? 3 : 7;
    case 'isNull':
    case 'isBool':
    case 'isDistinctFrom':
    case 'between':
    case 'inList':
    case 'inQuery':
    case 'like':
    case 'similarTo':
      return 4;
    case 'subscript':
    case 'fieldAccess':
      return 8;
    // A named argument only appears directly in an argument list.
    case 'namedArg':
      return 0;
    default:
      return 9;
  }
}

function sub(e: A.Expr, min: number): string {
  const s = formatExpr(e);
  return precedence(e) < min ? `(${s})` : s;
}

const not = (negated: boolean): string => (negated ? 'NOT ' : '');

/** TRIM(LEADING 'x' FROM s), POSITION(a IN b), OVERLAY(...), FLOOR(x TO DAY), JSON_VALUE(... RETURNING ...), JSON_OBJECT(...). */
function formatKeywordCall(e: A.CallExpr, syntax: A.CallSyntax): string {
  // As written (a non-reserved word prints bare), so that the round trip keeps the name's case.
  const name = formatName(e.name);
  const a = e.args.map(formatExpr);
  switch (syntax.kind) {
    case 'trim':
      // The last argument is the string; before it the mode (a name) and the characters, each if written.
      return `${name}(${[...a.slice(0, -1), 'FROM', a[a.length - 1] as string].join(' ')})`;
    case 'position':
      return `${name}(${sub(e.args[0] as A.Expr, 5)} IN ${a[1] as string}${a.length > 2 ? ` FROM ${a[2] as string}` : ''})`;
    case 'overlay':
      return `${name}(${a[0] as string} PLACING ${a[1] as string} FROM ${a[2] as string}${a.length > 3 ? ` FOR ${a[3] as string}` : ''})`;
    case 'floorTo':
      return `${name}(${a[0] as string} TO ${a[1] as string})`;
    case 'json': {
      const behaviors = syntax.behaviors
        .map(
          (b) => ` ${b.action === 'DEFAULT' ? `DEFAULT ${sub(b.value as A.Expr, 5)}` : b.action} ON ${b.on}`,
        )
        .join('');
      if (syntax.keys === null) {
        const returning = syntax.returning !== null ? ` RETURNING ${formatType(syntax.returning)}` : '';
        return `${name}(${a.join(', ')}${returning}${behaviors})`;
      }
      const entries = syntax.keys.map(
        (key, i) => `${key ? 'KEY ' : ''}${a[2 * i] as string} VALUE ${a[2 * i + 1] as string}`,
      );
      return `${name}(${`${entries.join(', ')}${behaviors}`.trimStart()})`;
    }
  }
}

export function formatExpr(e: A.Expr): string {
  switch (e.kind) {
    case 'numberLit':
      return e.text;
    case 'stringLit':
      return formatString(e.value);
    case 'boolLit':
      return e.value ? 'TRUE' : 'FALSE';
    case 'nullLit':
      return 'NULL';
    case 'typedLit':
      return `${e.type} ${formatString(e.value)}`;
    case 'intervalLit':
      return `INTERVAL ${formatString(e.value)} ${e.from}${e.to !== null ? ` TO ${e.to}` : ''}`;
    case 'ident':
      return formatName(e.name);
    case 'unary': {
      if (e.op === 'NOT') return `NOT ${sub(e.operand, 3)}`;
      const operand = sub(e.operand, 7);
      // `--` would start a comment.
      return operand.startsWith('-') ? `${e.op} ${operand}` : `${e.op}${operand}`;
    }
    case 'binary': {
      const p = precedence(e);
      if (p === 4) return `${sub(e.left, 5)} ${e.op} ${sub(e.right, 5)}`;
      return `${sub(e.left, p)} ${e.op} ${sub(e.right, p + 1)}`;
    }
    case 'isNull':
      return `${sub(e.operand, 5)} IS ${not(e.negated)}NULL`;
    case 'isBool':
      return `${sub(e.operand, 5)} IS ${not(e.negated)}${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'}`;
    case 'isDistinctFrom':
      return `${sub(e.left, 5)} IS ${not(e.negated)}DISTINCT FROM ${sub(e.right, 5)}`;
    case 'between':
      return `${sub(e.operand, 5)} ${not(e.negated)}BETWEEN ${e.symmetric ? 'SYMMETRIC ' : ''}${sub(e.low, 5)} AND ${sub(e.high, 5)}`;
    case 'inList':
      return `${sub(e.operand, 5)} ${not(e.negated)}IN (${e.list.map(formatExpr).join(', ')})`;
    case 'inQuery':
      return `${sub(e.operand, 5)} ${not(e.negated)}IN (${formatQuery(e.query)})`;
    case 'exists':
      return `EXISTS (${formatQuery(e.query)})`;
    case 'subquery':
      return `(${formatQuery(e.query)})`;
    case 'like':
    case 'similarTo': {
      const escape = e.escape !== null ? ` ESCAPE ${sub(e.escape, 5)}` : '';
      return `${sub(e.operand, 5)} ${not(e.negated)}${e.kind === 'like' ? 'LIKE' : 'SIMILAR TO'} ${sub(e.pattern, 5)}${escape}`;
    }
    case 'call': {
      if (e.syntax !== undefined) return formatKeywordCall(e, e.syntax);
      const args = e.star ? '*' : `${e.distinct ? 'DISTINCT ' : ''}${e.args.map(formatExpr).join(', ')}`;
      // LEFT, RIGHT and GROUPING are reserved words that the grammar also accepts as function names.
      const only = e.name.parts.length === 1 ? (e.name.parts[0] as A.Ident) : null;
      const name =
        only !== null && !only.quoted && KEYWORD_FUNCTIONS.has(only.value) ? only.value : formatName(e.name);
      return `${name}(${args})`;
    }
    case 'filter':
      return `${formatExpr(e.call)} FILTER (WHERE ${formatExpr(e.where)})`;
    case 'over':
      return `${formatExpr(e.call)} OVER ${'value' in e.window ? formatIdent(e.window) : formatWindowSpec(e.window)}`;
    case 'cast':
      return `${e.safe ? 'TRY_CAST' : 'CAST'}(${formatExpr(e.operand)} AS ${formatType(e.type)})`;
    case 'case': {
      const parts = ['CASE'];
      if (e.operand !== null) parts.push(formatExpr(e.operand));
      for (const w of e.whens) parts.push(`WHEN ${formatExpr(w.when)} THEN ${formatExpr(w.then)}`);
      if (e.otherwise !== null) parts.push(`ELSE ${formatExpr(e.otherwise)}`);
      parts.push('END');
      return parts.join(' ');
    }
    case 'extract':
      return `EXTRACT(${e.unit} FROM ${formatExpr(e.operand)})`;
    case 'arrayCtor':
      return `ARRAY[${e.elements.map(formatExpr).join(', ')}]`;
    case 'mapCtor':
      return `MAP[${e.entries.map((en) => `${formatExpr(en.key)}, ${formatExpr(en.value)}`).join(', ')}]`;
    case 'rowCtor':
      return `ROW(${e.fields.map(formatExpr).join(', ')})`;
    case 'subscript':
      return `${sub(e.operand, 8)}[${formatExpr(e.index)}]`;
    case 'fieldAccess': {
      // `a.b` would read back as one qualified name, not a field access on `a`.
      const operand = e.operand.kind === 'ident' ? `(${formatExpr(e.operand)})` : sub(e.operand, 8);
      return `${operand}.${formatIdent(e.field)}`;
    }
    case 'namedArg':
      return `${formatIdent(e.name)} => ${formatExpr(e.value)}`;
    case 'tableArg': {
      const keys = e.partitionBy ?? [];
      const partition =
        keys.length === 0
          ? ''
          : keys.length === 1
            ? ` PARTITION BY ${formatExpr(keys[0] as A.Expr)}`
            : ` PARTITION BY (${keys.map(formatExpr).join(', ')})`;
      return `TABLE ${formatName(e.name)}${partition}`;
    }
    case 'descriptor':
      return `DESCRIPTOR${identList(e.columns)}`;
    default: {
      const never: never = e;
      throw new Error(`unhandled expression ${JSON.stringify(never)}`);
    }
  }
}

function formatOrderItem(o: A.OrderItem): string {
  return `${formatExpr(o.expr)}${o.direction !== null ? ` ${o.direction}` : ''}${o.nulls !== null ? ` NULLS ${o.nulls}` : ''}`;
}

function formatBound(b: A.FrameBound): string {
  switch (b.kind) {
    case 'unboundedPreceding':
      return 'UNBOUNDED PRECEDING';
    case 'unboundedFollowing':
      return 'UNBOUNDED FOLLOWING';
    case 'currentRow':
      return 'CURRENT ROW';
    case 'preceding':
      return `${sub(b.offset, 5)} PRECEDING`;
    case 'following':
      return `${sub(b.offset, 5)} FOLLOWING`;
  }
}

export function formatWindowSpec(w: A.WindowSpec): string {
  const parts: string[] = [];
  if (w.base !== null) parts.push(formatIdent(w.base));
  if (w.partitionBy.length > 0) parts.push(`PARTITION BY ${w.partitionBy.map(formatExpr).join(', ')}`);
  if (w.orderBy.length > 0) parts.push(`ORDER BY ${w.orderBy.map(formatOrderItem).join(', ')}`);
  if (w.frame !== null) {
    const f = w.frame;
    parts.push(
      f.end === null
        ? `${f.unit} ${formatBound(f.start)}`
        : `${f.unit} BETWEEN ${formatBound(f.start)} AND ${formatBound(f.end)}`,
    );
  }
  return `(${parts.join(' ')})`;
}

// ----------------------------------------------------------------------------------------------- queries

/** UNION/EXCEPT 1, INTERSECT 2, a plain SELECT or VALUES 3; WITH and ORDER BY wrappers need parentheses. */
function queryLevel(q: A.Query): number {
  switch (q.kind) {
    case 'setOp':
      return q.op === 'INTERSECT' ? 2 : 1;
    case 'select':
    case 'values':
      return 3;
    default:
      return 0;
  }
}

function subQuery(q: A.Query, min: number): string {
  const s = formatQuery(q);
  return queryLevel(q) < min ? `(${s})` : s;
}

export function formatQuery(q: A.Query): string {
  switch (q.kind) {
    case 'select':
      return formatSelect(q);
    case 'values':
      return `VALUES ${q.rows.map((r) => `(${r.map(formatExpr).join(', ')})`).join(', ')}`;
    case 'setOp': {
      const level = queryLevel(q);
      return `${subQuery(q.left, level)} ${q.op}${q.all ? ' ALL' : ''} ${subQuery(q.right, level + 1)}`;
    }
    case 'with': {
      const ctes = q.ctes.map(
        (c) =>
          `${formatIdent(c.name)}${c.columns.length > 0 ? ` ${identList(c.columns)}` : ''} AS (${formatQuery(c.query)})`,
      );
      return `WITH ${ctes.join(', ')} ${formatQuery(q.body)}`;
    }
    case 'ordered': {
      const parts = [subQuery(q.input, 1)];
      if (q.orderBy.length > 0) parts.push(`ORDER BY ${q.orderBy.map(formatOrderItem).join(', ')}`);
      if (q.limit !== null) parts.push(`LIMIT ${sub(q.limit, 5)}`);
      if (q.offset !== null) parts.push(`OFFSET ${sub(q.offset, 5)} ROWS`);
      if (q.fetch !== null) parts.push(`FETCH NEXT ${sub(q.fetch, 5)} ROWS ONLY`);
      return parts.join(' ');
    }
    default: {
      const never: never = q;
      throw new Error(`unhandled query ${JSON.stringify(never)}`);
    }
  }
}

function formatSelect(s: A.Select): string {
  const parts = ['SELECT'];
  if (s.hints.length > 0) parts.push(hints(s.hints));
  if (s.distinct) parts.push('DISTINCT');
  parts.push(
    s.items
      .map((i) =>
        i.kind === 'star'
          ? i.qualifier === null
            ? '*'
            : `${formatName(i.qualifier)}.*`
          : `${formatExpr(i.expr)}${i.alias !== null ? ` AS ${formatIdent(i.alias)}` : ''}`,
      )
      .join(', '),
  );
  if (s.from !== null) parts.push(`FROM ${formatFrom(s.from)}`);
  if (s.where !== null) parts.push(`WHERE ${formatExpr(s.where)}`);
  if (s.groupBy.length > 0) parts.push(`GROUP BY ${s.groupBy.map(formatGrouping).join(', ')}`);
  if (s.having !== null) parts.push(`HAVING ${formatExpr(s.having)}`);
  if (s.windows.length > 0)
    parts.push(
      `WINDOW ${s.windows.map((w) => `${formatIdent(w.name)} AS ${formatWindowSpec(w.spec)}`).join(', ')}`,
    );
  return parts.join(' ');
}

function formatGrouping(g: A.GroupingElement): string {
  switch (g.kind) {
    case 'expr':
      return formatExpr(g.expr);
    case 'set':
      return `(${g.exprs.map(formatExpr).join(', ')})`;
    case 'rollup':
      return `ROLLUP(${g.elements.map(formatGrouping).join(', ')})`;
    case 'cube':
      return `CUBE(${g.elements.map(formatGrouping).join(', ')})`;
    case 'groupingSets':
      return `GROUPING SETS (${g.elements.map(formatGrouping).join(', ')})`;
  }
}

function formatAlias(a: A.Alias | null): string {
  if (a === null) return '';
  return ` AS ${formatIdent(a.name)}${a.columns.length > 0 ? identList(a.columns) : ''}`;
}

const JOIN_WORDS: Record<A.JoinType, string> = {
  INNER: 'INNER JOIN',
  LEFT: 'LEFT JOIN',
  RIGHT: 'RIGHT JOIN',
  FULL: 'FULL JOIN',
  CROSS: 'CROSS JOIN',
  COMMA: ',',
};

export function formatFrom(f: A.FromItem): string {
  switch (f.kind) {
    case 'table': {
      let s = formatName(f.name);
      if (f.hints.length > 0) s += ` ${hints(f.hints)}`;
      if (f.forSystemTime !== null) s += ` FOR SYSTEM_TIME AS OF ${sub(f.forSystemTime, 5)}`;
      if (f.alias !== null) s += formatAlias({ name: f.alias, columns: f.columnAliases });
      return s;
    }
    case 'subquery':
      return `${f.lateral ? 'LATERAL ' : ''}(${formatQuery(f.query)})${formatAlias(f.alias)}`;
    case 'tableFunction':
      return `${f.lateral ? 'LATERAL ' : ''}TABLE(${formatExpr(f.call)})${formatAlias(f.alias)}`;
    case 'unnest':
      return `UNNEST(${f.args.map(formatExpr).join(', ')})${f.withOrdinality ? ' WITH ORDINALITY' : ''}${formatAlias(f.alias)}`;
    case 'join': {
      const right = f.right.kind === 'join' ? `(${formatFrom(f.right)})` : formatFrom(f.right);
      const word = `${f.natural ? 'NATURAL ' : ''}${JOIN_WORDS[f.joinType]}`;
      let s =
        f.joinType === 'COMMA' ? `${formatFrom(f.left)}, ${right}` : `${formatFrom(f.left)} ${word} ${right}`;
      if (f.condition !== null)
        s +=
          f.condition.kind === 'on'
            ? ` ON ${formatExpr(f.condition.expr)}`
            : ` USING ${identList(f.condition.columns)}`;
      return s;
    }
    case 'matchRecognize':
      return `${formatFrom(f.input)} MATCH_RECOGNIZE (${formatMatchBody(f)})${formatAlias(f.alias)}`;
    default: {
      const never: never = f;
      throw new Error(`unhandled FROM item ${JSON.stringify(never)}`);
    }
  }
}

function formatMatchBody(m: A.MatchRecognize): string {
  const parts: string[] = [];
  if (m.partitionBy.length > 0) parts.push(`PARTITION BY ${m.partitionBy.map(formatExpr).join(', ')}`);
  if (m.orderBy.length > 0) parts.push(`ORDER BY ${m.orderBy.map(formatOrderItem).join(', ')}`);
  if (m.measures.length > 0)
    parts.push(
      `MEASURES ${m.measures.map((x) => `${formatExpr(x.expr)} AS ${formatIdent(x.alias)}`).join(', ')}`,
    );
  if (m.rowsPerMatch !== null)
    parts.push(m.rowsPerMatch === 'ONE' ? 'ONE ROW PER MATCH' : 'ALL ROWS PER MATCH');
  if (m.afterMatch !== null) {
    const a = m.afterMatch;
    let to: string;
    switch (a.kind) {
      case 'pastLastRow':
        to = 'PAST LAST ROW';
        break;
      case 'toNextRow':
        to = 'TO NEXT ROW';
        break;
      case 'toFirst':
        to = `TO FIRST ${formatIdent(a.variable)}`;
        break;
      case 'toLast':
        to = `TO LAST ${formatIdent(a.variable)}`;
        break;
      case 'to':
        to = `TO ${formatIdent(a.variable)}`;
        break;
    }
    parts.push(`AFTER MATCH SKIP ${to}`);
  }
  parts.push(`PATTERN (${formatPattern(m.pattern)})`);
  if (m.within !== null) parts.push(`WITHIN ${sub(m.within, 9)}`);
  parts.push(`DEFINE ${m.define.map((d) => `${formatIdent(d.name)} AS ${formatExpr(d.expr)}`).join(', ')}`);
  return parts.join(' ');
}

function formatQuantifier(q: A.PatternQuantifier | null): string {
  if (q === null) return '';
  let s: string;
  if (q.min === 0 && q.max === null) s = '*';
  else if (q.min === 1 && q.max === null) s = '+';
  else if (q.min === 0 && q.max === 1) s = '?';
  else if (q.max === null) s = `{${q.min},}`;
  else if (q.min === q.max) s = `{${q.min}}`;
  else s = `{${q.min}, ${q.max}}`;
  return q.reluctant ? `${s}?` : s;
}

function formatPattern(p: A.PatternTerm): string {
  switch (p.kind) {
    case 'var':
      return `${formatIdent(p.name)}${formatQuantifier(p.quantifier)}`;
    case 'group':
      return `(${formatPattern(p.pattern)})${formatQuantifier(p.quantifier)}`;
    case 'seq':
      return p.items.map(formatPattern).join(' ');
    case 'alt':
      return p.items.map(formatPattern).join(' | ');
  }
}

// ----------------------------------------------------------------------------------------------- statements

function formatColumn(c: A.ColumnDef): string {
  const comment = c.comment !== null ? ` COMMENT ${formatString(c.comment)}` : '';
  switch (c.kind) {
    case 'physical':
      return `${formatIdent(c.name)} ${formatType(c.type)}${comment}`;
    case 'computed':
      return `${formatIdent(c.name)} AS ${formatExpr(c.expr)}${comment}`;
    case 'metadata':
      return `${formatIdent(c.name)} ${formatType(c.type)} METADATA${c.key !== null ? ` FROM ${formatString(c.key)}` : ''}${c.virtual ? ' VIRTUAL' : ''}${comment}`;
  }
}

const ifNotExists = (b: boolean): string => (b ? 'IF NOT EXISTS ' : '');
const temporary = (b: boolean): string => (b ? 'TEMPORARY ' : '');

function tableTail(
  comment: string | null,
  partitionedBy: readonly A.Ident[],
  opts: readonly A.TableOption[],
): string {
  let s = '';
  if (comment !== null) s += ` COMMENT ${formatString(comment)}`;
  if (partitionedBy.length > 0) s += ` PARTITIONED BY ${identList(partitionedBy)}`;
  if (opts.length > 0) s += ` WITH ${options(opts)}`;
  return s;
}

function formatInsert(s: A.Insert): string {
  let out = `INSERT ${s.overwrite ? 'OVERWRITE' : 'INTO'} ${formatName(s.target)}`;
  if (s.hints.length > 0) out += ` ${hints(s.hints)}`;
  if (s.partition.length > 0)
    out += ` PARTITION (${s.partition.map((p) => `${formatIdent(p.column)} = ${sub(p.value, 7)}`).join(', ')})`;
  if (s.columns.length > 0) out += ` ${identList(s.columns)}`;
  return `${out} ${formatQuery(s.query)}`;
}

export function formatStatement(s: A.Statement): string {
  switch (s.kind) {
    case 'createTable': {
      const elements = s.columns.map(formatColumn);
      if (s.watermark !== null)
        elements.push(`WATERMARK FOR ${formatIdent(s.watermark.column)} AS ${formatExpr(s.watermark.expr)}`);
      if (s.primaryKey !== null) {
        const name = s.primaryKey.name !== null ? `CONSTRAINT ${formatIdent(s.primaryKey.name)} ` : '';
        elements.push(`${name}PRIMARY KEY ${identList(s.primaryKey.columns)} NOT ENFORCED`);
      }
      const body = elements.length > 0 ? ` (${elements.join(', ')})` : '';
      const like =
        s.like !== null
          ? ` LIKE ${formatName(s.like.name)}${s.like.options.length > 0 ? ` (${s.like.options.map((o) => `${o.verb} ${o.target}`).join(' ')})` : ''}`
          : '';
      return `CREATE ${temporary(s.temporary)}TABLE ${ifNotExists(s.ifNotExists)}${formatName(s.name)}${body}${tableTail(s.comment, s.partitionedBy, s.options)}${like}`;
    }
    case 'createTableAs':
      return `CREATE ${temporary(s.temporary)}TABLE ${ifNotExists(s.ifNotExists)}${formatName(s.name)}${tableTail(s.comment, s.partitionedBy, s.options)} AS ${formatQuery(s.query)}`;
    case 'createView': {
      const cols = s.columns.length > 0 ? ` ${identList(s.columns)}` : '';
      const comment = s.comment !== null ? ` COMMENT ${formatString(s.comment)}` : '';
      return `CREATE ${temporary(s.temporary)}VIEW ${ifNotExists(s.ifNotExists)}${formatName(s.name)}${cols}${comment} AS ${formatQuery(s.query)}`;
    }
    case 'createFunction':
      return `CREATE ${temporary(s.temporary)}${s.system ? 'SYSTEM ' : ''}FUNCTION ${ifNotExists(s.ifNotExists)}${formatName(s.name)} AS ${formatString(s.className)}${s.language !== null ? ` LANGUAGE ${s.language}` : ''}`;
    case 'createCatalog':
      return `CREATE CATALOG ${ifNotExists(s.ifNotExists)}${formatIdent(s.name)} WITH ${options(s.options)}`;
    case 'createDatabase':
      return `CREATE DATABASE ${ifNotExists(s.ifNotExists)}${formatName(s.name)}${tableTail(s.comment, [], s.options)}`;
    case 'drop': {
      const cascade = s.cascade === null ? '' : s.cascade ? ' CASCADE' : ' RESTRICT';
      return `DROP ${temporary(s.temporary)}${s.system ? 'SYSTEM ' : ''}${s.object} ${s.ifExists ? 'IF EXISTS ' : ''}${formatName(s.name)}${cascade}`;
    }
    case 'alterTable': {
      const head = `ALTER TABLE ${s.ifExists ? 'IF EXISTS ' : ''}${formatName(s.name)}`;
      const a = s.action;
      if (a.kind === 'setOptions') return `${head} SET ${options(a.options)}`;
      if (a.kind === 'resetOptions') return `${head} RESET (${a.keys.map(formatString).join(', ')})`;
      return `${head} RENAME TO ${formatName(a.newName)}`;
    }
    case 'alterView':
      return `ALTER VIEW ${formatName(s.name)} ${s.action.kind === 'rename' ? `RENAME TO ${formatName(s.action.newName)}` : `AS ${formatQuery(s.action.query)}`}`;
    case 'insert':
      return formatInsert(s);
    case 'statementSet': {
      const body = s.inserts.map((i) => `${formatInsert(i)};`).join(' ');
      return s.form === 'execute'
        ? `EXECUTE STATEMENT SET BEGIN ${body} END`
        : `BEGIN STATEMENT SET; ${body}${body.length > 0 ? ' ' : ''}END`;
    }
    case 'query':
      return formatQuery(s.query);
    case 'set':
      return s.key === null ? 'SET' : `SET ${formatString(s.key)} = ${formatString(s.value ?? '')}`;
    case 'reset':
      return s.key === null ? 'RESET' : `RESET ${formatString(s.key)}`;
    case 'show': {
      let out = `SHOW ${s.what}`;
      if (s.from !== null) out += ` FROM ${formatName(s.from)}`;
      if (s.like !== null) out += ` ${not(s.like.negated)}LIKE ${formatString(s.like.pattern)}`;
      return out;
    }
    case 'showCreate':
      return `SHOW CREATE ${s.object} ${formatName(s.name)}`;
    case 'describe':
      return `DESCRIBE ${s.function === true ? 'FUNCTION ' : ''}${s.extended ? 'EXTENDED ' : ''}${formatName(s.name)}`;
    case 'explain':
      return `EXPLAIN ${s.details.length > 0 ? `${s.details.join(', ')} ` : ''}${formatStatement(s.statement)}`;
    case 'use':
      return s.catalog ? `USE CATALOG ${formatName(s.name)}` : `USE ${formatName(s.name)}`;
    case 'stopJob':
      return `STOP JOB ${formatString(s.jobId)}${s.withSavepoint ? ' WITH SAVEPOINT' : ''}${s.withDrain ? ' WITH DRAIN' : ''}`;
    case 'help':
      return 'HELP';
    case 'quit':
      return 'QUIT';
    default: {
      const never: never = s;
      throw new Error(`unhandled statement ${JSON.stringify(never)}`);
    }
  }
}

/** A script: each statement followed by `;` on its own line. */
export function formatScript(statements: readonly A.Statement[]): string {
  return statements.map((s) => `${formatStatement(s)};\n`).join('');
}
