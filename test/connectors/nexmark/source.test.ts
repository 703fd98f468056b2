// The nexmark source connector through SQL: the reference DDL and views of NEXMARK.md §1, exact event counts and
// ids through the computed dateTime and ROW field access, the flat per-entity tables, option and column checks.
import { describe, expect, it } from 'vitest';
import { TableEnvironment, SqlError } from '../../../index.js';

const DDL = (opts: string): string => `CREATE TABLE datagen (
  event_type INT,
  person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
  bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', ${opts})`;

const VIEWS = [
  'CREATE VIEW person AS SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, `dateTime`, person.extra FROM datagen WHERE event_type = 0',
  'CREATE VIEW auction AS SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve, `dateTime`, auction.expires, auction.seller, auction.category, auction.extra FROM datagen WHERE event_type = 1',
  'CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra FROM datagen WHERE event_type = 2',
];

function nexmark(events: number): TableEnvironment {
  const env = TableEnvironment.create();
  env.executeSql(DDL(`'events.num' = '${events}', 'base-time' = '0', 'seed' = '1'`));
  for (const v of VIEWS) env.executeSql(v);
  return env;
}

describe('nexmark source', () => {
  it('follows the reference DDL and views: 1 person, 3 auctions and 46 bids per 50 events', async () => {
    const env = nexmark(5000);
    expect(await env.executeSql('SELECT id FROM person').materialize()).toHaveLength(100);
    expect(await env.executeSql('SELECT id FROM auction').materialize()).toHaveLength(300);
    expect(await env.executeSql('SELECT auction FROM bid').materialize()).toHaveLength(4600);
  });

  it('matches the first-events table of NEXMARK.md §5 (rate 10000, P = 1, baseTime 0)', async () => {
    const env = nexmark(5001);
    const rows = await env.executeSql('SELECT id, `dateTime` FROM auction WHERE id IN (1001, 1002, 1003, 1300)').materialize();
    expect(rows).toEqual([
      [1001n, 0],
      [1002n, 0],
      [1003n, 5],
      [1300n, 500],
    ]);
    const persons = await env.executeSql('SELECT id, `dateTime` FROM person WHERE id IN (1001, 1002, 1100)').materialize();
    expect(persons).toEqual([
      [1001n, 4],
      [1002n, 9],
      [1100n, 499],
    ]);
    // Hot seller 1100, or randPerson(e) + 1000: lastPerson(5001) = 100, so np = 101 and the pick is in [0, 111).
    const [[seller]] = (await env.executeSql('SELECT seller FROM auction WHERE id = 1300').materialize()) as [[bigint]];
    expect(seller).toBeGreaterThanOrEqual(1000n);
    expect(seller).toBeLessThanOrEqual(1110n);
  });

  it('offers one entity as flat columns with the table option', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, \`dateTime\` TIMESTAMP(3),
      WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '1' SECOND)
      WITH ('connector' = 'nexmark', 'table' = 'bid', 'events.num' = '100', 'base-time' = '0')`);
    const rows = await env.executeSql('SELECT auction, bidder, price FROM bids').materialize();
    expect(rows).toHaveLength(92);
    for (const [auction, bidder, price] of rows) {
      expect(Number(auction)).toBeGreaterThanOrEqual(1000);
      expect(Number(bidder)).toBeGreaterThanOrEqual(2000);
      expect(Number(price)).toBeGreaterThanOrEqual(100);
    }
  });

  it('paces events to the wall clock when max-emit-speed is false', async () => {
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE p (id BIGINT) WITH ('connector' = 'nexmark', 'table' = 'person', 'first-event.rate' = '5000',
      'max-emit-speed' = 'false', 'events.num' = '1000')`);
    const t0 = Date.now();
    expect(await env.executeSql('SELECT id FROM p').materialize()).toHaveLength(20);
    // 1000 events at 5000 per second take ~200 ms of event time.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('checks options and columns at CREATE TABLE time', () => {
    const err = (sql: string): string => {
      try {
        TableEnvironment.create().executeSql(sql);
      } catch (e) {
        if (e instanceof SqlError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(err("CREATE TABLE t (price INT) WITH ('connector' = 'nexmark', 'table' = 'bid')")).toBe("column 'price' must be declared as BIGINT for the nexmark source, not INT");
    expect(err("CREATE TABLE t (cost BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid')")).toMatch(/^the nexmark source has no column 'cost'/);
    expect(err("CREATE TABLE t (id BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bids')")).toMatch(/^invalid value 'bids' for option 'table'/);
    expect(err("CREATE TABLE t (id BIGINT) WITH ('connector' = 'nexmark', 'table' = 'person', 'events.num' = '-1')")).toMatch(/events\.num/);
  });
});
