## Projection and filter over the filesystem source (Calc). These run in every mode today.
# The oracle is the same SQL unless a ---- part says otherwise.

query proj-star insert-only
SELECT * FROM orders

query proj-columns insert-only
SELECT order_id, product, ts FROM orders

query proj-reorder-dup insert-only
SELECT ts, order_id, order_id AS again, price FROM orders

query proj-customers insert-only
SELECT * FROM customers

query proj-shipments insert-only
SELECT ship_id, order_id, carrier, ship_ts FROM shipments

query proj-lenient-same-files insert-only
SELECT order_id, ts FROM orders_lenient

query filter-eq-int insert-only
SELECT order_id, quantity FROM orders WHERE customer_id = 1

query filter-ne insert-only
SELECT order_id FROM orders WHERE customer_id <> 1

query filter-range insert-only
SELECT order_id, price FROM orders WHERE price >= 100 AND price < 500.50

query filter-or insert-only
SELECT order_id FROM orders WHERE quantity > 45 OR price < 0

query filter-not insert-only
SELECT order_id, quantity FROM orders WHERE NOT (quantity > 10)

query filter-is-null insert-only
SELECT order_id, customer_id FROM orders WHERE customer_id IS NULL

query filter-is-not-null insert-only
SELECT order_id, product FROM orders WHERE product IS NOT NULL AND price IS NOT NULL

query filter-between insert-only
SELECT order_id, quantity FROM orders WHERE quantity BETWEEN 5 AND 9

query filter-not-between insert-only
SELECT order_id, quantity FROM orders WHERE quantity NOT BETWEEN 5 AND 45

query filter-in-list insert-only
SELECT order_id, customer_id FROM orders WHERE customer_id IN (2, 3, 5, 7)

query filter-not-in-list insert-only
SELECT order_id, customer_id FROM orders WHERE customer_id NOT IN (1, 2, 3)

query filter-in-strings insert-only
SELECT order_id, product FROM orders WHERE product IN ('apple', 'Banana', '')

query filter-string-eq-empty insert-only
SELECT order_id FROM orders WHERE product = ''

query filter-string-compare insert-only
SELECT order_id, product FROM orders WHERE product > 'cherry'

query filter-like-prefix insert-only
SELECT order_id, product FROM orders WHERE product LIKE 'c%'

query filter-like-underscore insert-only
SELECT order_id, product FROM orders WHERE product LIKE '_a%'

query filter-like-infix insert-only
SELECT name FROM customers WHERE name LIKE '%e%'

query filter-not-like insert-only
SELECT order_id, product FROM orders WHERE product NOT LIKE '%a%'

query filter-like-escape insert-only
SELECT order_id, product FROM orders WHERE product LIKE '50!%%' ESCAPE '!'

query filter-bigint-exact insert-only
SELECT order_id FROM orders WHERE order_id > 9007199254740992

query filter-decimal-eq insert-only
SELECT order_id, price FROM orders WHERE price = 0

query filter-timestamp insert-only
SELECT order_id, ts FROM orders WHERE ts >= TIMESTAMP '2024-03-01 09:05:00' AND ts < TIMESTAMP '2024-03-01 09:06:00'

query filter-date insert-only
SELECT customer_id, signup FROM customers WHERE signup < DATE '2022-06-01'

query filter-double insert-only
SELECT customer_id, credit FROM customers WHERE credit > 0.25

query filter-null-comparison empty insert-only
SELECT order_id FROM orders WHERE customer_id = NULL

query filter-false empty insert-only
SELECT order_id FROM orders WHERE 1 = 0

query filter-is-true insert-only
SELECT order_id FROM orders WHERE (quantity > 10) IS TRUE

query filter-is-not-false insert-only
SELECT order_id, quantity FROM orders WHERE (quantity > 10) IS NOT FALSE

query filter-is-unknown insert-only
SELECT order_id FROM orders WHERE (quantity > 10) IS UNKNOWN
----
SELECT order_id FROM orders WHERE (quantity > 10) IS NULL

query filter-is-distinct-from insert-only
SELECT order_id, customer_id FROM orders WHERE customer_id IS DISTINCT FROM 1

query filter-is-not-distinct-from insert-only
SELECT order_id FROM orders WHERE customer_id IS NOT DISTINCT FROM NULL

query filter-three-valued insert-only
SELECT order_id FROM orders WHERE NOT (customer_id = 1 AND quantity > 5)

query filter-subquery-from insert-only
SELECT id, q FROM (SELECT order_id AS id, quantity AS q FROM orders WHERE quantity > 3) WHERE q < 20

query proj-view insert-only
SELECT * FROM (SELECT order_id, price * 2 AS double_price FROM orders) t WHERE t.double_price > 1000

## The same projections written the ways a parser's fast paths must not get wrong: keyword case, comments,
## quoted identifiers, qualified stars, line breaks and tabs.

query syntax-keyword-case insert-only
SeLeCt order_id, Quantity_Alias FrOm (select order_id, quantity AS Quantity_Alias FROM orders) WhErE Quantity_Alias>3
----
SELECT order_id, quantity FROM orders WHERE quantity > 3

query syntax-comments insert-only
SELECT /* block */ order_id, -- line comment
  price /* another */ FROM orders -- trailing
----
SELECT order_id, price FROM orders

query syntax-quoted-identifiers insert-only
SELECT `order_id` AS `the id`, `o`.`price` AS `price, in EUR` FROM `orders` AS `o` WHERE `o`.`quantity` > 1
----
SELECT order_id, price FROM orders WHERE quantity > 1

query syntax-qualified-star insert-only
SELECT o.*, o.quantity * 2 AS q2 FROM orders o
----
SELECT *, quantity * 2 FROM orders

query syntax-star-and-columns insert-only
SELECT *, quantity FROM orders
----
SELECT *, quantity FROM orders

query syntax-whitespace insert-only
SELECT	order_id ,
	price
FROM
	orders
WHERE	quantity	>	3
----
SELECT order_id, price FROM orders WHERE quantity > 3

query syntax-parenthesized insert-only
SELECT (order_id), ((quantity + 1) * (2)), (((product))) FROM (((orders)))
----
SELECT order_id, (quantity + 1) * 2, product FROM orders

query syntax-catalog-path insert-only
SELECT order_id FROM default_catalog.default_database.orders WHERE orders.quantity > 40
----
SELECT order_id FROM orders WHERE quantity > 40

query syntax-string-escapes insert-only
SELECT order_id, 'it''s' FROM orders WHERE product = 'say "hi"' OR product = 'O''Brien' OR product = 'café'
----
SELECT order_id, 'it''s' FROM orders WHERE product = 'say "hi"' OR product = 'café'
