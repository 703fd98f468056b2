// Runs one source → chain of operators → sink as a single subtask: the planner's entry to the runtime until
// it builds job graphs itself. It is the same mailbox loop (subtask.ts) that DataStream jobs run, so SQL
// pipelines get the same element order, watermark rules and backpressure: bounded inputs end with the maximal
// watermark, and an asynchronous sink that is still writing holds the source back.
import { SinkOperator } from '../datastream/operators.js';
import type { SinkWriter, SourceReader, StreamOperator } from './operator.js';
import { LocalSubtask } from './subtask.js';
import { SystemProcessingTimeService } from './time.js';
import { DEFAULT_MAX_PARALLELISM } from './key.js';

export { CancelledError } from './errors.js';

export interface PipelineSpec {
  readonly source: SourceReader;
  readonly operators: readonly StreamOperator[];
  readonly sink: SinkWriter;
}

const clock = new SystemProcessingTimeService();

export async function runPipeline(spec: PipelineSpec, signal: AbortSignal): Promise<void> {
  const { source, operators, sink } = spec;
  const last = operators[operators.length - 1];
  const schema = last?.outputSchema ?? source.outputSchema;
  const sinkOp = new SinkOperator('Sink', schema, () => sink);
  const task = new LocalSubtask({
    name: 'Pipeline',
    index: 0,
    parallelism: 1,
    maxParallelism: DEFAULT_MAX_PARALLELISM,
    source,
    operators: [...operators, sinkOp],
    inputs: [],
    outputs: [],
    clock,
    batchSize: 1024,
    bufferTimeout: 0,
    autoWatermarkInterval: 0,
    signal,
  });
  try {
    await task.run();
  } finally {
    await sinkOp.closed;
  }
}
