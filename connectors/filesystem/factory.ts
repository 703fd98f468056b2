// The `filesystem` connector: reads a file, a directory tree or a glob as a split source (a file a split, see
// source.ts), bounded or continuously monitored, in csv, json, raw or parquet; writes rolling part files, under
// `k=v/` partition directories for PARTITIONED BY tables (sink.ts). Options follow Flink's filesystem connector.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOOKUP_OPTION_SPECS, batchToRows, lookupCacheConfig, makeBatch, type Column, type LookupReader, type RecordBatch, type Schema, type SplitSource, type Value } from '../../executor/index.js';
import type { DynamicTableFactory, SourceContext } from '../../planner/index.js';
import { SourcePushDown, evaluablePredicate } from '../../planner/catalog/factory.js';
import { CsvBatcher, CsvRecordParser, csvOptions, type CsvField } from '../formats/csv.js';
import { FileSinkWriter, parseDuration, rollingPolicy, type SinkFormat } from './sink.js';
import { fileSource, type FileFormat, type FileSplit } from './source.js';
import { countSkippedRecords } from '../metrics.js';
import { JSON_OPTION_SPECS, JsonDecoder, JsonRecordError, jsonOptions } from '../formats/json.js';

const BATCH_SIZE = 4096;

export const filesystemFactory: DynamicTableFactory = {
  identifier: 'filesystem',
  options: [
    { key: 'path', required: true, description: 'a file, a directory (read recursively) or a glob such as /data/*.csv' },
    { key: 'format', required: true, description: 'the file format: csv, json (one object per line), raw (one line per row) or parquet', values: ['csv', 'json', 'raw', 'parquet'] },
    { key: 'scan.parallelism', description: 'how many parallel readers share the files (default parallelism.default)' },
    { key: 'source.monitor-interval', description: 'scan the path for new files this often (e.g. 10 s): the source becomes unbounded' },
    { key: 'scan.watermark.idle-timeout', description: "a file split without rows this long leaves the watermark minimum (default: table.exec.source.idle-timeout)" },
    { key: 'partition.default-name', description: "the partition directory name for NULL or '' partition values (default __DEFAULT_PARTITION__)" },
    { key: 'csv.field-delimiter', description: "field delimiter character (default ',', '\\t' for tab)" },
    { key: 'csv.quote-character', description: 'quote character (default ")' },
    { key: 'csv.allow-comments', description: "skip lines starting with '#'", values: ['true', 'false'] },
    { key: 'csv.ignore-parse-errors', description: 'skip (and count) malformed records instead of failing', values: ['true', 'false'] },
    { key: 'csv.null-literal', description: 'a string read as NULL' },
    ...JSON_OPTION_SPECS,
    { key: 'sink.rolling-policy.file-size', description: 'roll a part file at this size (default 128mb)' },
    { key: 'sink.rolling-policy.rollover-interval', description: 'roll a part file after this long open (default 30min)' },
    { key: 'sink.rolling-policy.check-interval', description: 'how often open part files are checked for rollover and inactivity (default 1min)' },
    { key: 'sink.rolling-policy.inactivity-interval', description: 'roll a part file that received no rows this long (default 30min)' },
    ...LOOKUP_OPTION_SPECS,
  ],
  // A file has no point lookups: a lookup join loads it whole and indexes it (as Flink's FileSystemLookupFunction
  // does), unless the table asks for 'lookup.cache' = 'PARTIAL' or 'NONE' (each miss then scans the file).
  defaultLookupCache: 'FULL',
  validate(options) {
    const format = options['format'];
    for (const key of Object.keys(options)) {
      const prefix = key.split('.')[0] as string;
      if ((prefix === 'csv' || prefix === 'json') && prefix !== format) throw new Error(`option '${key}' does not apply to format '${format}'`);
    }
    if (format === 'csv') csvOptions(options);
    else if (format === 'json') jsonOptions(options);
    rollingPolicy(options);
    if (options['source.monitor-interval'] !== undefined) monitorInterval(options);
    lookupCacheConfig(options, 'FULL');
  },
  createSink(ctx) {
    return new FileSinkWriter(ctx.schema, ctx.options['path'] as string, (ctx.options['format'] ?? 'csv') as SinkFormat, ctx.options, ctx.tableName, undefined, ctx.partitionKeys ?? []);
  },
  supportsPartitioning: true,
  supportsWatermarkPushDown: () => true,
  createScanSource: (ctx) => scanSource(ctx),
  // Projection push-down: CSV converts only the read fields, JSON decodes only the read keys. Accepted filters
  // drop rows before the batch leaves the source.
  supportsProjectionPushDown: () => true,
  acceptsFilter: (_options, p, schema) => evaluablePredicate(p, schema),
  // The single-reader form: every file in one reader.
  createSource(ctx) {
    return scanSource(ctx).createReader(0, 1);
  },
  createLookup(ctx) {
    return new FileLookupReader(ctx.physicalSchema, ctx.options);
  },
};

/**
 * The table as a lookup join reads it: the file(s) parsed synchronously (the join operator waits for its
 * lookups, as Flink's synchronous LookupFunction does), with the same parsers as the source.
 */
class FileLookupReader implements LookupReader {
  constructor(
    private readonly schema: Schema,
    private readonly options: Readonly<Record<string, string>>,
  ) {}

  loadAll(): Value[][] {
    const path = this.options['path'] as string;
    let files: string[];
    try {
      files = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((n) => !n.startsWith('.') && !n.startsWith('_'))
            .sort()
            .map((n) => join(path, n))
        : [path];
    } catch {
      throw new Error(`filesystem lookup: path '${path}' does not exist`);
    }
    const rows: Value[][] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (this.options['format'] === 'json') {
        const decoder = new JsonDecoder(this.schema, jsonOptions(this.options), BATCH_SIZE);
        text.split('\n').forEach((l, i) => {
          if (l.trim() === '') return;
          try {
            decoder.add(l);
          } catch (e) {
            if (e instanceof JsonRecordError) throw new Error(`malformed JSON record at ${file}:${i + 1}: ${e.message}`);
            throw e;
          }
        });
        if (decoder.size > 0) rows.push(...batchToRows(decoder.take()));
        continue;
      }
      const opts = csvOptions(this.options);
      const parser = new CsvRecordParser(opts);
      const batcher = new CsvBatcher(this.schema, opts, BATCH_SIZE, (line) => `${file}:${line}`);
      const collect = (f: CsvField[], line: number): void => batcher.add(f, line);
      parser.feed(text, collect);
      parser.end(collect);
      if (batcher.size > 0) rows.push(...batchToRows(batcher.take()));
    }
    return rows;
  }
}

/** The table's files as a split source; pushed-down projection and filters are applied to each batch. */
function scanSource(ctx: SourceContext): SplitSource<FileSplit> {
  const pd = new SourcePushDown(ctx.physicalSchema, ctx.projection, ctx.filters);
  const options = ctx.options;
  return fileSource({
    path: options['path'] as string,
    format: (options['format'] ?? 'csv') as FileFormat,
    options,
    physicalSchema: ctx.physicalSchema,
    partitionKeys: ctx.partitionKeys ?? [],
    monitorIntervalMs: options['source.monitor-interval'] === undefined ? null : monitorInterval(options),
    onSkipped: (n) => countSkippedRecords(ctx.tableName, n),
    outputSchema: pd.outputSchema,
    // Without partition columns the files decode only the read columns; with them, whole rows are narrowed after.
    ...((ctx.partitionKeys ?? []).length === 0
      ? { readColumns: pd.read, ...(pd.trivial ? {} : { finish: (b: RecordBatch) => pd.finish(b) }) }
      : { finish: (b: RecordBatch) => pd.finish(makeBatch(pd.readSchema, pd.read.map((i) => b.columns[i] as Column), b.length, b.kinds)) }),
  });
}

function monitorInterval(options: Readonly<Record<string, string>>): number {
  const ms = parseDuration(options['source.monitor-interval'] as string, 'source.monitor-interval');
  if (ms <= 0) throw new Error("option 'source.monitor-interval' must be positive");
  return ms;
}
