// The Nexmark views of NEXMARK.md §1.2 over the real `nexmark` source: ROW field access in a computed column,
// the watermark expression and the views' projections, end to end through TableEnvironment.
import { describe, expect, it } from 'vitest';
import { TableEnvironment, formatValueText } from '../../../index.js';

const DDL = `CREATE TABLE datagen (
  event_type INT,
  person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR,
              city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT,
              reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3),
              seller BIGINT, category BIGINT, extra VARCHAR>,
  bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
              url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\`
                     WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '1000', 'next-event.rate' = '1000', 'events.num' = '200')`;

describe('Nexmark views (NEXMARK.md §1.2: ROW field access per Flink scoping)', () => {
  it('person and bid views project ROW fields and keep the rowtime', async () => {
    const env = TableEnvironment.create();
    env.executeSql(DDL);
    env.executeSql(
      'CREATE VIEW person AS SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, `dateTime`, person.extra FROM datagen WHERE event_type = 0',
    );
    env.executeSql('CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra FROM datagen WHERE event_type = 2');
    expect(env.resolveSchema('SELECT * FROM person').fields.map((f) => f.name)).toEqual(['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra']);
    const persons = await env.executeSql('SELECT id, name FROM person').materialize();
    // Any 50 consecutive event ids hold one person; ids start at 1001 (NEXMARK.md §2.2).
    expect(persons.map((r) => r[0])).toEqual([1001n, 1002n, 1003n, 1004n]);
    expect(persons.every((r) => typeof r[1] === 'string' && r[1] !== '')).toBe(true);
    const bids = env.executeSql('SELECT auction, price, `dateTime` FROM bid');
    const type = bids.schema?.field(2).type;
    const rows = await bids.materialize();
    expect(rows.length).toBe(184);
    expect(rows.every((r) => typeof r[1] === 'bigint' && r[0] !== null)).toBe(true);
    expect(type === undefined ? '' : formatValueText(rows[0]?.[2] ?? null, type)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });
});
