// Per-partition watermarks through SQL on a real broker: the table's WATERMARK is pushed into the Kafka source
// (SupportsWatermarkPushDown), generated per partition and merged by minimum; an idle partition holds the windows
// back until 'scan.watermark.idle-timeout' leaves it out. Flink: docs/connectors/table/kafka "Source Per-Partition
// Watermarks" and docs/dev/datastream/event-time/generating_watermarks "Watermark Strategies and the Kafka
// Connector" / "Dealing With Idle Sources".
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import {
  FactoryRegistry,
  TableEnvironment,
  defaultFactories,
  type DynamicTableFactory,
  type Value,
} from '../../index.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

describe.skipIf(kafka === null)('per-partition watermarks in SQL (real broker)', () => {
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

  async function topic(partitions: number): Promise<string> {
    const name = `wm${n++}-${run}`;
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    return name;
  }

  /** Records `[partition, seconds]` with event time 2024-01-01 00:00:<seconds>. */
  async function produce(t: string, records: Array<[number, number]>): Promise<void> {
    await producer.send({
      messages: records.map(([partition, s]) => ({
        topic: t,
        partition,
        value: JSON.stringify({ k: `p${partition}`, ts: `2024-01-01 00:00:${String(s).padStart(2, '0')}` }),
      })),
    });
  }

  /** Kafka without SupportsWatermarkPushDown: the watermark is computed after the scan, over the merged rows. */
  function withoutPushDown(): FactoryRegistry {
    const r = new FactoryRegistry();
    for (const id of defaultFactories.identifiers()) {
      const f = defaultFactories.get(id) as DynamicTableFactory;
      const { supportsWatermarkPushDown: _w, ...rest } = f;
      r.register(id === 'kafka' ? rest : f);
    }
    return r;
  }

  function env(t: string, extra = '', factories?: FactoryRegistry, parallelism = 2): TableEnvironment {
    const e = TableEnvironment.create({ parallelism, ...(factories !== undefined ? { factories } : {}) });
    e.executeSql(`CREATE TABLE events (k STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
      'connector' = 'kafka', 'topic' = '${t}', 'properties.bootstrap.servers' = '${bootstrap}',
      'scan.startup.mode' = 'earliest-offset', 'format' = 'json'${extra})`);
    return e;
  }

  const WINDOWS =
    "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end";

  /** The first window result, or null when none came within `ms`. */
  async function firstWindow(
    e: TableEnvironment,
    ms: number,
    afterStart?: () => Promise<void>,
  ): Promise<Record<string, Value> | null> {
    const result = e.executeSql(WINDOWS);
    const it = result.collect()[Symbol.asyncIterator]();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
    try {
      const next = it.next().then((r) => (r.done === true ? null : r.value));
      if (afterStart !== undefined) await afterStart();
      return await Promise.race([next, timeout]);
    } finally {
      clearTimeout(timer);
      result.cancel();
    }
  }

  it('EXPLAIN shows the watermark pushed into the Kafka scan, read at parallelism.default', async () => {
    const e = env(await topic(3));
    const plan = e.explainSql(WINDOWS);
    expect(plan).toContain(
      'StreamTableSourceScan(table=[[default_catalog.default_database.events, project=[ts], watermark=[-(ts, +0 00:00:01.000)]]]',
    );
    expect(plan).toMatch(/1: StreamTableSourceScan.*\[parallelism=2\]/);
    expect(plan.slice(plan.indexOf('== Optimized Physical Plan =='))).not.toContain(
      'StreamWatermarkAssigner',
    );
  });

  it('a 3-partition topic with one idle partition: windows wait for it, and fire once the idle timeout leaves it out', async () => {
    const t = await topic(3);
    // Partitions 0 and 1 pass 10 s; partition 2 never receives a record.
    await produce(t, [
      [0, 1],
      [1, 2],
      [0, 12],
      [1, 13],
    ]);
    // One reader owning all three partitions: the empty one holds the minimum back, so nothing fires.
    expect(await firstWindow(env(t, '', undefined, 1), 3000)).toBeNull();
    // With an idle timeout the empty partition leaves the minimum. Every partition goes idle once it has had no
    // record for the timeout (Flink's WatermarksWithIdleness), so partitions 0 and 1 keep receiving rows while
    // partition 2 stays silent: with all rows written up front, all three could go idle before a watermark went
    // out on a loaded machine, and nothing would fire.
    const t2 = await topic(3);
    let producing = true;
    const fired = await firstWindow(env(t2, ", 'scan.watermark.idle-timeout' = '1 s'"), 20_000, async () => {
      await produce(t2, [
        [0, 1],
        [1, 2],
      ]);
      void (async () => {
        for (let s = 12; producing && s < 200; s++) {
          await new Promise((r) => setTimeout(r, 200));
          await produce(t2, [
            [0, s],
            [1, s],
          ]);
        }
      })().catch(() => undefined); // the broker may stop first
    }).finally(() => (producing = false));
    expect(fired).toEqual({ window_start: Date.UTC(2024, 0, 1), n: 2n });
  }, 60_000);

  it('out-of-order across partitions: the minimum keeps a lagging partition on time; one watermark after the scan drops its row', async () => {
    const t = await topic(2);
    // Partition 0 races ahead to 25 s before partition 1's 3 s row is written.
    await produce(t, [
      [0, 1],
      [0, 25],
    ]);
    const lagging = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 1500));
      await produce(t, [
        [1, 3],
        [1, 30],
      ]);
    };
    // One reader for both partitions (parallelism 1), so only the source's per-partition minimum tells them apart.
    // Per partition: partition 1 has no watermark until its 3 s row, so window [0 s, 10 s) waits for it.
    expect(await firstWindow(env(t, '', undefined, 1), 20_000, lagging)).toEqual({
      window_start: Date.UTC(2024, 0, 1),
      n: 2n,
    });
    const t2 = await topic(2);
    await produce(t2, [
      [0, 1],
      [0, 25],
    ]);
    const lagging2 = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 1500));
      await produce(t2, [
        [1, 3],
        [1, 30],
      ]);
    };
    // Without push-down the assigner after the scan sees 25 s first: the window fires with one row and the
    // 3 s row of partition 1 comes late and is dropped.
    expect(await firstWindow(env(t2, '', withoutPushDown(), 1), 20_000, lagging2)).toEqual({
      window_start: Date.UTC(2024, 0, 1),
      n: 1n,
    });
  });
});
