## Joins (Flink docs: Queries > Joins). Regular joins keep both sides in state and emit retractions for outer
## joins; the folded result equals the batch join. customers has several rows for some ids and a NULL id; some
## orders reference customers that do not exist; NULL keys never match.

query join-inner insert-only
SELECT o.order_id, o.price, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id

query join-inner-where insert-only
SELECT o.order_id, c.city FROM orders o INNER JOIN customers c ON o.customer_id = c.customer_id WHERE c.tier = 'gold' AND o.quantity > 5

query join-left
SELECT o.order_id, o.customer_id, c.name, c.tier FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id

query join-right
SELECT c.customer_id, c.name, o.order_id FROM orders o RIGHT JOIN customers c ON o.customer_id = c.customer_id

query join-full
SELECT o.order_id, c.customer_id, c.name FROM orders o FULL OUTER JOIN customers c ON o.customer_id = c.customer_id

query join-non-equi-condition
SELECT o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id AND o.price > c.credit

query join-left-non-equi
SELECT o.order_id, c.name FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id AND c.tier = 'gold'

query join-two-keys insert-only
SELECT s.ship_id, o.order_id, s.carrier FROM shipments s JOIN orders o ON s.order_id = o.order_id AND s.ship_ts >= o.ts

query join-three-way insert-only
SELECT o.order_id, c.name, s.carrier FROM orders o JOIN customers c ON o.customer_id = c.customer_id JOIN shipments s ON s.order_id = o.order_id

query join-comma-where insert-only
SELECT o.order_id, c.name FROM orders o, customers c WHERE o.customer_id = c.customer_id AND c.city = 'Oslo'

query join-then-aggregate
SELECT c.tier, COUNT(*), SUM(o.price) FROM orders o JOIN customers c ON o.customer_id = c.customer_id GROUP BY c.tier

query join-aggregate-then-join
SELECT c.name, t.n FROM (SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id) t JOIN customers c ON t.customer_id = c.customer_id

query join-left-then-count
SELECT o.customer_id, COUNT(c.name) FROM orders o LEFT JOIN customers c ON o.customer_id = c.customer_id GROUP BY o.customer_id

query join-self insert-only
SELECT a.order_id, b.order_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.product = b.product WHERE a.order_id < b.order_id AND a.quantity > 45

query join-interval-between insert-only
# Interval join (time-bounded, state cleaned by the watermark); orders_lenient has no late rows.
SELECT o.order_id, s.ship_id FROM orders_lenient o, shipments s WHERE o.order_id = s.order_id AND s.ship_ts BETWEEN o.ts AND o.ts + INTERVAL '5' MINUTE

query join-interval-both-sides insert-only
SELECT o.order_id, s.ship_id, s.carrier FROM orders_lenient o JOIN shipments s ON o.order_id = s.order_id AND o.ts >= s.ship_ts - INTERVAL '2' MINUTE AND o.ts < s.ship_ts + INTERVAL '10' SECOND

query join-interval-left insert-only
SELECT o.order_id, s.ship_id FROM orders_lenient o LEFT JOIN shipments s ON o.order_id = s.order_id AND s.ship_ts BETWEEN o.ts AND o.ts + INTERVAL '1' MINUTE

query join-window-tumble insert-only
# Window join: both sides windowed on the same tumbling window (Flink docs: Queries > Window JOIN).
SELECT L.order_id, R.ship_id, L.window_start, L.window_end FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) L JOIN (SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(ship_ts), INTERVAL '1' MINUTE))) R ON L.order_id = R.order_id AND L.window_start = R.window_start AND L.window_end = R.window_end
----
SELECT L.order_id, R.ship_id, L.window_start, L.window_end FROM orders_lenient_tumble(60000) L JOIN (SELECT ship_id, order_id, tumble_start(ship_ts, 60000) AS window_start FROM shipments) R ON L.order_id = R.order_id AND L.window_start = R.window_start

query join-window-left insert-only
SELECT L.order_id, R.ship_id, L.window_start FROM (SELECT * FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) L LEFT JOIN (SELECT * FROM TABLE(TUMBLE(TABLE shipments, DESCRIPTOR(ship_ts), INTERVAL '1' MINUTE))) R ON L.order_id = R.order_id AND L.window_start = R.window_start AND L.window_end = R.window_end
----
SELECT L.order_id, R.ship_id, L.window_start FROM orders_lenient_tumble(60000) L LEFT JOIN (SELECT ship_id, order_id, tumble_start(ship_ts, 60000) AS window_start FROM shipments) R ON L.order_id = R.order_id AND L.window_start = R.window_start

query join-temporal-event-time insert-only
# Event-time temporal join (Flink docs: Joins > Event Time Temporal Join): each order meets the version of its
# product's rate valid at the order's time (the latest valid_from <= ts); orders before any version drop out.
SELECT o.order_id, o.product, r.rate, o.price * r.rate FROM orders_lenient AS o JOIN product_rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.product = r.product
----
SELECT o.order_id, o.product, r.rate, o.price * r.rate FROM orders o ASOF JOIN product_rates r ON o.product = r.product AND o.ts >= r.valid_from

query join-temporal-left insert-only
SELECT o.order_id, r.rate FROM orders_lenient AS o LEFT JOIN product_rates FOR SYSTEM_TIME AS OF o.ts AS r ON o.product = r.product
----
SELECT o.order_id, r.rate FROM orders o ASOF LEFT JOIN product_rates r ON o.product = r.product AND o.ts >= r.valid_from
