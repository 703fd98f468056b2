// A windowed job for the REST API, dispatcher and dashboard tests: datagen clicks counted per user in 1 s
// tumbling windows (a hash exchange into the window aggregate), written to a blackhole table.
export const WINDOWED_JOB = [
  "CREATE TABLE clicks (user_id BIGINT, ts AS LOCALTIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '2000', 'fields.user_id.min' = '1', 'fields.user_id.max' = '20')",
  "CREATE TABLE counts (user_id BIGINT, window_start TIMESTAMP(3), cnt BIGINT) WITH ('connector' = 'blackhole')",
  "INSERT INTO counts SELECT user_id, window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '1' SECOND)) GROUP BY user_id, window_start, window_end",
];
