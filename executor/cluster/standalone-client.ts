// A client of a standalone cluster (`freshet --cluster host:port`, `TableEnvironment.create({ cluster })`): submits a
// job through the JobManager's REST API (POST /v1/jobs), then opens one connection to its RPC port for the job's
// end and, for a query, its rows. The JobManager relays the rows from the slot running the collect sink; this side
// grants credits as its sink takes them (one per batch), so a slow reader slows the job down across the cluster.
import type { RecordBatch } from '../batch/batch.js';
import { CancelledError } from '../runtime/errors.js';
import type { SinkWriter } from '../runtime/operator.js';
import { Schema, type Field } from '../types/schema.js';
import { RestClusterClient } from './client.js';
import { decodeElement } from './frame.js';
import { DEFAULT_SLOT_EXECUTION, type JobSpec, type SerializedError } from './protocol.js';
import { FRAME, FramedConnection, parseAddress } from './tcp-transport.js';

export interface StandaloneRunOptions {
  readonly resultSink: SinkWriter | null;
  readonly signal: AbortSignal;
  /** The job id to use (the client's TableResult id). */
  readonly jobId?: string;
}

export class StandaloneClusterClient {
  readonly rest: RestClusterClient;
  private readonly host: string;

  /** `address`: the JobManager's REST address, host:port (what `--cluster` names). */
  constructor(
    readonly address: string,
    private readonly token?: string,
  ) {
    const { host, port } = parseAddress('--cluster', address);
    this.host = host;
    const h = host.includes(':') ? `[${host}]` : host;
    this.rest = new RestClusterClient(`http://${h}:${port}/`, token === undefined ? {} : { token });
  }

  /** Runs a job on the cluster; resolves when it finished, rejects when it failed (CancelledError when cancelled). */
  async run(spec: JobSpec, opts: StandaloneRunOptions): Promise<void> {
    const sink = opts.resultSink;
    const submitted = await this.rest.submitJob({
      spec,
      collect: sink !== null,
      ...(opts.jobId === undefined ? {} : { jobId: opts.jobId }),
    });
    const jid = submitted.jobid;
    const onAbort = (): void => void this.rest.cancel(jid).catch(() => undefined);
    if (opts.signal.aborted) onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.follow(jid, submitted['rpc-port'], sink);
    } finally {
      opts.signal.removeEventListener('abort', onAbort);
      await sink?.close().catch(() => undefined);
    }
  }

  private follow(jid: string, rpcPort: number, sink: SinkWriter | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const conn = FramedConnection.connect(this.host, rpcPort, {
        t: 'hello',
        role: 'client',
        jobId: jid,
        ...(this.token === undefined ? {} : { token: this.token }),
      });
      let schema: Schema | null = null;
      // Rows, watermarks and the end are handled strictly in arrival order, each after the sink took the last.
      let chain: Promise<void> = Promise.resolve();
      let failure: unknown = null;
      let ended = false;
      const step = (f: () => void | Promise<void>): void => {
        chain = chain.then(async () => {
          if (failure !== null) return;
          try {
            await f();
          } catch (e) {
            failure = e;
            // The client's sink failed (e.g. the reader gave up): the job has no one to deliver to.
            void this.rest.cancel(jid).catch(() => undefined);
          }
        });
      };
      const credit = (n: number): void => {
        const b = Buffer.allocUnsafe(4);
        b.writeUInt32LE(n, 0);
        conn.send(FRAME.CREDIT, 1, b);
      };
      conn.register(1, (type, payload) => {
        if (type !== FRAME.DATA || sink === null || schema === null) return;
        const ab = new ArrayBuffer(payload.byteLength);
        new Uint8Array(ab).set(payload);
        const s = schema;
        step(async () => {
          const el = decodeElement(ab, s);
          if (el.kind === 'batch') await sink.write(el.batch as RecordBatch);
          credit(1);
        });
      });
      conn.onControl = (m) => {
        switch (m['t']) {
          case 'schema':
            schema = new Schema(m['fields'] as Field[]);
            credit(DEFAULT_SLOT_EXECUTION.credits);
            return;
          case 'watermark':
            step(() => sink?.writeWatermark?.(m['timestamp'] as number));
            return;
          case 'finish':
            step(() => sink?.finish());
            return;
          case 'rejected':
            ended = true;
            conn.destroy();
            reject(new Error(`the JobManager refused the connection: ${String(m['reason'])}`));
            return;
          case 'job-end': {
            ended = true;
            const ok = m['ok'] === true;
            const err = m['error'] as SerializedError | undefined;
            void chain.then(() => {
              conn.close();
              if (failure !== null) reject(failure);
              else if (ok) resolve();
              else reject(errorOf(err));
            });
            return;
          }
          default:
            return;
        }
      };
      conn.onClose(() => {
        if (!ended)
          reject(new Error(`lost the connection to the JobManager at ${this.host}:${rpcPort} (job ${jid})`));
      });
    });
  }
}

function errorOf(e: SerializedError | undefined): Error {
  if (e === undefined) return new Error('job failed');
  if (e.name === 'CancelledError') return new CancelledError();
  const err = new Error(e.message);
  err.name = e.name;
  err.stack = e.stack;
  return err;
}
