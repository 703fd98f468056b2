// A transactional store standing in for an external system, for the in-thread checkpoint tests: writers stage rows
// in a transaction per checkpoint, `commit` makes them visible once (committing twice is a no-op), uncommitted
// transactions are never seen. Like a client library, a writer buffers sent rows until `flush`.
import { MAX_WATERMARK, batchToRows, type RecordBatch } from '../../executor/batch/batch.js';
import type { SinkWriter } from '../../executor/runtime/operator.js';

export class TransactionalStore {
  readonly committed: string[] = [];
  private readonly staged = new Map<string, string[]>();
  private readonly done = new Set<string>();
  private seq = 0;
  /** Rows written so far, committed or not (how at-least-once duplicates would show). */
  written = 0;
  /** A writer saw the end of its input (the maximal watermark). */
  inputEnded = false;
  /** A writer's `finish` ran (with a final checkpoint: after it completed and its last transaction committed). */
  finished = false;
  /** Rows committed by `finish` itself: the end-of-input commit of a job without a final checkpoint. */
  committedByFinish = 0;

  writer(subtask: number): SinkWriter {
    let txn = `${subtask}-${this.seq++}`;
    let rows: string[] = [];
    // Rows sent but not yet acknowledged: `flush` waits for them.
    let buffered: string[] = [];
    const seal = (): string | null => {
      // The subtask flushes (prepareSnapshotPreBarrier) before the snapshot: a transaction never misses a row.
      if (buffered.length > 0) throw new Error(`prepareCommit with ${buffered.length} unflushed rows`);
      if (rows.length === 0) return null;
      this.staged.set(txn, rows);
      const sealed = txn;
      txn = `${subtask}-${this.seq++}`;
      rows = [];
      return sealed;
    };
    return {
      write: (b: RecordBatch) => {
        for (const r of batchToRows(b)) buffered.push(r.map(String).join(','));
        this.written += b.length;
      },
      writeWatermark: (ts) => {
        if (ts === MAX_WATERMARK) this.inputEnded = true;
      },
      prepareCommit: () => {
        const id = seal();
        return id === null ? null : new TextEncoder().encode(id);
      },
      commit: async (committables) => {
        for (const c of committables) this.commitTxn(new TextDecoder().decode(c));
      },
      flush: async () => {
        await new Promise((r) => setTimeout(r, 1));
        rows.push(...buffered);
        buffered = [];
      },
      finish: () => {
        // As KafkaWriter: whatever is still open is committed here (empty after a final checkpoint).
        rows.push(...buffered);
        buffered = [];
        const id = seal();
        if (id !== null) this.committedByFinish += this.commitTxn(id);
        this.finished = true;
      },
      close: async () => {},
    };
  }

  private commitTxn(id: string): number {
    if (this.done.has(id)) return 0;
    const rows = this.staged.get(id);
    if (rows === undefined) throw new Error(`unknown transaction ${id}`);
    this.done.add(id);
    this.committed.push(...rows);
    return rows.length;
  }
}
