// A bounded queue of batches between a job's sink and a reader in the same process (query results,
// executeAndCollect). The writer waits while the queue is full, so an unread result slows the job down instead
// of filling memory; `end` wakes both sides and carries the job's failure to the reader.
import type { RecordBatch } from '../batch/batch.js';
import type { SinkWriter } from './operator.js';

export class BatchQueue {
  private readonly items: RecordBatch[] = [];
  private done = false;
  private error: unknown = null;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  constructor(private readonly capacity: number) {}

  /** The sink side: `write` resolves once the batch is queued (it waits while the queue is full). */
  writer(): SinkWriter {
    return {
      write: async (batch: RecordBatch) => {
        while (this.items.length >= this.capacity && !this.done) await new Promise<void>((r) => (this.wakeWriter = r));
        this.items.push(batch);
        this.wake('reader');
      },
      finish: () => {},
      close: async () => {},
    };
  }

  /** No more batches: the job finished (error null), failed or was cancelled. Idempotent. */
  end(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake('reader');
    this.wake('writer');
  }

  private wake(side: 'reader' | 'writer'): void {
    const w = side === 'reader' ? this.wakeReader : this.wakeWriter;
    if (side === 'reader') this.wakeReader = null;
    else this.wakeWriter = null;
    w?.();
  }

  /** The reader side: batches in order until the end; rethrows the job's failure. */
  async *batches(): AsyncGenerator<RecordBatch> {
    for (;;) {
      const b = this.items.shift();
      if (b !== undefined) {
        this.wake('writer');
        yield b;
        continue;
      }
      if (this.done) {
        if (this.error !== null) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }
}
