// Test helpers for the nexmark generator: named views of a batch's typed arrays, a generator built from option
// strings, and a scalar model of NEXMARK.md §2.2–2.3 written from the spec, not from the generator.
import type { Column, RecordBatch } from '../../../executor/index.js';
import { NexmarkGenerator, maxEventsOf, nexmarkSplit, parseNexmarkOptions, type NexmarkConfig } from '../../../connectors/nexmark/index.js';

function f64(c: Column | undefined): Float64Array {
  if (c === undefined || c.kind !== 'f64') throw new Error(`expected an f64 column, got ${c?.kind}`);
  return c.values;
}

function strs(c: Column | undefined): string[] {
  if (c === undefined || c.kind !== 'str') throw new Error(`expected a str column, got ${c?.kind}`);
  return c.values;
}

function struct(c: Column | undefined): Column & { kind: 'struct' } {
  if (c === undefined || c.kind !== 'struct') throw new Error(`expected a struct column, got ${c?.kind}`);
  return c;
}

/** The columns of one generated batch, by name. */
export function view(batch: RecordBatch) {
  const [et, p, a, b, dt] = batch.columns;
  if (et === undefined || et.kind !== 'i32') throw new Error('event_type is not an i32 column');
  const person = struct(p);
  const auction = struct(a);
  const bid = struct(b);
  const pc = person.children;
  const ac = auction.children;
  const bc = bid.children;
  return {
    length: batch.length,
    eventType: et.values,
    dateTime: f64(dt),
    person: {
      validity: person.validity,
      id: f64(pc[0]),
      name: strs(pc[1]),
      emailAddress: strs(pc[2]),
      creditCard: strs(pc[3]),
      city: strs(pc[4]),
      state: strs(pc[5]),
      dateTime: f64(pc[6]),
      extra: strs(pc[7]),
    },
    auction: {
      validity: auction.validity,
      id: f64(ac[0]),
      itemName: strs(ac[1]),
      description: strs(ac[2]),
      initialBid: f64(ac[3]),
      reserve: f64(ac[4]),
      dateTime: f64(ac[5]),
      expires: f64(ac[6]),
      seller: f64(ac[7]),
      category: f64(ac[8]),
      extra: strs(ac[9]),
    },
    bid: {
      validity: bid.validity,
      auction: f64(bc[0]),
      bidder: f64(bc[1]),
      price: f64(bc[2]),
      channel: strs(bc[3]),
      url: strs(bc[4]),
      dateTime: f64(bc[5]),
      extra: strs(bc[6]),
    },
  };
}

export type BatchView = ReturnType<typeof view>;

/** A generator for split g of P, baseTime 0 unless given, from WITH-clause options. */
export function generator(options: Record<string, string>, parallelism = 1, g = 0, baseTime = 0): NexmarkGenerator {
  const config = parseNexmarkOptions(options);
  return new NexmarkGenerator(config, nexmarkSplit(config, parallelism, g, baseTime));
}

/** The next `count` events as one view (one batch). */
export function take(gen: NexmarkGenerator, count: number): BatchView {
  const batch = gen.nextBatch(count);
  if (batch === null || batch.length !== count) throw new Error(`expected ${count} events, got ${batch?.length ?? 0}`);
  return view(batch);
}

/** A generator positioned at event k of its split, without generating the events before it. */
export function at(gen: NexmarkGenerator, k: number): NexmarkGenerator {
  return new NexmarkGenerator(gen.config, gen.split, { ...gen.snapshot(), eventsEmitted: k });
}

/** What the spec fixes for event k of split g (§2.2, §2.3), for the default proportions 1/3/46. */
export interface Expected {
  readonly e: number;
  readonly type: 0 | 1 | 2;
  readonly dateTime: number;
  /** person.id or auction.id. */
  readonly id: number | null;
  /** Hot values: seller for auctions, auction and bidder for bids. */
  readonly hotSeller: number | null;
  readonly hotAuction: number | null;
  readonly hotBidder: number | null;
  /** Inclusive ranges of the non-hot picks (visible ids). */
  readonly sellerRange: readonly [number, number] | null;
  readonly auctionRange: readonly [number, number] | null;
  readonly bidderRange: readonly [number, number] | null;
}

/** The spec's model: n = k + 1, e = firstEventId + n, and the §2.2 formulas with 50 = 1 + 3 + 46. */
export function expected(config: NexmarkConfig, parallelism: number, g: number, k: number, baseTime = 0): Expected {
  const maxEvents = maxEventsOf(config);
  const sub = Math.floor(maxEvents / parallelism);
  const firstEventId = 1 + g * sub;
  const n = k + 1;
  const e = firstEventId + n;
  const d = (1e6 / config.firstEventRate) * parallelism;
  const dateTime = baseTime + Math.floor(Math.trunc(n * d) / 1000);
  const r = e % 50;
  const type = r < 1 ? 0 : r < 4 ? 1 : 2;
  const q = Math.floor(e / 50);
  const lastPerson = q;
  const lastAuction = r < 1 ? (q - 1) * 3 + 2 : r >= 4 ? q * 3 + 2 : q * 3 + r - 1;
  const np = lastPerson + 1;
  const act = Math.min(np, 1000);
  const personRange = [np - act, np - act + act + 10 - 1] as const;
  const lo = Math.max(lastAuction - 100, 0);
  const auctionRange = [lo + 1000, lo + (lastAuction - lo + 11) - 1 + 1000] as const;
  return {
    e,
    type,
    dateTime,
    id: type === 0 ? lastPerson + 1000 : type === 1 ? lastAuction + 1000 : null,
    hotSeller: type === 1 ? Math.floor(lastPerson / 100) * 100 + 1000 : null,
    hotAuction: type === 2 ? Math.floor(lastAuction / 100) * 100 + 1000 : null,
    hotBidder: type === 2 ? Math.floor(lastPerson / 100) * 100 + 1 + 2000 : null,
    sellerRange: type === 1 ? [personRange[0] + 1000, personRange[1] + 1000] : null,
    auctionRange: type === 2 ? auctionRange : null,
    bidderRange: type === 2 ? [personRange[0] + 2000, personRange[1] + 2000] : null,
  };
}

/** Checks row i of a view against the spec's model; returns the first mismatch, or null. */
export function mismatch(v: BatchView, i: number, x: Expected): string | null {
  const within = (value: number, hot: number | null, range: readonly [number, number] | null): boolean =>
    value === hot || (range !== null && value >= range[0] && value <= range[1]);
  if (v.eventType[i] !== x.type) return `type ${v.eventType[i]} ≠ ${x.type}`;
  if (v.dateTime[i] !== x.dateTime) return `dateTime ${v.dateTime[i]} ≠ ${x.dateTime}`;
  if (x.type === 0) {
    if (v.person.id[i] !== x.id) return `person.id ${v.person.id[i]} ≠ ${x.id}`;
    if (v.person.dateTime[i] !== x.dateTime) return 'person.dateTime';
  } else if (x.type === 1) {
    if (v.auction.id[i] !== x.id) return `auction.id ${v.auction.id[i]} ≠ ${x.id}`;
    if (v.auction.dateTime[i] !== x.dateTime) return 'auction.dateTime';
    if (!within(v.auction.seller[i] as number, x.hotSeller, x.sellerRange)) return `seller ${v.auction.seller[i]}`;
  } else {
    if (v.bid.dateTime[i] !== x.dateTime) return 'bid.dateTime';
    if (!within(v.bid.auction[i] as number, x.hotAuction, x.auctionRange)) return `bid.auction ${v.bid.auction[i]}`;
    if (!within(v.bid.bidder[i] as number, x.hotBidder, x.bidderRange)) return `bid.bidder ${v.bid.bidder[i]}`;
  }
  return null;
}
