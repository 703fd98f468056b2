// Continuous (unbounded) queries over a Kafka topic, the way users run them: through TableEnvironment with rows
// produced while the query runs, and through the CLI script mode (`freshet -e … --max-rows N`).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { TableEnvironment, type Change } from '../../index.js';
import { runCli } from '../support/cli.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

describe.skipIf(kafka === null)('continuous queries over Kafka', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  const run = randomBytes(4).toString('hex');
  let admin: Admin;
  let producer: Producer<string, string, string, string>;

  beforeAll(() => {
    admin = new Admin(clientOptions(bootstrap, `admin-${run}`));
    producer = new Producer({ ...clientOptions(bootstrap, `producer-${run}`), serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
  });
  afterAll(async () => {
    await producer?.close();
    await admin?.close();
  });

  const ddl = (topic: string): string =>
    `CREATE TABLE clicks (id INT, url STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${bootstrap}', 'properties.group.id' = 'g-${topic}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')`;

  it('sees rows produced while the query runs, until cancelled', async () => {
    const topic = `live-${run}`;
    const env = TableEnvironment.create();
    env.executeSql(ddl(topic));
    const result = env.executeSql("SELECT id, url FROM clicks WHERE url LIKE '%checkout%'");
    const seen: Change[] = [];
    const timer = setTimeout(() => result.cancel(), 15_000);
    let produced = false;
    for await (const change of result.changes()) {
      seen.push(change);
      if (!produced) {
        // The query is already running: these rows arrive after it started.
        produced = true;
        await producer.send({ messages: [3, 4].map((id) => ({ topic, partition: id % 2, value: JSON.stringify({ id, url: `/checkout/${id}` }) })) });
      }
      if (seen.length === 3) break;
    }
    clearTimeout(timer);
    result.cancel();
    expect(seen.map((c) => [c.kind, ...c.values]).sort((a, b) => (a[1] as number) - (b[1] as number))).toEqual([
      ['+I', 1, '/checkout/1'],
      ['+I', 3, '/checkout/3'],
      ['+I', 4, '/checkout/4'],
    ]);
  }, 20_000);

  // The first row must exist before the query starts, so the test above has something to react to.
  beforeAll(async () => {
    const topic = `live-${run}`;
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await producer.send({ messages: [{ topic, partition: 1, value: JSON.stringify({ id: 1, url: '/checkout/1' }) }, { topic, partition: 0, value: JSON.stringify({ id: 2, url: '/home' }) }] });
  });

  // A cancelled query must not leave anything behind that starves the next one (readers, consumer group members,
  // split enumerator): the REPL runs query after query in one process, at parallelism.default.
  it('after a cancelled parallel query, the next query in the same environment sees the topic', async () => {
    const topic = `again-${run}`;
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await producer.send({ messages: [1, 2, 3, 4].map((id) => ({ topic, partition: id % 2, value: JSON.stringify({ id, url: `/p/${id}` }) })) });
    const env = TableEnvironment.create({ config: { 'parallelism.default': '2' } });
    env.executeSql(ddl(topic));
    const ids = async (n: number): Promise<number[]> => {
      const result = env.executeSql('SELECT id FROM clicks');
      const timer = setTimeout(() => result.cancel(), 15_000);
      const seen: number[] = [];
      for await (const change of result.changes()) {
        seen.push(change.values[0] as number);
        if (seen.length === n) break;
      }
      clearTimeout(timer);
      result.cancel();
      return seen.sort();
    };
    // Cancelled with rows still in flight, then after all of them, then once more.
    expect(await ids(1)).toHaveLength(1);
    expect(await ids(4)).toEqual([1, 2, 3, 4]);
    expect(await ids(4)).toEqual([1, 2, 3, 4]);
  }, 40_000);

  it('runs from the CLI script mode and stops after --max-rows', async () => {
    const topic = `cli-${run}`;
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    await producer.send({ messages: [1, 2, 3].map((id) => ({ topic, partition: 0, value: JSON.stringify({ id, url: `/p/${id}` }) })) });
    const r = await runCli(['-e', `${ddl(topic)}; SELECT id, url FROM clicks WHERE id > 1;`, '--format', 'csv', '--max-rows', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['id,url', '2,/p/2', '3,/p/3']);
  }, 20_000);
});
