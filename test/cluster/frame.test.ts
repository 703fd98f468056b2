// Frames (executor/cluster/frame.ts): every column layout survives encode → transfer → decode exactly, and the
// decoded columns are views over the received buffer (no copy on the consumer side).
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import {
  Schema,
  Types,
  batchFromRows,
  batchToRows,
  decodeElement,
  encodeElement,
  type RecordBatch,
} from '../../index.js';

const schema = new Schema([
  { name: 'b', type: Types.BOOLEAN() },
  { name: 'i', type: Types.INT() },
  { name: 's', type: Types.SMALLINT() },
  { name: 'l', type: Types.BIGINT() },
  { name: 'd', type: Types.DOUBLE() },
  { name: 'v', type: Types.STRING() },
  { name: 't', type: Types.TIMESTAMP(3) },
  { name: 'n', type: Types.TIMESTAMP(9) },
]);

describe('frame encoding', () => {
  it('round-trips every column kind with nulls, row kinds and wide BIGINTs', () => {
    const rows = [
      [true, 1, 2, 9007199254740993n, 1.5, 'héllo ✓', 1000, 1_000_000_123n],
      [null, null, null, null, null, null, null, null],
      [false, -7, 3, -5n, Number.NaN, '', 0, 5n],
    ];
    const batch = batchFromRows(schema, rows, [0, 1, 3] as never);
    const back = decodeElement(encodeElement({ kind: 'batch', batch }), schema);
    expect(back.kind).toBe('batch');
    const b = (back as { batch: RecordBatch }).batch;
    expect(batchToRows(b)).toEqual(batchToRows(batch));
    expect([...b.kinds]).toEqual([0, 1, 3]);
  });

  it('carries watermarks, barriers, idleness and end of input', () => {
    for (const el of [
      { kind: 'watermark', timestamp: 123456789 },
      { kind: 'barrier', checkpointId: 7, timestamp: 99 },
      { kind: 'idle', idle: true },
      { kind: 'idle', idle: false },
      { kind: 'end' },
    ] as const)
      expect(decodeElement(encodeElement(el), schema)).toEqual(el);
  });

  it('is transferred over a MessagePort without copying and decodes on the other side', async () => {
    const batch = batchFromRows(schema, [[true, 4, 5, 6n, 7.5, 'x', 8, 9n]]);
    const frame = encodeElement({ kind: 'batch', batch });
    const { port1, port2 } = new MessageChannel();
    const got = new Promise<ArrayBuffer>((r) => port2.once('message', (m: ArrayBuffer) => r(m)));
    port1.postMessage(frame, [frame]);
    expect(frame.byteLength).toBe(0); // detached: the buffer moved, it was not cloned
    const buf = await got;
    const el = decodeElement(buf, schema) as { batch: RecordBatch };
    expect(batchToRows(el.batch)).toEqual(batchToRows(batch));
    const i = el.batch.columns[1] as { values: Int32Array };
    expect(i.values.buffer).toBe(buf);
    port1.close();
    port2.close();
  });
});
