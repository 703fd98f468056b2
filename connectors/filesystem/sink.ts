// The filesystem sink: writes insert-only rows into rolling part files under `path`, in csv or json. A part file
// is written hidden (`.part-….inprogress`) and renamed to `part-<job>-<n>.<ext>` when it rolls (size or age) or
// the input ends, so readers of the directory never see a half-written file (Flink's FileSink contract, without
// checkpoints yet: files commit on roll and at the end of input).
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { rowAt, rowKindShort, type RecordBatch, type Schema, type SinkWriter, type Value } from '../../executor/index.js';
import { csvOptions, encodeCsv } from '../formats/csv.js';
import { encodeJson, jsonOptions, type JsonOptions } from '../formats/json.js';

export interface RollingPolicy {
  /** Roll when a part file reaches this many bytes. */
  readonly fileSize: number;
  /** Roll when a part file has been open this long (ms). */
  readonly rolloverInterval: number;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

function parseAmount(raw: string, key: string, units: Record<string, number>, dflt: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = (m?.[2] ?? '').toLowerCase() || dflt;
  if (m === null || units[unit] === undefined) throw new Error(`option '${key}' must be a number with a unit (${Object.keys(units).join(', ')}), got '${raw}'`);
  return Number(m[1]) * (units[unit] as number);
}

export function rollingPolicy(options: Readonly<Record<string, string>>): RollingPolicy {
  return {
    fileSize: parseAmount(options['sink.rolling-policy.file-size'] ?? '128mb', 'sink.rolling-policy.file-size', SIZE_UNITS, 'b'),
    rolloverInterval: parseAmount(options['sink.rolling-policy.rollover-interval'] ?? '30min', 'sink.rolling-policy.rollover-interval', TIME_UNITS, 'ms'),
  };
}

export class FileSinkWriter implements SinkWriter {
  private file: FileHandle | null = null;
  private tmpPath = '';
  private written = 0;
  private openedAt = 0;
  private part = 0;
  private readonly prefix = `part-${randomUUID()}`;
  private readonly ext: string;
  private readonly encode: (row: readonly Value[]) => string;
  /** Part files committed (renamed to their final names), in order. */
  readonly committed: string[] = [];

  constructor(
    schema: Schema,
    private readonly dir: string,
    format: 'csv' | 'json',
    options: Readonly<Record<string, string>>,
    private readonly tableName: string,
    private readonly policy: RollingPolicy = rollingPolicy(options),
  ) {
    this.ext = format;
    if (format === 'csv') {
      const o = csvOptions(options);
      this.encode = (row) => encodeCsv(schema, row, o);
    } else {
      const o: JsonOptions = jsonOptions(options);
      this.encode = (row) => encodeJson(schema, row, o);
    }
  }

  async write(batch: RecordBatch): Promise<void> {
    let text = '';
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as number;
      if (kind !== 0) throw new Error(`the filesystem sink of table '${this.tableName}' accepts only inserts, but the query produced ${rowKindShort(kind)} changes`);
      text += this.encode(rowAt(batch, r)) + '\n';
    }
    if (text === '') return;
    if (this.file === null) await this.openPart();
    const bytes = Buffer.from(text, 'utf8');
    await (this.file as FileHandle).write(bytes);
    this.written += bytes.length;
    if (this.written >= this.policy.fileSize || Date.now() - this.openedAt >= this.policy.rolloverInterval) await this.commitPart();
  }

  private async openPart(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.tmpPath = join(this.dir, `.${this.prefix}-${this.part}.${this.ext}.inprogress`);
    this.file = await open(this.tmpPath, 'wx');
    this.written = 0;
    this.openedAt = Date.now();
  }

  private async commitPart(): Promise<void> {
    if (this.file === null) return;
    await this.file.sync();
    await this.file.close();
    this.file = null;
    const final = join(this.dir, `${this.prefix}-${this.part}.${this.ext}`);
    await rename(this.tmpPath, final);
    this.committed.push(final);
    this.part++;
  }

  async finish(): Promise<void> {
    await this.commitPart();
  }

  /** On cancellation or failure the in-progress file stays hidden (a later checkpoint issue cleans it up). */
  async close(): Promise<void> {
    if (this.file !== null) {
      await this.file.close();
      this.file = null;
    }
  }
}
