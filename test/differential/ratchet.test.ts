// The ratchet's contract (ratchet.ts): listed failures must stay exactly as listed, and a listed case that now
// passes fails the suite so that its entry is removed.
import { describe, expect, it } from 'vitest';
import { parseQueryFile } from './query-file.js';
import { judge, listed } from './ratchet.js';

describe('judge', () => {
  const unsupported = 'unsupported: GROUP BY is not supported';
  it('passes an unlisted passing case and fails an unlisted failing or wrong one', () => {
    expect(judge({ kind: 'pass' }, undefined, undefined)).toBeNull();
    expect(judge({ kind: 'unsupported', message: unsupported }, undefined, undefined)).toMatch(/^fails: /);
    expect(judge({ kind: 'wrong', message: 'expected 2 rows, got 1' }, undefined, undefined)).toMatch(
      /^differs from the oracle/,
    );
  });
  it('holds a listed failure to its exact message', () => {
    expect(judge({ kind: 'unsupported', message: unsupported }, unsupported, undefined)).toBeNull();
    expect(
      judge({ kind: 'unsupported', message: 'unsupported: HAVING is not supported' }, unsupported, undefined),
    ).toMatch(/but it fails with/);
    expect(judge({ kind: 'wrong', message: 'expected 2 rows, got 1' }, unsupported, undefined)).toMatch(
      /runs and differs/,
    );
  });
  it('fails a listed case that now passes, so that the list shrinks', () => {
    expect(judge({ kind: 'pass' }, unsupported, undefined)).toMatch(/remove it/);
    expect(judge({ kind: 'pass' }, undefined, 'expected 2 rows, got 1')).toMatch(/remove it/);
  });
  it('accepts a listed wrong answer while it stays wrong', () => {
    expect(
      judge({ kind: 'wrong', message: 'expected 5 rows, got 4' }, undefined, 'expected 2 rows, got 1\nnote'),
    ).toBeNull();
  });
  it('lets an intermittent wrong answer pass or stay wrong', () => {
    expect(judge({ kind: 'pass' }, undefined, '[intermittent] updates at parallelism 2')).toBeNull();
    expect(
      judge({ kind: 'wrong', message: 'x' }, undefined, '[intermittent] updates at parallelism 2'),
    ).toBeNull();
    expect(
      judge({ kind: 'unsupported', message: 'x' }, undefined, '[intermittent] updates at parallelism 2'),
    ).toMatch(/^fails/);
  });
  it('reads per-mode entries', () => {
    const list = { a: 'm', b: { batch: 'x' } };
    expect(listed(list, 'a', 'batch')).toBe('m');
    expect(listed(list, 'b', 'batch')).toBe('x');
    expect(listed(list, 'b', 'streaming-p1')).toBeUndefined();
  });
});

describe('query files', () => {
  it('parse options, types, comments and the oracle part', () => {
    const [q, r] = parseQueryFile(
      [
        '## heading',
        'query a-1 empty insert-only',
        '# why',
        'types: INT, DECIMAL(38, 2)',
        'SELECT 1',
        'FROM t',
        '----',
        'SELECT 2',
        '',
        'query b',
        'SELECT 3',
        '',
      ].join('\n'),
      'f.sql',
    );
    expect(q).toMatchObject({
      id: 'a-1',
      line: 2,
      sql: 'SELECT 1\nFROM t',
      oracle: 'SELECT 2',
      allowEmpty: true,
      insertOnly: true,
      types: ['INT', 'DECIMAL(38, 2)'],
    });
    expect(r).toMatchObject({
      id: 'b',
      sql: 'SELECT 3',
      oracle: 'SELECT 3',
      allowEmpty: false,
      insertOnly: false,
      types: null,
    });
    expect(() => parseQueryFile('query x bogus\nSELECT 1\n', 'f.sql')).toThrow(/unknown option 'bogus'/);
  });
});
