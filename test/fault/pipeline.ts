// The fault-injection pipeline: orders and payments trickle into two Kafka topics while one SQL job (a statement
// set) runs a tumbling-window aggregation over the orders and an interval join of orders with payments, at
// parallelism 2 with a checkpoint every 500 ms, into two Kafka sinks. A scalar UDF in the window query is the
// fault hook: it is a real operator of the job and throws on the N-th call of an attempt (N seeded), which fails
// the task and makes the restart strategy restore the job from its latest checkpoint. On a cluster the hook is a
// CREATE FUNCTION module (FaultModule): it runs in the slots, and throws when the test arms it.
import { randomBytes } from 'node:crypto';
import { promises as fs, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Admin, FetchIsolationLevels, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { expect } from 'vitest';
import { ScalarFunction, TableEnvironment, Types } from '../../index.js';
import { clientOptions } from '../support/kafka.js';
import { writeFunctionBundle } from '../cluster/standalone-harness.js';

/** Mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The fault hook: `FAULT(id)` is TRUE for every row, except that the `gaps[k]`-th call after the k-th failure
 * throws (the counter restarts with each failure, i.e. with each attempt). Calls from both parallel subtasks
 * count: they share this object in the in-thread executor.
 */
export class FaultInjector extends ScalarFunction<boolean> {
  readonly resultType = Types.BOOLEAN();
  failures = 0;
  calls = 0;
  private sinceFailure = 0;
  constructor(private readonly gaps: readonly number[]) {
    super();
  }
  eval(_id: bigint): boolean {
    this.calls++;
    this.sinceFailure++;
    const gap = this.gaps[this.failures];
    if (gap !== undefined && this.sinceFailure >= gap) {
      this.failures++;
      this.sinceFailure = 0;
      throw new Error(`injected fault #${this.failures}`);
    }
    return true;
  }
}

/**
 * The fault hook as a user function module (CREATE FUNCTION FAULT AS '<module>#Fault'), for jobs whose operators
 * run in other threads or processes, where a shared counter cannot reach: `FAULT(id)` is TRUE, except that the
 * first call anywhere after `arm()` claims the armed file (an atomic rename, so exactly one subtask of one process
 * wins) and throws inside its operator.
 */
export class FaultModule {
  readonly url: string;
  private readonly armed: string;

  constructor(dir: string) {
    writeFunctionBundle(dir);
    this.armed = path.join(dir, 'armed');
    const file = path.join(dir, 'fault-udf.mjs');
    writeFileSync(
      file,
      `import { existsSync, renameSync } from 'node:fs';
import { ScalarFunction, Types } from './freshet.mjs';
const ARMED = ${JSON.stringify(this.armed)};
export class Fault extends ScalarFunction {
  resultType = Types.BOOLEAN();
  eval(id) {
    if (!existsSync(ARMED)) return true;
    try {
      renameSync(ARMED, ARMED + '.fired-' + process.pid + '-' + Date.now());
    } catch {
      return true; // another subtask claimed it first
    }
    throw new Error('injected fault (thrown inside the operator, pid ' + process.pid + ', order ' + id + ')');
  }
}
`,
    );
    this.url = pathToFileURL(file).href;
  }

  /** The next FAULT call on any slot throws. */
  arm(): void {
    writeFileSync(this.armed, '');
  }

  /** Whether an armed fault has not been thrown yet. */
  pending(): boolean {
    return existsSync(this.armed);
  }
}

export interface Topics {
  readonly orders: string;
  readonly payments: string;
}

export interface Input {
  readonly orders: number;
  /** Per topic and partition, how many records it holds at the end (the bounded read stops there). */
  readonly ends: { orders: [number, number]; payments: [number, number] };
}

const BASE_TS = 1_700_000_000_000;

/** Order i: customer i % 7, amount 1 + i % 50, event time 20 ms apart per partition (ascending per partition). */
function order(i: number): { partition: number; value: string } {
  const partition = i % 2;
  return {
    partition,
    value: JSON.stringify({
      id: i,
      customer: i % 7,
      amount: 1 + (i % 50),
      ts: iso(BASE_TS + Math.floor(i / 2) * 20),
    }),
  };
}

/** Two in three orders are paid, 0-800 ms after the order (within the join's 1 s interval). */
function payment(i: number): { partition: number; value: string } | null {
  if (i % 3 === 2) return null;
  return {
    partition: i % 2,
    value: JSON.stringify({
      order_id: i,
      paid: 100 + i,
      pts: iso(BASE_TS + Math.floor(i / 2) * 20 + (i % 5) * 200),
    }),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export class FaultHarness {
  readonly run = randomBytes(4).toString('hex');
  private readonly admin: Admin;
  private readonly producer: Producer<string, string, string, string>;
  private n = 0;
  readonly dirs: string[] = [];

  constructor(readonly bootstrap: string) {
    this.admin = new Admin(clientOptions(bootstrap, `fault-admin-${this.run}`));
    this.producer = new Producer({
      ...clientOptions(bootstrap, `fault-producer-${this.run}`),
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  }

  async topic(label: string): Promise<string> {
    const name = `${label}-${this.n++}-${this.run}`;
    await this.admin.createTopics({ topics: [name], partitions: 2, replicas: 1 });
    return name;
  }

  async inputTopics(): Promise<Topics> {
    return { orders: await this.topic('orders'), payments: await this.topic('payments') };
  }

  /** What `produce` will write: the partition ends let the job read exactly that much (bounded). */
  static input(orders: number): Input {
    const ends = { orders: [0, 0] as [number, number], payments: [0, 0] as [number, number] };
    for (let i = 0; i < orders; i++) {
      ends.orders[order(i).partition]++;
      const p = payment(i);
      if (p !== null) ends.payments[p.partition]++;
    }
    return { orders, ends };
  }

  /**
   * Writes the input in `chunks` slices `everyMs` apart, so the job reads while it is written. With `gate`, slice
   * c is written once `gate(c)` resolves: a test holds input back so the bounded job cannot run out of rows (or
   * finish) before it is done failing it.
   */
  async produce(
    t: Topics,
    input: Input,
    chunks: number,
    everyMs: number,
    gate?: (chunk: number) => Promise<void>,
  ): Promise<void> {
    const per = Math.ceil(input.orders / chunks);
    for (let c = 0; c < chunks; c++) {
      if (gate !== undefined) await gate(c);
      const messages = [];
      for (let i = c * per; i < Math.min(input.orders, (c + 1) * per); i++) {
        messages.push({ topic: t.orders, ...order(i) });
        const p = payment(i);
        if (p !== null) messages.push({ topic: t.payments, ...p });
      }
      if (messages.length > 0) await this.producer.send({ messages });
      if (everyMs > 0) await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** The sum over partitions of the last stable offset: grows when a transaction of `topic` commits. */
  async committedEnd(topic: string): Promise<bigint> {
    const r = await this.admin.listOffsets({
      topics: [{ name: topic, partitions: [0, 1].map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    return r.flatMap((t) => t.partitions).reduce((s, p) => s + p.offset, 0n);
  }

  async tempDir(): Promise<string> {
    const d = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-fault-'));
    this.dirs.push(d);
    return d;
  }

  /**
   * The job's DDL and its statement set. `guarantee` is the sinks' sink.delivery-guarantee; outputs go to
   * `out.win` and `out.join`.
   */
  env(opts: {
    topics: Topics;
    input: Input;
    out: { win: string; join: string };
    guarantee: 'exactly-once' | 'at-least-once';
    fault: FaultInjector | FaultModule;
    /** The session's execution.checkpointing.dir; null: the cluster's JobManager picks it (-D). */
    checkpointDir: string | null;
    config?: Record<string, string>;
    /** A standalone cluster's REST address (`--cluster`): the job runs there. */
    cluster?: string;
  }): TableEnvironment {
    const env = TableEnvironment.create({
      ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
      config: {
        'execution.target': 'local',
        'parallelism.default': '2',
        'execution.checkpointing.interval': '500 ms',
        ...(opts.checkpointDir === null ? {} : { 'execution.checkpointing.dir': opts.checkpointDir }),
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '100',
        'restart-strategy.fixed-delay.delay': '100 ms',
        ...opts.config,
      },
    });
    if (opts.fault instanceof FaultModule)
      env.executeSql(`CREATE TEMPORARY SYSTEM FUNCTION FAULT AS '${opts.fault.url}#Fault'`);
    else env.createTemporarySystemFunction('FAULT', opts.fault);
    const bounded = (ends: [number, number]): string =>
      `partition:0,offset:${ends[0]};partition:1,offset:${ends[1]}`;
    const source = (topic: string, ends: [number, number]): string =>
      `'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${this.bootstrap}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'specific-offsets', 'scan.bounded.specific-offsets' = '${bounded(ends)}'`;
    const sink = (topic: string, label: string): string =>
      `'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${this.bootstrap}', 'format' = 'json', 'sink.delivery-guarantee' = '${opts.guarantee}', 'sink.transactional-id-prefix' = 'fault-${label}-${topic}'`;
    env.executeSql(
      `CREATE TABLE orders (id BIGINT, customer INT, amount BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (${source(opts.topics.orders, opts.input.ends.orders)})`,
    );
    env.executeSql(
      `CREATE TABLE payments (order_id BIGINT, paid BIGINT, pts TIMESTAMP(3), WATERMARK FOR pts AS pts - INTERVAL '1' SECOND) WITH (${source(opts.topics.payments, opts.input.ends.payments)})`,
    );
    env.executeSql(
      `CREATE TABLE win_out (window_start TIMESTAMP(3), customer INT, n BIGINT, total BIGINT) WITH (${sink(opts.out.win, 'win')})`,
    );
    env.executeSql(
      `CREATE TABLE join_out (id BIGINT, amount BIGINT, paid BIGINT) WITH (${sink(opts.out.join, 'join')})`,
    );
    return env;
  }

  static readonly WINDOW = `INSERT INTO win_out SELECT window_start, customer, COUNT(*) AS n, SUM(amount) AS total
    FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '2' SECOND)) WHERE FAULT(id)
    GROUP BY window_start, window_end, customer`;
  static readonly JOIN = `INSERT INTO join_out SELECT o.id, o.amount, p.paid FROM orders o JOIN payments p
    ON o.id = p.order_id AND p.pts BETWEEN o.ts AND o.ts + INTERVAL '1' SECOND`;

  /**
   * The failure-free run, in-thread, the whole input written first: its committed output (read by `read`) is the
   * reference of the fault tests, itself checked against the input: every order counted once in its window, and
   * the join has exactly the paid orders (all paid within the 1 s interval).
   */
  async reference(
    input: Input,
    fault: FaultInjector | FaultModule,
    read: (out: { win: string; join: string }) => { win: string[]; join: string[] },
  ): Promise<{ win: string[]; join: string[] }> {
    const topics = await this.inputTopics();
    await this.produce(topics, input, 1, 0);
    const out = { win: await this.topic('win'), join: await this.topic('join') };
    const env = this.env({
      topics,
      input,
      out,
      guarantee: 'exactly-once',
      fault,
      checkpointDir: await this.tempDir(),
    });
    await env.executeSql(FaultHarness.STATEMENT_SET).await();
    const r = read(out);
    const win = r.win.map((v) => JSON.parse(v) as { n: number; total: number });
    expect(win.reduce((s, w) => s + w.n, 0)).toBe(input.orders);
    expect(win.reduce((s, w) => s + w.total, 0)).toBe(
      Array.from({ length: input.orders }, (_, i) => 1 + (i % 50)).reduce((a, b) => a + b, 0),
    );
    const paid = Array.from({ length: input.orders }, (_, i) => i).filter((i) => i % 3 !== 2);
    expect(r.join.map((v) => (JSON.parse(v) as { id: number }).id).sort((a, b) => a - b)).toEqual(paid);
    return { win: r.win, join: r.join };
  }

  /** Both INSERTs as one job, through the Dispatcher (so it can be stopped with a savepoint). */
  static readonly STATEMENT_SET = `EXECUTE STATEMENT SET BEGIN ${FaultHarness.WINDOW}; ${FaultHarness.JOIN}; END`;

  async close(): Promise<void> {
    await this.producer.close();
    await this.admin.close();
    for (const d of this.dirs)
      await fs.rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}
