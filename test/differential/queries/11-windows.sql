## Window TVF aggregation (Flink docs: Queries > Window Aggregation, Windowing TVF). `orders` has late rows (the
## watermark is 5 s behind); the oracle's orders_tumble/_hop/_cumulate macros keep only the (row, window) pairs
## whose window had not fired when the row arrived (see oracle.ts). orders_lenient never drops a row.

query win-tumble-count insert-only
SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(*) FROM orders_tumble(10000) GROUP BY window_start, window_end

query win-tumble-sum-price insert-only
SELECT window_start, window_end, SUM(price), SUM(quantity) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, sum(price), CAST(sum(quantity) AS INTEGER) FROM orders_tumble(60000) GROUP BY window_start, window_end

query win-tumble-window-time insert-only
types: TIMESTAMP(3), TIMESTAMP(3), TIMESTAMP(3), DECIMAL(10, 2)
SELECT window_start, window_end, window_time, MAX(price) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '30' SECOND)) GROUP BY window_start, window_end, window_time
----
SELECT window_start, window_end, window_time, max(price) FROM orders_tumble(30000) GROUP BY window_start, window_end, window_time

query win-tumble-by-key insert-only
SELECT customer_id, window_start, window_end, COUNT(*), AVG(quantity) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY customer_id, window_start, window_end
----
SELECT customer_id, window_start, window_end, count(*), CAST(trunc(sum(quantity) / count(quantity)) AS INTEGER) FROM orders_tumble(60000) GROUP BY customer_id, window_start, window_end

query win-tumble-count-distinct insert-only
SELECT window_start, window_end, COUNT(DISTINCT product) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(DISTINCT product) FROM orders_tumble(60000) GROUP BY window_start, window_end

query win-tumble-filtered-input insert-only
SELECT window_start, window_end, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE price > 200 GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(*) FROM orders_tumble(10000) WHERE price > 200 GROUP BY window_start, window_end

query win-tumble-lenient insert-only
SELECT window_start, window_end, COUNT(*), MIN(ts), MAX(ts) FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(*), min(ts), max(ts) FROM orders_lenient_tumble(10000) GROUP BY window_start, window_end

query win-tumble-having insert-only
SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end HAVING COUNT(*) >= 5
----
SELECT window_start, count(*) FROM orders_tumble(10000) GROUP BY window_start, window_end HAVING count(*) >= 5

query win-hop-count insert-only
SELECT window_start, window_end, COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '30' SECOND)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(*) FROM orders_hop(10000, 30000) GROUP BY window_start, window_end

query win-hop-sum-by-key insert-only
SELECT product, window_start, window_end, SUM(price) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE)) GROUP BY product, window_start, window_end
----
SELECT product, window_start, window_end, sum(price) FROM orders_hop(20000, 60000) GROUP BY product, window_start, window_end

query win-hop-lenient insert-only
SELECT window_start, window_end, MAX(quantity), MIN(quantity) FROM TABLE(HOP(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '15' SECOND)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, max(quantity), min(quantity) FROM orders_lenient_hop(5000, 15000) GROUP BY window_start, window_end

query win-cumulate-count insert-only
SELECT window_start, window_end, COUNT(*), SUM(quantity) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end
----
SELECT window_start, window_end, count(*), CAST(sum(quantity) AS INTEGER) FROM orders_cumulate(10000, 60000) GROUP BY window_start, window_end

query win-cumulate-by-key-lenient insert-only
SELECT customer_id, window_start, window_end, SUM(price) FROM TABLE(CUMULATE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '2' MINUTE)) GROUP BY customer_id, window_start, window_end
----
SELECT customer_id, window_start, window_end, sum(price) FROM orders_lenient_cumulate(20000, 120000) GROUP BY customer_id, window_start, window_end

query win-session-by-customer insert-only
SELECT customer_id, window_start, window_end, COUNT(*) FROM TABLE(SESSION(TABLE orders_lenient PARTITION BY customer_id, DESCRIPTOR(ts), INTERVAL '20' SECOND)) GROUP BY customer_id, window_start, window_end
----
SELECT customer_id, window_start, window_end, count(*) FROM orders_lenient_session(20000) GROUP BY customer_id, window_start, window_end

query win-session-sum insert-only
SELECT customer_id, window_start, window_end, SUM(price), MAX(ts) FROM TABLE(SESSION(TABLE orders_lenient PARTITION BY customer_id, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY customer_id, window_start, window_end
----
SELECT customer_id, window_start, window_end, sum(price), max(ts) FROM orders_lenient_session(60000) GROUP BY customer_id, window_start, window_end

query win-tvf-assign-tumble insert-only
# A window TVF without aggregation assigns windows to rows.
SELECT order_id, window_start, window_end FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
----
SELECT order_id, window_start, window_end FROM orders_lenient_tumble(60000)

query win-tvf-assign-hop insert-only
SELECT order_id, window_start, window_end, window_time FROM TABLE(HOP(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE))
----
SELECT order_id, window_start, window_end, window_time FROM orders_lenient_hop(30000, 60000)

query win-tvf-assign-cumulate insert-only
SELECT order_id, window_start, window_end FROM TABLE(CUMULATE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE))
----
SELECT order_id, window_start, window_end FROM orders_lenient_cumulate(20000, 60000)

query win-cascade insert-only
# Cascading window aggregation through window_time (Flink docs: Window Aggregation > Cascading Window Aggregation).
WITH w1 AS (SELECT window_time AS t, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, window_time) SELECT window_start, window_end, SUM(n) FROM TABLE(TUMBLE(TABLE w1, DESCRIPTOR(t), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end
----
SELECT tumble_start(t, 60000) AS ws, tumble_start(t, 60000) + INTERVAL 1 MINUTE, sum(n) FROM (SELECT window_time AS t, count(*) AS n FROM orders_lenient_tumble(10000) GROUP BY window_start, window_end, window_time) GROUP BY ws

query win-legacy-group-tumble insert-only
# Legacy group window: GROUP BY TUMBLE(ts, INTERVAL ...) with TUMBLE_START / TUMBLE_END.
SELECT TUMBLE_START(ts, INTERVAL '1' MINUTE), TUMBLE_END(ts, INTERVAL '1' MINUTE), COUNT(*) FROM orders GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE)
----
SELECT window_start, window_end, count(*) FROM orders_tumble(60000) GROUP BY window_start, window_end

query win-legacy-group-hop insert-only
SELECT HOP_START(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE), HOP_END(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE), SUM(quantity) FROM orders_lenient GROUP BY HOP(ts, INTERVAL '30' SECOND, INTERVAL '1' MINUTE)
----
SELECT window_start, window_end, CAST(sum(quantity) AS INTEGER) FROM orders_lenient_hop(30000, 60000) GROUP BY window_start, window_end

query win-legacy-group-session insert-only
SELECT customer_id, SESSION_START(ts, INTERVAL '20' SECOND), SESSION_END(ts, INTERVAL '20' SECOND), COUNT(*) FROM orders_lenient GROUP BY customer_id, SESSION(ts, INTERVAL '20' SECOND)
----
SELECT customer_id, window_start, window_end, count(*) FROM orders_lenient_session(20000) GROUP BY customer_id, window_start, window_end
