// Channels between subtasks: bounded FIFO queues of stream elements, written by one producer subtask and read
// by one consumer subtask. The writer never blocks inside an operator call (JavaScript cannot); instead the
// producer's mailbox loop stops taking input while any of its channels is at capacity, which bounds a channel
// to its capacity plus what one input element can produce. This is Flink's output-availability check.
// A worker-thread executor implements the same two interfaces over MessagePorts (transferring the batches'
// ArrayBuffers); the local channel below is the in-thread implementation.
import type { StreamElement } from '../batch/batch.js';

export interface ChannelWriter {
  push(el: StreamElement): void;
  /**
   * `push` copies the element before it returns (a remote channel encodes it into a frame), so the caller may
   * reuse a pushed batch's arrays at once; otherwise the batch is handed on as it is and must not change.
   */
  readonly copiesOnPush?: boolean;
  /** Below capacity: the producer may process more input. */
  writable(): boolean;
  /** Called (once per registration) when the channel drops below capacity. */
  onWritable(cb: () => void): void;
}

export interface ChannelReader {
  poll(): StreamElement | undefined;
  /** Called when an element arrives on an empty channel. */
  onData(cb: () => void): void;
}

export class LocalChannel implements ChannelWriter, ChannelReader {
  private queue: StreamElement[] = [];
  private head = 0;
  private dataCb: (() => void) | null = null;
  private writableCb: (() => void) | null = null;
  /** The most elements ever queued at once: what the backpressure tests assert on. */
  peak = 0;

  constructor(
    readonly name: string,
    /** In elements (batches and events), like Flink's count of network buffers per channel. */
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  push(el: StreamElement): void {
    this.queue.push(el);
    const n = this.size;
    if (n > this.peak) this.peak = n;
    const cb = this.dataCb;
    if (cb !== null) cb();
  }

  writable(): boolean {
    return this.size < this.capacity;
  }

  onWritable(cb: () => void): void {
    this.writableCb = cb;
  }

  onData(cb: () => void): void {
    this.dataCb = cb;
  }

  poll(): StreamElement | undefined {
    if (this.head >= this.queue.length) return undefined;
    const el = this.queue[this.head] as StreamElement;
    this.head++;
    // Compact now and then instead of shifting on every poll (Array.shift is O(n)).
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.size === this.capacity - 1) this.writableCb?.();
    return el;
  }
}
