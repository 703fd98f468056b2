// The Kafka sink writer: encodes each row's key and value columns, picks the partition (`sink.partitioner`) and
// sends through one idempotent producer per subtask. `kafka` writes inserts only (or a changelog format such as
// debezium-json); `upsert-kafka` writes +I/+U as upserts and -D as tombstones. At-least-once flushes on finish
// and will flush on checkpoint (flush() is that hook); exactly-once swaps in a transactional producer there.
import { ProduceAcks, Producer, compatibilityPartitioner, type MessageToProduce } from '@platformatic/kafka';
import { RowKind, rowAt, rowKindShort, type RecordBatch, type Schema, type SinkWriter, type Value } from '../../executor/index.js';
import type { RecordEncoder } from '../formats/format.js';
import { baseClientOptions } from './client.js';
import type { KafkaTableConfig } from './options.js';

/** Writes queued behind unacknowledged sends before write() makes the job wait: bounded memory, steady flow. */
const MAX_IN_FLIGHT = 8;

export class KafkaSinkWriter implements SinkWriter {
  private producer: Producer | null = null;
  private readonly keyEncoder: RecordEncoder | null;
  private readonly valueEncoder: RecordEncoder;
  private readonly topic: string;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last send: the next one starts when it is acknowledged. */
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private partitions: number | null = null;
  private roundRobin = 0;
  /** Records handed to the producer (an upsert sink sends no -U rows), for tests and metrics. */
  written = 0;

  constructor(
    private readonly cfg: KafkaTableConfig,
    readonly schema: Schema,
    private readonly tableName: string,
    /** The subtask this writer runs in: `fixed` writes subtask i to partition i mod partitions. */
    private readonly subtaskIndex = 0,
  ) {
    if (cfg.topics.kind !== 'list' || cfg.topics.topics.length !== 1) {
      throw new Error(`a Kafka sink writes to exactly one 'topic' (table ${tableName})`);
    }
    this.topic = cfg.topics.topics[0] as string;
    this.keyEncoder = cfg.key === null ? null : cfg.key.format.encoder(cfg.key.schema, cfg.key.formatOptions);
    this.valueEncoder = cfg.value.format.encoder(cfg.value.schema, cfg.value.formatOptions);
  }

  private client(): Producer {
    if (this.producer === null) {
      this.producer = new Producer({
        ...baseClientOptions(this.cfg.client, `freshet-sink-${this.tableName}-${this.subtaskIndex}`),
        // Idempotence keeps retried sends from duplicating or reordering within a partition.
        idempotent: this.cfg.deliveryGuarantee === 'at-least-once',
        acks: this.cfg.deliveryGuarantee === 'at-least-once' ? ProduceAcks.ALL : ProduceAcks.LEADER,
        // Keyed records land where the Java client (and Flink's sink) would put them.
        partitioner: compatibilityPartitioner,
      });
    }
    return this.producer;
  }

  private async partitionCount(): Promise<number> {
    if (this.partitions === null) {
      const md = await this.client().metadata({ topics: [this.topic] });
      const t = md.topics.get(this.topic);
      if (t === undefined) throw new Error(`Kafka topic '${this.topic}' of table ${this.tableName} does not exist`);
      this.partitions = t.partitionsCount;
    }
    return this.partitions;
  }

  private project(row: readonly Value[], columns: readonly number[]): Value[] {
    return columns.map((c) => row[c] ?? null);
  }

  async write(batch: RecordBatch): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const messages: MessageToProduce[] = [];
    const upsert = this.cfg.connector === 'upsert-kafka';
    const changelogFormat = this.cfg.value.format.changelog;
    const partitions = this.cfg.partitioner === 'default' && this.keyEncoder !== null ? 0 : await this.partitionCount();
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as RowKind;
      if (!upsert && !changelogFormat && kind !== RowKind.INSERT) {
        throw new Error(
          `table ${this.tableName} (connector 'kafka', format '${this.cfg.value.format.name}') is append-only and cannot take ${rowKindShort(kind)} rows: the query produces updates; write to an 'upsert-kafka' table or use format 'debezium-json'`,
        );
      }
      // An upsert topic keeps the latest value per key: the new value (+U) replaces the old one, so -U is not sent.
      if (upsert && kind === RowKind.UPDATE_BEFORE) continue;
      const row = rowAt(batch, r);
      const key = this.keyEncoder === null || this.cfg.key === null ? undefined : Buffer.from(this.keyEncoder.encode(kind, this.project(row, this.cfg.key.columns)));
      const deleted = upsert && kind === RowKind.DELETE;
      const value = deleted ? null : Buffer.from(this.valueEncoder.encode(kind, this.project(row, this.cfg.value.columns)));
      const message: MessageToProduce = { topic: this.topic, ...(key !== undefined ? { key } : {}) };
      // A tombstone is a record whose value is null; the client writes a missing value as null.
      if (value !== null) message.value = value;
      const partition = this.choosePartition(key, partitions);
      if (partition !== null) message.partition = partition;
      messages.push(message);
    }
    if (messages.length === 0) return;
    this.written += messages.length;
    const producer = this.client();
    // Sends go out one after another: concurrent send() calls of the client may reach a partition out of order,
    // and for an upsert topic the order of a key's records is its meaning. The job still runs ahead of the
    // acknowledgements, up to MAX_IN_FLIGHT writes.
    const send = this.tail
      .then(() => producer.send({ messages }))
      .then(
        () => undefined,
        (e: unknown) => {
          this.failure ??= new Error(`writing to Kafka topic '${this.topic}' of table ${this.tableName} failed: ${(e as Error).message}`, { cause: e });
        },
      );
    this.tail = send;
    this.inFlight.add(send);
    void send.finally(() => this.inFlight.delete(send));
    if (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure !== null) throw this.failure;
  }

  /** null: let the producer's Java-compatible key hash decide. */
  private choosePartition(key: Buffer | undefined, partitions: number): number | null {
    switch (this.cfg.partitioner) {
      case 'default':
        if (key !== undefined) return null;
        return this.roundRobin++ % partitions;
      case 'fixed':
        return this.subtaskIndex % partitions;
      case 'round-robin':
        return this.roundRobin++ % partitions;
    }
  }

  /** Waits until every sent record is acknowledged: the at-least-once point (finish now, checkpoints later). */
  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure;
  }

  async finish(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    // delivery-guarantee none does not wait on finish; close still lets sends in flight complete when it can.
    await Promise.allSettled(this.inFlight);
    await p?.close().catch(() => undefined);
  }
}
