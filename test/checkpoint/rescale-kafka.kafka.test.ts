// Issue #12: "Savepoint, stop, restart at a different parallelism: the final output equals the uninterrupted run",
// on the real broker. A Kafka topic of 4 partitions (orders) joined with a second topic (customers) and
// aggregated per key runs at parallelism 2, is stopped with a savepoint after a fifth of the orders, and resumes
// at 3 and at 1: the Kafka readers take the partitions Flink's KafkaSourceEnumerator assigns them at the new
// parallelism, at the savepoint's offsets (KafkaPartitionSplit state), and the join and aggregate state moves by
// key group. The committed output (a two-phase sink, exactly-once) folded into its final table equals the
// uninterrupted run's.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Admin, Consumer, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';
import { factories, finalTable, paced, pacing, store } from './rescale-support.js';

const kafka = await kafkaForTests();
const ORDERS = 40_000;
const SINK = 'default_catalog.default_database.per_key';

describe.skipIf(kafka === null)(
  'Kafka job stopped with a savepoint at parallelism 2, resumed at another (real broker)',
  () => {
    const bootstrap = kafka?.bootstrap ?? '';
    const run = randomBytes(4).toString('hex');
    const orders = `rescale-orders-${run}`;
    const customers = `rescale-customers-${run}`;
    let dir: string;
    const cleanups: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-rescale-kafka-'));
      const admin = new Admin(clientOptions(bootstrap, `admin-${run}`));
      await admin.createTopics({ topics: [orders], partitions: 4, replicas: 1 });
      await admin.createTopics({ topics: [customers], partitions: 2, replicas: 1 });
      await admin.close();
      const producer = new Producer({
        ...clientOptions(bootstrap, `producer-${run}`),
        serializers: stringSerializers,
        idempotent: true,
        acks: ProduceAcks.ALL,
      });
      // Orders: k in 0..12 (keys 11 and 12 have no customer), v varies; partition = id mod 4. The padding (a field
      // the table does not declare) makes a partition ~3 MB, several fetches of 1 MB, so the readers yield many
      // batches and the savepoint's barrier lands between them.
      const pad = 'x'.repeat(300);
      for (let from = 0; from < ORDERS; from += 1_000) {
        const messages = [];
        for (let id = from; id < from + 1_000; id++)
          messages.push({
            topic: orders,
            partition: id % 4,
            value: JSON.stringify({ id, k: id % 13, v: (id * 37) % 101, pad }),
          });
        await producer.send({ messages });
      }
      const cs = [];
      for (let c = 0; c < 33; c++)
        cs.push({ topic: customers, partition: c % 2, value: JSON.stringify({ k: c % 11, w: c + 1 }) });
      await producer.send({ messages: cs });
      await producer.close();
      // 'scan.bounded.mode' = 'latest-offset' stops at the offsets the broker lists at start: wait until it lists
      // every record, or a run could stop short of some.
      const consumer = new Consumer({
        ...clientOptions(bootstrap, `offsets-${run}`),
        groupId: `offsets-${run}`,
      });
      const listed = async (): Promise<bigint> => {
        const res = await consumer.listOffsets({
          topics: [orders, customers],
          partitions: { [orders]: [0, 1, 2, 3], [customers]: [0, 1] },
        });
        let n = 0n;
        for (const t of [orders, customers]) for (const o of res.get(t) ?? []) n += o ?? 0n;
        return n;
      };
      for (let i = 0; i < 100 && (await listed()) !== BigInt(ORDERS + 33); i++)
        await new Promise((r) => setTimeout(r, 100));
      await consumer.close();
    });
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
      store.clear();
    });
    afterAll(async () => {
      if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    });

    function env(config: Record<string, string>): TableEnvironment {
      const e = TableEnvironment.create({
        config: {
          'execution.target': 'local',
          'execution.checkpointing.dir': path.join(dir, 'chk'),
          ...config,
        },
        factories,
      });
      cleanups.push(() => e.dispatcher.shutdown());
      e.createTemporarySystemFunction('paced', paced);
      const kafkaTable = (name: string, topic: string, columns: string): string =>
        `CREATE TABLE ${name} (${columns}) WITH ('connector' = 'kafka', 'topic' = '${topic}',
        'properties.bootstrap.servers' = '${bootstrap}', 'format' = 'json',
        'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset')`;
      e.executeSql(kafkaTable('orders_raw', orders, 'id INT, k INT, v INT'));
      e.executeSql(kafkaTable('customers', customers, 'k INT, w INT'));
      // The orders pass a counting, pacing function (chained into the scan): the test stops after a fifth of them.
      e.executeSql('CREATE VIEW orders AS SELECT paced(id) AS id, k, v FROM orders_raw');
      e.executeSql(`CREATE TABLE per_key (k INT, n BIGINT, s BIGINT, ids BIGINT) WITH ('connector' = 'txn')`);
      return e;
    }
    const INSERT = `INSERT INTO per_key SELECT o.k, COUNT(*), SUM(CAST(o.v * c.w AS BIGINT)), SUM(CAST(o.id AS BIGINT))
    FROM orders o JOIN customers c ON o.k = c.k GROUP BY o.k`;

    async function uninterrupted(): Promise<string[]> {
      const e = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '100 ms' });
      await e.executeSql(INSERT).await();
      const rows = finalTable(store.committed.get(SINK) ?? []);
      store.clear();
      return rows;
    }

    it.each([3, 1])(
      'savepoint at parallelism 2, resume at %i: the final table equals the uninterrupted run',
      async (to) => {
        const expected = await uninterrupted();
        expect(expected).toHaveLength(11);
        const first = env({ 'parallelism.default': '2', 'execution.checkpointing.interval': '60 s' });
        pacing.rows = 0;
        const jid = first.executeSql(INSERT).jobId as string;
        while (pacing.rows < ORDERS / 5) await new Promise((r) => setTimeout(r, 5));
        store.stopping = true;
        const savepoint = (await first.stopJob(jid, { savepoint: path.join(dir, 'savepoints') })) as string;
        store.stopping = false;
        pacing.rows = 0;
        const resumed = env({
          'parallelism.default': String(to),
          'execution.checkpointing.interval': '60 s',
          'execution.savepoint.path': savepoint,
        });
        await resumed.executeSql(INSERT).await();
        // The resumed readers went on from the savepoint's offsets: they read the rest of the orders, not all of them.
        expect(pacing.rows).toBeGreaterThan(0);
        expect(pacing.rows).toBeLessThanOrEqual((ORDERS * 4) / 5);
        expect(finalTable(store.committed.get(SINK) ?? [])).toEqual(expected);
      },
    );
  },
);
