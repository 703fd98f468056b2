// Runs test/sql/*.slt with the runner of test/slt (one session per file, exact changelogs): the planner's own
// SQL features (CURRENT_WATERMARK, LATERAL subqueries, CREATE FUNCTION). No ratchet here: every query must pass.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareEntries, parseSlt, SltSession, type Directive } from '../slt/slt.js';

const HERE = import.meta.dirname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

for (const file of readdirSync(HERE)
  .filter((f) => f.endsWith('.slt'))
  .sort()) {
  describe(file, () => {
    const directives = parseSlt(readFileSync(join(HERE, file), 'utf8'), file);
    let session: SltSession | null = null;
    let next = 0;
    const setUp = (upTo: Directive): SltSession => {
      if (session === null) {
        const dir = mkdtempSync(join(tmpdir(), 'freshet-sql-'));
        dirs.push(dir);
        session = new SltSession(dir);
      }
      for (; directives[next] !== upTo; next++) {
        const d = directives[next] as Directive;
        if (d.kind === 'statement') session.statement(d.sql.replaceAll('$here', HERE));
        else if (d.kind === 'data') session.data(d.name, d.files);
      }
      next++;
      return session;
    };
    for (const d of directives) {
      if (d.kind !== 'query') continue;
      it(`${d.id} (${file}:${d.line})`, async () => {
        const s = setUp(d);
        const got = await s.query(d.sql, d.mode);
        const mismatch = compareEntries(d.expected, got, d.mode);
        if (mismatch !== null) expect.fail(`${file}:${d.id}\n${mismatch}\n--- query:\n${d.sql}`);
      });
    }
  });
}
