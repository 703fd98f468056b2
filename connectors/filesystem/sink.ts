// The filesystem sink: writes insert-only rows into rolling part files under `path`, in csv, json, raw or
// parquet. With PARTITIONED BY each row goes to its partition directory (`k=v/`, Flink's Hive-style layout, NULL
// as partition.default-name) and the partition columns are left out of the files, as Flink does. A part file is
// written hidden (`.part-….inprogress`) and renamed to `part-<uuid>-<n>.<ext>` when it rolls (size, age or
// inactivity) or the input ends, so readers of the directory never see a half-written file (Flink's FileSink
// contract, without checkpoints yet: files commit on roll and at the end of input). Parquet is a bulk format: a
// part is buffered as columns and written whole when it rolls.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { Schema, rowAt, rowKindShort, type LogicalType, type RecordBatch, type SinkWriter, type Value } from '../../executor/index.js';
import { csvOptions, encodeCsv } from '../formats/csv.js';
import { encodeJson, jsonOptions, type JsonOptions } from '../formats/json.js';
import { DEFAULT_PARTITION_NAME, parquetSupports } from './source.js';
export interface RollingPolicy {
  /** Roll when a part file reaches this many bytes. */
  readonly fileSize: number;
  /** Roll when a part file has been open this long (ms). */
  readonly rolloverInterval: number;
  /** Roll when a part file has had no writes this long (ms), checked every check-interval. */
  readonly inactivityInterval: number;
  /** How often open part files are checked for age and inactivity (ms). */
  readonly checkInterval: number;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

function parseAmount(raw: string, key: string, units: Record<string, number>, dflt: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = (m?.[2] ?? '').toLowerCase() || dflt;
  if (m === null || units[unit] === undefined) throw new Error(`option '${key}' must be a number with a unit (${Object.keys(units).join(', ')}), got '${raw}'`);
  return Number(m[1]) * (units[unit] as number);
}

/** A duration option ('10 s', '1min', '500ms'; a bare number is ms), as Flink's Duration options read. */
export function parseDuration(raw: string, key: string): number {
  return parseAmount(raw.replace(/\s*(sec|second|seconds)$/i, 's').replace(/\s*(minute|minutes)$/i, 'min').replace(/\s*(hour|hours)$/i, 'h'), key, TIME_UNITS, 'ms');
}

export function rollingPolicy(options: Readonly<Record<string, string>>): RollingPolicy {
  return {
    fileSize: parseAmount(options['sink.rolling-policy.file-size'] ?? '128mb', 'sink.rolling-policy.file-size', SIZE_UNITS, 'b'),
    rolloverInterval: parseAmount(options['sink.rolling-policy.rollover-interval'] ?? '30min', 'sink.rolling-policy.rollover-interval', TIME_UNITS, 'ms'),
    inactivityInterval: parseAmount(options['sink.rolling-policy.inactivity-interval'] ?? '30min', 'sink.rolling-policy.inactivity-interval', TIME_UNITS, 'ms'),
    checkInterval: parseAmount(options['sink.rolling-policy.check-interval'] ?? '1min', 'sink.rolling-policy.check-interval', TIME_UNITS, 'ms'),
  };
}

export type SinkFormat = 'csv' | 'json' | 'raw' | 'parquet';

/** One open part file of one partition directory (Flink's Bucket with its in-progress part). */
interface Bucket {
  readonly dir: string;
  tmpPath: string;
  file: FileHandle | null;
  /** Parquet: the part's rows, buffered as columns until it rolls. */
  columns: Value[][] | null;
  written: number;
  openedAt: number;
  lastWrite: number;
}

export class FileSinkWriter implements SinkWriter {
  private readonly buckets = new Map<string, Bucket>();
  private part = 0;
  private readonly prefix = `part-${randomUUID()}`;
  private readonly ext: string;
  /** The columns written into the files: every column but the partition keys. */
  private readonly fileSchema: Schema;
  private readonly fileColumns: readonly number[];
  private readonly partitionColumns: readonly number[];
  private readonly encode: ((row: readonly Value[]) => string) | null;
  private checkTimer: NodeJS.Timeout | null = null;
  private readonly names: readonly string[];
  /** Part files committed (renamed to their final names), in order. */
  readonly committed: string[] = [];

  constructor(
    schema: Schema,
    private readonly dir: string,
    format: SinkFormat,
    options: Readonly<Record<string, string>>,
    private readonly tableName: string,
    private readonly policy: RollingPolicy = rollingPolicy(options),
    partitionKeys: readonly string[] = [],
    private readonly defaultPartitionName = options['partition.default-name'] ?? DEFAULT_PARTITION_NAME,
  ) {
    this.ext = format === 'raw' ? 'txt' : format;
    this.names = schema.names();
    this.partitionColumns = partitionKeys.map((k) => {
      const i = schema.indexOf(k);
      if (i < 0) throw new Error(`partition key '${k}' is not a column of table ${tableName}`);
      return i;
    });
    this.fileColumns = schema.fields.map((_f, i) => i).filter((i) => !this.partitionColumns.includes(i));
    this.fileSchema = new Schema(this.fileColumns.map((i) => schema.field(i)));
    const fs = this.fileSchema;
    switch (format) {
      case 'csv': {
        const o = csvOptions(options);
        this.encode = (row) => encodeCsv(fs, row, o);
        break;
      }
      case 'json': {
        const o: JsonOptions = jsonOptions(options);
        this.encode = (row) => encodeJson(fs, row, o);
        break;
      }
      case 'raw': {
        const t = fs.size === 1 ? fs.field(0).type.kind : null;
        if (t !== 'VARCHAR' && t !== 'CHAR') throw new Error(`the raw format writes one STRING column per line, but table ${tableName} writes ${fs.toString()}`);
        this.encode = (row) => (row[0] === null ? '' : String(row[0]));
        break;
      }
      case 'parquet':
        for (const f of fs.fields) parquetSupports(f.type, f.name);
        this.encode = null;
        break;
    }
  }

  async write(batch: RecordBatch): Promise<void> {
    this.startChecks();
    const groups = new Map<string, string[] | Value[][]>();
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as number;
      if (kind !== 0) throw new Error(`the filesystem sink of table '${this.tableName}' accepts only inserts, but the query produced ${rowKindShort(kind)} changes`);
      const row = rowAt(batch, r);
      const key = this.partitionPath(row);
      const fileRow = this.fileColumns.map((c) => row[c] ?? null);
      const g = groups.get(key) ?? [];
      if (this.encode !== null) (g as string[]).push(this.encode(fileRow));
      else (g as Value[][]).push(fileRow);
      groups.set(key, g);
    }
    for (const [key, rows] of groups) {
      const bucket = await this.bucket(key);
      if (this.encode !== null) {
        const bytes = Buffer.from((rows as string[]).join('\n') + '\n', 'utf8');
        await (bucket.file as FileHandle).write(bytes);
        bucket.written += bytes.length;
      } else {
        const cols = bucket.columns as Value[][];
        for (const row of rows as Value[][]) {
          row.forEach((v, c) => (cols[c] as Value[]).push(v));
          bucket.written += estimateBytes(row);
        }
      }
      bucket.lastWrite = Date.now();
      if (bucket.written >= this.policy.fileSize || Date.now() - bucket.openedAt >= this.policy.rolloverInterval) await this.commitPart(key);
    }
  }

  /** `k1=v1/k2=v2` for a row (escaped as Flink's PartitionPathUtils does), '' when the table is not partitioned. */
  private partitionPath(row: readonly Value[]): string {
    if (this.partitionColumns.length === 0) return '';
    return this.partitionColumns
      .map((c) => {
        const v = row[c];
        const text = v === null || v === undefined || v === '' ? this.defaultPartitionName : String(v);
        return `${escapePathName(this.fieldName(c))}=${escapePathName(text)}`;
      })
      .join('/');
  }

  private fieldName(c: number): string {
    return this.names[c] as string;
  }

  /** Age and inactivity are checked on a timer too, so a partition that stops receiving rows still rolls. */
  private startChecks(): void {
    if (this.checkTimer !== null) return;
    this.checkTimer = setInterval(() => void this.checkRolls().catch(() => undefined), this.policy.checkInterval);
    this.checkTimer.unref();
  }

  private async checkRolls(): Promise<void> {
    const now = Date.now();
    for (const [key, b] of [...this.buckets]) {
      if (now - b.openedAt >= this.policy.rolloverInterval || now - b.lastWrite >= this.policy.inactivityInterval) await this.commitPart(key);
    }
  }

  private async bucket(key: string): Promise<Bucket> {
    const open_ = this.buckets.get(key);
    if (open_ !== undefined) return open_;
    const dir = key === '' ? this.dir : join(this.dir, key);
    await mkdir(dir, { recursive: true });
    const tmpPath = join(dir, `.${this.prefix}-${this.part}.${this.ext}.inprogress`);
    const b: Bucket = {
      dir,
      tmpPath,
      file: this.encode !== null ? await open(tmpPath, 'wx') : null,
      columns: this.encode === null ? this.fileSchema.fields.map(() => []) : null,
      written: 0,
      openedAt: Date.now(),
      lastWrite: Date.now(),
    };
    this.part++;
    this.buckets.set(key, b);
    return b;
  }

  private async commitPart(key: string): Promise<void> {
    const b = this.buckets.get(key);
    if (b === undefined) return;
    this.buckets.delete(key);
    if (b.file !== null) {
      await b.file.sync();
      await b.file.close();
    } else if (b.columns !== null) {
      await writeFile(b.tmpPath, new Uint8Array(parquetWriteBuffer({ columnData: this.parquetColumns(b.columns) })));
    }
    const final = join(b.dir, basename(b.tmpPath).slice(1).replace(/\.inprogress$/, ''));
    await rename(b.tmpPath, final);
    this.committed.push(final);
  }

  private parquetColumns(columns: Value[][]): Array<{ name: string; data: unknown[]; type: 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BYTE_ARRAY' | 'TIMESTAMP' }> {
    return this.fileSchema.fields.map((f, c) => {
      const data = columns[c] as Value[];
      const type = parquetType(f.type);
      return { name: f.name, type, data: f.type.kind === 'TIMESTAMP' || f.type.kind === 'TIMESTAMP_LTZ' ? data.map((v) => (v === null ? null : new Date(Number(v)))) : data };
    });
  }

  async finish(): Promise<void> {
    this.stopChecks();
    for (const key of [...this.buckets.keys()]) await this.commitPart(key);
  }

  private stopChecks(): void {
    if (this.checkTimer !== null) clearInterval(this.checkTimer);
    this.checkTimer = null;
  }

  /** On cancellation or failure the in-progress files stay hidden (a later checkpoint issue cleans them up). */
  async close(): Promise<void> {
    this.stopChecks();
    for (const b of this.buckets.values()) await b.file?.close();
    this.buckets.clear();
  }
}

function parquetType(t: LogicalType): 'BOOLEAN' | 'INT32' | 'INT64' | 'FLOAT' | 'DOUBLE' | 'STRING' | 'BYTE_ARRAY' | 'TIMESTAMP' {
  switch (t.kind) {
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
      return 'INT32';
    case 'BIGINT':
      return 'INT64';
    case 'FLOAT':
      return 'FLOAT';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'BINARY':
    case 'VARBINARY':
      return 'BYTE_ARRAY';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMP';
    default:
      return 'STRING';
  }
}

function estimateBytes(row: readonly Value[]): number {
  let n = 0;
  for (const v of row) n += typeof v === 'string' ? v.length : v instanceof Uint8Array ? v.length : 8;
  return n;
}

/** Hive's path escaping (Flink's PartitionPathUtils#escapePathName): characters unsafe in a path become %XX. */
export function escapePathName(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 0x20 || '"#%\'*/:=?\\\x7f{[]^'.includes(ch)) out += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}
