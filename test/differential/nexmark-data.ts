// Bounded Nexmark data for the differential suite: the nexmark connector's person, auction and bid tables
// (seeded, fixed base time) exported to CSV through an INSERT into filesystem tables, which both engines then
// read. Queries use them as in ../shared/NEXMARK.md §1.2, with WATERMARK FOR dateTime AS dateTime - 4 s; each
// generator emits in time order, so no row is late (NEXMARK.md §1.1).
import { join } from 'node:path';
import { TableEnvironment } from '../../index.js';

export const NEXMARK_COLUMNS = {
  person:
    'id BIGINT, name STRING, emailAddress STRING, creditCard STRING, city STRING, state STRING, `dateTime` TIMESTAMP(3), extra STRING',
  auction:
    'id BIGINT, itemName STRING, description STRING, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra STRING',
  bid: 'auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, `dateTime` TIMESTAMP(3), extra STRING',
} as const;

export type NexmarkTable = keyof typeof NEXMARK_COLUMNS;
export const NEXMARK_TABLES: readonly NexmarkTable[] = ['person', 'auction', 'bid'];

/** 2024-03-01 00:00:00 UTC: every run generates the same events. */
const BASE_TIME = Date.UTC(2024, 2, 1);

/** Writes `dir/<table>/part-*.csv` for the three tables; returns the directories. */
export async function writeNexmark(dir: string, events: number): Promise<Record<NexmarkTable, string>> {
  const env = TableEnvironment.create();
  const paths = { person: join(dir, 'person'), auction: join(dir, 'auction'), bid: join(dir, 'bid') };
  for (const t of NEXMARK_TABLES) {
    env.executeSql(
      `CREATE TABLE gen_${t} (${NEXMARK_COLUMNS[t]}) WITH ('connector' = 'nexmark', 'table' = '${t}', 'events.num' = '${events}', 'base-time' = '${BASE_TIME}', 'first-event.rate' = '1000')`,
    );
    env.executeSql(
      `CREATE TABLE out_${t} (${NEXMARK_COLUMNS[t]}) WITH ('connector' = 'filesystem', 'path' = '${paths[t]}', 'format' = 'csv')`,
    );
    await env.executeSql(`INSERT INTO out_${t} SELECT * FROM gen_${t}`).await();
  }
  return paths;
}

/** Freshet DDL for the Nexmark tables over the exported files. */
export function nexmarkDdl(paths: Record<NexmarkTable, string>): string[] {
  return NEXMARK_TABLES.map(
    (t) =>
      // One reader, as the oracle's watermark simulation assumes (see freshetDdl).
      `CREATE TABLE ${t} (${NEXMARK_COLUMNS[t]}, WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND) WITH ('connector' = 'filesystem', 'path' = '${paths[t]}', 'format' = 'csv', 'scan.parallelism' = '1')`,
  );
}

/** DuckDB's read_csv column spec of a table. */
export function duckColumns(t: NexmarkTable): Record<string, string> {
  const out: Record<string, string> = {};
  for (const col of NEXMARK_COLUMNS[t].split(', ')) {
    const [name, type] = col.split(' ') as [string, string];
    out[name.replaceAll('`', '')] =
      type === 'STRING' ? 'VARCHAR' : type === 'TIMESTAMP(3)' ? 'TIMESTAMP' : type;
  }
  return out;
}
