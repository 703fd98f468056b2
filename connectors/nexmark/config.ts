// The nexmark connector's options (NEXMARK.md §2.1): takes the string map of a SQL WITH clause or typed overrides,
// hands on a validated, frozen NexmarkConfig. Names and defaults are the reference's
// (NexmarkSourceOptions.java); `seed` is ours, because the reference's random fields are unseeded.

/** Every option of the connector, with the reference's key. */
export interface NexmarkConfig {
  /** `first-event.rate`: total events per event-time second over all splits; sets event-time spacing only. */
  readonly firstEventRate: number;
  /** `next-event.rate`: accepted for compatibility, unused (the reference never reads it either). */
  readonly nextEventRate: number;
  /** `rate.shape`, `rate.period`, `rate.limited`: accepted for compatibility, unused by the reference too. */
  readonly rateShape: 'SQUARE' | 'SINE';
  readonly ratePeriodSec: number;
  readonly rateLimited: boolean;
  /** `events.num`: total events over all splits; 0 = unbounded (see `maxEventsOf`). */
  readonly eventsNum: number;
  /** `person.proportion` / `auction.proportion` / `bid.proportion`: event ids cycle through their sum. */
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  /** `person.avg-size` / `auction.avg-size` / `bid.avg-size`, in bytes: targets for the `extra` padding. */
  readonly personAvgSize: number;
  readonly auctionAvgSize: number;
  readonly bidAvgSize: number;
  /** `bid.hot-ratio.auctions`: P(bid on the hot auction) = 1 − 1/ratio. */
  readonly hotAuctionRatio: number;
  /** `bid.hot-ratio.bidders`: P(hot bidder) = 1 − 1/ratio. */
  readonly hotBiddersRatio: number;
  /** `auction.hot-ratio.sellers`: P(hot seller) = 1 − 1/ratio. */
  readonly hotSellersRatio: number;
  /** `stop-at`: stop after this many events over all splits (split like events.num); −1 = never. */
  readonly stopAt: number;
  /** `keep-alive`: a finished source stays idle instead of ending its input. */
  readonly keepAlive: boolean;
  /** `max-emit-speed`: false paces emission to the wall clock by event time. */
  readonly maxEmitSpeed: boolean;
  /** `seed`: seeds every split's random fields; ids, types and timestamps do not depend on it. */
  readonly seed: number;
  /**
   * `base-time`: event time (epoch ms) of every split's first events; null = the wall clock when the job is
   * planned, as in the reference. Fixing it makes a whole run reproducible.
   */
  readonly baseTime: number | null;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  firstEventRate: 10000,
  nextEventRate: 10000,
  rateShape: 'SQUARE',
  ratePeriodSec: 600,
  rateLimited: false,
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

/** A bad or unknown option; `option` is the key as the user wrote it in the WITH clause. */
export class NexmarkOptionError extends Error {
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.name = 'NexmarkOptionError';
    this.option = option;
  }
}

const INT_MAX = 2147483647;
/** Event ids reach events.num + 1 and must stay exact doubles (BIGINT columns are exact-double f64). */
const MAX_EVENTS = 2 ** 53 - 2;

type Parser = (key: string, raw: string) => unknown;

interface OptionSpec {
  readonly key: string;
  readonly field: keyof NexmarkConfig;
  readonly parse: Parser;
}

const int = (min: number, max: number, what: string): Parser => (key, raw) => {
  const v = parseInteger(raw.trim());
  if (v === null || v < min || v > max) throw badValue(key, raw, what);
  return v;
};

const bool: Parser = (key, raw) => {
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badValue(key, raw, "'true' or 'false'");
};

const memory: Parser = (key, raw) => {
  const bytes = parseMemorySize(raw);
  if (bytes === null || bytes > INT_MAX) throw badValue(key, raw, "a size in bytes up to 2 GiB, e.g. '200b' or '1kb'");
  return bytes;
};

const shape: Parser = (key, raw) => {
  const v = raw.trim().toUpperCase();
  if (v === 'SQUARE' || v === 'SINE') return v;
  throw badValue(key, raw, "'SQUARE' or 'SINE'");
};

const duration: Parser = (key, raw) => {
  const ms = parseDurationMs(raw);
  if (ms === null) throw badValue(key, raw, "a duration, e.g. '600 s' or '10 min'");
  return Math.trunc(ms / 1000);
};

const baseTime: Parser = (key, raw) => {
  const v = parseInteger(raw.trim());
  if (v === null || v < 0 || v > 8.64e15) throw badValue(key, raw, 'an epoch-millisecond timestamp (a non-negative integer)');
  return v;
};

const OPTIONS: readonly OptionSpec[] = [
  { key: 'first-event.rate', field: 'firstEventRate', parse: int(1, INT_MAX, 'a positive integer (events per second)') },
  { key: 'next-event.rate', field: 'nextEventRate', parse: int(1, INT_MAX, 'a positive integer (events per second)') },
  { key: 'rate.shape', field: 'rateShape', parse: shape },
  { key: 'rate.period', field: 'ratePeriodSec', parse: duration },
  { key: 'rate.limited', field: 'rateLimited', parse: bool },
  { key: 'events.num', field: 'eventsNum', parse: int(0, MAX_EVENTS, 'a non-negative integer up to 2^53 − 2 (0 = unbounded)') },
  { key: 'person.proportion', field: 'personProportion', parse: int(0, INT_MAX, 'a non-negative integer') },
  { key: 'auction.proportion', field: 'auctionProportion', parse: int(0, INT_MAX, 'a non-negative integer') },
  { key: 'bid.proportion', field: 'bidProportion', parse: int(0, INT_MAX, 'a non-negative integer') },
  { key: 'person.avg-size', field: 'personAvgSize', parse: memory },
  { key: 'auction.avg-size', field: 'auctionAvgSize', parse: memory },
  { key: 'bid.avg-size', field: 'bidAvgSize', parse: memory },
  { key: 'bid.hot-ratio.auctions', field: 'hotAuctionRatio', parse: int(1, INT_MAX, 'a positive integer') },
  { key: 'bid.hot-ratio.bidders', field: 'hotBiddersRatio', parse: int(1, INT_MAX, 'a positive integer') },
  { key: 'auction.hot-ratio.sellers', field: 'hotSellersRatio', parse: int(1, INT_MAX, 'a positive integer') },
  { key: 'stop-at', field: 'stopAt', parse: int(-1, MAX_EVENTS, 'an integer ≥ −1 (−1 = never stop)') },
  { key: 'keep-alive', field: 'keepAlive', parse: bool },
  { key: 'max-emit-speed', field: 'maxEmitSpeed', parse: bool },
  { key: 'seed', field: 'seed', parse: int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a safe integer') },
  { key: 'base-time', field: 'baseTime', parse: baseTime },
];

/** The option keys the connector accepts, in the order of the reference's table. */
export const NEXMARK_OPTION_KEYS: readonly string[] = OPTIONS.map((o) => o.key);

const BY_KEY = new Map(OPTIONS.map((o) => [o.key, o]));
const KEY_OF = new Map<keyof NexmarkConfig, string>(OPTIONS.map((o) => [o.field, o.key]));

/**
 * Parses the options of a `WITH (...)` clause. Keys are exact (Flink's option keys are case-sensitive);
 * `connector` is the factory's own key and is accepted when it names this connector.
 */
export function parseNexmarkOptions(options: ReadonlyMap<string, string> | Readonly<Record<string, string>>): NexmarkConfig {
  const entries: Array<[string, string]> =
    options instanceof Map ? [...(options as ReadonlyMap<string, string>)] : Object.entries(options);
  const unknown = entries.map(([k]) => k).filter((k) => !BY_KEY.has(k) && k !== 'connector');
  if (unknown.length > 0) {
    const first = unknown[0] as string;
    const hint = closest(first);
    throw new NexmarkOptionError(
      first,
      `Unsupported option${unknown.length > 1 ? 's' : ''} for connector 'nexmark': ${unknown.map((k) => `'${k}'`).join(', ')}` +
        (hint === null ? '' : ` (did you mean '${hint}'?)`) +
        `. Supported options: ${NEXMARK_OPTION_KEYS.join(', ')}.`,
    );
  }
  const overrides: Record<string, unknown> = {};
  for (const [key, raw] of entries) {
    if (key === 'connector') {
      if (raw.trim() !== 'nexmark') throw badValue(key, raw, "'nexmark'");
      continue;
    }
    const spec = BY_KEY.get(key) as OptionSpec;
    overrides[spec.field] = spec.parse(key, raw);
  }
  return nexmarkConfig(overrides as Partial<NexmarkConfig>);
}

/** The defaults with the given typed overrides, checked as strictly as parsed options. */
export function nexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const c: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, ...overrides };
  const intIn = (field: keyof NexmarkConfig, min: number, max: number): void => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      const key = KEY_OF.get(field) as string;
      throw new NexmarkOptionError(key, `Invalid value for option '${key}': expected an integer in [${min}, ${max}], got ${String(v)}`);
    }
  };
  intIn('firstEventRate', 1, INT_MAX);
  intIn('nextEventRate', 1, INT_MAX);
  intIn('ratePeriodSec', 0, Number.MAX_SAFE_INTEGER);
  intIn('eventsNum', 0, MAX_EVENTS);
  intIn('personProportion', 0, INT_MAX);
  intIn('auctionProportion', 0, INT_MAX);
  intIn('bidProportion', 0, INT_MAX);
  intIn('personAvgSize', 0, INT_MAX);
  intIn('auctionAvgSize', 0, INT_MAX);
  intIn('bidAvgSize', 0, INT_MAX);
  intIn('hotAuctionRatio', 1, INT_MAX);
  intIn('hotBiddersRatio', 1, INT_MAX);
  intIn('hotSellersRatio', 1, INT_MAX);
  intIn('stopAt', -1, MAX_EVENTS);
  intIn('seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (c.baseTime !== null) intIn('baseTime', 0, 8.64e15);
  for (const f of ['rateLimited', 'keepAlive', 'maxEmitSpeed'] as const) {
    if (typeof c[f] !== 'boolean') {
      const key = KEY_OF.get(f) as string;
      throw new NexmarkOptionError(key, `Invalid value for option '${key}': expected a boolean, got ${String(c[f])}`);
    }
  }
  if (c.rateShape !== 'SQUARE' && c.rateShape !== 'SINE') {
    throw new NexmarkOptionError('rate.shape', `Invalid value for option 'rate.shape': expected 'SQUARE' or 'SINE', got ${String(c.rateShape)}`);
  }
  // The type cycle is proportion-sized: an empty cycle has no event types at all.
  if (c.personProportion + c.auctionProportion + c.bidProportion < 1) {
    throw new NexmarkOptionError(
      'person.proportion',
      "Invalid value for options 'person.proportion', 'auction.proportion', 'bid.proportion': their sum must be positive",
    );
  }
  return Object.freeze(c);
}

/** Sum of the three proportions: the length of the event-type cycle (50 by default). */
export function totalProportion(c: NexmarkConfig): number {
  return c.personProportion + c.auctionProportion + c.bidProportion;
}

/**
 * Events over all splits. events.num = 0 means unbounded, which the reference represents as
 * Long.MAX_VALUE / (total proportion · largest avg size): 368,934,881,474,191 with the defaults.
 */
export function maxEventsOf(c: NexmarkConfig): number {
  if (c.eventsNum > 0) return c.eventsNum;
  const divisor = BigInt(totalProportion(c)) * BigInt(Math.max(c.personAvgSize, c.auctionAvgSize, c.bidAvgSize, 1));
  const max = (2n ** 63n - 1n) / divisor;
  // With tiny proportions and sizes the reference's bound exceeds exact doubles; cap it where ids stay exact.
  return max > BigInt(MAX_EVENTS) ? MAX_EVENTS : Number(max);
}

function badValue(key: string, raw: string, expected: string): NexmarkOptionError {
  return new NexmarkOptionError(key, `Invalid value for option '${key}': expected ${expected}, got '${raw}'`);
}

function parseInteger(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : null;
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  bytes: 1,
  k: 1024,
  kb: 1024,
  kibibytes: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mebibytes: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gibibytes: 1024 ** 3,
};

/** Flink's MemorySize syntax: a non-negative integer and an optional unit (b, kb, mb, gb and their aliases). */
function parseMemorySize(raw: string): number | null {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  if (m === null) return null;
  const unit = MEMORY_UNITS[(m[2] as string).toLowerCase()];
  if (unit === undefined) return null;
  const v = Number(m[1]) * unit;
  return Number.isSafeInteger(v) ? v : null;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Flink's duration syntax (TimeUtils.parseDuration) at millisecond resolution: `600 s`, `10min`, `1h`. */
function parseDurationMs(raw: string): number | null {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  if (m === null) return null;
  const unit = DURATION_UNITS[(m[2] as string).toLowerCase()];
  if (unit === undefined) return null;
  const v = Number(m[1]) * unit;
  return Number.isSafeInteger(v) ? v : null;
}

/** The supported key nearest to a misspelt one, if it is near enough to be a plausible typo. */
function closest(key: string): string | null {
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(key.length / 4)) + 1;
  for (const k of NEXMARK_OPTION_KEYS) {
    const d = editDistance(key, k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
