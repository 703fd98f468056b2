// The Kafka source: a FLIP-27 Source whose partitions are its splits. Each reader owns a share of the topic
// partitions (Flink's KafkaSourceEnumerator assignment), fetches them with the low-level Fetch API, keeps
// per-partition positions in `state` (snapshot-able as bytes), decodes key and value into rows (plus metadata
// columns), runs the watermark strategy per partition (merged by minimum, idle partitions left out) and stops
// at the bounded mode's offsets.
import { randomBytes } from 'node:crypto';
import { Admin, Consumer, type RecordsBatch, type fetchV17 } from '@platformatic/kafka';
import {
  ColumnBuilder,
  OPERATOR_STATE_ONLY,
  RowKind,
  Schema,
  SplitWatermarkMultiplexer,
  abortableSleep,
  decodeKeyGroupedSnapshot,
  encodeKeyGroupedSnapshot,
  isKeyGroupedSnapshot,
  javaStringHash,
  makeBatch,
  type LogicalType,
  type RecordBatch,
  type Source,
  type SourceReader,
  type SourceWatermarks,
  type StreamElement,
  type Value,
} from '../../executor/index.js';
import { FormatError, type RecordDecoder } from '../formats/format.js';
import { baseClientOptions, isolationLevelValue } from './client.js';
import {
  requireGroupForScan,
  type KafkaTableConfig,
  type MetadataKey,
  type SpecificOffsets,
} from './options.js';

type FetchResponsePartition = fetchV17.FetchResponsePartition;
import { committedBatches } from './transactions.js';
import { countSkippedRecords } from '../metrics.js';

/** A metadata column the source appends after the physical columns. */
export interface MetadataColumn {
  readonly key: MetadataKey;
  readonly name: string;
  readonly type: LogicalType;
}

/** Where one partition is: the next offset to read and, for a bounded read, the offset to stop before. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  next: bigint;
  stop: bigint | null;
}

/** The reader state a checkpoint will take: per-partition positions (and, for upsert-kafka, the last values). */
export interface KafkaReaderState {
  readonly partitions: Map<string, PartitionPosition>;
}

const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
/** ListOffsets special timestamps. */
const EARLIEST = -2n;
const FETCH_WAIT_MS = 200;
/** Kafka's error code for a fetch offset outside the partition's log. */
const OFFSET_OUT_OF_RANGE = 1;
const PARTITION_MAX_BYTES = 1 << 20;

/** The subtask that reads a partition, as Flink's KafkaSourceEnumerator assigns it: spread from a per-topic start. */
export function partitionOwner(topic: string, partition: number, parallelism: number): number {
  const start = (Math.imul(javaStringHash(topic), 31) & 0x7fffffff) % parallelism;
  return (start + partition) % parallelism;
}

function positionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Between a partition's position key and a record key in `lastValues` (neither a topic nor `:n` contains it). */
const UPSERT_KEY_SEPARATOR = '\u0000';

/** One partition split as a checkpoint keeps it (offsets as decimal strings: they are 64-bit). */
interface KafkaSplitState {
  readonly topic: string;
  readonly partition: number;
  readonly next: string;
  readonly stop: string | null;
}

export class KafkaSource implements Source {
  readonly outputSchema: Schema;
  readonly bounded: boolean;

  constructor(
    readonly config: KafkaTableConfig,
    readonly physicalSchema: Schema,
    readonly metadata: readonly MetadataColumn[],
    readonly tableName: string,
    /** The watermark strategy, run per partition (SQL's WATERMARK pushed into the scan, or fromSource's). */
    readonly watermarks: SourceWatermarks | null = null,
  ) {
    requireGroupForScan(config);
    this.outputSchema = new Schema([
      ...physicalSchema.fields,
      ...metadata.map((m) => ({ name: m.name, type: m.type })),
    ]);
    this.bounded = config.bounded.kind !== 'unbounded';
  }

  createReader(index: number, parallelism: number): KafkaSourceReader {
    return new KafkaSourceReader(this, index, parallelism);
  }

  withWatermarks(watermarks: SourceWatermarks): KafkaSource {
    return new KafkaSource(this.config, this.physicalSchema, this.metadata, this.tableName, watermarks);
  }
}

/** The decoded parts of one message, before they become output rows. */
interface Decoded {
  readonly key: Value[] | null;
  readonly rows: Array<[RowKind, Value[]]>;
}

export class KafkaSourceReader implements SourceReader {
  readonly outputSchema: Schema;
  /** Checkpointable state: where every assigned partition is. */
  readonly state: KafkaReaderState = { partitions: new Map() };
  /** Malformed records skipped under the format's ignore-parse-errors option (a metric once metrics exist). */
  skippedRecords = 0;
  /**
   * upsert-kafka: the last value per partition and key (`<topic:partition>\0<key>`), so an update can retract the
   * previous row and a tombstone can name the deleted one. In Flink this is ChangelogNormalize's keyed state after the source; it lives here until the
   * planner has that operator, and is part of the state a checkpoint must take.
   */
  readonly lastValues = new Map<string, Value[]>();

  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private readonly keyDecoder: RecordDecoder | null;
  private readonly valueDecoder: RecordDecoder;
  private readonly cfg: KafkaTableConfig;
  private lastCommitted = new Map<string, bigint>();
  /** Per-partition watermarks merged by minimum (null without a watermark strategy). */
  private readonly watermarks: SplitWatermarkMultiplexer | null;

  constructor(
    private readonly source: KafkaSource,
    private readonly index: number,
    private readonly parallelism: number,
  ) {
    this.outputSchema = source.outputSchema;
    this.cfg = source.config;
    this.keyDecoder =
      this.cfg.key === null
        ? null
        : this.cfg.key.format.decoder(this.cfg.key.schema, this.cfg.key.formatOptions);
    this.valueDecoder = this.cfg.value.format.decoder(this.cfg.value.schema, this.cfg.value.formatOptions);
    this.watermarks =
      source.watermarks === null
        ? null
        : new SplitWatermarkMultiplexer(source.watermarks, Date.now, !source.bounded);
  }

  /**
   * Where every owned partition is (Flink's KafkaPartitionSplit: topic, partition, starting and stopping offset),
   * as union operator state: after a restore at another parallelism every reader sees every old reader's splits and
   * keeps the ones it owns now, by the enumerator's assignment (`partitionOwner`), so each partition goes on at
   * its offset in exactly one reader. upsert-kafka's last value per key moves with the key's partition.
   */
  snapshotState(): Uint8Array {
    const splits: KafkaSplitState[] = [...this.state.partitions.values()].map((p) => ({
      topic: p.topic,
      partition: p.partition,
      next: String(p.next),
      stop: p.stop === null ? null : String(p.stop),
    }));
    const upserts: [string, string, Value[]][] = [...this.lastValues].map(([k, v]) => {
      const cut = k.indexOf(UPSERT_KEY_SEPARATOR);
      return [k.slice(0, cut), k.slice(cut + 1), v];
    });
    return encodeKeyGroupedSnapshot({
      maxParallelism: OPERATOR_STATE_ONLY,
      keyGroups: new Map(),
      operatorState: {
        union: new Map<string, unknown[]>([
          ['splits', splits],
          ['upserts', upserts],
        ]),
      },
    });
  }

  /** Resumes at the snapshot's positions; the startup mode applies only to partitions the snapshot does not know. */
  restoreState(bytes: Uint8Array): void {
    let splits: KafkaSplitState[];
    let upserts: [string, string, Value[]][];
    if (isKeyGroupedSnapshot(bytes)) {
      const union = decodeKeyGroupedSnapshot(bytes).operatorState.union;
      splits = (union?.get('splits') ?? []) as KafkaSplitState[];
      upserts = (union?.get('upserts') ?? []) as [string, string, Value[]][];
    } else {
      // The JSON of a checkpoint taken before union state (restorable at its own parallelism only).
      const snap = JSON.parse(new TextDecoder().decode(bytes)) as {
        parts: KafkaSplitState[];
        upserts: Array<[string, Value[]]>;
      };
      splits = snap.parts;
      const only = snap.parts.length === 1 ? snap.parts[0] : undefined;
      if (snap.upserts.length > 0 && only === undefined)
        throw new Error(
          `the checkpointed upsert-kafka state of table ${this.source.tableName} predates per-partition keys and covers ${snap.parts.length} partitions; restore it from a newer checkpoint`,
        );
      const home = only === undefined ? '' : positionKey(only.topic, only.partition);
      upserts = snap.upserts.map(([k, v]) => [
        home,
        k,
        v.map((x) =>
          x !== null && typeof x === 'object' && '$big' in x ? BigInt((x as { $big: string }).$big) : x,
        ),
      ]);
    }
    for (const p of splits) {
      if (partitionOwner(p.topic, p.partition, this.parallelism) !== this.index) continue;
      this.state.partitions.set(positionKey(p.topic, p.partition), {
        topic: p.topic,
        partition: p.partition,
        next: BigInt(p.next),
        stop: p.stop === null ? null : BigInt(p.stop),
      });
    }
    for (const [part, k, v] of upserts)
      if (this.state.partitions.has(part)) this.lastValues.set(`${part}${UPSERT_KEY_SEPARATOR}${k}`, v);
  }

  private clients(): { consumer: Consumer; admin: Admin } {
    if (this.consumer === null || this.admin === null) {
      const id = `freshet-${this.source.tableName}-${this.index}`;
      const base = baseClientOptions(this.cfg.client, id);
      this.consumer = new Consumer({
        ...base,
        // The reader never joins the group (partitions are assigned by the source, as in Flink); the group id only
        // names where offsets are committed. Without one, a private id keeps the client's validation happy.
        groupId: this.cfg.groupId ?? `freshet-${randomBytes(6).toString('hex')}`,
        isolationLevel: isolationLevelValue(this.cfg.client.isolation),
        autocommit: false,
        maxWaitTime: FETCH_WAIT_MS,
      });
      this.admin = new Admin(base);
    }
    return { consumer: this.consumer, admin: this.admin };
  }

  /** The topics the table reads now (a pattern is matched against the cluster's current topics). */
  private async topics(): Promise<string[]> {
    const sel = this.cfg.topics;
    if (sel.kind === 'list') return [...sel.topics];
    const all = await this.clients().admin.listTopics({});
    return all.filter((t) => sel.pattern.test(t) && !t.startsWith('__')).sort();
  }

  /**
   * Finds partitions this reader owns and has not seen, and sets their start and stop offsets. At start-up the
   * startup mode applies; partitions found later start at the earliest offset, as in Flink.
   */
  async discover(initial: boolean): Promise<void> {
    const { consumer } = this.clients();
    const topics = await this.topics();
    if (topics.length === 0) return;
    const metadata = await consumer.metadata({ topics, forceUpdate: true });
    const fresh = new Map<string, number[]>();
    for (const topic of topics) {
      const t = metadata.topics.get(topic);
      if (t === undefined) {
        if (this.cfg.topics.kind === 'list')
          throw new Error(`Kafka topic '${topic}' of table ${this.source.tableName} does not exist`);
        continue;
      }
      for (let p = 0; p < t.partitionsCount; p++) {
        if (
          this.state.partitions.has(positionKey(topic, p)) ||
          partitionOwner(topic, p, this.parallelism) !== this.index
        )
          continue;
        const list = fresh.get(topic) ?? [];
        list.push(p);
        fresh.set(topic, list);
      }
    }
    if (fresh.size === 0) return;
    const starts = initial ? await this.startOffsets(fresh) : await this.listOffsets(fresh, EARLIEST);
    const stops = await this.stopOffsets(fresh);
    for (const [topic, partitions] of fresh) {
      for (const p of partitions) {
        const key = positionKey(topic, p);
        this.state.partitions.set(key, {
          topic,
          partition: p,
          next: starts.get(key) as bigint,
          stop: stops.get(key) ?? null,
        });
        this.watermarks?.addSplit(key);
      }
    }
  }

  private async listOffsets(
    parts: Map<string, number[]>,
    timestamp: bigint | null,
  ): Promise<Map<string, bigint>> {
    const { consumer } = this.clients();
    const topics = [...parts.keys()];
    const partitions = Object.fromEntries(parts);
    const out = new Map<string, bigint>();
    if (timestamp === null) {
      // Latest: the high watermark, or under read_committed the last stable offset (what the broker reports).
      const res = await consumer.listOffsets({
        topics,
        partitions,
        isolationLevel: isolationLevelValue(this.cfg.client.isolation),
      });
      for (const [topic, ps] of parts)
        for (const p of ps) out.set(positionKey(topic, p), res.get(topic)?.[p] ?? 0n);
      return out;
    }
    const res = await consumer.listOffsetsWithTimestamps({
      topics,
      partitions,
      timestamp,
      isolationLevel: isolationLevelValue(this.cfg.client.isolation),
    });
    const needLatest = new Map<string, number[]>();
    for (const [topic, ps] of parts) {
      for (const p of ps) {
        const o = res.get(topic)?.get(p)?.offset ?? -1n;
        // No record at or after the timestamp: start (or stop) at the end of the partition.
        if (o < 0n) needLatest.set(topic, [...(needLatest.get(topic) ?? []), p]);
        else out.set(positionKey(topic, p), o);
      }
    }
    if (needLatest.size > 0) for (const [k, v] of await this.listOffsets(needLatest, null)) out.set(k, v);
    return out;
  }

  private async groupOffsets(parts: Map<string, number[]>): Promise<Map<string, bigint>> {
    const { admin } = this.clients();
    const res = await admin.listConsumerGroupOffsets({
      groups: [
        {
          groupId: this.cfg.groupId as string,
          topics: [...parts].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        },
      ],
    });
    const out = new Map<string, bigint>();
    for (const g of res)
      for (const t of g.topics)
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) out.set(positionKey(t.name, p.partitionIndex), p.committedOffset);
    return out;
  }

  private specific(
    parts: Map<string, number[]>,
    offsets: SpecificOffsets,
    option: string,
    fallback: Map<string, bigint>,
  ): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [topic, ps] of parts) {
      for (const p of ps) {
        const key = positionKey(topic, p);
        const o = offsets.get(p) ?? fallback.get(key);
        if (o === undefined)
          throw new Error(`option '${option}' gives no offset for partition ${p} of topic '${topic}'`);
        out.set(key, o);
      }
    }
    return out;
  }

  private async startOffsets(parts: Map<string, number[]>): Promise<Map<string, bigint>> {
    const s = this.cfg.startup;
    switch (s.kind) {
      case 'earliest-offset':
        return this.listOffsets(parts, EARLIEST);
      case 'latest-offset':
        return this.listOffsets(parts, null);
      case 'timestamp':
        return this.listOffsets(parts, BigInt(s.millis));
      case 'specific-offsets':
        // Partitions the option does not name start from the committed group offset, else the earliest (Flink).
        return this.specific(
          parts,
          s.offsets,
          'scan.startup.specific-offsets',
          new Map([
            ...(await this.listOffsets(parts, EARLIEST)),
            ...(this.cfg.groupId !== null ? await this.groupOffsets(parts) : []),
          ]),
        );
      case 'group-offsets': {
        const committed = await this.groupOffsets(parts);
        const missing = new Map<string, number[]>();
        for (const [topic, ps] of parts)
          for (const p of ps)
            if (!committed.has(positionKey(topic, p))) missing.set(topic, [...(missing.get(topic) ?? []), p]);
        if (missing.size > 0) {
          if (s.reset === 'none') {
            const [topic, ps] = [...missing][0] as [string, number[]];
            throw new Error(
              `group '${this.cfg.groupId}' has no committed offset for partition ${ps[0]} of topic '${topic}'; set 'properties.auto.offset.reset' to 'earliest' or 'latest', or choose another 'scan.startup.mode'`,
            );
          }
          for (const [k, v] of await this.listOffsets(missing, s.reset === 'earliest' ? EARLIEST : null))
            committed.set(k, v);
        }
        return committed;
      }
    }
  }

  private async stopOffsets(parts: Map<string, number[]>): Promise<Map<string, bigint>> {
    const b = this.cfg.bounded;
    switch (b.kind) {
      case 'unbounded':
        return new Map();
      case 'latest-offset':
        return this.listOffsets(parts, null);
      case 'timestamp':
        return this.listOffsets(parts, BigInt(b.millis));
      case 'group-offsets':
        return this.specific(parts, new Map(), 'properties.group.id', await this.groupOffsets(parts));
      case 'specific-offsets':
        return this.specific(
          parts,
          b.offsets,
          'scan.bounded.specific-offsets',
          await this.listOffsets(parts, null),
        );
    }
  }

  private unfinished(): PartitionPosition[] {
    return [...this.state.partitions.values()].filter((p) => p.stop === null || p.next < p.stop);
  }

  async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
    try {
      for (const key of this.state.partitions.keys()) this.watermarks?.addSplit(key);
      await this.discover(true);
      let lastDiscovery = Date.now();
      let lastCommit = Date.now();
      for (;;) {
        if (signal.aborted) return;
        const todo = this.unfinished();
        if (todo.length === 0 && this.source.bounded) break;
        const before = new Map(todo.map((p) => [positionKey(p.topic, p.partition), p.next] as const));
        const batches =
          todo.length === 0 ? (await abortableSleep(FETCH_WAIT_MS, signal), []) : await this.fetchOnce(todo);
        const wm = this.watermarks;
        // One fetch decodes several partitions at once and moves all their positions; a checkpoint barrier can
        // come between two of the yields below, so a partition's position moves only as its batch is yielded
        // (else the barrier's snapshot would count rows that are emitted after it, and a restore would lose them).
        // Each batch carries the position after it: a fetch session can answer a partition twice.
        for (const [key] of batches)
          (this.state.partitions.get(key) as PartitionPosition).next = before.get(key) as bigint;
        for (const [key, batch, next] of batches) {
          (this.state.partitions.get(key) as PartitionPosition).next = next;
          yield { kind: 'batch', batch: wm === null ? batch : wm.onBatch(key, batch) };
        }
        if (wm !== null) {
          // A partition read up to its bounded stop no longer holds the watermark back.
          for (const [key, p] of this.state.partitions)
            if (p.stop !== null && p.next >= p.stop) wm.removeSplit(key);
          const progress: StreamElement[] = [];
          wm.poll(progress);
          yield* progress;
        }
        const now = Date.now();
        if (this.cfg.discoveryIntervalMs !== null && now - lastDiscovery >= this.cfg.discoveryIntervalMs) {
          await this.discover(false);
          lastDiscovery = now;
        }
        if (this.cfg.commitOffsets && now - lastCommit >= this.cfg.commitIntervalMs) {
          await this.commitOffsets();
          lastCommit = now;
        }
      }
      if (this.cfg.commitOffsets) await this.commitOffsets();
      yield { kind: 'end' };
    } finally {
      await this.close();
    }
  }

  /**
   * Commits every partition's next offset to `properties.group.id` (what group-offsets resumes from). Flink commits
   * on checkpoint completion; without checkpoints the reader commits periodically and when a bounded read ends.
   */
  async commitOffsets(): Promise<void> {
    if (this.cfg.groupId === null) return;
    const byTopic = new Map<string, Array<{ partition: number; offset: bigint }>>();
    for (const [key, p] of this.state.partitions) {
      if (this.lastCommitted.get(key) === p.next) continue;
      byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), { partition: p.partition, offset: p.next }]);
    }
    if (byTopic.size === 0) return;
    await this.clients().admin.alterConsumerGroupOffsets({
      groupId: this.cfg.groupId,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
    for (const [key, p] of this.state.partitions) this.lastCommitted.set(key, p.next);
  }

  /** One Fetch round to every leader of the unfinished partitions; returns the decoded rows per partition. */
  /** One fetch: each partition's rows as a batch, with the partition's position after that batch. */
  private async fetchOnce(todo: PartitionPosition[]): Promise<Array<[string, RecordBatch, bigint]>> {
    const { consumer } = this.clients();
    const metadata = await consumer.metadata({ topics: [...new Set(todo.map((p) => p.topic))] });
    const byNode = new Map<number, Map<string, PartitionPosition[]>>();
    const topicNames = new Map<string, string>();
    for (const p of todo) {
      const t = metadata.topics.get(p.topic);
      const leader = t?.partitions[p.partition]?.leader;
      if (t === undefined || leader === undefined) continue;
      topicNames.set(t.id, p.topic);
      const perTopic = byNode.get(leader) ?? new Map<string, PartitionPosition[]>();
      perTopic.set(t.id, [...(perTopic.get(t.id) ?? []), p]);
      byNode.set(leader, perTopic);
    }
    const responses = await Promise.all(
      [...byNode].map(([node, perTopic]) =>
        consumer
          .fetch({
            node,
            maxWaitTime: FETCH_WAIT_MS,
            topics: [...perTopic].map(([topicId, ps]) => ({
              topicId,
              partitions: ps.map((p) => ({
                partition: p.partition,
                fetchOffset: p.next,
                partitionMaxBytes: PARTITION_MAX_BYTES,
                currentLeaderEpoch: -1,
                lastFetchedEpoch: -1,
              })),
            })),
          })
          // A partition whose position is gone (retention deleted it) fails the whole request; the response
          // still comes with the error, so the other partitions' data is kept and those positions are reset.
          .catch((e: unknown) => {
            const response = (e as { response?: fetchV17.FetchResponse }).response;
            const failed =
              response?.responses.flatMap((t) => t.partitions.filter((pr) => pr.errorCode !== 0)) ?? [];
            if (
              response === undefined ||
              failed.length === 0 ||
              failed.some((pr) => pr.errorCode !== OFFSET_OUT_OF_RANGE)
            )
              throw e;
            return response;
          }),
      ),
    );
    const outOfRange = new Map<string, number[]>();
    // One batch per partition: the watermark strategy runs per partition and must see only its rows.
    const batches: Array<[string, RecordBatch, bigint]> = [];
    for (const res of responses) {
      for (const t of res.responses) {
        const topic = topicNames.get(t.topicId) ?? t.topicId;
        for (const pr of t.partitions) {
          const pos = this.state.partitions.get(positionKey(topic, pr.partitionIndex));
          if (pos === undefined) continue;
          if (pr.errorCode === OFFSET_OUT_OF_RANGE)
            outOfRange.set(topic, [...(outOfRange.get(topic) ?? []), pr.partitionIndex]);
          else {
            const out = new RowCollector(this.outputSchema);
            this.processPartition(pos, pr, out);
            if (out.size > 0) batches.push([positionKey(topic, pr.partitionIndex), out.take(), pos.next]);
          }
        }
      }
    }
    if (outOfRange.size > 0) await this.resetOutOfRange(outOfRange);
    return batches;
  }

  /**
   * Moves positions that are no longer in the log to the earliest (default) or latest offset, as the Java
   * consumer does under `auto.offset.reset`; with `none` the job fails, since records would be skipped silently.
   */
  private async resetOutOfRange(parts: Map<string, number[]>): Promise<void> {
    const reset = this.cfg.startup.kind === 'group-offsets' ? this.cfg.startup.reset : 'earliest';
    if (reset === 'none') {
      const [topic, ps] = [...parts][0] as [string, number[]];
      throw new Error(
        `the position of partition ${ps[0]} of Kafka topic '${topic}' is out of range (deleted by retention?) and 'properties.auto.offset.reset' is 'none'`,
      );
    }
    const offsets = await this.listOffsets(parts, reset === 'earliest' ? EARLIEST : null);
    for (const [key, offset] of offsets) {
      const pos = this.state.partitions.get(key);
      if (pos !== undefined) pos.next = pos.stop !== null && offset > pos.stop ? pos.stop : offset;
    }
  }

  private processPartition(pos: PartitionPosition, pr: FetchResponsePartition, out: RowCollector): void {
    if (pr.errorCode !== 0)
      throw new Error(
        `fetching partition ${pos.partition} of Kafka topic '${pos.topic}' failed with error code ${pr.errorCode}`,
      );
    const batches = pr.records ?? [];
    if (batches.length === 0) return;
    const readCommitted = this.cfg.client.isolation === 'read_committed';
    const data = new Set(committedBatches(batches, pr.abortedTransactions, readCommitted));
    for (const batch of batches) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (data.has(batch)) {
        for (const record of batch.records) {
          const offset = batch.firstOffset + BigInt(record.offsetDelta);
          // Records before the position come with a compressed batch or a batch the broker sends twice (a
          // fetch session can answer a partition more than once); records at the stop are not ours.
          if (offset < pos.next || (pos.stop !== null && offset >= pos.stop)) continue;
          this.processRecord(pos, batch, record, offset, out);
        }
      }
      // Markers and skipped batches advance the position too, or a read could wait forever on a control record.
      if (last + 1n > pos.next) pos.next = pos.stop !== null && last + 1n > pos.stop ? pos.stop : last + 1n;
    }
  }

  private decodePart(
    decoder: RecordDecoder,
    bytes: Uint8Array,
    pos: PartitionPosition,
    offset: bigint,
    what: string,
  ): Array<[RowKind, Value[]]> | null {
    const rows: Array<[RowKind, Value[]]> = [];
    try {
      decoder.decode(bytes, (kind, row) => void rows.push([kind, row]));
      return rows;
    } catch (e) {
      if (!(e instanceof FormatError)) throw e;
      if (decoder.ignoreParseErrors) {
        this.skippedRecords++;
        countSkippedRecords(this.source.tableName, 1);
        return null;
      }
      throw new Error(
        `malformed record in Kafka topic '${pos.topic}' partition ${pos.partition} at offset ${offset} (message ${what}): ${e.message}`,
        { cause: e },
      );
    }
  }

  private processRecord(
    pos: PartitionPosition,
    batch: RecordsBatch,
    record: RecordsBatch['records'][number],
    offset: bigint,
    out: RowCollector,
  ): void {
    const decoded = this.decode(pos, record, offset);
    if (decoded === null) return;
    const meta = this.source.metadata.map((m) => metadataValue(m.key, pos, batch, record, offset));
    const physical = this.source.physicalSchema.size;
    const build = (key: Value[] | null, value: Value[] | null): Value[] => {
      const row: Value[] = new Array<Value>(physical).fill(null);
      if (key !== null) this.cfg.key?.columns.forEach((c, i) => (row[c] = key[i] ?? null));
      // With value.fields-include ALL the value carries the key columns as well and wins, as in Flink.
      if (value !== null) this.cfg.value.columns.forEach((c, i) => (row[c] = value[i] ?? null));
      return [...row, ...meta];
    };
    if (this.cfg.connector === 'kafka') {
      for (const [kind, value] of decoded.rows) out.add(kind, build(decoded.key, value));
      return;
    }
    // upsert-kafka: normalize to a changelog with the last value per key.
    // Per partition (a key lives in one partition), so the last values move with their partition on a rescale.
    const k = `${positionKey(pos.topic, pos.partition)}${UPSERT_KEY_SEPARATOR}${Buffer.from(record.key as Buffer).toString('latin1')}`;
    const previous = this.lastValues.get(k);
    const first = decoded.rows[0];
    if (first === undefined) {
      if (previous === undefined) return; // a tombstone for a key never seen: nothing to delete (Flink drops it too)
      this.lastValues.delete(k);
      out.add(RowKind.DELETE, previous);
      return;
    }
    const row = build(decoded.key, first[1]);
    if (previous === undefined) out.add(RowKind.INSERT, row);
    else {
      out.add(RowKind.UPDATE_BEFORE, previous);
      out.add(RowKind.UPDATE_AFTER, row);
    }
    this.lastValues.set(k, row);
  }

  /** Key fields and value rows of one message; null when the record is skipped (bad under ignore, or no data). */
  private decode(
    pos: PartitionPosition,
    record: RecordsBatch['records'][number],
    offset: bigint,
  ): Decoded | null {
    let key: Value[] | null = null;
    if (this.keyDecoder !== null) {
      if (record.key === null) {
        if (this.cfg.connector === 'upsert-kafka') {
          if (this.keyDecoder.ignoreParseErrors) {
            this.skippedRecords++;
            countSkippedRecords(this.source.tableName, 1);
            return null;
          }
          throw new Error(
            `record without a key in Kafka topic '${pos.topic}' partition ${pos.partition} at offset ${offset}: upsert-kafka needs a key`,
          );
        }
      } else {
        const rows = this.decodePart(this.keyDecoder, record.key, pos, offset, 'key');
        if (rows === null) return null;
        key = rows[0]?.[1] ?? null;
      }
    }
    if (record.value === null) {
      if (this.cfg.connector === 'upsert-kafka') return { key, rows: [] };
      // A null value: the raw format reads it as a NULL column; other formats skip it, as Flink's do.
      if (this.cfg.value.format.name === 'raw') return { key, rows: [[RowKind.INSERT, [null]]] };
      return null;
    }
    const rows = this.decodePart(this.valueDecoder, record.value, pos, offset, 'value');
    if (rows === null) return null;
    return { key, rows };
  }

  async close(): Promise<void> {
    const { consumer, admin } = this;
    this.consumer = null;
    this.admin = null;
    await Promise.all([consumer?.close(true).catch(() => undefined), admin?.close().catch(() => undefined)]);
  }
}

function metadataValue(
  key: MetadataKey,
  pos: PartitionPosition,
  batch: RecordsBatch,
  record: RecordsBatch['records'][number],
  offset: bigint,
): Value {
  switch (key) {
    case 'topic':
      return pos.topic;
    case 'partition':
      return pos.partition;
    case 'offset':
      return offset;
    case 'timestamp':
      return Number(batch.firstTimestamp + record.timestampDelta);
    case 'timestamp-type':
      return (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0 ? 'LogAppendTime' : 'CreateTime';
    case 'headers':
      return new Map<Value, Value>(
        record.headers.map(([k, v]) => [
          k === null ? '' : k.toString('utf8'),
          v === null ? null : new Uint8Array(v),
        ]),
      );
    case 'leader-epoch':
      return batch.partitionLeaderEpoch >= 0 ? batch.partitionLeaderEpoch : null;
  }
}

/** Builds one output batch row by row (a fetch round's worth). */
class RowCollector {
  private builders: ColumnBuilder[];
  private kinds: number[] = [];

  constructor(private readonly schema: Schema) {
    this.builders = schema.fields.map((f) => new ColumnBuilder(f.type, 256));
  }

  get size(): number {
    return this.kinds.length;
  }

  add(kind: RowKind, row: readonly Value[]): readonly Value[] {
    this.builders.forEach((b, i) => b.append(row[i] ?? null));
    this.kinds.push(kind);
    return row;
  }

  take(): RecordBatch {
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      this.kinds.length,
      Uint8Array.from(this.kinds),
    );
    this.builders = this.schema.fields.map((f) => new ColumnBuilder(f.type, 256));
    this.kinds = [];
    return batch;
  }
}
