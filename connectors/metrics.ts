// Connector counters by table (Flink's numRecordsInErrors / the formats' skipped-record counts): sources add the
// malformed records they skipped under an ignore-parse-errors option, so a skip is never silent. Process-wide
// until source readers get the subtask's metric group.
const skipped = new Map<string, number>();

/** `n` malformed records of table `table` were skipped. */
export function countSkippedRecords(table: string, n: number): void {
  if (n > 0) skipped.set(table, (skipped.get(table) ?? 0) + n);
}

/** Malformed records skipped so far for a table (by its full name, e.g. `default_catalog.default_database.t`). */
export function skippedRecords(table: string): number {
  return skipped.get(table) ?? 0;
}
