## Arithmetic, comparison, CAST and conditional expressions (Calc), with Flink's typing rules in the oracle.

query expr-int-arith insert-only
SELECT order_id, quantity + 1, quantity - customer_id, quantity * 3, -quantity FROM orders

query expr-int-division insert-only
# INT / INT is an INT in Flink (Calcite's integer division truncates toward zero); DuckDB's / answers a DOUBLE.
types: BIGINT, INT, INT
SELECT order_id, quantity / 4, quantity / -3 FROM orders
----
SELECT order_id, CAST(trunc(quantity / 4) AS INTEGER), CAST(trunc(quantity / -3) AS INTEGER) FROM orders

query expr-mod insert-only
# MOD takes the sign of the dividend in both engines.
SELECT order_id, MOD(quantity, 7), MOD(quantity, -4) FROM orders
----
SELECT order_id, quantity % 7, quantity % -4 FROM orders

query expr-bigint-arith insert-only
SELECT order_id, order_id + 1, order_id * 2 FROM orders WHERE order_id < 1000
----
SELECT order_id, order_id + 1, order_id * 2 FROM orders WHERE order_id < 1000

query expr-bigint-exact-beyond-2-53 insert-only
# BIGINT is exact 64-bit: the ids above 2^53 must keep their last digit.
SELECT order_id, order_id - 9007199254740990, order_id + 1 FROM orders WHERE order_id > 9007199254740992

query expr-decimal-times-int insert-only
# DECIMAL(10, 2) * INT (as DECIMAL(10, 0)) is DECIMAL(21, 2) in Flink (LogicalTypeMerging.findMultiplicationDecimalType:
# precision p1 + p2 + 1, scale s1 + s2): exact.
types: BIGINT, DECIMAL(21, 2)
SELECT order_id, price * quantity FROM orders

query expr-decimal-add-literal insert-only
types: BIGINT, DECIMAL(11, 2), DECIMAL(11, 2)
SELECT order_id, price + 1.5, price - 0.01 FROM orders

query expr-decimal-times-decimal insert-only
SELECT order_id, price * 1.10 FROM orders

query expr-decimal-division insert-only
# Flink divides DECIMAL(p1, s1) by DECIMAL(p2, s2) exactly at scale max(6, s1 + p2 + 1), rounding half up
# (LogicalTypeMerging.findDivisionDecimalType): here
# DECIMAL(10, 2) / INT (as DECIMAL(10, 0)) has 13 fraction digits. The oracle computes that in integers.
types: BIGINT, DECIMAL(21, 13)
SELECT order_id, price / quantity FROM orders WHERE quantity <> 0
----
SELECT order_id, CAST(sign(price) * sign(quantity) * ((abs(CAST(price * 100 AS HUGEINT)) * 200000000000 + abs(quantity)) // (2 * abs(quantity))) AS DECIMAL(38, 0)) * CAST(0.0000000000001 AS DECIMAL(38, 13)) FROM orders WHERE quantity <> 0

query expr-decimal-division-as-double insert-only
SELECT order_id, CAST(price / quantity AS DOUBLE) FROM orders WHERE quantity <> 0 AND ABS(price) >= 1 AND ABS(quantity) < 10
----
SELECT order_id, CAST(price AS DOUBLE) / quantity FROM orders WHERE quantity <> 0 AND abs(price) >= 1 AND abs(quantity) < 10

query expr-double-arith insert-only
SELECT customer_id, credit * 2, credit + 0.5, credit / 4 FROM customers

query expr-mixed-compare insert-only
SELECT order_id, price > quantity, price = quantity FROM orders

query expr-compare-results insert-only
SELECT order_id, quantity > 10, quantity <= 10, quantity <> 5, product = 'apple' FROM orders

query expr-boolean-logic insert-only
SELECT order_id, quantity > 10 AND price > 100, quantity > 10 OR price > 100, NOT (quantity > 10) FROM orders

query expr-cast-int-to-bigint insert-only
SELECT order_id, CAST(quantity AS BIGINT), CAST(customer_id AS DOUBLE) FROM orders

query expr-cast-decimal-to-int insert-only
# Flink truncates a DECIMAL toward zero when casting it to INT; DuckDB rounds.
types: BIGINT, INT
SELECT order_id, CAST(price AS INT) FROM orders
----
SELECT order_id, CAST(trunc(price) AS INTEGER) FROM orders

query expr-cast-decimal-to-double insert-only
SELECT order_id, CAST(price AS DOUBLE) FROM orders

query expr-cast-to-string insert-only
SELECT order_id, CAST(quantity AS STRING), CAST(price AS STRING), CAST(order_id AS STRING) FROM orders
----
SELECT order_id, CAST(quantity AS VARCHAR), CAST(price AS VARCHAR), CAST(order_id AS VARCHAR) FROM orders

query expr-cast-timestamp-to-string insert-only
# Flink prints TIMESTAMP(3) with all three fraction digits.
SELECT order_id, CAST(ts AS STRING) FROM orders
----
SELECT order_id, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') FROM orders

query expr-cast-timestamp-to-date insert-only
SELECT order_id, CAST(ts AS DATE) FROM orders

query expr-cast-date-to-timestamp insert-only
SELECT customer_id, CAST(signup AS TIMESTAMP(3)) FROM customers
----
SELECT customer_id, CAST(signup AS TIMESTAMP) FROM customers

query expr-cast-string-to-int insert-only
SELECT order_id, CAST(CAST(quantity AS STRING) AS INT) + 1 FROM orders
----
SELECT order_id, quantity + 1 FROM orders

query expr-cast-double-to-decimal insert-only
SELECT customer_id, CAST(credit AS DECIMAL(20, 2)) FROM customers WHERE credit < 1000000

query expr-cast-decimal-narrow insert-only
# DECIMAL(10, 2) to DECIMAL(10, 1) rounds half up.
SELECT order_id, CAST(price AS DECIMAL(10, 1)) FROM orders

query expr-try-cast insert-only
# Flink's TRY_CAST answers NULL where CAST fails.
SELECT order_id, TRY_CAST(product AS INT) FROM orders
----
SELECT order_id, TRY_CAST(product AS INTEGER) FROM orders

query expr-case-searched insert-only
SELECT order_id, CASE WHEN quantity > 40 THEN 'bulk' WHEN quantity > 10 THEN 'medium' WHEN quantity >= 0 THEN 'small' ELSE 'odd' END FROM orders

query expr-case-simple insert-only
SELECT customer_id, CASE tier WHEN 'gold' THEN 3 WHEN 'silver' THEN 2 ELSE 0 END FROM customers

query expr-case-no-else insert-only
SELECT order_id, CASE WHEN price < 0 THEN 'refund' END FROM orders

query expr-case-decimal-branches insert-only
SELECT order_id, CASE WHEN quantity > 10 THEN price ELSE 0 END FROM orders

query expr-coalesce insert-only
SELECT order_id, COALESCE(customer_id, -1), COALESCE(product, 'none') FROM orders

query expr-coalesce-three insert-only
SELECT order_id, COALESCE(price, CAST(quantity AS DECIMAL(10, 2)), 0) FROM orders

query expr-nullif insert-only
SELECT order_id, NULLIF(quantity, 0), NULLIF(product, '') FROM orders

query expr-if insert-only
SELECT order_id, IF(quantity > 20, 'many', 'few') FROM orders
----
SELECT order_id, CASE WHEN quantity > 20 THEN 'many' ELSE 'few' END FROM orders

query expr-ifnull insert-only
SELECT order_id, IFNULL(quantity, 0) FROM orders
----
SELECT order_id, COALESCE(quantity, 0) FROM orders

query expr-greatest-least insert-only
# Flink's GREATEST and LEAST are NULL when any argument is NULL; DuckDB's skip NULLs.
SELECT order_id, GREATEST(quantity, customer_id, 5), LEAST(quantity, customer_id) FROM orders
----
SELECT order_id,
  CASE WHEN quantity IS NULL OR customer_id IS NULL THEN NULL ELSE greatest(quantity, customer_id, 5) END,
  CASE WHEN quantity IS NULL OR customer_id IS NULL THEN NULL ELSE least(quantity, customer_id) END
FROM orders

query expr-in-as-value insert-only
SELECT order_id, customer_id IN (1, 2), product NOT IN ('apple', 'kiwi') FROM orders

query expr-null-arith insert-only
SELECT order_id, quantity + NULL, CAST(NULL AS INT) FROM orders
----
SELECT order_id, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) FROM orders

query expr-literals insert-only
SELECT order_id, 1, 'x', 2.50, TRUE, DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00.123' FROM orders

query expr-nested-arith insert-only
SELECT order_id, (quantity + 2) * (customer_id - 1) - quantity / 2 FROM orders
----
SELECT order_id, (quantity + 2) * (customer_id - 1) - CAST(trunc(quantity / 2) AS INTEGER) FROM orders

query expr-timestamp-interval insert-only
SELECT order_id, ts + INTERVAL '10' SECOND, ts - INTERVAL '1' HOUR FROM orders

query expr-date-interval insert-only
SELECT customer_id, signup + INTERVAL '3' DAY FROM customers
----
SELECT customer_id, CAST(signup + INTERVAL 3 DAY AS DATE) FROM customers

query expr-timestamp-compare insert-only
SELECT s.ship_id, s.ship_ts > TIMESTAMP '2024-03-01 09:05:00' FROM shipments s

query expr-between-decimals insert-only
SELECT order_id, price BETWEEN 10 AND 99.99 FROM orders

query expr-cast-double-to-string insert-only
# Flink prints a DOUBLE as Java's Double.toString: '0.0', and scientific notation from 1e7 on ('1.0E10').
SELECT customer_id, credit, CAST(credit AS STRING) FROM customers
----
SELECT customer_id, credit, CASE WHEN credit = 0 THEN '0.0' WHEN abs(credit) >= 1e7 THEN CAST(credit / 1e10 AS VARCHAR) || 'E10' ELSE CAST(credit AS VARCHAR) END FROM customers

query expr-cast-bigint-beyond-2-53-to-string insert-only
SELECT order_id, CAST(order_id AS STRING), CAST(order_id * 10 AS STRING) FROM orders WHERE order_id > 1000000
----
SELECT order_id, CAST(order_id AS VARCHAR), CAST(order_id * 10 AS VARCHAR) FROM orders WHERE order_id > 1000000

query expr-string-concat-numbers insert-only
SELECT order_id, CAST(price AS STRING) || '/' || CAST(quantity AS STRING) || '@' || CAST(ts AS STRING) FROM orders
----
SELECT order_id, CAST(price AS VARCHAR) || '/' || CAST(quantity AS VARCHAR) || '@' || strftime(ts, '%Y-%m-%d %H:%M:%S.%g') FROM orders

query expr-cast-boolean insert-only
SELECT order_id, CAST(quantity > 10 AS STRING), CAST(CAST(quantity AS BOOLEAN) AS INT) FROM orders
----
SELECT order_id, CASE WHEN quantity > 10 THEN 'TRUE' WHEN quantity <= 10 THEN 'FALSE' END, CAST(CAST(quantity AS BOOLEAN) AS INTEGER) FROM orders

query expr-int-overflow-wraps insert-only
# INT arithmetic wraps around on overflow as Java's int does (Flink's generated code); DuckDB raises an error,
# so the oracle computes in BIGINT and wraps to 32 bits.
types: BIGINT, INT
SELECT order_id, quantity * 100000000 FROM orders
----
SELECT order_id, CAST(((CAST(quantity AS BIGINT) * 100000000 + 2147483648) % 4294967296 + 4294967296) % 4294967296 - 2147483648 AS INTEGER) FROM orders

query expr-cast-int-to-tinyint-wraps insert-only
# A narrowing cast keeps the low bits (Flink: CAST(300 AS TINYINT) = 44); DuckDB raises an error.
SELECT order_id, CAST(quantity * 10 AS TINYINT) FROM orders
----
SELECT order_id, CAST(((quantity * 10 + 128) % 256 + 256) % 256 - 128 AS TINYINT) FROM orders

query expr-coalesce-mixed-types insert-only
# The common type of DECIMAL(10, 2) and INT (DECIMAL(10, 0)) is DECIMAL(12, 2).
types: BIGINT, DECIMAL(12, 2)
SELECT order_id, COALESCE(price, quantity) FROM orders

query expr-case-mixed-types insert-only
types: BIGINT, DECIMAL(12, 2)
SELECT order_id, CASE WHEN quantity > 10 THEN quantity ELSE price END FROM orders

query expr-month-arithmetic insert-only
# Adding months clamps to the last day of a shorter month (2024-01-31 + 1 month = 2024-02-29) in both engines.
SELECT customer_id, signup + INTERVAL '1' MONTH, TIMESTAMPADD(MONTH, 13, signup), ts_plus FROM (SELECT customer_id, signup, CAST(signup AS TIMESTAMP(3)) + INTERVAL '2' MONTH AS ts_plus FROM customers)
----
SELECT customer_id, CAST(signup + INTERVAL 1 MONTH AS DATE), CAST(signup + INTERVAL 13 MONTH AS DATE), CAST(signup AS TIMESTAMP) + INTERVAL 2 MONTH FROM customers

query expr-cast-timestamp-to-time insert-only
types: BIGINT, TIME(0), TIME(3)
SELECT order_id, CAST(ts AS TIME), CAST(ts AS TIME(3)) FROM orders
----
SELECT order_id, CAST(date_trunc('second', ts) AS TIME), CAST(ts AS TIME) FROM orders
