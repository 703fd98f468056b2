// read_committed filtering of one partition's fetched record batches, as the Java consumer does it
// (CompletedFetch): aborted transactions are consumed in first-offset order, a producer stays "aborted" until its
// ABORT marker, and its transactional batches in between are dropped. @platformatic/kafka 2.12 keys aborted ranges
// by producer id, so a fetch with two aborted transactions of one producer leaks the first (docs/testing-kafka.md);
// running this after the client's filter is always correct, since the client only ever drops aborted batches.
import type { RecordsBatch } from '@platformatic/kafka';

const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
/** Control record key: int16 version, int16 type; type 0 is ABORT, 1 is COMMIT. */
const CONTROL_ABORT = 0;

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** Whether a control batch is an ABORT marker. */
function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === CONTROL_ABORT;
}

/**
 * The data batches a read_committed consumer may see, in order. Control batches (markers) are never data. With
 * `readCommitted` false every data batch is returned.
 */
export function committedBatches(batches: readonly RecordsBatch[], aborted: readonly AbortedTransaction[] | null, readCommitted: boolean): RecordsBatch[] {
  const out: RecordsBatch[] = [];
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  let next = 0;
  const abortedProducers = new Set<bigint>();
  for (const batch of batches) {
    const control = (batch.attributes & IS_CONTROL) !== 0;
    if (readCommitted && (batch.attributes & IS_TRANSACTIONAL) !== 0) {
      const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      // Every aborted transaction that began at or before this batch's last offset is open from here on.
      while (next < pending.length && (pending[next] as AbortedTransaction).firstOffset <= lastOffset) {
        abortedProducers.add((pending[next] as AbortedTransaction).producerId);
        next++;
      }
      if (control) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (abortedProducers.has(batch.producerId)) continue;
    }
    if (!control) out.push(batch);
  }
  return out;
}
