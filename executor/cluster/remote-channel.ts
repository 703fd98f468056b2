// A channel between subtasks in different slots (worker threads): the producer end and the consumer end of one
// MessagePort pair, speaking Flink's credit-based flow control. The consumer announces `capacity` credits (its
// free receive buffers) and returns one per element it polls; the producer spends one per element it sends and is
// `writable` only while it holds credit, so a slow consumer stops its producer's mailbox loop: backpressure across
// threads, with at most capacity + one input element's output in flight. Elements are frames (frame.ts) whose
// buffers are transferred; MessagePort keeps their order, so watermarks, barriers and end-of-input stay in line
// with the data.
import type { MessagePort } from 'node:worker_threads';
import type { StreamElement } from '../batch/batch.js';
import type { ChannelReader, ChannelWriter } from '../runtime/channel.js';
import type { Schema } from '../types/schema.js';
import { decodeElement, encodeElement } from './frame.js';

/** Byte counters a slot reports as the subtask's read-bytes / write-bytes. */
export interface ByteCounter {
  bytes: number;
}

type Wire = { readonly credit: number } | { readonly frame: ArrayBuffer };

export class RemoteChannelWriter implements ChannelWriter {
  /** push encodes the element into a frame at once. */
  readonly copiesOnPush = true;
  private credit = 0;
  private writableCb: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    private readonly counter: ByteCounter,
  ) {
    port.on('message', (m: Wire) => {
      if ('credit' in m) {
        const before = this.credit;
        this.credit += m.credit;
        if (before <= 0 && this.credit > 0) this.writableCb?.();
      }
    });
  }

  push(el: StreamElement): void {
    if (this.closed) return;
    const frame = encodeElement(el);
    this.counter.bytes += frame.byteLength;
    this.credit--;
    this.port.postMessage({ frame } satisfies Wire, [frame]);
    if (el.kind === 'end') this.closed = true;
  }

  writable(): boolean {
    return this.credit > 0;
  }

  onWritable(cb: () => void): void {
    this.writableCb = cb;
  }

  close(): void {
    this.port.close();
  }
}

export class RemoteChannelReader implements ChannelReader {
  private queue: StreamElement[] = [];
  private head = 0;
  private dataCb: (() => void) | null = null;
  /** Credits owed to the producer, returned in bulk to spare messages (at most half the window at once). */
  private owed = 0;
  peak = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly schema: Schema,
    private readonly capacity: number,
    private readonly counter: ByteCounter,
  ) {
    port.on('message', (m: Wire) => {
      if (!('frame' in m)) return;
      this.counter.bytes += m.frame.byteLength;
      this.queue.push(decodeElement(m.frame, this.schema));
      const n = this.queue.length - this.head;
      if (n > this.peak) this.peak = n;
      this.dataCb?.();
    });
    port.postMessage({ credit: capacity } satisfies Wire);
  }

  poll(): StreamElement | undefined {
    if (this.head >= this.queue.length) return undefined;
    const el = this.queue[this.head] as StreamElement;
    this.queue[this.head] = undefined as unknown as StreamElement;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (++this.owed * 2 >= this.capacity || this.head >= this.queue.length) {
      this.port.postMessage({ credit: this.owed } satisfies Wire);
      this.owed = 0;
    }
    return el;
  }

  onData(cb: () => void): void {
    this.dataCb = cb;
  }

  close(): void {
    this.port.close();
  }
}
