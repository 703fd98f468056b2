// The shell's demo catalog and the banner that introduces it: `persons`, `auctions` and `bids` on the built-in
// Nexmark generator, paced to the wall clock (1,000 events per second, unbounded), so a first query shows live
// data within a second and no infrastructure is needed.
import type { TableEnvironment } from '../index.js';

const PACE = `'connector' = 'nexmark', 'first-event.rate' = '1000', 'max-emit-speed' = 'false'`;

/** DDL of the demo tables, registered as temporary tables of the session. */
export const DEMO_TABLES: readonly string[] = [
  `CREATE TEMPORARY TABLE persons (id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING,
    state STRING, \`dateTime\` TIMESTAMP(3), extra STRING,
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND) WITH (${PACE}, 'table' = 'person')`,
  `CREATE TEMPORARY TABLE auctions (id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT,
    \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING,
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND) WITH (${PACE}, 'table' = 'auction')`,
  `CREATE TEMPORARY TABLE bids (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING,
    \`dateTime\` TIMESTAMP(3), extra STRING,
    WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND) WITH (${PACE}, 'table' = 'bid')`,
];

export const DEMO_EXAMPLES: readonly string[] = [
  'SELECT auction, bidder, price, `dateTime` FROM bids WHERE price > 1000000;',
  "SELECT id, name, city FROM persons WHERE state = 'OR';",
  'SELECT id, itemName, initialBid, category FROM auctions WHERE category = 10;',
];

/**
 * Registers the demo tables in a fresh shell session and returns example queries over them (shown in the
 * first-run banner). A failure here must not keep the shell from starting, so it returns no examples then.
 */
export function demoCatalog(env: TableEnvironment): string[] {
  try {
    for (const ddl of DEMO_TABLES) env.executeSql(ddl);
    return [...DEMO_EXAMPLES];
  } catch {
    return [];
  }
}

export function banner(version: string, firstRun: boolean, examples: readonly string[]): string {
  const head = `Freshet ${version}: streaming SQL in Apache Flink's semantics. End statements with ';'. HELP; lists commands, QUIT; leaves.`;
  if (!firstRun) return head;
  const tryThese =
    examples.length > 0
      ? `  -- SHOW TABLES; lists the demo tables persons, auctions and bids (a live Nexmark auction stream):\n${examples.map((e) => `  ${e}`).join('\n')}`
      : `  -- a table over a CSV file (no header line):
  CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv');
  SELECT id, UPPER(name) AS name FROM people WHERE id > 1;`;
  return `${head}

Try:
${tryThese}

Tab completes, Ctrl-R searches the history, .mode changelog|tableau switches how results show.`;
}
