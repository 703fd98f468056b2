// The continuous result table with Flink's SQL-client row cap 'sql-client.execution.max-table-result.rows'
// (MaterializedCollectStreamResult): past the cap the oldest rows go, the newest stay, a notice comes once, and a
// retraction of a row that was dropped for the cap is ignored (before any drop it is an error upstream).
import { describe, expect, it } from 'vitest';
import { MaterializedTable } from '../../../executor/sql/materialize.js';

describe('MaterializedTable', () => {
  it('applies a changelog by row identity, in arrival order', () => {
    const t = new MaterializedTable(0);
    t.apply(true, ['a', 1]);
    t.apply(true, ['b', 1]);
    t.apply(true, ['a', 1]);
    t.apply(false, ['b', 1]);
    t.apply(true, ['c', 2]);
    expect(t.rows()).toEqual([['a', 1], ['a', 1], ['c', 2]]);
    expect(() => t.apply(false, ['z', 9])).toThrow(/retraction of a row that is not in the result/);
  });

  it('keeps the newest rows past the cap and says so once', () => {
    const t = new MaterializedTable(3);
    const messages = [1, 2, 3, 4, 5].map((i) => t.apply(true, [i])).filter((m) => m !== null);
    expect(t.rows()).toEqual([[3], [4], [5]]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/'sql-client.execution.max-table-result.rows' = 3: the oldest rows are dropped/);
    // Row 1 was dropped for the cap: its retraction is ignored; row 4's removes it.
    expect(t.apply(false, [1])).toBeNull();
    t.apply(false, [4]);
    t.apply(true, [6]);
    expect(t.rows()).toEqual([[3], [5], [6]]);
    expect(t.droppedRows).toBe(2);
  });

  it('stays correct through compaction of a long-running result', () => {
    const t = new MaterializedTable(100);
    for (let i = 0; i <= 10_000; i++) {
      t.apply(true, [i]);
      if (i % 3 === 0) t.apply(false, [i]);
    }
    const rows = t.rows().map((r) => r[0] as number);
    expect(rows).toHaveLength(100);
    expect(rows[99]).toBe(10_000);
    expect(rows.every((x) => x % 3 !== 0)).toBe(true);
  });
});
