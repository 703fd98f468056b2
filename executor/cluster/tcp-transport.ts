// The standalone cluster's wire: length-prefixed frames over a TCP socket, each tagged with a type and a channel id,
// and bridges that carry a MessagePort's messages over such a socket. A slot (worker thread) keeps talking to a
// MessagePort exactly as inside one process (remote-channel.ts: frames one way, credits the other); the
// TaskManager's main thread forwards that port's messages to the socket and back, so the credit scheme — and with it
// backpressure — runs end to end across processes: a producer sends only with credit its remote consumer granted.
//
//   frame   u32 length of what follows (LE), u8 type, u32 channel id, payload
//   CONTROL v8-serialized object (channel 0): hello, deploy, heartbeats, task states, job end
//   DATA    a stream element frame (frame.ts) as is, the bytes of `{ frame }` on a port
//   CREDIT  u32 credits, `{ credit }` on a port
//   PORTMSG any other port message, v8-serialized (query results: watermark, finish, batches)
//   CLOSE   the channel's port closed at the sender
//
// Every connection starts with a CONTROL hello naming its role; a server with a token (required when it is bound
// to anything but loopback) refuses a hello without the right one.
import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';

export const FRAME = { CONTROL: 0, DATA: 1, CREDIT: 2, PORTMSG: 3, CLOSE: 4 } as const;
const HEADER = 9;
/** A frame larger than this is a protocol error (a batch frame is a few hundred KB at most). */
const MAX_FRAME = 256 << 20;

export type Role = 'taskmanager' | 'client' | 'data';

export interface Hello {
  readonly t: 'hello';
  readonly role: Role;
  readonly token?: string;
  readonly [k: string]: unknown;
}

export type ChannelHandler = (type: number, payload: Buffer) => void;

/**
 * One framed connection. Control messages go to `onControl`; channel frames go to the handler registered for the
 * channel id (frames for a channel not registered yet are queued until it is, as a consumer's credit can arrive
 * before the producer's slot was deployed).
 */
export class FramedConnection {
  private buf: Buffer = Buffer.alloc(0);
  private readonly channels = new Map<number, ChannelHandler>();
  private readonly early = new Map<number, Array<[number, Buffer]>>();
  onControl: (m: Record<string, unknown>) => void = () => {};
  private readonly closeCbs: Array<(err?: Error) => void> = [];
  closed = false;
  private nextId = 1;

  constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const cb of this.closeCbs.splice(0)) cb();
    });
  }

  /** Opens a connection and sends the hello. */
  static connect(host: string, port: number, hello: Hello): FramedConnection {
    const c = new FramedConnection(connect({ host, port }));
    c.control(hello);
    return c;
  }

  onClose(cb: () => void): void {
    if (this.closed) cb();
    else this.closeCbs.push(cb);
  }

  /** A fresh channel id (ids are allocated by the side that opens channels on this connection). */
  allocateId(): number {
    return this.nextId++;
  }

  control(m: object): void {
    this.send(FRAME.CONTROL, 0, serialize(m));
  }

  send(type: number, channel: number, payload: Uint8Array): void {
    if (this.closed) return;
    const h = Buffer.allocUnsafe(HEADER);
    h.writeUInt32LE(payload.byteLength + 5, 0);
    h.writeUInt8(type, 4);
    h.writeUInt32LE(channel, 5);
    this.socket.cork();
    this.socket.write(h);
    if (payload.byteLength > 0) this.socket.write(payload);
    this.socket.uncork();
  }

  register(channel: number, handler: ChannelHandler): void {
    this.channels.set(channel, handler);
    const q = this.early.get(channel);
    if (q !== undefined) {
      this.early.delete(channel);
      for (const [t, p] of q) handler(t, p);
    }
  }

  unregister(channel: number): void {
    this.channels.delete(channel);
    this.early.delete(channel);
  }

  close(): void {
    this.socket.end();
    this.socket.destroySoon?.();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32LE(off);
      if (len < 5 || len > MAX_FRAME) {
        this.socket.destroy(new Error(`bad frame length ${len}`));
        return;
      }
      if (buf.length - off - 4 < len) break;
      const type = buf.readUInt8(off + 4);
      const channel = buf.readUInt32LE(off + 5);
      const payload = buf.subarray(off + HEADER, off + 4 + len);
      off += 4 + len;
      if (type === FRAME.CONTROL) {
        let m: Record<string, unknown>;
        try {
          m = deserialize(payload) as Record<string, unknown>;
        } catch (e) {
          this.socket.destroy(e as Error);
          return;
        }
        this.onControl(m);
        continue;
      }
      const h = this.channels.get(channel);
      // The payload is a view into the receive buffer: copy what is kept past this call.
      if (h !== undefined) h(type, payload);
      else {
        let q = this.early.get(channel);
        if (q === undefined) this.early.set(channel, (q = []));
        q.push([type, Buffer.from(payload)]);
      }
    }
    buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
    // Keep only the tail, not the whole chunk it came in.
    this.buf = off > 0 && buf.length > 0 ? Buffer.from(buf) : buf;
  }
}

/** A fresh ArrayBuffer with the payload's bytes (a frame is transferred to a worker, so it must own its buffer). */
function ownBuffer(p: Buffer): ArrayBuffer {
  const ab = new ArrayBuffer(p.byteLength);
  new Uint8Array(ab).set(p);
  return ab;
}

/**
 * Carries a MessagePort's messages over channel `id` of `conn` both ways: `{ frame }` as DATA, `{ credit }` as
 * CREDIT, anything else as PORTMSG. When either side closes, the other side's port is closed too.
 */
export function bridgePort(port: MessagePort, conn: FramedConnection, id: number): void {
  let open = true;
  const shut = (): void => {
    if (!open) return;
    open = false;
    conn.unregister(id);
    port.close();
  };
  port.on('message', (m: Record<string, unknown>) => {
    if (!open) return;
    const frame = m['frame'];
    if (frame instanceof ArrayBuffer && Object.keys(m).length === 1) {
      conn.send(FRAME.DATA, id, new Uint8Array(frame));
    } else if (typeof m['credit'] === 'number' && Object.keys(m).length === 1) {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32LE(m['credit'] as number, 0);
      conn.send(FRAME.CREDIT, id, b);
    } else {
      conn.send(FRAME.PORTMSG, id, serialize(m));
    }
  });
  port.on('close', () => {
    if (!open) return;
    conn.send(FRAME.CLOSE, id, new Uint8Array(0));
    shut();
  });
  conn.register(id, (type, payload) => {
    if (!open) return;
    switch (type) {
      case FRAME.DATA: {
        const frame = ownBuffer(payload);
        port.postMessage({ frame }, [frame]);
        return;
      }
      case FRAME.CREDIT:
        port.postMessage({ credit: payload.readUInt32LE(0) });
        return;
      case FRAME.PORTMSG:
        port.postMessage(deserialize(payload));
        return;
      case FRAME.CLOSE:
        shut();
        return;
      default:
        return;
    }
  });
  conn.onClose(shut);
}

/** Compares a presented token with the expected one in constant time (over digests, so lengths may differ). */
export function tokenMatches(expected: string | undefined, presented: unknown): boolean {
  if (expected === undefined || expected === '') return true;
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

/** 'host:port' → parts; a bare port means 127.0.0.1. */
export function parseAddress(what: string, s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s.trim()) ?? /^()()(\d+)$/.exec(s.trim());
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${what} must be host:port, not '${s}'`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/**
 * Module URLs in a JobSpec name files of the client's installation: `.ts` sources when the client runs from
 * sources (tsx, vitest), `dist/*.js` when built. A process running the built package maps a source URL of the same
 * checkout onto its compiled twin (the slot could not load TypeScript), so a client started from sources can use a
 * cluster started from `dist/` on the same machine.
 */
export function portableModuleUrl(url: string): string {
  const here = import.meta.url;
  if (!here.endsWith('.js') || !url.startsWith('file://')) return url;
  // dist/executor/cluster/tcp-transport.js → the checkout root is three levels up from dist's executor/.
  const dist = new URL('../../', here).href;
  const root = new URL('../../../', here).href;
  if (url.startsWith(dist) || !url.startsWith(root)) return url;
  const rel = url.slice(root.length).replace(/\.ts$/, '.js');
  return dist + rel;
}
