-- Round-trip corpus for the SQL front end: every statement here must parse, print and parse back to the same
-- AST (test/parser/roundtrip.test.ts). Sections: Nexmark (NEXMARK.md §1 and §3), DDL, DML, queries,
-- expressions, utility statements. Add a statement by appending it; each ends with ';'.

-- ================================================================ Nexmark §1.1: the combined source table
CREATE TABLE datagen (
  event_type INT,
  person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR,
              city VARCHAR, state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT,
              reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3),
              seller BIGINT, category BIGINT, extra VARCHAR>,
  bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
              url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
  `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime`
                     WHEN event_type = 1 THEN auction.`dateTime` ELSE bid.`dateTime` END,
  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '${TPS}', 'next-event.rate' = '${TPS}',
        'events.num' = '${EVENTS_NUM}' /* , person/auction/bid.proportion = 1/3/46 */);

CREATE TABLE datagen_v2 (
  event_type INT,
  person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR,
              city VARCHAR, state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
  auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT,
              reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3),
              seller BIGINT, category BIGINT, extra VARCHAR>,
  bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
              url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
  `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime`
                     WHEN event_type = 1 THEN auction.`dateTime` ELSE bid.`dateTime` END,
  WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH ('connector' = 'nexmark', 'first-event.rate' = '100000', 'events.num' = '200000000',
        'keep-alive' = 'true', 'stop-at' = '150000000', 'max-emit-speed' = 'true');

-- ================================================================ Nexmark §1.2: views
CREATE VIEW person AS SELECT person.id, person.name, person.emailAddress, person.creditCard, person.city,
  person.state, `dateTime`, person.extra FROM datagen WHERE event_type = 0;
CREATE VIEW auction AS SELECT auction.id, auction.itemName, auction.description, auction.initialBid,
  auction.reserve, `dateTime`, auction.expires, auction.seller, auction.category, auction.extra
  FROM datagen WHERE event_type = 1;
CREATE VIEW bid AS SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra
  FROM datagen WHERE event_type = 2;

-- ================================================================ Nexmark §3: queries
INSERT INTO nexmark_q0 SELECT auction, bidder, price, `dateTime`, extra FROM bid;
INSERT INTO nexmark_q1 SELECT auction, bidder, 0.908 * price as price, `dateTime`, extra FROM bid;
INSERT INTO nexmark_q2 SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
INSERT INTO nexmark_q3 SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
INSERT INTO nexmark_q4 SELECT Q.category, AVG(Q.final)
FROM (SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
      WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires
      GROUP BY A.id, A.category) Q
GROUP BY Q.category;
INSERT INTO nexmark_q5 SELECT AuctionBids.auction, AuctionBids.num
FROM (SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
      FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
      GROUP BY auction, window_start, window_end) AS AuctionBids
JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
      FROM (SELECT count(*) AS num, window_start AS starttime, window_end AS endtime
            FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
            GROUP BY auction, window_start, window_end) AS CountBids
      GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn;
INSERT INTO nexmark_q7 SELECT B.auction, B.price, B.bidder, B.`dateTime`, B.extra
from bid B
JOIN (SELECT MAX(price) AS maxprice, window_end as `dateTime`
      FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
      GROUP BY window_start, window_end) B1
ON B.price = B1.maxprice
WHERE B.`dateTime` BETWEEN B1.`dateTime` - INTERVAL '10' SECOND AND B1.`dateTime`;
INSERT INTO nexmark_q8 SELECT P.id, P.name, P.starttime
FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
      FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
      GROUP BY id, name, window_start, window_end) P
JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
      FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(`dateTime`), INTERVAL '10' SECOND))
      GROUP BY seller, window_start, window_end) A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
INSERT INTO nexmark_q9 SELECT id, itemName, description, initialBid, reserve, `dateTime`, expires,
  seller, category, extra, auction, bidder, price, bid_dateTime, bid_extra
FROM (SELECT A.*, B.auction, B.bidder, B.price, B.`dateTime` AS bid_dateTime, B.extra AS bid_extra,
        ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.`dateTime` ASC) AS rownum
      FROM auction A, bid B
      WHERE A.id = B.auction AND B.`dateTime` BETWEEN A.`dateTime` AND A.expires)
WHERE rownum <= 1;
INSERT INTO nexmark_q11 SELECT B.bidder, count(*) as bid_count,
  SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) as starttime,
  SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) as endtime
FROM bid B GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND);
CREATE VIEW B AS SELECT *, PROCTIME() as p_time FROM bid;
INSERT INTO nexmark_q12 SELECT bidder, count(*) as bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE B, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;
INSERT INTO nexmark_q13 SELECT B.auction, B.bidder, B.price, B.`dateTime`, S.`value`
FROM (SELECT *, PROCTIME() as p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S ON mod(B.auction, 10000) = S.key;
INSERT INTO nexmark_q14 SELECT auction, bidder, 0.908 * price as price,
  CASE WHEN HOUR(`dateTime`) >= 8 AND HOUR(`dateTime`) <= 18 THEN 'dayTime'
       WHEN HOUR(`dateTime`) <= 6 OR HOUR(`dateTime`) >= 20 THEN 'nightTime'
       ELSE 'otherTime' END AS bidTimeType,
  `dateTime`, extra, count_char(extra, 'c') AS c_counts
FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
INSERT INTO nexmark_q15 SELECT DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`,
  count(*) AS total_bids,
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
  count(distinct auction) filter (where price >= 1000000) AS rank3_auctions
FROM bid GROUP BY DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');
INSERT INTO nexmark_q16 SELECT channel, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`,
  max(DATE_FORMAT(`dateTime`, 'HH:mm')) as `minute`,
  count(*) AS total_bids,
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
  count(distinct auction) filter (where price >= 1000000) AS rank3_auctions
FROM bid GROUP BY channel, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');
INSERT INTO nexmark_q17 SELECT auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`,
  count(*) AS total_bids,
  count(*) filter (where price < 10000) AS rank1_bids,
  count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
  count(*) filter (where price >= 1000000) AS rank3_bids,
  min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
FROM bid GROUP BY auction, DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');
INSERT INTO nexmark_q18 SELECT auction, bidder, price, channel, url, `dateTime`, extra
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY `dateTime` DESC) AS rank_number
      FROM bid)
WHERE rank_number <= 1;
INSERT INTO nexmark_q19 SELECT * FROM
(SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
WHERE rank_number <= 10;
INSERT INTO nexmark_q20 SELECT auction, bidder, price, channel, url, B.`dateTime`, B.extra,
  itemName, description, initialBid, reserve, A.`dateTime`, expires, seller, category, A.extra
FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10;
INSERT INTO nexmark_q21 SELECT auction, bidder, price, channel,
  CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
       WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
       ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
FROM bid
where REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) is not null or
      lower(channel) in ('apple', 'google', 'facebook', 'baidu');
INSERT INTO nexmark_q22 SELECT auction, bidder, price, channel,
  SPLIT_INDEX(url, '/', 3) as dir1, SPLIT_INDEX(url, '/', 4) as dir2, SPLIT_INDEX(url, '/', 5) as dir3
FROM bid;
CREATE TABLE nexmark_q0 (auction BIGINT, bidder BIGINT, price BIGINT, `dateTime` TIMESTAMP(3), extra VARCHAR)
  WITH ('connector' = 'blackhole');
CREATE TABLE nexmark_q1 (auction BIGINT, bidder BIGINT, price DECIMAL(23, 3), `dateTime` TIMESTAMP(3), extra VARCHAR)
  WITH ('connector' = 'blackhole');
CREATE TABLE side_input (key BIGINT, `value` VARCHAR)
  WITH ('connector' = 'filesystem', 'path' = 'file:///data/side_input.txt', 'format' = 'csv');

-- ================================================================ DDL: tables
CREATE TABLE t (a INT);
CREATE TABLE IF NOT EXISTS t (a INT NOT NULL, b STRING);
CREATE TEMPORARY TABLE t (a INT) WITH ('connector' = 'datagen');
CREATE TEMPORARY TABLE IF NOT EXISTS cat.db.t (a INT) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
CREATE TABLE orders (
  order_id BIGINT,
  price DECIMAL(32, 2),
  currency STRING,
  order_time TIMESTAMP(3),
  WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'orders', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json');
CREATE TABLE users (
  user_id BIGINT,
  name STRING,
  PRIMARY KEY (user_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'users', 'key.format' = 'json', 'value.format' = 'json');
CREATE TABLE users2 (user_id BIGINT PRIMARY KEY NOT ENFORCED, name STRING) WITH ('connector' = 'jdbc');
CREATE TABLE users3 (user_id BIGINT, name STRING, CONSTRAINT pk PRIMARY KEY (user_id, name) NOT ENFORCED);
CREATE TABLE kafka_meta (
  `user_id` BIGINT,
  `event_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  `partition` BIGINT METADATA VIRTUAL,
  `offset` BIGINT METADATA VIRTUAL,
  headers MAP<STRING, BYTES> METADATA,
  `record_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL COMMENT 'kafka time'
) WITH ('connector' = 'kafka');
CREATE TABLE computed (
  price DOUBLE,
  quantity INT,
  cost AS price * quantity,
  proc AS PROCTIME(),
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts
) COMMENT 'a table with computed columns' WITH ('connector' = 'datagen');
CREATE TABLE types_table (
  a BOOLEAN, b TINYINT, c SMALLINT, d INTEGER, e BIGINT, f FLOAT, g DOUBLE PRECISION, h DECIMAL, i DECIMAL(10),
  j DEC(10, 2), k NUMERIC(5, 1), l CHAR, m CHAR(3), n CHARACTER(4), o VARCHAR, p VARCHAR(100), q STRING,
  r BINARY(16), s VARBINARY(32), t BYTES, u DATE, v TIME, w TIME(3), x TIMESTAMP, y TIMESTAMP(6),
  z TIMESTAMP(3) WITHOUT TIME ZONE, aa TIMESTAMP(3) WITH LOCAL TIME ZONE, ab TIMESTAMP_LTZ(3),
  ac INTERVAL DAY, ad INTERVAL YEAR TO MONTH, ae INTERVAL DAY TO SECOND, af ARRAY<INT>, ag ARRAY<ARRAY<STRING>>,
  ah MAP<STRING, INT>, ai MAP<STRING, ARRAY<ROW<x INT, y STRING>>>, aj MULTISET<STRING>,
  ak ROW<f1 INT NOT NULL, f2 STRING>, al ROW(f1 INT, f2 DOUBLE), an TIME WITHOUT TIME ZONE
);
CREATE TABLE part_t (a INT, dt STRING) PARTITIONED BY (dt) WITH ('connector' = 'filesystem', 'path' = '/tmp/x', 'format' = 'csv');
CREATE TABLE derived WITH ('connector' = 'blackhole') LIKE orders;
CREATE TABLE derived2 (extra STRING) WITH ('scan.startup.mode' = 'earliest-offset') LIKE orders (EXCLUDING ALL INCLUDING GENERATED);
CREATE TABLE derived3 WITH ('format' = 'csv') LIKE orders (INCLUDING ALL OVERWRITING OPTIONS EXCLUDING WATERMARKS EXCLUDING PARTITIONS INCLUDING CONSTRAINTS EXCLUDING METADATA);
CREATE TABLE ctas WITH ('connector' = 'blackhole') AS SELECT * FROM orders;
CREATE TABLE IF NOT EXISTS ctas2 COMMENT 'copy' PARTITIONED BY (dt) WITH ('connector' = 'filesystem') AS SELECT a, dt FROM part_t WHERE a > 0;
CREATE TEMPORARY TABLE ctas3 AS SELECT 1 AS one;
CREATE TABLE `select` (`from` INT, `where` STRING, `table` BIGINT);
CREATE TABLE quoted (`a b` INT, `weird``name` STRING, year INT, `month` INT, `key` INT, `value` STRING);
CREATE TABLE comments (a INT COMMENT 'the a column', b AS a + 1 COMMENT 'derived') COMMENT 'table comment';
CREATE TABLE watermark_udf (ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE);
CREATE TABLE watermark_ltz (ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '0.001' SECOND);

-- ================================================================ DDL: views, functions, catalogs, databases
CREATE VIEW v AS SELECT a FROM t;
CREATE TEMPORARY VIEW IF NOT EXISTS v2 (x, y) COMMENT 'view comment' AS SELECT a, b FROM t;
CREATE VIEW v3 AS WITH w AS (SELECT a FROM t) SELECT * FROM w;
CREATE VIEW v4 AS SELECT a FROM t UNION ALL SELECT a FROM u;
CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar';
CREATE TEMPORARY FUNCTION IF NOT EXISTS f AS 'com.example.F' LANGUAGE JAVA;
CREATE TEMPORARY SYSTEM FUNCTION sf AS 'com.example.SF' LANGUAGE SCALA;
CREATE FUNCTION cat.db.pyf AS 'my_module.my_function' LANGUAGE PYTHON;
CREATE CATALOG my_catalog WITH ('type' = 'generic_in_memory');
CREATE CATALOG IF NOT EXISTS hive WITH ('type' = 'hive', 'hive-conf-dir' = '/opt/hive-conf');
CREATE DATABASE db1;
CREATE DATABASE IF NOT EXISTS cat.db2 COMMENT 'a database' WITH ('k1' = 'v1');
DROP TABLE t;
DROP TABLE IF EXISTS cat.db.t;
DROP TEMPORARY TABLE t;
DROP VIEW v;
DROP TEMPORARY VIEW IF EXISTS v;
DROP FUNCTION f;
DROP TEMPORARY SYSTEM FUNCTION IF EXISTS sf;
DROP CATALOG my_catalog;
DROP DATABASE IF EXISTS db1 CASCADE;
DROP DATABASE db2 RESTRICT;
ALTER TABLE t SET ('connector' = 'print', 'print-identifier' = 'x');
ALTER TABLE IF EXISTS t RENAME TO t2;
ALTER TABLE cat.db.t RESET ('print-identifier', 'sink.parallelism');
ALTER VIEW v RENAME TO v9;
ALTER VIEW v AS SELECT b FROM t;

-- ================================================================ DML
INSERT INTO sink SELECT * FROM source;
INSERT OVERWRITE sink SELECT * FROM source;
INSERT INTO sink (a, b) SELECT x, y FROM source;
INSERT INTO cat.db.sink SELECT a FROM source WHERE a IS NOT NULL;
INSERT INTO sink VALUES (1, 'a'), (2, 'b');
INSERT INTO sink (SELECT * FROM source);
INSERT INTO sink /*+ OPTIONS('sink.parallelism' = '2') */ SELECT * FROM source;
INSERT INTO part_t PARTITION (dt = '2024-01-01') SELECT a FROM t;
INSERT OVERWRITE part_t PARTITION (dt = '2024-01-01', hr = 12) (a) SELECT a FROM t;
INSERT INTO sink WITH w AS (SELECT a FROM t) SELECT a FROM w;
EXECUTE STATEMENT SET BEGIN
  INSERT INTO s1 SELECT a FROM t;
  INSERT INTO s2 SELECT b FROM t;
END;
BEGIN STATEMENT SET;
INSERT INTO s1 SELECT a FROM t;
INSERT INTO s2 SELECT b FROM t WHERE b > 1;
END;
BEGIN STATEMENT SET;
END;

-- ================================================================ queries
SELECT 1;
SELECT 1, 'a', TRUE, NULL;
SELECT * FROM t;
SELECT t.* FROM t;
SELECT cat.db.t.*, u.a FROM cat.db.t, u;
SELECT DISTINCT a, b FROM t;
SELECT ALL a FROM t;
SELECT a AS x, b y, c AS `z z` FROM t;
SELECT a FROM t AS x;
SELECT x.a FROM t x;
SELECT a FROM t AS x (a, b);
SELECT a FROM t WHERE a > 1 AND b < 2 OR c = 3;
SELECT a, count(*) FROM t GROUP BY a;
SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 1;
SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), ());
SELECT a, b, sum(c) FROM t GROUP BY ROLLUP (a, b);
SELECT a, b, sum(c) FROM t GROUP BY CUBE (a, b);
SELECT a, b, sum(c) FROM t GROUP BY a, ROLLUP (b, (c, d));
SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS (a, ROLLUP (b), CUBE (c, d));
SELECT a, GROUPING(a), GROUPING(a, b) FROM t GROUP BY CUBE (a, b);
SELECT (a + b) * 2 AS x FROM t GROUP BY (a + b) * 2;
SELECT a FROM t GROUP BY ();
SELECT user_id, TUMBLE_START(ts, INTERVAL '1' HOUR), TUMBLE_END(ts, INTERVAL '1' HOUR), count(*) FROM clicks GROUP BY TUMBLE(ts, INTERVAL '1' HOUR), user_id;
SELECT HOP_START(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR), HOP_ROWTIME(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR), sum(x) FROM t GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR);
SELECT SESSION_START(ts, INTERVAL '30' MINUTE), SESSION_PROCTIME(ts, INTERVAL '30' MINUTE) FROM t GROUP BY SESSION(ts, INTERVAL '30' MINUTE);
SELECT a FROM t ORDER BY a;
SELECT a FROM t ORDER BY a DESC, b ASC NULLS FIRST, c NULLS LAST;
SELECT a FROM t ORDER BY a LIMIT 10;
SELECT a FROM t LIMIT 5;
SELECT a FROM t ORDER BY a OFFSET 10 ROWS;
SELECT a FROM t ORDER BY a OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY;
SELECT a FROM t FETCH FIRST 3 ROWS ONLY;
SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 2;
SELECT a FROM t UNION SELECT a FROM u;
SELECT a FROM t UNION ALL SELECT a FROM u UNION ALL SELECT a FROM v;
SELECT a FROM t UNION DISTINCT SELECT a FROM u;
SELECT a FROM t INTERSECT SELECT a FROM u;
SELECT a FROM t INTERSECT ALL SELECT a FROM u;
SELECT a FROM t EXCEPT SELECT a FROM u;
SELECT a FROM t EXCEPT ALL SELECT a FROM u;
SELECT a FROM t UNION SELECT a FROM u INTERSECT SELECT a FROM v;
(SELECT a FROM t UNION SELECT a FROM u) INTERSECT SELECT a FROM v;
SELECT a FROM t UNION (SELECT a FROM u UNION SELECT a FROM v);
(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT a FROM u ORDER BY a LIMIT 1);
SELECT a FROM t UNION SELECT a FROM u ORDER BY a LIMIT 3;
WITH w AS (SELECT a FROM t) SELECT a FROM w;
WITH w1 AS (SELECT a FROM t), w2 (x) AS (SELECT a FROM w1) SELECT x FROM w2 ORDER BY x;
WITH w AS (SELECT a FROM t UNION ALL SELECT a FROM u) SELECT count(*) FROM w;
VALUES (1, 'a'), (2, 'b');
VALUES (1);
VALUES ROW(1, 2), ROW(3, 4);
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v (id, name);
SELECT * FROM (SELECT a FROM t) AS s;
SELECT * FROM (SELECT a FROM t) s (x);
SELECT * FROM (SELECT a FROM t);
SELECT * FROM ((SELECT a FROM t) UNION (SELECT a FROM u)) x;
SELECT * FROM t JOIN u ON t.a = u.a;
SELECT * FROM t INNER JOIN u ON t.a = u.a;
SELECT * FROM t LEFT JOIN u ON t.a = u.a;
SELECT * FROM t LEFT OUTER JOIN u ON t.a = u.a;
SELECT * FROM t RIGHT JOIN u ON t.a = u.a;
SELECT * FROM t RIGHT OUTER JOIN u ON t.a = u.a;
SELECT * FROM t FULL JOIN u ON t.a = u.a;
SELECT * FROM t FULL OUTER JOIN u USING (a, b);
SELECT * FROM t CROSS JOIN u;
SELECT * FROM t NATURAL JOIN u;
SELECT * FROM t, u, v WHERE t.a = u.a AND u.b = v.b;
SELECT * FROM t JOIN u ON t.a = u.a JOIN v ON u.b = v.b LEFT JOIN w ON w.c = v.c;
SELECT * FROM t JOIN (u JOIN v ON u.b = v.b) ON t.a = u.a;
SELECT * FROM (t JOIN u ON t.a = u.a);
SELECT * FROM orders AS o JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency;
SELECT * FROM orders AS o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id;
SELECT * FROM orders FOR SYSTEM_TIME AS OF TIMESTAMP '2021-01-01 00:00:00';
SELECT * FROM t /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */;
SELECT * FROM t /*+ OPTIONS('a' = 'b', 'c' = 'd') */ AS x JOIN u /*+ OPTIONS('e' = 'f') */ ON x.a = u.a;
SELECT /*+ BROADCAST(u) */ * FROM t JOIN u ON t.a = u.a;
SELECT /*+ LOOKUP('table' = 'c', 'retry-predicate' = 'lookup_miss'), STATE_TTL('o' = '1d') */ * FROM o JOIN c FOR SYSTEM_TIME AS OF o.pt ON o.id = c.id;
SELECT /*+ NO_HINT() */ a FROM t;
SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' MINUTE));
SELECT * FROM TABLE(TUMBLE(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '10' MINUTE));
SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '10' MINUTE));
SELECT * FROM TABLE(HOP(DATA => TABLE bid, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '5' MINUTE, SIZE => INTERVAL '10' MINUTE, OFFSET_NAME => INTERVAL '1' MINUTE));
SELECT * FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '10' MINUTE));
SELECT * FROM TABLE(SESSION(TABLE bid, DESCRIPTOR(ts), INTERVAL '5' MINUTE));
SELECT window_start, window_end, SUM(price) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) GROUP BY window_start, window_end;
SELECT window_start, window_end, supplier_id, SUM(price) AS price FROM TABLE(CUMULATE(TABLE bid, DESCRIPTOR(ts), INTERVAL '2' MINUTE, INTERVAL '10' MINUTE)) GROUP BY window_start, window_end, GROUPING SETS ((supplier_id), ());
SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' MINUTE)) AS w (a, b, c);
SELECT s, w FROM t, LATERAL TABLE(split(s)) AS T(w);
SELECT s, w FROM t LEFT JOIN LATERAL TABLE(split(s)) AS T(w) ON TRUE;
SELECT * FROM t CROSS JOIN LATERAL (SELECT a FROM u WHERE u.b = t.b);
SELECT id, tag FROM t CROSS JOIN UNNEST(tags) AS x (tag);
SELECT id, tag, pos FROM t CROSS JOIN UNNEST(tags) WITH ORDINALITY AS x (tag, pos);
SELECT * FROM UNNEST(ARRAY[1, 2, 3]);
SELECT * FROM t, UNNEST(t.m) AS u (k, v);
SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c DESC) AS rn FROM t;
SELECT a, SUM(b) OVER (ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t;
SELECT a, SUM(b) OVER (PARTITION BY a ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) FROM t;
SELECT a, SUM(b) OVER (ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t;
SELECT a, SUM(b) OVER (ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM t;
SELECT a, SUM(b) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM t;
SELECT a, SUM(b) OVER (ORDER BY ts ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING) FROM t;
SELECT a, SUM(b) OVER w, AVG(b) OVER w FROM t WINDOW w AS (PARTITION BY a ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW);
SELECT a, SUM(b) OVER (w ROWS 5 PRECEDING) FROM t WINDOW w AS (PARTITION BY a ORDER BY ts), w2 AS (w);
SELECT a, COUNT(DISTINCT b) FILTER (WHERE c > 0) OVER (PARTITION BY a) FROM t;
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY a ORDER BY ts DESC) AS rn FROM t) WHERE rn = 1;
SELECT * FROM Ticker MATCH_RECOGNIZE (
  PARTITION BY symbol
  ORDER BY rowtime
  MEASURES START_ROW.rowtime AS start_tstamp, LAST(PRICE_DOWN.rowtime) AS bottom_tstamp, LAST(PRICE_UP.rowtime) AS end_tstamp
  ONE ROW PER MATCH
  AFTER MATCH SKIP TO LAST PRICE_UP
  PATTERN (START_ROW PRICE_DOWN+ PRICE_UP)
  DEFINE PRICE_DOWN AS (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1),
         PRICE_UP AS PRICE_UP.price > LAST(PRICE_DOWN.price, 1)
) MR;
SELECT * FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime MEASURES FIRST(A.rowtime) AS start_tstamp, AVG(A.price) AS avgPrice ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A+ B) DEFINE A AS AVG(A.price) < 15);
SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY rowtime MEASURES C.price AS lastPrice ALL ROWS PER MATCH AFTER MATCH SKIP TO NEXT ROW PATTERN (A B*? C) DEFINE A AS A.price > 10, B AS B.price < 15, C AS C.price > 12);
SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.price AS p AFTER MATCH SKIP TO FIRST B PATTERN (A{2} B{1,} C{,3} D{2,4}? E?) WITHIN INTERVAL '1' HOUR DEFINE A AS A.price > 10);
SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY rowtime MEASURES A.price AS p AFTER MATCH SKIP TO B PATTERN ((A | B) C (D E)+) DEFINE A AS TRUE);
SELECT * FROM t WHERE a IN (SELECT b FROM u);
SELECT * FROM t WHERE a NOT IN (SELECT b FROM u WHERE u.c = t.c);
SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a);
SELECT * FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.a = t.a);
SELECT a, (SELECT max(b) FROM u) AS m FROM t;
SELECT a FROM t WHERE b = (SELECT max(b) FROM u);
SELECT * FROM t WHERE a IN ((SELECT b FROM u) UNION (SELECT c FROM v));
SELECT `select`.`from` FROM `select`;
SELECT year, month, day, hour, minute, second, key, comment, `value` FROM t;
SELECT first, last, `user`, jobs, tables FROM t;
SELECT a -- a trailing comment
FROM t /* a block comment */ WHERE /* inside */ a > 1;

-- ================================================================ expressions (one per SELECT)
SELECT 1 FROM t;
SELECT -1 FROM t;
SELECT +1 FROM t;
SELECT - -1 FROM t;
SELECT 1.5 FROM t;
SELECT .5 FROM t;
SELECT 1e10 FROM t;
SELECT 1.5E-3 FROM t;
SELECT 'it''s' FROM t;
SELECT '' FROM t;
SELECT TRUE FROM t;
SELECT FALSE FROM t;
SELECT NULL FROM t;
SELECT DATE '2024-01-01' FROM t;
SELECT TIME '12:34:56' FROM t;
SELECT TIMESTAMP '2024-01-01 12:34:56.789' FROM t;
SELECT INTERVAL '5' SECOND FROM t;
SELECT INTERVAL '10' MINUTE FROM t;
SELECT INTERVAL '2' HOUR FROM t;
SELECT INTERVAL '1' DAY FROM t;
SELECT INTERVAL '3' MONTH FROM t;
SELECT INTERVAL '1' YEAR FROM t;
SELECT INTERVAL '1 2:03' DAY TO MINUTE FROM t;
SELECT INTERVAL '1-6' YEAR TO MONTH FROM t;
SELECT INTERVAL '1 02:03:04.5' DAY TO SECOND FROM t;
SELECT -INTERVAL '1' DAY FROM t;
SELECT a + b * c FROM t;
SELECT (a + b) * c FROM t;
SELECT a - b - c FROM t;
SELECT a - (b - c) FROM t;
SELECT a / b / c FROM t;
SELECT a % b FROM t;
SELECT a || b || c FROM t;
SELECT a || (b || c) FROM t;
SELECT -a * b FROM t;
SELECT -(a * b) FROM t;
SELECT a = b FROM t;
SELECT a <> b FROM t;
SELECT a != b FROM t;
SELECT a < b FROM t;
SELECT a <= b FROM t;
SELECT a > b FROM t;
SELECT a >= b FROM t;
SELECT a + 1 > b * 2 FROM t;
SELECT a AND b OR c FROM t;
SELECT a AND (b OR c) FROM t;
SELECT (a OR b) AND c FROM t;
SELECT NOT a FROM t;
SELECT NOT NOT a FROM t;
SELECT NOT a = b FROM t;
SELECT NOT (a AND b) FROM t;
SELECT a IS NULL FROM t;
SELECT a IS NOT NULL FROM t;
SELECT a IS TRUE FROM t;
SELECT a IS NOT TRUE FROM t;
SELECT a IS FALSE FROM t;
SELECT a IS NOT FALSE FROM t;
SELECT a IS UNKNOWN FROM t;
SELECT a IS NOT UNKNOWN FROM t;
SELECT a IS DISTINCT FROM b FROM t;
SELECT a IS NOT DISTINCT FROM b + 1 FROM t;
SELECT (a = b) IS TRUE FROM t;
SELECT a BETWEEN 1 AND 10 FROM t;
SELECT a NOT BETWEEN 1 AND 10 FROM t;
SELECT a BETWEEN SYMMETRIC 10 AND 1 FROM t;
SELECT a BETWEEN ASYMMETRIC 1 AND 10 FROM t;
SELECT a BETWEEN b + 1 AND c * 2 AND d FROM t;
SELECT a IN (1, 2, 3) FROM t;
SELECT a NOT IN ('x', 'y') FROM t;
SELECT a IN (b) FROM t;
SELECT a LIKE 'abc%' FROM t;
SELECT a NOT LIKE '%x_' FROM t;
SELECT a LIKE 'a!%' ESCAPE '!' FROM t;
SELECT a SIMILAR TO '(a|b)+' FROM t;
SELECT a NOT SIMILAR TO 'x*' ESCAPE '\' FROM t;
SELECT CASE WHEN a > 1 THEN 'big' ELSE 'small' END FROM t;
SELECT CASE WHEN a = 1 THEN 'one' WHEN a = 2 THEN 'two' END FROM t;
SELECT CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END FROM t;
SELECT CASE WHEN a IS NULL THEN NULL ELSE CASE WHEN b THEN 1 ELSE 2 END END FROM t;
SELECT CAST(a AS INT) FROM t;
SELECT CAST(a AS DECIMAL(10, 2)) FROM t;
SELECT CAST(a AS VARCHAR(10) NOT NULL) FROM t;
SELECT CAST(a AS TIMESTAMP(3)) FROM t;
SELECT CAST(a AS ROW<x INT, y STRING>) FROM t;
SELECT CAST(a AS ARRAY<BIGINT>) FROM t;
SELECT CAST(CAST(a AS STRING) AS INT) FROM t;
SELECT TRY_CAST(a AS BIGINT) FROM t;
SELECT TRY_CAST('x' AS DATE) FROM t;
SELECT COUNT(*) FROM t;
SELECT COUNT(a) FROM t;
SELECT COUNT(DISTINCT a) FROM t;
SELECT COUNT(DISTINCT a, b) FROM t;
SELECT COUNT(ALL a) FROM t;
SELECT SUM(a) FILTER (WHERE a > 0) FROM t;
SELECT COUNT(DISTINCT a) FILTER (WHERE b IS NOT NULL) FROM t;
SELECT f() FROM t;
SELECT f(a, b, c) FROM t;
SELECT cat.db.f(a) FROM t;
SELECT UPPER(TRIM(a)) FROM t;
SELECT COALESCE(a, b, 'default') FROM t;
SELECT IF(a > 1, 'x', 'y') FROM t;
SELECT LEFT(s, 3) FROM t;
SELECT RIGHT(s, 2) FROM t;
SELECT SUBSTRING(s FROM 2 FOR 3) FROM t;
SELECT SUBSTRING(s FROM 2) FROM t;
SELECT SUBSTRING(s, 2, 3) FROM t;
SELECT EXTRACT(YEAR FROM ts) FROM t;
SELECT EXTRACT(MONTH FROM ts) FROM t;
SELECT EXTRACT(DOW FROM ts) FROM t;
SELECT EXTRACT(QUARTER FROM CAST(s AS DATE)) FROM t;
SELECT HOUR(ts) FROM t;
SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') FROM t;
SELECT TIMESTAMPADD(HOUR, 1, ts) FROM t;
SELECT TIMESTAMPDIFF(DAY, ts1, ts2) FROM t;
SELECT CURRENT_TIMESTAMP FROM t;
SELECT CURRENT_DATE FROM t;
SELECT LOCALTIMESTAMP FROM t;
SELECT PROCTIME() FROM t;
SELECT NOW() FROM t;
SELECT ARRAY[1, 2, 3] FROM t;
SELECT ARRAY['a'] FROM t;
SELECT ARRAY[ARRAY[1], ARRAY[2, 3]] FROM t;
SELECT MAP['a', 1, 'b', 2] FROM t;
SELECT ROW(1, 'a', TRUE) FROM t;
SELECT ROW(a, ROW(b, c)) FROM t;
SELECT arr[1] FROM t;
SELECT arr[i + 1] FROM t;
SELECT m['key'] FROM t;
SELECT arr[1][2] FROM t;
SELECT r.f FROM t;
SELECT t.r.f.g FROM t;
SELECT (r).f FROM t;
SELECT f(x).field FROM t;
SELECT arr[1].field FROM t;
SELECT MAP['a', 1]['a'] FROM t;
SELECT ARRAY[1, 2][1] FROM t;
SELECT a + (SELECT max(b) FROM u) FROM t;
SELECT JSON_VALUE(payload, '$.a') FROM t;
SELECT REGEXP_REPLACE(s, '[0-9]+', '#') FROM t;
SELECT MD5(CONCAT(a, b)) FROM t;
SELECT a * -1 FROM t;
SELECT 2 * (3 + 4) - 5 / (6 % 4) FROM t;
SELECT ((a)) FROM t;
SELECT -(-a) FROM t;
SELECT +a FROM t;
SELECT x > 0 AND (y < 0 OR z IS NULL) AND NOT w FROM t;

-- ================================================================ utility statements
SET;
SET 'execution.runtime-mode' = 'streaming';
SET 'table.exec.state.ttl' = '1 h';
SET 'pipeline.name' = 'it''s quoted';
RESET;
RESET 'execution.runtime-mode';
SHOW TABLES;
SHOW TABLES FROM cat.db;
SHOW TABLES IN db LIKE 'ord%';
SHOW TABLES NOT LIKE 'tmp%';
SHOW VIEWS;
SHOW FUNCTIONS;
SHOW USER FUNCTIONS;
SHOW JOBS;
SHOW CATALOGS;
SHOW DATABASES;
SHOW MODULES;
SHOW FULL MODULES;
SHOW CURRENT CATALOG;
SHOW CURRENT DATABASE;
SHOW COLUMNS FROM orders;
SHOW COLUMNS IN orders LIKE '%id';
SHOW CREATE TABLE orders;
SHOW CREATE VIEW cat.db.v;
DESCRIBE orders;
DESC orders;
DESCRIBE EXTENDED cat.db.orders;
EXPLAIN SELECT * FROM t;
EXPLAIN PLAN FOR SELECT * FROM t;
EXPLAIN ESTIMATED_COST, CHANGELOG_MODE SELECT a FROM t;
EXPLAIN JSON_EXECUTION_PLAN INSERT INTO s SELECT * FROM t;
EXPLAIN PLAN_ADVICE SELECT a, count(*) FROM t GROUP BY a;
EXPLAIN EXECUTE STATEMENT SET BEGIN INSERT INTO s1 SELECT a FROM t; INSERT INTO s2 SELECT a FROM t; END;
USE db1;
USE cat.db1;
USE CATALOG my_catalog;
STOP JOB '228d70913eab60dda85c5e7f78b5782c';
STOP JOB 'abc' WITH SAVEPOINT;
STOP JOB 'abc' WITH SAVEPOINT WITH DRAIN;
STOP JOB 'abc' WITH DRAIN;
HELP;
QUIT;
EXIT;
select lower(name) from Users where id > 10 order by 1 desc;
SeLeCt A FrOm T wHeRe B iS nOt NuLl;
-- Calls with keyword syntax (Flink's String, Arithmetic and JSON Functions) and the remaining type and TVF forms.
SELECT TRIM(BOTH 'x' FROM s), TRIM(LEADING FROM s), trim(trailing 'ab' from s), TRIM('x' FROM s), TRIM(FROM s), TRIM(s) FROM t;
SELECT TRIM(LEADING ' ' FROM UPPER(name)) || '!' AS shout FROM Users;
SELECT POSITION('a' IN s), POSITION(a || b IN c FROM 2), POSITION(x IN y) > 0 FROM t;
SELECT FLOOR(ts TO DAY), CEIL(ts TO HOUR), floor(x), CEIL(1.5), FLOOR(price / 10) FROM t;
SELECT FLOOR(dateTime TO MINUTE) AS m, count(*) FROM Bid GROUP BY FLOOR(dateTime TO MINUTE);
SELECT OVERLAY(s PLACING 'xx' FROM 2 FOR 3), OVERLAY(s PLACING r FROM 1) FROM t;
SELECT JSON_VALUE(j, '$.a' RETURNING INT NULL ON EMPTY DEFAULT -1 ON ERROR), JSON_VALUE(j, '$.b') FROM t;
SELECT JSON_VALUE(payload, '$.price' RETURNING DOUBLE ERROR ON ERROR), JSON_VALUE(payload, '$.x' DEFAULT 'none' ON EMPTY) FROM t;
SELECT JSON_OBJECT(KEY 'a' VALUE 1, 'b' VALUE s NULL ON NULL), JSON_OBJECT(), JSON_OBJECT(ABSENT ON NULL) FROM t;
SELECT JSON_OBJECT('id' VALUE id, 'tags' VALUE JSON_OBJECT(KEY 'n' VALUE n)) FROM t;
SELECT * FROM TABLE(SESSION(TABLE Bid PARTITION BY bidder, DESCRIPTOR(dateTime), INTERVAL '10' MINUTE));
SELECT window_start, bidder, count(*) FROM TABLE(SESSION(DATA => TABLE Bid PARTITION BY (bidder, auction), TIMECOL => DESCRIPTOR(dateTime), GAP => INTERVAL '10' MINUTE)) GROUP BY window_start, window_end, bidder;
SELECT CAST(x AS ROW<>), CAST(y AS ROW<a INT 'the a', b ROW<c STRING>>) FROM t;
CREATE TABLE nested (r ROW<id BIGINT 'the key', tags ARRAY<ROW<k STRING, v STRING>>>, m MAP<STRING, ROW<x INT>>) WITH ('connector' = 'datagen');
SELECT value, position, error, empty, trim, floor, `default` FROM t;
