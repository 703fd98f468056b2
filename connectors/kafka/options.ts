// Reads the WITH options of a `kafka` or `upsert-kafka` table into one checked configuration, with Flink's option
// names and rules (which columns go to the key and which to the value, startup and bounded modes, sink options).
// Everything is validated here, so CREATE TABLE fails early and the reader and writer can trust the config.
import { Schema, type LogicalType } from '../../executor/index.js';
import type { OptionSpec } from '../../planner/index.js';
import { FORMAT_NAMES, formatOptions, type FormatOptions, type RecordFormat } from '../formats/format.js';
import { RECORD_FORMATS, recordFormat } from '../formats/registry.js';
import { clientProperties, type ClientProperties } from './client.js';

export type ConnectorKind = 'kafka' | 'upsert-kafka';

export type TopicSelection =
  | { readonly kind: 'list'; readonly topics: readonly string[] }
  | { readonly kind: 'pattern'; readonly pattern: RegExp };

/** Per-partition offsets of `specific-offsets`, for the single topic of the table. */
export type SpecificOffsets = ReadonlyMap<number, bigint>;

export type StartupMode =
  | { readonly kind: 'earliest-offset' }
  | { readonly kind: 'latest-offset' }
  | { readonly kind: 'group-offsets'; readonly reset: 'earliest' | 'latest' | 'none' }
  | { readonly kind: 'timestamp'; readonly millis: number }
  | { readonly kind: 'specific-offsets'; readonly offsets: SpecificOffsets };

export type BoundedMode =
  | { readonly kind: 'unbounded' }
  | { readonly kind: 'latest-offset' }
  | { readonly kind: 'group-offsets' }
  | { readonly kind: 'timestamp'; readonly millis: number }
  | { readonly kind: 'specific-offsets'; readonly offsets: SpecificOffsets };

export type SinkPartitioner = 'default' | 'fixed' | 'round-robin';
export type DeliveryGuarantee = 'none' | 'at-least-once' | 'exactly-once';

/** One side of the message (key or value): its format, the columns it carries and their names in the format. */
export interface MessagePart {
  readonly format: RecordFormat;
  readonly formatOptions: FormatOptions;
  /** Indices of the table's physical columns carried by this part, in the part's field order. */
  readonly columns: readonly number[];
  /** The part's fields as the format sees them (key fields without `key.fields-prefix`). */
  readonly schema: Schema;
}

export interface KafkaTableConfig {
  readonly connector: ConnectorKind;
  readonly topics: TopicSelection;
  readonly groupId: string | null;
  readonly client: ClientProperties;
  readonly startup: StartupMode;
  readonly bounded: BoundedMode;
  /** Milliseconds between partition discovery rounds; null disables discovery. */
  readonly discoveryIntervalMs: number | null;
  readonly key: MessagePart | null;
  readonly value: MessagePart;
  readonly partitioner: SinkPartitioner;
  readonly deliveryGuarantee: DeliveryGuarantee;
  /** Prefix of the transactional ids (`<prefix>-<subtask>-<checkpoint>`); required for exactly-once. */
  readonly transactionalIdPrefix: string | null;
  /** The producer's transaction.timeout.ms: how long the broker keeps a sealed transaction open for its commit. */
  readonly transactionTimeoutMs: number;
  /** Whether the reader commits its positions to `properties.group.id` (Flink: commit.offsets.on.checkpoint). */
  readonly commitOffsets: boolean;
  readonly commitIntervalMs: number;
}

const STARTUP_MODES = [
  'earliest-offset',
  'latest-offset',
  'group-offsets',
  'timestamp',
  'specific-offsets',
] as const;
const BOUNDED_MODES = [
  'unbounded',
  'latest-offset',
  'group-offsets',
  'timestamp',
  'specific-offsets',
] as const;

function formatOptionSpecs(prefix: string): OptionSpec[] {
  return Object.values(RECORD_FORMATS).flatMap((f) =>
    f.options.map((o) => ({ ...o, key: `${prefix}${o.key}` })),
  );
}

const COMMON: OptionSpec[] = [
  { key: 'topic', description: "topic name, or several separated by ';'" },
  {
    key: 'properties.bootstrap.servers',
    required: true,
    description: "comma-separated 'host:port' list of brokers",
  },
  { key: 'key.format', description: 'format of the message key', values: FORMAT_NAMES },
  {
    key: 'key.fields-prefix',
    description: 'prefix of key columns that the key format does not see (needs EXCEPT_KEY)',
  },
  { key: 'value.format', description: 'format of the message value', values: FORMAT_NAMES },
  {
    key: 'value.fields-include',
    description: 'whether the value also carries the key columns',
    values: ['ALL', 'EXCEPT_KEY'],
  },
  {
    key: 'scan.bounded.mode',
    description: 'where a bounded read stops (default unbounded)',
    values: BOUNDED_MODES,
  },
  {
    key: 'scan.bounded.timestamp-millis',
    description: "stop at the first record at or after this time (scan.bounded.mode 'timestamp')",
  },
  {
    key: 'scan.bounded.specific-offsets',
    description: "'partition:0,offset:42;partition:1,offset:300' (scan.bounded.mode 'specific-offsets')",
  },
  {
    key: 'sink.delivery-guarantee',
    description:
      "'none', 'at-least-once' (default) or 'exactly-once' (Kafka transactions committed on checkpoints)",
    values: ['none', 'at-least-once', 'exactly-once'],
  },
  {
    key: 'scan.parallelism',
    description: 'how many parallel readers share the partitions (default parallelism.default)',
  },
  { key: 'sink.parallelism', description: 'accepted for compatibility; parallelism comes with the executor' },
  {
    key: 'sink.transactional-id-prefix',
    description:
      "prefix of the sink's transactional ids, unique per job on the cluster; required for exactly-once",
  },
  ...formatOptionSpecs('key.'),
  ...formatOptionSpecs('value.'),
];

export const KAFKA_OPTIONS: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'topic-pattern', description: 'regular expression of the topics to read' },
  {
    key: 'properties.group.id',
    description: 'consumer group: where group-offsets start and where positions are committed',
  },
  { key: 'format', description: 'format of the message value (same as value.format)', values: FORMAT_NAMES },
  { key: 'key.fields', description: "columns carried in the message key, separated by ';'" },
  {
    key: 'scan.startup.mode',
    description: 'where reading starts (default group-offsets)',
    values: STARTUP_MODES,
  },
  {
    key: 'scan.startup.timestamp-millis',
    description: "start at the first record at or after this time (scan.startup.mode 'timestamp')",
  },
  {
    key: 'scan.startup.specific-offsets',
    description: "'partition:0,offset:42;partition:1,offset:300' (scan.startup.mode 'specific-offsets')",
  },
  {
    key: 'scan.topic-partition-discovery.interval',
    description: "how often new partitions and topics are found, e.g. '5 min' (default); '0' disables",
  },
  {
    key: 'scan.watermark.idle-timeout',
    description:
      "a partition without records this long leaves the watermark minimum, e.g. '30 s' (default: table.exec.source.idle-timeout)",
  },
  {
    key: 'sink.partitioner',
    description:
      "'default' (key hash, round-robin without key), 'fixed' (subtask → partition) or 'round-robin'",
    values: ['default', 'fixed', 'round-robin'],
  },
  ...formatOptionSpecs(''),
];

export const UPSERT_KAFKA_OPTIONS: readonly OptionSpec[] = [
  ...COMMON,
  { key: 'properties.group.id', description: 'consumer group the reader commits its positions to' },
];

/** `5000`, `5000 ms`, `10 s`, `5 min`, `1 h`: Flink's duration syntax, to milliseconds. */
export function parseDuration(raw: string, key: string): number {
  const m = /^\s*(\d+)\s*(ms|s|sec|min|h|d)?\s*$/.exec(raw);
  if (m === null)
    throw new Error(`option '${key}' must be a duration such as '5000', '10 s' or '5 min', got '${raw}'`);
  const unit = { ms: 1, s: 1000, sec: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[
    m[2] ?? 'ms'
  ] as number;
  return Number(m[1]) * unit;
}

function parseMillis(options: Readonly<Record<string, string>>, key: string, mode: string): number {
  const raw = options[key];
  if (raw === undefined) throw new Error(`option '${key}' is required when the mode is '${mode}'`);
  if (!/^\d+$/.test(raw.trim())) throw new Error(`option '${key}' must be epoch milliseconds, got '${raw}'`);
  return Number(raw);
}

/** `partition:0,offset:42;partition:1,offset:300` → {0 → 42, 1 → 300}. */
export function parseSpecificOffsets(raw: string, key: string): SpecificOffsets {
  const out = new Map<number, bigint>();
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const m = /^\s*partition\s*:\s*(\d+)\s*,\s*offset\s*:\s*(\d+)\s*$/.exec(part);
    if (m === null)
      throw new Error(
        `option '${key}' must look like 'partition:0,offset:42;partition:1,offset:300', got '${part}'`,
      );
    out.set(Number(m[1]), BigInt(m[2] as string));
  }
  if (out.size === 0) throw new Error(`option '${key}' names no partition`);
  return out;
}

function splitList(raw: string): string[] {
  return raw
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function startupMode(options: Readonly<Record<string, string>>): StartupMode {
  const mode = options['scan.startup.mode'] ?? 'group-offsets';
  switch (mode) {
    case 'earliest-offset':
    case 'latest-offset':
      return { kind: mode };
    case 'group-offsets': {
      const reset = options['properties.auto.offset.reset'] ?? 'none';
      if (reset !== 'earliest' && reset !== 'latest' && reset !== 'none') {
        throw new Error(
          `option 'properties.auto.offset.reset' must be 'earliest', 'latest' or 'none', got '${reset}'`,
        );
      }
      return { kind: 'group-offsets', reset };
    }
    case 'timestamp':
      return { kind: 'timestamp', millis: parseMillis(options, 'scan.startup.timestamp-millis', mode) };
    case 'specific-offsets': {
      const raw = options['scan.startup.specific-offsets'];
      if (raw === undefined)
        throw new Error(
          `option 'scan.startup.specific-offsets' is required when 'scan.startup.mode' is 'specific-offsets'`,
        );
      return {
        kind: 'specific-offsets',
        offsets: parseSpecificOffsets(raw, 'scan.startup.specific-offsets'),
      };
    }
    default:
      throw new Error(
        `invalid value '${mode}' for option 'scan.startup.mode' (expected one of: ${STARTUP_MODES.join(', ')})`,
      );
  }
}

function boundedMode(options: Readonly<Record<string, string>>): BoundedMode {
  const mode = options['scan.bounded.mode'] ?? 'unbounded';
  switch (mode) {
    case 'unbounded':
    case 'latest-offset':
    case 'group-offsets':
      return { kind: mode };
    case 'timestamp':
      return { kind: 'timestamp', millis: parseMillis(options, 'scan.bounded.timestamp-millis', mode) };
    case 'specific-offsets': {
      const raw = options['scan.bounded.specific-offsets'];
      if (raw === undefined)
        throw new Error(
          `option 'scan.bounded.specific-offsets' is required when 'scan.bounded.mode' is 'specific-offsets'`,
        );
      return {
        kind: 'specific-offsets',
        offsets: parseSpecificOffsets(raw, 'scan.bounded.specific-offsets'),
      };
    }
    default:
      throw new Error(
        `invalid value '${mode}' for option 'scan.bounded.mode' (expected one of: ${BOUNDED_MODES.join(', ')})`,
      );
  }
}

function part(
  format: RecordFormat,
  options: Readonly<Record<string, string>>,
  prefix: string,
  physical: Schema,
  columns: readonly number[],
  stripPrefix: string,
): MessagePart {
  const fo = formatOptions(options, prefix);
  // Format options of another format than the one chosen are a typo or a leftover: Flink rejects them too.
  for (const key of Object.keys(fo.values)) {
    const owner = FORMAT_NAMES.find((n) => key.startsWith(`${n}.`));
    if (owner !== undefined && owner !== format.name)
      throw new Error(`option '${prefix}${key}' does not apply to format '${format.name}'`);
  }
  const schema = new Schema(
    columns.map((i) => {
      const f = physical.field(i);
      return {
        name: f.name.startsWith(stripPrefix) ? f.name.slice(stripPrefix.length) : f.name,
        type: f.type,
      };
    }),
  );
  format.validate(schema, fo);
  return { format, formatOptions: fo, columns, schema };
}

/** Checks every option of a `kafka`/`upsert-kafka` table and returns the configuration; throws naming the option. */
export function kafkaConfig(
  connector: ConnectorKind,
  options: Readonly<Record<string, string>>,
  physical: Schema,
  primaryKey: readonly string[] | null,
): KafkaTableConfig {
  const topic = options['topic'];
  const pattern = options['topic-pattern'];
  if (topic !== undefined && pattern !== undefined)
    throw new Error(`options 'topic' and 'topic-pattern' cannot both be set`);
  if (topic === undefined && pattern === undefined)
    throw new Error(`option 'topic' (or 'topic-pattern') is required for connector '${connector}'`);
  let topics: TopicSelection;
  if (pattern !== undefined) {
    try {
      topics = { kind: 'pattern', pattern: new RegExp(`^(?:${pattern})$`) };
    } catch (e) {
      throw new Error(`option 'topic-pattern' is not a valid regular expression: ${(e as Error).message}`);
    }
  } else {
    const list = splitList(topic as string);
    if (list.length === 0) throw new Error(`option 'topic' names no topic`);
    topics = { kind: 'list', topics: list };
  }

  const all = physical.fields.map((_, i) => i);
  const keyFormatName = options['key.format'];
  let valueFormatName = options['value.format'];
  if (options['format'] !== undefined) {
    if (valueFormatName !== undefined)
      throw new Error(`options 'format' and 'value.format' cannot both be set`);
    valueFormatName = options['format'];
  }
  if (valueFormatName === undefined)
    throw new Error(
      connector === 'kafka'
        ? `option 'format' (or 'value.format') is required`
        : `option 'value.format' is required for connector 'upsert-kafka'`,
    );
  const valuePrefix = options['format'] !== undefined ? '' : 'value.';
  const valueFormat = recordFormat(
    valueFormatName,
    options['format'] !== undefined ? 'format' : 'value.format',
  );

  let keyColumns: number[] = [];
  if (connector === 'upsert-kafka') {
    if (primaryKey === null || primaryKey.length === 0) {
      throw new Error(
        `connector 'upsert-kafka' needs a PRIMARY KEY: declare one, e.g. PRIMARY KEY (id) NOT ENFORCED; its columns are the message key`,
      );
    }
    if (keyFormatName === undefined)
      throw new Error(`option 'key.format' is required for connector 'upsert-kafka'`);
    if (valueFormat.changelog)
      throw new Error(
        `option 'value.format' of 'upsert-kafka' must be an insert-only format, not '${valueFormat.name}'`,
      );
    keyColumns = primaryKey.map((k) => physical.indexOf(k));
    const missing = primaryKey.find((k) => physical.indexOf(k) < 0);
    if (missing !== undefined) throw new Error(`primary key column '${missing}' must be a physical column`);
  } else {
    const keyFields = options['key.fields'];
    if (keyFields !== undefined && keyFormatName === undefined)
      throw new Error(`option 'key.fields' needs 'key.format'`);
    if (keyFormatName !== undefined && keyFields === undefined)
      throw new Error(`option 'key.format' needs 'key.fields' (the columns of the key)`);
    if (keyFields !== undefined) {
      keyColumns = splitList(keyFields).map((name) => {
        const i = physical.indexOf(name);
        if (i < 0)
          throw new Error(
            `option 'key.fields' names '${name}', which is not a physical column (columns: ${physical.fields.map((f) => f.name).join(', ')})`,
          );
        return i;
      });
    }
    if (primaryKey !== null && primaryKey.length > 0 && !valueFormat.changelog) {
      throw new Error(
        `connector 'kafka' with format '${valueFormat.name}' reads an append-only stream and cannot have a PRIMARY KEY; use 'upsert-kafka' for a keyed table`,
      );
    }
  }

  const include = options['value.fields-include'] ?? 'ALL';
  const keyPrefix = options['key.fields-prefix'] ?? '';
  if (keyPrefix !== '') {
    if (include !== 'EXCEPT_KEY')
      throw new Error(`option 'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'`);
    const bad = keyColumns.find((i) => !physical.field(i).name.startsWith(keyPrefix));
    if (bad !== undefined)
      throw new Error(
        `key column '${physical.field(bad).name}' does not start with the 'key.fields-prefix' '${keyPrefix}'`,
      );
  }
  if (include === 'EXCEPT_KEY' && keyColumns.length === 0)
    throw new Error(`option 'value.fields-include' = 'EXCEPT_KEY' needs key columns ('key.fields')`);
  const valueColumns = include === 'EXCEPT_KEY' ? all.filter((i) => !keyColumns.includes(i)) : all;
  if (valueColumns.length === 0)
    throw new Error(
      `the value carries no column: every column is in the key and 'value.fields-include' is 'EXCEPT_KEY'`,
    );
  // Options of the value format live under 'value.' (or the bare format name with 'format'); a bare format option
  // next to 'value.format' would be silently ignored, so it is an error.
  if (valuePrefix === 'value.') {
    const stray = Object.keys(options).find((k) => FORMAT_NAMES.some((n) => k.startsWith(`${n}.`)));
    if (stray !== undefined)
      throw new Error(`option '${stray}' applies to 'format'; with 'value.format' write 'value.${stray}'`);
  }
  const value = part(valueFormat, options, valuePrefix, physical, valueColumns, '');
  const key =
    keyColumns.length > 0
      ? part(
          recordFormat(keyFormatName as string, 'key.format'),
          options,
          'key.',
          physical,
          keyColumns,
          keyPrefix,
        )
      : null;
  if (key?.format.changelog === true)
    throw new Error(`option 'key.format' cannot be the changelog format '${key.format.name}'`);

  const partitioner = (options['sink.partitioner'] ?? 'default') as SinkPartitioner;
  const guarantee = (options['sink.delivery-guarantee'] ?? 'at-least-once') as DeliveryGuarantee;
  const prefix = options['sink.transactional-id-prefix'] ?? null;
  if (!['none', 'at-least-once', 'exactly-once'].includes(guarantee)) {
    throw new Error(
      `invalid value '${guarantee}' for option 'sink.delivery-guarantee' (expected one of: none, at-least-once, exactly-once)`,
    );
  }
  // Flink's KafkaSinkBuilder: the prefix keeps the transaction names of sinks on one cluster apart.
  if (guarantee === 'exactly-once' && (prefix === null || prefix.trim() === '')) {
    throw new Error(
      `'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix': a prefix for the sink's Kafka transactional ids, unique among the jobs writing to this cluster`,
    );
  }
  const timeoutRaw = options['properties.transaction.timeout.ms'];
  if (timeoutRaw !== undefined && !/^\d+$/.test(timeoutRaw.trim()))
    throw new Error(`option 'properties.transaction.timeout.ms' must be milliseconds, got '${timeoutRaw}'`);

  const startup: StartupMode =
    connector === 'upsert-kafka' ? { kind: 'earliest-offset' } : startupMode(options);
  const bounded = boundedMode(options);
  const discoveryRaw = options['scan.topic-partition-discovery.interval'];
  const discovery =
    discoveryRaw === undefined
      ? 5 * 60_000
      : parseDuration(discoveryRaw, 'scan.topic-partition-discovery.interval');
  if (options['scan.watermark.idle-timeout'] !== undefined)
    parseDuration(options['scan.watermark.idle-timeout'], 'scan.watermark.idle-timeout');
  if (
    (startup.kind === 'specific-offsets' || bounded.kind === 'specific-offsets') &&
    !(topics.kind === 'list' && topics.topics.length === 1)
  ) {
    throw new Error(`specific offsets name partitions of one topic, so they need exactly one 'topic'`);
  }
  const groupId = options['properties.group.id'] ?? null;
  // The default startup mode is group-offsets, yet a table only written to needs no group: the check is made
  // here when the mode is explicit and again when a source is created (requireGroupForScan).
  const explicitGroupMode =
    options['scan.startup.mode'] === 'group-offsets' || bounded.kind === 'group-offsets';
  if (explicitGroupMode && groupId === null)
    throw new Error(`option 'properties.group.id' is required for 'group-offsets'`);
  const commitOffsets =
    groupId !== null &&
    options['properties.commit.offsets.on.checkpoint'] !== 'false' &&
    options['properties.enable.auto.commit'] !== 'false';
  const commitIntervalRaw = options['properties.auto.commit.interval.ms'];
  return {
    connector,
    topics,
    groupId,
    client: clientProperties(options),
    startup,
    bounded,
    // A bounded read knows its partitions when it starts, as Flink's bounded KafkaSource does.
    discoveryIntervalMs: discovery === 0 || bounded.kind !== 'unbounded' ? null : discovery,
    key,
    value,
    partitioner,
    deliveryGuarantee: guarantee,
    transactionalIdPrefix: prefix,
    // Flink's KafkaSink sets 1 h, which a broker with the default transaction.max.timeout.ms (15 min) refuses;
    // 15 min works with such a broker and still outlasts a restart.
    transactionTimeoutMs: timeoutRaw === undefined ? 15 * 60_000 : Number(timeoutRaw),
    commitOffsets,
    commitIntervalMs:
      commitIntervalRaw === undefined
        ? 5000
        : parseDuration(commitIntervalRaw, 'properties.auto.commit.interval.ms'),
  };
}

/** The metadata a Kafka source can append as columns (Flink's keys). */
export type MetadataKey =
  'topic' | 'partition' | 'offset' | 'timestamp' | 'timestamp-type' | 'headers' | 'leader-epoch';

/** Per key: the type kinds a declared column may have (checked by kind) and Flink's SQL type, for messages. */
export const READABLE_METADATA: Readonly<
  Record<MetadataKey, { readonly kinds: readonly LogicalType['kind'][]; readonly sql: string }>
> = {
  topic: { kinds: ['VARCHAR', 'CHAR'], sql: 'STRING NOT NULL' },
  partition: { kinds: ['INT'], sql: 'INT NOT NULL' },
  offset: { kinds: ['BIGINT'], sql: 'BIGINT NOT NULL' },
  timestamp: { kinds: ['TIMESTAMP_LTZ', 'TIMESTAMP'], sql: 'TIMESTAMP_LTZ(3) NOT NULL' },
  'timestamp-type': { kinds: ['VARCHAR', 'CHAR'], sql: 'STRING NOT NULL' },
  headers: { kinds: ['MAP'], sql: 'MAP<STRING, BYTES> NOT NULL' },
  'leader-epoch': { kinds: ['INT'], sql: 'INT NULL' },
};

export function isMetadataKey(s: string): s is MetadataKey {
  return Object.hasOwn(READABLE_METADATA, s);
}

/** A source reading from or up to group offsets needs `properties.group.id` (the default startup mode does). */
export function requireGroupForScan(cfg: KafkaTableConfig): void {
  if (
    (cfg.startup.kind === 'group-offsets' || cfg.bounded.kind === 'group-offsets') &&
    cfg.groupId === null
  ) {
    throw new Error(
      `option 'properties.group.id' is required to read from group offsets (the default 'scan.startup.mode'); set it or choose another 'scan.startup.mode'`,
    );
  }
}
