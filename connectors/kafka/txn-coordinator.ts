// Kafka transactions by transactional id, spoken directly to the transaction coordinator (FindCoordinator of type
// TRANSACTION, InitProducerId, EndTxn): what the exactly-once sink needs beyond a live producer. @platformatic/kafka
// commits only the transaction its own producer began, while a restored checkpoint holds {transactionalId,
// producerId, epoch} of a transaction sealed by an earlier attempt (Flink's FlinkKafkaInternalProducer
// .resumeTransaction sets those fields by reflection for the same reason).
import {
  ConnectionPool,
  FindCoordinatorKeyTypes,
  endTxnV4,
  findCoordinatorV6,
  initProducerIdV5,
  type Connection,
} from '@platformatic/kafka';
import type { ClientProperties } from './client.js';

/** What the checkpoint keeps of a sealed transaction (Flink's KafkaCommittable). */
export interface KafkaCommittable {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly epoch: number;
}

export function encodeCommittable(c: KafkaCommittable): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ id: c.transactionalId, pid: c.producerId.toString(), epoch: c.epoch }),
  );
}

export function decodeCommittable(bytes: Uint8Array): KafkaCommittable {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as { id: string; pid: string; epoch: number };
  return { transactionalId: o.id, producerId: BigInt(o.pid), epoch: o.epoch };
}

/** Flink's TransactionalIdFactory.buildTransactionalId: `<prefix>-<subtask>-<checkpoint>`. */
export function transactionalId(prefix: string, subtask: number, checkpointId: number): string {
  return `${prefix}-${subtask}-${checkpointId}`;
}

// Kafka protocol error codes (org.apache.kafka.common.protocol.Errors).
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;
const INVALID_PRODUCER_EPOCH = 47;
const INVALID_TXN_STATE = 48;
const INVALID_PRODUCER_ID_MAPPING = 49;
const INVALID_TRANSACTION_TIMEOUT = 50;
const CONCURRENT_TRANSACTIONS = 51;
const PRODUCER_FENCED = 90;
const RETRIABLE = new Set([
  COORDINATOR_LOAD_IN_PROGRESS,
  COORDINATOR_NOT_AVAILABLE,
  NOT_COORDINATOR,
  CONCURRENT_TRANSACTIONS,
]);
/** The coordinator moved: find it again before retrying. */
const REFIND = new Set([COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR]);

function errorCode(e: unknown): number | null {
  const r = (e as { response?: { errorCode?: number; coordinators?: { errorCode: number }[] } }).response;
  if (r === undefined) return null;
  if (typeof r.errorCode === 'number' && r.errorCode !== 0) return r.errorCode;
  const c = r.coordinators?.find((x) => x.errorCode !== 0);
  return c?.errorCode ?? null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How a commit of a restored transaction ended. */
export type CommitOutcome = 'committed' | { readonly lost: string };

export class TransactionCoordinatorClient {
  private readonly pool: ConnectionPool;
  private readonly coordinators = new Map<string, { host: string; port: number }>();
  /** Attempts for retriable answers, 100 ms apart (the Java client's retry.backoff.ms). */
  private readonly retries = 100;

  constructor(
    private readonly client: ClientProperties,
    clientId: string,
  ) {
    this.pool = new ConnectionPool(client.clientId ?? clientId, {
      ...(client.tls !== null ? { tls: client.tls } : {}),
      ...(client.sasl !== null ? { sasl: client.sasl } : {}),
      ...(client.requestTimeout !== null ? { requestTimeout: client.requestTimeout } : {}),
    });
  }

  private bootstrap(): { host: string; port: number }[] {
    return this.client.bootstrapBrokers.map((b) => {
      const i = b.lastIndexOf(':');
      return { host: b.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(b.slice(i + 1)) };
    });
  }

  private async coordinator(txnId: string): Promise<Connection> {
    let broker = this.coordinators.get(txnId);
    if (broker === undefined) {
      const conn = await this.pool.getFirstAvailable(this.bootstrap());
      const res = await findCoordinatorV6.api.async(conn, FindCoordinatorKeyTypes.TRANSACTION, [txnId]);
      const c = res.coordinators.find((x) => x.key === txnId) ?? res.coordinators[0];
      if (c === undefined) throw new Error(`no transaction coordinator for '${txnId}'`);
      broker = { host: c.host, port: c.port };
      this.coordinators.set(txnId, broker);
    }
    return this.pool.get(broker);
  }

  /** Runs `op` against the coordinator of `txnId`, retrying while the coordinator answers with a retriable error. */
  private async withCoordinator<T>(txnId: string, op: (c: Connection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op(await this.coordinator(txnId));
      } catch (e) {
        const code = errorCode(e);
        if (code === null || !RETRIABLE.has(code) || attempt >= this.retries) throw e;
        if (REFIND.has(code)) this.coordinators.delete(txnId);
        await sleep(100);
      }
    }
  }

  /**
   * InitProducerId without an expected producer: bumps the epoch of `txnId`, which aborts a transaction still open
   * under it and fences every producer holding an older epoch (Kafka's zombie fencing). An id never used before
   * comes back with epoch 0, the sign Flink's TransactionAborter stops probing at.
   */
  async initProducerId(
    txnId: string,
    transactionTimeoutMs: number,
  ): Promise<{ producerId: bigint; epoch: number }> {
    try {
      const r = await this.withCoordinator(txnId, (c) =>
        initProducerIdV5.api.async(c, txnId, transactionTimeoutMs, -1n, -1),
      );
      return { producerId: r.producerId, epoch: r.producerEpoch };
    } catch (e) {
      if (errorCode(e) === INVALID_TRANSACTION_TIMEOUT) {
        throw new Error(
          `Kafka refused transaction timeout ${transactionTimeoutMs} ms for '${txnId}': it is above the broker's transaction.max.timeout.ms (default 15 min); lower 'properties.transaction.timeout.ms'`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  /**
   * EndTxn(commit) for a sealed transaction, as Flink's KafkaCommitter. A repeated commit of a committed
   * transaction answers NONE (the broker's CompleteCommit state), so committing after a restore is idempotent.
   * Fenced or invalid-state answers mean the transaction is gone (aborted by the broker after
   * transaction.timeout.ms, or its id reused): like KafkaCommitter's signalFailedWithKnownReason, the outcome
   * says so and the caller logs it, rather than failing the job into a restart loop over the same checkpoint.
   */
  async commit(t: KafkaCommittable): Promise<CommitOutcome> {
    try {
      await this.withCoordinator(t.transactionalId, (c) =>
        endTxnV4.api.async(c, t.transactionalId, t.producerId, t.epoch, true),
      );
      return 'committed';
    } catch (e) {
      const code = errorCode(e);
      if (code === PRODUCER_FENCED || code === INVALID_PRODUCER_EPOCH) {
        return {
          lost: `transaction '${t.transactionalId}' was fenced: a newer producer took its id, or the broker aborted it after transaction.timeout.ms`,
        };
      }
      if (code === INVALID_TXN_STATE || code === INVALID_PRODUCER_ID_MAPPING) {
        return { lost: `transaction '${t.transactionalId}' is no longer open (aborted earlier, or expired)` };
      }
      throw e;
    }
  }

  /** EndTxn(abort) for a transaction this writer still owns (its own epoch). */
  async abort(t: KafkaCommittable): Promise<void> {
    await this.withCoordinator(t.transactionalId, (c) =>
      endTxnV4.api.async(c, t.transactionalId, t.producerId, t.epoch, false),
    );
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => undefined);
  }
}

/**
 * Flink's TransactionAborter (probing): for this subtask, and for subtask + k * parallelism while those had any
 * (ids a larger earlier parallelism left), fence `<prefix>-<subtask>-<n>` for n from `startCheckpointId` upwards
 * until an id answers with epoch 0, i.e. was never used. The writer initializes every id it passes over (no gaps),
 * so the first unused id ends the ids earlier attempts may have left open. Returns how many ids were fenced, in
 * all and of this subtask (whose ids from `startCheckpointId` to `startCheckpointId + own` are now initialized).
 */
export async function abortLingeringTransactions(
  coordinator: TransactionCoordinatorClient,
  prefix: string,
  subtask: number,
  parallelism: number,
  startCheckpointId: number,
  transactionTimeoutMs: number,
): Promise<{ readonly fenced: number; readonly own: number }> {
  let fenced = 0;
  let own = 0;
  for (let s = subtask; ; s += parallelism) {
    let aborted = 0;
    for (let n = startCheckpointId; ; n++) {
      const { epoch } = await coordinator.initProducerId(transactionalId(prefix, s, n), transactionTimeoutMs);
      if (epoch === 0) break;
      aborted++;
    }
    fenced += aborted;
    if (s === subtask) own = aborted;
    // No id of this subtask was used: no subtask with a higher number existed either (Flink's rule).
    if (aborted === 0) break;
  }
  return { fenced, own };
}
