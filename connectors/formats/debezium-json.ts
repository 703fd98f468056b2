// The `debezium-json` format: Debezium change events as a changelog, as Flink reads them. `op` c/r → +I(after),
// u → -U(before) and +U(after), d → -D(before); with `debezium-json.schema-include` the event is wrapped in
// {"schema":…,"payload":…}. Writing turns +I/+U into c events and -U/-D into d events, as Flink's encoder does.
import { RowKind, Schema, Types, type LogicalType, type Value } from '../../executor/index.js';
import { FormatError, textEncoder, utf8, type FormatOptions, type RecordFormat } from './format.js';
import { JsonRecordError, decodeJsonFields, encodeJson, jsonOptions, type JsonOptions } from './json.js';

const OPTIONS = [
  { key: 'debezium-json.schema-include', description: 'events carry a {"schema","payload"} envelope (Kafka Connect JsonConverter with schemas)', values: ['true', 'false'] },
  { key: 'debezium-json.ignore-parse-errors', description: 'skip (and count) malformed events instead of failing', values: ['true', 'false'] },
  { key: 'debezium-json.timestamp-format.standard', description: "timestamp text: 'SQL' (default) or 'ISO-8601'", values: ['SQL', 'ISO-8601'] },
] as const;

function options(o: FormatOptions): { json: JsonOptions; schemaInclude: boolean } {
  const get = (k: string): string | undefined => o.values[`debezium-json.${k}`];
  const forJson: Record<string, string> = {};
  const ignore = get('ignore-parse-errors');
  const ts = get('timestamp-format.standard');
  if (ignore !== undefined) forJson['json.ignore-parse-errors'] = ignore;
  if (ts !== undefined) forJson['json.timestamp-format.standard'] = ts;
  return { json: jsonOptions(forJson), schemaInclude: get('schema-include') === 'true' };
}

/** The event as a JSON schema the json format can read exactly (BIGINT/DECIMAL from their source text). */
function envelope(schema: Schema, schemaInclude: boolean): Schema {
  const row: LogicalType = Types.ROW(schema.fields.map((f) => ({ name: f.name, type: f.type })));
  const payload = [
    { name: 'before', type: row },
    { name: 'after', type: row },
    { name: 'op', type: Types.STRING() },
  ];
  return schemaInclude ? new Schema([{ name: 'payload', type: Types.ROW(payload) }]) : new Schema(payload);
}

export const debeziumJsonFormat: RecordFormat = {
  name: 'debezium-json',
  changelog: true,
  options: OPTIONS,
  validate(_schema, o) {
    options(o);
  },
  decoder(schema, o) {
    const { json, schemaInclude } = options(o);
    const env = envelope(schema, schemaInclude);
    // The envelope is decoded strictly; skipping bad events is the connector's job (it counts them).
    const strict: JsonOptions = { ...json, ignoreParseErrors: false };
    return {
      ignoreParseErrors: json.ignoreParseErrors,
      decode(bytes, emit) {
        let fields: Value[];
        try {
          fields = decodeJsonFields(utf8(bytes), env, strict);
        } catch (e) {
          if (e instanceof JsonRecordError) throw new FormatError(e.message);
          throw e;
        }
        if (schemaInclude) {
          if (fields[0] === null) throw new FormatError("the event has no 'payload' (is 'debezium-json.schema-include' right?)");
          fields = [...(fields[0] as Value[])];
        }
        const [before, after, op] = fields as [Value[] | null, Value[] | null, string | null];
        const need = (v: Value[] | null, name: string): Value[] => {
          if (v === null) throw new FormatError(`a '${op}' event needs a '${name}' row`);
          return [...v];
        };
        switch (op) {
          case 'c':
          case 'r':
            emit(RowKind.INSERT, need(after, 'after'));
            return;
          case 'u':
            // Debezium without REPLICA IDENTITY FULL sends no 'before': Flink requires it, so do we.
            emit(RowKind.UPDATE_BEFORE, need(before, 'before'));
            emit(RowKind.UPDATE_AFTER, need(after, 'after'));
            return;
          case 'd':
            emit(RowKind.DELETE, need(before, 'before'));
            return;
          default:
            throw new FormatError(`unknown 'op' ${JSON.stringify(op)} (expected c, r, u or d)`);
        }
      },
    };
  },
  encoder(schema, o) {
    const { json, schemaInclude } = options(o);
    if (schemaInclude) throw new Error(`'${o.prefix}debezium-json.schema-include' is only supported for reading`);
    const env = envelope(schema, false);
    return {
      encode(kind, row) {
        const insert = kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER;
        const event: Value[] = insert ? [null, [...row], 'c'] : [[...row], null, 'd'];
        return textEncoder.encode(encodeJson(env, event, json));
      },
    };
  },
};
