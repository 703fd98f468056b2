// Runs one query in Freshet in one execution mode, folds its changelog into a multiset of canonical rows, and
// compares it with the oracle's multiset. The fold is strict: -U/-D must remove a row that is there, and batch
// mode must emit inserts only (Flink's batch operators produce final results, never retractions).
import { SqlError, TableEnvironment, type LogicalType } from '../../index.js';
import { freshetDdl, type Dataset } from './generator.js';
import { canonicalFreshet, canonicalOracle, rowKey, SEP } from './normalize.js';
import type { OracleResult } from './oracle.js';

export const MODES = ['streaming-p1', 'streaming-p2', 'streaming-p2-two-phase', 'batch'] as const;
export type Mode = (typeof MODES)[number];

/** The SET statements that put a TableEnvironment into a mode, through the SQL front door. */
export function modeStatements(mode: Mode): string[] {
  switch (mode) {
    case 'streaming-p1':
      return ["SET 'execution.runtime-mode' = 'streaming'", "SET 'parallelism.default' = '1'"];
    case 'streaming-p2':
      return ["SET 'execution.runtime-mode' = 'streaming'", "SET 'parallelism.default' = '2'"];
    case 'streaming-p2-two-phase':
      // Local-global aggregation: a local aggregate before the exchange, a global one after it. Flink (and now
      // Freshet) splits only with mini-batch on (TwoStageOptimizedAggregateRule), so this mode turns it on.
      return [
        "SET 'execution.runtime-mode' = 'streaming'",
        "SET 'parallelism.default' = '2'",
        "SET 'table.optimizer.agg-phase-strategy' = 'TWO_PHASE'",
        "SET 'table.exec.mini-batch.enabled' = 'true'",
        "SET 'table.exec.mini-batch.allow-latency' = '1 s'",
        "SET 'table.exec.mini-batch.size' = '1000'",
      ];
    case 'batch':
      return ["SET 'execution.runtime-mode' = 'batch'", "SET 'parallelism.default' = '1'"];
  }
}

/** How a failure is written in the known lists: the error's kind and its exact message (no caret lines). */
export function errorText(e: unknown): string {
  if (e instanceof SqlError) return `${e.kind}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export interface FreshetRun {
  readonly types: readonly LogicalType[];
  readonly names: readonly string[];
  /** Canonical row → multiplicity after folding the changelog. */
  readonly rows: Map<string, number>;
  /** Number of changelog entries by kind. */
  readonly kinds: Record<string, number>;
}

export class ChangelogError extends Error {
  override readonly name = 'ChangelogError';
}

export class QueryTimeout extends Error {
  override readonly name = 'QueryTimeout';
}

export function environment(d: Dataset, mode: Mode): TableEnvironment {
  const env = TableEnvironment.create();
  for (const s of modeStatements(mode)) env.executeSql(s);
  for (const ddl of freshetDdl(d)) env.executeSql(ddl);
  return env;
}

export async function runFreshet(
  env: TableEnvironment,
  sql: string,
  mode: Mode,
  timeoutMs = 20_000,
): Promise<FreshetRun> {
  const result = env.executeSql(sql);
  const schema = result.schema;
  if (schema === null) throw new Error('the statement returned no result table');
  const types = schema.fields.map((f) => f.type);
  const rows = new Map<string, number>();
  const kinds: Record<string, number> = { '+I': 0, '-U': 0, '+U': 0, '-D': 0 };
  const timer = setTimeout(() => result.cancel(), timeoutMs);
  let timedOut = false;
  result.signal.addEventListener('abort', () => (timedOut = true));
  try {
    for await (const c of result.changes()) {
      kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
      const key = rowKey(c.values.map((v, i) => canonicalFreshet(v, types[i] as LogicalType)));
      if (c.kind === '+I' || c.kind === '+U') {
        rows.set(key, (rows.get(key) ?? 0) + 1);
      } else {
        if (mode === 'batch')
          throw new ChangelogError(`batch mode emitted ${c.kind} ${key.replaceAll(SEP, ' | ')}`);
        const n = rows.get(key) ?? 0;
        if (n === 0)
          throw new ChangelogError(
            `${c.kind} of a row that is not in the result: ${key.replaceAll(SEP, ' | ')}`,
          );
        if (n === 1) rows.delete(key);
        else rows.set(key, n - 1);
      }
    }
    await result.await();
  } catch (e) {
    // The timeout cancels the job, so the job's end is a CancelledError: report the timeout, which is the cause.
    if (timedOut) throw new QueryTimeout(`no end of the result within ${timeoutMs} ms`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new QueryTimeout(`no end of the result within ${timeoutMs} ms`);
  return { types, names: schema.names(), rows, kinds };
}

export function oracleRows(r: OracleResult, types: readonly LogicalType[]): Map<string, number> {
  if (r.columns.length !== types.length)
    throw new Error(`the oracle returns ${r.columns.length} columns, Freshet ${types.length}`);
  const rows = new Map<string, number>();
  for (const row of r.rows) {
    const key = rowKey(row.map((v, i) => canonicalOracle(v, types[i] as LogicalType)));
    rows.set(key, (rows.get(key) ?? 0) + 1);
  }
  return rows;
}

/** Null when equal; otherwise a readable multiset difference (a few rows of each side). */
export function diffRows(expected: Map<string, number>, got: Map<string, number>, show = 6): string | null {
  const missing: string[] = [];
  const extra: string[] = [];
  let nMissing = 0;
  let nExtra = 0;
  for (const [k, n] of expected) {
    const d = n - (got.get(k) ?? 0);
    if (d > 0) {
      nMissing += d;
      if (missing.length < show) missing.push(`${d}× ${k.replaceAll(SEP, ' | ')}`);
    }
  }
  for (const [k, n] of got) {
    const d = n - (expected.get(k) ?? 0);
    if (d > 0) {
      nExtra += d;
      if (extra.length < show) extra.push(`${d}× ${k.replaceAll(SEP, ' | ')}`);
    }
  }
  if (nMissing === 0 && nExtra === 0) return null;
  const count = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  return [
    `expected ${count(expected)} rows, got ${count(got)}; ${nMissing} expected rows missing, ${nExtra} unexpected rows`,
    ...missing.map((r) => `  expected: ${r}`),
    ...extra.map((r) => `  got:      ${r}`),
  ].join('\n');
}
