// The kafka and upsert-kafka connectors against the real broker: SQL over a 3-partition JSON topic with an
// event-time watermark, the sink writer, upsert round trip with deletes, metadata columns, group offsets after a
// restart, malformed JSON (fail vs skip), bounded modes, and read_committed with two aborted transactions.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { RowKind, Schema, TableEnvironment, Types, batchFromRows, batchToRows, columnWatermarks, rowKindShort, type SourceReader, type Value } from '../../index.js';
import { kafkaFactory, upsertKafkaFactory } from '../../connectors/kafka/factory.js';
import { kafkaConfig } from '../../connectors/kafka/options.js';
import { KafkaSinkWriter } from '../../connectors/kafka/sink.js';
import { KafkaSource, type KafkaSourceReader } from '../../connectors/kafka/source.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

describe.skipIf(kafka === null)('kafka connector on a real broker', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  const run = randomBytes(4).toString('hex');
  let admin: Admin;
  let producer: Producer<string, string, string, string>;
  let n = 0;

  beforeAll(() => {
    admin = new Admin(clientOptions(bootstrap, `admin-${run}`));
    // Idempotent: right after topic creation a send can be retried after it was written, and a plain producer
    // would then write it twice.
    producer = new Producer({ ...clientOptions(bootstrap, `producer-${run}`), serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
  });
  afterAll(async () => {
    await producer?.close();
    await admin?.close();
  });

  async function topic(partitions = 1): Promise<string> {
    const name = `t${n++}-${run}`;
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    return name;
  }

  type Msg = { key?: string; value?: string | null; partition?: number };
  async function produce(t: string, messages: Msg[]): Promise<void> {
    await producer.send({
      messages: messages.map((m) => ({
        topic: t,
        ...(m.key !== undefined ? { key: m.key } : {}),
        ...(m.value !== undefined && m.value !== null ? { value: m.value } : {}),
        partition: m.partition ?? 0,
      })),
    });
  }

  /** Reads a reader to its end (bounded) as [kind, ...values] rows. */
  async function drain(reader: SourceReader): Promise<Array<[string, ...Value[]]>> {
    const out: Array<[string, ...Value[]]> = [];
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      for await (const e of reader.read(ac.signal)) {
        if (e.kind === 'batch') batchToRows(e.batch).forEach((r, i) => out.push([rowKindShort(e.batch.kinds[i] as number), ...r]));
        if (e.kind === 'end') return out;
      }
    } finally {
      clearTimeout(timer);
    }
    throw new Error(`the reader did not end; read ${out.length} rows`);
  }

  const base = (t: string, extra: Record<string, string> = {}): Record<string, string> => ({
    connector: 'kafka',
    topic: t,
    'properties.bootstrap.servers': bootstrap,
    'scan.startup.mode': 'earliest-offset',
    'scan.bounded.mode': 'latest-offset',
    ...extra,
  });

  function reader(options: Record<string, string>, schema: Schema, pk: string[] | null = null, metadata: ConstructorParameters<typeof KafkaSource>[2] = []): KafkaSourceReader {
    const connector = options['connector'] === 'upsert-kafka' ? 'upsert-kafka' : 'kafka';
    return new KafkaSource(kafkaConfig(connector, options, schema, pk), schema, metadata, 't').createReader(0, 1);
  }

  it('reads a 3-partition JSON topic with an event-time watermark through SQL, bounded at the latest offsets', async () => {
    const t = await topic(3);
    const events = Array.from({ length: 30 }, (_, i) => ({ id: i, user: `u${i % 4}`, ts: `2024-01-01 10:00:${String(i).padStart(2, '0')}.000` }));
    await produce(
      t,
      events.map((e) => ({ value: JSON.stringify(e), partition: e.id % 3 })),
    );
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE clicks (id INT, \`user\` STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (
      'connector' = 'kafka', 'topic' = '${t}', 'properties.bootstrap.servers' = '${bootstrap}',
      'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`);
    const rows = await env.executeSql("SELECT id, `user`, ts FROM clicks WHERE `user` = 'u1'").materialize();
    const expected = events.filter((e) => e.user === 'u1').map((e) => [e.id, e.user, Date.UTC(2024, 0, 1, 10, 0, e.id)]);
    expect([...rows].sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(expected);
  });

  it('writes rows with the sink writer (keyed, Java-compatible partitions) and reads them back with key fields', async () => {
    const t = await topic(3);
    const schema = Schema.of(['k', Types.STRING()], ['v', Types.BIGINT()]);
    const options = { ...base(t), 'key.format': 'raw', 'key.fields': 'k', 'value.format': 'json', 'value.fields-include': 'EXCEPT_KEY' };
    const writer = new KafkaSinkWriter(kafkaConfig('kafka', options, schema, null), schema, 'sink');
    const rows = Array.from({ length: 12 }, (_, i): Value[] => [`key-${i}`, 9007199254740993n + BigInt(i)]);
    await writer.write(batchFromRows(schema, rows));
    await writer.finish();
    await writer.close();
    const read = await drain(reader({ ...options }, schema, null, [{ key: 'partition', name: 'p', type: Types.INT(false) }]));
    expect(read.map((r) => r.slice(1, 3)).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    // Golden partitions from the Java client's murmur2 partitioner (test/kafka/broker.test.ts): key-0 → 1, key-1 → 0.
    expect(read.find((r) => r[1] === 'key-0')?.[3]).toBe(1);
    expect(read.find((r) => r[1] === 'key-1')?.[3]).toBe(0);
  });

  it('sink.partitioner: round-robin without a key by default, fixed by subtask, round-robin; delivery none', async () => {
    const schema = Schema.of(['v', Types.INT()]);
    const rows = Array.from({ length: 6 }, (_, i): Value[] => [i]);
    async function partitionsOf(extra: Record<string, string>, subtask = 0): Promise<number[]> {
      const t = await topic(3);
      const options = { ...base(t), format: 'json', ...extra };
      const writer = new KafkaSinkWriter(kafkaConfig('kafka', options, schema, null), schema, 'sink', subtask);
      await writer.write(batchFromRows(schema, rows));
      await writer.finish();
      await writer.close();
      const read = await drain(reader(options, schema, null, [{ key: 'partition', name: 'p', type: Types.INT(false) }]));
      const pairs = read.map((r): [number, number] => [r[1] as number, r[2] as number]);
      // delivery-guarantee none may duplicate (a retried send without idempotence): compare distinct records there;
      // at-least-once is idempotent, so exactly six records must arrive.
      if (extra['sink.delivery-guarantee'] !== 'none') expect(pairs).toHaveLength(6);
      return [...new Map(pairs)].sort((a, b) => a[0] - b[0]).map((r) => r[1]);
    }
    expect(await partitionsOf({})).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await partitionsOf({ 'sink.partitioner': 'fixed' }, 4)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(await partitionsOf({ 'sink.partitioner': 'round-robin', 'sink.delivery-guarantee': 'none' })).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('rejects updates in an append-only kafka sink with a clear message', async () => {
    const t = await topic();
    const schema = Schema.of(['v', Types.STRING()]);
    const writer = new KafkaSinkWriter(kafkaConfig('kafka', { ...base(t), format: 'json' }, schema, null), schema, 'sink');
    await expect(writer.write(batchFromRows(schema, [['a']], [RowKind.UPDATE_AFTER]))).rejects.toThrow(/append-only and cannot take \+U rows.*upsert-kafka/);
    await writer.close();
  });

  it('round-trips upsert-kafka: upserts and deletes become a changelog of +I, -U/+U and -D', async () => {
    const t = await topic(2);
    const schema = Schema.of(['id', Types.INT(false)], ['name', Types.STRING()]);
    const options = { connector: 'upsert-kafka', topic: t, 'properties.bootstrap.servers': bootstrap, 'key.format': 'json', 'value.format': 'json', 'scan.bounded.mode': 'latest-offset' };
    const cfg = kafkaConfig('upsert-kafka', options, schema, ['id']);
    const writer = new KafkaSinkWriter(cfg, schema, 'users');
    await writer.write(batchFromRows(schema, [[1, 'a'], [2, 'b']]));
    await writer.write(batchFromRows(schema, [[1, 'a'], [1, 'a2'], [2, 'b'], [3, 'never']], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE, RowKind.INSERT]));
    await writer.write(batchFromRows(schema, [[3, 'never']], [RowKind.DELETE]));
    await writer.finish();
    await writer.close();
    const rows = await drain(reader(options, schema, ['id']));
    // Keys hash to partitions, so order holds per key only.
    const perKey = (id: number): Array<[string, ...Value[]]> => rows.filter((r) => r[1] === id);
    expect(perKey(1)).toEqual([
      ['+I', 1, 'a'],
      ['-U', 1, 'a'],
      ['+U', 1, 'a2'],
    ]);
    expect(perKey(2)).toEqual([
      ['+I', 2, 'b'],
      ['-D', 2, 'b'],
    ]);
    expect(perKey(3)).toEqual([
      ['+I', 3, 'never'],
      ['-D', 3, 'never'],
    ]);
    expect(() => upsertKafkaFactory.validate?.(options, schema, null)).toThrow(/needs a PRIMARY KEY/);
  });

  it('reads metadata columns: topic, partition, offset, timestamp, timestamp-type, headers, leader-epoch', async () => {
    const t = await topic(2);
    const at = 1_700_000_000_000n;
    await producer.send({ messages: [{ topic: t, partition: 1, value: '{"a":1}', timestamp: at, headers: { h: 'x' } }] });
    const schema = Schema.of(['a', Types.INT()]);
    const meta = [
      { key: 'topic', name: 'topic', type: Types.STRING(false) },
      { key: 'partition', name: 'partition', type: Types.INT(false) },
      { key: 'offset', name: 'offset', type: Types.BIGINT(false) },
      { key: 'timestamp', name: 'ts', type: Types.TIMESTAMP_LTZ(3, false) },
      { key: 'timestamp-type', name: 'tt', type: Types.STRING(false) },
      { key: 'headers', name: 'headers', type: Types.MAP(Types.STRING(false), Types.BYTES()) },
      { key: 'leader-epoch', name: 'epoch', type: Types.INT() },
    ] as const;
    const rows = await drain(reader({ ...base(t), format: 'json' }, schema, null, meta));
    expect(rows).toEqual([['+I', 1, t, 1, 0n, Number(at), 'CreateTime', new Map([['h', new Uint8Array(Buffer.from('x'))]]), 0]]);
    // The planner's path: the factory gets the metadata columns in the SourceContext.
    const viaFactory = kafkaFactory.createSource?.({ physicalSchema: schema, options: { ...base(t), format: 'json' }, tableName: 't', metadata: [{ name: 'o', key: 'offset', type: Types.BIGINT(false) }] });
    expect(await drain(viaFactory as SourceReader)).toEqual([['+I', 1, 0n]]);
    expect(() => kafkaFactory.createSource?.({ physicalSchema: schema, options: { ...base(t), format: 'json' }, tableName: 't', metadata: [{ name: 'o', key: 'nope', type: Types.INT() }] })).toThrow(/unknown metadata key 'nope'/);
  });

  it('metadata columns through SQL: METADATA [FROM] [VIRTUAL], computed over metadata, unknown keys rejected', async () => {
    const t = await topic(2);
    await produce(t, [
      { value: '{"a":1}', partition: 1 },
      { value: '{"a":2}', partition: 1 },
    ]);
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE m (a INT, \`offset\` BIGINT METADATA VIRTUAL, part INT METADATA FROM 'partition', next_part AS part + 1, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp') WITH (
      'connector' = 'kafka', 'topic' = '${t}', 'properties.bootstrap.servers' = '${bootstrap}',
      'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`);
    const rows = await env.executeSql('SELECT a, `offset`, part, next_part, ts IS NOT NULL FROM m').materialize();
    expect(rows).toEqual([
      [1, 0n, 1, 2, true],
      [2, 1n, 1, 2, true],
    ]);
    expect(() => env.executeSql(`CREATE TABLE bad (a INT, k STRING METADATA FROM 'key') WITH ('connector' = 'kafka', 'topic' = 'x', 'properties.bootstrap.servers' = '${bootstrap}', 'format' = 'json')`)).toThrow(
      /offers no metadata key 'key' \(available: topic, partition, offset/,
    );
  });

  it('starts from the group offsets it committed, after a restart', async () => {
    const t = await topic(2);
    await produce(t, [{ value: '{"a":1}', partition: 0 }, { value: '{"a":2}', partition: 1 }]);
    const schema = Schema.of(['a', Types.INT()]);
    const options = { ...base(t), format: 'json', 'properties.group.id': `g-${t}`, 'scan.startup.mode': 'group-offsets', 'properties.auto.offset.reset': 'earliest' };
    expect((await drain(reader(options, schema))).map((r) => r[1]).sort()).toEqual([1, 2]);
    await produce(t, [{ value: '{"a":3}', partition: 0 }, { value: '{"a":4}', partition: 1 }]);
    // The second reader is a restart: it resumes where the first committed, so it sees only the new records.
    expect((await drain(reader(options, schema))).map((r) => r[1]).sort()).toEqual([3, 4]);
    await expect(drain(reader({ ...options, 'properties.group.id': `fresh-${t}`, 'properties.auto.offset.reset': 'none' }, schema))).rejects.toThrow(/has no committed offset/);
  });

  it('fails on malformed JSON naming topic, partition, offset and field; skips and counts with json.ignore-parse-errors', async () => {
    const t = await topic();
    await produce(t, [{ value: '{"a":1}' }, { value: '{"a":"x"}' }, { value: '{oops' }, { value: '{"a":4}' }]);
    const schema = Schema.of(['a', Types.INT()]);
    await expect(drain(reader({ ...base(t), format: 'json' }, schema))).rejects.toThrow(new RegExp(`topic '${t}' partition 0 at offset 1 \\(message value\\): field 'a': cannot read "x" as INT`));
    const skipping = reader({ ...base(t), format: 'json', 'json.ignore-parse-errors': 'true' }, schema);
    expect((await drain(skipping)).map((r) => r[1])).toEqual([1, 4]);
    expect(skipping.skippedRecords).toBe(2);
  });

  it('bounded modes: specific offsets and timestamps start and stop where asked; positions are kept per partition', async () => {
    const t = await topic(2);
    await producer.send({
      messages: [0, 1, 2, 3, 4].flatMap((i) => [0, 1].map((partition) => ({ topic: t, partition, value: `{"a":${i * 10 + partition}}`, timestamp: BigInt(1_000_000 + i * 1000) }))),
    });
    const schema = Schema.of(['a', Types.INT()]);
    const specific = reader({ ...base(t), format: 'json', 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:1;partition:1,offset:3', 'scan.bounded.mode': 'specific-offsets', 'scan.bounded.specific-offsets': 'partition:0,offset:3;partition:1,offset:4' }, schema);
    expect((await drain(specific)).map((r) => r[1]).sort((a, b) => (a as number) - (b as number))).toEqual([10, 20, 31]);
    expect([...specific.state.partitions.values()].map((p) => [p.partition, p.next])).toEqual([
      [0, 3n],
      [1, 4n],
    ]);
    const byTime = reader({ ...base(t), format: 'json', 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': '1002000', 'scan.bounded.mode': 'timestamp', 'scan.bounded.timestamp-millis': '1004000' }, schema);
    expect((await drain(byTime)).map((r) => r[1]).sort((a, b) => (a as number) - (b as number))).toEqual([20, 21, 30, 31]);
  });

  it('read_committed skips both aborted transactions of one producer in a single fetch (the client alone leaks the first)', async () => {
    const t = await topic();
    const tx = new Producer({ ...clientOptions(bootstrap, `tx-${run}`), serializers: stringSerializers, idempotent: true, transactionalId: `freshet-tx-${t}`, acks: ProduceAcks.ALL });
    try {
      for (const label of ['abort-1', 'commit-1', 'abort-2', 'commit-2']) {
        const txn = await tx.beginTransaction();
        await txn.send({ messages: [0, 1].map((i) => ({ topic: t, partition: 0, value: JSON.stringify({ s: `${label}-${i}` }) })) });
        if (label.startsWith('abort')) await txn.abort();
        else await txn.commit();
      }
    } finally {
      await tx.close();
    }
    const schema = Schema.of(['s', Types.STRING()]);
    const committed = await drain(reader({ ...base(t), format: 'json', 'properties.isolation.level': 'read_committed' }, schema));
    expect(committed.map((r) => r[1])).toEqual(['commit-1-0', 'commit-1-1', 'commit-2-0', 'commit-2-1']);
    const all = await drain(reader({ ...base(t), format: 'json' }, schema));
    expect(all.map((r) => r[1])).toEqual(['abort-1-0', 'abort-1-1', 'commit-1-0', 'commit-1-1', 'abort-2-0', 'abort-2-1', 'commit-2-0', 'commit-2-1']);
  });

  it('splits partitions over parallel readers and discovers partitions added while reading', async () => {
    const t = await topic(4);
    await produce(
      t,
      [0, 1, 2, 3].map((p) => ({ value: `{"a":${p}}`, partition: p })),
    );
    const schema = Schema.of(['a', Types.INT()]);
    const source = new KafkaSource(kafkaConfig('kafka', { ...base(t), format: 'json' }, schema, null), schema, [], 't');
    const parts = await Promise.all([0, 1].map(async (i) => (await drain(source.createReader(i, 2))).map((r) => r[1])));
    expect(parts.flat().sort()).toEqual([0, 1, 2, 3]);
    expect(parts.every((p) => p.length === 2)).toBe(true);

    // Unbounded with a short discovery interval: a partition created while reading is found and read from its start.
    const live = reader({ ...base(t), format: 'json', 'scan.bounded.mode': 'unbounded', 'scan.topic-partition-discovery.interval': '100 ms' }, schema);
    const ac = new AbortController();
    const seen: Value[] = [];
    const timer = setTimeout(() => ac.abort(), 15_000);
    let added = false;
    try {
      for await (const e of live.read(ac.signal)) {
        if (e.kind === 'batch') seen.push(...batchToRows(e.batch).map((r) => r[0] ?? null));
        if (seen.length === 4 && !added) {
          added = true;
          await admin.createPartitions({ topics: [{ name: t, count: 5 }] });
          // A fresh producer: the shared one caches 4 partitions and would not route to the new one.
          const fresh = new Producer({ ...clientOptions(bootstrap, `producer-new-${run}`), serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
          await fresh.send({ messages: [{ topic: t, value: '{"a":4}', partition: 4 }] });
          await fresh.close();
        }
        if (seen.length === 5) break;
      }
    } finally {
      clearTimeout(timer);
      await live.close();
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(live.state.partitions.get(`${t}:4`)?.next).toBe(1n);
  });

  it('INSERT INTO a kafka table from a kafka table through SQL, with avro values', async () => {
    const src = await topic(2);
    const dst = await topic(2);
    await produce(
      src,
      [1, 2, 3, 4].map((i) => ({ value: JSON.stringify({ id: i, name: `n${i}` }), partition: i % 2 })),
    );
    const env = TableEnvironment.create();
    env.executeSql(`CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${src}', 'properties.bootstrap.servers' = '${bootstrap}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`);
    env.executeSql(`CREATE TABLE dst (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${dst}', 'properties.bootstrap.servers' = '${bootstrap}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'key.format' = 'json', 'key.fields' = 'id', 'value.format' = 'avro')`);
    await env.executeSql('INSERT INTO dst SELECT id, UPPER(name) FROM src WHERE id > 1').await();
    const rows = await env.executeSql('SELECT id, name FROM dst').materialize();
    expect([...rows].sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
      [2, 'N2'],
      [3, 'N3'],
      [4, 'N4'],
    ]);
  });

  it('reads a debezium-json topic as a changelog', async () => {
    const t = await topic();
    const ev = (op: string, before: object | null, after: object | null): Msg => ({ value: JSON.stringify({ before, after, op }) });
    await produce(t, [ev('c', null, { id: 1, v: 'a' }), ev('u', { id: 1, v: 'a' }, { id: 1, v: 'b' }), ev('d', { id: 1, v: 'b' }, null)]);
    const schema = Schema.of(['id', Types.INT()], ['v', Types.STRING()]);
    expect(await drain(reader({ ...base(t), format: 'debezium-json' }, schema, ['id']))).toEqual([
      ['+I', 1, 'a'],
      ['-U', 1, 'a'],
      ['+U', 1, 'b'],
      ['-D', 1, 'b'],
    ]);
  });

  it('per-partition watermarks: the minimum over partitions, idle partitions left out, all idle reported', async () => {
    const t = await topic(2);
    const rec = (partition: number, ts: number): Msg => ({ value: JSON.stringify({ ts: new Date(ts).toISOString().replace('T', ' ').replace('Z', '') }), partition });
    await produce(t, [rec(0, 10_000), rec(1, 5_000)]);
    const schema = Schema.of(['ts', Types.TIMESTAMP(3)]);
    const source = new KafkaSource(kafkaConfig('kafka', { ...base(t), format: 'json', 'scan.bounded.mode': 'unbounded' }, schema, null), schema, [], 't', columnWatermarks(0, 1000, 1000));
    const live = source.createReader(0, 1);
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    const events: string[] = [];
    // Partition 0 keeps receiving records; partition 1 falls silent and becomes idle.
    let next = 20_000;
    const feeder = setInterval(() => void produce(t, [rec(0, next++)]).catch(() => undefined), 100);
    try {
      for await (const e of live.read(ac.signal)) {
        if (e.kind === 'watermark') events.push(`wm ${e.timestamp}`);
        if (e.kind === 'idle') events.push(`idle ${e.idle}`);
        if (e.kind === 'watermark' && e.timestamp >= 19_000) {
          clearInterval(feeder);
        }
        if (e.kind === 'idle' && e.idle) break;
      }
    } finally {
      clearInterval(feeder);
      clearTimeout(timer);
      await live.close();
    }
    // First the minimum (partition 1's 5 s − 1 s), then partition 0's alone once partition 1 is idle, then idle.
    expect(events[0]).toBe('wm 4000');
    expect(events.some((e) => /^wm (19|2\d)\d{3}$/.test(e))).toBe(true);
    expect(events.at(-1)).toBe('idle true');
    const wms = events.filter((e) => e.startsWith('wm')).map((e) => Number(e.slice(3)));
    expect([...wms].sort((a, b) => a - b)).toEqual(wms);
  });

  it('a position deleted by retention is reset to the earliest offset still in the log', async () => {
    const t = await topic();
    await produce(t, [0, 1, 2].map((a) => ({ value: `{"a":${a}}` })));
    await admin.deleteRecords({ topics: [{ name: t, partitions: [{ partition: 0, offset: 2n }] }] });
    const schema = Schema.of(['a', Types.INT()]);
    const r = reader({ ...base(t), format: 'json', 'scan.startup.mode': 'specific-offsets', 'scan.startup.specific-offsets': 'partition:0,offset:0' }, schema);
    expect((await drain(r)).map((row) => row[1])).toEqual([2]);
  });

  it('SQL end to end: a debezium-json changelog INSERTed INTO an upsert-kafka table, read back as a table', async () => {
    const cdc = await topic();
    const users = await topic(2);
    const ev = (op: string, before: object | null, after: object | null): Msg => ({ value: JSON.stringify({ before, after, op }) });
    await produce(cdc, [ev('c', null, { id: 1, name: 'a' }), ev('c', null, { id: 2, name: 'b' }), ev('u', { id: 1, name: 'a' }, { id: 1, name: 'a2' }), ev('d', { id: 2, name: 'b' }, null)]);
    const env = TableEnvironment.create();
    const props = `'properties.bootstrap.servers' = '${bootstrap}', 'scan.bounded.mode' = 'latest-offset'`;
    env.executeSql(`CREATE TABLE cdc (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = '${cdc}', ${props}, 'scan.startup.mode' = 'earliest-offset', 'format' = 'debezium-json')`);
    env.executeSql(`CREATE TABLE users (k_id INT, name STRING, PRIMARY KEY (k_id) NOT ENFORCED) WITH ('connector' = 'upsert-kafka', 'topic' = '${users}', ${props}, 'key.format' = 'json', 'key.fields-prefix' = 'k_', 'value.format' = 'json', 'value.fields-include' = 'EXCEPT_KEY')`);
    await env.executeSql('INSERT INTO users SELECT id, name FROM cdc').await();
    expect(await env.executeSql('SELECT k_id, name FROM users').materialize()).toEqual([[1, 'a2']]);
    // The key carries the column without its prefix, the value only the non-key columns.
    env.executeSql(`CREATE TABLE raw_users (k STRING, v STRING) WITH ('connector' = 'kafka', 'topic' = '${users}', ${props}, 'scan.startup.mode' = 'earliest-offset', 'key.format' = 'raw', 'key.fields' = 'k', 'value.format' = 'raw', 'value.fields-include' = 'EXCEPT_KEY')`);
    const raw = await env.executeSql('SELECT k, v FROM raw_users').materialize();
    expect(raw).toContainEqual(['{"id":1}', '{"name":"a2"}']);
    expect(raw).toContainEqual(['{"id":2}', null]);
  });

  it('topic lists and topic-pattern read every matching topic', async () => {
    const names = [`pat-${run}-a`, `pat-${run}-b`, `other-${run}`];
    await admin.createTopics({ topics: names, partitions: 1, replicas: 1 });
    for (const [i, name] of names.entries()) await produce(name, [{ value: `{"a":${i}}` }]);
    const schema = Schema.of(['a', Types.INT()]);
    const { topic: _unused, ...noTopic } = base('');
    const byPattern = await drain(reader({ ...noTopic, 'topic-pattern': `pat-${run}-.*`, format: 'json' }, schema, null, [{ key: 'topic', name: 't', type: Types.STRING(false) }]));
    expect(byPattern.map((r) => r[2]).sort()).toEqual([names[0], names[1]]);
    const byList = await drain(reader({ ...base(`${names[0]}; ${names[2]}`), format: 'json' }, schema));
    expect(byList.map((r) => r[1]).sort()).toEqual([0, 2]);
  });

  it('validates options at CREATE TABLE time with the option named', () => {
    const schema = Schema.of(['a', Types.INT()]);
    const v = (o: Record<string, string>): void => kafkaFactory.validate?.({ connector: 'kafka', 'properties.bootstrap.servers': bootstrap, ...o }, schema, null);
    expect(() => v({ format: 'json' })).toThrow(/'topic'/);
    expect(() => v({ topic: 'x' })).toThrow(/'format'/);
    expect(() => v({ topic: 'x', format: 'json', 'scan.startup.mode': 'group-offsets' })).toThrow(/'properties.group.id'/);
    expect(() => v({ topic: 'x', format: 'json', 'key.fields': 'a' })).toThrow(/'key.fields' needs 'key.format'/);
    expect(() => v({ topic: 'x', format: 'json', 'csv.field-delimiter': ';' })).toThrow(/does not apply to format 'json'/);
    expect(() => v({ topic: 'x', format: 'raw', 'scan.startup.mode': 'earliest-offset' })).toThrow(/STRING or BYTES/);
    // A table only written to needs no group, though group-offsets is the default startup mode; reading it does.
    expect(() => v({ topic: 'x', format: 'json' })).not.toThrow();
    expect(() => kafkaFactory.createSource?.({ physicalSchema: schema, options: { connector: 'kafka', 'properties.bootstrap.servers': bootstrap, topic: 'x', format: 'json' }, tableName: 't' })).toThrow(/'properties.group.id' is required/);
  });
});
