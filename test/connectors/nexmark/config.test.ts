// The nexmark options: reference names and defaults, parsing a WITH-clause string map, and errors that name the
// offending option.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NEXMARK_CONFIG,
  NEXMARK_OPTION_KEYS,
  NexmarkOptionError,
  maxEventsOf,
  nexmarkConfig,
  parseNexmarkOptions,
  totalProportion,
} from '../../../connectors/nexmark/index.js';

function optionError(f: () => unknown): NexmarkOptionError {
  try {
    f();
  } catch (e) {
    if (e instanceof NexmarkOptionError) return e;
    throw e;
  }
  throw new Error('expected a NexmarkOptionError');
}

describe('nexmark options', () => {
  it('has the reference defaults', () => {
    const c = parseNexmarkOptions({});
    expect(c).toEqual(DEFAULT_NEXMARK_CONFIG);
    expect(c).toMatchObject({
      firstEventRate: 10000,
      nextEventRate: 10000,
      eventsNum: 0,
      personProportion: 1,
      auctionProportion: 3,
      bidProportion: 46,
      personAvgSize: 200,
      auctionAvgSize: 500,
      bidAvgSize: 100,
      hotAuctionRatio: 2,
      hotBiddersRatio: 4,
      hotSellersRatio: 4,
      stopAt: -1,
      keepAlive: false,
      maxEmitSpeed: true,
      seed: 0,
      baseTime: null,
    });
    expect(totalProportion(c)).toBe(50);
    // Long.MAX_VALUE / (50 · 500), the reference's stand-in for "unbounded".
    expect(maxEventsOf(c)).toBe(368934881474191);
  });

  it('accepts every reference key', () => {
    expect(NEXMARK_OPTION_KEYS).toEqual(
      expect.arrayContaining([
        'first-event.rate',
        'next-event.rate',
        'rate.shape',
        'rate.period',
        'rate.limited',
        'events.num',
        'person.proportion',
        'auction.proportion',
        'bid.proportion',
        'person.avg-size',
        'auction.avg-size',
        'bid.avg-size',
        'bid.hot-ratio.auctions',
        'bid.hot-ratio.bidders',
        'auction.hot-ratio.sellers',
        'stop-at',
        'keep-alive',
        'max-emit-speed',
        'seed',
      ]),
    );
  });

  it('parses the V1 and V2 DDL options', () => {
    const v1 = parseNexmarkOptions({
      connector: 'nexmark',
      'first-event.rate': '10000000',
      'next-event.rate': '10000000',
      'events.num': '100000000',
    });
    expect(v1.firstEventRate).toBe(10_000_000);
    expect(v1.eventsNum).toBe(100_000_000);
    expect(maxEventsOf(v1)).toBe(100_000_000);
    const v2 = parseNexmarkOptions(
      new Map([
        ['first-event.rate', '100000'],
        ['events.num', '200000000'],
        ['stop-at', '150000000'],
        ['keep-alive', 'true'],
        ['max-emit-speed', 'TRUE'],
      ]),
    );
    expect(v2).toMatchObject({ firstEventRate: 100_000, eventsNum: 200_000_000, stopAt: 150_000_000, keepAlive: true, maxEmitSpeed: true });
  });

  it('parses Flink memory sizes, durations, shapes and seeds', () => {
    const c = parseNexmarkOptions({
      'person.avg-size': '1kb',
      'auction.avg-size': '2 KB',
      'bid.avg-size': '100b',
      'rate.period': '10 min',
      'rate.shape': 'sine',
      'rate.limited': 'false',
      seed: '-42',
      'base-time': '1700000000000',
    });
    expect(c).toMatchObject({
      personAvgSize: 1024,
      auctionAvgSize: 2048,
      bidAvgSize: 100,
      ratePeriodSec: 600,
      rateShape: 'SINE',
      seed: -42,
      baseTime: 1_700_000_000_000,
    });
    expect(parseNexmarkOptions({ 'bid.avg-size': '64' }).bidAvgSize).toBe(64);
  });

  it('rejects unknown keys, naming them and suggesting the near one', () => {
    const e = optionError(() => parseNexmarkOptions({ 'event.num': '10' }));
    expect(e.option).toBe('event.num');
    expect(e.message).toContain("'event.num'");
    expect(e.message).toContain("did you mean 'events.num'?");
    expect(e.message).toContain('Supported options:');
    const two = optionError(() => parseNexmarkOptions({ foo: '1', 'first-event.rate': '5', bar: '2' }));
    expect(two.message).toContain("'foo', 'bar'");
    // Keys are case-sensitive, as Flink's are.
    expect(optionError(() => parseNexmarkOptions({ 'Events.Num': '1' })).option).toBe('Events.Num');
  });

  it.each([
    ['first-event.rate', '0'],
    ['first-event.rate', 'fast'],
    ['first-event.rate', '1.5'],
    ['first-event.rate', '3000000000'],
    ['events.num', '-1'],
    ['events.num', '9007199254740993'],
    ['person.proportion', '-1'],
    ['bid.hot-ratio.auctions', '0'],
    ['auction.hot-ratio.sellers', 'x'],
    ['stop-at', '-2'],
    ['keep-alive', 'yes'],
    ['max-emit-speed', '1'],
    ['person.avg-size', '200 parsecs'],
    ['bid.avg-size', '3gb'],
    ['rate.shape', 'TRIANGLE'],
    ['rate.period', 'soon'],
    ['seed', '0x10'],
    ['base-time', '-5'],
    ['connector', 'kafka'],
  ])('rejects %s = %s, naming the option', (key, value) => {
    const e = optionError(() => parseNexmarkOptions({ [key]: value }));
    expect(e.option).toBe(key);
    expect(e.message).toContain(`'${key}'`);
    expect(e.message).toContain(`'${value}'`);
  });

  it('needs at least one event type', () => {
    const e = optionError(() => parseNexmarkOptions({ 'person.proportion': '0', 'auction.proportion': '0', 'bid.proportion': '0' }));
    expect(e.message).toContain('sum must be positive');
  });

  it('checks typed overrides as strictly as strings', () => {
    expect(nexmarkConfig({ firstEventRate: 5 }).firstEventRate).toBe(5);
    expect(optionError(() => nexmarkConfig({ firstEventRate: 0.5 })).option).toBe('first-event.rate');
    expect(optionError(() => nexmarkConfig({ hotBiddersRatio: 0 })).option).toBe('bid.hot-ratio.bidders');
    expect(Object.isFrozen(nexmarkConfig())).toBe(true);
  });

  it('derives the unbounded event count from proportions and sizes', () => {
    // Long.MAX_VALUE / (total proportion · largest avg size), as GeneratorConfig does.
    const c = nexmarkConfig({ bidAvgSize: 1000 });
    expect(maxEventsOf(c)).toBe(Number(9223372036854775807n / 50000n));
    // Where that bound exceeds exact doubles, it is capped so that ids stay exact.
    expect(maxEventsOf(nexmarkConfig({ personAvgSize: 0, auctionAvgSize: 0, bidAvgSize: 1, personProportion: 0, auctionProportion: 0, bidProportion: 1 }))).toBe(
      2 ** 53 - 2,
    );
  });
});
