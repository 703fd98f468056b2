## String functions, with Flink's rules where DuckDB differs (NULL-propagating CONCAT, Java case mapping,
## SUBSTRING positions, 0-based SPLIT_INDEX, LPAD/RPAD truncation). Flink docs: System Functions > String Functions.

query str-concat-op insert-only
SELECT order_id, product || '#' || CAST(quantity AS STRING) FROM orders
----
SELECT order_id, product || '#' || CAST(quantity AS VARCHAR) FROM orders

query str-concat-null insert-only
# CONCAT is NULL when any argument is NULL in Flink; DuckDB's concat skips NULLs, its || does not.
SELECT order_id, CONCAT(product, '-', CAST(customer_id AS STRING)) FROM orders
----
SELECT order_id, product || '-' || CAST(customer_id AS VARCHAR) FROM orders

query str-concat-ws insert-only
# CONCAT_WS skips NULL arguments in both.
SELECT customer_id, CONCAT_WS('/', name, city, tier) FROM customers
----
SELECT customer_id, concat_ws('/', name, city, tier) FROM customers

query str-upper-lower insert-only
# Java's (and JavaScript's) upper case of ß is SS; DuckDB maps it to the capital ẞ.
SELECT order_id, UPPER(product), LOWER(product) FROM orders
----
SELECT order_id, replace(upper(product), 'ẞ', 'SS'), lower(product) FROM orders

query str-char-length insert-only
SELECT order_id, CHAR_LENGTH(product), CHARACTER_LENGTH(product) FROM orders
----
SELECT order_id, length(product), length(product) FROM orders

query str-trim insert-only
SELECT order_id, TRIM(product), LTRIM(product), RTRIM(product) FROM orders
----
SELECT order_id, trim(product), ltrim(product), rtrim(product) FROM orders

query str-trim-chars insert-only
# The characters to trim are a set, as in DuckDB.
SELECT customer_id, TRIM(' E' FROM name), TRIM('0123456789 ' FROM name) FROM customers
----
SELECT customer_id, trim(name, ' E'), trim(name, '0123456789 ') FROM customers

query str-trim-both-leading-trailing-chars insert-only
# Flink docs: TRIM([ BOTH | LEADING | TRAILING ] string1 FROM string2).
SELECT customer_id, TRIM(BOTH ' E' FROM name), TRIM(LEADING 'O' FROM name), TRIM(TRAILING '0123456789' FROM name) FROM customers
----
SELECT customer_id, trim(name, ' E'), ltrim(name, 'O'), rtrim(name, '0123456789') FROM customers

query str-substring-from-for insert-only
SELECT order_id, SUBSTRING(product FROM 2 FOR 3), SUBSTRING(product, 3) FROM orders
----
SELECT order_id, substring(product, 2, 3), substring(product, 3) FROM orders

query str-substring-zero insert-only
# Flink reads start position 0 as 1 (SUBSTRING('Hello World', 0, 3) = 'Hel'); SQL and DuckDB count position 0.
SELECT order_id, SUBSTRING(product, 0, 3) FROM orders
----
SELECT order_id, substring(product, 1, 3) FROM orders

query str-substring-negative insert-only
# A negative start counts from the end; one before the first character gives '' in Flink
# (BinaryStringDataUtil.substringSQL), where DuckDB clips to the start.
SELECT order_id, SUBSTR(product, -3), SUBSTRING(product, -3, 2) FROM orders
----
SELECT order_id, CASE WHEN length(product) < 3 THEN '' ELSE substring(product, -3) END, CASE WHEN length(product) < 3 THEN '' ELSE substring(product, -3, 2) END FROM orders

query str-position insert-only
# Flink docs: POSITION(string1 IN string2), 1-based, 0 when absent.
SELECT order_id, POSITION('a' IN product) FROM orders
----
SELECT order_id, strpos(product, 'a') FROM orders

query str-locate-instr insert-only
SELECT order_id, LOCATE('e', product), INSTR(product, 'an') FROM orders
----
SELECT order_id, strpos(product, 'e'), strpos(product, 'an') FROM orders

query str-locate-from insert-only
SELECT order_id, LOCATE('a', product, 3) FROM orders
----
SELECT order_id, CASE WHEN product IS NULL THEN NULL WHEN strpos(substring(product, 3), 'a') = 0 THEN 0 ELSE strpos(substring(product, 3), 'a') + 2 END FROM orders

query str-replace insert-only
SELECT order_id, REPLACE(product, 'a', 'AA'), REPLACE(product, ' ', '') FROM orders
----
SELECT order_id, replace(product, 'a', 'AA'), replace(product, ' ', '') FROM orders

query str-lpad-rpad insert-only
# Flink (like DuckDB) truncates to the target length when the string is longer.
SELECT order_id, LPAD(product, 6, '*'), RPAD(product, 4, '-=') FROM orders
----
SELECT order_id, lpad(product, 6, '*'), rpad(product, 4, '-=') FROM orders

query str-repeat insert-only
SELECT order_id, REPEAT(product, 2) FROM orders WHERE quantity > 30
----
SELECT order_id, repeat(product, 2) FROM orders WHERE quantity > 30

query str-left-right insert-only
SELECT order_id, LEFT(product, 2), RIGHT(product, 2) FROM orders
----
SELECT order_id, left(product, 2), right(product, 2) FROM orders

query str-reverse insert-only
SELECT order_id, REVERSE(product) FROM orders
----
SELECT order_id, reverse(product) FROM orders

query str-initcap insert-only
# Flink's INITCAP upper-cases the first letter of every run of letters and digits and lower-cases the rest.
SELECT customer_id, INITCAP(name) FROM customers
----
SELECT customer_id, list_reduce(list_transform(regexp_extract_all(name, '([^A-Za-z0-9À-ÿ]*)([A-Za-z0-9À-ÿ]*)', 0), x -> upper(substring(regexp_extract(x, '^[^A-Za-z0-9À-ÿ]*', 0) || '', 1)) || upper(substring(regexp_replace(x, '^[^A-Za-z0-9À-ÿ]*', ''), 1, 1)) || lower(substring(regexp_replace(x, '^[^A-Za-z0-9À-ÿ]*', ''), 2))), (a, b) -> a || b, '') FROM customers

query str-split-index insert-only
# SPLIT_INDEX counts from 0 and is NULL past the last part; DuckDB's split_part counts from 1 and answers ''.
SELECT customer_id, SPLIT_INDEX(name, ' ', 0), SPLIT_INDEX(name, ' ', 1), SPLIT_INDEX(name, ' ', 5) FROM customers
----
SELECT customer_id, string_split(name, ' ')[1], string_split(name, ' ')[2], string_split(name, ' ')[6] FROM customers

query str-regexp insert-only
SELECT order_id, REGEXP(product, '^[a-c]') FROM orders
----
SELECT order_id, regexp_matches(product, '^[a-c]') FROM orders

query str-regexp-replace insert-only
SELECT order_id, REGEXP_REPLACE(product, '[aeiou]', '_') FROM orders
----
SELECT order_id, regexp_replace(product, '[aeiou]', '_', 'g') FROM orders

query str-regexp-extract insert-only
# REGEXP_EXTRACT is NULL when the pattern does not match; DuckDB answers ''.
SELECT order_id, REGEXP_EXTRACT(product, '([a-z]+) ([a-z]+)', 2) FROM orders
----
SELECT order_id, CASE WHEN regexp_matches(product, '([a-z]+) ([a-z]+)') THEN regexp_extract(product, '([a-z]+) ([a-z]+)', 2) END FROM orders

query str-like-in-select insert-only
SELECT order_id, product LIKE '%e%' FROM orders

query str-ascii-chr insert-only
SELECT order_id, ASCII(product), CHR(quantity + 64) FROM orders WHERE quantity BETWEEN 1 AND 26
----
SELECT order_id, CASE WHEN product = '' THEN 0 ELSE ascii(product) END, chr(quantity + 64) FROM orders WHERE quantity BETWEEN 1 AND 26

query str-md5 insert-only
SELECT order_id, MD5(product) FROM orders
----
SELECT order_id, md5(product) FROM orders

query str-sha256 insert-only
SELECT order_id, SHA256(product) FROM orders
----
SELECT order_id, sha256(product) FROM orders

query str-compare-case insert-only
SELECT customer_id, name < 'a', UPPER(city) = 'BERLIN' FROM customers
----
SELECT customer_id, name < 'a', upper(city) = 'BERLIN' FROM customers

query str-overlay insert-only
# Flink docs: OVERLAY(string1 PLACING string2 FROM integer1 [ FOR integer2 ]).
SELECT order_id, OVERLAY(product PLACING '##' FROM 2 FOR 1) FROM orders WHERE CHAR_LENGTH(product) >= 2
----
SELECT order_id, substring(product, 1, 1) || '##' || substring(product, 3) FROM orders WHERE length(product) >= 2

query str-like-case-sensitive insert-only
SELECT order_id, product FROM orders WHERE product LIKE 'b%' OR product LIKE 'B%'

query str-in-where-functions insert-only
SELECT customer_id, name FROM customers WHERE UPPER(TRIM(name)) LIKE 'E%' OR CHAR_LENGTH(name) > 8
----
SELECT customer_id, name FROM customers WHERE upper(trim(name)) LIKE 'E%' OR length(name) > 8

query str-json-value insert-only
# Flink docs: JSON Functions. JSON_VALUE answers STRING unless RETURNING says otherwise; a missing path is NULL.
SELECT order_id, JSON_VALUE('{"q":' || CAST(quantity AS STRING) || ',"c":' || CAST(customer_id AS STRING) || '}', '$.q'), JSON_VALUE('{"q":' || CAST(quantity AS STRING) || '}', '$.missing') FROM orders
----
SELECT order_id, json_extract_string('{"q":' || CAST(quantity AS VARCHAR) || ',"c":' || CAST(customer_id AS VARCHAR) || '}', '$.q'), CAST(NULL AS VARCHAR) FROM orders

query str-json-value-returning insert-only
# JSON_VALUE(... RETURNING INT) is an INT (Flink docs: JSON Functions).
types: BIGINT, INT
SELECT order_id, JSON_VALUE('{"q":' || CAST(quantity AS STRING) || '}', '$.q' RETURNING INT) FROM orders
----
SELECT order_id, quantity FROM orders

query str-json-exists insert-only
SELECT order_id, JSON_EXISTS('{"a":{"b":' || CAST(quantity AS STRING) || '}}', '$.a.b'), JSON_EXISTS('{"a":1}', '$.z') FROM orders WHERE quantity IS NOT NULL
----
SELECT order_id, true, false FROM orders WHERE quantity IS NOT NULL

query str-cast-char-varchar insert-only
# CAST to CHAR(n) pads with spaces to n and truncates; VARCHAR(n) truncates (Flink 1.16+ casting rules).
types: BIGINT, CHAR(5), VARCHAR(3)
SELECT order_id, CAST(product AS CHAR(5)), CAST(product AS VARCHAR(3)) FROM orders
----
SELECT order_id, rpad(left(product, 5), 5, ' '), left(product, 3) FROM orders
