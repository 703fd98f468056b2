## Lookup joins, NOT IN, correlated scalar subqueries with an aggregate, ORDER BY columns outside the SELECT list
## and the WINDOW clause (Flink docs: Queries > Joins "Lookup Join", Queries > "Set Operations" IN/NOT IN, ORDER BY).

query lookup-join-inner insert-only
# The filesystem customers table read by key at processing time: on a bounded input, a plain inner join.
SELECT o.order_id, c.name FROM (SELECT *, PROCTIME() AS pt FROM orders) o JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c ON o.customer_id = c.customer_id
----
SELECT o.order_id, c.name FROM orders o JOIN customers c ON o.customer_id = c.customer_id

query lookup-join-left-expression-key insert-only
SELECT o.order_id, c.city FROM (SELECT *, PROCTIME() AS pt FROM orders) o LEFT JOIN customers FOR SYSTEM_TIME AS OF o.pt AS c ON o.customer_id + 1 = c.customer_id AND c.tier <> 'gold'
----
SELECT o.order_id, c.city FROM orders o LEFT JOIN customers c ON o.customer_id + 1 = c.customer_id AND c.tier <> 'gold'

query not-in-subquery empty
# NULL customer ids on either side: one NULL in the subquery makes NOT IN UNKNOWN for every row.
SELECT order_id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers WHERE tier = 'gold')

query not-in-subquery-no-nulls
SELECT order_id FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers WHERE tier = 'gold' AND customer_id IS NOT NULL)

query not-in-correlated
SELECT order_id FROM orders o WHERE o.quantity NOT IN (SELECT i.quantity FROM orders i WHERE i.product = o.product AND i.order_id <> o.order_id)

query scalar-correlated-count-select
SELECT c.customer_id, (SELECT COUNT(*) FROM orders o WHERE o.customer_id = c.customer_id) AS n FROM customers c

query scalar-correlated-max-where
SELECT order_id FROM orders o WHERE o.quantity >= (SELECT MAX(i.quantity) FROM orders i WHERE i.product = o.product)

query order-by-hidden-column
SELECT product, quantity FROM orders ORDER BY price DESC, order_id LIMIT 5

query order-by-hidden-expression
SELECT order_id FROM orders ORDER BY quantity * 2 + order_id DESC LIMIT 7

query over-named-window-refined insert-only
SELECT order_id, SUM(quantity) OVER (w ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM orders_lenient WINDOW w AS (PARTITION BY product ORDER BY ts)
----
SELECT order_id, CAST(sum(quantity) OVER (PARTITION BY product ORDER BY ts, seq ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS INTEGER) FROM orders_wm

query set-intersect-all
# Flink's FlinkRewriteIntersectAllRule: min(left, right) copies of each row.
SELECT customer_id FROM orders INTERSECT ALL SELECT customer_id FROM customers

query set-except-all
SELECT product FROM orders WHERE quantity > 20 EXCEPT ALL SELECT product FROM orders WHERE price > 500

query set-intersect-all-duplicates
SELECT product, quantity % 3 FROM orders INTERSECT ALL SELECT product, quantity % 4 FROM orders
