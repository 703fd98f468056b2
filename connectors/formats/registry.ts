// Looks up a record format by the name in `format`, `key.format` or `value.format`. A closed table, so a new
// format is one entry here and the option specs of every message connector pick it up.
import { avroFormat } from './avro.js';
import { debeziumJsonFormat } from './debezium-json.js';
import { FORMAT_NAMES, type FormatName, type RecordFormat } from './format.js';
import { csvFormat, jsonFormat, rawFormat } from './record-formats.js';

export const RECORD_FORMATS: Readonly<Record<FormatName, RecordFormat>> = {
  json: jsonFormat,
  csv: csvFormat,
  raw: rawFormat,
  avro: avroFormat,
  'debezium-json': debeziumJsonFormat,
};

export function recordFormat(name: string, option: string): RecordFormat {
  const f = (RECORD_FORMATS as Readonly<Record<string, RecordFormat>>)[name];
  if (f === undefined) throw new Error(`unknown format '${name}' in option '${option}' (available: ${FORMAT_NAMES.join(', ')})`);
  return f;
}
