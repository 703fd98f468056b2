// The Nexmark event generator (NEXMARK.md §2): takes a NexmarkConfig and one split g of P, hands on columnar
// RecordBatches of `nexmarkSchema`. Types, ids, timestamps and hot ids follow the reference exactly; random fields
// come from a seeded PRNG per split and match the reference in distribution and range.
import { Buffer } from 'node:buffer';
import { validityBytes, type Column, type RecordBatch } from '../../executor/index.js';
import { maxEventsOf, totalProportion, type NexmarkConfig } from './config.js';
import { Prng, SMALL_BOUND, smallInt, wideInt, type PrngState } from './prng.js';
import { EVENT_TYPE_AUCTION, EVENT_TYPE_BID, EVENT_TYPE_PERSON, nexmarkSchema } from './schema.js';
import {
  CHANNELS_NUMBER,
  EMPTY_PAIR,
  getPadPieces,
  getPadText,
  getStrText,
  getUrlTables,
  HOT_PAIR,
  MAX_PAD_PIECE_SPREAD,
  PAD_TEXT_LENGTH,
  PERSON_NAMES,
  price,
  STR_TEXT_LENGTH,
  US_CITIES,
  US_STATES,
} from './tables.js';

export { nexmarkSchema } from './schema.js';

/** The reference's fixed constants (GeneratorConfig, NexmarkConfiguration; NEXMARK.md §2.1). */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
export const NUM_IN_FLIGHT_AUCTIONS = 100;
export const NUM_ACTIVE_PEOPLE = 1000;
export const PERSON_ID_LEAD = 10;
export const AUCTION_ID_LEAD = 10;
/** Hot sellers, bidders and auctions are the first (bidders: second) id of each batch of this many. */
export const HOT_ID_BATCH = 100;

/** One generator's share of the stream: the reference's GeneratorConfig after `split(P)` (§2.2). */
export interface NexmarkSplit {
  /** g, in [0, parallelism). */
  readonly index: number;
  readonly parallelism: number;
  /** Event time (epoch ms) at event number 0: every split's timeline starts here. */
  readonly baseTime: number;
  /** Event k of this split has event id firstEventId + k + 1. */
  readonly firstEventId: number;
  /** Events this split can produce. */
  readonly maxEvents: number;
  /** This split's share of `stop-at`: it stops after this many events; −1 = no stop. */
  readonly stopAt: number;
  /** D of §2.3: µs between consecutive events of one split. */
  readonly interEventDelayUs: number;
}

/** D = 1e6 / rate · P, evaluated left to right in doubles as the reference does. */
export function interEventDelayUs(rate: number, parallelism: number): number {
  return (1e6 / rate) * parallelism;
}

/** ts(n) of §2.3: the event time (epoch ms) of event number n (n = k + 1 for the k-th event of a split). */
export function eventTimestamp(baseTime: number, delayUs: number, n: number): number {
  return baseTime + Math.floor(Math.trunc(n * delayUs) / 1000);
}

/** The first event number whose event time is later than `ts` (ts(n) never decreases with n). */
export function firstEventAfter(baseTime: number, delayUs: number, ts: number): number {
  // ts(m) > ts ⟺ trunc(m·D) ≥ (ts − base + 1)·1000 ⟺ m·D ≥ that bound; estimate, then settle exactly.
  let m = Math.max(0, Math.ceil(((ts - baseTime + 1) * 1000) / delayUs));
  while (m > 0 && eventTimestamp(baseTime, delayUs, m - 1) > ts) m--;
  while (eventTimestamp(baseTime, delayUs, m) <= ts) m++;
  return m;
}

/** The event time of event number n of a split. */
export function splitEventTimestamp(split: NexmarkSplit, n: number): number {
  return eventTimestamp(split.baseTime, split.interEventDelayUs, n);
}

/** Split g of P, as GeneratorConfig.split(P) makes it: ids are cut into disjoint ranges, timelines are not. */
export function nexmarkSplit(config: NexmarkConfig, parallelism: number, index: number, baseTime: number): NexmarkSplit {
  if (!Number.isSafeInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= parallelism) {
    throw new RangeError(`split index must be in [0, ${parallelism}), got ${index}`);
  }
  if (!Number.isSafeInteger(baseTime)) throw new RangeError(`baseTime must be an integer (epoch ms), got ${baseTime}`);
  const maxEvents = maxEventsOf(config);
  const sub = Math.floor(maxEvents / parallelism);
  const last = index === parallelism - 1;
  let stopAt = -1;
  if (config.stopAt >= 0) {
    const subStop = Math.floor(config.stopAt / parallelism);
    stopAt = last ? config.stopAt - subStop * (parallelism - 1) : subStop;
  }
  return Object.freeze({
    index,
    parallelism,
    baseTime,
    firstEventId: 1 + index * sub,
    maxEvents: last ? maxEvents - sub * (parallelism - 1) : sub,
    stopAt,
    interEventDelayUs: interEventDelayUs(config.firstEventRate, parallelism),
  });
}

/** All P splits of a job. */
export function nexmarkSplits(config: NexmarkConfig, parallelism: number, baseTime: number): NexmarkSplit[] {
  return Array.from({ length: parallelism }, (_, g) => nexmarkSplit(config, parallelism, g, baseTime));
}

/** The proportions that decide event types and ids. */
export interface TypeCycle {
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
}

/** Event type of event id e: 0 person, 1 auction, 2 bid (§2.2). */
export function eventTypeOf(c: TypeCycle, e: number): number {
  const r = mod(e, c.personProportion + c.auctionProportion + c.bidProportion);
  return r < c.personProportion ? EVENT_TYPE_PERSON : r < c.personProportion + c.auctionProportion ? EVENT_TYPE_AUCTION : EVENT_TYPE_BID;
}

/** lastBase0PersonId(e): the newest person at event id e (base 0; add FIRST_PERSON_ID for the visible id). */
export function lastBase0PersonId(c: TypeCycle, e: number): number {
  const total = c.personProportion + c.auctionProportion + c.bidProportion;
  const epoch = div(e, total);
  const offset = Math.min(e - epoch * total, c.personProportion - 1);
  return epoch * c.personProportion + offset;
}

/** lastBase0AuctionId(e): the newest auction at event id e (base 0). */
export function lastBase0AuctionId(c: TypeCycle, e: number): number {
  const total = c.personProportion + c.auctionProportion + c.bidProportion;
  let epoch = div(e, total);
  let offset = e - epoch * total;
  if (offset < c.personProportion) {
    epoch--;
    offset = c.auctionProportion - 1;
  } else if (offset >= c.personProportion + c.auctionProportion) {
    offset = c.auctionProportion - 1;
  } else {
    offset -= c.personProportion;
  }
  return epoch * c.auctionProportion + offset;
}

/** What a checkpoint must hold to resume a generator exactly where it stopped. */
export interface NexmarkGeneratorState {
  readonly eventsEmitted: number;
  /** The PRNG state the current random pool was filled from. */
  readonly rng: PrngState;
  /** Values of that pool already used. */
  readonly poolPos: number;
}

/** Java's long division for the hot-id formulas: truncates toward zero, also for the −1 of empty proportions. */
function jdiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** Floor division that stays exact up to 2^53, where `Math.floor(a / b)` can round across an integer. */
function div(a: number, b: number): number {
  const q = Math.floor(a / b);
  const r = a - q * b;
  return r < 0 ? q - 1 : r >= b ? q + 1 : q;
}

function mod(a: number, b: number): number {
  return a - div(a, b) * b;
}

/**
 * A packed array of '' that string columns are sliced from: slicing copies it as one block (~1 ns a value),
 * where `new Array(n).fill('')` costs ~4 ns a value and leaves a holey array. Grown to the largest batch seen.
 */
let emptyTemplate: string[] = [];

/** A string column's values, preset to '' so that the rows of other event types hold a valid placeholder. */
function emptyStrings(n: number): string[] {
  if (emptyTemplate.length < n) {
    const t: string[] = [];
    for (let i = 0; i < n; i++) t.push('');
    emptyTemplate = t;
  }
  return emptyTemplate.slice(0, n);
}

function structColumn(validity: Uint8Array, children: Column[]): Column {
  // Each child gets its own copy of the ROW's bitmap: `person.id` of a bid row is NULL when read on its own,
  // and no two columns share a buffer that a consumer might hand off or modify.
  for (const child of children) child.validity = validity.slice();
  return { kind: 'struct', children, validity };
}

const f64 = (values: Float64Array): Column => ({ kind: 'f64', values, validity: null });
const str = (values: string[]): Column => ({ kind: 'str', values, validity: null });

/** The arrays of one batch under construction. */
interface BatchArrays {
  readonly eventType: Int32Array;
  readonly dateTime: Float64Array;
  readonly pValid: Uint8Array;
  readonly aValid: Uint8Array;
  readonly bValid: Uint8Array;
  readonly pId: Float64Array;
  readonly pName: string[];
  readonly pEmail: string[];
  readonly pCard: string[];
  readonly pCity: string[];
  readonly pState: string[];
  readonly pDate: Float64Array;
  readonly pExtra: string[];
  readonly aId: Float64Array;
  readonly aItem: string[];
  readonly aDesc: string[];
  readonly aInitial: Float64Array;
  readonly aReserve: Float64Array;
  readonly aDate: Float64Array;
  readonly aExpires: Float64Array;
  readonly aSeller: Float64Array;
  readonly aCategory: Float64Array;
  readonly aExtra: string[];
  readonly bAuction: Float64Array;
  readonly bBidder: Float64Array;
  readonly bPrice: Float64Array;
  readonly bChannel: string[];
  readonly bUrl: string[];
  readonly bDate: Float64Array;
  readonly bExtra: string[];
}

/**
 * A Float64Array for a column that the batch loop writes on every row: its memory is not zeroed first, which
 * saves a sixth of the bytes a batch writes. Columns written on some rows only are zeroed as usual.
 */
function denseF64(n: number): Float64Array {
  const bytes = Buffer.allocUnsafeSlow(8 * n);
  return new Float64Array(bytes.buffer, bytes.byteOffset, n);
}

function denseI32(n: number): Int32Array {
  const bytes = Buffer.allocUnsafeSlow(4 * n);
  return new Int32Array(bytes.buffer, bytes.byteOffset, n);
}

function allocate(n: number): BatchArrays {
  const nb = validityBytes(n);
  return {
    eventType: denseI32(n),
    dateTime: denseF64(n),
    pValid: new Uint8Array(nb),
    aValid: new Uint8Array(nb),
    bValid: new Uint8Array(nb),
    pId: new Float64Array(n),
    pName: emptyStrings(n),
    pEmail: emptyStrings(n),
    pCard: emptyStrings(n),
    pCity: emptyStrings(n),
    pState: emptyStrings(n),
    pDate: new Float64Array(n),
    pExtra: emptyStrings(n),
    aId: new Float64Array(n),
    aItem: emptyStrings(n),
    aDesc: emptyStrings(n),
    aInitial: new Float64Array(n),
    aReserve: new Float64Array(n),
    aDate: new Float64Array(n),
    aExpires: new Float64Array(n),
    aSeller: new Float64Array(n),
    aCategory: new Float64Array(n),
    aExtra: emptyStrings(n),
    bAuction: denseF64(n),
    bBidder: denseF64(n),
    bPrice: denseF64(n),
    bChannel: emptyStrings(n),
    bUrl: emptyStrings(n),
    bDate: denseF64(n),
    bExtra: emptyStrings(n),
  };
}

function toBatch(a: BatchArrays, n: number): RecordBatch {
  const columns: Column[] = [
    { kind: 'i32', values: a.eventType, validity: null },
    structColumn(a.pValid, [
      f64(a.pId),
      str(a.pName),
      str(a.pEmail),
      str(a.pCard),
      str(a.pCity),
      str(a.pState),
      f64(a.pDate),
      str(a.pExtra),
    ]),
    structColumn(a.aValid, [
      f64(a.aId),
      str(a.aItem),
      str(a.aDesc),
      f64(a.aInitial),
      f64(a.aReserve),
      f64(a.aDate),
      f64(a.aExpires),
      f64(a.aSeller),
      f64(a.aCategory),
      str(a.aExtra),
    ]),
    structColumn(a.bValid, [f64(a.bAuction), f64(a.bBidder), f64(a.bPrice), str(a.bChannel), str(a.bUrl), f64(a.bDate), str(a.bExtra)]),
    f64(a.dateTime),
  ];
  return { schema: nexmarkSchema, length: n, kinds: new Uint8Array(n), columns };
}

/**
 * Random values are drawn from a pool of this many 32-bit values, refilled in one tight loop: a PRNG call per
 * draw does not inline into the batch loop, and costs more than the rest of a bid.
 */
const POOL_SIZE = 8192;
/**
 * The pool is refilled before an event when fewer than this many values are left: more than any event draws
 * (a bid ≤ 9, an auction or a person ≤ 14). Refills happen at the same events however the stream is cut
 * into batches, so batching does not change the output.
 */
const POOL_MARGIN = 64;
/** Bytes per credit card in the card text: "dddd dddd dddd dddd" and a separator. */
const CARD_LENGTH = 20;
/** Pool values an auction or a person takes for its deferred str() fields (2 × 2) and pad (3). */
const DEFERRED_DRAWS = 7;
const TWO_32 = 4294967296;

/**
 * One split's generator. `nextBatch` writes each column straight into typed arrays (no per-event objects); its
 * output depends only on (config, split, seed), not on how the stream is cut into batches.
 */
export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  readonly split: NexmarkSplit;
  private readonly rng: Prng;
  private emitted: number;
  /** Events this generator will produce in all: maxEvents, or fewer with stop-at. */
  private readonly limit: number;

  private readonly pool = new Uint32Array(POOL_SIZE);
  /** Next unused pool position; POOL_SIZE = empty (before the first refill). */
  private poolPos = POOL_SIZE;
  /** The PRNG state the pool was filled from: with poolPos, all a snapshot needs. */
  private poolState: PrngState;

  private readonly padText = getPadText();
  private readonly strText: string;
  private readonly strBytes: Uint8Array;
  private readonly channelPairs: readonly string[];
  /** `extra` pieces for bids, or null when bid.avg-size makes the length range too wide to tabulate. */
  private readonly bidPieces: readonly string[] | null;
  private readonly bidPadMin: number;
  private readonly bidPadSpread: number;

  /**
   * Per row of a batch: the index of its (channel, url) pair and of its `extra` piece. The batch loop only
   * draws these; a second, tight loop looks the strings up, so that the cache misses on those large tables
   * overlap instead of stalling the batch loop one at a time.
   */
  private pairIdx: Int32Array = new Int32Array(0);
  private pieceIdx: Int32Array = new Int32Array(0);
  /**
   * Auctions and persons of a batch whose strings are cut after the batch loop: their rows; per row the raw
   * (untrimmed) start and length of its two str() values (item name and description, or the two halves of an
   * email) and three pool values for its pad. Trimming reads the str() text at random offsets, which the
   * batch's own writes keep pushing out of the cache; a tight loop that touches them all first lets the misses
   * overlap.
   */
  private deferRows: Int32Array = new Int32Array(0);
  private strStarts: Int32Array = new Int32Array(0);
  private strLengths: Int32Array = new Int32Array(0);
  private padDraws: Uint32Array = new Uint32Array(0);
  private deferred = 0;
  /** The credit cards of a batch's persons, CARD_LENGTH bytes (plus a separator) each. */
  private cardBytes: Uint8Array = new Uint8Array(0);
  private cardCount = 0;
  /** Where the touch loop leaves its checksum, so that its reads are not optimised away. */
  private touched = 0;

  constructor(config: NexmarkConfig, split: NexmarkSplit, state?: NexmarkGeneratorState) {
    this.config = config;
    this.split = split;
    this.limit = split.stopAt >= 0 ? Math.min(split.maxEvents, split.stopAt) : split.maxEvents;
    this.rng = new Prng(config.seed, split.index);
    this.emitted = 0;
    if (state !== undefined) {
      if (!Number.isSafeInteger(state.eventsEmitted) || state.eventsEmitted < 0 || state.eventsEmitted > split.maxEvents) {
        throw new RangeError(`eventsEmitted must be in [0, ${split.maxEvents}], got ${state.eventsEmitted}`);
      }
      if (!Number.isInteger(state.poolPos) || state.poolPos < 0 || state.poolPos > POOL_SIZE) {
        throw new RangeError(`poolPos must be in [0, ${POOL_SIZE}], got ${state.poolPos}`);
      }
      this.emitted = state.eventsEmitted;
      this.rng.setState(state.rng);
      // A used pool is rebuilt from the state it was filled from; an empty one fills from that state later.
      if (state.poolPos < POOL_SIZE) this.rng.fill(this.pool);
      this.poolPos = state.poolPos;
    }
    this.poolState = state?.rng ?? this.rng.state();
    const str = getStrText();
    this.strText = str.text;
    this.strBytes = str.bytes;
    this.channelPairs = getUrlTables(config.seed).pairs;
    // pad(32, bid.avg-size): the same length range for every bid.
    const bidPad = padRange(32, config.bidAvgSize);
    this.bidPadMin = bidPad.min;
    this.bidPadSpread = bidPad.spread;
    this.bidPieces = bidPad.spread <= MAX_PAD_PIECE_SPREAD ? getPadPieces(bidPad.min, bidPad.spread) : null;
  }

  /** Events produced so far: k of the next event. */
  get eventsEmitted(): number {
    return this.emitted;
  }

  /** Events still to come (0 once the split, or its stop-at share, is exhausted). */
  get eventsRemaining(): number {
    return Math.max(0, this.limit - this.emitted);
  }

  hasNext(): boolean {
    return this.emitted < this.limit;
  }

  /** Event time of the k-th event of this split. */
  timestampOf(k: number): number {
    return splitEventTimestamp(this.split, k + 1);
  }

  /** Event id of the k-th event of this split. */
  eventIdOf(k: number): number {
    return this.split.firstEventId + k + 1;
  }

  /**
   * How many of the next events have an event time ≤ `eventTime`: what a source pacing to the wall clock
   * (max-emit-speed = false) may emit by then.
   */
  eventsDueBy(eventTime: number): number {
    if (Number.isNaN(eventTime)) throw new RangeError('eventTime must be a number, got NaN');
    const { baseTime, interEventDelayUs: d } = this.split;
    if (eventTime < baseTime) return 0;
    if (!Number.isFinite(eventTime)) return this.eventsRemaining;
    // ts(m) ≤ t ⟺ trunc(m·D) < (t − base + 1)·1000 ⟺ m·D < (t − base + 1)·1000; estimate, then settle exactly.
    let m = Math.min(Math.max(0, Math.ceil(((eventTime - baseTime + 1) * 1000) / d) - 1), this.limit);
    while (m > 0 && splitEventTimestamp(this.split, m) > eventTime) m--;
    while (m < this.limit && splitEventTimestamp(this.split, m + 1) <= eventTime) m++;
    return Math.max(0, m - this.emitted);
  }

  snapshot(): NexmarkGeneratorState {
    return { eventsEmitted: this.emitted, rng: this.poolState, poolPos: this.poolPos };
  }

  /**
   * The next up to `maxRows` events as one batch, or null once the split is exhausted. Around 8K rows is
   * fastest: string columns of 16K rows or more are allocated as large old-generation objects, and storing new
   * strings into them takes V8's slow write barrier (measured 1.8× slower per event).
   */
  nextBatch(maxRows: number): RecordBatch | null {
    if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
    const n = Math.min(maxRows, this.limit - this.emitted);
    if (n <= 0) return null;
    const arrays = allocate(n);
    if (this.pairIdx.length < n) {
      this.pairIdx = new Int32Array(n);
      this.pieceIdx = new Int32Array(n);
      this.deferRows = new Int32Array(n);
      this.strStarts = new Int32Array(2 * n);
      this.strLengths = new Int32Array(2 * n);
      this.padDraws = new Uint32Array(3 * n);
      this.cardBytes = new Uint8Array(CARD_LENGTH * n + 1);
    }
    this.deferred = 0;
    this.cardCount = 0;
    this.fill(arrays, n);
    this.emitted += n;
    this.gatherBidStrings(arrays, n);
    this.cutDeferredStrings(arrays);
    return toBatch(arrays, n);
  }

  /** Refills the pool; the caller's pool position restarts at 0. */
  private refill(): void {
    this.poolState = this.rng.state();
    this.rng.fill(this.pool);
  }

  /** Writes events k = emitted .. emitted + n − 1 into rows 0 .. n − 1. Bids are inline: they are 92%. */
  private fill(a: BatchArrays, n: number): void {
    const c = this.config;
    const pool = this.pool;
    const pp = c.personProportion;
    const ap = c.auctionProportion;
    const total = totalProportion(c);
    const ppap = pp + ap;
    const { baseTime, interEventDelayUs: delay } = this.split;
    // U[0, ratio) > 0 ⟺ x ≥ 2^32 / ratio for a 32-bit draw x: one comparison, exact to 2^-32 for any ratio.
    const hotAuctionFrom = TWO_32 / c.hotAuctionRatio;
    const hotBidderFrom = TWO_32 / c.hotBiddersRatio;
    const pairIdx = this.pairIdx;
    const pieceIdx = this.pieceIdx;
    const bidPieces = this.bidPieces;
    const emptyPiece = bidPieces === null ? -1 : bidPieces.length - 1;
    const { eventType, dateTime, bValid, bAuction, bBidder, bPrice, bDate } = a;

    let ri = this.poolPos;
    let num = this.emitted + 1; // event number: drives time
    const e0 = this.split.firstEventId + num; // event id: drives type and ids
    let q = div(e0, total);
    let r = e0 - q * total;
    // Per cycle q: for every non-person event the newest person is q·pp + pp − 1, and for every bid the newest
    // auction is q·ap + ap − 1 (lastBase0PersonId / lastBase0AuctionId with the offset clamped).
    let lastPerson = q * pp + pp - 1;
    let lastAuction = q * ap + ap - 1;
    let hotAuction = jdiv(lastAuction, HOT_ID_BATCH) * HOT_ID_BATCH;
    let hotBidder = jdiv(lastPerson, HOT_ID_BATCH) * HOT_ID_BATCH + 1;
    let auctionLo = Math.max(lastAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
    let people = lastPerson + 1;
    let activePeople = Math.min(people, NUM_ACTIVE_PEOPLE);
    // ts(n) changes only every 1000/D events (every 10 with the defaults): recompute it when it does.
    let ts = eventTimestamp(baseTime, delay, num);
    let tsUntil = firstEventAfter(baseTime, delay, ts);

    for (let i = 0; i < n; i++) {
      if (ri > POOL_SIZE - POOL_MARGIN) {
        this.refill();
        ri = 0;
      }
      if (num >= tsUntil) {
        ts = eventTimestamp(baseTime, delay, num);
        tsUntil = firstEventAfter(baseTime, delay, ts);
      }
      dateTime[i] = ts;

      if (r >= ppap) {
        eventType[i] = EVENT_TYPE_BID;
        bValid[i >>> 3] |= 1 << (i & 7);
        const auction =
          (pool[ri++] as number) >= hotAuctionFrom
            ? hotAuction
            : auctionLo + smallInt(pool[ri++] as number, lastAuction - auctionLo + 1 + AUCTION_ID_LEAD);
        bAuction[i] = auction + FIRST_AUCTION_ID;
        const bidder =
          (pool[ri++] as number) >= hotBidderFrom
            ? hotBidder
            : people - activePeople + smallInt(pool[ri++] as number, activePeople + PERSON_ID_LEAD);
        // The reference adds FIRST_PERSON_ID twice to bidders (BidGenerator); kept so that ids match.
        bBidder[i] = bidder + 2 * FIRST_PERSON_ID;
        bPrice[i] = price(pool[ri++] as number);
        // Channel and url: with probability 1/2 a hot pair U[0, 4), else channel-j for j = U[0, 10,000). One
        // draw serves both choices: its top bit picks hot or not, the bits below it pick the pair.
        const x = pool[ri++] as number;
        pairIdx[i] = x >= 2147483648 ? HOT_PAIR + ((x >>> 29) & 3) : smallInt(x, 2 * CHANNELS_NUMBER);
        bDate[i] = ts;
        if (bidPieces !== null) pieceIdx[i] = smallInt(pool[ri++] as number, emptyPiece);
        else ri = this.pad(ri, this.bidPadMin, this.bidPadSpread, a.bExtra, i);
      } else {
        if (r >= pp) ri = this.auction(a, i, ri, ts, num, q * ap + (r - pp), lastPerson);
        else ri = this.person(a, i, ri, ts, q * pp + r);
        pairIdx[i] = EMPTY_PAIR;
        pieceIdx[i] = emptyPiece;
        // The bid columns are not zeroed in advance (denseF64): NULL rows hold 0 like other columns.
        bAuction[i] = 0;
        bBidder[i] = 0;
        bPrice[i] = 0;
        bDate[i] = 0;
      }

      num++;
      if (++r === total) {
        r = 0;
        q++;
        lastPerson = q * pp + pp - 1;
        lastAuction = q * ap + ap - 1;
        hotAuction = jdiv(lastAuction, HOT_ID_BATCH) * HOT_ID_BATCH;
        hotBidder = jdiv(lastPerson, HOT_ID_BATCH) * HOT_ID_BATCH + 1;
        auctionLo = Math.max(lastAuction - NUM_IN_FLIGHT_AUCTIONS, 0);
        people = lastPerson + 1;
        activePeople = Math.min(people, NUM_ACTIVE_PEOPLE);
      }
    }
    this.poolPos = ri;
  }

  /** Writes the auction with base-0 id `id` into row i; returns the new pool position. */
  private auction(a: BatchArrays, i: number, ri: number, ts: number, num: number, id: number, lastPerson: number): number {
    const c = this.config;
    const pool = this.pool;
    a.eventType[i] = EVENT_TYPE_AUCTION;
    a.aValid[i >>> 3] |= 1 << (i & 7);
    a.aId[i] = id + FIRST_AUCTION_ID;
    let seller: number;
    if ((pool[ri++] as number) >= TWO_32 / c.hotSellersRatio) {
      seller = jdiv(lastPerson, HOT_ID_BATCH) * HOT_ID_BATCH;
    } else {
      const people = lastPerson + 1;
      const active = Math.min(people, NUM_ACTIVE_PEOPLE);
      seller = people - active + smallInt(pool[ri++] as number, active + PERSON_ID_LEAD);
    }
    a.aSeller[i] = seller + FIRST_PERSON_ID;
    a.aCategory[i] = FIRST_CATEGORY_ID + smallInt(pool[ri++] as number, NUM_CATEGORIES);
    const initialBid = price(pool[ri++] as number);
    a.aInitial[i] = initialBid;
    // An auction lasts on average until NUM_IN_FLIGHT_AUCTIONS more have started (AuctionGenerator).
    const { baseTime, interEventDelayUs: delay } = this.split;
    const ahead = Math.trunc((NUM_IN_FLIGHT_AUCTIONS * totalProportion(c)) / c.auctionProportion);
    const horizon = eventTimestamp(baseTime, delay, num + ahead) - ts;
    const bound = Math.max(horizon * 2, 1);
    let length: number;
    if (bound <= SMALL_BOUND) {
      length = smallInt(pool[ri++] as number, bound);
    } else {
      length = wideInt(pool[ri] as number, pool[ri + 1] as number, bound);
      ri += 2;
    }
    a.aExpires[i] = ts + 1 + length;
    a.aDate[i] = ts;
    ri = this.defer(i, ri, 20, 100);
    a.aReserve[i] = initialBid + price(pool[ri++] as number);
    return ri;
  }

  /** Writes the person with base-0 id `id` into row i; returns the new pool position. */
  private person(a: BatchArrays, i: number, ri: number, ts: number, id: number): number {
    const pool = this.pool;
    a.eventType[i] = EVENT_TYPE_PERSON;
    a.pValid[i >>> 3] |= 1 << (i & 7);
    a.pId[i] = id + FIRST_PERSON_ID;
    // One draw over all 99 names has the distribution of the reference's two draws (first, then last name).
    a.pName[i] = PERSON_NAMES[smallInt(pool[ri++] as number, PERSON_NAMES.length)] as string;
    ri = this.defer(i, ri, 7, 5);
    // The card's four %04d groups go into the batch's card text, decoded once: four look-ups in a table of
    // 10,000 strings were four cache misses (pointer and string) per person.
    const cards = this.cardBytes;
    let p = CARD_LENGTH * this.cardCount++;
    for (let g = 0; g < 4; g++) {
      const v = smallInt(pool[ri++] as number, 10000);
      const hundreds = (v / 100) | 0;
      const rest = v - hundreds * 100;
      cards[p] = 48 + ((hundreds / 10) | 0);
      cards[p + 1] = 48 + (hundreds % 10);
      cards[p + 2] = 48 + ((rest / 10) | 0);
      cards[p + 3] = 48 + (rest % 10);
      cards[p + 4] = 32; // the separator; the last one is past the card and not decoded
      p += 5;
    }
    a.pCity[i] = US_CITIES[smallInt(pool[ri++] as number, US_CITIES.length)] as string;
    a.pState[i] = US_STATES[smallInt(pool[ri++] as number, US_STATES.length)] as string;
    a.pDate[i] = ts;
    return ri;
  }

  /**
   * Sets aside row i's str(max1) and str(max2) as raw ranges of the str() text, and three pool values for its
   * pad (see deferRows); returns the new pool position.
   */
  private defer(i: number, ri: number, max1: number, max2: number): number {
    const pool = this.pool;
    const k = this.deferred++;
    this.deferRows[k] = i;
    // str(max): length 3 + U[0, max − 3), at a uniform offset of the str() text.
    const len1 = 3 + smallInt(pool[ri] as number, max1 - 3);
    const len2 = 3 + smallInt(pool[ri + 2] as number, max2 - 3);
    this.strLengths[2 * k] = len1;
    this.strLengths[2 * k + 1] = len2;
    this.strStarts[2 * k] = smallInt(pool[ri + 1] as number, STR_TEXT_LENGTH - len1 + 1);
    this.strStarts[2 * k + 1] = smallInt(pool[ri + 3] as number, STR_TEXT_LENGTH - len2 + 1);
    const pads = this.padDraws;
    pads[3 * k] = pool[ri + 4] as number;
    pads[3 * k + 1] = pool[ri + 5] as number;
    pads[3 * k + 2] = pool[ri + 6] as number;
    return ri + DEFERRED_DRAWS;
  }

  /**
   * Cuts the deferred str() fields and pads: auctions get itemName = str(20), description = str(100) and
   * extra = pad(8 + both lengths + 40, auction.avg-size); persons emailAddress = str(7) + "@" + str(5) + ".com"
   * and extra = pad(8 + the lengths of their five strings, person.avg-size).
   */
  private cutDeferredStrings(a: BatchArrays): void {
    const count = this.deferred;
    if (count === 0) return;
    const bytes = this.strBytes;
    const starts = this.strStarts;
    const lengths = this.strLengths;
    // Touch both ends of every str() first, in a loop short enough for many misses to be in flight at once.
    let touched = 0;
    for (let s = 0; s < 2 * count; s++) {
      const lo = starts[s] as number;
      touched ^= (bytes[lo] as number) ^ (bytes[lo + (lengths[s] as number) - 1] as number);
    }
    this.touched ^= touched;
    const c = this.config;
    const rows = this.deferRows;
    const pads = this.padDraws;
    const cards = this.cardCount === 0 ? '' : Buffer.from(this.cardBytes.buffer, 0, CARD_LENGTH * this.cardCount).toString('latin1');
    let card = 0;
    for (let k = 0; k < count; k++) {
      const i = rows[k] as number;
      const first = this.str(starts[2 * k] as number, lengths[2 * k] as number);
      const second = this.str(starts[2 * k + 1] as number, lengths[2 * k + 1] as number);
      if (a.eventType[i] === EVENT_TYPE_AUCTION) {
        a.aItem[i] = first;
        a.aDesc[i] = second;
        this.padFromDraws(pads, 3 * k, 8 + first.length + second.length + 40, c.auctionAvgSize, a.aExtra, i);
      } else {
        const email = first + '@' + second + '.com';
        a.pEmail[i] = email;
        a.pCard[i] = cards.substring(card, card + CARD_LENGTH - 1);
        card += CARD_LENGTH;
        const size = 8 + (a.pName[i] as string).length + email.length + CARD_LENGTH - 1 + (a.pCity[i] as string).length + (a.pState[i] as string).length;
        this.padFromDraws(pads, 3 * k, size, c.personAvgSize, a.pExtra, i);
      }
    }
  }

  /** The str() text from `start` for `length` characters, trimmed of spaces at both ends as Java's trim() does. */
  private str(start: number, length: number): string {
    let lo = start;
    let hi = start + length;
    const bytes = this.strBytes;
    while (lo < hi && bytes[lo] === 32) lo++;
    while (hi > lo && bytes[hi - 1] === 32) hi--;
    return this.strText.substring(lo, hi);
  }

  /** pad(cur, avg) into out[i] from the three draws at draws[d..d+2]. */
  private padFromDraws(draws: Uint32Array, d: number, cur: number, avg: number, out: string[], i: number): void {
    const { min, spread } = padRange(cur, avg);
    const len = min + (spread > SMALL_BOUND ? wideInt(draws[d] as number, draws[d + 1] as number, spread) : smallInt(draws[d] as number, spread));
    const x = draws[d + 2] as number;
    out[i] = len <= PAD_TEXT_LENGTH ? subPad(this.padText, smallInt(x, PAD_TEXT_LENGTH - len + 1), len) : longPad(this.padText, x, len);
  }

  /** An `extra` of length min + U[0, spread) cut from the padding text into out[i]; returns the pool position. */
  private pad(ri: number, min: number, spread: number, out: string[], i: number): number {
    const pool = this.pool;
    let len = min;
    if (spread > SMALL_BOUND) {
      len += wideInt(pool[ri] as number, pool[ri + 1] as number, spread);
      ri += 2;
    } else {
      len += smallInt(pool[ri++] as number, spread);
    }
    const x = pool[ri++] as number;
    out[i] = len <= PAD_TEXT_LENGTH ? subPad(this.padText, smallInt(x, PAD_TEXT_LENGTH - len + 1), len) : longPad(this.padText, x, len);
    return ri;
  }

  /** The second pass over a batch: the bids' channel, url and ready-cut extra strings, by their indices. */
  private gatherBidStrings(a: BatchArrays, n: number): void {
    const pairs = this.channelPairs;
    const pairIdx = this.pairIdx;
    const { bChannel, bUrl } = a;
    for (let i = 0; i < n; i++) {
      const p = (pairIdx[i] as number) << 1;
      bChannel[i] = pairs[p] as string;
      bUrl[i] = pairs[p + 1] as string;
    }
    const pieces = this.bidPieces;
    if (pieces === null) return;
    const pieceIdx = this.pieceIdx;
    const bExtra = a.bExtra;
    for (let i = 0; i < n; i++) bExtra[i] = pieces[pieceIdx[i] as number] as string;
  }
}

/** pad()'s length range: min + U[0, spread), with spread = 0 for a fixed length (NEXMARK.md §2.4). */
function padRange(cur: number, avg: number): { min: number; spread: number } {
  if (cur > avg) return { min: 0, spread: 0 };
  const d = avg - cur;
  const delta = Math.floor(d * 0.2 + 0.5); // Java's Math.round of a positive value; Math.round is slow in V8
  return { min: d - delta, spread: 2 * delta };
}

function subPad(padText: string, offset: number, len: number): string {
  return padText.substring(offset, offset + len);
}

/** An `extra` longer than the padding text (avg sizes over 1 MiB): the text repeated from a random offset. */
function longPad(padText: string, x: number, len: number): string {
  const offset = smallInt(x, PAD_TEXT_LENGTH);
  return padText.repeat(Math.ceil((len + offset) / PAD_TEXT_LENGTH)).substring(offset, offset + len);
}
