// The Nexmark queries as the benchmark runs them (../shared/NEXMARK.md §1 and §3, from nexmark-flink's
// queries/*.sql): the source DDL and views, and per query its blackhole sink table and INSERT statement. The
// sink columns are the reference's (q7's swapped bidder/price and q1's DECIMAL(23, 3) included).
// Shared by scripts/bench-nexmark.ts and test/bench/.

export interface SourceOptions {
  readonly events: number;
  /** `first-event.rate`: events per event-time second (and per wall second when paced). */
  readonly tps: number;
  /** Paced to the wall clock (`max-emit-speed` = false): the latency mode. */
  readonly paced: boolean;
  /** Fixed event time of the first events, or null for the wall clock at planning (the reference's). */
  readonly baseTime: number | null;
  readonly seed: number;
}

export function sourceDdl(o: SourceOptions): string {
  const opts = [
    `'connector' = 'nexmark'`,
    `'first-event.rate' = '${o.tps}'`,
    `'next-event.rate' = '${o.tps}'`,
    `'events.num' = '${o.events}'`,
    `'max-emit-speed' = '${!o.paced}'`,
    `'seed' = '${o.seed}'`,
    ...(o.baseTime === null ? [] : [`'base-time' = '${o.baseTime}'`]),
  ];
  return `CREATE TABLE datagen (
  event_type INT,
  person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, \`dateTime\` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
  bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, \`dateTime\` TIMESTAMP(3), extra VARCHAR>,
  \`dateTime\` AS CASE WHEN event_type = 0 THEN person.\`dateTime\` WHEN event_type = 1 THEN auction.\`dateTime\` ELSE bid.\`dateTime\` END,
  WATERMARK FOR \`dateTime\` AS \`dateTime\` - INTERVAL '4' SECOND
) WITH (${opts.join(', ')})`;
}

export const VIEWS: readonly string[] = [
  'CREATE VIEW person AS SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city, person.state, `dateTime`, person.extra FROM datagen WHERE event_type = 0',
  'CREATE VIEW auction AS SELECT auction.id, auction.itemName, auction.description, auction.initialBid, auction.reserve, `dateTime`, auction.expires, auction.seller, auction.category, auction.extra FROM datagen WHERE event_type = 1',
  'CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra FROM datagen WHERE event_type = 2',
];

/**
 * How the latency mode dates an output row: `event` = emitted − ingested, the row's event time being the
 * ingest time of its event under pacing; `watermark` = emitted − the moment the watermark passed the window end
 * (`end` = the window end the row's column gives, after `offsetMs`); `proctime` = emitted − the processing-time
 * window end. `column` names the sink column; `extraSelect` is appended to the query's SELECT list when the
 * query itself drops the time (the latency run measures that variant, the throughput run never does).
 */
export interface LatencySpec {
  readonly kind: 'event' | 'watermark' | 'proctime';
  readonly column: string;
  /** Window end from the column's value: end = floor(v / windowMs) · windowMs + windowMs when set, else v + offsetMs. */
  readonly windowMs?: number;
  readonly offsetMs?: number;
  readonly extraColumn?: { readonly ddl: string; readonly select: string };
}

export interface NexmarkQuery {
  readonly name: string;
  /** Statements run before the INSERT (q12's view). */
  readonly setup: readonly string[];
  /** The sink's column list, as in nexmark-flink's qN.sql. */
  readonly sinkColumns: string;
  readonly insert: string;
  /** Windowed queries take part in the memory comparison (state cleaned by the watermark). */
  readonly windowed: boolean;
  /** Output depends on the wall clock (processing time): its checksum is not reproducible. */
  readonly wallClockDependent?: boolean;
  /** How the latency mode dates output rows; absent: the query has no latency measurement (its output carries no time). */
  readonly latency?: LatencySpec;
  /** Functions the query needs, registered by the runner (Nexmark's Java UDFs). */
  readonly udfs?: readonly 'count_char'[];
}

const BID_SINK =
  'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR';
const STATS =
  'total_bids BIGINT, rank1_bids BIGINT, rank2_bids BIGINT, rank3_bids BIGINT, total_bidders BIGINT, rank1_bidders BIGINT, rank2_bidders BIGINT, rank3_bidders BIGINT, total_auctions BIGINT, rank1_auctions BIGINT, rank2_auctions BIGINT, rank3_auctions BIGINT';
const STATS_SELECT = `count(*) AS total_bids,
  count(*) filter (where price < 10000) AS rank1_bids,
  count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
  count(*) filter (where price >= 1000000) AS rank3_bids,
  count(distinct bidder) AS total_bidders,
  count(distinct bidder) filter (where price < 10000) AS rank1_bidders,
  count(distinct bidder) filter (where price >= 10000 and price < 1000000) AS rank2_bidders,
  count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders,
  count(distinct auction) AS total_auctions,
  count(distinct auction) filter (where price < 10000) AS rank1_auctions,
  count(distinct auction) filter (where price >= 10000 and price < 1000000) AS rank2_auctions,
  count(distinct auction) filter (where price >= 1000000) AS rank3_auctions`;
const EVENT_TIME = { kind: 'event', column: 'dateTime' } as const;
const WITH_EVENT_TIME = {
  kind: 'event',
  column: 'lat_ts',
  extraColumn: { ddl: 'lat_ts TIMESTAMP(3)', select: '`dateTime` AS lat_ts' },
} as const;
const q = (
  x: Omit<NexmarkQuery, 'setup' | 'windowed'> & Partial<Pick<NexmarkQuery, 'setup' | 'windowed'>>,
): NexmarkQuery => ({ setup: [], windowed: false, ...x });

export const QUERIES: readonly NexmarkQuery[] = [
  q({
    name: 'q0',
    sinkColumns: 'auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR',
    insert: 'INSERT INTO nexmark_q0 SELECT auction, bidder, price, `dateTime`, extra FROM bid',
    latency: EVENT_TIME,
  }),
  q({
    name: 'q1',
    sinkColumns:
      'auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), `dateTime` TIMESTAMP(3), extra VARCHAR',
    insert:
      'INSERT INTO nexmark_q1 SELECT auction, bidder, 0.908 * price as price, `dateTime`, extra FROM bid',
    latency: EVENT_TIME,
  }),
  q({
    name: 'q2',
    sinkColumns: 'auction BIGINT, price BIGINT',
    insert: 'INSERT INTO nexmark_q2 SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0',
    latency: WITH_EVENT_TIME,
  }),
  q({
    name: 'q3',
    sinkColumns: 'name VARCHAR, city VARCHAR, state VARCHAR, id BIGINT',
    insert: `INSERT INTO nexmark_q3 SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
  }),
  q({
    name: 'q4',
    sinkColumns: 'id BIGINT, final BIGINT',
    insert: `INSERT INTO nexmark_q4 SELECT Q.category, AVG(Q.final)
FROM (SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
      WHERE A.id = B.auction AND B.\`dateTime\` BETWEEN A.\`dateTime\` AND A.expires
      GROUP BY A.id, A.category) Q
GROUP BY Q.category`,
  }),
  q({
    name: 'q5',
    windowed: true,
    sinkColumns: 'auction BIGINT, num BIGINT',
    insert: `INSERT INTO nexmark_q5 SELECT AuctionBids.auction, AuctionBids.num
FROM (SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
      FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
      GROUP BY auction, window_start, window_end) AS AuctionBids
JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
      FROM (SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
            FROM TABLE(HOP(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
            GROUP BY auction, window_start, window_end) AS CountBids
      GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn`,
    latency: {
      kind: 'watermark',
      column: 'lat_end',
      offsetMs: 0,
      extraColumn: { ddl: 'lat_end TIMESTAMP(3)', select: 'AuctionBids.endtime AS lat_end' },
    },
  }),
  q({
    name: 'q7',
    windowed: true,
    sinkColumns: 'auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR',
    insert: `INSERT INTO nexmark_q7 SELECT B.auction, B.price, B.bidder, B.\`dateTime\`, B.extra
from bid B
JOIN (SELECT MAX(price) AS maxprice, window_end as \`dateTime\`
      FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
      GROUP BY window_start, window_end) B1
ON B.price = B1.maxprice
WHERE B.\`dateTime\` BETWEEN B1.\`dateTime\` - INTERVAL '10' SECOND AND B1.\`dateTime\``,
    // The bid's own 10 s tumbling window: its result row waits for that window's MAX.
    latency: { kind: 'watermark', column: 'dateTime', windowMs: 10_000 },
  }),
  q({
    name: 'q8',
    windowed: true,
    sinkColumns: 'id BIGINT, name VARCHAR, stime TIMESTAMP(3)',
    insert: `INSERT INTO nexmark_q8 SELECT P.id, P.name, P.starttime
FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
      FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
      GROUP BY id, name, window_start, window_end) P
JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
      FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(\`dateTime\`), INTERVAL '10' SECOND))
      GROUP BY seller, window_start, window_end) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`,
    latency: { kind: 'watermark', column: 'stime', offsetMs: 10_000 },
  }),
  q({
    name: 'q9',
    sinkColumns:
      'id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR, auction BIGINT, bidder BIGINT, price BIGINT, bid_dateTime TIMESTAMP(3), bid_extra VARCHAR',
    insert: `INSERT INTO nexmark_q9 SELECT id, itemName, description, initialBid, reserve, \`dateTime\`, expires,
  seller, category, extra, auction, bidder, price, bid_dateTime, bid_extra
FROM (SELECT A.*, B.auction, B.bidder, B.price, B.\`dateTime\` AS bid_dateTime, B.extra AS bid_extra,
        ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.\`dateTime\` ASC) AS rownum
      FROM auction A, bid B
      WHERE A.id = B.auction AND B.\`dateTime\` BETWEEN A.\`dateTime\` AND A.expires)
WHERE rownum <= 1`,
  }),
  q({
    name: 'q11',
    windowed: true,
    sinkColumns: 'bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3)',
    insert: `INSERT INTO nexmark_q11 SELECT B.bidder, count(*) as bid_count,
  SESSION_START(B.\`dateTime\`, INTERVAL '10' SECOND) as starttime,
  SESSION_END(B.\`dateTime\`, INTERVAL '10' SECOND) as endtime
FROM bid B GROUP BY B.bidder, SESSION(B.\`dateTime\`, INTERVAL '10' SECOND)`,
    latency: { kind: 'watermark', column: 'endtime', offsetMs: 0 },
  }),
  q({
    name: 'q12',
    windowed: true,
    wallClockDependent: true,
    setup: ['CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid'],
    sinkColumns: 'bidder BIGINT, bid_count BIGINT, starttime TIMESTAMP(3), endtime TIMESTAMP(3)',
    insert: `INSERT INTO nexmark_q12 SELECT bidder, count(*) as bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end`,
    latency: { kind: 'proctime', column: 'endtime' },
  }),
  q({
    name: 'q14',
    udfs: ['count_char'],
    sinkColumns:
      'auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), bidTimeType VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR, c_counts BIGINT',
    insert: `INSERT INTO nexmark_q14 SELECT auction, bidder, 0.908 * price as price,
  CASE WHEN HOUR(\`dateTime\`) >= 8 AND HOUR(\`dateTime\`) <= 18 THEN 'dayTime'
       WHEN HOUR(\`dateTime\`) <= 6 OR HOUR(\`dateTime\`) >= 20 THEN 'nightTime'
       ELSE 'otherTime' END AS bidTimeType,
  \`dateTime\`, extra, count_char(extra, 'c') AS c_counts
FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
    latency: EVENT_TIME,
  }),
  q({
    name: 'q15',
    sinkColumns: `\`day\` VARCHAR, ${STATS}`,
    insert: `INSERT INTO nexmark_q15 SELECT DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') as \`day\`,
  ${STATS_SELECT}
FROM bid GROUP BY DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd')`,
  }),
  q({
    name: 'q16',
    sinkColumns: `channel VARCHAR, \`day\` VARCHAR, \`minute\` VARCHAR, ${STATS}`,
    insert: `INSERT INTO nexmark_q16 SELECT channel, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') as \`day\`,
  max(DATE_FORMAT(\`dateTime\`, 'HH:mm')) as \`minute\`,
  ${STATS_SELECT}
FROM bid GROUP BY channel, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd')`,
  }),
  q({
    name: 'q17',
    sinkColumns:
      'auction BIGINT, `day` VARCHAR, total_bids BIGINT, rank1_bids BIGINT, rank2_bids BIGINT, rank3_bids BIGINT, min_price BIGINT, max_price BIGINT, avg_price BIGINT, sum_price BIGINT',
    insert: `INSERT INTO nexmark_q17 SELECT auction, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd') as \`day\`,
  count(*) AS total_bids,
  count(*) filter (where price < 10000) AS rank1_bids,
  count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
  count(*) filter (where price >= 1000000) AS rank3_bids,
  min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid GROUP BY auction, DATE_FORMAT(\`dateTime\`, 'yyyy-MM-dd')`,
  }),
  q({
    name: 'q18',
    sinkColumns: BID_SINK,
    insert: `INSERT INTO nexmark_q18 SELECT auction, bidder, price, channel, url, \`dateTime\`, extra
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY \`dateTime\` DESC) AS rank_number
      FROM bid)
WHERE rank_number <= 1`,
    latency: EVENT_TIME,
  }),
  q({
    name: 'q19',
    sinkColumns: `${BID_SINK}, rank_number BIGINT`,
    insert: `INSERT INTO nexmark_q19 SELECT * FROM
(SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
WHERE rank_number <= 10`,
    latency: EVENT_TIME,
  }),
  q({
    name: 'q20',
    sinkColumns:
      'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, bid_dateTime TIMESTAMP(3), bid_extra VARCHAR, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, auction_dateTime TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, auction_extra VARCHAR',
    insert: `INSERT INTO nexmark_q20 SELECT auction, bidder, price, channel, url, B.\`dateTime\`, B.extra,
  itemName, description, initialBid, reserve, A.\`dateTime\`, expires, seller, category, A.extra
FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10`,
  }),
  q({
    name: 'q21',
    sinkColumns: 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, channel_id VARCHAR',
    insert: `INSERT INTO nexmark_q21 SELECT auction, bidder, price, channel,
  CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
       WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
       ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
FROM bid
where REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) is not null or
      lower(channel) in ('apple', 'google', 'facebook', 'baidu')`,
    latency: WITH_EVENT_TIME,
  }),
  q({
    name: 'q22',
    sinkColumns:
      'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, dir1 VARCHAR, dir2 VARCHAR, dir3 VARCHAR',
    insert: `INSERT INTO nexmark_q22 SELECT auction, bidder, price, channel,
  SPLIT_INDEX(url, '/', 3) as dir1, SPLIT_INDEX(url, '/', 4) as dir2, SPLIT_INDEX(url, '/', 5) as dir3
FROM bid`,
    latency: WITH_EVENT_TIME,
  }),
];

/** Queries of the reference suite that are not run, with the reason (the runner prints these). */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  q6: "excluded by Nexmark itself (Benchmark.java leaves it out of 'all'): Flink's OVER window cannot consume the retractions of its input (FLINK-19059)",
  q10: 'writes partitioned files through the filesystem sink (PARTITIONED BY, not supported); not part of the spec in ../shared/NEXMARK.md',
  q13: 'processing-time lookup join (FOR SYSTEM_TIME AS OF a PROCTIME() column) is not supported by the planner',
};

/** The reference's published per-core figures (NEXMARK.md §4.4; K events per core-second), for the table and chart. */
export const PUBLISHED: Readonly<
  Record<string, { flinkV1: number; flinkV2: number; feldera?: number; target?: number }>
> = {
  q0: { flinkV1: 155.02, flinkV2: 378.4, feldera: 1000, target: 1500 },
  q1: { flinkV1: 157.94, flinkV2: 395.5, feldera: 412, target: 1500 },
  q2: { flinkV1: 175.21, flinkV2: 414.3, feldera: 422, target: 1500 },
  q3: { flinkV1: 152.12, flinkV2: 219.2 },
  q4: { flinkV1: 34.33, flinkV2: 28.2 },
  q5: { flinkV1: 22.14, flinkV2: 74.5, feldera: 412, target: 500 },
  q7: { flinkV1: 12.33, flinkV2: 22.9, feldera: 196, target: 250 },
  q8: { flinkV1: 146.14, flinkV2: 162.4, feldera: 415, target: 500 },
  q9: { flinkV1: 14.24, flinkV2: 13.8 },
  q11: { flinkV1: 39.7, flinkV2: 46.1, target: 200 },
  q12: { flinkV1: 75.67, flinkV2: 194.3, target: 500 },
  q14: { flinkV1: 161.23, flinkV2: 258.9 },
  q15: { flinkV1: 72.42, flinkV2: 168.2, target: 400 },
  q16: { flinkV1: 18.65, flinkV2: 45.2 },
  q17: { flinkV1: 116.8, flinkV2: 161.0 },
  q18: { flinkV1: 53.7, flinkV2: 65.4 },
  q19: { flinkV1: 44.04, flinkV2: 42.7 },
  q20: { flinkV1: 18.98, flinkV2: 17.8 },
  q21: { flinkV1: 98.49, flinkV2: 147.2 },
  q22: { flinkV1: 129.96, flinkV2: 211.3 },
};

/** Nexmark's count_char UDF (udf/CountChar.java): UTF-8 bytes of s equal to the first byte of c; 0 for NULL. */
export function countChar(s: unknown, c: unknown): number {
  if (typeof s !== 'string' || typeof c !== 'string' || c.length === 0) return 0;
  const b = Buffer.from(c, 'utf8')[0];
  // Nexmark's strings are ASCII: count code units directly, and fall back to bytes only for non-ASCII text.
  if (/^[\x00-\x7f]*$/.test(s)) {
    let n = 0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === b) n++;
    return n;
  }
  let n = 0;
  for (const x of Buffer.from(s, 'utf8')) if (x === b) n++;
  return n;
}
