// The one place where the shell's demo catalog is set up, and the banner that introduces it. The connectors
// issue fills demoCatalog() with the built-in nexmark tables (bids, auctions, persons) and example queries over
// them; until then the banner shows statements that work today with the filesystem and datagen connectors.
import type { TableEnvironment } from '../index.js';

/**
 * Registers the demo tables in a fresh shell session and returns example queries over them (shown in the
 * first-run banner). Today there are none: the nexmark source is not wired into the catalog yet.
 */
export function demoCatalog(env: TableEnvironment): string[] {
  void env;
  return [];
}

export function banner(version: string, firstRun: boolean, examples: readonly string[]): string {
  const head = `Freshet ${version}: streaming SQL in Apache Flink's semantics. End statements with ';'. HELP; lists commands, QUIT; leaves.`;
  if (!firstRun) return head;
  const tryThese =
    examples.length > 0
      ? examples.map((e) => `  ${e}`).join('\n')
      : `  -- a table over a CSV file (no header line):
  CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv');
  SELECT id, UPPER(name) AS name FROM people WHERE id > 1;

  -- an endless generated stream; the result table updates in place (q or Ctrl-C stops it):
  CREATE TABLE ticks (id BIGINT, price INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000',
    'fields.price.min' = '1', 'fields.price.max' = '100');
  SELECT id, price FROM ticks WHERE price > 50;`;
  return `${head}

Try:
${tryThese}

Tab completes, Ctrl-R searches the history, .mode changelog|tableau switches how results show.`;
}
