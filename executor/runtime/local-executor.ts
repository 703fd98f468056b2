// Runs a JobGraph in the current thread: every parallel subtask of every vertex is a LocalSubtask, edges are
// LocalChannels. This is the executor until the slot-based one (issue 6) places the same subtasks in worker
// threads; the JobClient below is the handle both return.
import type { JobGraph } from '../graph/job-graph.js';
import { LocalChannel } from './channel.js';
import type { StreamOperator } from './operator.js';
import { CancelledError } from './errors.js';
import { targetsOf } from './partitioner.js';
import { LocalSubtask, type SubtaskInput, type SubtaskOutput } from './subtask.js';
import { SystemProcessingTimeService, type ProcessingTimeService } from './time.js';
import { reportJobStarted } from '../cluster/dispatcher-context.js';

export interface ExecutionOptions {
  /** Rows per network buffer: a channel batch is flushed once it holds this many rows. */
  readonly batchSize: number;
  /** ms; 0 = flush after every emit, negative = only when full. */
  readonly bufferTimeout: number;
  readonly autoWatermarkInterval: number;
  /** Elements a channel holds before its producer stops taking input. */
  readonly channelCapacity: number;
  readonly clock: ProcessingTimeService;
}

export const DEFAULT_EXECUTION_OPTIONS: ExecutionOptions = {
  batchSize: 1024,
  bufferTimeout: 10,
  autoWatermarkInterval: 200,
  channelCapacity: 8,
  clock: new SystemProcessingTimeService(),
};

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

export interface JobExecutionResult {
  readonly jobName: string;
  readonly netRuntimeMs: number;
  /** Counters summed over subtasks (numRecordsIn, numLateRecordsDropped, ...). */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Flink's JobClient: the handle of a submitted job. */
export interface JobClient {
  readonly jobName: string;
  getJobStatus(): JobStatus;
  cancel(): Promise<void>;
  getJobExecutionResult(): Promise<JobExecutionResult>;
}

export class LocalJob implements JobClient {
  readonly jobName: string;
  readonly subtasks: LocalSubtask[] = [];
  readonly channels: LocalChannel[] = [];
  private status: JobStatus = 'CREATED';
  private readonly controller = new AbortController();
  private readonly result: Promise<JobExecutionResult>;

  constructor(job: JobGraph, opts: ExecutionOptions) {
    this.jobName = job.jobName;
    const inputs = new Map<string, SubtaskInput[]>();
    const outputs = new Map<string, SubtaskOutput[]>();
    const at = (m: Map<string, unknown[]>, v: number, i: number): unknown[] => {
      const k = `${v}/${i}`;
      let l = m.get(k);
      if (l === undefined) m.set(k, (l = []));
      return l;
    };
    const byId = new Map(job.vertices.map((v) => [v.id, v]));
    for (const v of job.vertices) {
      for (const e of v.outputs) {
        const down = byId.get(e.target);
        if (down === undefined) throw new Error(`edge to unknown vertex ${e.target}`);
        for (let i = 0; i < v.parallelism; i++) {
          const targets = targetsOf(e.edge.partitioner, i, v.parallelism, down.parallelism);
          const chans = targets.map((j) => {
            const ch = new LocalChannel(`${v.name}#${i} -> ${down.name}#${j}`, opts.channelCapacity);
            this.channels.push(ch);
            (at(inputs as Map<string, unknown[]>, down.id, j) as SubtaskInput[]).push({
              reader: ch,
              inputIndex: e.edge.inputIndex,
            });
            return ch;
          });
          (at(outputs as Map<string, unknown[]>, v.id, i) as SubtaskOutput[]).push({
            partitioner: e.edge.partitioner,
            channels: chans,
            consumerParallelism: down.parallelism,
            sideOutputTag: e.edge.sideOutputTag,
          });
        }
      }
    }
    for (const v of job.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        const head = v.chain[0];
        if (head === undefined) throw new Error(`vertex ${v.id} has an empty chain`);
        const source = head.body.kind === 'source' ? head.body.source.createReader(i, v.parallelism) : null;
        const operators: StreamOperator[] = [];
        for (const n of v.chain) {
          switch (n.body.kind) {
            case 'source':
              break;
            case 'operator':
            case 'sink':
              operators.push(n.body.factory());
              break;
            default: {
              const never: never = n.body;
              throw new Error(`unknown node ${String(never)}`);
            }
          }
        }
        this.subtasks.push(
          new LocalSubtask({
            name: v.name,
            index: i,
            parallelism: v.parallelism,
            maxParallelism: v.maxParallelism,
            source,
            operators,
            inputs: (inputs.get(`${v.id}/${i}`) ?? []) as SubtaskInput[],
            outputs: (outputs.get(`${v.id}/${i}`) ?? []) as SubtaskOutput[],
            clock: opts.clock,
            batchSize: opts.batchSize,
            bufferTimeout: opts.bufferTimeout,
            autoWatermarkInterval: opts.autoWatermarkInterval,
            signal: this.controller.signal,
          }),
        );
      }
    }
    this.result = this.run();
    // Whoever asks for the result sees the failure; an unobserved failure must not crash the process.
    this.result.catch(() => undefined);
    // The Dispatcher that submitted this job (if any) reads its subtasks' metrics from here on.
    reportJobStarted({ kind: 'local', job: this, graph: job });
  }

  private async run(): Promise<JobExecutionResult> {
    const start = Date.now();
    this.status = 'RUNNING';
    let firstError: unknown = null;
    // Runtime timers are unref'd; this keeps the process alive exactly as long as the job runs.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await Promise.all(
      this.subtasks.map((t) =>
        t.run().catch((e: unknown) => {
          // One failed subtask fails the job: cancel the others (Flink's default "no restart" strategy).
          if (firstError === null && !(e instanceof CancelledError && this.controller.signal.aborted)) {
            firstError = e;
            this.controller.abort();
          }
        }),
      ),
    ).finally(() => clearInterval(keepAlive));
    if (firstError !== null) {
      this.status = 'FAILED';
      throw firstError;
    }
    if (this.controller.signal.aborted) {
      this.status = 'CANCELED';
      throw new CancelledError();
    }
    this.status = 'FINISHED';
    return { jobName: this.jobName, netRuntimeMs: Date.now() - start, metrics: this.metrics() };
  }

  metrics(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.subtasks) for (const [k, v] of t.metrics.entries()) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  getJobStatus(): JobStatus {
    return this.status;
  }

  async cancel(): Promise<void> {
    this.controller.abort();
    await this.result.catch(() => undefined);
  }

  getJobExecutionResult(): Promise<JobExecutionResult> {
    return this.result;
  }
}
