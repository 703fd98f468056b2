// Runs test/slt/*.slt: exact changelogs of small inputs taken from Flink's documentation (each file cites its
// page). The same ratchet as the differential suite holds what the engine cannot run yet or gets wrong (keys are
// `file:query-id`); see test/differential/ratchet.ts and docs/testing.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, listed, ListWriter, readList, UPDATE, type Outcome } from '../differential/ratchet.js';
import { errorText } from '../differential/runner.js';
import { compareEntries, parseSlt, SltSession, type Directive } from './slt.js';

const HERE = import.meta.dirname;
const UNSUPPORTED_PATH = join(HERE, 'known-unsupported.json');
const WRONG_PATH = join(HERE, 'known-wrong.json');
const MODE = 'streaming-p1';
const unsupported = readList(UNSUPPORTED_PATH);
const wrong = readList(WRONG_PATH);
const writer = new ListWriter();
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (UPDATE) writer.write(UNSUPPORTED_PATH, WRONG_PATH, wrong);
});

const files = readdirSync(HERE)
  .filter((f) => f.endsWith('.slt'))
  .sort();

it('lists only queries that exist', () => {
  const ids = new Set(
    files.flatMap((f) =>
      parseSlt(readFileSync(join(HERE, f), 'utf8'), f).flatMap((d) =>
        d.kind === 'query' ? [`${f}:${d.id}`] : [],
      ),
    ),
  );
  expect(Object.keys(unsupported).filter((k) => !ids.has(k))).toEqual([]);
  expect(Object.keys(wrong).filter((k) => !ids.has(k))).toEqual([]);
});

for (const file of files) {
  describe(file, () => {
    const directives = parseSlt(readFileSync(join(HERE, file), 'utf8'), file);
    let session: SltSession | null = null;
    let next = 0;
    /** A failed statement makes every later query of the file fail with its message. */
    let broken: string | null = null;
    const setUp = (upTo: Directive): void => {
      if (session === null) {
        const dir = mkdtempSync(join(tmpdir(), 'freshet-slt-'));
        dirs.push(dir);
        session = new SltSession(dir);
      }
      for (; directives[next] !== upTo; next++) {
        const d = directives[next] as Directive;
        if (broken !== null) continue;
        try {
          if (d.kind === 'statement') session.statement(d.sql);
          else if (d.kind === 'data') session.data(d.name, d.files);
        } catch (e) {
          broken = errorText(e).replaceAll(session.dataDir, '$data');
        }
      }
      next++;
    };
    for (const d of directives) {
      if (d.kind !== 'query') continue;
      const key = `${file}:${d.id}`;
      it(`${d.id} (${file}:${d.line})`, async () => {
        setUp(d);
        let outcome: Outcome;
        if (broken !== null) outcome = { kind: 'unsupported', message: broken };
        else {
          try {
            const got = await (session as SltSession).query(d.sql, d.mode);
            const mismatch = compareEntries(d.expected, got, d.mode);
            outcome = mismatch === null ? { kind: 'pass' } : { kind: 'wrong', message: mismatch };
          } catch (e) {
            outcome = {
              kind: 'unsupported',
              message: errorText(e).replaceAll((session as SltSession).dataDir, '$data'),
            };
          }
        }
        writer.record(key, MODE, outcome);
        if (UPDATE) return;
        const verdict = judge(outcome, listed(unsupported, key, MODE), listed(wrong, key, MODE));
        if (verdict !== null) expect.fail(`${key} ${verdict}\n--- query:\n${d.sql}`);
      });
    }
  });
}
