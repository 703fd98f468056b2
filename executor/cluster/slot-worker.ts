// One slot of a TaskManager: a worker thread that runs the subtasks deployed into it (one subtask of each vertex
// of a job under slot sharing), each a LocalSubtask mailbox loop on this thread's event loop. It rebuilds the job
// graph from the job's builder module, wires channels to subtasks in the same slot locally and to other slots
// over the MessagePorts it was handed, and reports subtask states and metrics to its TaskManager.
import { parentPort, threadId, type MessagePort } from 'node:worker_threads';
import type { RecordBatch } from '../batch/batch.js';
import type { JobGraph, JobVertex } from '../graph/job-graph.js';
import { LocalChannel, type ChannelReader, type ChannelWriter } from '../runtime/channel.js';
import type { SinkWriter, StreamOperator } from '../runtime/operator.js';
import { targetsOf } from '../runtime/partitioner.js';
import {
  LocalSubtask,
  type SubtaskCheckpointing,
  type SubtaskInput,
  type SubtaskOutput,
} from '../runtime/subtask.js';
import { positionlessSourceError } from '../runtime/errors.js';
import { SystemProcessingTimeService } from '../runtime/time.js';
import { encodeBatch } from './frame.js';
import {
  channelKey,
  DEFAULT_SLOT_EXECUTION,
  serializeError,
  type FromSlot,
  type JobGraphBuilder,
  type JobSpec,
  type ResultWire,
  type SubtaskReport,
  type ToSlot,
} from './protocol.js';
import { RemoteChannelReader, RemoteChannelWriter, type ByteCounter } from './remote-channel.js';

const port = parentPort as NonNullable<typeof parentPort>;
const send = (m: FromSlot): void => port.postMessage(m);
const clock = new SystemProcessingTimeService();

/** The collect sink's writer in a slot: batches go back to the client thread, one credit per batch. */
class RemoteResultWriter implements SinkWriter {
  private credit = 0;
  private waiter: (() => void) | null = null;

  constructor(private readonly out: MessagePort) {
    out.on('message', (m: ResultWire) => {
      if ('credit' in m) {
        this.credit += m.credit;
        const w = this.waiter;
        this.waiter = null;
        w?.();
      }
    });
  }

  write(batch: RecordBatch): void | Promise<void> {
    const frame = encodeBatch(batch);
    this.out.postMessage({ kind: 'batch', frame } satisfies ResultWire, [frame]);
    // Without credit the sink's write is pending, which stops the subtask taking input: the client's pace.
    if (--this.credit > 0) return;
    return new Promise<void>((r) => (this.waiter = r));
  }

  writeWatermark(timestamp: number): void {
    this.out.postMessage({ kind: 'watermark', timestamp } satisfies ResultWire);
  }

  finish(): void {
    this.out.postMessage({ kind: 'finish' } satisfies ResultWire);
  }

  async close(): Promise<void> {
    this.out.close();
  }
}

interface Hosted {
  readonly vertex: number;
  readonly index: number;
  readonly task: LocalSubtask;
  readonly bytesIn: ByteCounter;
  readonly bytesOut: ByteCounter;
  /** The subtask's input queues, for the most elements one ever held (bounded by credits: backpressure works). */
  readonly readers: readonly { readonly peak: number }[];
  /** A source subtask: checkpoint barriers are injected here. */
  readonly isSource: boolean;
}

interface Deployment {
  readonly jobId: string;
  readonly attempt: number;
  readonly controller: AbortController;
  readonly tasks: Hosted[];
  readonly ports: MessagePort[];
}

let current: Deployment | null = null;
const builders = new Map<string, JobGraphBuilder>();

async function loadBuilder(spec: JobSpec): Promise<JobGraphBuilder> {
  const known = builders.get(spec.builder);
  if (known !== undefined) return known;
  for (const m of spec.preload ?? []) await import(m);
  const mod = (await import(spec.builder)) as { buildJobGraph?: JobGraphBuilder };
  if (typeof mod.buildJobGraph !== 'function')
    throw new Error(`job builder ${spec.builder} exports no buildJobGraph`);
  builders.set(spec.builder, mod.buildJobGraph);
  return mod.buildJobGraph;
}

async function deploy(m: Extract<ToSlot, { type: 'deploy' }>): Promise<void> {
  const opts = { ...DEFAULT_SLOT_EXECUTION, ...m.spec.execution };
  const controller = new AbortController();
  const dep: Deployment = {
    jobId: m.jobId,
    attempt: m.attempt,
    controller,
    tasks: [],
    ports: Object.values(m.ports),
  };
  current = dep;
  let graph: JobGraph;
  try {
    const build = await loadBuilder(m.spec);
    const resultSink = m.resultPort !== null ? new RemoteResultWriter(m.resultPort) : null;
    graph = build(m.spec.payload, { resultSink, attempt: m.attempt });
  } catch (e) {
    send({ type: 'deploy-failed', jobId: m.jobId, attempt: m.attempt, error: serializeError(e) });
    return;
  }
  const hosted = new Set(m.subtasks.map(([v, i]) => `${v}/${i}`));
  const here = (v: number, i: number): boolean => hosted.has(`${v}/${i}`);
  const inputs = new Map<string, SubtaskInput[]>();
  const outputs = new Map<string, SubtaskOutput[]>();
  const queues = new Map<string, { peak: number }[]>();
  const counters = new Map<string, { in: ByteCounter; out: ByteCounter }>();
  const countersOf = (v: number, i: number): { in: ByteCounter; out: ByteCounter } => {
    const k = `${v}/${i}`;
    let c = counters.get(k);
    if (c === undefined) counters.set(k, (c = { in: { bytes: 0 }, out: { bytes: 0 } }));
    return c;
  };
  const push = <T>(map: Map<string, T[]>, k: string, x: T): void => {
    const l = map.get(k);
    if (l === undefined) map.set(k, [x]);
    else l.push(x);
  };
  const byId = new Map(graph.vertices.map((v) => [v.id, v]));
  // Vertices are named by their position in the graph's topological order, not by id: a DataStream builder draws
  // ids from a per-thread counter, so only the order is the same in every thread.
  const pos = new Map(graph.vertices.map((v, p) => [v.id, p]));
  // The same enumeration as LocalJob and the JobManager: every slot names every channel alike.
  for (const v of graph.vertices) {
    const vp = pos.get(v.id) as number;
    v.outputs.forEach((e, k) => {
      const down = byId.get(e.target) as JobVertex;
      const dp = pos.get(down.id) as number;
      const schema = v.chain[v.chain.length - 1]?.outputSchema;
      if (schema === undefined) throw new Error(`vertex ${v.id} has an empty chain`);
      for (let i = 0; i < v.parallelism; i++) {
        const targets = targetsOf(e.edge.partitioner, i, v.parallelism, down.parallelism);
        const writers: ChannelWriter[] = [];
        for (const j of targets) {
          const key = channelKey(vp, k, i, j);
          const prod = here(vp, i);
          const cons = here(dp, j);
          let writer: ChannelWriter | null = null;
          let reader: ChannelReader | null = null;
          if (prod && cons) {
            const ch = new LocalChannel(key, opts.channelCapacity);
            writer = ch;
            reader = ch;
          } else if (prod || cons) {
            const p = m.ports[key];
            if (p === undefined) throw new Error(`slot has no port for channel ${key}`);
            if (prod) writer = new RemoteChannelWriter(p, countersOf(vp, i).out);
            else reader = new RemoteChannelReader(p, schema, opts.credits, countersOf(dp, j).in);
          }
          if (writer !== null) writers.push(writer);
          if (reader !== null) push(inputs, `${dp}/${j}`, { reader, inputIndex: e.edge.inputIndex });
          if (reader !== null) push(queues, `${dp}/${j}`, reader as unknown as { peak: number });
        }
        if (here(vp, i))
          push(outputs, `${vp}/${i}`, {
            partitioner: e.edge.partitioner,
            channels: writers,
            consumerParallelism: down.parallelism,
            sideOutputTag: e.edge.sideOutputTag,
          });
      }
    });
  }
  try {
    for (const [vp, i] of m.subtasks) {
      const v = graph.vertices[vp];
      if (v === undefined) throw new Error(`deployed subtask of unknown vertex #${vp}`);
      const head = v.chain[0];
      if (head === undefined) throw new Error(`vertex ${v.id} has an empty chain`);
      const source = head.body.kind === 'source' ? head.body.source.createReader(i, v.parallelism) : null;
      if (m.checkpointMode !== undefined && source !== null && source.snapshotState === undefined) {
        // Refused, not restarted: every checkpoint would be declined and each restart would replay the source
        // from its start (the same rule as LocalJob's).
        send({
          type: 'deploy-failed',
          jobId: m.jobId,
          attempt: m.attempt,
          unrecoverable: true,
          error: serializeError(positionlessSourceError(v.name)),
        });
        controller.abort();
        // None of this slot's subtasks will run: say so, so the JobManager does not wait for them to cancel.
        for (const [sv, si] of m.subtasks)
          send({ type: 'task', jobId: m.jobId, attempt: m.attempt, vertex: sv, index: si, state: 'CANCELED' });
        return;
      }
      const operators: StreamOperator[] = [];
      for (const n of v.chain) if (n.body.kind !== 'source') operators.push(n.body.factory());
      const c = countersOf(vp, i);
      const checkpointing = checkpointingOf(m, vp, i);
      dep.tasks.push({
        vertex: vp,
        index: i,
        bytesIn: c.in,
        bytesOut: c.out,
        readers: queues.get(`${vp}/${i}`) ?? [],
        isSource: source !== null,
        task: new LocalSubtask({
          name: v.name,
          index: i,
          parallelism: v.parallelism,
          maxParallelism: v.maxParallelism,
          source,
          operators,
          inputs: inputs.get(`${vp}/${i}`) ?? [],
          outputs: outputs.get(`${vp}/${i}`) ?? [],
          clock,
          batchSize: opts.batchSize,
          bufferTimeout: opts.bufferTimeout,
          autoWatermarkInterval: opts.autoWatermarkInterval,
          signal: controller.signal,
          ...(checkpointing === undefined ? {} : { checkpointing }),
        }),
      });
    }
  } catch (e) {
    send({ type: 'deploy-failed', jobId: m.jobId, attempt: m.attempt, error: serializeError(e) });
    return;
  }
  const runs: Promise<void>[] = [];
  for (const h of dep.tasks) {
    send({
      type: 'task',
      jobId: m.jobId,
      attempt: m.attempt,
      vertex: h.vertex,
      index: h.index,
      state: 'RUNNING',
    });
    const run = h.task.run();
    runs.push(run.catch(() => undefined));
    run.then(
      () =>
        send({
          type: 'task',
          jobId: m.jobId,
          attempt: m.attempt,
          vertex: h.vertex,
          index: h.index,
          state: 'FINISHED',
          report: reportOf(h),
        }),
      (e: unknown) => {
        const canceled = controller.signal.aborted;
        send({
          type: 'task',
          jobId: m.jobId,
          attempt: m.attempt,
          vertex: h.vertex,
          index: h.index,
          state: canceled ? 'CANCELED' : 'FAILED',
          report: reportOf(h),
          ...(canceled ? {} : { error: serializeError(e) }),
        });
      },
    );
  }
  // Ports are closed once every hosted subtask ended, after a grace period for frames still on their way.
  void Promise.all(runs).then(() => setTimeout(() => dep.ports.forEach((p) => p.close()), 1000).unref());
}

/**
 * How subtask (vp, i) of a checkpointed deployment takes part in checkpoints: acknowledgements carry the state
 * bytes to the JobManager, which writes the checkpoint (see docs/checkpoints.md, "On the MiniCluster").
 */
function checkpointingOf(
  m: Extract<ToSlot, { type: 'deploy' }>,
  vertex: number,
  index: number,
): SubtaskCheckpointing | undefined {
  if (m.checkpointMode === undefined) return undefined;
  const { jobId, attempt } = m;
  const restored = m.restored?.[`${vertex}/${index}`];
  return {
    mode: m.checkpointMode,
    acknowledge: (checkpointId, state, alignmentMs) =>
      send({
        type: 'checkpoint-ack',
        jobId,
        attempt,
        vertex,
        index,
        checkpointId,
        alignmentMs,
        // A view into a larger buffer would be cloned with all of that buffer: send exactly its bytes.
        state: state.map((e) => ({
          name: e.name,
          data: e.data.byteOffset === 0 && e.data.byteLength === e.data.buffer.byteLength ? e.data : e.data.slice(),
        })),
      }),
    decline: (checkpointId, reason) =>
      send({ type: 'checkpoint-decline', jobId, attempt, vertex, index, checkpointId, reason }),
    finalCheckpoint: m.finalCheckpoint === true,
    inputEnded: () => send({ type: 'task', jobId, attempt, vertex, index, state: 'RUNNING', endOfInput: true }),
    ...(restored === undefined ? {} : { restored: new Map(restored.map((e) => [e.name, e.data])) }),
  };
}

/** The deployment of (job, attempt) if it is the one this slot runs. */
function deploymentOf(jobId: string, attempt: number): Deployment | null {
  return current !== null && current.jobId === jobId && current.attempt === attempt ? current : null;
}

function reports(): SubtaskReport[] {
  if (current === null) return [];
  return current.tasks.map(reportOf);
}

function reportOf(h: Hosted): SubtaskReport {
  {
    const t = h.task;
    const iw = t.metrics.gauge('currentInputWatermark');
    const ow = t.metrics.gauge('currentOutputWatermark');
    return {
      vertex: h.vertex,
      index: h.index,
      counters: {
        ...Object.fromEntries(t.metrics.entries()),
        inputQueuePeak: Math.max(0, ...h.readers.map((r) => r.peak)),
      },
      inputWatermark: iw ?? null,
      outputWatermark: ow ?? null,
      bytesIn: h.bytesIn.bytes,
      bytesOut: h.bytesOut.bytes,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
      sampledAt: Date.now(),
    };
  }
}

port.on('message', (m: ToSlot) => {
  switch (m.type) {
    case 'deploy':
      void deploy(m);
      return;
    case 'cancel':
      if (current !== null && current.jobId === m.jobId && current.attempt === m.attempt)
        current.controller.abort();
      return;
    case 'trigger-checkpoint': {
      const dep = deploymentOf(m.jobId, m.attempt);
      // Sources inject the barrier; a subtask whose input ended snapshots directly (its final checkpoint).
      for (const h of dep?.tasks ?? []) h.task.triggerCheckpoint(m.checkpointId, m.timestamp);
      return;
    }
    case 'checkpoint-complete': {
      const dep = deploymentOf(m.jobId, m.attempt);
      if (dep === null) return;
      // Every subtask hears it between two elements; the answer says when their commits settled (a stop with
      // savepoint waits for it). A commit that fails fails its subtask too.
      void Promise.all(dep.tasks.map((h) => h.task.notifyCheckpointComplete(m.checkpointId))).then(
        () => send({ type: 'checkpoint-committed', jobId: m.jobId, attempt: m.attempt, checkpointId: m.checkpointId }),
        (e: unknown) =>
          send({
            type: 'checkpoint-committed',
            jobId: m.jobId,
            attempt: m.attempt,
            checkpointId: m.checkpointId,
            error: serializeError(e),
          }),
      );
      return;
    }
    case 'ping':
      send({
        type: 'pong',
        seq: m.seq,
        jobId: current?.jobId ?? null,
        attempt: current?.attempt ?? -1,
        reports: reports(),
      });
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown slot message ${String(never)}`);
    }
  }
});

send({ type: 'ready', threadId });
