// The CSV format (RFC 4180): a streaming record parser that survives chunk boundaries inside quoted fields, and
// the text-to-value conversion of each Flink type. An empty unquoted field is NULL, `""` is the empty string
// (the same convention the CLI writes). Bad records fail with file:line and the field, or are skipped and
// counted with `csv.ignore-parse-errors`.
import { ColumnBuilder, formatTimestamp, formatValueText, hasNanos, makeBatch, parseTemporal, type LogicalType, type RecordBatch, type Schema, type Value } from '../../executor/index.js';

export interface CsvOptions {
  readonly delimiter: string;
  readonly quote: string;
  readonly allowComments: boolean;
  readonly ignoreParseErrors: boolean;
  readonly nullLiteral: string | null;
}

export function csvOptions(options: Readonly<Record<string, string>>): CsvOptions {
  const unescape = (s: string): string => (s === '\\t' ? '\t' : s);
  const delimiter = unescape(options['csv.field-delimiter'] ?? ',');
  const quote = options['csv.quote-character'] ?? '"';
  if (delimiter.length !== 1) throw new Error(`option 'csv.field-delimiter' must be a single character, got '${delimiter}'`);
  if (quote.length !== 1) throw new Error(`option 'csv.quote-character' must be a single character, got '${quote}'`);
  return {
    delimiter,
    quote,
    allowComments: options['csv.allow-comments'] === 'true',
    ignoreParseErrors: options['csv.ignore-parse-errors'] === 'true',
    nullLiteral: options['csv.null-literal'] ?? null,
  };
}

/** One parsed field: its text and whether it was quoted (a quoted empty field is '' rather than NULL). */
export interface CsvField {
  text: string;
  quoted: boolean;
}

/** Incremental RFC 4180 parser: feed chunks, get complete records with the line they started on. */
export class CsvRecordParser {
  private field = '';
  private quoted = false;
  private inQuotes = false;
  private quotePending = false;
  private record: CsvField[] = [];
  private line = 1;
  private recordLine = 1;
  private atRecordStart = true;

  constructor(private readonly opts: CsvOptions) {}

  feed(chunk: string, emit: (fields: CsvField[], line: number) => void): void {
    const { delimiter, quote } = this.opts;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as string;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === quote) {
            this.field += quote;
            continue;
          }
          this.inQuotes = false;
          // fall through: c is handled as outside quotes
        } else if (c === quote) {
          this.quotePending = true;
          continue;
        } else {
          if (c === '\n') this.line++;
          this.field += c;
          continue;
        }
      }
      if (this.atRecordStart) {
        this.recordLine = this.line;
        this.atRecordStart = false;
      }
      if (c === delimiter) {
        this.record.push({ text: this.field, quoted: this.quoted });
        this.field = '';
        this.quoted = false;
      } else if (c === '\n') {
        this.endRecord(emit);
        this.line++;
      } else if (c === '\r') {
        // CRLF: the \n ends the record.
      } else if (c === quote && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
      } else {
        this.field += c;
      }
    }
  }

  /** End of input: a last record without a trailing newline. */
  end(emit: (fields: CsvField[], line: number) => void): void {
    if (this.inQuotes && !this.quotePending) throw new Error(`line ${this.recordLine}: unterminated quoted field`);
    this.inQuotes = false;
    this.quotePending = false;
    if (!this.atRecordStart) this.endRecord(emit);
  }

  private endRecord(emit: (fields: CsvField[], line: number) => void): void {
    this.record.push({ text: this.field, quoted: this.quoted });
    const rec = this.record;
    this.record = [];
    this.field = '';
    this.quoted = false;
    this.atRecordStart = true;
    // A blank line is not a record; with csv.allow-comments, neither is a line starting with '#'.
    if (rec.length === 1 && rec[0]?.text === '' && !rec[0].quoted) return;
    if (this.opts.allowComments && rec[0]?.text.startsWith('#') === true && !rec[0].quoted) return;
    emit(rec, this.recordLine);
  }
}

export class CsvValueError extends Error {}

/** Converts one field's text to a value of `type` (executor Value representation). */
export function parseCsvValue(f: CsvField, type: LogicalType, opts: CsvOptions): Value {
  const t = f.text;
  if (!f.quoted && (t === '' || (opts.nullLiteral !== null && t === opts.nullLiteral))) return null;
  if (f.quoted && opts.nullLiteral !== null && t === opts.nullLiteral) return null;
  const bad = (): never => {
    throw new CsvValueError(`cannot parse '${t}' as ${type.kind}`);
  };
  switch (type.kind) {
    case 'CHAR':
    case 'VARCHAR':
      return t;
    case 'BOOLEAN': {
      const l = t.trim().toLowerCase();
      return l === 'true' ? true : l === 'false' ? false : bad();
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      if (!/^\s*[+-]?\d+\s*$/.test(t)) return bad();
      const v = Number(t);
      const lim = type.kind === 'TINYINT' ? 128 : type.kind === 'SMALLINT' ? 32768 : 2147483648;
      return v >= -lim && v < lim ? v : bad();
    }
    case 'BIGINT': {
      if (!/^\s*[+-]?\d+\s*$/.test(t)) return bad();
      const v = BigInt(t.trim());
      return v >= -(2n ** 63n) && v < 2n ** 63n ? v : bad();
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const v = Number(t);
      return t.trim() === '' || (Number.isNaN(v) && t.trim() !== 'NaN') ? bad() : type.kind === 'FLOAT' ? Math.fround(v) : v;
    }
    case 'DECIMAL': {
      const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(t);
      if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return bad();
      const frac = m[3] ?? '';
      if (frac.length > type.scale && /[1-9]/.test(frac.slice(type.scale))) {
        // Round HALF_UP to the declared scale, as a CAST would.
        const digits = BigInt((m[2] || '0') + frac.slice(0, type.scale + 1).padEnd(type.scale + 1, '0'));
        const q = digits / 10n + (digits % 10n >= 5n ? 1n : 0n);
        return m[1] === '-' ? -q : q;
      }
      const v = BigInt((m[2] || '0') + frac.padEnd(type.scale, '0').slice(0, type.scale));
      if (v >= 10n ** BigInt(type.precision)) return bad();
      return m[1] === '-' ? -v : v;
    }
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const v = parseTemporal(t, type.kind);
      return v === null ? bad() : v;
    }
    default:
      throw new CsvValueError(`the csv format does not support columns of type ${type.kind}`);
  }
}

/** Accumulates parsed records into column builders and cuts batches of a fixed size. */
export class CsvBatcher {
  private builders: ColumnBuilder[];
  private rows = 0;
  skipped = 0;

  /**
   * `positions` (projection push-down): the record field each schema column is parsed from, in a record of
   * `width` fields; the other fields are not converted. Absent: the schema's columns are the record's fields.
   */
  constructor(
    private readonly schema: Schema,
    private readonly opts: CsvOptions,
    private readonly batchSize: number,
    private readonly where: (line: number) => string,
    private readonly positions?: readonly number[],
    private readonly width = schema.size,
  ) {
    this.builders = this.fresh();
  }

  private fresh(): ColumnBuilder[] {
    return this.schema.fields.map((f) => new ColumnBuilder(f.type, this.batchSize));
  }

  get size(): number {
    return this.rows;
  }

  /** Adds one record; on a bad record either throws (default) or skips and counts it. */
  add(fields: CsvField[], line: number): void {
    const n = this.width;
    let values: Value[];
    try {
      if (fields.length !== n) throw new CsvValueError(`expected ${n} fields but found ${fields.length}`);
      values = this.schema.fields.map((f, i) => {
        try {
          return parseCsvValue(fields[this.positions === undefined ? i : (this.positions[i] as number)] as CsvField, f.type, this.opts);
        } catch (e) {
          throw new CsvValueError(`field '${f.name}': ${(e as Error).message}`);
        }
      });
    } catch (e) {
      if (this.opts.ignoreParseErrors) {
        this.skipped++;
        return;
      }
      throw new Error(`malformed CSV record at ${this.where(line)}: ${(e as Error).message}`);
    }
    values.forEach((v, i) => (this.builders[i] as ColumnBuilder).append(v));
    this.rows++;
  }

  take(): RecordBatch {
    const batch = makeBatch(
      this.schema,
      this.builders.map((b) => b.finish()),
      this.rows,
    );
    this.builders = this.fresh();
    this.rows = 0;
    return batch;
  }
}

/** A value as CSV text (null for SQL NULL): booleans lower-case, TIMESTAMP(p <= 3) with exactly p digits. */
export function csvValueText(v: Value, t: LogicalType): string | null {
  if (v === null) return null;
  if (t.kind === 'BOOLEAN') return v ? 'true' : 'false';
  if ((t.kind === 'TIMESTAMP' || t.kind === 'TIMESTAMP_LTZ') && !hasNanos(t)) return formatTimestamp(v as number, t.precision);
  return formatValueText(v, t);
}

/** One field, RFC 4180-quoted when it holds the delimiter, the quote or a line break, or is empty ("" is not NULL). */
export function csvField(s: string | null, opts: Pick<CsvOptions, 'delimiter' | 'quote' | 'nullLiteral'>): string {
  if (s === null) return opts.nullLiteral ?? '';
  const { delimiter: d, quote: q } = opts;
  if (s === '' || s.includes(d) || s.includes(q) || s.includes('\n') || s.includes('\r')) return `${q}${s.split(q).join(q + q)}${q}`;
  return s;
}

/** One row as a CSV record (no line break), the way this format reads it back. */
export function encodeCsv(schema: Schema, row: readonly Value[], opts: Pick<CsvOptions, 'delimiter' | 'quote' | 'nullLiteral'>): string {
  return schema.fields.map((f, i) => csvField(csvValueText(row[i] ?? null, f.type), opts)).join(opts.delimiter);
}
