// The output side of an edge between chains: partitions batches over the edge's channels and buffers the small
// pieces a hash or rebalance cuts them into. A channel's buffer is flushed when it holds `batchSize` rows or
// when the buffer timeout expires (the subtask arms the timer through `onPending`); 0 flushes after every emit.
// Events (watermarks, barriers, idleness, end) flush first so that they stay in order with the data.
import type { RecordBatch, StreamElement } from '../batch/batch.js';
import { concatBatches } from '../batch/concat.js';
import { takeRows } from '../batch/batch.js';
import type { ChannelWriter } from './channel.js';
import { keyGroupOf, subtaskOfKeyGroup } from './key.js';
import type { Partitioner } from './partitioner.js';

export interface RecordWriterOptions {
  readonly batchSize: number;
  /** ms; 0 = flush after every emit; negative = flush only when full (Flink's -1). */
  readonly bufferTimeout: number;
  readonly maxParallelism: number;
  /** Called when data is buffered and not yet flushed, so the owner can schedule `flushAll`. */
  readonly onPending: () => void;
}

export class RecordWriter {
  private readonly pending: RecordBatch[][];
  private readonly pendingRows: Int32Array;
  private nextChannel: number;
  private anyPending = false;

  constructor(
    readonly partitioner: Partitioner,
    /** The channels of this producer, indexed by position in the partitioner's target list. */
    readonly channels: readonly ChannelWriter[],
    /** For hash partitioning: the consumer's parallelism (channels cover all consumers in order). */
    private readonly consumerParallelism: number,
    private readonly opts: RecordWriterOptions,
    producerIndex: number,
  ) {
    this.pending = channels.map(() => []);
    this.pendingRows = new Int32Array(channels.length);
    // Start round-robin at the producer's index so that parallel producers do not all hit consumer 0 first.
    this.nextChannel = producerIndex % Math.max(1, channels.length);
  }

  emit(batch: RecordBatch): void {
    if (batch.length === 0) return;
    const p = this.partitioner;
    const n = this.channels.length;
    switch (p.kind) {
      case 'forward':
      case 'global':
        this.toChannel(0, batch);
        break;
      case 'rebalance':
      case 'rescale':
        // Whole batches round-robin: per-record round-robin would cut every batch into n pieces for the same
        // balance over time.
        this.toChannel(this.nextChannel, batch);
        this.nextChannel = (this.nextChannel + 1) % n;
        break;
      case 'shuffle':
        this.toChannel(Math.floor(Math.random() * n), batch);
        break;
      case 'broadcast':
        for (let c = 0; c < n; c++) this.toChannel(c, batch);
        break;
      case 'hash':
        this.hashPartition(batch, p.key.keysOf(batch));
        break;
      default: {
        const never: never = p;
        throw new Error(`unknown partitioner ${String(never)}`);
      }
    }
    if (this.opts.bufferTimeout === 0) this.flushAll();
    else if (this.anyPending) this.opts.onPending();
  }

  private hashPartition(batch: RecordBatch, keys: readonly unknown[]): void {
    const n = this.channels.length;
    if (n === 1) {
      this.toChannel(0, batch);
      return;
    }
    const len = batch.length;
    const target = new Int32Array(len);
    const counts = new Int32Array(n);
    const maxP = this.opts.maxParallelism;
    const par = this.consumerParallelism;
    for (let i = 0; i < len; i++) {
      const c = subtaskOfKeyGroup(keyGroupOf(keys[i] as never, maxP), maxP, par);
      target[i] = c;
      counts[c]++;
    }
    const rows = Array.from(counts, (c) => new Int32Array(c));
    const fill = new Int32Array(n);
    for (let i = 0; i < len; i++) {
      const c = target[i] as number;
      (rows[c] as Int32Array)[fill[c]++] = i;
    }
    for (let c = 0; c < n; c++) {
      const k = counts[c] as number;
      if (k > 0) this.toChannel(c, takeRows(batch, rows[c] as Int32Array, k));
    }
  }

  private toChannel(c: number, batch: RecordBatch): void {
    const rows = this.pendingRows[c] as number;
    if (rows === 0 && batch.length >= this.opts.batchSize) {
      (this.channels[c] as ChannelWriter).push({ kind: 'batch', batch });
      return;
    }
    (this.pending[c] as RecordBatch[]).push(batch);
    this.pendingRows[c] = rows + batch.length;
    if (rows + batch.length >= this.opts.batchSize) this.flush(c);
    else this.anyPending = true;
  }

  private flush(c: number): void {
    const parts = this.pending[c] as RecordBatch[];
    if (parts.length === 0) return;
    this.pending[c] = [];
    this.pendingRows[c] = 0;
    (this.channels[c] as ChannelWriter).push({ kind: 'batch', batch: concatBatches(parts) });
  }

  flushAll(): void {
    if (!this.anyPending) return;
    for (let c = 0; c < this.channels.length; c++) this.flush(c);
    this.anyPending = false;
  }

  /** Sends an event to every channel, after the data buffered before it. */
  broadcastEvent(el: StreamElement): void {
    this.flushAll();
    for (const ch of this.channels) ch.push(el);
  }

  writable(): boolean {
    for (const ch of this.channels) if (!ch.writable()) return false;
    return true;
  }
}
