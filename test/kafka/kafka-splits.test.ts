// Kafka gaps of issue #9 on a real broker: 'latest-offset' startup, a windowed aggregation read from one topic and
// written to another, and partition positions that snapshot to bytes and resume in a new reader (the state a
// checkpoint takes: Flink's KafkaPartitionSplit with its starting offset).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { Schema, TableEnvironment, Types, batchToRows, decodeKeyGroupedSnapshot, type SourceReader, type Value } from '../../index.js';
import { kafkaConfig } from '../../connectors/kafka/options.js';
import { KafkaSource } from '../../connectors/kafka/source.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

describe.skipIf(kafka === null)('kafka splits, startup and windowed round trip (real broker)', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  const run = randomBytes(4).toString('hex');
  let admin: Admin;
  let producer: Producer<string, string, string, string>;
  let n = 0;

  beforeAll(() => {
    admin = new Admin(clientOptions(bootstrap, `admin-${run}`));
    producer = new Producer({
      ...clientOptions(bootstrap, `producer-${run}`),
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  });
  afterAll(async () => {
    await producer?.close();
    await admin?.close();
  });

  async function topic(partitions = 1): Promise<string> {
    const name = `sp${n++}-${run}`;
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    return name;
  }
  async function produce(t: string, values: Array<[number, string]>): Promise<void> {
    await producer.send({ messages: values.map(([partition, value]) => ({ topic: t, partition, value })) });
  }
  const schema = Schema.of(['a', Types.INT()]);
  const source = (t: string, extra: Record<string, string>): KafkaSource =>
    new KafkaSource(
      kafkaConfig(
        'kafka',
        { connector: 'kafka', topic: t, 'properties.bootstrap.servers': bootstrap, format: 'json', ...extra },
        schema,
        null,
      ),
      schema,
      [],
      't',
    );

  /** Reads until `count` rows arrived (or 15 s passed), then stops the reader. */
  async function take(reader: SourceReader, count: number): Promise<Value[]> {
    const out: Value[] = [];
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      for await (const e of reader.read(ac.signal)) {
        if (e.kind === 'batch') for (const r of batchToRows(e.batch)) out.push(r[0] ?? null);
        if (out.length >= count) break;
      }
    } finally {
      clearTimeout(timer);
    }
    return out;
  }

  it("'latest-offset' starts after the records already in the topic", async () => {
    const t = await topic();
    await produce(t, [
      [0, '{"a":1}'],
      [0, '{"a":2}'],
    ]);
    const reader = source(t, { 'scan.startup.mode': 'latest-offset' }).createReader(0, 1);
    // The reader yields no element before it has data; produce once it has started fetching.
    const rows = take(reader, 1);
    await new Promise((r) => setTimeout(r, 1500));
    await produce(t, [[0, '{"a":3}']]);
    expect(await rows).toEqual([3]);
  });

  it('positions snapshot to bytes; a restored reader resumes after what the first one read', async () => {
    const t = await topic(2);
    await produce(t, [
      [0, '{"a":1}'],
      [1, '{"a":2}'],
      [0, '{"a":3}'],
    ]);
    const src = source(t, { 'scan.startup.mode': 'earliest-offset' });
    const first = src.createReader(0, 1);
    expect((await take(first, 3)).sort()).toEqual([1, 2, 3]);
    const bytes = first.snapshotState();
    expect(decodeKeyGroupedSnapshot(bytes).operatorState.union?.get('splits')).toHaveLength(2);
    await produce(t, [
      [1, '{"a":4}'],
      [0, '{"a":5}'],
    ]);
    const restored = src.createReader(0, 1);
    restored.restoreState(bytes);
    expect((await take(restored, 2)).sort()).toEqual([4, 5]);
  });

  it('a windowed aggregation from one topic into another (bounded read: the final watermark fires every window)', async () => {
    const input = await topic(3);
    const output = await topic();
    const at = (s: number): string => `2024-01-01 00:00:${String(s).padStart(2, '0')}`;
    await produce(input, [
      [0, JSON.stringify({ k: 'a', ts: at(1) })],
      [1, JSON.stringify({ k: 'a', ts: at(4) })],
      [2, JSON.stringify({ k: 'b', ts: at(7) })],
      [0, JSON.stringify({ k: 'a', ts: at(12) })],
    ]);
    const env = TableEnvironment.create({ parallelism: 2 });
    const props = `'properties.bootstrap.servers' = '${bootstrap}'`;
    env.executeSql(
      `CREATE TABLE clicks (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'kafka', 'topic' = '${input}', ${props}, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`,
    );
    env.executeSql(
      `CREATE TABLE counts (k STRING, window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'kafka', 'topic' = '${output}', ${props}, 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`,
    );
    await env
      .executeSql(
        "INSERT INTO counts SELECT k, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end",
      )
      .await();
    const back = await env.executeSql('SELECT k, window_start, n FROM counts').materialize();
    expect(
      back.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))).sort(),
    ).toEqual(
      [
        ['a', Date.UTC(2024, 0, 1), 2],
        ['a', Date.UTC(2024, 0, 1, 0, 0, 10), 1],
        ['b', Date.UTC(2024, 0, 1), 1],
      ]
        .map((r) => JSON.stringify(r))
        .sort(),
    );
  });
});
