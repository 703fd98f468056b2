## Set operations, OVER aggregation and ORDER BY / LIMIT (Flink docs: Queries > Set Operations, Over Aggregation,
## ORDER BY, LIMIT). OVER in streaming orders by the time attribute; rows with equal times are taken in arrival
## order for ROWS frames and together for RANGE frames.

query set-union-all insert-only
SELECT order_id, product FROM orders WHERE quantity > 40 UNION ALL SELECT order_id, product FROM orders WHERE price > 900

query set-union-all-three insert-only
SELECT customer_id FROM orders UNION ALL SELECT customer_id FROM customers UNION ALL SELECT 42 FROM shipments WHERE carrier = 'UPS'

query set-union-distinct
SELECT customer_id FROM orders UNION SELECT customer_id FROM customers

query set-intersect
SELECT customer_id FROM orders INTERSECT SELECT customer_id FROM customers

query set-except
SELECT customer_id FROM orders EXCEPT SELECT customer_id FROM customers

query set-union-all-then-aggregate
SELECT k, COUNT(*) FROM (SELECT customer_id AS k FROM orders UNION ALL SELECT customer_id AS k FROM customers) GROUP BY k

query set-values insert-only
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, CAST(NULL AS STRING))) AS t(x, y)

query over-rows-sum insert-only
SELECT order_id, customer_id, SUM(quantity) OVER (PARTITION BY customer_id ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM orders_lenient
----
SELECT order_id, customer_id, CAST(sum(quantity) OVER (PARTITION BY customer_id ORDER BY ts, seq ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS INTEGER) FROM orders_wm

query over-rows-count-unbounded insert-only
SELECT order_id, COUNT(*) OVER (PARTITION BY product ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders_lenient
----
SELECT order_id, count(*) OVER (PARTITION BY product ORDER BY ts, seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM orders_wm

query over-range-interval insert-only
SELECT order_id, customer_id, MAX(price) OVER (PARTITION BY customer_id ORDER BY ts RANGE BETWEEN INTERVAL '1' MINUTE PRECEDING AND CURRENT ROW) FROM orders_lenient
----
SELECT order_id, customer_id, max(price) OVER (PARTITION BY customer_id ORDER BY ts RANGE BETWEEN INTERVAL 1 MINUTE PRECEDING AND CURRENT ROW) FROM orders

query over-range-unbounded insert-only
SELECT order_id, SUM(price) OVER (PARTITION BY customer_id ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM orders_lenient
----
SELECT order_id, sum(price) OVER (PARTITION BY customer_id ORDER BY ts RANGE UNBOUNDED PRECEDING) FROM orders

query over-named-window insert-only
SELECT order_id, MIN(quantity) OVER w, MAX(quantity) OVER w FROM orders_lenient WINDOW w AS (PARTITION BY product ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)
----
SELECT order_id, min(quantity) OVER w, max(quantity) OVER w FROM orders_wm WINDOW w AS (PARTITION BY product ORDER BY ts, seq ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)

query sort-by-time insert-only
# ORDER BY a time attribute ascending is allowed on a stream; the rows are all there, in time order.
SELECT order_id, ts FROM orders_lenient ORDER BY ts

query sort-limit-batch-like
SELECT order_id, price FROM orders ORDER BY price DESC, order_id DESC LIMIT 5
----
SELECT order_id, price FROM orders ORDER BY price DESC NULLS LAST, order_id DESC LIMIT 5

query sort-limit-time
SELECT order_id, ts FROM orders_lenient ORDER BY ts, order_id LIMIT 10
----
SELECT order_id, ts FROM orders ORDER BY ts, order_id LIMIT 10

query limit-only-count
SELECT COUNT(*) FROM (SELECT order_id FROM orders WHERE price > 0 LIMIT 7)
----
SELECT 7

query with-cte
WITH big AS (SELECT * FROM orders WHERE price > 500) SELECT customer_id, COUNT(*) FROM big GROUP BY customer_id

query subquery-in insert-only
SELECT order_id FROM orders WHERE customer_id IN (SELECT customer_id FROM customers WHERE tier = 'gold')

query subquery-exists
SELECT c.customer_id FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id AND o.quantity > 45)

query subquery-scalar
SELECT order_id, price FROM orders WHERE price > (SELECT AVG(price) FROM orders) * 1.5
----
SELECT order_id, price FROM orders WHERE price > (SELECT round(CAST(sum(price) AS DOUBLE) / count(price), 6) FROM orders) * 1.5
