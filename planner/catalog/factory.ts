// The connector factory interface of the catalog: a factory is found by the table's `connector` option,
// validates the options at CREATE TABLE time, and builds the runtime's source readers and sink writers.
// Connectors register themselves in a registry; the planner never imports a connector directly.
import type { LogicalType, LookupReader, Schema, SinkWriter, SourceReader } from '../../executor/index.js';

export interface OptionSpec {
  readonly key: string;
  readonly required?: boolean;
  readonly description: string;
  /** Allowed values, for validation and REPL completion. */
  readonly values?: readonly string[];
}

export interface SourceContext {
  /** The table's physical columns, in declaration order: what the source must produce. */
  readonly physicalSchema: Schema;
  readonly options: Readonly<Record<string, string>>;
  readonly tableName: string;
  /** The PRIMARY KEY columns, or null: upsert connectors key their changelog by it. */
  readonly primaryKey?: readonly string[] | null;
  /**
   * Metadata columns (`c TYPE METADATA [FROM 'key']`) the source appends after the physical columns, in this order
   * (Flink's SupportsReadingMetadata). Only keys listed in the factory's `readableMetadata` are passed.
   */
  readonly metadata?: readonly MetadataColumnSpec[];
}

export interface MetadataColumnSpec {
  readonly name: string;
  /** The metadata key: `FROM 'key'`, or the column name when there is no FROM. */
  readonly key: string;
  readonly type: LogicalType;
}

export interface SinkContext {
  readonly schema: Schema;
  readonly options: Readonly<Record<string, string>>;
  readonly tableName: string;
  /** The PRIMARY KEY columns, or null: upsert connectors key their changelog by it. */
  readonly primaryKey?: readonly string[] | null;
}

export type ChangelogKind = 'insert-only' | 'upsert' | 'all';

export interface DynamicTableFactory {
  /** The value of the `connector` option, e.g. `filesystem`. */
  readonly identifier: string;
  readonly options: readonly OptionSpec[];
  /** Metadata keys a source can append as columns, with their SQL type (e.g. `offset` → `BIGINT NOT NULL`). */
  readonly readableMetadata?: Readonly<Record<string, string>>;
  /** Option keys matching these prefixes are passed through unchecked (e.g. `properties.`, `fields.`). */
  readonly optionPrefixes?: readonly string[];
  /** Extra checks beyond known/required keys; throw Error with a message naming the option. */
  validate?(options: Readonly<Record<string, string>>, physicalSchema: Schema, primaryKey: readonly string[] | null): void;
  /**
   * The row kinds the source produces for these options (Flink's ScanTableSource#getChangelogMode): 'insert-only'
   * when absent; 'upsert' (+I, +U, -D by primary key) for upsert topics; 'all' for changelog formats.
   */
  sourceChangelogMode?(options: Readonly<Record<string, string>>): ChangelogKind;
  /** The row kinds the sink can write (DynamicTableSink#getChangelogMode); 'insert-only' when absent. */
  sinkChangelogMode?(options: Readonly<Record<string, string>>): ChangelogKind;
  createSource?(ctx: SourceContext): SourceReader;
  createSink?(ctx: SinkContext): SinkWriter;
  /**
   * Flink's LookupTableSource: the table can be the right side of a lookup join (`JOIN t FOR SYSTEM_TIME AS OF
   * o.proc_time`). The reader's rows have the physical columns; the join puts the configured cache in front.
   */
  createLookup?(ctx: SourceContext): LookupReader;
  /** The cache a lookup join uses when the table sets no 'lookup.cache' option (Flink's JDBC default is NONE). */
  readonly defaultLookupCache?: 'NONE' | 'PARTIAL' | 'FULL';
}

export class FactoryRegistry {
  private readonly factories = new Map<string, DynamicTableFactory>();

  register(f: DynamicTableFactory): void {
    this.factories.set(f.identifier, f);
  }

  get(identifier: string): DynamicTableFactory | undefined {
    return this.factories.get(identifier);
  }

  identifiers(): string[] {
    return [...this.factories.keys()].sort();
  }
}

/** The process-wide registry built-in connectors add themselves to (like Java's service loader). */
export const defaultFactories = new FactoryRegistry();

/** Checks options against a factory's spec; returns the first problem as [key or null, message]. */
export function checkOptions(f: DynamicTableFactory, options: Readonly<Record<string, string>>): [string | null, string] | null {
  const known = new Map(f.options.map((o) => [o.key, o]));
  for (const [key, value] of Object.entries(options)) {
    if (key === 'connector') continue;
    const spec = known.get(key);
    if (spec === undefined) {
      if ((f.optionPrefixes ?? []).some((p) => key.startsWith(p))) continue;
      const names = [...known.keys()].sort().join(', ');
      return [key, `unsupported option '${key}' for connector '${f.identifier}' (supported: ${names})`];
    }
    if (spec.values !== undefined && !spec.values.includes(value)) {
      return [key, `invalid value '${value}' for option '${key}' (expected one of: ${spec.values.join(', ')})`];
    }
  }
  for (const o of f.options) {
    if (o.required === true && options[o.key] === undefined) {
      return [null, `missing required option '${o.key}' for connector '${f.identifier}'`];
    }
  }
  return null;
}
