// The lookup side of a lookup join: what a connector hands over (Flink's LookupTableSource with a synchronous
// LookupFunction) and the cache in front of it, configured by the option names of Flink's LookupOptions
// (org.apache.flink.table.connector.source.lookup.LookupOptions, as the JDBC connector documents them):
// 'lookup.cache' = 'NONE' | 'PARTIAL' | 'FULL'; PARTIAL keeps the rows of looked-up keys
// ('lookup.partial-cache.expire-after-write' / '.expire-after-access' / '.max-rows' / '.cache-missing-key'), FULL
// loads the whole table and indexes it by the lookup key, reloading it every
// 'lookup.full-cache.periodic-reload.interval'.
import type { Value } from '../batch/column.js';
import type { Key } from '../runtime/key.js';
import { keyOfValues } from './keys.js';

/** What a connector gives a lookup join. Reads are synchronous: the join waits for them (no async lookup yet). */
export interface LookupReader {
  /** Every row of the table, in the table's physical column order (a FULL cache loads and indexes these). */
  loadAll(): Value[][];
  /**
   * The rows whose columns `keyCols` equal `key` (SQL equality: a NULL key matches nothing). Optional: without
   * it a lookup filters `loadAll()`, which is what a file has to do anyway.
   */
  lookup?(keyCols: readonly number[], key: readonly Value[]): Value[][];
}

export type LookupCacheConfig =
  | { readonly kind: 'NONE' }
  | {
      readonly kind: 'PARTIAL';
      /** ms; Infinity = never. */
      readonly expireAfterWrite: number;
      readonly expireAfterAccess: number;
      readonly maxRows: number;
      readonly cacheMissingKey: boolean;
    }
  | { readonly kind: 'FULL'; /** ms; Infinity = never reload. */ readonly reloadInterval: number };

/** The lookup options a connector that supports lookup joins accepts (shaped like the catalog's OptionSpec). */
export const LOOKUP_OPTION_SPECS = [
  {
    key: 'lookup.cache',
    description:
      'cache of a lookup join: NONE (every lookup reads the table), PARTIAL (rows of looked-up keys), FULL (the whole table)',
    values: ['NONE', 'PARTIAL', 'FULL'],
  },
  {
    key: 'lookup.partial-cache.expire-after-write',
    description: 'PARTIAL: a cached key expires this long after it was loaded (e.g. 10 min)',
  },
  {
    key: 'lookup.partial-cache.expire-after-access',
    description: 'PARTIAL: a cached key expires this long after its last lookup',
  },
  {
    key: 'lookup.partial-cache.max-rows',
    description: 'PARTIAL: at most this many cached keys (the least recently used go first)',
  },
  {
    key: 'lookup.partial-cache.cache-missing-key',
    description: 'PARTIAL: also cache keys that matched no row (default true)',
    values: ['true', 'false'],
  },
  {
    key: 'lookup.full-cache.reload-strategy',
    description: 'FULL: PERIODIC reloads every periodic-reload.interval (TIMED is not supported)',
    values: ['PERIODIC'],
  },
  {
    key: 'lookup.full-cache.periodic-reload.interval',
    description: 'FULL: reload the whole table this often (default: never, the table is read once)',
  },
] as const;

const UNITS: Record<string, number> = {
  ms: 1,
  millis: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

function duration(options: Readonly<Record<string, string>>, key: string): number {
  const raw = options[key];
  if (raw === undefined) return Infinity;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = (m?.[2] ?? '').toLowerCase() || 'ms';
  if (m === null || UNITS[unit] === undefined)
    throw new Error(`option '${key}' must be a duration such as '10 min' or '30 s', got '${raw}'`);
  return Number(m[1]) * (UNITS[unit] as number);
}

/**
 * The cache configuration of a table's options; `dflt` is the connector's default ('NONE' in Flink's JDBC
 * connector; a file has no cheap point lookups, so the filesystem connector defaults to 'FULL').
 */
export function lookupCacheConfig(
  options: Readonly<Record<string, string>>,
  dflt: 'NONE' | 'PARTIAL' | 'FULL' = 'NONE',
): LookupCacheConfig {
  const kind = (options['lookup.cache'] ?? dflt).toUpperCase();
  switch (kind) {
    case 'NONE':
      return { kind: 'NONE' };
    case 'PARTIAL': {
      const rawMax = options['lookup.partial-cache.max-rows'];
      const maxRows = rawMax === undefined ? Infinity : Number(rawMax);
      if (!Number.isInteger(maxRows) && maxRows !== Infinity)
        throw new Error(`option 'lookup.partial-cache.max-rows' must be an integer, got '${rawMax}'`);
      const expireAfterWrite = duration(options, 'lookup.partial-cache.expire-after-write');
      const expireAfterAccess = duration(options, 'lookup.partial-cache.expire-after-access');
      // Flink's LookupOptions: a PARTIAL cache needs at least one bound, or it would grow without end.
      if (expireAfterWrite === Infinity && expireAfterAccess === Infinity && maxRows === Infinity)
        throw new Error(
          `'lookup.cache' = 'PARTIAL' needs 'lookup.partial-cache.expire-after-write', 'lookup.partial-cache.expire-after-access' or 'lookup.partial-cache.max-rows'`,
        );
      return {
        kind: 'PARTIAL',
        expireAfterWrite,
        expireAfterAccess,
        maxRows,
        cacheMissingKey: options['lookup.partial-cache.cache-missing-key'] !== 'false',
      };
    }
    case 'FULL': {
      const strategy = options['lookup.full-cache.reload-strategy'] ?? 'PERIODIC';
      if (strategy.toUpperCase() !== 'PERIODIC')
        throw new Error(
          `'lookup.full-cache.reload-strategy' = '${strategy}' is not supported (supported: PERIODIC)`,
        );
      return {
        kind: 'FULL',
        reloadInterval: duration(options, 'lookup.full-cache.periodic-reload.interval'),
      };
    }
    default:
      throw new Error(
        `invalid value '${kind}' for option 'lookup.cache' (expected one of: NONE, PARTIAL, FULL)`,
      );
  }
}

interface Entry {
  readonly rows: Value[][];
  readonly written: number;
  accessed: number;
}

/**
 * The looked-up table of one join subtask: rows by the lookup key, through the configured cache. `now` is the
 * subtask's processing-time clock (caches expire in processing time, as Flink's DefaultLookupCache does).
 */
export class LookupTable {
  /** PARTIAL: key → rows, in least-recently-used order (a Map keeps insertion order; a hit re-inserts). */
  private readonly partial = new Map<Key, Entry>();
  /** FULL: the whole table indexed by key, and when it was loaded. */
  private full: Map<Key, Value[][]> | null = null;
  private loadedAt = 0;
  /** Reads of the connector (a metric, and what the tests check the cache by). */
  reads = 0;

  constructor(
    private readonly reader: LookupReader,
    private readonly keyCols: readonly number[],
    readonly config: LookupCacheConfig,
    private readonly now: () => number,
  ) {}

  get(key: readonly Value[]): Value[][] {
    if (key.some((v) => v === null)) return [];
    switch (this.config.kind) {
      case 'NONE':
        return this.read(key);
      case 'FULL': {
        const t = this.now();
        if (this.full === null || t - this.loadedAt >= this.config.reloadInterval) {
          this.full = new Map();
          this.reads++;
          for (const row of this.reader.loadAll()) {
            const k = this.keyCols.map((c) => row[c] as Value);
            if (k.some((v) => v === null)) continue;
            const id = keyOfValues(k);
            const list = this.full.get(id);
            if (list === undefined) this.full.set(id, [row]);
            else list.push(row);
          }
          this.loadedAt = t;
        }
        return this.full.get(keyOfValues(key)) ?? [];
      }
      case 'PARTIAL': {
        const c = this.config;
        const id = keyOfValues(key);
        const t = this.now();
        const hit = this.partial.get(id);
        if (hit !== undefined) {
          if (t - hit.written < c.expireAfterWrite && t - hit.accessed < c.expireAfterAccess) {
            hit.accessed = t;
            this.partial.delete(id);
            this.partial.set(id, hit);
            return hit.rows;
          }
          this.partial.delete(id);
        }
        const rows = this.read(key);
        if (rows.length > 0 || c.cacheMissingKey) {
          this.partial.set(id, { rows, written: t, accessed: t });
          while (this.partial.size > c.maxRows) this.partial.delete(this.partial.keys().next().value as Key);
        }
        return rows;
      }
    }
  }

  /** Keys a PARTIAL cache holds now (tests). */
  get cachedKeys(): number {
    return this.config.kind === 'PARTIAL' ? this.partial.size : (this.full?.size ?? 0);
  }

  private read(key: readonly Value[]): Value[][] {
    this.reads++;
    if (this.reader.lookup !== undefined) return this.reader.lookup(this.keyCols, key);
    const want = keyOfValues(key);
    return this.reader
      .loadAll()
      .filter((row) => keyOfValues(this.keyCols.map((c) => row[c] as Value)) === want);
  }
}
