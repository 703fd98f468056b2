// TableResult.table(): the result as a live materialized table (issue #4's `result.table()`, issue #8's row cap):
// the changelog folded as it arrives, the newest rows kept beyond the cap with one message.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'freshet-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, 'w.csv'), ['a,1', 'b,2', 'a,3', 'c,4', 'a,5'].join('\n') + '\n');

function env(): TableEnvironment {
  const e = TableEnvironment.create();
  e.executeSql(`CREATE TABLE w (k STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '${path.join(dir, 'w.csv')}', 'format' = 'csv')`);
  return e;
}

describe('TableResult.table()', () => {
  it('folds updates into the current table', async () => {
    const live = env().executeSql('SELECT k, SUM(n) AS s FROM w GROUP BY k').table();
    await live.done;
    expect(live.rows().map((r) => r.join(':')).sort()).toEqual(['a:9', 'b:2', 'c:4']);
    expect(live.size).toBe(3);
    expect(live.changes).toBeGreaterThan(3); // a's updates were -U/+U pairs
    expect(live.message).toBeNull();
  });

  it('keeps the newest rows beyond the row cap and says so once', async () => {
    const live = env().executeSql('SELECT k, n FROM w').table({ maxRows: 2 });
    await live.done;
    expect(live.rows()).toEqual([
      ['c', 4],
      ['a', 5],
    ]);
    expect(live.message).toBe(
      "The result has more rows than 'sql-client.execution.max-table-result.rows' = 2: the oldest rows are dropped and only the newest 2 are shown.",
    );
  });
});
