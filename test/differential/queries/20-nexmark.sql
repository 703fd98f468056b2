## The Nexmark queries of ../shared/NEXMARK.md §3 as SELECTs over bounded generated data (nexmark-data.ts): person,
## auction and bid with WATERMARK dateTime - 4 s; no row is late. Not here: q6 (excluded by Nexmark itself),
## q10 (a filesystem sink), q12 and q13 (processing time: no deterministic answer), q23 (not specified); q14
## without its count_char UDF column (the suite is SQL only).

query nexmark-q0 insert-only
SELECT auction, bidder, price, `dateTime`, extra FROM bid
----
SELECT auction, bidder, price, "dateTime", extra FROM bid

query nexmark-q1 insert-only
# 0.908 * price is DECIMAL(23, 3) in Flink (DECIMAL(4, 3) times BIGINT as DECIMAL(19, 0)); exact in DuckDB too.
types: BIGINT, BIGINT, DECIMAL(23, 3), TIMESTAMP(3), STRING
SELECT auction, bidder, 0.908 * price AS price, `dateTime`, extra FROM bid
----
SELECT auction, bidder, 0.908 * price AS price, "dateTime", extra FROM bid

query nexmark-q2 insert-only
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0
----
SELECT auction, price FROM bid WHERE auction % 123 = 0

query nexmark-q3 insert-only
SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P on A.seller = P.id WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')

query nexmark-q4
# AVG of a BIGINT is a BIGINT (truncated).
types: BIGINT, BIGINT
SELECT Q.category, AVG(Q.final) FROM (SELECT MAX(B.price) AS final, A.category FROM auction A, bid B WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires GROUP BY A.id, A.category) Q GROUP BY Q.category
----
SELECT Q.category, CAST(trunc(sum(Q.final) / count(Q.final)) AS BIGINT) FROM (SELECT max(B.price) AS final, A.category FROM auction A, bid B WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires GROUP BY A.id, A.category) Q GROUP BY Q.category

query nexmark-q5 insert-only
SELECT AuctionBids.auction, AuctionBids.num FROM (SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end) AS AuctionBids JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime FROM (SELECT count(*) AS num, window_start AS starttime, window_end AS endtime FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND)) GROUP BY auction, window_start, window_end) AS CountBids GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime AND AuctionBids.num >= MaxBids.maxn
----
WITH w AS (SELECT auction, unnest(hop_starts("dateTime", 2000, 10000)) AS ws FROM bid),
  c AS (SELECT auction, count(*) AS num, ws FROM w GROUP BY auction, ws),
  m AS (SELECT max(num) AS maxn, ws FROM c GROUP BY ws)
SELECT c.auction, c.num FROM c JOIN m ON c.ws = m.ws AND c.num >= m.maxn

query nexmark-q7 insert-only
SELECT B.auction, B.price, B.bidder, B.`dateTime`, B.extra from bid B JOIN (SELECT MAX(price) AS maxprice, window_end as `dateTime` FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) GROUP BY window_start, window_end) B1 ON B.price = B1.maxprice WHERE B.`dateTime` BETWEEN B1.`dateTime` - INTERVAL '10' SECOND AND B1.`dateTime`
----
SELECT B.auction, B.price, B.bidder, B."dateTime", B.extra FROM bid B JOIN (SELECT max(price) AS maxprice, tumble_start("dateTime", 10000) + INTERVAL 10 SECOND AS "dateTime" FROM bid GROUP BY tumble_start("dateTime", 10000)) B1 ON B.price = B1.maxprice WHERE B."dateTime" BETWEEN B1."dateTime" - INTERVAL 10 SECOND AND B1."dateTime"

query nexmark-q8 insert-only
SELECT P.id, P.name, P.starttime FROM (SELECT id, name, window_start AS starttime, window_end AS endtime FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) GROUP BY id, name, window_start, window_end) P JOIN (SELECT seller, window_start AS starttime, window_end AS endtime FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND)) GROUP BY seller, window_start, window_end) A ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
----
SELECT P.id, P.name, P.starttime FROM (SELECT DISTINCT id, name, tumble_start("dateTime", 10000) AS starttime FROM person) P JOIN (SELECT DISTINCT seller, tumble_start("dateTime", 10000) AS starttime FROM auction) A ON P.id = A.seller AND P.starttime = A.starttime

query nexmark-q9
SELECT id, itemName, description, initialBid, reserve, `dateTime`, expires, seller, category, extra, auction, bidder, price, bid_dateTime, bid_extra FROM (SELECT A.*, B.auction, B.bidder, B.price, B.`dateTime` AS bid_dateTime, B.extra AS bid_extra, ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.`dateTime` ASC) AS rownum FROM auction A, bid B WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires) WHERE rownum <= 1
----
SELECT id, itemName, description, initialBid, reserve, "dateTime", expires, seller, category, extra, auction, bidder, price, bid_dateTime, bid_extra FROM (SELECT A.*, B.auction, B.bidder, B.price, B."dateTime" AS bid_dateTime, B.extra AS bid_extra, row_number() OVER (PARTITION BY A.id ORDER BY B.price DESC, B."dateTime" ASC, B.rowid ASC) AS rownum FROM auction A, bid B WHERE A.id = B.auction AND B."dateTime" BETWEEN A."dateTime" AND A.expires) WHERE rownum <= 1

query nexmark-q11 insert-only
# Sessions per bidder with a 10 s gap; windows that touch merge (TimeWindow.intersects is inclusive).
SELECT B.bidder, count(*) as bid_count, SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) as starttime, SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) as endtime FROM bid B GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND)
----
WITH b AS (SELECT bidder, "dateTime" AS t, rowid AS seq FROM bid),
  brk AS (SELECT *, CASE WHEN epoch_ms(t) - epoch_ms(max(t) OVER (PARTITION BY bidder ORDER BY t, seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) <= 10000 THEN 0 ELSE 1 END AS brk FROM b),
  s AS (SELECT *, sum(brk) OVER (PARTITION BY bidder ORDER BY t, seq ROWS UNBOUNDED PRECEDING) AS sid FROM brk)
SELECT bidder, count(*), min(t), max(t) + INTERVAL 10 SECOND FROM s GROUP BY bidder, sid

query nexmark-q14-without-udf insert-only
SELECT auction, bidder, 0.908 * price as price, CASE WHEN HOUR(`dateTime`) >= 8 AND HOUR(`dateTime`) <= 18 THEN 'dayTime' WHEN HOUR(`dateTime`) <= 6 OR HOUR(`dateTime`) >= 20 THEN 'nightTime' ELSE 'otherTime' END AS bidTimeType, `dateTime`, extra FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000
----
SELECT auction, bidder, 0.908 * price AS price, CASE WHEN hour("dateTime") >= 8 AND hour("dateTime") <= 18 THEN 'dayTime' WHEN hour("dateTime") <= 6 OR hour("dateTime") >= 20 THEN 'nightTime' ELSE 'otherTime' END AS bidTimeType, "dateTime", extra FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000

query nexmark-q15
SELECT DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`, count(*) AS total_bids, count(*) filter (where price < 10000) AS rank1_bids, count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids, count(*) filter (where price >= 1000000) AS rank3_bids, count(distinct bidder) AS total_bidders, count(distinct bidder) filter (where price < 10000) AS rank1_bidders, count(distinct bidder) filter (where price >= 10000 and price < 1000000) AS rank2_bidders, count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders, count(distinct auction) AS total_auctions, count(distinct auction) filter (where price < 10000) AS rank1_auctions, count(distinct auction) filter (where price >= 10000 and price < 1000000) AS rank2_auctions, count(distinct auction) filter (where price >= 1000000) AS rank3_auctions FROM bid GROUP BY DATE_FORMAT(`dateTime`, 'yyyy-MM-dd')
----
SELECT strftime("dateTime", '%Y-%m-%d') AS day, count(*), count(*) FILTER (WHERE price < 10000), count(*) FILTER (WHERE price >= 10000 AND price < 1000000), count(*) FILTER (WHERE price >= 1000000), count(DISTINCT bidder), count(DISTINCT bidder) FILTER (WHERE price < 10000), count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000), count(DISTINCT bidder) FILTER (WHERE price >= 1000000), count(DISTINCT auction), count(DISTINCT auction) FILTER (WHERE price < 10000), count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000), count(DISTINCT auction) FILTER (WHERE price >= 1000000) FROM bid GROUP BY day

query nexmark-q16
SELECT channel, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`, max(DATE_FORMAT(`dateTime`, 'HH:mm')) as `minute`, count(*) AS total_bids, count(*) filter (where price < 10000) AS rank1_bids, count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids, count(*) filter (where price >= 1000000) AS rank3_bids, count(distinct bidder) AS total_bidders, count(distinct bidder) filter (where price < 10000) AS rank1_bidders, count(distinct bidder) filter (where price >= 10000 and price < 1000000) AS rank2_bidders, count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders, count(distinct auction) AS total_auctions, count(distinct auction) filter (where price < 10000) AS rank1_auctions, count(distinct auction) filter (where price >= 10000 and price < 1000000) AS rank2_auctions, count(distinct auction) filter (where price >= 1000000) AS rank3_auctions FROM bid GROUP BY channel, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd')
----
SELECT channel, strftime("dateTime", '%Y-%m-%d') AS day, max(strftime("dateTime", '%H:%M')), count(*), count(*) FILTER (WHERE price < 10000), count(*) FILTER (WHERE price >= 10000 AND price < 1000000), count(*) FILTER (WHERE price >= 1000000), count(DISTINCT bidder), count(DISTINCT bidder) FILTER (WHERE price < 10000), count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000), count(DISTINCT bidder) FILTER (WHERE price >= 1000000), count(DISTINCT auction), count(DISTINCT auction) FILTER (WHERE price < 10000), count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000), count(DISTINCT auction) FILTER (WHERE price >= 1000000) FROM bid GROUP BY channel, day

query nexmark-q17
SELECT auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`, count(*) AS total_bids, count(*) filter (where price < 10000) AS rank1_bids, count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids, count(*) filter (where price >= 1000000) AS rank3_bids, min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price FROM bid GROUP BY auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd')
----
SELECT auction, strftime("dateTime", '%Y-%m-%d') AS day, count(*), count(*) FILTER (WHERE price < 10000), count(*) FILTER (WHERE price >= 10000 AND price < 1000000), count(*) FILTER (WHERE price >= 1000000), min(price), max(price), CAST(trunc(sum(price) / count(price)) AS BIGINT), sum(price) FROM bid GROUP BY auction, day

query nexmark-q18
# Keep the last bid per (bidder, auction); among equal times the later arrival (rowid) wins.
SELECT auction, bidder, price, channel, url, `dateTime`, extra FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY `dateTime` DESC) AS rank_number FROM bid) WHERE rank_number <= 1
----
SELECT auction, bidder, price, channel, url, "dateTime", extra FROM (SELECT *, row_number() OVER (PARTITION BY bidder, auction ORDER BY "dateTime" DESC, rowid DESC) AS rank_number FROM bid) WHERE rank_number <= 1

query nexmark-q19
# Ties on price rank by arrival (AppendOnlyTopNFunction places a new row after the rows with its sort key).
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid) WHERE rank_number <= 10
----
SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY auction ORDER BY price DESC, rowid ASC) AS rank_number FROM bid) WHERE rank_number <= 10

query nexmark-q20 insert-only
SELECT auction, bidder, price, channel, url, B.`dateTime`, B.extra, itemName, description, initialBid, reserve, A.`dateTime`, expires, seller, category, A.extra FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10
----
SELECT auction, bidder, price, channel, url, B."dateTime", B.extra, itemName, description, initialBid, reserve, A."dateTime", expires, seller, category, A.extra FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10

query nexmark-q21 insert-only
SELECT auction, bidder, price, channel, CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1' WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3' ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id FROM bid where REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) is not null or lower(channel) in ('apple', 'google', 'facebook', 'baidu')
----
SELECT auction, bidder, price, channel, CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1' WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3' WHEN regexp_matches(url, '(&|^)channel_id=([^&]*)') THEN regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id FROM bid WHERE regexp_matches(url, '(&|^)channel_id=([^&]*)') OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')

query nexmark-q22 insert-only
# SPLIT_INDEX is 0-based and NULL past the last part.
SELECT auction, bidder, price, channel, SPLIT_INDEX(url, '/', 3) as dir1, SPLIT_INDEX(url, '/', 4) as dir2, SPLIT_INDEX(url, '/', 5) as dir3 FROM bid
----
SELECT auction, bidder, price, channel, string_split(url, '/')[4], string_split(url, '/')[5], string_split(url, '/')[6] FROM bid
