// The paced nexmark source (max-emit-speed = false): scans of the same generator planned together pace from one
// origin, the first emission of any of them, so an event goes out at the same wall time from each (Nexmark q5 and
// q8 read the generator twice, and a window join of the two waited for the scan that started later). A scan
// planned after that pass paces from its own start.
import { setImmediate as nextTick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { SourceReader, StreamElement } from '../../executor/index.js';
import { nexmarkFactory } from '../../connectors/nexmark/factory.js';
import { Schema } from '../../executor/types/schema.js';
import { Types } from '../../executor/types/logical-type.js';

const OPTIONS = {
  connector: 'nexmark',
  table: 'bid',
  'max-emit-speed': 'false',
  'first-event.rate': '10000',
  'events.num': '100000',
  'base-time': '0',
};
const SCHEMA = Schema.of(['auction', Types.BIGINT()]);

function scan(): SourceReader {
  const create = nexmarkFactory.createSource as NonNullable<typeof nexmarkFactory.createSource>;
  return create({ physicalSchema: SCHEMA, options: OPTIONS, tableName: 'bid' });
}

/** The rows of the first batch a reader emits. */
async function firstBatch(reader: SourceReader, signal: AbortSignal): Promise<number> {
  const it = reader.read(signal)[Symbol.asyncIterator]();
  for (;;) {
    const r = (await it.next()) as IteratorResult<StreamElement>;
    if (r.done === true) return 0;
    if (r.value.kind === 'batch') return r.value.batch.length;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('nexmark pacing origin', () => {
  it('is shared by the scans of one planning pass, not by a later one', async () => {
    const abort = new AbortController();
    const a = scan();
    const b = scan(); // the same generator, planned in the same pass
    await firstBatch(a, abort.signal); // a's first emission sets the shared origin
    await sleep(200);
    // b starts 200 ms later and is 200 ms behind the origin: ~2,000 events (10,000/s, 92% bids) are due at once.
    expect(await firstBatch(b, abort.signal)).toBeGreaterThan(1_000);
    await nextTick();
    const c = scan(); // planned after the pass: its own origin, so only the first event(s) are due
    await sleep(200);
    expect(await firstBatch(c, abort.signal)).toBeLessThan(100);
    abort.abort();
  });
});
