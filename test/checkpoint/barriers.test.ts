// Barrier handling in a two-input subtask (found in review): in both modes a checkpoint must complete when one
// input delivered its barrier and the other ended; exactly-once blocks the channel that is ahead until then.
import { describe, expect, it } from 'vitest';
import { LocalChannel } from '../../executor/runtime/channel.js';
import { LocalSubtask } from '../../executor/runtime/subtask.js';
import { ManualProcessingTimeService } from '../../executor/runtime/time.js';
import { Schema, Types } from '../../executor/index.js';
import type { StreamOperator } from '../../executor/runtime/operator.js';

const schema = Schema.of(['x', Types.INT()]);

function subtask(mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE') {
  const a = new LocalChannel('a', 8);
  const b = new LocalChannel('b', 8);
  const acks: number[] = [];
  const op: StreamOperator = {
    name: 'noop',
    outputSchema: schema,
    open: () => {},
    processBatch: () => {},
    processWatermark: () => {},
    finish: () => {},
    close: () => {},
    snapshotState: () => new Uint8Array([1]),
  };
  const t = new LocalSubtask({
    name: 'two-input',
    index: 0,
    parallelism: 1,
    maxParallelism: 128,
    source: null,
    operators: [op],
    inputs: [
      { reader: a, inputIndex: 0 },
      { reader: b, inputIndex: 0 },
    ],
    outputs: [],
    clock: new ManualProcessingTimeService(),
    batchSize: 16,
    bufferTimeout: 0,
    autoWatermarkInterval: 0,
    signal: new AbortController().signal,
    checkpointing: { mode, acknowledge: (id) => acks.push(id), decline: () => {} },
  });
  return { a, b, acks, t };
}

describe('barriers at a two-input subtask', () => {
  for (const mode of ['EXACTLY_ONCE', 'AT_LEAST_ONCE'] as const) {
    it(`${mode}: a barrier on one input and the end of the other complete the checkpoint`, async () => {
      const { a, b, acks, t } = subtask(mode);
      const run = t.run();
      a.push({ kind: 'barrier', checkpointId: 1, timestamp: 0 });
      await new Promise((r) => setTimeout(r, 10));
      expect(acks).toEqual([]);
      b.push({ kind: 'end' });
      await new Promise((r) => setTimeout(r, 10));
      expect(acks).toEqual([1]);
      a.push({ kind: 'end' });
      await run;
    });
  }
});
