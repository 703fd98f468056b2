// One parallel instance of a JobVertex: the operator chain of the vertex driven by a mailbox loop (Flink's
// StreamTask + MailboxProcessor). Mails (timers, buffer flushes, control) run between elements, so operators are
// never re-entered and need no locks. Input is taken only while every output channel has room (backpressure)
// and no asynchronous sink write is outstanding. The loop only depends on the ChannelReader/ChannelWriter and
// ProcessingTimeService interfaces, so a worker-thread executor can run the same class inside each slot.
import { MAX_WATERMARK, type RecordBatch, type StreamElement } from '../batch/batch.js';
import type { ChannelReader, ChannelWriter } from './channel.js';
import type { Output, OperatorContext, OperatorMetrics, SourceReader, StreamOperator } from './operator.js';
import type { Partitioner } from './partitioner.js';
import { CancelledError } from './errors.js';
import { RecordWriter } from './record-writer.js';
import type { Cancellable, ProcessingTimeService } from './time.js';
import { WatermarkValve, type ValveOutput } from './watermark-valve.js';

export type SubtaskState = 'created' | 'running' | 'finished' | 'failed' | 'canceled';

/** What an executor needs from a subtask, wherever it runs. */
export interface Subtask {
  readonly name: string;
  readonly state: SubtaskState;
  run(): Promise<void>;
  cancel(): void;
}

export interface SubtaskInput {
  readonly reader: ChannelReader;
  /** Which input of a two-input head operator the channel feeds (0 otherwise). */
  readonly inputIndex: number;
}

export interface SubtaskOutput {
  readonly partitioner: Partitioner;
  readonly channels: readonly ChannelWriter[];
  readonly consumerParallelism: number;
  readonly sideOutputTag: string | null;
}

/** One piece of a subtask's snapshot: the source's positions ('source') or chain operator i's state ('op-i'). */
export interface SubtaskStateEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

/** The state of a subtask that had finished when the checkpoint was taken: restoring it means "stay finished". */
export const FINISHED_MARKER: SubtaskStateEntry = { name: 'finished', data: new Uint8Array(0) };

/**
 * How a subtask takes part in checkpoints (Flink's SubtaskCheckpointCoordinator, reduced): on barrier n it
 * snapshots its source position and operator state, acknowledges with the bytes, then forwards the barrier.
 */
export interface SubtaskCheckpointing {
  /** EXACTLY_ONCE aligns barriers (a channel that delivered barrier n is not read until all have). */
  readonly mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  acknowledge(checkpointId: number, state: readonly SubtaskStateEntry[], alignmentMs: number): void;
  decline(checkpointId: number, reason: string): void;
  /** State to start from (a restore): applied after setup, before open, as Flink's initializeState. */
  readonly restored?: ReadonlyMap<string, Uint8Array>;
  /**
   * execution.checkpointing.checkpoints-after-tasks-finish with periodic checkpoints (FLIP-147): once its input
   * ended and its operators finished, the subtask takes part in one more checkpoint and ends only after that
   * checkpoint completed, so two-phase sinks commit their last transaction in notifyCheckpointComplete.
   */
  readonly finalCheckpoint?: boolean;
  /** The input ended and the subtask now waits for its final checkpoint (the coordinator triggers one soon). */
  inputEnded?(): void;
}

export interface SubtaskSpec {
  readonly name: string;
  readonly index: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The source of a source vertex; null for vertices fed by channels. */
  readonly source: SourceReader | null;
  /** The chain, head first (after the source, for a source vertex). */
  readonly operators: readonly StreamOperator[];
  readonly inputs: readonly SubtaskInput[];
  readonly outputs: readonly SubtaskOutput[];
  readonly clock: ProcessingTimeService;
  readonly batchSize: number;
  readonly bufferTimeout: number;
  readonly autoWatermarkInterval: number;
  readonly signal: AbortSignal;
  /** Absent: barriers are forwarded without snapshots (checkpointing off). */
  readonly checkpointing?: SubtaskCheckpointing;
}

class Metrics implements OperatorMetrics {
  private readonly values = new Map<string, number>();
  private readonly gauges = new Map<string, number>();
  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }
  get(name: string): number {
    return this.values.get(name) ?? 0;
  }
  /** A gauge (currentInputWatermark, ...): the latest value, kept apart so that summing counters skips it. */
  set(name: string, value: number): void {
    this.gauges.set(name, value);
  }
  gauge(name: string): number | undefined {
    return this.gauges.get(name);
  }
  /** Counters only. */
  entries(): [string, number][] {
    return [...this.values];
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class LocalSubtask implements Subtask {
  readonly name: string;
  state: SubtaskState = 'created';
  readonly metrics = new Metrics();
  /** Wall-clock ms when `run` started and ended (0 = not yet): busy time is the part neither idle nor backpressured. */
  startedAt = 0;
  endedAt = 0;

  private readonly mail: Array<() => void> = [];
  private wakeFn: (() => void) | null = null;
  private notified = false;
  private cancelled = false;
  private done = false;

  private readonly writers: RecordWriter[] = [];
  private readonly tail: Output;
  private readonly head: {
    batch(b: RecordBatch, input: number): void;
    watermark(ts: number): void;
    status(idle: boolean): void;
  };
  private readonly valve: WatermarkValve;
  private readonly ended: Uint8Array;
  private endedCount = 0;
  private nextInput = 0;
  private readonly barriers = new Map<number, number>();
  /** Exactly-once alignment: channels that delivered the barrier being aligned are not read until it completes. */
  private readonly blocked: Uint8Array;
  private aligning: { id: number; timestamp: number; since: number } | null = null;
  private flushTimer: Cancellable | null = null;
  private sourceWatermark = Number.NEGATIVE_INFINITY;

  private restoredFinished = false;
  /** Final-checkpoint mode: the input ended and operators finished; the subtask waits for its final checkpoint. */
  private waitingForFinal = false;
  /** The first checkpoint acknowledged after the input ended: its completion ends the subtask. */
  private finalCheckpointId: number | null = null;
  /** The last checkpoint this subtask snapshotted (a trigger for it or an older one is stale). */
  private lastSnapshotId = 0;
  /**
   * Checkpoints triggered while a non-source subtask still had input: normally their barriers arrive through the
   * channels, but when every upstream task ended before forwarding one, the subtask takes it directly once its
   * input ended (Flink triggers such tasks, whose predecessors all finished, from the coordinator).
   */
  private triggered: { id: number; timestamp: number } | null = null;
  private sourceIter: AsyncIterator<StreamElement> | null = null;
  private sourceNext: Promise<IteratorResult<StreamElement>> | null = null;
  private sourceResult: IteratorResult<StreamElement> | null = null;
  private sourceError: { error: unknown } | null = null;

  constructor(private readonly spec: SubtaskSpec) {
    this.name = `${spec.name} (${spec.index + 1}/${spec.parallelism})`;
    for (const o of spec.outputs) {
      for (const ch of o.channels) ch.onWritable(() => this.wake());
      this.writers.push(
        new RecordWriter(
          o.partitioner,
          o.channels,
          o.consumerParallelism,
          {
            batchSize: spec.batchSize,
            bufferTimeout: spec.bufferTimeout,
            maxParallelism: spec.maxParallelism,
            onPending: () => this.armFlush(),
          },
          spec.index,
        ),
      );
    }
    for (const i of spec.inputs) i.reader.onData(() => this.wake());
    this.valve = new WatermarkValve(spec.inputs.length);
    this.ended = new Uint8Array(spec.inputs.length);
    this.blocked = new Uint8Array(spec.inputs.length);
    this.tail = this.tailOutput();
    this.head = this.wireChain();
    if (spec.signal.aborted) this.cancelled = true;
    else spec.signal.addEventListener('abort', () => this.cancel(), { once: true });
  }

  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  /** Runs `fn` on the subtask's thread between two elements. */
  enqueueMail(fn: () => void): void {
    this.mail.push(fn);
    this.wake();
  }

  /** Mail that runs even while a barrier is being prepared (the snapshot that completes it). */
  private readonly urgentMail: Array<() => void> = [];
  private enqueueUrgentMail(fn: () => void): void {
    this.urgentMail.push(fn);
    this.wake();
  }

  async run(): Promise<void> {
    this.state = 'running';
    this.startedAt = Date.now();
    const ctxClock = this.operatorClock();
    const ctx: OperatorContext = {
      taskName: this.name,
      subtaskIndex: this.spec.index,
      parallelism: this.spec.parallelism,
      maxParallelism: this.spec.maxParallelism,
      processingTime: ctxClock,
      metrics: this.metrics,
      autoWatermarkInterval: this.spec.autoWatermarkInterval,
      checkpointingEnabled: this.spec.checkpointing !== undefined,
      finalCheckpoint: this.spec.checkpointing?.finalCheckpoint === true,
    };
    try {
      for (const op of this.spec.operators) op.setup?.(ctx);
      this.restoreState();
      // Open back to front so that an operator emitting from `open` finds its downstream ready.
      for (let i = this.spec.operators.length - 1; i >= 0; i--)
        this.spec.operators[i]?.open(this.outputOf(i));
      await this.loop();
      // Asynchronous sinks may still be writing (or finishing) after the last element.
      for (let p = this.pendingWork(); p !== null; p = this.pendingWork()) await p;
      this.state = 'finished';
    } catch (e) {
      this.state = this.cancelled ? 'canceled' : 'failed';
      throw e;
    } finally {
      this.endedAt = Date.now();
      this.flushTimer?.cancel();
      for (const op of this.spec.operators) op.close();
      if (this.spec.source !== null) {
        // return() on an async generator waits for a pending next(); a reader that ignores the abort signal
        // must not keep a cancelled job from ending, so it is only awaited when no read is outstanding.
        const ret = this.sourceIter?.return?.();
        if (this.sourceNext === null) await ret;
        else ret?.catch(() => undefined);
        await this.spec.source.close();
      }
    }
  }

  private outputs: Output[] = [];
  private outputOf(i: number): Output {
    return this.outputs[i] as Output;
  }

  private async loop(): Promise<void> {
    let slice = Date.now();
    let steps = 0;
    // A consumer that no producer sends to (the idle subtasks behind a global partitioner) ends at once.
    if (this.spec.source === null && this.spec.inputs.length === 0) this.endOfInput();
    while (!this.done) {
      if (this.cancelled) throw new CancelledError();
      if (this.urgentMail.length > 0) {
        (this.urgentMail.shift() as () => void)();
        continue;
      }
      // While operators prepare a barrier (a sink flushing), nothing else runs: no element, no timer, no new
      // checkpoint, so nothing reaches the sink between its flush and its snapshot.
      if (this.mail.length > 0 && this.preBarrier === null) {
        (this.mail.shift() as () => void)();
        continue;
      }
      const busy = this.pendingWork();
      if (busy !== null) {
        // Wait for the sink, but stay cancellable: a wake (cancel, mail) ends the wait too. Whatever woke the
        // loop is re-checked at the top, so dropping the stale waiter loses nothing.
        await Promise.race([busy, this.waitWake()]);
        this.wakeFn = null;
        continue;
      }
      if (!this.outputsWritable()) {
        // Flink's backPressuredTimeMsPerSecond: time blocked on a full output (the dashboard's backpressure).
        const t0 = performance.now();
        await this.waitWake();
        this.metrics.inc('backPressuredTimeMs', performance.now() - t0);
        continue;
      }
      const progressed = this.waitingForFinal
        ? false
        : this.spec.source !== null
          ? this.stepSource()
          : this.stepInput();
      if (!progressed) {
        // Flink's idleTimeMsPerSecond: time waiting for input; busy time is the rest of the wall time.
        const t0 = performance.now();
        await this.waitWake();
        this.metrics.inc('idleTimeMs', performance.now() - t0);
        continue;
      }
      // All subtasks share one thread here: give timers and the other subtasks a turn every few milliseconds.
      if ((++steps & 15) === 0 && Date.now() - slice > 4) {
        await yieldToEventLoop();
        slice = Date.now();
      }
    }
  }

  private pendingWork(): Promise<void> | null {
    if (this.preBarrier !== null) return this.preBarrier;
    for (const op of this.spec.operators) {
      const p = op.pendingWork?.();
      if (p !== undefined && p !== null) return p;
    }
    return null;
  }

  private outputsWritable(): boolean {
    for (const w of this.writers) if (!w.writable()) return false;
    return true;
  }

  private wake(): void {
    const w = this.wakeFn;
    if (w !== null) {
      this.wakeFn = null;
      w();
    } else this.notified = true;
  }

  private waitWake(): Promise<void> {
    if (this.notified) {
      this.notified = false;
      return Promise.resolve();
    }
    return new Promise((r) => (this.wakeFn = r));
  }

  private stepSource(): boolean {
    const source = this.spec.source as SourceReader;
    if (this.restoredFinished) {
      this.endOfSource();
      return true;
    }
    if (this.sourceError !== null) throw this.sourceError.error;
    if (this.sourceResult === null) {
      if (this.sourceNext === null) {
        this.sourceIter ??= source.read(this.spec.signal)[Symbol.asyncIterator]();
        const next = this.sourceIter.next();
        this.sourceNext = next;
        next.then(
          (r) => {
            this.sourceResult = r;
            this.wake();
          },
          (e: unknown) => {
            this.sourceError = { error: e };
            this.wake();
          },
        );
      }
      return false;
    }
    const r = this.sourceResult;
    this.sourceResult = null;
    this.sourceNext = null;
    if (r.done === true) {
      this.endOfSource();
      return true;
    }
    const el = r.value;
    switch (el.kind) {
      case 'batch':
        this.metrics.inc('numRecordsIn', el.batch.length);
        this.head.batch(el.batch, 0);
        break;
      case 'watermark':
        // Sources emit a watermark only when it grows (Flink's rule for every watermark generator).
        if (el.timestamp > this.sourceWatermark) {
          this.sourceWatermark = el.timestamp;
          this.metrics.set('currentInputWatermark', el.timestamp);
          this.head.watermark(el.timestamp);
        }
        break;
      case 'idle':
        this.head.status(el.idle);
        break;
      case 'barrier':
        this.checkpoint(el.checkpointId, el.timestamp, 0);
        break;
      case 'end':
        this.endOfSource();
        break;
      default: {
        const never: never = el;
        throw new Error(`unknown stream element ${String(never)}`);
      }
    }
    return true;
  }

  private endOfSource(): void {
    if (this.sourceWatermark < MAX_WATERMARK) {
      this.sourceWatermark = MAX_WATERMARK;
      this.head.watermark(MAX_WATERMARK);
    }
    this.endOfInput();
  }

  private stepInput(): boolean {
    const inputs = this.spec.inputs;
    const n = inputs.length;
    for (let k = 0; k < n; k++) {
      const c = (this.nextInput + k) % n;
      if (this.ended[c] === 1 || this.blocked[c] === 1) continue;
      const input = inputs[c] as SubtaskInput;
      const el = input.reader.poll();
      if (el === undefined) continue;
      this.nextInput = (c + 1) % n;
      this.handleInput(c, input.inputIndex, el);
      return true;
    }
    return false;
  }

  private handleInput(ch: number, inputIndex: number, el: StreamElement): void {
    switch (el.kind) {
      case 'batch':
        this.metrics.inc('numRecordsIn', el.batch.length);
        this.head.batch(el.batch, inputIndex);
        return;
      case 'watermark':
        this.applyValve(this.valve.onWatermark(ch, el.timestamp));
        return;
      case 'idle':
        for (const o of this.valve.onStatus(ch, el.idle)) this.applyValve(o);
        return;
      case 'barrier':
        this.onBarrier(ch, el.checkpointId, el.timestamp);
        return;
      case 'end':
        this.ended[ch] = 1;
        this.endedCount++;
        this.applyValve(this.valve.onEnd(ch));
        // An input that ends during an alignment no longer owes its barrier.
        if (this.aligning !== null) this.maybeCompleteAlignment();
        if (this.barriers.size > 0) this.completeUnalignedBarriers();
        if (this.endedCount === this.spec.inputs.length) {
          // A snapshot being prepared (a sink flushing for it) is taken before `finish` emits anything more:
          // what finish emits comes after the barrier. Regular mail waits for the snapshot.
          if (this.preBarrier !== null) this.enqueueMail(() => this.endOfInput());
          else this.endOfInput();
        }
        return;
      default: {
        const never: never = el;
        throw new Error(`unknown stream element ${String(never)}`);
      }
    }
  }

  /**
   * Injects barrier `checkpointId` at this source subtask (called by the coordinator's side, any time): it runs
   * as mail between two elements, after delivering an element the reader already produced, so that the position
   * snapshot covers exactly the elements before the barrier.
   */
  triggerCheckpoint(checkpointId: number, timestamp: number): void {
    this.enqueueMail(() => {
      if (this.done) {
        // A finished task has no state left: it acknowledges with the finished marker (Flink's FLIP-147).
        this.spec.checkpointing?.acknowledge(checkpointId, [FINISHED_MARKER], 0);
        return;
      }
      if (checkpointId <= this.lastSnapshotId) return;
      if (this.spec.source === null && !this.waitingForFinal) {
        // Its barrier comes through the inputs; kept in case every input ends first (see `triggered`).
        // Only the newest matters: an older one is subsumed once it completes.
        if (this.triggered === null || checkpointId > this.triggered.id)
          this.triggered = { id: checkpointId, timestamp };
        return;
      }
      if (this.sourceResult !== null && !this.waitingForFinal) {
        this.stepSource();
        if (this.done) {
          this.spec.checkpointing?.acknowledge(checkpointId, [FINISHED_MARKER], 0);
          return;
        }
      }
      this.checkpoint(checkpointId, timestamp, 0);
    });
  }

  /**
   * Checkpoint `checkpointId` completed: operators learn it between two elements (two-phase sinks commit).
   * Resolves once they have and what they started (a commit) settled; at once for a subtask that ended.
   */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (this.done || this.state !== 'running') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.enqueueMail(() => {
        for (const op of this.spec.operators) op.notifyCheckpointComplete?.(checkpointId);
        // The final checkpoint completed: the subtask ends once what the operators started (commits) settled.
        if (this.finalCheckpointId !== null && checkpointId >= this.finalCheckpointId) this.done = true;
        (this.pendingWork() ?? Promise.resolve()).then(resolve, reject);
      });
    });
  }

  private onBarrier(ch: number, checkpointId: number, timestamp: number): void {
    if (this.spec.checkpointing?.mode !== 'AT_LEAST_ONCE') {
      // Exactly-once: block this channel until every live channel has delivered the barrier (alignment).
      if (this.aligning !== null && this.aligning.id !== checkpointId) {
        if (checkpointId < this.aligning.id) return; // a barrier of a checkpoint already subsumed
        // A newer barrier overtook the one being aligned: that checkpoint cannot complete here (Flink aborts it).
        this.spec.checkpointing?.decline(
          this.aligning.id,
          `barrier ${checkpointId} arrived before ${this.aligning.id} was aligned`,
        );
        this.blocked.fill(0);
        this.aligning = null;
      }
      this.aligning ??= { id: checkpointId, timestamp, since: performance.now() };
      this.blocked[ch] = 1;
      this.maybeCompleteAlignment();
      return;
    }
    // At-least-once: nothing is blocked; the snapshot is taken when the last barrier arrives.
    const seen = (this.barriers.get(checkpointId) ?? 0) + 1;
    if (seen >= this.spec.inputs.length - this.endedCount) {
      this.barriers.delete(checkpointId);
      this.checkpoint(checkpointId, timestamp, 0);
    } else this.barriers.set(checkpointId, seen);
  }

  /** At-least-once: an ended input owes no barrier, so checkpoints now seen on every live input are taken. */
  private completeUnalignedBarriers(): void {
    const live = this.spec.inputs.length - this.endedCount;
    for (const [id, seen] of [...this.barriers].sort((a, b) => a[0] - b[0])) {
      if (seen >= live) {
        this.barriers.delete(id);
        this.checkpoint(id, 0, 0);
      }
    }
  }

  private maybeCompleteAlignment(): void {
    const a = this.aligning;
    if (a === null) return;
    for (let c = 0; c < this.blocked.length; c++) if (this.blocked[c] === 0 && this.ended[c] === 0) return;
    this.aligning = null;
    this.blocked.fill(0);
    this.checkpoint(a.id, a.timestamp, performance.now() - a.since);
    this.wake();
  }

  /** A snapshot waiting for operators' pre-barrier work (a sink's flush); no input is taken meanwhile. */
  private preBarrier: Promise<void> | null = null;

  /**
   * Takes checkpoint `checkpointId`: first each operator's pre-barrier work (awaited as pending work, so no
   * element overtakes the barrier), then the snapshot.
   */
  private checkpoint(checkpointId: number, timestamp: number, alignmentMs: number): void {
    const waits: Promise<void>[] = [];
    if (this.spec.checkpointing !== undefined) {
      for (const op of this.spec.operators) {
        const w = op.prepareSnapshotPreBarrier?.(checkpointId);
        if (w !== undefined && w !== null) waits.push(w);
      }
    }
    if (waits.length === 0) {
      this.snapshotAndForward(checkpointId, timestamp, alignmentMs);
      return;
    }
    // Only one barrier is prepared at a time (mail and input wait while a gate is pending), so a gate never
    // overlaps another; the snapshot runs as urgent mail, before anything else the loop would take.
    const gate: Promise<void> = Promise.all(waits).then(
      () => {
        this.enqueueUrgentMail(() => {
          if (this.preBarrier === gate) this.preBarrier = null;
          this.snapshotAndForward(checkpointId, timestamp, alignmentMs);
        });
      },
      (e: unknown) => {
        this.enqueueUrgentMail(() => {
          if (this.preBarrier === gate) this.preBarrier = null;
          throw e;
        });
      },
    );
    this.preBarrier = gate;
  }

  /** Snapshot (source position, then every chain operator), acknowledge, forward the barrier downstream. */
  private snapshotAndForward(checkpointId: number, timestamp: number, alignmentMs: number): void {
    const cp = this.spec.checkpointing;
    this.lastSnapshotId = Math.max(this.lastSnapshotId, checkpointId);
    // After the end of input the channels carry nothing more (their consumers were sent 'end'): no barrier.
    const forward = !this.waitingForFinal;
    if (cp !== undefined && this.restoredFinished) {
      // Restored as finished, its operators were never restored: the state to keep is still "finished", not the
      // fresh state they started with (a source at position 0 would replay everything on the next restore).
      cp.acknowledge(checkpointId, [FINISHED_MARKER], alignmentMs);
    } else if (cp !== undefined) {
      const state: SubtaskStateEntry[] = [];
      const source = this.spec.source;
      if (source !== null && source.snapshotState === undefined) {
        // Without its position a restore would read the source again from the start: refuse the checkpoint.
        cp.decline(checkpointId, `source ${this.name} cannot checkpoint its read position`);
        if (forward)
          for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp });
        return;
      }
      try {
        const pos = source?.snapshotState?.();
        if (pos !== undefined) state.push({ name: 'source', data: pos });
        this.spec.operators.forEach((op, i) => {
          const bytes = op.snapshotState?.(checkpointId);
          if (bytes !== undefined) state.push({ name: `op-${i}`, data: bytes });
        });
      } catch (e) {
        cp.decline(checkpointId, `snapshot of ${this.name} failed: ${(e as Error).message}`);
        if (forward)
          for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp });
        return;
      }
      if (this.waitingForFinal) this.finalCheckpointId ??= checkpointId;
      cp.acknowledge(checkpointId, state, alignmentMs);
    }
    this.metrics.inc('numCheckpointBarriers');
    if (forward) for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp });
  }

  private restoreState(): void {
    const restored = this.spec.checkpointing?.restored;
    if (restored === undefined) return;
    if (restored.has(FINISHED_MARKER.name)) {
      // It had finished when the checkpoint was taken: everything it emitted is in its consumers' state.
      this.restoredFinished = true;
      return;
    }
    const pos = restored.get('source');
    if (pos !== undefined) {
      if (this.spec.source?.restoreState === undefined) {
        throw new Error(
          `${this.name}: the checkpoint has a source position but this source cannot restore one`,
        );
      }
      this.spec.source.restoreState(pos);
    }
    this.spec.operators.forEach((op, i) => {
      const bytes = restored.get(`op-${i}`);
      if (bytes === undefined) return;
      if (op.restoreState === undefined)
        throw new Error(
          `${this.name}: operator ${op.name} has state in the checkpoint but cannot restore it`,
        );
      op.restoreState(bytes);
    });
  }

  private applyValve(o: ValveOutput): void {
    switch (o.kind) {
      case 'none':
        return;
      case 'watermark':
        this.metrics.set('currentInputWatermark', o.timestamp);
        this.head.watermark(o.timestamp);
        return;
      case 'status':
        this.head.status(o.idle);
        return;
      default: {
        const never: never = o;
        throw new Error(`unknown valve output ${String(never)}`);
      }
    }
  }

  /** Finish operators head to tail (each may still emit into the ones after it), then end every channel. */
  private endOfInput(): void {
    for (const op of this.spec.operators) op.finish();
    for (const w of this.writers) w.broadcastEvent({ kind: 'end' });
    const cp = this.spec.checkpointing;
    // A subtask restored as finished has nothing to commit: it ends at once (Flink's finished-on-restore tasks).
    if (cp?.finalCheckpoint !== true || this.restoredFinished) {
      this.done = true;
      return;
    }
    // FLIP-147: stay alive for one more checkpoint (StreamTask waits for the final checkpoint after endData).
    this.waitingForFinal = true;
    cp.inputEnded?.();
    const t = this.triggered;
    this.triggered = null;
    if (t !== null && t.id > this.lastSnapshotId) this.checkpoint(t.id, t.timestamp, 0);
  }

  private armFlush(): void {
    if (this.flushTimer !== null || this.spec.bufferTimeout < 0) return;
    const clock = this.spec.clock;
    this.flushTimer = clock.schedule(clock.now() + this.spec.bufferTimeout, () =>
      this.enqueueMail(() => {
        this.flushTimer = null;
        for (const w of this.writers) w.flushAll();
      }),
    );
  }

  private operatorClock(): ProcessingTimeService {
    const clock = this.spec.clock;
    return {
      now: () => clock.now(),
      schedule: (time, cb) => clock.schedule(time, (t) => this.enqueueMail(() => cb(t))),
    };
  }

  private tailOutput(): Output {
    const main = this.writers.filter((_, i) => this.spec.outputs[i]?.sideOutputTag === null);
    const side = new Map<string, RecordWriter[]>();
    this.spec.outputs.forEach((o, i) => {
      if (o.sideOutputTag === null) return;
      const list = side.get(o.sideOutputTag) ?? [];
      list.push(this.writers[i] as RecordWriter);
      side.set(o.sideOutputTag, list);
    });
    const all = this.writers;
    const metrics = this.metrics;
    return {
      emitBatch(batch: RecordBatch): void {
        metrics.inc('numRecordsOut', batch.length);
        for (const w of main) w.emit(batch);
      },
      emitSideOutput(tag: string, batch: RecordBatch): void {
        const ws = side.get(tag);
        if (ws !== undefined) for (const w of ws) w.emit(batch);
      },
      emitWatermark(timestamp: number): void {
        metrics.inc('watermarks');
        metrics.set('currentOutputWatermark', timestamp);
        for (const w of all) w.broadcastEvent({ kind: 'watermark', timestamp });
      },
      emitWatermarkStatus(idle: boolean): void {
        for (const w of all) w.broadcastEvent({ kind: 'idle', idle });
      },
    };
  }

  /** Builds each operator's Output (the next operator, or the tail output) and the entry point of the chain. */
  private wireChain(): LocalSubtask['head'] {
    const ops = this.spec.operators;
    const outs: Output[] = new Array<Output>(ops.length);
    let next: Output = this.tail;
    for (let i = ops.length - 1; i >= 0; i--) {
      outs[i] = next;
      const op = ops[i] as StreamOperator;
      const after = next;
      next = {
        emitBatch: (b) => op.processBatch(b, 0),
        emitWatermark: (ts) => op.processWatermark(ts),
        // Edges carrying side outputs never chain (job-graph.ts), so a chained operator's side output has no reader.
        emitSideOutput: () => {},
        emitWatermarkStatus: (idle) =>
          op.processWatermarkStatus !== undefined
            ? op.processWatermarkStatus(idle)
            : after.emitWatermarkStatus(idle),
      };
    }
    this.outputs = outs;
    const first = ops[0];
    const entry = next;
    return {
      batch: first !== undefined ? (b, input) => first.processBatch(b, input) : (b) => entry.emitBatch(b),
      watermark: (ts) => entry.emitWatermark(ts),
      status: (idle) => entry.emitWatermarkStatus(idle),
    };
  }
}
