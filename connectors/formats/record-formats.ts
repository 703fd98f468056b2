// The insert-only record formats for message connectors: `json` and `csv` (the same conversions as the file
// formats in json.ts and csv.ts, one message at a time) and `raw` (the message bytes as one STRING or BYTES
// column, as Flink's raw format). A null message body is a null row for raw and a bad record for the others.
import { RowKind, formatValueText, type Schema, type Value } from '../../executor/index.js';
import { CsvRecordParser, CsvValueError, csvOptions, parseCsvValue, type CsvField, type CsvOptions } from './csv.js';
import { FormatError, textEncoder, utf8, type FormatOptions, type RecordFormat } from './format.js';
import { JSON_OPTION_SPECS, JsonRecordError, decodeJsonFields, encodeJson, jsonOptions } from './json.js';

export const jsonFormat: RecordFormat = {
  name: 'json',
  changelog: false,
  options: JSON_OPTION_SPECS,
  validate(_schema, o) {
    jsonOptions(o.values);
  },
  decoder(schema, o) {
    const opts = jsonOptions(o.values);
    return {
      ignoreParseErrors: opts.ignoreParseErrors,
      decode(bytes, emit) {
        try {
          emit(RowKind.INSERT, decodeJsonFields(utf8(bytes), schema, opts));
        } catch (e) {
          if (e instanceof JsonRecordError) throw new FormatError(e.message);
          throw e;
        }
      },
    };
  },
  encoder(schema, o) {
    const opts = jsonOptions(o.values);
    return { encode: (_kind, row) => textEncoder.encode(encodeJson(schema, row, opts)) };
  },
};

export const CSV_OPTION_SPECS = [
  { key: 'csv.field-delimiter', description: "field delimiter character (default ',', '\\t' for tab)" },
  { key: 'csv.quote-character', description: 'quote character (default ")' },
  { key: 'csv.allow-comments', description: "skip records starting with '#'", values: ['true', 'false'] },
  { key: 'csv.ignore-parse-errors', description: 'skip (and count) malformed records instead of failing', values: ['true', 'false'] },
  { key: 'csv.null-literal', description: 'a string read as NULL' },
] as const;

/** Parses one message as exactly one CSV record (a trailing newline is allowed). */
function csvRecord(text: string, opts: CsvOptions): CsvField[] | null {
  const parser = new CsvRecordParser(opts);
  const records: CsvField[][] = [];
  try {
    parser.feed(text, (f) => void records.push(f));
    parser.end((f) => void records.push(f));
  } catch (e) {
    throw new FormatError((e as Error).message);
  }
  if (records.length > 1) throw new FormatError(`expected one CSV record in the message, found ${records.length}`);
  return records[0] ?? null;
}

export const csvFormat: RecordFormat = {
  name: 'csv',
  changelog: false,
  options: CSV_OPTION_SPECS,
  validate(_schema, o) {
    csvOptions(o.values);
  },
  decoder(schema, o) {
    const opts = csvOptions(o.values);
    return {
      ignoreParseErrors: opts.ignoreParseErrors,
      decode(bytes, emit) {
        const fields = csvRecord(utf8(bytes), opts);
        // A comment line (csv.allow-comments) or an empty message is not a record.
        if (fields === null) return;
        if (fields.length !== schema.size) throw new FormatError(`expected ${schema.size} fields but found ${fields.length}`);
        const row = schema.fields.map((f, i) => {
          try {
            return parseCsvValue(fields[i] as CsvField, f.type, opts);
          } catch (e) {
            if (e instanceof CsvValueError) throw new FormatError(`field '${f.name}': ${e.message}`);
            throw e;
          }
        });
        emit(RowKind.INSERT, row);
      },
    };
  },
  encoder(schema, o) {
    const opts = csvOptions(o.values);
    const q = opts.quote;
    const quote = (s: string): string => (s === '' || s.includes(opts.delimiter) || s.includes(q) || /[\r\n]/.test(s) ? `${q}${s.split(q).join(q + q)}${q}` : s);
    // NULL is an empty unquoted field (or the null literal), the empty string a quoted one: what the reader expects.
    return {
      encode: (_kind, row) =>
        textEncoder.encode(
          schema.fields
            .map((f, i) => {
              const v = row[i] ?? null;
              if (v === null) return opts.nullLiteral ?? '';
              return quote(formatValueText(v, f.type));
            })
            .join(opts.delimiter),
        ),
    };
  },
};

const RAW_OPTION_SPECS = [
  { key: 'raw.charset', description: "charset of STRING values (only 'UTF-8')", values: ['UTF-8', 'utf-8'] },
  { key: 'raw.endianness', description: 'accepted for compatibility: only STRING and BYTES columns are supported', values: ['big-endian', 'little-endian'] },
] as const;

function rawColumn(schema: Schema, o: FormatOptions): 'string' | 'bytes' {
  if (schema.size !== 1) {
    throw new Error(`the raw format (option '${o.prefix}format') needs exactly one column, but ${schema.size} were given: ${schema.fields.map((f) => f.name).join(', ')}`);
  }
  const t = schema.field(0).type;
  if (t.kind === 'VARCHAR' || t.kind === 'CHAR') return 'string';
  if (t.kind === 'VARBINARY' || t.kind === 'BINARY') return 'bytes';
  throw new Error(`the raw format supports a STRING or BYTES column, but '${schema.field(0).name}' is ${t.kind}`);
}

export const rawFormat: RecordFormat = {
  name: 'raw',
  changelog: false,
  options: RAW_OPTION_SPECS,
  validate(schema, o) {
    rawColumn(schema, o);
  },
  decoder(schema, o) {
    const kind = rawColumn(schema, o);
    return {
      ignoreParseErrors: false,
      decode(bytes, emit) {
        const v: Value = kind === 'string' ? utf8(bytes) : bytes;
        emit(RowKind.INSERT, [v]);
      },
    };
  },
  encoder(schema, o) {
    const kind = rawColumn(schema, o);
    return {
      encode(_kind, row) {
        const v = row[0] ?? null;
        if (v === null) return new Uint8Array(0);
        return kind === 'string' ? textEncoder.encode(v as string) : (v as Uint8Array);
      },
    };
  },
};
