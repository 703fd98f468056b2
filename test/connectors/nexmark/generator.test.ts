// The nexmark generator against NEXMARK.md §5: exact types, ids, timestamps and hot ids (the first-events
// table, V1, V2), counts per 50-event period, ranges and distributions of the random fields, determinism, seeds,
// batching, snapshots, splits and stop-at.
import { describe, expect, it } from 'vitest';
import { batchFromIPC, batchToIPC, isValid, rowAt, type RecordBatch } from '../../../executor/index.js';
import {
  NexmarkGenerator,
  eventTimestamp,
  eventTypeOf,
  interEventDelayUs,
  lastBase0AuctionId,
  lastBase0PersonId,
  nexmarkSchema,
  nexmarkSplit,
  nexmarkSplits,
  parseNexmarkOptions,
  splitEventTimestamp,
} from '../../../connectors/nexmark/index.js';
import { HOT_CHANNELS, PERSON_NAMES, US_CITIES, US_STATES, channelId, getUrlTables } from '../../../connectors/nexmark/tables.js';
import { at, expected, generator, mismatch, take, view, type BatchView } from './support.js';

const DEFAULTS = parseNexmarkOptions({});
const V1_OPTIONS = { 'first-event.rate': '10000000', 'next-event.rate': '10000000', 'events.num': '100000000' };
const V2_OPTIONS = { 'first-event.rate': '100000', 'events.num': '200000000' };

describe('first events with the connector defaults (rate 10,000, P = 1, baseTime 0)', () => {
  const v = take(generator({}), 5000);

  it('k = 0, 1: auctions 1001 and 1002 at 0 ms, hot seller 1000 or a recent person, expiring within 332 ms', () => {
    for (const [k, id] of [
      [0, 1001],
      [1, 1002],
    ] as const) {
      expect(v.eventType[k]).toBe(1);
      expect(v.auction.id[k]).toBe(id);
      expect(v.dateTime[k]).toBe(0);
      expect(v.auction.dateTime[k]).toBe(0);
      const seller = v.auction.seller[k] as number;
      expect(seller).toBeGreaterThanOrEqual(1000);
      expect(seller).toBeLessThanOrEqual(1010);
      const life = (v.auction.expires[k] as number) - (v.auction.dateTime[k] as number);
      expect(life).toBeGreaterThanOrEqual(1);
      expect(life).toBeLessThanOrEqual(332);
    }
  });

  it('k = 2..9: bids on auction 1000 (hot) or 1000..1012 by bidder 2001 (hot) or 2000..2010; k = 9 at 1 ms', () => {
    for (let k = 2; k <= 9; k++) {
      expect(v.eventType[k]).toBe(2);
      const auction = v.bid.auction[k] as number;
      const bidder = v.bid.bidder[k] as number;
      expect(auction >= 1000 && auction <= 1012).toBe(true);
      expect(bidder >= 2000 && bidder <= 2010).toBe(true);
      expect(v.dateTime[k]).toBe(k === 9 ? 1 : 0);
      expect(v.bid.dateTime[k]).toBe(v.dateTime[k]);
    }
  });

  it('k = 48, 49, 98, 4998, 4999: the persons and auctions of later periods', () => {
    expect([v.eventType[48], v.person.id[48], v.dateTime[48]]).toEqual([0, 1001, 4]);
    expect([v.eventType[49], v.auction.id[49], v.dateTime[49]]).toEqual([1, 1003, 5]);
    expect([v.eventType[98], v.person.id[98], v.dateTime[98]]).toEqual([0, 1002, 9]);
    expect([v.eventType[4998], v.person.id[4998], v.dateTime[4998]]).toEqual([0, 1100, 499]);
    expect([v.eventType[4999], v.auction.id[4999], v.dateTime[4999]]).toEqual([1, 1300, 500]);
    // k = 4999's seller is the hot seller 1100 or one of the last 1000 people (+ the lead of 10).
    const seller = v.auction.seller[4999] as number;
    expect(seller === 1100 || (seller >= 1000 && seller <= 1109)).toBe(true);
  });

  it('matches the spec model on every event', () => {
    for (let k = 0; k < v.length; k++) {
      const m = mismatch(v, k, expected(DEFAULTS, 1, 0, k));
      if (m !== null) throw new Error(`event ${k}: ${m}`);
    }
  });

  it('sets exactly one ROW per event and leaves the others NULL', () => {
    const batch = generator({}).nextBatch(100) as RecordBatch;
    expect(batch.schema).toBe(nexmarkSchema);
    for (let r = 0; r < batch.length; r++) {
      const type = view(batch).eventType[r] as number;
      for (let c = 1; c <= 3; c++) {
        const col = batch.columns[c];
        if (col === undefined || col.kind !== 'struct') throw new Error('not a struct');
        expect(isValid(col.validity, r)).toBe(c - 1 === type);
        // The children carry the ROW's nulls too, so a field read on its own is NULL on other rows.
        for (const child of col.children) expect(isValid(child.validity, r)).toBe(c - 1 === type);
      }
      const row = rowAt(batch, r);
      expect(row[0]).toBe(type);
      expect(row.slice(1, 4).filter((x) => x !== null)).toHaveLength(1);
      expect(row[4]).toBe(Math.floor(((r + 1) * 100) / 1000));
    }
  });

  it('round-trips through Arrow IPC', () => {
    const batch = generator({ seed: '3' }).nextBatch(500) as RecordBatch;
    const [back] = batchFromIPC(batchToIPC(batch));
    if (back === undefined) throw new Error('no batch');
    expect(back.length).toBe(500);
    for (const r of [0, 1, 4, 48, 49, 250, 499]) expect(rowAt(back, r)).toEqual(rowAt(batch, r));
  });
});

describe('V1 generators (10 M/s, P = 8, 100 M events)', () => {
  const config = parseNexmarkOptions(V1_OPTIONS);

  it.each([0, 1, 2, 3, 4, 5, 6, 7])('generator %i: first id, first auction, hot seller, timestamps', (g) => {
    const gen = generator(V1_OPTIONS, 8, g);
    expect(gen.split.firstEventId).toBe(1 + 12_500_000 * g);
    expect(gen.split.maxEvents).toBe(12_500_000);
    const v = take(gen, 1300);
    expect(v.eventType[0]).toBe(1);
    expect(v.auction.id[0]).toBe(1001 + 750_000 * g);
    const hot = 1000 + 250_000 * g;
    const seller = v.auction.seller[0] as number;
    expect(seller === hot || (seller >= hot - 1000 && seller <= hot + 10)).toBe(true);
    for (let k = 0; k < v.length; k++) {
      expect(v.dateTime[k]).toBe(k < 1249 ? 0 : 1);
      const m = mismatch(v, k, expected(config, 8, g, k));
      if (m !== null) throw new Error(`event ${k}: ${m}`);
    }
    // The last event, reached without generating the 12.5 M before it.
    const last = at(gen, 12_499_999);
    expect(last.timestampOf(12_499_999)).toBe(10_000);
    const tail = take(last, 1);
    expect(tail.dateTime[0]).toBe(10_000);
    expect(last.nextBatch(10)).toBeNull();
  });

  it('auctions last 1–4 ms', () => {
    const v = take(generator(V1_OPTIONS, 8, 2), 20_000);
    for (let k = 0; k < v.length; k++) {
      if (v.eventType[k] !== 1) continue;
      const life = (v.auction.expires[k] as number) - (v.auction.dateTime[k] as number);
      expect(life >= 1 && life <= 4).toBe(true);
    }
  });

  it('each generator holds exactly 250,000 persons, 750,000 auctions and 11,500,000 bids', () => {
    // One split by the type rule (all eight have the same 12.5 M-id shape; 12.5 M look-ups take a while).
    for (const split of nexmarkSplits(config, 8, 0).filter((s) => s.index === 5)) {
      const counts = [0, 0, 0];
      const first = split.firstEventId + 1;
      for (let e = first; e < first + split.maxEvents; e++) counts[eventTypeOf(config, e)]++;
      expect(counts).toEqual([250_000, 750_000, 11_500_000]);
    }
    // The generator's types are those of its ids, and it stops exactly at its share.
    const gen = generator(V1_OPTIONS, 8, 7);
    const v = take(gen, 5000);
    for (let k = 0; k < v.length; k++) expect(v.eventType[k]).toBe(eventTypeOf(config, gen.eventIdOf(k)));
    const end = at(gen, 12_500_000 - 777);
    let rows = 0;
    for (let b = end.nextBatch(500); b !== null; b = end.nextBatch(500)) rows += b.length;
    expect(rows).toBe(777);
  });
});

describe('V2 generators (100 k/s, P = 8, 200 M events)', () => {
  const config = parseNexmarkOptions(V2_OPTIONS);

  it.each([0, 3, 7])('generator %i: ids and dateTime = floor((k+1)·80/1000)', (g) => {
    const gen = generator(V2_OPTIONS, 8, g);
    expect(gen.split.firstEventId).toBe(1 + 25_000_000 * g);
    expect(gen.split.interEventDelayUs).toBe(80);
    const v = take(gen, 2000);
    expect(v.auction.id[0]).toBe(1001 + 1_500_000 * g);
    for (let k = 0; k < v.length; k++) {
      expect(v.dateTime[k]).toBe(Math.floor(((k + 1) * 80) / 1000));
      const m = mismatch(v, k, expected(config, 8, g, k));
      if (m !== null) throw new Error(`event ${k}: ${m}`);
    }
    // The start of the measured phase, 1500 s in.
    const measured = at(gen, 18_750_000);
    const w = take(measured, 2000);
    expect(w.dateTime[0]).toBe(1_500_000);
    for (let k = 0; k < w.length; k++) {
      const m = mismatch(w, k, expected(config, 8, g, 18_750_000 + k));
      if (m !== null) throw new Error(`event ${18_750_000 + k}: ${m}`);
    }
  });
});

describe('event structure', () => {
  it('any 50 consecutive events hold 1 person, 3 auctions and 46 bids', () => {
    for (const [options, p, g] of [
      [{}, 1, 0],
      [V1_OPTIONS, 8, 5],
      [V2_OPTIONS, 8, 1],
    ] as const) {
      const v = take(generator(options, p, g), 3000);
      for (let start = 0; start + 50 <= v.length; start += 7) {
        const counts = [0, 0, 0];
        for (let k = start; k < start + 50; k++) counts[v.eventType[k] as number]++;
        expect(counts).toEqual([1, 3, 46]);
      }
    }
  });

  it('follows the id formulas for other proportions too', () => {
    const options = { 'person.proportion': '2', 'auction.proportion': '5', 'bid.proportion': '13' };
    const config = parseNexmarkOptions(options);
    const gen = generator(options, 3, 1);
    const v = take(gen, 2000);
    for (let k = 0; k < v.length; k++) {
      const e = gen.eventIdOf(k);
      const type = v.eventType[k] as number;
      expect(type).toBe(eventTypeOf(config, e));
      if (type === 0) expect(v.person.id[k]).toBe(lastBase0PersonId(config, e) + 1000);
      if (type === 1) expect(v.auction.id[k]).toBe(lastBase0AuctionId(config, e) + 1000);
    }
  });

  it('computes event times as the reference does', () => {
    expect(interEventDelayUs(10_000, 1)).toBe(100);
    expect(interEventDelayUs(10_000_000, 8)).toBe(0.8);
    expect(interEventDelayUs(100_000, 8)).toBe(80);
    expect(eventTimestamp(0, 0.8, 1249)).toBe(0);
    expect(eventTimestamp(0, 0.8, 1250)).toBe(1);
    expect(eventTimestamp(1_000, 100, 4999)).toBe(1_499);
    // A rate that does not divide 1e6 evenly: D = 1e6 / 3 · 1 in doubles, truncated µs, then whole ms.
    const d = interEventDelayUs(3, 1);
    for (const n of [1, 2, 3, 1000, 123_457]) expect(eventTimestamp(0, d, n)).toBe(Math.floor(Math.trunc(n * d) / 1000));
    const gen = generator({ 'first-event.rate': '7', 'events.num': '100' });
    const v = take(gen, 100);
    for (let k = 0; k < 100; k++) expect(v.dateTime[k]).toBe(splitEventTimestamp(gen.split, k + 1));
  });

  it('offsets every timeline by baseTime', () => {
    const v = take(generator({}, 1, 0, 1_700_000_000_000), 100);
    for (let k = 0; k < 100; k++) expect(v.dateTime[k]).toBe(1_700_000_000_000 + Math.floor(((k + 1) * 100) / 1000));
  });
});

describe('random fields', () => {
  const N = 250_000;
  const v = take(generator({ seed: '11' }), N);

  function rows(type: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < v.length; k++) if (v.eventType[k] === type) out.push(k);
    return out;
  }
  const persons = rows(0);
  const auctions = rows(1);
  const bids = rows(2);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

  it('keeps auctions in range: category 10..14, reserve ≥ initialBid, expires within 2h', () => {
    const categories = [0, 0, 0, 0, 0];
    const bad: number[] = [];
    for (const k of auctions) {
      const category = v.auction.category[k] as number;
      categories[category - 10]++;
      const life = (v.auction.expires[k] as number) - (v.auction.dateTime[k] as number);
      // h = ts(n + 1666) − ts(n) is 166 or 167 ms here.
      const n = k + 1;
      const h = Math.floor(((n + 1666) * 100) / 1000) - Math.floor((n * 100) / 1000);
      const ok =
        category >= 10 && category <= 14 && (v.auction.reserve[k] as number) >= (v.auction.initialBid[k] as number) && life >= 1 && life <= 2 * h;
      if (!ok) bad.push(k);
    }
    expect(bad).toEqual([]);
    for (const c of categories) expect(c / auctions.length).toBeCloseTo(0.2, 1);
  });

  it('draws prices log-uniformly on [100, 1e8], a third below 1e4 and a third from 1e6', () => {
    const bands = [0, 0, 0];
    let outside = 0;
    for (const k of bids) {
      const price = v.bid.price[k] as number;
      if (!Number.isInteger(price) || price < 100 || price > 1e8) outside++;
      bands[price < 1e4 ? 0 : price < 1e6 ? 1 : 2]++;
    }
    expect(outside).toBe(0);
    for (const b of bands) expect(Math.abs(b / bids.length - 1 / 3)).toBeLessThan(0.01);
    expect(auctions.filter((k) => (v.auction.initialBid[k] as number) < 100)).toEqual([]);
  });

  it('takes hot auctions about half the time and hot bidders and sellers about 3/4 of the time', () => {
    let hotAuction = 0;
    let hotBidder = 0;
    for (const k of bids) {
      const x = expected(DEFAULTS, 1, 0, k);
      if (v.bid.auction[k] === x.hotAuction) hotAuction++;
      if (v.bid.bidder[k] === x.hotBidder) hotBidder++;
    }
    let hotSeller = 0;
    for (const k of auctions) if (v.auction.seller[k] === expected(DEFAULTS, 1, 0, k).hotSeller) hotSeller++;
    // Slightly above 1 − 1/ratio: a random pick can hit the hot id too.
    expect(hotAuction / bids.length).toBeGreaterThan(0.495);
    expect(hotAuction / bids.length).toBeLessThan(0.52);
    expect(hotBidder / bids.length).toBeGreaterThan(0.745);
    expect(hotBidder / bids.length).toBeLessThan(0.765);
    expect(hotSeller / auctions.length).toBeGreaterThan(0.73);
    expect(hotSeller / auctions.length).toBeLessThan(0.78);
  });

  it('keeps non-hot ids within the randPerson and randAuction ranges', () => {
    for (let k = 0; k < v.length; k++) {
      const m = mismatch(v, k, expected(DEFAULTS, 1, 0, k));
      if (m !== null) throw new Error(`event ${k}: ${m}`);
    }
  });

  it('pads extra to the documented lengths', () => {
    const bidLengths = bids.map((k) => (v.bid.extra[k] as string).length);
    expect(bidLengths.reduce((m, x) => Math.min(m, x))).toBe(54);
    expect(bidLengths.reduce((m, x) => Math.max(m, x))).toBe(81);
    expect(mean(bidLengths)).toBeCloseTo(67.5, 0);
    expect(mean(persons.map((k) => (v.person.extra[k] as string).length))).toBeGreaterThan(135);
    expect(mean(persons.map((k) => (v.person.extra[k] as string).length))).toBeLessThan(143);
    expect(mean(auctions.map((k) => (v.auction.extra[k] as string).length))).toBeGreaterThan(385);
    expect(mean(auctions.map((k) => (v.auction.extra[k] as string).length))).toBeLessThan(395);
    const notLetters = [...bids.slice(0, 5000), ...persons, ...auctions].filter((k) => {
      const extra = v.eventType[k] === 2 ? v.bid.extra[k] : v.eventType[k] === 1 ? v.auction.extra[k] : v.person.extra[k];
      return !/^[a-z]*$/.test(extra as string);
    });
    expect(notLetters).toEqual([]);
    // The person's extra tops its fields up to 200 bytes on average.
    const sizes = persons.map((k) => {
      const fields = [v.person.name, v.person.emailAddress, v.person.creditCard, v.person.city, v.person.state];
      const cur = 8 + fields.reduce((s, f) => s + (f[k] as string).length, 0);
      const d = 200 - cur;
      const len = (v.person.extra[k] as string).length;
      const delta = Math.round(0.2 * d);
      expect(len).toBeGreaterThanOrEqual(d - delta);
      expect(len).toBeLessThan(d + Math.max(delta, 1));
      return cur + len;
    });
    expect(mean(sizes)).toBeGreaterThan(197);
    expect(mean(sizes)).toBeLessThan(203);
  });

  it('fills person fields from the reference tables and formats', () => {
    const word = '(?:[a-z](?:[a-z ]*[a-z])?)?';
    const email = new RegExp(`^${word}@${word}\\.com$`);
    for (const k of persons) {
      expect(PERSON_NAMES).toContain(v.person.name[k]);
      expect(v.person.emailAddress[k]).toMatch(email);
      expect(v.person.creditCard[k]).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(US_CITIES).toContain(v.person.city[k]);
      expect(US_STATES).toContain(v.person.state[k]);
    }
    const states = new Set(persons.map((k) => v.person.state[k]));
    expect(states.size).toBe(6);
  });

  it('makes str() values: length 3 + U[0, max − 3), trimmed, spaces 1/13 of the characters', () => {
    let chars = 0;
    let spaces = 0;
    const bad: string[] = [];
    for (const k of auctions) {
      const item = v.auction.itemName[k] as string;
      const description = v.auction.description[k] as string;
      if (item.length > 19 || description.length > 99) bad.push(`${k}: too long`);
      for (const s of [item, description]) {
        if (s !== s.trim() || !/^[a-z ]*$/.test(s)) bad.push(`${k}: '${s}'`);
        chars += s.length;
        spaces += s.split(' ').length - 1;
      }
    }
    expect(bad).toEqual([]);
    // Trimming removes only edge spaces, so the inner fraction stays close to 1/13.
    expect(spaces / chars).toBeGreaterThan(0.07);
    expect(spaces / chars).toBeLessThan(0.08);
    const descriptionLengths = auctions.map((k) => (v.auction.description[k] as string).length);
    expect(mean(descriptionLengths)).toBeGreaterThan(48);
    expect(mean(descriptionLengths)).toBeLessThan(52);
  });

  it('pairs channels with urls: hot half the time, else channel-j with CACHE_URL[j]', () => {
    const tables = getUrlTables(11).pairs;
    const url = /^https:\/\/www\.nexmark\.com\/[a-z_]{3,4}\/[a-z_]{3,4}\/[a-z_]{3,4}\/item\.htm\?query=1(&channel_id=-?\d+)?$/;
    let hot = 0;
    let withId = 0;
    const bad: string[] = [];
    for (const k of bids) {
      const channel = v.bid.channel[k] as string;
      const u = v.bid.url[k] as string;
      if (!url.test(u)) bad.push(u);
      const h = (HOT_CHANNELS as readonly string[]).indexOf(channel);
      if (h >= 0) {
        hot++;
        if (u !== tables[2 * (10_000 + h) + 1] || u.includes('channel_id')) bad.push(`${channel} ${u}`);
        continue;
      }
      const j = Number(/^channel-(\d+)$/.exec(channel)?.[1]);
      if (!(j >= 0 && j < 10_000) || u !== tables[2 * j + 1]) bad.push(`${channel} ${u}`);
      const id = /&channel_id=(-?\d+)$/.exec(u);
      if (id !== null) {
        withId++;
        if (Number(id[1]) !== channelId(j)) bad.push(`${channel} ${u}`);
      }
    }
    expect(bad).toEqual([]);
    expect(hot / bids.length).toBeGreaterThan(0.49);
    expect(hot / bids.length).toBeLessThan(0.51);
    expect(withId / (bids.length - hot)).toBeGreaterThan(0.88);
    expect(withId / (bids.length - hot)).toBeLessThan(0.92);
  });

  it('reverses channel bits like Java, keeping abs(INT_MIN) negative', () => {
    expect(channelId(0)).toBe(0);
    expect(channelId(1)).toBe(-2147483648);
    expect(channelId(2)).toBe(1073741824);
    // 3 = 0b11 reverses to 0xC0000000 = −2^30 as an int32.
    expect(channelId(3)).toBe(1073741824);
    expect(channelId(9999)).toBe(Math.abs(Number.parseInt([...(9999).toString(2).padStart(32, '0')].reverse().join(''), 2) | 0));
  });
});

describe('determinism', () => {
  function columns(batches: BatchView[]): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    const push = (name: string, values: ArrayLike<unknown>, length: number): void => {
      const list = (out[name] ??= []);
      for (let i = 0; i < length; i++) list.push(values[i]);
    };
    for (const b of batches) {
      push('eventType', b.eventType, b.length);
      push('dateTime', b.dateTime, b.length);
      for (const group of ['person', 'auction', 'bid'] as const) {
        for (const [field, values] of Object.entries(b[group])) {
          if (values !== null && field !== 'validity') push(`${group}.${field}`, values as ArrayLike<unknown>, b.length);
        }
      }
    }
    return out;
  }

  function run(options: Record<string, string>, sizes: number[], parallelism = 1, g = 0): Record<string, unknown[]> {
    const gen = generator(options, parallelism, g);
    return columns(sizes.map((s) => take(gen, s)));
  }

  it('gives the same events for the same seed, however they are batched', () => {
    const a = run({ seed: '7' }, [20_000]);
    const b = run({ seed: '7' }, [1, 999, 8192, 3, 7000, 3805]);
    expect(b).toEqual(a);
  });

  it('changes random fields with the seed but not types, ids or timestamps', () => {
    const a = run({ seed: '1' }, [20_000], 8, 3);
    const b = run({ seed: '2' }, [20_000], 8, 3);
    for (const fixed of ['eventType', 'dateTime', 'person.id', 'person.dateTime', 'auction.id', 'auction.dateTime', 'bid.dateTime']) {
      expect(b[fixed]).toEqual(a[fixed]);
    }
    // Over the rows of the field's event type, the share of equal values stays near chance: both hot (or the
    // same hot channel) for the ids and urls, far lower for prices, strings and names.
    const limits: Array<[string, number, number]> = [
      ['bid.price', 2, 0.01],
      ['bid.extra', 2, 0.01],
      ['bid.url', 2, 0.2],
      ['bid.auction', 2, 0.35],
      ['bid.bidder', 2, 0.65],
      ['auction.seller', 1, 0.7],
      ['auction.description', 1, 0.01],
      ['auction.initialBid', 1, 0.01],
      ['person.emailAddress', 0, 0.01],
      ['person.name', 0, 0.05],
    ];
    const types = a.eventType as number[];
    for (const [field, type, limit] of limits) {
      const x = a[field] as unknown[];
      const y = b[field] as unknown[];
      let rows = 0;
      let same = 0;
      for (let i = 0; i < x.length; i++) {
        if (types[i] !== type) continue;
        rows++;
        if (x[i] === y[i]) same++;
      }
      expect(rows).toBeGreaterThan(300);
      expect(same / rows, field).toBeLessThan(limit);
    }
  });

  it('gives different splits different random streams', () => {
    const config = parseNexmarkOptions({});
    const a = new NexmarkGenerator(config, nexmarkSplit(config, 2, 0, 0));
    const b = new NexmarkGenerator(config, nexmarkSplit(config, 2, 1, 0));
    expect(take(a, 1000).bid.price).not.toEqual(take(b, 1000).bid.price);
  });

  it('resumes exactly from a snapshot', () => {
    const gen = generator({ seed: '5' });
    take(gen, 12_345);
    const state = gen.snapshot();
    const rest = columns([take(gen, 9000)]);
    const resumed = new NexmarkGenerator(gen.config, gen.split, state);
    expect(resumed.eventsEmitted).toBe(12_345);
    expect(columns([take(resumed, 9000)])).toEqual(rest);
    // A fresh generator's snapshot resumes too (an empty pool).
    const fresh = generator({ seed: '5' });
    const again = new NexmarkGenerator(fresh.config, fresh.split, fresh.snapshot());
    expect(columns([take(again, 100)])).toEqual(columns([take(generator({ seed: '5' }), 100)]));
  });
});

describe('splits, limits and pacing', () => {
  it('splits events.num like GeneratorConfig.split, the last split taking the rest', () => {
    const config = parseNexmarkOptions({ 'events.num': '100' });
    const splits = nexmarkSplits(config, 8, 42);
    expect(splits.map((s) => s.firstEventId)).toEqual([1, 13, 25, 37, 49, 61, 73, 85]);
    expect(splits.map((s) => s.maxEvents)).toEqual([12, 12, 12, 12, 12, 12, 12, 16]);
    expect(splits.every((s) => s.baseTime === 42 && s.stopAt === -1)).toBe(true);
    const total = splits.reduce((sum, s) => {
      const gen = new NexmarkGenerator(config, s);
      let n = 0;
      for (let b = gen.nextBatch(5); b !== null; b = gen.nextBatch(5)) n += b.length;
      expect(gen.hasNext()).toBe(false);
      return sum + n;
    }, 0);
    expect(total).toBe(100);
  });

  it('splits stop-at the same way and stops each split there', () => {
    const config = parseNexmarkOptions({ 'events.num': '1000', 'stop-at': '401' });
    const splits = nexmarkSplits(config, 4, 0);
    expect(splits.map((s) => s.stopAt)).toEqual([100, 100, 100, 101]);
    const gen = new NexmarkGenerator(config, splits[3] as (typeof splits)[number]);
    expect(gen.eventsRemaining).toBe(101);
    expect(gen.nextBatch(1000)?.length).toBe(101);
    expect(gen.nextBatch(1)).toBeNull();
    // stop-at = −1 stops no split, at any parallelism.
    expect(nexmarkSplits(parseNexmarkOptions({ 'events.num': '1000' }), 3, 0).map((s) => s.stopAt)).toEqual([-1, -1, -1]);
  });

  it('counts the events due by an event time', () => {
    const gen = generator({ 'first-event.rate': '3000', 'events.num': '1000' }, 2, 1, 1000);
    const times = Array.from({ length: 500 }, (_, k) => gen.timestampOf(k));
    for (const t of [0, 999, 1000, 1001, 1002, 1100, 1333, times[499] as number, 1e15, Infinity]) {
      expect(gen.eventsDueBy(t)).toBe(times.filter((x) => x <= t).length);
    }
    take(gen, 123);
    expect(gen.eventsDueBy(times[200] as number)).toBe(times.filter((x) => x <= (times[200] as number)).length - 123);
  });

  it('rejects bad batch sizes and states', () => {
    const gen = generator({});
    expect(() => gen.nextBatch(0)).toThrow(RangeError);
    expect(() => gen.nextBatch(1.5)).toThrow(RangeError);
    expect(() => new NexmarkGenerator(gen.config, gen.split, { ...gen.snapshot(), poolPos: -1 })).toThrow(RangeError);
    expect(() => nexmarkSplit(gen.config, 4, 4, 0)).toThrow(RangeError);
  });
});
