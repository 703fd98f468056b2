// The JSON format (Flink's `json`): one object per record, fields by name. Numbers for BIGINT and DECIMAL are
// read from their source text (never through a double beyond 2^53); a missing field is NULL unless
// `json.fail-on-missing-field`; a malformed record fails with its place unless `json.ignore-parse-errors`.
// Timestamps follow `json.timestamp-format.standard` (SQL: `2024-01-01 10:00:00.000`, ISO-8601: `...T...`).
import {
  ColumnBuilder,
  formatTimestamp,
  formatValueText,
  hasNanos,
  makeBatch,
  parseTemporal,
  type LogicalType,
  type RecordBatch,
  type Schema,
  type Value,
} from '../../executor/index.js';

export interface JsonOptions {
  readonly failOnMissingField: boolean;
  readonly ignoreParseErrors: boolean;
  readonly timestampStandard: 'SQL' | 'ISO-8601';
}

export const JSON_OPTION_SPECS = [
  { key: 'json.fail-on-missing-field', description: 'fail when a field is missing (default: read it as NULL)', values: ['true', 'false'] },
  { key: 'json.ignore-parse-errors', description: 'skip (and count) malformed records instead of failing', values: ['true', 'false'] },
  { key: 'json.timestamp-format.standard', description: "timestamp text: 'SQL' (default) or 'ISO-8601'", values: ['SQL', 'ISO-8601'] },
  { key: 'json.encode.decimal-as-plain-number', description: 'accepted for compatibility: decimals are always plain numbers', values: ['true', 'false'] },
] as const;

export function jsonOptions(options: Readonly<Record<string, string>>, prefix = ''): JsonOptions {
  const get = (k: string): string | undefined => options[`${prefix}${k}`];
  if (get('json.fail-on-missing-field') === 'true' && get('json.ignore-parse-errors') === 'true') {
    throw new Error(`options '${prefix}json.fail-on-missing-field' and '${prefix}json.ignore-parse-errors' cannot both be true`);
  }
  return {
    failOnMissingField: get('json.fail-on-missing-field') === 'true',
    ignoreParseErrors: get('json.ignore-parse-errors') === 'true',
    timestampStandard: get('json.timestamp-format.standard') === 'ISO-8601' ? 'ISO-8601' : 'SQL',
  };
}

export class JsonRecordError extends Error {}

/** Whether a type's JSON numbers must be read from their source text to stay exact. */
function needsExactText(t: LogicalType): boolean {
  switch (t.kind) {
    case 'BIGINT':
    case 'DECIMAL':
      return true;
    case 'ARRAY':
      return needsExactText(t.element);
    case 'MAP':
      return needsExactText(t.value);
    case 'ROW':
      return t.fields.some((f) => needsExactText(f.type));
    default:
      return false;
  }
}

/** A parsed JSON number kept as its source text, so BIGINT/DECIMAL conversion is exact. */
class ExactNumber {
  constructor(readonly text: string) {}
}

function parseExact(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown, ctx?: { source?: string }) => (typeof v === 'number' && ctx?.source !== undefined ? new ExactNumber(ctx.source) : v));
}

function convert(v: unknown, t: LogicalType, path: string, opts: JsonOptions): Value {
  if (v === null || v === undefined) return null;
  const bad = (): never => {
    throw new JsonRecordError(`field '${path}': cannot read ${JSON.stringify(v instanceof ExactNumber ? Number(v.text) : v)} as ${t.kind}`);
  };
  const numText = (): string => (v instanceof ExactNumber ? v.text : typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : bad());
  switch (t.kind) {
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return bad();
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const n = Number(numText());
      const lim = t.kind === 'TINYINT' ? 128 : t.kind === 'SMALLINT' ? 32768 : 2147483648;
      return Number.isInteger(n) && n >= -lim && n < lim ? n : bad();
    }
    case 'BIGINT': {
      const s = numText();
      if (!/^-?\d+$/.test(s)) return bad();
      const n = BigInt(s);
      return n >= -(2n ** 63n) && n < 2n ** 63n ? n : bad();
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const n = Number(numText());
      return Number.isNaN(n) ? bad() : t.kind === 'FLOAT' ? Math.fround(n) : n;
    }
    case 'DECIMAL': {
      const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(numText());
      if (m === null) return bad();
      let digits = (m[2] ?? '') + (m[3] ?? '');
      let scale = (m[3] ?? '').length - Number(m[4] ?? 0);
      if (scale < 0) {
        digits += '0'.repeat(-scale);
        scale = 0;
      }
      let unscaled = BigInt(digits || '0');
      if (scale > t.scale) {
        const f = 10n ** BigInt(scale - t.scale);
        const q = unscaled / f;
        unscaled = (unscaled % f) * 2n >= f ? q + 1n : q;
      } else unscaled *= 10n ** BigInt(t.scale - scale);
      if (unscaled >= 10n ** BigInt(t.precision)) return null; // Flink reads an overflowing decimal as NULL
      return m[1] === '-' ? -unscaled : unscaled;
    }
    case 'CHAR':
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (v instanceof ExactNumber) return v.text;
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'BINARY':
    case 'VARBINARY':
      return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : bad();
    case 'DATE':
    case 'TIME': {
      const r = typeof v === 'string' ? parseTemporal(v, t.kind) : null;
      return r === null ? bad() : r;
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      if (typeof v !== 'string') return bad();
      const s = opts.timestampStandard === 'ISO-8601' ? v.replace(/Z$/, '') : v;
      if (opts.timestampStandard === 'SQL' && s.includes('T')) return bad();
      const ms = parseTemporal(s, t.kind);
      if (ms === null) return bad();
      return hasNanos(t) ? BigInt(ms) * 1_000_000n : ms;
    }
    case 'ARRAY':
      return Array.isArray(v) ? v.map((e, i) => convert(e, t.element, `${path}[${i}]`, opts)) : bad();
    case 'MAP':
      if (typeof v !== 'object' || Array.isArray(v) || v instanceof ExactNumber) return bad();
      return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [convert(k, t.key, `${path}.key`, opts), convert(x, t.value, `${path}.${k}`, opts)]));
    case 'ROW':
      if (typeof v !== 'object' || Array.isArray(v) || v instanceof ExactNumber) return bad();
      return t.fields.map((f) => {
        const o = v as Record<string, unknown>;
        if (opts.failOnMissingField && !(f.name in o)) throw new JsonRecordError(`field '${path}.${f.name}' is missing`);
        return convert(o[f.name], f.type, `${path}.${f.name}`, opts);
      });
    case 'INTERVAL':
    case 'NULL':
      return bad();
  }
}

/**
 * Decodes one JSON object text into the values of a schema's fields, by name. Throws JsonRecordError naming
 * the field (or the syntax problem); ignoring bad records is the caller's policy. Exported for record-at-a-time
 * readers such as Kafka, which combine key, value and metadata fields into one row.
 */
export function decodeJsonFields(text: string, schema: Schema, opts: JsonOptions, exact = schema.fields.some((f) => needsExactText(f.type))): Value[] {
  let obj: unknown;
  try {
    obj = exact ? parseExact(text) : JSON.parse(text);
  } catch (e) {
    throw new JsonRecordError(`malformed JSON (${(e as Error).message})`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new JsonRecordError('the record is not a JSON object');
  const o = obj as Record<string, unknown>;
  return schema.fields.map((f) => {
    if (opts.failOnMissingField && !(f.name in o)) throw new JsonRecordError(`field '${f.name}' is missing`);
    return convert(o[f.name], f.type, f.name, opts);
  });
}

/**
 * Decodes JSON records into batches of a schema. `add` returns false for a skipped record (counted in
 * `skipped`) and throws JsonRecordError (with the caller adding the place) for a bad one.
 */
export class JsonDecoder {
  private builders: ColumnBuilder[];
  private rows = 0;
  skipped = 0;
  private readonly exact: boolean;

  constructor(
    private readonly schema: Schema,
    private readonly opts: JsonOptions,
    private readonly capacity = 1024,
  ) {
    this.builders = this.fresh();
    this.exact = schema.fields.some((f) => needsExactText(f.type));
  }

  private fresh(): ColumnBuilder[] {
    return this.schema.fields.map((f) => new ColumnBuilder(f.type, this.capacity));
  }

  get size(): number {
    return this.rows;
  }

  /** Decodes one record; the row is appended only if every field converts. */
  add(text: string): boolean {
    let values: Value[];
    try {
      values = decodeJsonFields(text, this.schema, this.opts, this.exact);
    } catch (e) {
      if (!(e instanceof JsonRecordError)) throw e;
      if (this.opts.ignoreParseErrors) {
        this.skipped++;
        return false;
      }
      throw e;
    }
    values.forEach((v, i) => (this.builders[i] as ColumnBuilder).append(v));
    this.rows++;
    return true;
  }

  take(): RecordBatch {
    const batch = makeBatch(this.schema, this.builders.map((b) => b.finish()), this.rows);
    this.builders = this.fresh();
    this.rows = 0;
    return batch;
  }
}

/** Encodes one row as a JSON object text, with exact BIGINT/DECIMAL numbers. */
export function encodeJson(schema: Schema, row: readonly Value[], opts: JsonOptions): string {
  return `{${schema.fields.map((f, i) => `${JSON.stringify(f.name)}:${encodeValue(row[i] ?? null, f.type, opts)}`).join(',')}}`;
}

function encodeValue(v: Value, t: LogicalType, opts: JsonOptions): string {
  if (v === null) return 'null';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'DECIMAL':
      return formatValueText(v, t);
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(v as number) ? String(v) : JSON.stringify(String(v));
    case 'BINARY':
    case 'VARBINARY':
      return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      const text = hasNanos(t) ? formatValueText(v, t) : formatTimestamp(v as number, t.precision);
      return JSON.stringify(opts.timestampStandard === 'ISO-8601' ? text.replace(' ', 'T') + (t.kind === 'TIMESTAMP_LTZ' ? 'Z' : '') : text);
    }
    case 'ARRAY':
      return `[${(v as Value[]).map((e) => encodeValue(e, t.element, opts)).join(',')}]`;
    case 'MAP':
      return `{${[...(v as Map<Value, Value>)].map(([k, x]) => `${JSON.stringify(formatValueText(k, t.key))}:${encodeValue(x, t.value, opts)}`).join(',')}}`;
    case 'ROW':
      return `{${t.fields.map((f, i) => `${JSON.stringify(f.name)}:${encodeValue((v as Value[])[i] ?? null, f.type, opts)}`).join(',')}}`;
    default:
      return JSON.stringify(formatValueText(v, t));
  }
}
