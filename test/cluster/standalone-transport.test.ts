// The standalone cluster's wire (tcp-transport.ts) without processes: a RemoteChannelWriter in one "process" and a
// RemoteChannelReader in another, each on a MessagePort bridged over one TCP connection on loopback. The credit
// scheme must hold end to end (the writer is writable only with credit its remote reader granted, Flink's
// credit-based flow control), elements arrive in order and decode to the same rows, frames split across TCP
// chunks are reassembled, and the token check is constant-time equality.
import { createServer, type Server } from 'node:net';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { batchToRows, makeBatch, type StreamElement } from '../../executor/batch/batch.js';
import { ColumnBuilder } from '../../executor/batch/column.js';
import { RemoteChannelReader, RemoteChannelWriter } from '../../executor/cluster/remote-channel.js';
import {
  bridgePort,
  FRAME,
  FramedConnection,
  parseAddress,
  portableModuleUrl,
  tokenMatches,
} from '../../executor/cluster/tcp-transport.js';
import { Types } from '../../executor/types/logical-type.js';
import { Schema } from '../../executor/types/schema.js';

const schema = new Schema([
  { name: 'k', type: Types.INT() },
  { name: 's', type: Types.STRING() },
]);

function batch(from: number, n: number): StreamElement {
  const k = new ColumnBuilder(Types.INT(), n);
  const s = new ColumnBuilder(Types.STRING(), n);
  for (let i = 0; i < n; i++) {
    k.append(from + i);
    s.append(`row-${from + i}`);
  }
  return { kind: 'batch', batch: makeBatch(schema, [k.finish(), s.finish()], n) };
}

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/** Two framed connections joined over loopback: what the client side opened and what the server accepted. */
async function pair(): Promise<{ a: FramedConnection; b: FramedConnection }> {
  let accepted!: (c: FramedConnection) => void;
  const got = new Promise<FramedConnection>((r) => (accepted = r));
  server = createServer((s) => accepted(new FramedConnection(s)));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const a = FramedConnection.connect('127.0.0.1', port, { t: 'hello', role: 'data' });
  const b = await got;
  await new Promise<void>((r) => (b.onControl = () => r()));
  return { a, b };
}

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('tcp transport', () => {
  it('carries a channel with its credits end to end: the writer stalls at the remote reader’s credits', async () => {
    const { a, b } = await pair();
    // Producer side (process A): the slot's writer on port1, port2 bridged to the socket.
    const prod = new MessageChannel();
    const cons = new MessageChannel();
    bridgePort(prod.port2, a, 7);
    bridgePort(cons.port2, b, 7);
    const out = { bytes: 0 };
    const inn = { bytes: 0 };
    const writer = new RemoteChannelWriter(prod.port1, out);
    expect(writer.writable()).toBe(false);
    const reader = new RemoteChannelReader(cons.port1, schema, 4, inn);
    // The reader's 4 credits cross the socket.
    for (let i = 0; i < 100 && !writer.writable(); i++) await tick();
    expect(writer.writable()).toBe(true);
    let sent = 0;
    while (writer.writable()) writer.push(batch(sent++ * 10, 10));
    expect(sent).toBe(4);
    // Nothing polled: no more credit arrives, however long we wait.
    await tick(200);
    expect(writer.writable()).toBe(false);
    const rows: unknown[][] = [];
    for (let i = 0; i < 100 && rows.length < 40; i++) {
      for (let el = reader.poll(); el !== undefined; el = reader.poll())
        if (el.kind === 'batch') rows.push(...batchToRows(el.batch));
      await tick();
    }
    expect(rows.length).toBe(40);
    expect(rows[0]).toEqual([0, 'row-0']);
    expect(rows[39]).toEqual([39, 'row-39']);
    // Polling returned the credits: the writer may send again.
    for (let i = 0; i < 100 && !writer.writable(); i++) await tick();
    expect(writer.writable()).toBe(true);
    expect(out.bytes).toBe(inn.bytes);
    a.destroy();
    b.destroy();
  });

  it('reassembles frames split across chunks and keeps frames for a channel registered later', async () => {
    const { a, b } = await pair();
    const seen: [number, string][] = [];
    // A 300 KB payload arrives in several TCP chunks.
    const big = Buffer.alloc(300_000, 'x');
    a.send(FRAME.DATA, 3, Buffer.from('early'));
    a.send(FRAME.DATA, 3, big);
    a.control({ t: 'ping', n: 1 });
    const ctl = new Promise<Record<string, unknown>>((r) => (b.onControl = r));
    expect(await ctl).toEqual({ t: 'ping', n: 1 });
    b.register(3, (type, p) => seen.push([type, p.length > 10 ? `len ${p.length}` : p.toString()]));
    expect(seen).toEqual([
      [FRAME.DATA, 'early'],
      [FRAME.DATA, 'len 300000'],
    ]);
    a.destroy();
    b.destroy();
  });

  it('checks tokens, parses addresses, maps source module URLs onto dist only when built', () => {
    expect(tokenMatches(undefined, undefined)).toBe(true);
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cret', 's3cre')).toBe(false);
    expect(tokenMatches('s3cret', undefined)).toBe(false);
    expect(parseAddress('--cluster', 'example.org:8081')).toEqual({ host: 'example.org', port: 8081 });
    expect(parseAddress('--cluster', '[::1]:6123')).toEqual({ host: '::1', port: 6123 });
    expect(() => parseAddress('--cluster', 'nohost')).toThrow(/--cluster must be host:port/);
    // Run from sources (this test), URLs stay as they are.
    const u = new URL('../../planner/physical/serialize.ts', import.meta.url).href;
    expect(portableModuleUrl(u)).toBe(u);
  });
});
