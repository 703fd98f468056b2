// The `kafka` and `upsert-kafka` table factories: option specs (Flink's names), validation at CREATE TABLE time,
// and the source / sink writer of a table. SQL scans use the FLIP-27 KafkaSource (partitions spread over the
// parallel readers, watermarks per partition); createSource is the single-reader form (every partition).
import { Schema } from '../../executor/index.js';
import type { DynamicTableFactory, SinkContext, SourceContext } from '../../planner/index.js';
import { READABLE_METADATA, UPSERT_KAFKA_OPTIONS, KAFKA_OPTIONS, isMetadataKey, kafkaConfig, type ConnectorKind, type KafkaTableConfig, type MessagePart } from './options.js';
import { KafkaSinkWriter } from './sink.js';
import { KafkaSource, type MetadataColumn } from './source.js';

function config(connector: ConnectorKind, ctx: SourceContext | SinkContext, schema: Schema): KafkaTableConfig {
  return kafkaConfig(connector, ctx.options, schema, ctx.primaryKey ?? null);
}

/** Checks metadata columns (`c TYPE METADATA FROM 'key'`) against what the Kafka source can read. */
export function kafkaMetadataColumns(columns: ReadonlyArray<{ readonly name: string; readonly key: string; readonly type: MetadataColumn['type'] }>): MetadataColumn[] {
  return columns.map((c) => {
    if (!isMetadataKey(c.key)) {
      throw new Error(`unknown metadata key '${c.key}' for column '${c.name}' (the kafka connector offers: ${Object.keys(READABLE_METADATA).join(', ')})`);
    }
    const spec = READABLE_METADATA[c.key];
    if (!spec.kinds.includes(c.type.kind)) throw new Error(`metadata column '${c.name}' FROM '${c.key}' must be of type ${spec.sql}, not ${c.type.kind}`);
    return { key: c.key, name: c.name, type: c.type };
  });
}

function factory(connector: ConnectorKind): DynamicTableFactory {
  return {
    identifier: connector,
    options: connector === 'kafka' ? KAFKA_OPTIONS : UPSERT_KAFKA_OPTIONS,
    // properties.* go to the Kafka client (SASL, SSL, timeouts, isolation level), as in Flink.
    optionPrefixes: ['properties.'],
    readableMetadata: Object.fromEntries(Object.entries(READABLE_METADATA).map(([k, v]) => [k, v.sql])),
    validate(options, physicalSchema, primaryKey) {
      kafkaConfig(connector, options, physicalSchema, primaryKey);
    },
    // upsert-kafka reads a compacted topic as an upsert changelog; plain kafka is a changelog only with debezium-json.
    sourceChangelogMode: (options) => (connector === 'upsert-kafka' ? 'upsert' : changelogFormat(options) ? 'all' : 'insert-only'),
    sinkChangelogMode: (options) => (connector === 'upsert-kafka' ? 'upsert' : changelogFormat(options) ? 'all' : 'insert-only'),
    createSource(ctx) {
      const full = config(connector, ctx, ctx.physicalSchema);
      const { cfg, schema } = ctx.projection === undefined ? { cfg: full, schema: ctx.physicalSchema } : projected(full, ctx.physicalSchema, ctx.projection);
      return new KafkaSource(cfg, schema, kafkaMetadataColumns(ctx.metadata ?? []), ctx.tableName).createReader(0, 1);
    },
    // Partitions are the splits: the planner reads at parallelism.default and pushes the WATERMARK in, so it is
    // generated per partition (Flink's KafkaSource with per-partition watermarks).
    createScanSource(ctx) {
      const full = config(connector, ctx, ctx.physicalSchema);
      const { cfg, schema } = ctx.projection === undefined ? { cfg: full, schema: ctx.physicalSchema } : projected(full, ctx.physicalSchema, ctx.projection);
      return new KafkaSource(cfg, schema, kafkaMetadataColumns(ctx.metadata ?? []), ctx.tableName);
    },
    supportsProjectionPushDown: (options) => projectable(connector, options),
    supportsWatermarkPushDown: () => true,
    createSink(ctx) {
      return new KafkaSinkWriter(config(connector, ctx, ctx.schema), ctx.schema, ctx.tableName);
    },
  };
}

/**
 * Projection push-down (Flink's SupportsProjectionPushDown over a ProjectableDecodingFormat): plain `kafka` whose
 * value (and key, if any) is JSON, fields by name, so a decoder given only the projected fields converts only
 * those. Positional formats (csv, raw) and changelog formats keep the whole row.
 */
function projectable(connector: ConnectorKind, options: Readonly<Record<string, string>>): boolean {
  if (connector !== 'kafka' || changelogFormat(options)) return false;
  const key = options['key.format'];
  return (options['value.format'] ?? options['format']) === 'json' && (key === undefined || key === 'json');
}

/** The config and physical schema of the projected columns: each part keeps the fields the projection reads. */
function projected(cfg: KafkaTableConfig, schema: Schema, projection: readonly number[]): { cfg: KafkaTableConfig; schema: Schema } {
  const part = (p: MessagePart): MessagePart => {
    const keep = p.columns.flatMap((c, i) => (projection.includes(c) ? [[projection.indexOf(c), i] as const] : []));
    return { ...p, columns: keep.map(([at]) => at), schema: new Schema(keep.map(([, i]) => p.schema.field(i))) };
  };
  return {
    cfg: { ...cfg, key: cfg.key === null ? null : part(cfg.key), value: part(cfg.value) },
    schema: new Schema(projection.map((i) => schema.field(i))),
  };
}

function changelogFormat(options: Readonly<Record<string, string>>): boolean {
  return (options['value.format'] ?? options['format']) === 'debezium-json';
}

export const kafkaFactory: DynamicTableFactory = factory('kafka');
export const upsertKafkaFactory: DynamicTableFactory = factory('upsert-kafka');
