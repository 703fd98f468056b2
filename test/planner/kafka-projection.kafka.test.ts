// Projection push-down into the Kafka source (Flink's SupportsProjectionPushDown with the JSON format's
// ProjectableDecodingFormat), on the real broker: the scan reads only the used columns (EXPLAIN `project=[…]`) and
// the JSON decoder converts only those fields, so a value that does not convert in an unread field does not fail
// the query, while reading that field does (as the filesystem source's push-down behaves).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { TableEnvironment, type Value } from '../../index.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

describe.skipIf(kafka === null)('kafka projection push-down', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  const run = randomBytes(4).toString('hex');
  const topic = `projection-${run}`;
  let admin: Admin;
  let producer: Producer<string, string, string, string>;

  beforeAll(async () => {
    admin = new Admin(clientOptions(bootstrap, `admin-${run}`));
    producer = new Producer({
      ...clientOptions(bootstrap, `producer-${run}`),
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await producer.send({
      messages: [
        { topic, partition: 0, value: '{"id": 1, "name": "a", "score": 1.5}' },
        { topic, partition: 0, value: '{"id": 2, "name": "b", "score": "not a number"}' },
      ],
    });
  });
  afterAll(async () => {
    await producer?.close();
    await admin?.close();
  });

  function env(): TableEnvironment {
    const e = TableEnvironment.create();
    e.executeSql(`CREATE TABLE t (id INT, name STRING, score DOUBLE) WITH ('connector' = 'kafka', 'topic' = '${topic}',
      'properties.bootstrap.servers' = '${bootstrap}', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json')`);
    return e;
  }

  it('reads and converts only the used fields', async () => {
    const e = env();
    expect(e.explainSql('SELECT id, name FROM t')).toContain('project=[id, name]');
    const rows: Value[][] = (await e.executeSql('SELECT name, id FROM t').materialize()).map((r) => [...r]);
    expect(rows).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    // Reading the field that does not convert fails, naming the problem.
    await expect(env().executeSql('SELECT score FROM t').materialize()).rejects.toThrow(/score/);
  }, 60_000);
});
