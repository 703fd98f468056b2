// The `filesystem` connector: reads a file or every file of a directory (sorted by name), bounded, in the
// configured format. Options follow Flink's filesystem connector.
import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { LOOKUP_OPTION_SPECS, batchToRows, lookupCacheConfig, type LookupReader, type RecordBatch, type Schema, type SourceReader, type StreamElement, type Value } from '../../executor/index.js';
import type { DynamicTableFactory } from '../../planner/index.js';
import { SourcePushDown, evaluablePredicate } from '../../planner/catalog/factory.js';
import { CsvBatcher, CsvRecordParser, csvOptions, type CsvField } from '../formats/csv.js';
import { FileSinkWriter, rollingPolicy } from './sink.js';
import { JSON_OPTION_SPECS, JsonDecoder, JsonRecordError, jsonOptions } from '../formats/json.js';

const BATCH_SIZE = 4096;

export const filesystemFactory: DynamicTableFactory = {
  identifier: 'filesystem',
  options: [
    { key: 'path', required: true, description: 'a file, or a directory whose files are all read' },
    { key: 'format', required: true, description: 'the file format: csv, or json (one object per line)', values: ['csv', 'json'] },
    { key: 'csv.field-delimiter', description: "field delimiter character (default ',', '\\t' for tab)" },
    { key: 'csv.quote-character', description: 'quote character (default ")' },
    { key: 'csv.allow-comments', description: "skip lines starting with '#'", values: ['true', 'false'] },
    { key: 'csv.ignore-parse-errors', description: 'skip (and count) malformed records instead of failing', values: ['true', 'false'] },
    { key: 'csv.null-literal', description: 'a string read as NULL' },
    ...JSON_OPTION_SPECS,
    { key: 'sink.rolling-policy.file-size', description: 'roll a part file at this size (default 128mb)' },
    { key: 'sink.rolling-policy.rollover-interval', description: 'roll a part file after this long open (default 30min)' },
    { key: 'sink.rolling-policy.check-interval', description: 'accepted for compatibility; rolling is checked on every write' },
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
    else jsonOptions(options);
    rollingPolicy(options);
    lookupCacheConfig(options, 'FULL');
  },
  createSink(ctx) {
    return new FileSinkWriter(ctx.schema, ctx.options['path'] as string, ctx.options['format'] === 'json' ? 'json' : 'csv', ctx.options, ctx.tableName);
  },
  // Projection push-down: CSV converts only the read fields, JSON decodes only the read keys. Accepted filters
  // drop rows before the batch leaves the source.
  supportsProjectionPushDown: () => true,
  acceptsFilter: (_options, p, schema) => evaluablePredicate(p, schema),
  createSource(ctx) {
    return new FileSourceReader(ctx.physicalSchema, ctx.options, new SourcePushDown(ctx.physicalSchema, ctx.projection, ctx.filters));
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

class FileSourceReader implements SourceReader {
  /** Malformed records skipped under csv.ignore-parse-errors (a metric once metrics exist). */
  skippedRecords = 0;
  readonly outputSchema: Schema;

  constructor(
    private readonly physicalSchema: Schema,
    private readonly options: Readonly<Record<string, string>>,
    private readonly pushDown: SourcePushDown,
  ) {
    this.outputSchema = pushDown.outputSchema;
  }

  async *read(signal: AbortSignal): AsyncGenerator<StreamElement> {
    const path = this.options['path'] as string;
    const files = await listFiles(path);
    if (this.options['format'] === 'json') {
      for (const file of files) yield* this.readJson(file, signal);
      yield { kind: 'end' };
      return;
    }
    const opts = csvOptions(this.options);
    for (const file of files) {
      const parser = new CsvRecordParser(opts);
      const batcher = new CsvBatcher(this.pushDown.readSchema, opts, BATCH_SIZE, (line) => `${file}:${line}`, this.pushDown.read, this.physicalSchema.size);
      const take = (): RecordBatch => this.pushDown.finish(batcher.take());
      const decoder = new StringDecoder('utf8');
      const pending: Array<[CsvField[], number]> = [];
      const collect = (f: CsvField[], line: number): void => void pending.push([f, line]);
      const stream = createReadStream(file, { highWaterMark: 1 << 20 });
      try {
        for await (const chunk of stream) {
          if (signal.aborted) return;
          parser.feed(decoder.write(chunk as Buffer), collect);
          for (const [f, line] of pending.splice(0)) {
            batcher.add(f, line);
            if (batcher.size >= BATCH_SIZE) yield { kind: 'batch', batch: take() };
          }
        }
        parser.feed(decoder.end(), collect);
        parser.end(collect);
      } catch (e) {
        throw new Error(`${(e as Error).message.startsWith('malformed') ? '' : `${file}: `}${(e as Error).message}`, { cause: e });
      } finally {
        stream.destroy();
      }
      for (const [f, line] of pending.splice(0)) {
        batcher.add(f, line);
        if (batcher.size >= BATCH_SIZE) yield { kind: 'batch', batch: take() };
      }
      if (batcher.size > 0) yield { kind: 'batch', batch: take() };
      this.skippedRecords += batcher.skipped;
    }
    yield { kind: 'end' };
  }

  /** Newline-delimited JSON: one object per non-blank line; a bad line fails with file:line unless ignored. */
  private async *readJson(file: string, signal: AbortSignal): AsyncGenerator<StreamElement> {
    const decoder = new JsonDecoder(this.pushDown.readSchema, jsonOptions(this.options), BATCH_SIZE);
    const text = new StringDecoder('utf8');
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    let carry = '';
    let line = 0;
    const addLine = (l: string): void => {
      line++;
      if (l.trim() === '') return;
      try {
        decoder.add(l);
      } catch (e) {
        if (e instanceof JsonRecordError) throw new Error(`malformed JSON record at ${file}:${line}: ${e.message}`);
        throw e;
      }
    };
    try {
      for await (const chunk of stream) {
        if (signal.aborted) return;
        const lines = (carry + text.write(chunk as Buffer)).split('\n');
        carry = lines.pop() as string;
        for (const l of lines) {
          addLine(l);
          if (decoder.size >= BATCH_SIZE) yield { kind: 'batch', batch: this.pushDown.finish(decoder.take()) };
        }
      }
      addLine(carry + text.end());
    } finally {
      stream.destroy();
    }
    if (decoder.size > 0) yield { kind: 'batch', batch: this.pushDown.finish(decoder.take()) };
    this.skippedRecords += decoder.skipped;
  }

  async close(): Promise<void> {}
}

async function listFiles(path: string): Promise<string[]> {
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new Error(`filesystem source: path '${path}' does not exist`);
  }
  if (!s.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => !n.startsWith('.') && !n.startsWith('_')).sort();
  return names.map((n) => join(path, n));
}
