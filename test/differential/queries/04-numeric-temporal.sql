## Numeric and temporal functions. Flink docs: System Functions > Arithmetic Functions, Temporal Functions.

query num-abs-sign insert-only
SELECT order_id, ABS(quantity), ABS(price), SIGN(quantity) FROM orders

query num-round-decimal insert-only
SELECT order_id, ROUND(price, 1), ROUND(price, 0), ROUND(price, -1) FROM orders

query num-round-double insert-only
SELECT customer_id, ROUND(credit, 2) FROM customers

query num-floor-ceil-decimal insert-only
SELECT order_id, FLOOR(price), CEIL(price) FROM orders

query num-floor-ceil-double insert-only
SELECT customer_id, FLOOR(credit), CEILING(credit) FROM customers

query num-truncate insert-only
SELECT order_id, TRUNCATE(price, 1) FROM orders
----
SELECT order_id, trunc(price, 1) FROM orders

query num-power-sqrt insert-only
SELECT order_id, POWER(quantity, 2), SQRT(ABS(quantity)) FROM orders

query num-exp-ln insert-only
SELECT order_id, EXP(quantity / 10), LN(ABS(quantity) + 1), LOG10(ABS(quantity) + 1), LOG2(ABS(quantity) + 1) FROM orders
----
SELECT order_id, exp(CAST(trunc(quantity / 10) AS INTEGER)), ln(abs(quantity) + 1), log10(abs(quantity) + 1), log2(abs(quantity) + 1) FROM orders

query num-log-base insert-only
SELECT order_id, LOG(3, ABS(quantity) + 1) FROM orders
----
SELECT order_id, ln(abs(quantity) + 1) / ln(3) FROM orders

query num-mod-decimal insert-only
SELECT order_id, MOD(price, 7) FROM orders
----
SELECT order_id, price % 7 FROM orders

query num-pi insert-only
SELECT order_id, PI() * quantity FROM orders
----
SELECT order_id, pi() * quantity FROM orders

query time-extract insert-only
SELECT order_id, EXTRACT(YEAR FROM ts), EXTRACT(MONTH FROM ts), EXTRACT(DAY FROM ts), EXTRACT(HOUR FROM ts), EXTRACT(MINUTE FROM ts), EXTRACT(SECOND FROM ts) FROM orders
----
SELECT order_id, year(ts), month(ts), day(ts), hour(ts), minute(ts), second(ts) FROM orders

query time-part-functions insert-only
SELECT order_id, YEAR(ts), QUARTER(ts), MONTH(ts), DAYOFMONTH(ts), HOUR(ts), MINUTE(ts), SECOND(ts) FROM orders
----
SELECT order_id, year(ts), quarter(ts), month(ts), day(ts), hour(ts), minute(ts), second(ts) FROM orders

query time-dayofweek-dayofyear insert-only
# Flink's DAYOFWEEK counts Sunday as 1; DuckDB's dayofweek counts Sunday as 0.
SELECT customer_id, DAYOFWEEK(signup), DAYOFYEAR(signup), WEEK(signup) FROM customers
----
SELECT customer_id, dayofweek(signup) + 1, dayofyear(signup), weekofyear(signup) FROM customers

query time-floor-ceil-timestamp insert-only
# Flink docs: FLOOR(timepoint TO timeintervalunit), CEIL(timepoint TO timeintervalunit).
SELECT order_id, FLOOR(ts TO MINUTE), CEIL(ts TO MINUTE), FLOOR(ts TO HOUR) FROM orders
----
SELECT order_id, date_trunc('minute', ts), CASE WHEN date_trunc('minute', ts) = ts THEN ts ELSE date_trunc('minute', ts) + INTERVAL 1 MINUTE END, date_trunc('hour', ts) FROM orders

query time-date-format insert-only
# DATE_FORMAT takes Java SimpleDateFormat patterns.
SELECT order_id, DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss'), DATE_FORMAT(ts, 'HH:mm:ss.SSS') FROM orders
----
SELECT order_id, strftime(ts, '%Y-%m-%d %H:%M:%S'), strftime(ts, '%H:%M:%S.%g') FROM orders

query time-timestampadd insert-only
SELECT order_id, TIMESTAMPADD(MINUTE, quantity, ts), TIMESTAMPADD(DAY, 1, ts) FROM orders
----
SELECT order_id, ts + to_minutes(quantity), ts + INTERVAL 1 DAY FROM orders

query time-timestampdiff insert-only
SELECT s.ship_id, TIMESTAMPDIFF(SECOND, TIMESTAMP '2024-03-01 09:00:00', s.ship_ts), TIMESTAMPDIFF(MINUTE, TIMESTAMP '2024-03-01 09:00:00', s.ship_ts) FROM shipments s
----
SELECT ship_id, CAST(trunc(epoch_ms(ship_ts - TIMESTAMP '2024-03-01 09:00:00') / 1000) AS INTEGER), CAST(trunc(epoch_ms(ship_ts - TIMESTAMP '2024-03-01 09:00:00') / 60000) AS INTEGER) FROM shipments

query time-to-timestamp insert-only
SELECT order_id, TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')) FROM orders
----
SELECT order_id, date_trunc('second', ts) FROM orders

query time-unix-timestamp insert-only
SELECT order_id, UNIX_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')) FROM orders
----
SELECT order_id, CAST(epoch(date_trunc('second', ts)) AS BIGINT) FROM orders

query time-from-unixtime insert-only
SELECT order_id, FROM_UNIXTIME(1709283600 + quantity * 60) FROM orders
----
SELECT order_id, strftime(to_timestamp(1709283600 + quantity * 60) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') FROM orders

query time-date-compare-arith insert-only
SELECT customer_id, signup, signup > DATE '2023-01-01', CAST(signup AS STRING) FROM customers
----
SELECT customer_id, signup, signup > DATE '2023-01-01', CAST(signup AS VARCHAR) FROM customers

query time-between-timestamps insert-only
SELECT order_id FROM orders WHERE ts BETWEEN TIMESTAMP '2024-03-01 09:02:00' AND TIMESTAMP '2024-03-01 09:04:00'

query time-timestampdiff-units insert-only
# Whole units between the two times, truncated toward zero (MONTH and YEAR count calendar months).
SELECT customer_id, TIMESTAMPDIFF(DAY, signup, DATE '2025-01-01'), TIMESTAMPDIFF(MONTH, signup, DATE '2025-01-15'), TIMESTAMPDIFF(YEAR, signup, DATE '2025-06-30') FROM customers
----
SELECT customer_id, CAST(date_diff('day', signup, DATE '2025-01-01') AS INTEGER),
  CAST(date_diff('month', signup, DATE '2025-01-15') - CASE WHEN day(DATE '2025-01-15') < day(signup) THEN 1 ELSE 0 END AS INTEGER),
  CAST(date_diff('year', signup, DATE '2025-06-30') - CASE WHEN strftime(DATE '2025-06-30', '%m-%d') < strftime(signup, '%m-%d') THEN 1 ELSE 0 END AS INTEGER)
FROM customers

query time-date-format-names insert-only
SELECT customer_id, DATE_FORMAT(CAST(signup AS TIMESTAMP(3)), 'EEE dd MMM yyyy') FROM customers
----
SELECT customer_id, strftime(signup, '%a %d %b %Y') FROM customers

query num-cast-decimal-quotient insert-only
# The exact quotient rounded half up to 2 digits.
SELECT order_id, CAST(price / 3 AS DECIMAL(10, 2)) FROM orders
----
SELECT order_id, CAST(sign(price) * ((abs(CAST(price * 100 AS BIGINT)) * 2 + 3) // 6) AS DECIMAL(18, 0)) * CAST(0.01 AS DECIMAL(18, 2)) FROM orders
