## Top-N and deduplication (Flink docs: Queries > Top-N, Deduplication, Window Top-N, Window Deduplication).
## Flink orders NULLs first for ASC and last for DESC (nulls are the smallest values); DuckDB is told explicitly.
## Ties are broken by a column that makes the answer unique, or are exact duplicate rows.

query topn-row-number-per-key
SELECT customer_id, order_id, price, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY price DESC, order_id DESC) AS rn FROM orders) WHERE rn <= 3
----
SELECT customer_id, order_id, price, rn FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY price DESC NULLS LAST, order_id DESC) AS rn FROM orders) WHERE rn <= 3

query topn-without-rank-number
SELECT customer_id, order_id, quantity FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY quantity ASC, order_id ASC) AS rn FROM orders) WHERE rn <= 2
----
SELECT customer_id, order_id, quantity FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY quantity ASC NULLS FIRST, order_id ASC) AS rn FROM orders) WHERE rn <= 2

query topn-global
SELECT order_id, price FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY price DESC, order_id DESC) AS rn FROM orders) WHERE rn <= 5
----
SELECT order_id, price FROM (SELECT *, row_number() OVER (ORDER BY price DESC NULLS LAST, order_id DESC) AS rn FROM orders) WHERE rn <= 5

query topn-rank
SELECT product, quantity, r FROM (SELECT *, RANK() OVER (PARTITION BY product ORDER BY quantity DESC) AS r FROM orders) WHERE r <= 2
----
SELECT product, quantity, r FROM (SELECT *, rank() OVER (PARTITION BY product ORDER BY quantity DESC NULLS LAST) AS r FROM orders) WHERE r <= 2

query topn-dense-rank
SELECT product, quantity, r FROM (SELECT *, DENSE_RANK() OVER (PARTITION BY product ORDER BY quantity ASC) AS r FROM orders) WHERE r <= 3
----
SELECT product, quantity, r FROM (SELECT *, dense_rank() OVER (PARTITION BY product ORDER BY quantity ASC NULLS FIRST) AS r FROM orders) WHERE r <= 3

query topn-over-aggregate
# Top-N over an updating input (RetractableTopNFunction).
SELECT product, total FROM (SELECT product, total, ROW_NUMBER() OVER (ORDER BY total DESC, product ASC) AS rn FROM (SELECT product, SUM(quantity) AS total FROM orders GROUP BY product)) WHERE rn <= 3
----
SELECT product, total FROM (SELECT product, total, row_number() OVER (ORDER BY total DESC NULLS LAST, product ASC NULLS FIRST) AS rn FROM (SELECT product, CAST(sum(quantity) AS INTEGER) AS total FROM orders GROUP BY product)) WHERE rn <= 3

query topn-rank-range
SELECT customer_id, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ts ASC, order_id ASC) AS rn FROM orders_lenient) WHERE rn BETWEEN 2 AND 3
----
SELECT customer_id, order_id FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY ts ASC, order_id ASC) AS rn FROM orders) WHERE rn BETWEEN 2 AND 3

query dedup-keep-first
# Keep the first row per key by the time attribute; among equal times the first to arrive (seq).
SELECT order_id, product, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY product ORDER BY ts ASC) AS rn FROM orders_lenient) WHERE rn = 1
----
SELECT order_id, product, ts FROM (SELECT *, row_number() OVER (PARTITION BY product ORDER BY ts ASC, seq ASC) AS rn FROM orders_wm) WHERE rn = 1

query dedup-keep-last
SELECT order_id, customer_id, price, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ts DESC) AS rn FROM orders_lenient) WHERE rn = 1
----
SELECT order_id, customer_id, price, ts FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY ts DESC, seq DESC) AS rn FROM orders_wm) WHERE rn = 1

query dedup-keep-first-two-keys
SELECT customer_id, product, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id, product ORDER BY ts) AS rn FROM orders_lenient) WHERE rn = 1
----
SELECT customer_id, product, order_id FROM (SELECT *, row_number() OVER (PARTITION BY customer_id, product ORDER BY ts, seq) AS rn FROM orders_wm) WHERE rn = 1

query dedup-then-aggregate
SELECT COUNT(*), SUM(price) FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY ts DESC) AS rn FROM orders_lenient) WHERE rn = 1
----
SELECT count(*), sum(price) FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY ts DESC, seq DESC) AS rn FROM orders_wm) WHERE rn = 1

query window-topn insert-only
SELECT window_start, window_end, order_id, price, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY price DESC, order_id DESC) AS rn FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn <= 3
----
SELECT window_start, window_end, order_id, price, rn FROM (SELECT *, row_number() OVER (PARTITION BY window_start, window_end ORDER BY price DESC NULLS LAST, order_id DESC) AS rn FROM orders_tumble(60000)) WHERE rn <= 3

query window-topn-after-aggregate insert-only
SELECT window_start, window_end, product, n FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, product ASC) AS rn FROM (SELECT window_start, window_end, product, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, product)) WHERE rn <= 2
----
SELECT window_start, window_end, product, n FROM (SELECT *, row_number() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, product ASC NULLS FIRST) AS rn FROM (SELECT window_start, window_end, product, count(*) AS n FROM orders_tumble(60000) GROUP BY window_start, window_end, product)) WHERE rn <= 2

query window-dedup-first insert-only
SELECT window_start, window_end, customer_id, order_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, customer_id ORDER BY ts ASC) AS rn FROM TABLE(TUMBLE(TABLE orders_lenient, DESCRIPTOR(ts), INTERVAL '1' MINUTE))) WHERE rn = 1
----
SELECT window_start, window_end, customer_id, order_id FROM (SELECT *, row_number() OVER (PARTITION BY window_start, window_end, customer_id ORDER BY ts ASC, seq ASC) AS rn FROM orders_lenient_tumble(60000)) WHERE rn = 1
