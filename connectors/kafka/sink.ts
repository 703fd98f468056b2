// The Kafka sink writer: encodes each row's key and value columns, picks the partition (`sink.partitioner`) and
// sends them. `kafka` writes inserts only (or a changelog format such as debezium-json); `upsert-kafka` writes
// +I/+U as upserts and -D as tombstones. At-least-once sends through one idempotent producer and flushes before
// each checkpoint barrier. Exactly-once is Flink's KafkaWriter + KafkaCommitter: rows go into a Kafka transaction
// named `<prefix>-<subtask>-<n>`, the barrier seals it (prepareCommit returns {transactionalId, producerId,
// epoch}), and it is committed with EndTxn once the checkpoint completes, or after a restore from it.
import { ProduceAcks, Producer, compatibilityPartitioner, type MessageToProduce } from '@platformatic/kafka';

import {
  RowKind,
  rowAt,
  rowKindShort,
  type RecordBatch,
  type Schema,
  type SinkInitContext,
  type SinkWriter,
  type Value,
} from '../../executor/index.js';
import type { RecordEncoder } from '../formats/format.js';
import { baseClientOptions } from './client.js';
import type { KafkaTableConfig } from './options.js';
import {
  TransactionCoordinatorClient,
  abortLingeringTransactions,
  decodeCommittable,
  encodeCommittable,
  transactionalId,
} from './txn-coordinator.js';

/** The client's transaction handle (its type is not exported by name). */
type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

/** Writes queued behind unacknowledged sends before write() makes the job wait: bounded memory, steady flow. */
const MAX_IN_FLIGHT = 8;

/** The transaction rows currently go to (exactly-once); its producer is made on the first write. */
interface OpenTransaction {
  readonly id: string;
  /** The n of `<prefix>-<subtask>-<n>`: the checkpoint after the one that sealed the previous transaction. */
  readonly n: number;
  producer: Producer | null;
  txn: Transaction | null;
  records: number;
}

/** Counters of the exactly-once machinery, for tests and metrics. */
export interface KafkaTransactionStats {
  /** Transactions sealed by a checkpoint barrier. */
  sealed: number;
  /** EndTxn(commit) calls that succeeded (a repeated commit counts again). */
  committed: number;
  /** Restored transactions that could not be committed (fenced or timed out): their rows are lost. */
  lost: number;
  /** Transactional ids fenced on start by the lingering-transaction probe. */
  fenced: number;
}

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
  readonly transactions: KafkaTransactionStats = { sealed: 0, committed: 0, lost: 0, fenced: 0 };
  private readonly exactlyOnce: boolean;
  private parallelism = 1;
  private current: OpenTransaction | null = null;
  /** The highest n whose transactional id has been initialized: ids are used without gaps (see prepareCommit). */
  private initializedUpTo = 0;
  private coordinatorClient: TransactionCoordinatorClient | null = null;
  /** Producers of sealed transactions, closing in the background. */
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly cfg: KafkaTableConfig,
    readonly schema: Schema,
    private readonly tableName: string,
    /** The subtask this writer runs in: `fixed` writes subtask i to partition i mod partitions. */
    private subtaskIndex = 0,
  ) {
    this.exactlyOnce = cfg.deliveryGuarantee === 'exactly-once';
    if (cfg.topics.kind !== 'list' || cfg.topics.topics.length !== 1) {
      throw new Error(`a Kafka sink writes to exactly one 'topic' (table ${tableName})`);
    }
    this.topic = cfg.topics.topics[0] as string;
    this.keyEncoder = cfg.key === null ? null : cfg.key.format.encoder(cfg.key.schema, cfg.key.formatOptions);
    this.valueEncoder = cfg.value.format.encoder(cfg.value.schema, cfg.value.formatOptions);
  }

  /**
   * Flink's KafkaWriter start: with exactly-once, fence what earlier attempts left open above the restored
   * checkpoint (TransactionAborter) before the first transaction, `<prefix>-<subtask>-<restored + 1>`, begins.
   */
  initialize(ctx: SinkInitContext): void {
    this.subtaskIndex = ctx.subtaskIndex;
    this.parallelism = ctx.parallelism;
    if (!this.exactlyOnce) return;
    if (!ctx.checkpointingEnabled) throw this.needsCheckpointing();
    const start = (ctx.restoredCheckpointId ?? 0) + 1;
    this.current = this.openTransaction(start);
    this.chain(async () => {
      const coordinator = this.coordinator();
      const prefix = this.cfg.transactionalIdPrefix as string;
      const { fenced, own } = await abortLingeringTransactions(
        coordinator,
        prefix,
        this.subtaskIndex,
        this.parallelism,
        start,
        this.cfg.transactionTimeoutMs,
      );
      this.transactions.fenced += fenced;
      // The probe initialized this subtask's ids from `start` to the first unused one.
      this.initializedUpTo = Math.max(this.initializedUpTo, start + own);
    });
  }

  private needsCheckpointing(): Error {
    return new Error(
      `table ${this.tableName}: 'sink.delivery-guarantee' = 'exactly-once' needs checkpointing, since its Kafka transactions are committed when a checkpoint completes (as in Flink); SET 'execution.checkpointing.interval' or use 'at-least-once'`,
    );
  }

  private openTransaction(n: number): OpenTransaction {
    return {
      id: transactionalId(this.cfg.transactionalIdPrefix as string, this.subtaskIndex, n),
      n,
      producer: null,
      txn: null,
      records: 0,
    };
  }

  private coordinator(): TransactionCoordinatorClient {
    this.coordinatorClient ??= new TransactionCoordinatorClient(
      this.cfg.client,
      `freshet-sink-${this.tableName}-${this.subtaskIndex}-txn`,
    );
    return this.coordinatorClient;
  }

  /** Runs `step` after every earlier send and step; a failure fails the next write, flush or barrier. */
  private chain(step: () => Promise<void>): Promise<void> {
    const p = this.tail.then(step).then(
      () => undefined,
      (e: unknown) => {
        this.failure ??= new Error(
          `writing to Kafka topic '${this.topic}' of table ${this.tableName} failed: ${(e as Error).message}`,
          { cause: e },
        );
      },
    );
    this.tail = p;
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** The producer of an open transaction, begun on first use (InitProducerId for its id fences older holders). */
  private async transactionFor(t: OpenTransaction): Promise<Transaction> {
    if (t.txn !== null) return t.txn;
    t.producer = new Producer({
      ...baseClientOptions(this.cfg.client, `freshet-sink-${this.tableName}-${this.subtaskIndex}`),
      transactionalId: t.id,
      idempotent: true,
      // No expected producer: the id may have been initialized by the abort probe or an earlier attempt.
      producerId: -1n,
      producerEpoch: -1,
      // The client sends its request `timeout` as InitProducerId's transaction timeout (and as Produce's ack
      // timeout); the transaction must outlive a checkpoint plus a restart, so it takes transaction.timeout.ms.
      timeout: this.cfg.transactionTimeoutMs,
      partitioner: compatibilityPartitioner,
    });
    t.txn = await t.producer.beginTransaction();
    this.initializedUpTo = Math.max(this.initializedUpTo, t.n);
    return t.txn;
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
      if (t === undefined)
        throw new Error(`Kafka topic '${this.topic}' of table ${this.tableName} does not exist`);
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
    const partitions =
      this.cfg.partitioner === 'default' && this.keyEncoder !== null ? 0 : await this.partitionCount();
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
      const key =
        this.keyEncoder === null || this.cfg.key === null
          ? undefined
          : Buffer.from(this.keyEncoder.encode(kind, this.project(row, this.cfg.key.columns)));
      const deleted = upsert && kind === RowKind.DELETE;
      const value = deleted
        ? null
        : Buffer.from(this.valueEncoder.encode(kind, this.project(row, this.cfg.value.columns)));
      const message: MessageToProduce = { topic: this.topic, ...(key !== undefined ? { key } : {}) };
      // A tombstone is a record whose value is null; the client writes a missing value as null.
      if (value !== null) message.value = value;
      const partition = this.choosePartition(key, partitions);
      if (partition !== null) message.partition = partition;
      messages.push(message);
    }
    if (messages.length === 0) return;
    this.written += messages.length;
    if (this.exactlyOnce) {
      const t = this.current;
      if (t === null) throw this.needsCheckpointing();
      t.records += messages.length;
      this.chain(async () => {
        await (await this.transactionFor(t)).send({ messages });
      });
      if (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
      if (this.failure !== null) throw this.failure;
      return;
    }
    const producer = this.client();
    // Sends go out one after another: concurrent send() calls of the client may reach a partition out of order,
    // and for an upsert topic the order of a key's records is its meaning. The job still runs ahead of the
    // acknowledgements, up to MAX_IN_FLIGHT writes.
    const send = this.tail
      .then(() => producer.send({ messages }))
      .then(
        () => undefined,
        (e: unknown) => {
          this.failure ??= new Error(
            `writing to Kafka topic '${this.topic}' of table ${this.tableName} failed: ${(e as Error).message}`,
            { cause: e },
          );
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

  /** Waits until every sent record is acknowledged: the at-least-once point, before each checkpoint barrier. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    if (this.failure !== null) throw this.failure;
  }

  /**
   * Seals the open transaction for checkpoint `checkpointId` (called after flush, so every record is in it) and
   * names the next one after this checkpoint, as KafkaWriter.snapshotState does. Ids of checkpoints this subtask
   * skipped, and an id that stayed unused, are initialized too (KafkaWriter.getTransactionalProducer fills gaps the
   * same way), so the abort probe of a later restore finds every id up to the last one used.
   */
  prepareCommit(checkpointId: number): Uint8Array | null {
    if (!this.exactlyOnce) return null;
    if (this.failure !== null) throw this.failure;
    const t = this.current;
    if (t === null) throw this.needsCheckpointing();
    let sealed: Uint8Array | null = null;
    if (t.records > 0 && t.producer !== null) {
      const producerId = t.producer.producerId;
      const epoch = t.producer.producerEpoch;
      if (producerId === undefined || epoch === undefined)
        throw new Error(`transaction '${t.id}' has records but no producer id`);
      sealed = encodeCommittable({ transactionalId: t.id, producerId, epoch });
      this.transactions.sealed++;
    }
    // The sealed transaction stays open on the broker after its producer closes; EndTxn needs only id and epoch.
    if (t.producer !== null) this.closeInBackground(t.producer);
    const next = Math.max(checkpointId + 1, t.n + 1);
    const from = this.initializedUpTo + 1;
    if (from < next) {
      const to = next - 1;
      this.chain(async () => {
        for (let n = Math.max(from, this.initializedUpTo + 1); n <= to; n++) {
          await this.coordinator().initProducerId(
            transactionalId(this.cfg.transactionalIdPrefix as string, this.subtaskIndex, n),
            this.cfg.transactionTimeoutMs,
          );
          this.initializedUpTo = Math.max(this.initializedUpTo, n);
        }
      });
    }
    this.current = this.openTransaction(next);
    return sealed;
  }

  /** Flink's KafkaCommitter: EndTxn(commit) per sealed transaction, after its checkpoint completed or on restore. */
  async commit(committables: readonly Uint8Array[]): Promise<void> {
    for (const bytes of committables) {
      const outcome = await this.coordinator().commit(decodeCommittable(bytes));
      if (outcome === 'committed') {
        this.transactions.committed++;
      } else {
        this.transactions.lost++;
        console.warn(
          `[kafka] table ${this.tableName}: ${outcome.lost}; its rows are not in topic '${this.topic}' (raise 'properties.transaction.timeout.ms' above the longest checkpoint plus restart)`,
        );
      }
    }
  }

  async finish(): Promise<void> {
    await this.flush();
    // With checkpoints after tasks finish (the default) this runs after the final checkpoint sealed the last
    // transaction and committed it (SinkOperator), so the open one is empty. With that option false it commits the
    // open transaction here, at the end of input, and a failure before the job's end would replay it.
    const t = this.current;
    if (this.exactlyOnce && t !== null && t.records > 0 && t.txn !== null) {
      this.current = null;
      await t.txn.commit();
      this.transactions.committed++;
      if (t.producer !== null) this.closeInBackground(t.producer);
    }
  }

  private closeInBackground(p: Producer): void {
    const c = p.close().catch(() => undefined);
    this.closing.add(c);
    void c.finally(() => this.closing.delete(c));
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    // delivery-guarantee none does not wait on finish; close still lets sends in flight complete when it can.
    await Promise.allSettled(this.inFlight);
    await p?.close().catch(() => undefined);
    // A transaction no checkpoint sealed is aborted (KafkaWriter.close aborts its current one); if this fails,
    // the next attempt's probe fences it. Sealed ones stay open: a completed checkpoint may still commit them.
    const t = this.current;
    this.current = null;
    if (t !== null && t.txn !== null) {
      await Promise.race([
        t.txn.abort().catch(() => undefined),
        new Promise((r) => setTimeout(r, 5000).unref()),
      ]);
      if (t.producer !== null) this.closeInBackground(t.producer);
    }
    await Promise.allSettled(this.closing);
    await this.coordinatorClient?.close();
    this.coordinatorClient = null;
  }
}
