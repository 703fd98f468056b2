// Fixed value tables for the generator (NEXMARK.md §2.4): names, cities, states, channels, the CACHE_URL and
// HOT_URL tables, the 1 MiB padding text and the price() lookup tables. Built once per process (the URL
// tables once per seed), so that the per-event work is a table look-up instead of string building.
import { Buffer } from 'node:buffer';
import { Prng } from './prng.js';

export const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'] as const;
export const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'] as const;
export const US_CITIES = [
  'Phoenix',
  'Los Angeles',
  'San Francisco',
  'Boise',
  'Portland',
  'Bend',
  'Redmond',
  'Seattle',
  'Kent',
  'Cheyenne',
] as const;
export const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'] as const;
export const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'] as const;
export const CHANNELS_NUMBER = 10000;

/** All 99 "first last" names: one uniform draw over this table equals the reference's two draws. */
export const PERSON_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) => LAST_NAMES.map((l) => `${f} ${l}`));

/** Length of the padding text: `extra` values are substrings of it (the reference's "one fixed 1 MiB string"). */
export const PAD_TEXT_LENGTH = 1 << 20;

let padText: string | null = null;

/**
 * The padding text: 1 MiB of uniform 'a'..'z', the alphabet of the reference's nextExactString. Built once from
 * a fixed seed, so it is the same in every process; which part an `extra` takes is drawn per event.
 */
export function getPadText(): string {
  if (padText === null) {
    const rng = new Prng(0x6e65786d, 0); // "nexm": any constant; the text is fixed, not per seed
    const bytes = Buffer.allocUnsafe(PAD_TEXT_LENGTH);
    for (let i = 0; i < PAD_TEXT_LENGTH; i++) bytes[i] = 97 + rng.nextInt(26);
    padText = bytes.toString('latin1');
  }
  return padText;
}

/**
 * Length of the str() text: str() values are substrings of it. 128 KiB stays in the L2 cache, where trimming a
 * value reads it; a 1 MiB text made every auction wait for memory (measured 1.4× slower). It still holds
 * millions of distinct values: 128 Ki offsets times up to 97 lengths.
 */
export const STR_TEXT_LENGTH = 1 << 17;

let strText: string | null = null;
let strBytes: Uint8Array | null = null;

/**
 * The text that str() values are cut from: each character is ' ' with probability 1/13, else uniform in
 * 'a'..'z' (NEXMARK.md §2.4), drawn once from a fixed seed. A substring at a uniform offset has the characters
 * of str() without a draw per character, which made auctions and persons cost ~10× a bid. The bytes are kept
 * too, for trimming without reading the string.
 */
export function getStrText(): { readonly text: string; readonly bytes: Uint8Array } {
  if (strText === null || strBytes === null) {
    const rng = new Prng(0x73747273, 0); // "strs": fixed, like the padding text
    const bytes = Buffer.allocUnsafe(STR_TEXT_LENGTH);
    // U[0, 338) with 338 = 13 · 26: the first 26 values (probability 1/13) are the space.
    for (let i = 0; i < STR_TEXT_LENGTH; i++) {
      const v = rng.nextInt(338);
      bytes[i] = v < 26 ? 32 : 97 + (v % 26);
    }
    strText = bytes.toString('latin1');
    strBytes = new Uint8Array(bytes);
  }
  return { text: strText, bytes: strBytes };
}

/** Entries of a pad-piece table, about: 16 Ki pointers (128 KiB) stay in the L2 cache. */
const PAD_PIECES_TARGET = 16384;
/** Tables are built for length ranges up to this wide; wider ranges (large avg sizes) cut per event. */
export const MAX_PAD_PIECE_SPREAD = 256;

const padPieceTables = new Map<string, readonly string[]>();

/**
 * Ready-cut `extra` values for lengths min .. min + spread − 1, the same number of each length, each a
 * substring of the padding text at an offset drawn once from a fixed seed. A bid picks a uniform entry instead
 * of cutting its own: a substring costs ~20 ns and a young object per event, the look-up ~2 ns. The value is
 * still a random substring of the fixed text with exactly the documented length distribution; only the set of
 * offsets is smaller, so bids share their `extra` strings (as values they are just padding). The last entry
 * is '', for non-bid rows.
 */
export function getPadPieces(min: number, spread: number): readonly string[] {
  const key = `${min}/${spread}`;
  const cached = padPieceTables.get(key);
  if (cached !== undefined) return cached;
  const text = getPadText();
  const rng = new Prng(0x70616473, min); // "pads": fixed, like the text itself
  const lengths = Math.max(spread, 1);
  const perLength = Math.max(1, Math.floor(PAD_PIECES_TARGET / lengths));
  const pieces: string[] = [];
  for (let l = 0; l < lengths; l++) {
    const len = min + l;
    for (let k = 0; k < perLength; k++) {
      const offset = rng.nextInt(PAD_TEXT_LENGTH - len + 1);
      pieces.push(text.substring(offset, offset + len));
    }
  }
  pieces.push(''); // the placeholder of non-bid rows, at pieces.length − 1
  padPieceTables.set(key, pieces);
  return pieces;
}

export interface UrlTables {
  /**
   * Every (channel, url) pair a bid can carry, flattened so that one cache line serves both: pair j < 10,000 at
   * 2j is (channel-j, CACHE_URL[j]); the hot pair h at 2·(HOT_PAIR + h) is (HOT_CHANNELS[h], HOT_URL[h]); the
   * last, at 2·EMPTY_PAIR, is ('', ''), the placeholder of non-bid rows.
   */
  readonly pairs: readonly string[];
}

export const HOT_PAIR = CHANNELS_NUMBER;
export const EMPTY_PAIR = CHANNELS_NUMBER + HOT_CHANNELS.length;

const urlTablesBySeed = new Map<number, UrlTables>();
/** Seeds whose tables are kept: a job uses one, tests a few; the oldest is dropped past this. */
const URL_TABLE_CACHE_SIZE = 4;

/**
 * The URL tables for a seed. The reference builds them from one static Random per JVM, shared by its splits;
 * here they come from the job's seed on a stream no split uses, so every split of a job sees the same tables.
 */
export function getUrlTables(seed: number): UrlTables {
  const cached = urlTablesBySeed.get(seed);
  if (cached !== undefined) return cached;
  // Stream 2^31 + 1 is past any split index, so the tables never replay a split's draws.
  const rng = new Prng(seed, 2 ** 31 + 1);
  const hot: string[] = [];
  for (const channel of HOT_CHANNELS) hot.push(channel, baseUrl(rng));
  const pairs: string[] = [];
  for (let j = 0; j < CHANNELS_NUMBER; j++) {
    const url = baseUrl(rng);
    pairs.push(`channel-${j}`, rng.nextInt(10) > 0 ? `${url}&channel_id=${channelId(j)}` : url);
  }
  pairs.push(...hot, '', '');
  // A plain array, not a frozen one: loads from frozen arrays went through a generic IC in the batch loop.
  const tables: UrlTables = { pairs };
  if (urlTablesBySeed.size >= URL_TABLE_CACHE_SIZE) urlTablesBySeed.delete(urlTablesBySeed.keys().next().value as number);
  urlTablesBySeed.set(seed, tables);
  return tables;
}

/**
 * `abs(Integer.reverse(j))` in Java's int32 arithmetic: abs leaves INT_MIN alone, so j = 1 gives -2147483648.
 */
export function channelId(j: number): number {
  let x = j | 0;
  let r = 0;
  for (let b = 0; b < 32; b++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r === -2147483648 ? r : Math.abs(r);
}

function baseUrl(rng: Prng): string {
  return `https://www.nexmark.com/${urlPart(rng)}/${urlPart(rng)}/${urlPart(rng)}/item.htm?query=1`;
}

/** str(5) with '_' as the special character, which trim() leaves in place. */
function urlPart(rng: Prng): string {
  const len = 3 + rng.nextInt(2);
  let s = '';
  for (let i = 0; i < len; i++) s += rng.nextInt(13) === 0 ? '_' : String.fromCharCode(97 + rng.nextInt(26));
  return s;
}

/**
 * price() = round(10^(6u) · 100) without Math.pow (~100 ns in V8) and without large tables (which miss the
 * cache in the batch loop): 10^(6u) = 2^t with t = 6u·log2(10) < 20, split as 2^⌊t⌋ · 2^(j/256) · 2^r with
 * r < 1/256, the last by a degree-4 series (relative error < 2e-15). For a 32-bit draw x, u = x / 2^32;
 * 32 bits still reach every integer price at the top of the range (one step of x moves 1e8 by 0.32).
 */
export function price(x: number): number {
  const t = x * PRICE_T_PER_DRAW;
  const s = Math.floor(t * 256);
  const y = (t - s / 256) * Math.LN2;
  const series = 1 + y * (1 + y * (0.5 + y * (1 / 6 + y * (1 / 24))));
  // Java's Math.round of a positive value; Math.round itself is slow in V8.
  return Math.floor((PRICE_POW2[s >>> 8] as number) * (PRICE_FRAC[s & 255] as number) * series + 0.5);
}

const PRICE_T_PER_DRAW = (6 * Math.log2(10)) / 2 ** 32;
/** 100 · 2^k: the whole powers of two of a price, with the factor 100 folded in. */
const PRICE_POW2 = new Float64Array(21);
/** 2^(j/256): its fractional power in steps of 1/256. */
const PRICE_FRAC = new Float64Array(256);
for (let k = 0; k < PRICE_POW2.length; k++) PRICE_POW2[k] = 100 * 2 ** k;
for (let j = 0; j < 256; j++) PRICE_FRAC[j] = 2 ** (j / 256);

