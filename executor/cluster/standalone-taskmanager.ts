// `freshet taskmanager`: a TaskManager process of a standalone cluster (Flink's TaskManagerRunner). Its slots are
// worker threads exactly as in the MiniCluster (task-manager.ts, slot-worker.ts); what changes is who talks to
// them. The JobManager process reaches this process over one TCP connection (register, heartbeats, deploy, cancel,
// task states), and the channels of a job between slots of different processes are TCP connections between the
// TaskManagers: the consumer's TaskManager connects to the producer's data port and asks for the channel (Flink's
// PartitionRequest); each slot still holds a MessagePort whose other end this main thread bridges to the socket.
import { createServer, type Server } from 'node:net';
import { MessageChannel, type MessagePort, type TransferListItem } from 'node:worker_threads';
import type { FromSlot, ToSlot } from './protocol.js';
import { isLoopback } from './rest.js';
import type { ChannelDescriptor } from './standalone-jobmanager.js';
import { TaskManager, type Slot } from './task-manager.js';
import {
  bridgePort,
  FramedConnection,
  parseAddress,
  portableModuleUrl,
  tokenMatches,
  type Hello,
} from './tcp-transport.js';

export interface StandaloneTaskManagerOptions {
  /** The JobManager's RPC address, host:port. */
  readonly jobmanager: string;
  /** taskmanager.numberOfTaskSlots. */
  readonly slots: number;
  /** Address of this TaskManager's data port (default 127.0.0.1); anything but loopback requires `token`. */
  readonly bind?: string;
  /** Data port (taskmanager.data.port; 0 = any free port, the default). */
  readonly dataPort?: number;
  readonly token?: string;
  /** Where diagnostics go (the CLI passes stderr). */
  readonly log?: (line: string) => void;
}

/** Refused by the JobManager (wrong or missing token): retrying cannot help. */
export class RegistrationRejected extends Error {
  constructor(reason: string) {
    super(`the JobManager refused this TaskManager: ${reason}`);
    this.name = 'RegistrationRejected';
  }
}

const RECONNECT_MS = 1000;

export class StandaloneTaskManager {
  private jm: FramedConnection | null = null;
  /** The id the JobManager gave this process at its latest registration. */
  id = '';
  private readonly dataConns = new Map<string, FramedConnection>();
  /** Producer ends waiting for their consumer's request, and requests waiting for their producer's deploy. */
  private readonly producers = new Map<string, MessagePort>();
  private readonly requests = new Map<string, { conn: FramedConnection; id: number }>();
  /** Channels between two slots of this process: the first deploy creates the pair, the second takes its end. */
  private readonly localPairs = new Map<string, MessageChannel>();
  private stopped = false;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly opts: StandaloneTaskManagerOptions,
    private readonly tm: TaskManager,
    private readonly data: Server,
    readonly dataHost: string,
  ) {
    this.log = opts.log ?? (() => undefined);
  }

  static async start(opts: StandaloneTaskManagerOptions): Promise<StandaloneTaskManager> {
    const bind = opts.bind ?? '127.0.0.1';
    if (!isLoopback(bind) && (opts.token === undefined || opts.token === ''))
      throw new Error(`--bind ${bind} is not a loopback address: a shared --token is required`);
    parseAddress('--jobmanager', opts.jobmanager);
    let self: StandaloneTaskManager | null = null;
    const tm = new TaskManager('taskmanager', opts.slots, (slot, m) => self?.fromSlot(slot, m));
    // Slot threads are unref'd; this process lives for its slots, so hold it open while they start.
    const keep = setInterval(() => {}, 1 << 30);
    try {
      await tm.start();
    } finally {
      clearInterval(keep);
    }
    const data = createServer((s) => self?.acceptData(new FramedConnection(s)));
    await new Promise<void>((res, rej) => {
      data.once('error', rej);
      data.listen(opts.dataPort ?? 0, bind, () => (data.off('error', rej), res()));
    });
    self = new StandaloneTaskManager(
      opts,
      tm,
      data,
      bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind,
    );
    try {
      await self.register();
    } catch (e) {
      await self.close();
      throw e;
    }
    return self;
  }

  get dataPort(): number {
    const a = this.data.address();
    return typeof a === 'object' && a !== null ? a.port : -1;
  }

  /** Registers with the JobManager's ResourceManager; resolves once registered, rejects when refused. */
  private register(): Promise<void> {
    const { host, port } = parseAddress('--jobmanager', this.opts.jobmanager);
    const hello: Hello = {
      t: 'hello',
      role: 'taskmanager',
      ...(this.opts.token === undefined ? {} : { token: this.opts.token }),
      dataHost: this.dataHost,
      dataPort: this.dataPort,
      threadIds: this.tm.slots.map((s) => s.threadId),
      hardware: this.tm.hardware(),
    };
    return new Promise<void>((resolve, reject) => {
      const conn = FramedConnection.connect(host, port, hello);
      let registered = false;
      conn.onControl = (m) => {
        if (m['t'] === 'rejected') {
          conn.destroy();
          reject(new RegistrationRejected(String(m['reason'])));
          return;
        }
        if (m['t'] === 'registered') {
          registered = true;
          this.jm = conn;
          this.id = String(m['id']);
          this.log(`registered with the JobManager at ${host}:${port} as ${this.id}`);
          conn.onControl = (c) => this.onControl(conn, c);
          resolve();
        }
      };
      conn.onClose(() => {
        if (!registered) {
          reject(new Error(`could not reach the JobManager at ${host}:${port}`));
          return;
        }
        if (this.jm === conn) this.jm = null;
        void this.lostJobManager();
      });
    });
  }

  /**
   * The JobManager connection is gone (or it declared this process lost): whatever ran is orphaned, so the slots
   * get fresh threads, and the process registers again until it succeeds (Flink's TaskExecutor reconnects too).
   */
  private async lostJobManager(): Promise<void> {
    if (this.stopped) return;
    this.log('lost the JobManager connection; restarting slots and registering again');
    await Promise.all(this.tm.slots.map((s) => s.restart().catch(() => undefined)));
    this.localPairs.clear();
    this.producers.clear();
    this.requests.clear();
    while (!this.stopped) {
      try {
        await this.register();
        return;
      } catch (e) {
        if (e instanceof RegistrationRejected) {
          this.log(e.message);
          process.exitCode = 1;
          await this.close();
          return;
        }
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    }
  }

  private fromSlot(slot: Slot, m: FromSlot): void {
    if (m.type === 'ready' || m.type === 'pong') return;
    this.jm?.control({ t: 'slot-msg', slot: slot.index, msg: m });
  }

  private onControl(conn: FramedConnection, m: Record<string, unknown>): void {
    switch (m['t']) {
      case 'hb':
        void this.tm.heartbeat().then((beats) =>
          conn.control({
            t: 'hb-ack',
            seq: m['seq'],
            beats: beats.map((b) => ({
              slot: b.slot.index,
              jobId: b.jobId,
              attempt: b.attempt,
              reports: b.reports,
            })),
          }),
        );
        return;
      case 'deploy':
        this.deploy(
          conn,
          m['slot'] as number,
          m['msg'] as Omit<Extract<ToSlot, { type: 'deploy' }>, 'ports' | 'resultPort'>,
          m['channels'] as ChannelDescriptor[],
          m['result'] as number | null,
        );
        return;
      case 'to-slot': {
        const msg = m['msg'] as ToSlot;
        if (msg.type === 'cancel') this.forget(msg.jobId, msg.attempt);
        this.tm.slots[m['slot'] as number]?.post(msg);
        return;
      }
      case 'restart-slot':
        void (this.tm.slots[m['slot'] as number]?.restart() ?? Promise.resolve())
          .catch(() => undefined)
          .then(() => conn.control({ t: 'slot-restarted', seq: m['seq'] }));
        return;
      case 'disconnect':
        this.log(`the JobManager disconnected this TaskManager: ${String(m['reason'])}`);
        conn.destroy();
        return;
      default:
        return;
    }
  }

  private deploy(
    jm: FramedConnection,
    index: number,
    msg: Omit<Extract<ToSlot, { type: 'deploy' }>, 'ports' | 'resultPort'>,
    channels: readonly ChannelDescriptor[],
    result: number | null,
  ): void {
    const slot = this.tm.slots[index];
    if (slot === undefined) return;
    const ports: Record<string, MessagePort> = {};
    const transfer: TransferListItem[] = [];
    for (const ch of channels) {
      const k = `${msg.jobId}/${msg.attempt}/${ch.key}`;
      let port: MessagePort;
      if (ch.peerTm === this.id) {
        let pair = this.localPairs.get(k);
        if (pair === undefined) this.localPairs.set(k, (pair = new MessageChannel()));
        else this.localPairs.delete(k);
        port = ch.role === 'producer' ? pair.port1 : pair.port2;
      } else {
        const { port1, port2 } = new MessageChannel();
        port = port1;
        if (ch.role === 'consumer') {
          const conn = this.dataConnection(ch.peerData);
          const id = conn.allocateId();
          conn.control({ t: 'open', id, key: k });
          bridgePort(port2, conn, id);
        } else {
          const req = this.requests.get(k);
          if (req !== undefined) {
            this.requests.delete(k);
            bridgePort(port2, req.conn, req.id);
          } else this.producers.set(k, port2);
        }
      }
      ports[ch.key] = port;
      transfer.push(port);
    }
    let resultPort: MessagePort | null = null;
    if (result !== null) {
      const { port1, port2 } = new MessageChannel();
      resultPort = port1;
      transfer.push(port1);
      bridgePort(port2, jm, result);
    }
    const spec = {
      ...msg.spec,
      builder: portableModuleUrl(msg.spec.builder),
      ...(msg.spec.preload === undefined ? {} : { preload: msg.spec.preload.map(portableModuleUrl) }),
    };
    slot.post({ ...msg, spec, ports, resultPort }, transfer);
  }

  /** Drops the unpaired channel ends of a cancelled attempt. */
  private forget(jobId: string, attempt: number): void {
    const prefix = `${jobId}/${attempt}/`;
    for (const m of [this.localPairs, this.producers, this.requests])
      for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
  }

  /** One connection per peer TaskManager for the channels this process consumes from it. */
  private dataConnection(addr: string): FramedConnection {
    const known = this.dataConns.get(addr);
    if (known !== undefined && !known.closed) return known;
    const { host, port } = parseAddress('data address', addr);
    const conn = FramedConnection.connect(host, port, {
      t: 'hello',
      role: 'data',
      ...(this.opts.token === undefined ? {} : { token: this.opts.token }),
    });
    this.dataConns.set(addr, conn);
    conn.onClose(() => {
      if (this.dataConns.get(addr) === conn) this.dataConns.delete(addr);
    });
    return conn;
  }

  private acceptData(conn: FramedConnection): void {
    conn.onControl = (m) => {
      if (m['t'] !== 'hello' || m['role'] !== 'data' || !tokenMatches(this.opts.token, m['token'])) {
        conn.control({ t: 'rejected', reason: 'Unauthorized: this TaskManager needs the shared token' });
        conn.close();
        return;
      }
      conn.onControl = (c) => {
        if (c['t'] !== 'open') return;
        const k = String(c['key']);
        const id = c['id'] as number;
        const port = this.producers.get(k);
        if (port !== undefined) {
          this.producers.delete(k);
          bridgePort(port, conn, id);
        } else this.requests.set(k, { conn, id });
      };
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    const jm = this.jm;
    this.jm = null;
    if (jm !== null) {
      jm.control({ t: 'bye' });
      jm.close();
    }
    for (const c of this.dataConns.values()) c.destroy();
    this.data.close();
    await this.tm.terminate();
  }
}
