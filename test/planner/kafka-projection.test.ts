// Kafka projection push-down without a broker: which tables declare it (plain kafka with JSON key and value) and
// the scan source the factory builds for a projection (the narrowed schema each decoder sees, the columns each
// part fills). The broker-backed data test is kafka-projection.kafka.test.ts.
import { describe, expect, it } from 'vitest';
import { Schema, Types } from '../../executor/index.js';
import { kafkaFactory, upsertKafkaFactory } from '../../connectors/kafka/factory.js';
import type { KafkaSource } from '../../connectors/kafka/source.js';

const base = {
  connector: 'kafka',
  topic: 't',
  'properties.bootstrap.servers': 'localhost:1',
  'properties.group.id': 'g',
  'scan.startup.mode': 'earliest-offset',
};
const schema = new Schema([
  { name: 'k', type: Types.STRING() },
  { name: 'a', type: Types.INT() },
  { name: 'b', type: Types.STRING() },
  { name: 'c', type: Types.DOUBLE() },
]);

describe('kafka projection push-down (SupportsProjectionPushDown over JSON)', () => {
  it('is declared for JSON values (and JSON keys), not for csv, raw, debezium-json or upsert-kafka', () => {
    expect(kafkaFactory.supportsProjectionPushDown?.({ ...base, format: 'json' })).toBe(true);
    expect(
      kafkaFactory.supportsProjectionPushDown?.({
        ...base,
        'value.format': 'json',
        'key.format': 'json',
        'key.fields': 'k',
      }),
    ).toBe(true);
    expect(kafkaFactory.supportsProjectionPushDown?.({ ...base, format: 'csv' })).toBe(false);
    expect(
      kafkaFactory.supportsProjectionPushDown?.({
        ...base,
        'value.format': 'json',
        'key.format': 'raw',
        'key.fields': 'k',
      }),
    ).toBe(false);
    expect(kafkaFactory.supportsProjectionPushDown?.({ ...base, format: 'debezium-json' })).toBe(false);
    expect(
      upsertKafkaFactory.supportsProjectionPushDown?.({
        ...base,
        'key.format': 'json',
        'value.format': 'json',
      }),
    ).toBe(false);
  });

  it('the scan source decodes only the projected fields of key and value, in the projection order', () => {
    const options = { ...base, 'value.format': 'json', 'key.format': 'json', 'key.fields': 'k' };
    const ctx = {
      options,
      physicalSchema: schema,
      tableName: 't',
      projection: [2, 0],
      primaryKey: null,
    } as never;
    const src = kafkaFactory.createScanSource?.(ctx) as unknown as KafkaSource;
    expect(src.outputSchema.fields.map((f) => f.name)).toEqual(['b', 'k']);
    expect(src.config.key?.schema.fields.map((f) => f.name)).toEqual(['k']);
    expect(src.config.key?.columns).toEqual([1]);
    // value.fields-include defaults to ALL (as in Flink): the value carries the key column too.
    expect(src.config.value.schema.fields.map((f) => f.name)).toEqual(['k', 'b']);
    expect(src.config.value.columns).toEqual([1, 0]);
  });
});
