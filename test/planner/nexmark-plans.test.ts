// Golden EXPLAIN plans of every Nexmark query (../shared/NEXMARK.md §3, the statements of the parser corpus),
// and each supported query run to completion on a small bounded Nexmark input. A query the engine cannot plan
// has its error as its golden text, so support changes show up as a diff. Update the files with
//   UPDATE_GOLDEN=1 npx vitest run test/planner/nexmark-plans.test.ts
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import type { Value } from '../../executor/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = readFileSync(join(here, '../parser/corpus.sql'), 'utf8');
const section = corpus.slice(
  corpus.indexOf('\n', corpus.indexOf('Nexmark §3: queries')) + 1,
  corpus.indexOf('-- ====', corpus.indexOf('Nexmark §3: queries')),
);
const statements = section
  .split(/;\s*\n/)
  .map((s) => s.replace(/^--.*\n/gm, '').trim())
  .filter((s) => s.startsWith('INSERT INTO nexmark_q') || s.startsWith('CREATE VIEW'));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const goldenDir = join(here, 'golden/nexmark');

function env(events: number): TableEnvironment {
  const e = TableEnvironment.create();
  const ddl = corpus.slice(
    corpus.indexOf('CREATE TABLE datagen ('),
    corpus.indexOf('CREATE TABLE datagen_v2'),
  );
  e.executeSql(
    ddl
      .replace("'${TPS}'", "'10000000'")
      .replace("'${TPS}'", "'10000000'")
      .replace("'${EVENTS_NUM}'", `'${events}'`)
      .replace(/;\s*$/, ''),
  );
  const views = corpus.slice(
    corpus.indexOf('CREATE VIEW person AS'),
    corpus.indexOf('-- ====', corpus.indexOf('CREATE VIEW person AS')),
  );
  // q13's bounded side input: `i,i` for i = 0..9999, as Nexmark's SideInputGenerator writes it.
  e.executeSql(`CREATE TABLE side_input (key BIGINT, \`value\` VARCHAR) WITH ('connector' = 'filesystem', 'path' = '${sideInput()}', 'format' = 'csv')`);
  for (const v of views
    .split(';')
    .map((x) => x.trim())
    .filter((x) => x !== ''))
    e.executeSql(v);
  e.createTemporarySystemFunction('count_char', {
    eval: (s: Value, c: Value) =>
      typeof s === 'string' && typeof c === 'string'
        ? [...Buffer.from(s)].filter((b) => b === Buffer.from(c)[0]).length
        : 0,
    resultType: { kind: 'BIGINT', nullable: false },
  });
  return e;
}

let sideInputPath: string | null = null;
function sideInput(): string {
  if (sideInputPath === null) {
    sideInputPath = join(mkdtempSync(join(tmpdir(), 'freshet-nexmark-')), 'side_input.txt');
    writeFileSync(sideInputPath, Array.from({ length: 10_000 }, (_v, i) => `${i},${i}`).join('\n') + '\n');
  }
  return sideInputPath;
}

const queries = statements
  .filter((s) => s.startsWith('INSERT'))
  .map((s) => {
    const name = /nexmark_(q\d+)/.exec(s)?.[1] as string;
    return { name, select: s.replace(/^INSERT INTO nexmark_q\d+\s+/, '') };
  });

describe('Nexmark queries', () => {
  it('finds every query of NEXMARK.md in the corpus', () => {
    expect(queries.map((q) => q.name)).toEqual([
      'q0',
      'q1',
      'q2',
      'q3',
      'q4',
      'q5',
      'q7',
      'q8',
      'q9',
      'q11',
      'q12',
      'q13',
      'q14',
      'q15',
      'q16',
      'q17',
      'q18',
      'q19',
      'q20',
      'q21',
      'q22',
    ]);
  });

  for (const q of queries) {
    it(`${q.name}: EXPLAIN matches golden/nexmark/${q.name}.txt`, () => {
      const e = env(1000);
      // q12's view is part of its statement in the spec.
      if (q.name === 'q12') e.executeSql('CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid');
      let text: string;
      try {
        text = e.explainSql(q.select);
      } catch (err) {
        text = `ERROR: ${(err as Error).message.split('\n')[0]}\n`;
      }
      const file = join(goldenDir, `${q.name}.txt`);
      if (UPDATE || !existsSync(file)) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }

  // Every query that plans also runs to the end of a bounded input (watermark to +inf fires all windows).
  for (const q of queries) {
    it(`${q.name}: runs on 3000 generated events`, async () => {
      const e = env(3000);
      if (q.name === 'q12') e.executeSql('CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid');
      const golden = readFileSync(join(goldenDir, `${q.name}.txt`), 'utf8');
      if (golden.startsWith('ERROR: ')) {
        expect(() => e.executeSql(q.select)).toThrow(golden.slice(7).trim().slice(0, 40));
        return;
      }
      const rows = await e.executeSql(q.select).materialize();
      expect(rows.length).toBeGreaterThanOrEqual(0);
    }, 30_000);
  }
});
