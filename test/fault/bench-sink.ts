// Kafka sink throughput, at-least-once vs exactly-once (each twice, alternating): a bounded 2-partition topic of
// JSON rows copied into another by `INSERT INTO d SELECT * FROM s` at parallelism 2, checkpoint every 1 s.
//   npx tsx test/fault/bench-sink.ts [rows] [bootstrap]     (without a bootstrap it starts a test broker)
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { TableEnvironment } from '../../index.js';
import { startKafka } from '../support/kafka-broker.js';
import { tmpdir } from 'node:os';

const N = Number(process.argv[2] ?? 200000);
const broker = process.argv[3] === undefined ? await startKafka() : null;
const bootstrap = process.argv[3] ?? broker?.bootstrap;
if (bootstrap === undefined) throw new Error('no Kafka broker (java missing?)');
const run = Math.random().toString(36).slice(2, 8);
const admin = new Admin({ clientId: 'a', bootstrapBrokers: [bootstrap] });
const src = `bench-src-${run}`;
await admin.createTopics({ topics: [src], partitions: 2, replicas: 1 });
const p = new Producer({
  clientId: 'p',
  bootstrapBrokers: [bootstrap],
  serializers: stringSerializers,
  idempotent: true,
  acks: ProduceAcks.ALL,
});
for (let c = 0; c < N; c += 5000) {
  const messages = [];
  for (let i = c; i < Math.min(N, c + 5000); i++)
    messages.push({
      topic: src,
      partition: i % 2,
      value: JSON.stringify({ id: i, name: `name-${i}`, amount: i % 1000 }),
    });
  await p.send({ messages });
}
await p.close();
for (const g of ['at-least-once', 'exactly-once', 'at-least-once', 'exactly-once']) {
  const dst = `bench-dst-${g}-${run}-${Math.random().toString(36).slice(2, 6)}`;
  await admin.createTopics({ topics: [dst], partitions: 2, replicas: 1 });
  const env = TableEnvironment.create({
    config: {
      'execution.target': 'local',
      'parallelism.default': '2',
      'execution.checkpointing.interval': '1 s',
      'execution.checkpointing.dir': `${tmpdir()}/freshet-bench-chk-${run}`,
    },
  });
  env.executeSql(
    `CREATE TABLE s (id BIGINT, name STRING, amount INT) WITH ('connector'='kafka','topic'='${src}','properties.bootstrap.servers'='${bootstrap}','format'='json','scan.startup.mode'='earliest-offset','scan.bounded.mode'='latest-offset')`,
  );
  env.executeSql(
    `CREATE TABLE d (id BIGINT, name STRING, amount INT) WITH ('connector'='kafka','topic'='${dst}','properties.bootstrap.servers'='${bootstrap}','format'='json','sink.delivery-guarantee'='${g}','sink.transactional-id-prefix'='bench-${dst}')`,
  );
  const t0 = performance.now();
  await env.executeSql('INSERT INTO d SELECT * FROM s').await();
  const ms = performance.now() - t0;
  console.log(`${g}: ${N} rows in ${ms.toFixed(0)} ms = ${Math.round(N / (ms / 1000))} rows/s`);
}
await admin.close();
await broker?.stop();
process.exit(0);
