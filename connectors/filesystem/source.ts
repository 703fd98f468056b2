// The filesystem source as a FLIP-27 split source (Flink's FileSource): every file is a split. The enumerator
// expands `path` (a file, a directory read recursively, or a glob) and, with `source.monitor-interval`, keeps
// looking for new files (Flink's ContinuousFileSplitEnumerator: a file already seen is not read again). A split's
// position is the number of records already emitted (Flink's CheckpointedPosition "records to skip"), so a
// restored reader resumes inside a file. Partition columns (`k=v/` directories) are filled from the path.
import { createReadStream } from 'node:fs';
import { glob, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import {
  ColumnBuilder,
  Schema,
  SplitSource,
  makeBatch,
  sliceBatch,
  type LogicalType,
  type RecordBatch,
  type SourceSplit,
  type SplitPosition,
  type SplitRecords,
  type Value,
} from '../../executor/index.js';
import { CsvBatcher, CsvRecordParser, csvOptions, type CsvField } from '../formats/csv.js';
import { JsonDecoder, JsonRecordError, jsonOptions } from '../formats/json.js';

const BATCH_SIZE = 4096;

export type FileFormat = 'csv' | 'json' | 'raw' | 'parquet';

export interface FileSplit extends SourceSplit {
  readonly path: string;
  /** Partition values from the `k=v` directories between the table's root and the file. */
  readonly partition: Readonly<Record<string, string>>;
}

/** What the source reads and how it finishes each batch. */
export interface FileSourceConfig {
  readonly path: string;
  readonly format: FileFormat;
  readonly options: Readonly<Record<string, string>>;
  /** The table's physical columns (the file's columns plus partition columns, in declaration order). */
  readonly physicalSchema: Schema;
  /** Columns whose values come from `k=v` directories instead of the files (PARTITIONED BY). */
  readonly partitionKeys: readonly string[];
  /** ms between directory scans for new files; null = bounded (read what exists now, then end). */
  readonly monitorIntervalMs: number | null;
  /** Pushed-down projection/filters, applied to each batch of physical columns (identity when absent). */
  readonly finish?: (batch: RecordBatch) => RecordBatch;
  /** The columns `finish` produces (the physical schema when absent). */
  readonly outputSchema?: Schema;
  /**
   * Projection push-down without partition keys: only these physical columns (positions, ascending) are decoded,
   * and `finish` receives batches of them; absent = every column.
   */
  readonly readColumns?: readonly number[];
  /** Counts records skipped under an ignore-parse-errors option (the `numRecordsSkipped` metric). */
  readonly onSkipped?: (n: number) => void;
}

const GLOB = /[*?[{]/;

/** Files under `path` (file, directory tree or glob), hidden ones (`.`/`_`) excluded, sorted by path. */
export async function expandPath(path: string): Promise<string[]> {
  if (GLOB.test(path)) {
    const out: string[] = [];
    for await (const p of glob(path)) {
      const s = await stat(p).catch(() => null);
      if (s?.isFile() === true && !hidden(p)) out.push(p);
    }
    return out.sort();
  }
  let s;
  try {
    s = await stat(path);
  } catch {
    throw new Error(`filesystem source: path '${path}' does not exist`);
  }
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(path);
  return out.sort();
}

function hidden(p: string): boolean {
  return p.split(sep).some((seg) => seg.startsWith('.') && seg !== '.' && seg !== '..');
}

/** `k=v` directory segments of `file` below `root`, unescaped as Flink's PartitionPathUtils does. */
export function partitionOf(root: string, file: string): Record<string, string> {
  const base = GLOB.test(root) ? root.slice(0, root.search(GLOB)).replace(/[^/\\]*$/, '') : root;
  const rel = relative(base === '' ? '.' : base, file)
    .split(sep)
    .slice(0, -1);
  const out: Record<string, string> = {};
  for (const seg of rel) {
    const eq = seg.indexOf('=');
    if (eq > 0) out[decodeURIComponent(seg.slice(0, eq))] = decodeURIComponent(seg.slice(eq + 1));
  }
  return out;
}

/** Flink's default partition name for NULL partition values (partition.default-name). */
export const DEFAULT_PARTITION_NAME = '__DEFAULT_PARTITION__';

export function fileSource(cfg: FileSourceConfig): SplitSource<FileSplit> {
  const fileColumns = cfg.physicalSchema.fields.filter((f) => !cfg.partitionKeys.includes(f.name));
  for (const k of cfg.partitionKeys) {
    if (cfg.physicalSchema.indexOf(k) < 0)
      throw new Error(`partition key '${k}' is not a column of the table`);
  }
  return new SplitSource<FileSplit>(
    cfg.outputSchema ?? cfg.physicalSchema,
    {
      async discoverSplits() {
        return (await expandPath(cfg.path)).map((p) => ({
          splitId: p,
          path: p,
          partition: partitionOf(cfg.path, p),
        }));
      },
    },
    { read: (split, position, signal) => readFile(cfg, fileColumns, split, position, signal) },
    // One file after the other, as Flink's FileSource reader does: rows keep the files' order.
    { discoveryIntervalMs: cfg.monitorIntervalMs, concurrentSplits: 1 },
  );
}

/** Reads one file as batches of the table's physical columns, skipping `position` records already emitted. */
async function* readFile(
  cfg: FileSourceConfig,
  fileColumns: readonly { name: string; type: LogicalType }[],
  split: FileSplit,
  position: SplitPosition,
  signal: AbortSignal,
): AsyncGenerator<SplitRecords> {
  const narrowed = cfg.readColumns !== undefined && cfg.partitionKeys.length === 0 ? cfg.readColumns : null;
  const fileSchema = new Schema(
    (narrowed === null ? fileColumns : narrowed.map((i) => cfg.physicalSchema.field(i))).map((f) => ({
      name: f.name,
      type: f.type,
    })),
  );
  let skip = typeof position === 'number' ? position : 0;
  let emitted = skip;
  // null: every row of the batch was emitted before the restored position (nothing to yield).
  const assemble = (b: RecordBatch): RecordBatch | null => {
    let batch = b;
    if (skip > 0) {
      const drop = Math.min(skip, batch.length);
      skip -= drop;
      if (drop === batch.length) return null;
      batch = sliceBatch(batch, drop, batch.length);
    }
    const full = narrowed === null ? withPartitionColumns(cfg, split, batch) : batch;
    emitted += full.length;
    return cfg.finish === undefined ? full : cfg.finish(full);
  };
  const source = batchesOf(cfg, fileSchema, split.path, signal, narrowed);
  for await (const b of source) {
    const out = assemble(b);
    if (out !== null) yield { batch: out, position: emitted };
  }
}

/** The file's columns placed among the table's physical columns, partition columns filled from the path. */
function withPartitionColumns(cfg: FileSourceConfig, split: FileSplit, batch: RecordBatch): RecordBatch {
  if (cfg.partitionKeys.length === 0) return batch;
  const n = batch.length;
  let fileCol = 0;
  const columns = cfg.physicalSchema.fields.map((f) => {
    if (!cfg.partitionKeys.includes(f.name))
      return batch.columns[fileCol++] as RecordBatch['columns'][number];
    const raw = split.partition[f.name];
    const v =
      raw === undefined || raw === DEFAULT_PARTITION_NAME ? null : partitionValue(raw, f.type, split.path);
    const b = new ColumnBuilder(f.type, n);
    for (let i = 0; i < n; i++) b.append(v);
    return b.finish();
  });
  return makeBatch(cfg.physicalSchema, columns, n, batch.kinds);
}

function partitionValue(raw: string, t: LogicalType, file: string): Value {
  switch (t.kind) {
    case 'VARCHAR':
    case 'CHAR':
      return raw;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'FLOAT':
    case 'DOUBLE': {
      const v = Number(raw);
      if (Number.isNaN(v)) throw new Error(`partition value '${raw}' of ${file} is not a number`);
      return v;
    }
    case 'BIGINT':
      return BigInt(raw);
    case 'BOOLEAN':
      return raw === 'true';
    default:
      throw new Error(
        `partition columns of type ${t.kind} are not supported by the filesystem connector (use STRING, a number or BOOLEAN)`,
      );
  }
}

/** Batches of the file's own columns, in the configured format. */
async function* batchesOf(
  cfg: FileSourceConfig,
  schema: Schema,
  file: string,
  signal: AbortSignal,
  positions: readonly number[] | null,
): AsyncGenerator<RecordBatch> {
  switch (cfg.format) {
    case 'csv':
      yield* readCsv(cfg, schema, file, signal, positions);
      return;
    case 'json':
      yield* readLines(schema, file, signal, cfg, 'json');
      return;
    case 'raw':
      yield* readLines(schema, file, signal, cfg, 'raw');
      return;
    case 'parquet':
      yield* readParquet(schema, file, signal);
      return;
    default: {
      const never: never = cfg.format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

async function* readCsv(
  cfg: FileSourceConfig,
  schema: Schema,
  file: string,
  signal: AbortSignal,
  positions: readonly number[] | null,
): AsyncGenerator<RecordBatch> {
  const opts = csvOptions(cfg.options);
  const parser = new CsvRecordParser(opts);
  // With projection push-down only the read fields are converted (a bad value in another field does not fail).
  const batcher =
    positions === null
      ? new CsvBatcher(schema, opts, BATCH_SIZE, (line) => `${file}:${line}`)
      : new CsvBatcher(
          schema,
          opts,
          BATCH_SIZE,
          (line) => `${file}:${line}`,
          positions,
          cfg.physicalSchema.size,
        );
  const decoder = new StringDecoder('utf8');
  const pending: Array<[CsvField[], number]> = [];
  const collect = (f: CsvField[], line: number): void => void pending.push([f, line]);
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let skipped = 0;
  const take = (): RecordBatch => {
    const b = batcher.take();
    if (batcher.skipped > skipped) {
      cfg.onSkipped?.(batcher.skipped - skipped);
      skipped = batcher.skipped;
    }
    return b;
  };
  try {
    for await (const chunk of stream) {
      if (signal.aborted) return;
      try {
        parser.feed(decoder.write(chunk as Buffer), collect);
        for (const [f, line] of pending.splice(0)) {
          batcher.add(f, line);
          if (batcher.size >= BATCH_SIZE) yield take();
        }
      } catch (e) {
        throw located(e, file);
      }
    }
    try {
      parser.feed(decoder.end(), collect);
      parser.end(collect);
      for (const [f, line] of pending.splice(0)) {
        batcher.add(f, line);
        if (batcher.size >= BATCH_SIZE) yield take();
      }
    } catch (e) {
      throw located(e, file);
    }
  } finally {
    stream.destroy();
  }
  if (batcher.size > 0 || batcher.skipped > skipped) yield take();
}

function located(e: unknown, file: string): Error {
  const m = (e as Error).message;
  return new Error(m.includes(file) ? m : `${file}: ${m}`, { cause: e });
}

/** Line formats: json (one object per line; a bad line fails with file:line unless ignored) and raw (a line a row). */
async function* readLines(
  schema: Schema,
  file: string,
  signal: AbortSignal,
  cfg: FileSourceConfig,
  format: 'json' | 'raw',
): AsyncGenerator<RecordBatch> {
  if (
    format === 'raw' &&
    (schema.size !== 1 || !['VARCHAR', 'CHAR', 'BINARY', 'VARBINARY'].includes(schema.field(0).type.kind))
  ) {
    throw new Error(
      `the raw format reads each line into one STRING or BYTES column, but the table has ${schema.toString()}`,
    );
  }
  const json = format === 'json' ? new JsonDecoder(schema, jsonOptions(cfg.options), BATCH_SIZE) : null;
  const raw = format === 'raw' ? new ColumnBuilder(schema.field(0).type, BATCH_SIZE) : null;
  let rawRows = 0;
  const isText =
    format === 'raw' && (schema.field(0).type.kind === 'VARCHAR' || schema.field(0).type.kind === 'CHAR');
  let skipped = 0;
  const size = (): number => (json !== null ? json.size : rawRows);
  const take = (): RecordBatch => {
    if (json !== null) {
      const b = json.take();
      if (json.skipped > skipped) {
        cfg.onSkipped?.(json.skipped - skipped);
        skipped = json.skipped;
      }
      return b;
    }
    const b = makeBatch(schema, [(raw as ColumnBuilder).finish()], rawRows);
    rawRows = 0;
    return b;
  };
  let line = 0;
  const add = (l: string): void => {
    line++;
    if (raw !== null) {
      raw.append(isText ? l : new TextEncoder().encode(l));
      rawRows++;
      return;
    }
    if (l.trim() === '') return;
    try {
      (json as JsonDecoder).add(l);
    } catch (e) {
      if (e instanceof JsonRecordError)
        throw new Error(`malformed JSON record at ${file}:${line}: ${e.message}`, { cause: e });
      throw e;
    }
  };
  const text = new StringDecoder('utf8');
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let carry = '';
  try {
    for await (const chunk of stream) {
      if (signal.aborted) return;
      const lines = (carry + text.write(chunk as Buffer)).split('\n');
      carry = lines.pop() as string;
      for (const l of lines) {
        add(l.endsWith('\r') ? l.slice(0, -1) : l);
        if (size() >= BATCH_SIZE) yield take();
      }
    }
    const last = carry + text.end();
    if (last !== '') add(last);
  } finally {
    stream.destroy();
  }
  if (size() > 0 || (json !== null && json.skipped > skipped)) yield take();
}

/** Parquet through hyparquet, a row group at a time, columns matched by name. */
async function* readParquet(schema: Schema, file: string, signal: AbortSignal): AsyncGenerator<RecordBatch> {
  for (const f of schema.fields) parquetSupports(f.type, f.name);
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const present = new Set(metadata.schema.map((s) => s.name));
  const missing = schema.fields.find((f) => !present.has(f.name));
  if (missing !== undefined) throw new Error(`parquet file ${file} has no column '${missing.name}'`);
  const names = schema.names();
  let start = 0;
  for (const rg of metadata.row_groups) {
    if (signal.aborted) return;
    const end = start + Number(rg.num_rows);
    const rows = (await parquetReadObjects({
      file: buffer,
      metadata,
      columns: names,
      rowStart: start,
      rowEnd: end,
    })) as Array<Record<string, unknown>>;
    start = end;
    const builders = schema.fields.map((f) => new ColumnBuilder(f.type, rows.length));
    for (const row of rows)
      schema.fields.forEach((f, c) =>
        (builders[c] as ColumnBuilder).append(fromParquet(row[f.name], f.type)),
      );
    yield makeBatch(
      schema,
      builders.map((b) => b.finish()),
      rows.length,
    );
  }
}

/** The SQL types the parquet format maps (Flink's ParquetSchemaConverter subset). */
export function parquetSupports(t: LogicalType, column: string): void {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'VARCHAR':
    case 'CHAR':
    case 'BINARY':
    case 'VARBINARY':
    case 'DATE':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return;
    default:
      throw new Error(`the parquet format does not support column '${column}' of type ${t.kind} yet`);
  }
}

const DAY_MS = 86_400_000;

function fromParquet(v: unknown, t: LogicalType): Value {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'BIGINT':
      return typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    case 'DATE':
      return v instanceof Date ? Math.floor(v.getTime() / DAY_MS) : Number(v);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : Number(v);
    case 'BINARY':
    case 'VARBINARY':
      return v instanceof Uint8Array ? v : new TextEncoder().encode(String(v));
    case 'VARCHAR':
    case 'CHAR':
      return typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
    case 'BOOLEAN':
      return v === true;
    default:
      return typeof v === 'bigint' ? Number(v) : (v as number);
  }
}
