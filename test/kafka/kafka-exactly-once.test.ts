// The exactly-once Kafka sink against the real broker, one writer driven by hand through the two-phase-commit
// calls the SinkOperator makes (initialize, write, flush, prepareCommit on the barrier, commit when the
// checkpoint completes or after a restore). Shapes follow Flink's KafkaWriter / KafkaCommitter /
// TransactionAborter (flink-connector-kafka, org.apache.flink.connector.kafka.sink): transactional ids
// `<prefix>-<subtask>-<checkpoint>`, lingering transactions fenced on restore, committing twice commits once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, FetchIsolationLevels, type ListedOffsetsTopic } from '@platformatic/kafka';
import {
  RowKind,
  Schema,
  Types,
  batchFromRows,
  batchToRows,
  type SourceReader,
  type Value,
} from '../../index.js';
import { kafkaConfig } from '../../connectors/kafka/options.js';
import { KafkaSinkWriter } from '../../connectors/kafka/sink.js';
import { KafkaSource } from '../../connectors/kafka/source.js';
import { decodeCommittable } from '../../connectors/kafka/txn-coordinator.js';
import { clientOptions, kafkaForTests } from '../support/kafka.js';

const kafka = await kafkaForTests();

const schema = new Schema([
  { name: 'id', type: Types.INT() },
  { name: 'name', type: Types.STRING() },
]);

describe.skipIf(kafka === null)('exactly-once kafka sink', () => {
  const bootstrap = kafka?.bootstrap ?? '';
  const run = randomBytes(4).toString('hex');
  let admin: Admin;
  let n = 0;

  beforeAll(() => {
    admin = new Admin(clientOptions(bootstrap, `admin-eo-${run}`));
  });
  afterAll(async () => {
    await admin?.close();
  });

  async function topic(partitions = 2): Promise<string> {
    const name = `eo${n++}-${run}`;
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    return name;
  }

  const options = (t: string, extra: Record<string, string> = {}): Record<string, string> => ({
    connector: 'kafka',
    topic: t,
    'properties.bootstrap.servers': bootstrap,
    format: 'json',
    'sink.delivery-guarantee': 'exactly-once',
    'sink.transactional-id-prefix': `eo-${t}`,
    ...extra,
  });

  const writer = (t: string, extra: Record<string, string> = {}): KafkaSinkWriter =>
    new KafkaSinkWriter(kafkaConfig('kafka', options(t, extra), schema, null), schema, 'out');

  const batch = (ids: number[]) =>
    batchFromRows(
      schema,
      ids.map((i) => [i, `n${i}`]),
      ids.map(() => RowKind.INSERT),
    );

  /** Every row of the topic up to its end, under the isolation level, sorted by id. */
  async function read(t: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<number[]> {
    const cfg = kafkaConfig(
      'kafka',
      {
        ...options(t),
        'scan.startup.mode': 'earliest-offset',
        'scan.bounded.mode': 'latest-offset',
        'properties.isolation.level': isolation,
      },
      schema,
      null,
    );
    const reader: SourceReader = new KafkaSource(cfg, schema, [], 'out').createReader(0, 1);
    const ids: number[] = [];
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      for await (const e of reader.read(ac.signal)) {
        if (e.kind === 'batch') for (const r of batchToRows(e.batch)) ids.push(r[0] as number);
        if (e.kind === 'end') break;
      }
    } finally {
      clearTimeout(timer);
    }
    return ids.sort((a, b) => a - b);
  }

  /** Per partition: the last stable offset (read_committed end) equals the high watermark when no transaction is open. */
  async function openTransactions(t: string): Promise<boolean> {
    const ask = async (level: number): Promise<ListedOffsetsTopic[]> =>
      admin.listOffsets({
        topics: [{ name: t, partitions: [0, 1].map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
        isolationLevel: level as never,
      });
    const [hw, lso] = await Promise.all([
      ask(FetchIsolationLevels.READ_UNCOMMITTED),
      ask(FetchIsolationLevels.READ_COMMITTED),
    ]);
    const offs = (x: ListedOffsetsTopic[]): string[] =>
      x.flatMap((tp) => tp.partitions.map((p) => `${p.partitionIndex}:${p.offset}`)).sort();
    return offs(hw).join() !== offs(lso).join();
  }

  const init = (w: KafkaSinkWriter, restored: number | null = null, checkpointing = true): void =>
    w.initialize({
      subtaskIndex: 0,
      parallelism: 1,
      restoredCheckpointId: restored,
      checkpointingEnabled: checkpointing,
    });

  it('needs a transactional id prefix (Flink: KafkaSinkBuilder) and checkpointing', () => {
    const o = options('x');
    delete o['sink.transactional-id-prefix'];
    expect(() => kafkaConfig('kafka', o, schema, null)).toThrow(
      /'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'/,
    );
    expect(() =>
      kafkaConfig('kafka', { ...options('x'), 'sink.delivery-guarantee': 'twice' }, schema, null),
    ).toThrow(/invalid value 'twice' for option 'sink.delivery-guarantee'/);
    expect(() => init(writer('x'), null, false)).toThrow(/'exactly-once' needs checkpointing/);
  });

  it('rows become visible to read_committed only when the checkpoint commits; a second commit changes nothing', async () => {
    const t = await topic();
    const w = writer(t);
    init(w);
    await w.write(batch([1, 2, 3]));
    await w.flush();
    const c1 = w.prepareCommit(1);
    expect(c1).not.toBeNull();
    expect(decodeCommittable(c1 as Uint8Array).transactionalId).toBe(`eo-${t}-0-1`);
    await w.write(batch([4]));
    await w.flush();
    expect(await read(t, 'read_uncommitted')).toEqual([1, 2, 3, 4]);
    // Still open: a read_committed reader stops at the last stable offset, before the first open transaction.
    expect(await read(t, 'read_committed')).toEqual([]);
    await w.commit([c1 as Uint8Array]);
    await w.commit([c1 as Uint8Array]);
    expect(w.transactions.committed).toBe(2);
    expect(w.prepareCommit(2)).not.toBeNull();
    // Checkpoint 2's transaction (row 4) is sealed, never committed: closing leaves it open for a later commit.
    await w.close();
    expect(await read(t, 'read_committed')).toEqual([1, 2, 3]);
  }, 60_000);

  it('after a crash, the restored committable is committed and transactions above the checkpoint are fenced', async () => {
    const t = await topic();
    const a = writer(t);
    init(a);
    await a.write(batch([1, 2]));
    await a.flush();
    const c1 = a.prepareCommit(1) as Uint8Array;
    // Checkpoint 2 seals 3 and 4 but never completes; 5 is written after it. Then the attempt dies without close.
    await a.write(batch([3, 4]));
    await a.flush();
    expect(a.prepareCommit(2)).not.toBeNull();
    await a.write(batch([5]));
    await a.flush();
    expect(await openTransactions(t)).toBe(true);

    const b = writer(t);
    init(b, 1);
    await b.commit([c1]);
    await b.write(batch([6]));
    await b.flush();
    // The probe fenced `-2` and `-3` (both used by the dead attempt) and stopped at the first unused id.
    expect(b.transactions.fenced).toBe(2);
    const c = b.prepareCommit(3) as Uint8Array;
    expect(decodeCommittable(c).transactionalId).toBe(`eo-${t}-0-2`);
    await b.commit([c]);
    await b.finish();
    await b.close();
    // The dead attempt is fenced: its open transaction cannot take more rows.
    await expect(a.write(batch([7])).then(() => a.flush())).rejects.toThrow(/failed/);
    await a.close();
    expect(await openTransactions(t)).toBe(false);
    expect(await read(t, 'read_committed')).toEqual([1, 2, 6]);
    expect(await read(t, 'read_uncommitted')).toEqual([1, 2, 3, 4, 5, 6]);
  }, 60_000);

  it('a transaction timeout above the broker maximum fails with a message naming both settings', async () => {
    const t = await topic();
    // Flink's KafkaSink default (1 h) against a broker with the default transaction.max.timeout.ms (15 min).
    const w = writer(t, { 'properties.transaction.timeout.ms': '3600000' });
    init(w);
    await expect(w.write(batch([1])).then(() => w.flush())).rejects.toThrow(
      /transaction timeout 3600000 ms .* above the broker's transaction.max.timeout.ms .* 'properties.transaction.timeout.ms'/,
    );
    await w.close();
  }, 60_000);

  it('upsert-kafka writes upserts and tombstones inside the transaction', async () => {
    const t = await topic(1);
    const upsert = (extra: Record<string, string> = {}): Record<string, string> => {
      const { format: _format, ...o } = options(t, {
        connector: 'upsert-kafka',
        'key.format': 'json',
        'value.format': 'json',
        ...extra,
      });
      return o;
    };
    const cfg = kafkaConfig('upsert-kafka', upsert(), schema, ['id']);
    const w = new KafkaSinkWriter(cfg, schema, 'out');
    init(w);
    await w.write(
      batchFromRows(
        schema,
        [
          [1, 'a'],
          [2, 'b'],
          [1, 'a2'],
          [2, 'b'],
        ],
        [RowKind.INSERT, RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE],
      ),
    );
    await w.flush();
    const c = w.prepareCommit(1) as Uint8Array;
    await w.commit([c]);
    await w.close();
    const reader = new KafkaSource(
      kafkaConfig(
        'upsert-kafka',
        upsert({ 'scan.bounded.mode': 'latest-offset', 'properties.isolation.level': 'read_committed' }),
        schema,
        ['id'],
      ),
      schema,
      [],
      'out',
    ).createReader(0, 1);
    const rows: Value[][] = [];
    for await (const e of reader.read(new AbortController().signal)) {
      if (e.kind === 'batch')
        rows.push(...batchToRows(e.batch).map((r, i) => [e.batch.kinds[i] as number, ...r]));
      if (e.kind === 'end') break;
    }
    // +I 1, +I 2, then 1 updated (-U/+U) and 2 deleted: the changelog of the committed upserts.
    expect(rows).toEqual([
      [RowKind.INSERT, 1, 'a'],
      [RowKind.INSERT, 2, 'b'],
      [RowKind.UPDATE_BEFORE, 1, 'a'],
      [RowKind.UPDATE_AFTER, 1, 'a2'],
      [RowKind.DELETE, 2, 'b'],
    ]);
  }, 60_000);

  it('restored at a lower parallelism, subtask 0 also fences the ids of subtasks that no longer exist', async () => {
    const t = await topic();
    // Two subtasks of a parallelism-2 attempt leave transactions open; the job comes back at parallelism 1.
    const olds = [0, 1].map((s) => {
      const w = writer(t);
      w.initialize({
        subtaskIndex: s,
        parallelism: 2,
        restoredCheckpointId: null,
        checkpointingEnabled: true,
      });
      return w;
    });
    for (const [s, w] of olds.entries()) {
      await w.write(batch([s + 1]));
      await w.flush();
    }
    const b = writer(t);
    init(b, 0);
    await b.write(batch([9]));
    await b.flush();
    // Flink's TransactionAborter: subtask 0's ids, then subtask 0 + 1 × parallelism's, until one had none.
    expect(b.transactions.fenced).toBe(2);
    await b.finish();
    await b.close();
    for (const w of olds) await w.close();
    expect(await openTransactions(t)).toBe(false);
    expect(await read(t, 'read_committed')).toEqual([9]);
  }, 60_000);

  it('initializes the ids of checkpoints it skipped, so a later probe finds transactions past the gap', async () => {
    const t = await topic();
    const a = writer(t);
    init(a);
    await a.write(batch([1]));
    await a.flush();
    // Checkpoints 2-4 never reached this subtask (aborted): its next transaction is named after 5, ids 2-5 are
    // initialized on the way (Flink's KafkaWriter.getTransactionalProducer loop).
    expect(a.prepareCommit(5)).not.toBeNull();
    await a.write(batch([2]));
    await a.flush();
    const b = writer(t);
    init(b, 0);
    await b.write(batch([3]));
    await b.flush();
    expect(b.transactions.fenced).toBe(6);
    await b.finish();
    await b.close();
    await a.close();
    expect(await openTransactions(t)).toBe(false);
    expect(await read(t, 'read_committed')).toEqual([3]);
  }, 60_000);
});

export type { Value };
