// Content assist: given text and a cursor offset, the keywords and symbols that may come next and whether a
// table, column or function name fits there.
import { describe, expect, it } from 'vitest';
import { complete } from '../../parser/index.js';

const at = (text: string) => complete(text, text.length);

describe('complete', () => {
  it('offers statement keywords at the start', () => {
    const c = at('');
    expect(c.valid).toBe(true);
    for (const k of ['SELECT', 'CREATE', 'INSERT', 'SET', 'SHOW', 'EXPLAIN', 'WITH', 'VALUES']) expect(c.keywords).toContain(k);
    expect(c.table || c.column).toBe(false);
  });

  it('offers tables after FROM, JOIN and INSERT INTO', () => {
    for (const text of ['SELECT * FROM ', 'SELECT * FROM t JOIN ', 'INSERT INTO ', 'DESCRIBE ', 'DROP TABLE ']) {
      const c = at(text);
      expect(c.table, text).toBe(true);
      expect(c.column, text).toBe(false);
    }
    expect(at('SELECT * FROM ').keywords).toEqual(['LATERAL', 'TABLE', 'UNNEST']);
  });

  it('offers columns, functions and expression keywords in expressions', () => {
    for (const text of ['SELECT ', 'SELECT a FROM t WHERE ', 'SELECT a FROM t WHERE a = ', 'SELECT a FROM t GROUP BY ']) {
      const c = at(text);
      expect(c.column, text).toBe(true);
      expect(c.function, text).toBe(true);
      expect(c.table, text).toBe(false);
      expect(c.keywords, text).toContain('CASE');
      expect(c.keywords, text).toContain('CAST');
    }
    expect(at('SELECT ').keywords).toContain('DISTINCT');
    expect(at('SELECT a FROM t WHERE a = ').literal).toBe(true);
    expect(at('SELECT t.').column).toBe(true);
  });

  it('filters keywords by the word being typed and says where it starts', () => {
    const c = at('SELECT a FROM t WH');
    expect(c.prefix).toBe('WH');
    expect(c.from).toBe(16);
    expect(c.keywords).toEqual(['WHERE']);
    expect(at('SELECT a FROM t GROUP ').keywords).toEqual(['BY']);
  });

  it('follows the grammar after a complete clause', () => {
    const c = at('SELECT a FROM t ');
    for (const k of ['WHERE', 'GROUP', 'ORDER', 'JOIN', 'LEFT', 'UNION', 'LIMIT', 'AS']) expect(c.keywords).toContain(k);
    expect(c.canEnd).toBe(true);
    expect(c.symbols).toContain(',');
    expect(c.newName).toBe(true);
  });

  it('knows new names from existing ones', () => {
    const c = at('CREATE TABLE ');
    expect(c.table).toBe(false);
    expect(c.newName).toBe(true);
    expect(c.keywords).toEqual(['IF']);
  });

  it('completes inside the current statement of a script and at a cursor in the middle', () => {
    expect(at('SELECT 1; SELECT * FROM ').table).toBe(true);
    const text = 'SELECT * FROM  WHERE a > 1';
    expect(complete(text, 14).table).toBe(true);
  });

  it('says when the text before the cursor is already wrong', () => {
    expect(at('SELECT FROM FROM ').valid).toBe(false);
  });
});
