// Record-at-a-time formats for message connectors (Kafka): bytes of one message key or value to the values of a
// set of fields, and back. Batch-oriented readers (filesystem) use json.ts and csv.ts directly; a message
// connector combines key, value and metadata fields into one row, so it needs one record's values at a time.
import type { RowKind, Schema, Value } from '../../executor/index.js';
import type { OptionSpec } from '../../planner/index.js';

/** The names accepted by `format`, `key.format` and `value.format`. */
export const FORMAT_NAMES = ['json', 'csv', 'raw', 'avro', 'debezium-json'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(s: string): s is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(s);
}

/** A record the format cannot read: the message says which field and why; the connector adds the place. */
export class FormatError extends Error {}

/** Receives the rows one message decodes to: one +I for plain formats, up to two rows for a CDC format. */
export type RowSink = (kind: RowKind, row: Value[]) => void;

export interface RecordDecoder {
  /** Whether bad records are skipped (and counted by the caller) instead of failing the job. */
  readonly ignoreParseErrors: boolean;
  /** Decodes one message's bytes; throws FormatError for a bad record. */
  decode(bytes: Uint8Array, emit: RowSink): void;
}

export interface RecordEncoder {
  /** Encodes one row; CDC formats use the row kind, plain formats ignore it (the connector checks kinds). */
  encode(kind: RowKind, row: readonly Value[]): Uint8Array;
}

/**
 * What a format can do. `changelog` formats (debezium-json) decode to updates and deletes as well as inserts;
 * the others produce inserts only. Options are read under a prefix: `json.` for `format`, `value.json.` for
 * `value.format`, as Flink names them.
 */
export interface RecordFormat {
  readonly name: FormatName;
  readonly changelog: boolean;
  /** The format's own option keys, without the `key.`/`value.` prefix. */
  readonly options: readonly OptionSpec[];
  /** Throws Error naming the option or column when the options or the columns do not fit the format. */
  validate(schema: Schema, options: FormatOptions): void;
  decoder(schema: Schema, options: FormatOptions): RecordDecoder;
  encoder(schema: Schema, options: FormatOptions): RecordEncoder;
}

/** A format's options with the key/value prefix already removed, plus that prefix for error messages. */
export interface FormatOptions {
  readonly values: Readonly<Record<string, string>>;
  /** '' for `format`, 'key.' or 'value.' for `key.format`/`value.format`. */
  readonly prefix: string;
}

/** The options under `prefix` (e.g. `value.`), with the prefix removed. */
export function formatOptions(all: Readonly<Record<string, string>>, prefix: string): FormatOptions {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (k.startsWith(prefix)) values[k.slice(prefix.length)] = v;
  return { values, prefix };
}

export const textEncoder = new TextEncoder();
export const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a message; invalid UTF-8 is a bad record rather than a silent replacement character. */
export function utf8(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new FormatError('the message is not valid UTF-8');
  }
}
