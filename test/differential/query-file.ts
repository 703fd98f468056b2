// Query files (test/differential/queries/*.sql): adding a case needs no TypeScript.
//
//   # a comment (also: a `## section` heading)
//   query <id> [empty] [insert-only]
//   types: INT, DECIMAL(38, 2)        (optional: Flink's result column types, nullability left out)
//   <Freshet SQL, one or more lines>
//   ----
//   <DuckDB oracle SQL; when the ---- part is absent the oracle runs the Freshet SQL as it is>
//   (a blank line ends the case)
//
// `empty` says the expected result is empty on purpose; otherwise an empty oracle result fails the case, so a
// query cannot pass by selecting nothing on both sides. `insert-only` says Flink's changelog of the query has
// only +I rows (projections, window aggregations, window Top-N, inner joins of insert-only inputs, interval and
// window joins, OVER): an update or delete in Freshet's changelog is then wrong even if the fold agrees.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface QueryCase {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly sql: string;
  readonly oracle: string;
  readonly allowEmpty: boolean;
  readonly insertOnly: boolean;
  /** Expected result column types as DESCRIBE prints them without NOT NULL, when the case states them. */
  readonly types: readonly string[] | null;
}

export function parseQueryFile(text: string, file: string): QueryCase[] {
  const cases: QueryCase[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = (lines[i] as string).trimEnd();
    if (line === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const head = /^query\s+([A-Za-z0-9_.-]+)((?:\s+[\w-]+)*)$/.exec(line);
    if (head === null) throw new Error(`${file}:${i + 1}: expected 'query <id>', got: ${line}`);
    const start = i + 1;
    const options = (head[2] ?? '').trim().split(/\s+/).filter(Boolean);
    for (const o of options)
      if (o !== 'empty' && o !== 'insert-only') throw new Error(`${file}:${start}: unknown option '${o}'`);
    i++;
    const sql: string[] = [];
    const oracle: string[] = [];
    let types: string[] | null = null;
    let target = sql;
    while (i < lines.length && (lines[i] as string).trim() !== '') {
      const l = lines[i] as string;
      const typesLine = target === sql && sql.length === 0 ? /^types:\s*(.*)$/.exec(l.trim()) : null;
      // Split on commas outside parentheses: DECIMAL(38, 2) is one type.
      if (typesLine !== null) types = (typesLine[1] as string).split(/,(?![^(]*\))/).map((t) => t.trim());
      else if (l.trim() === '----') target = oracle;
      else if (!l.trimStart().startsWith('#')) target.push(l);
      i++;
    }
    if (sql.length === 0) throw new Error(`${file}:${start}: query ${head[1]} has no SQL`);
    const text = sql.join('\n').trim();
    cases.push({
      id: head[1] as string,
      file,
      line: start,
      sql: text,
      oracle: oracle.length > 0 ? oracle.join('\n').trim() : text,
      allowEmpty: options.includes('empty'),
      insertOnly: options.includes('insert-only'),
      types,
    });
  }
  return cases;
}

export function loadQueries(dir: string): QueryCase[] {
  const all: QueryCase[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.sql'))
    .sort())
    all.push(...parseQueryFile(readFileSync(join(dir, name), 'utf8'), name));
  const seen = new Map<string, QueryCase>();
  for (const c of all) {
    const other = seen.get(c.id);
    if (other !== undefined)
      throw new Error(
        `query id '${c.id}' is used twice (${other.file}:${other.line} and ${c.file}:${c.line})`,
      );
    seen.set(c.id, c);
  }
  return all;
}
