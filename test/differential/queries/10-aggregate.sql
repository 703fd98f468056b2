## Group aggregation without windows (GroupAggFunction: retract-capable accumulators, -U/+U updates). The fold of
## the changelog must equal the batch answer. Flink's typing: COUNT is BIGINT, SUM(INT) is INT, SUM(DECIMAL(p, s)) is
## DECIMAL(38, s), AVG of an integer type is that integer type (truncating), AVG(DECIMAL(p, s)) is DECIMAL(38, max(s, 6)).

query agg-count-star
types: BIGINT
SELECT COUNT(*) FROM orders

query agg-global-all
SELECT COUNT(*), COUNT(customer_id), SUM(quantity), MIN(price), MAX(price), MIN(ts), MAX(product) FROM orders

query agg-group-count
SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id

query agg-group-sum-int
types: INT, INT
SELECT customer_id, SUM(quantity) FROM orders GROUP BY customer_id
----
SELECT customer_id, CAST(sum(quantity) AS INTEGER) FROM orders GROUP BY customer_id

query agg-group-sum-decimal
types: STRING, DECIMAL(38, 2)
SELECT product, SUM(price) FROM orders GROUP BY product

query agg-avg-int-truncates
# Flink: AVG(INT) is an INT computed as SUM / COUNT with integer division (truncation toward zero).
types: INT, INT
SELECT customer_id, AVG(quantity) FROM orders GROUP BY customer_id
----
SELECT customer_id, CAST(trunc(sum(quantity) / count(quantity)) AS INTEGER) FROM orders GROUP BY customer_id

query agg-avg-decimal
# AVG(DECIMAL(10, 2)) is DECIMAL(38, 6), rounded half up.
types: STRING, DECIMAL(38, 6)
SELECT product, AVG(price) FROM orders GROUP BY product
----
SELECT product, CAST(sum(price) AS DOUBLE) / count(price) FROM orders GROUP BY product

query agg-avg-double
types: STRING, DOUBLE
SELECT tier, AVG(credit) FROM customers GROUP BY tier

query agg-min-max-strings
SELECT customer_id, MIN(product), MAX(product) FROM orders GROUP BY customer_id

query agg-min-max-timestamps
types: STRING, TIMESTAMP(3), TIMESTAMP(3)
SELECT product, MIN(ts), MAX(ts) FROM orders GROUP BY product

query agg-count-column-nulls
SELECT product, COUNT(customer_id), COUNT(price), COUNT(*) FROM orders GROUP BY product

query agg-count-distinct
SELECT customer_id, COUNT(DISTINCT product) FROM orders GROUP BY customer_id

query agg-sum-distinct
SELECT product, SUM(DISTINCT quantity) FROM orders GROUP BY product
----
SELECT product, CAST(sum(DISTINCT quantity) AS INTEGER) FROM orders GROUP BY product

query agg-group-two-keys
SELECT customer_id, product, COUNT(*), SUM(price) FROM orders GROUP BY customer_id, product

query agg-group-expression
SELECT quantity / 10 AS bucket, COUNT(*) FROM orders GROUP BY quantity / 10
----
SELECT CAST(trunc(quantity / 10) AS INTEGER) AS bucket, count(*) FROM orders GROUP BY bucket

query agg-group-by-string-function
SELECT UPPER(product) AS p, COUNT(*) FROM orders GROUP BY UPPER(product)
----
SELECT replace(upper(product), 'ẞ', 'SS') AS p, count(*) FROM orders GROUP BY p

query agg-having
SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id HAVING COUNT(*) > 10

query agg-having-sum
SELECT product, SUM(quantity) FROM orders GROUP BY product HAVING SUM(quantity) > 200 AND MAX(price) > 0
----
SELECT product, CAST(sum(quantity) AS INTEGER) FROM orders GROUP BY product HAVING sum(quantity) > 200 AND max(price) > 0

query agg-filter-clause
SELECT customer_id, COUNT(*) FILTER (WHERE quantity > 10), SUM(price) FILTER (WHERE price > 0) FROM orders GROUP BY customer_id

query agg-over-filtered-input
SELECT product, COUNT(*), MAX(quantity) FROM orders WHERE price > 100 GROUP BY product

query agg-of-aggregate
SELECT n, COUNT(*) FROM (SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id) GROUP BY n

query agg-max-of-sums
SELECT MAX(s) FROM (SELECT product, SUM(price) AS s FROM orders GROUP BY product)

query agg-stddev-var
SELECT tier, STDDEV_POP(credit), STDDEV_SAMP(credit), VAR_POP(credit), VAR_SAMP(credit) FROM customers GROUP BY tier

query agg-bool
SELECT customer_id, COUNT(*) FILTER (WHERE price < 0) > 0 FROM orders GROUP BY customer_id

query agg-distinct-select
SELECT DISTINCT product FROM orders

query agg-distinct-two-columns
SELECT DISTINCT customer_id, product FROM orders

query agg-distinct-expression
SELECT DISTINCT quantity / 10 FROM orders
----
SELECT DISTINCT CAST(trunc(quantity / 10) AS INTEGER) FROM orders

query agg-null-key-group
SELECT customer_id IS NULL, COUNT(*) FROM orders GROUP BY customer_id IS NULL

query agg-first-last-value-free
SELECT customer_id, MIN(order_id), MAX(order_id) FROM orders GROUP BY customer_id

query agg-projection-after
SELECT customer_id, SUM(price) / COUNT(price) AS mean, COUNT(*) * 2 FROM orders WHERE price IS NOT NULL GROUP BY customer_id
----
SELECT customer_id, CAST(sum(price) AS DOUBLE) / count(price), count(*) * 2 FROM orders WHERE price IS NOT NULL GROUP BY customer_id
