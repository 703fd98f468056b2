// The nexmark source's combined table (NEXMARK.md §1.1, ddl_gen.sql): one row per event, `event_type` says which
// of the three ROW columns is set; the generator fills batches of exactly this schema. The top-level `dateTime`
// is the DDL's computed column, produced directly because every event carries its time anyway.
import { Schema, Types, type LogicalType, type RowField } from '../../executor/index.js';

export const EVENT_TYPE_PERSON = 0;
export const EVENT_TYPE_AUCTION = 1;
export const EVENT_TYPE_BID = 2;

const row = (fields: Array<[string, LogicalType]>): LogicalType =>
  Types.ROW(fields.map(([name, type]): RowField => ({ name, type })));

export const PERSON_TYPE = row([
  ['id', Types.BIGINT()],
  ['name', Types.STRING()],
  ['emailAddress', Types.STRING()],
  ['creditCard', Types.STRING()],
  ['city', Types.STRING()],
  ['state', Types.STRING()],
  ['dateTime', Types.TIMESTAMP(3)],
  ['extra', Types.STRING()],
]);

export const AUCTION_TYPE = row([
  ['id', Types.BIGINT()],
  ['itemName', Types.STRING()],
  ['description', Types.STRING()],
  ['initialBid', Types.BIGINT()],
  ['reserve', Types.BIGINT()],
  ['dateTime', Types.TIMESTAMP(3)],
  ['expires', Types.TIMESTAMP(3)],
  ['seller', Types.BIGINT()],
  ['category', Types.BIGINT()],
  ['extra', Types.STRING()],
]);

export const BID_TYPE = row([
  ['auction', Types.BIGINT()],
  ['bidder', Types.BIGINT()],
  ['price', Types.BIGINT()],
  ['channel', Types.STRING()],
  ['url', Types.STRING()],
  ['dateTime', Types.TIMESTAMP(3)],
  ['extra', Types.STRING()],
]);

/**
 * The columns of every generated batch. Nullability follows the DDL (columns are nullable unless declared NOT
 * NULL). `dateTime` carries no time-attribute flag: the WATERMARK clause of the table makes it a rowtime, and
 * that is the planner's business, not the generator's.
 */
export const nexmarkSchema = new Schema([
  { name: 'event_type', type: Types.INT() },
  { name: 'person', type: PERSON_TYPE },
  { name: 'auction', type: AUCTION_TYPE },
  { name: 'bid', type: BID_TYPE },
  { name: 'dateTime', type: Types.TIMESTAMP(3) },
]);

/** Column positions in `nexmarkSchema` and, per ROW, child positions. */
export const NexmarkColumn = { eventType: 0, person: 1, auction: 2, bid: 3, dateTime: 4 } as const;
export const PersonField = { id: 0, name: 1, emailAddress: 2, creditCard: 3, city: 4, state: 5, dateTime: 6, extra: 7 } as const;
export const AuctionField = {
  id: 0,
  itemName: 1,
  description: 2,
  initialBid: 3,
  reserve: 4,
  dateTime: 5,
  expires: 6,
  seller: 7,
  category: 8,
  extra: 9,
} as const;
export const BidField = { auction: 0, bidder: 1, price: 2, channel: 3, url: 4, dateTime: 5, extra: 6 } as const;
