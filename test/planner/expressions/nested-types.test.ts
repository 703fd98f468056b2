// Expressions over ROW/ARRAY/MAP columns through the compiled Calc: field access read from struct child
// columns (NULL rows, wide BIGINT children, filters on fields), and nested outputs built per row.
import { describe, expect, it } from 'vitest';
import type { Value } from '../../../index.js';
import { queryText, testEnv } from '../../support/sql.js';

const EVENT = 'ROW<id BIGINT, name STRING, city STRING>';

function nexmarkLike(): ReturnType<typeof testEnv> {
  const env = testEnv();
  const rows: Value[][] = [
    [0, [1000n, 'Ann', 'Paris'], null, Date.UTC(2024, 0, 1, 10, 0, 0)],
    [2, null, [1000n, 2n ** 62n, 'web'], Date.UTC(2024, 0, 1, 10, 0, 1)],
    [0, [1001n, null, 'Oslo'], null, Date.UTC(2024, 0, 1, 10, 0, 2)],
    [2, null, [1001n, 7n, 'app'], Date.UTC(2024, 0, 1, 10, 0, 3)],
  ];
  env.table(
    'events',
    [
      { name: 'event_type', sql: 'INT' },
      { name: 'person', sql: EVENT },
      { name: 'bid', sql: 'ROW<auction BIGINT, price BIGINT, channel STRING>' },
      { name: 'dateTime', sql: 'TIMESTAMP(3)' },
    ],
    rows,
  );
  return env;
}

describe('ROW field access (Flink docs: Data Types > ROW; NEXMARK.md §1.2 views)', () => {
  it('projects the Nexmark person view: fields of a ROW column filtered by event type', async () => {
    const env = nexmarkLike();
    const rows = await queryText('SELECT person.id AS id, person.name AS name, person.city, `dateTime` FROM events WHERE event_type = 0', env);
    expect(rows).toEqual([
      ['1000', 'Ann', 'Paris', '2024-01-01 10:00:00.000'],
      ['1001', 'NULL', 'Oslo', '2024-01-01 10:00:02.000'],
    ]);
  });

  it('reads a BIGINT field beyond 2^53 exactly (the batch reruns on BigInt) and computes on it', async () => {
    const env = nexmarkLike();
    const rows = await queryText('SELECT events.bid.price + 1, bid.channel FROM events WHERE event_type = 2', env);
    expect(rows).toEqual([
      ['4611686018427387905', 'web'],
      ['8', 'app'],
    ]);
  });

  it('filters on a field; a field of a NULL row is NULL', async () => {
    const env = nexmarkLike();
    expect(await queryText("SELECT person.id FROM events WHERE person.city = 'Oslo'", env)).toEqual([['1001']]);
    expect(await queryText('SELECT bid.price IS NULL, person.name FROM events WHERE event_type = 2', env)).toEqual([
      ['FALSE', 'NULL'],
      ['FALSE', 'NULL'],
    ]);
  });

  it('builds nested outputs per row: ROW(...), ARRAY[...], a cast ROW and a whole ROW in CASE', async () => {
    const env = nexmarkLike();
    const rows = await queryText(
      "SELECT ROW(person.id, UPPER(person.city)), ARRAY[bid.price, bid.auction], CAST(bid AS ROW<a STRING, p DOUBLE, c STRING>), CASE WHEN event_type = 0 THEN person END FROM events",
      env,
    );
    expect(rows).toEqual([
      ['(1000, PARIS)', '[NULL, NULL]', 'NULL', '(1000, Ann, Paris)'],
      ['(NULL, NULL)', '[4611686018427387904, 1000]', '(1000, 4.611686018427388E18, web)', 'NULL'],
      ['(1001, OSLO)', '[NULL, NULL]', 'NULL', '(1001, NULL, Oslo)'],
      ['(NULL, NULL)', '[7, 1001]', '(1001, 7.0, app)', 'NULL'],
    ]);
  });
});
