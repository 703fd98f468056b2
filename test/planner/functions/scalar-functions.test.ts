// Runs scalar-functions.txt: every `expression ; expected ; type` row is evaluated through the real pipeline
// (SELECT <expression> FROM one_row_table) and checked for its printed value and its result type.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evalExpr, testEnv } from '../../support/sql.js';

interface Case {
  readonly expr: string;
  readonly expected: string;
  readonly type: string;
  readonly line: number;
}

function load(): Map<string, Case[]> {
  const text = readFileSync(new URL('./scalar-functions.txt', import.meta.url), 'utf8');
  const sections = new Map<string, Case[]>();
  let section = 'unsectioned';
  text.split('\n').forEach((raw, k) => {
    const line = raw.trimEnd();
    if (line.startsWith('## ')) {
      section = line.slice(3).trim();
      sections.set(section, []);
      return;
    }
    if (line.trim() === '' || line.startsWith('#')) return;
    // Split at the last two ` ; ` so expressions and expected values may contain semicolons.
    const typeAt = line.lastIndexOf(' ; ');
    const expectedAt = line.lastIndexOf(' ; ', typeAt - 1);
    if (typeAt < 0 || expectedAt < 0) throw new Error(`scalar-functions.txt:${k + 1}: expected 'expression ; expected ; type'`);
    const c = { expr: line.slice(0, expectedAt), expected: line.slice(expectedAt + 3, typeAt), type: line.slice(typeAt + 3).trim(), line: k + 1 };
    const list = sections.get(section) ?? [];
    list.push(c);
    sections.set(section, list);
  });
  return sections;
}

const env = testEnv();

for (const [section, cases] of load()) {
  describe(section, () => {
    for (const c of cases) {
      it(`${c.expr} (${section}, line ${c.line})`, async () => {
        const r = await evalExpr(c.expr, env);
        expect({ value: r.text, type: r.type }).toEqual({ value: c.expected, type: c.type });
      });
    }
  });
}
