// The `values` connector: in-memory rows for tests, in the shape of Flink's test connector
// (org.apache.flink.table.planner.factories.TestValuesTableFactory): a source reads rows registered under a
// 'data-id' (registerData) or given inline in 'data' (a JSON array of rows, a Freshet addition so SQL scripts need
// no TypeScript), with the row kinds 'changelog-mode' allows; a sink collects what it receives per table
// (getResults folds the changelog into the final rows, getRawResults keeps every change as `+I[...]`).
import { randomUUID } from 'node:crypto';
import {
  LOOKUP_OPTION_SPECS,
  batchToRows,
  type LookupReader,
  ColumnBuilder,
  RowKind,
  makeBatch,
  rowAt,
  rowKindFromShort,
  rowKindShort,
  type RecordBatch,
  type Schema,
  type SinkWriter,
  type SourceReader,
  type StreamElement,
  type Value,
} from '../../executor/index.js';
import type { ChangelogKind, DynamicTableFactory } from '../../planner/index.js';
import { JsonDecoder, jsonOptions } from '../formats/json.js';
import { formatPrintRow } from '../print/factory.js';

/** A registered row: its values, and its kind when the data is a changelog (+I when absent). */
export type ValuesRow = readonly Value[] | { readonly kind: RowKind; readonly row: readonly Value[] };

const registered = new Map<string, readonly ValuesRow[]>();
const sinkResults = new Map<string, string[]>();

/** Registers rows for tables with 'data-id' = the returned id (TestValuesTableFactory.registerData). */
export function registerData(rows: readonly ValuesRow[]): string {
  const id = randomUUID();
  registered.set(id, rows);
  return id;
}

/** Every change a values sink table received, as `+I[1, a]` (TestValuesTableFactory.getRawResults). */
export function getRawResults(tableName: string): string[] {
  return [...(sinkResults.get(tableName) ?? [])];
}

/**
 * The final rows of a values sink table, its changelog applied (getResults): +I/+U add a row, -U/-D remove one
 * equal row, as a retract sink materializes them.
 */
export function getResults(tableName: string): string[] {
  const out: Array<{ text: string }> = [];
  for (const line of sinkResults.get(tableName) ?? []) {
    const kind = line.slice(0, 2);
    const text = line.slice(2);
    if (kind === '+I' || kind === '+U') out.push({ text });
    else {
      const i = out.findIndex((r) => r.text === text);
      if (i >= 0) out.splice(i, 1);
    }
  }
  return out.map((r) => `+I${r.text}`);
}

/** Forgets registered data and collected results (between tests). */
export function clearValues(): void {
  registered.clear();
  sinkResults.clear();
}

const KINDS: Record<string, RowKind> = {
  I: RowKind.INSERT,
  UB: RowKind.UPDATE_BEFORE,
  UA: RowKind.UPDATE_AFTER,
  D: RowKind.DELETE,
};

function changelogMode(options: Readonly<Record<string, string>>): Set<RowKind> {
  const raw = options['changelog-mode'] ?? 'I';
  const out = new Set<RowKind>();
  for (const k of raw.split(',').map((s) => s.trim())) {
    const kind = KINDS[k];
    if (kind === undefined)
      throw new Error(`invalid 'changelog-mode' entry '${k}' (expected a list of I, UB, UA, D)`);
    out.add(kind);
  }
  return out;
}

function modeKind(kinds: Set<RowKind>): ChangelogKind {
  if (kinds.size === 1 && kinds.has(RowKind.INSERT)) return 'insert-only';
  // Updates without their before-images are an upsert changelog (Flink: I,UA,D).
  if (kinds.has(RowKind.UPDATE_AFTER) && !kinds.has(RowKind.UPDATE_BEFORE)) return 'upsert';
  return 'all';
}

export const valuesFactory: DynamicTableFactory = {
  identifier: 'values',
  options: [
    { key: 'data-id', description: 'rows registered from TypeScript with registerData()' },
    {
      key: 'data',
      description:
        'inline rows: a JSON array of rows, each an array of column values (a changelog row starts with its kind, e.g. "-D")',
    },
    {
      key: 'bounded',
      description: 'whether the source is bounded (it always ends after its rows)',
      values: ['true', 'false'],
    },
    {
      key: 'changelog-mode',
      description: 'the row kinds the source produces: a list of I, UB, UA, D (default I)',
    },
    {
      key: 'sink-insert-only',
      description: 'whether the sink accepts only inserts (default true)',
      values: ['true', 'false'],
    },
    ...LOOKUP_OPTION_SPECS,
  ],
  validate(options, physicalSchema) {
    const kinds = changelogMode(options);
    if (options['data-id'] !== undefined && options['data'] !== undefined)
      throw new Error("options 'data-id' and 'data' exclude each other");
    if (options['data-id'] !== undefined && !registered.has(options['data-id']))
      throw new Error(`no data registered under 'data-id' = '${options['data-id']}'`);
    if (options['data'] !== undefined) parseInline(options['data'], physicalSchema, kinds);
  },
  sourceChangelogMode: (options) => modeKind(changelogMode(options)),
  sinkChangelogMode: (options) => (options['sink-insert-only'] === 'false' ? 'all' : 'insert-only'),
  createSource(ctx): SourceReader {
    const kinds = changelogMode(ctx.options);
    const id = ctx.options['data-id'];
    const rows =
      id !== undefined
        ? (registered.get(id) ?? [])
        : ctx.options['data'] !== undefined
          ? parseInline(ctx.options['data'], ctx.physicalSchema, kinds)
          : [];
    const schema = ctx.physicalSchema;
    return {
      outputSchema: schema,
      async *read(): AsyncGenerator<StreamElement> {
        if (rows.length > 0) yield { kind: 'batch', batch: toBatch(schema, rows, kinds, ctx.tableName) };
        yield { kind: 'end' };
      },
      close: async () => {},
    };
  },
  /**
   * A values table as the right side of a lookup join (TestValuesTableFactory's lookup function): its rows read at
   * each lookup ('lookup.cache' defaults to NONE, as in Flink), inserts only.
   */
  createLookup(ctx): LookupReader {
    return {
      loadAll: () => {
        const id = ctx.options['data-id'];
        const kinds = changelogMode(ctx.options);
        const rows = id !== undefined ? (registered.get(id) ?? []) : ctx.options['data'] !== undefined ? parseInline(ctx.options['data'], ctx.physicalSchema, kinds) : [];
        const batch = toBatch(ctx.physicalSchema, rows, kinds, ctx.tableName);
        return batchToRows(batch).filter((_r, i) => batch.kinds[i] === RowKind.INSERT || batch.kinds[i] === RowKind.UPDATE_AFTER);
      },
    };
  },
  createSink(ctx): SinkWriter {
    const insertOnly = ctx.options['sink-insert-only'] !== 'false';
    const lines = sinkResults.get(ctx.tableName) ?? [];
    sinkResults.set(ctx.tableName, lines);
    return {
      write(batch: RecordBatch) {
        for (let r = 0; r < batch.length; r++) {
          const kind = batch.kinds[r] as number;
          if (insertOnly && kind !== RowKind.INSERT)
            throw new Error(
              `the values sink of table '${ctx.tableName}' is insert-only ('sink-insert-only' = 'true') but received ${rowKindShort(kind)}`,
            );
          lines.push(formatPrintRow(ctx.schema, batch, r));
        }
      },
      finish() {},
      async close() {},
    };
  },
};

function toBatch(
  schema: Schema,
  rows: readonly ValuesRow[],
  allowed: Set<RowKind>,
  table: string,
): RecordBatch {
  const builders = schema.fields.map((f) => new ColumnBuilder(f.type, rows.length));
  const kinds = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    const { kind, row } = Array.isArray(r)
      ? { kind: RowKind.INSERT, row: r as readonly Value[] }
      : (r as { kind: RowKind; row: readonly Value[] });
    if (!allowed.has(kind))
      throw new Error(
        `row ${i} of values table ${table} is ${rowKindShort(kind)}, which 'changelog-mode' does not allow`,
      );
    if (row.length !== schema.size)
      throw new Error(
        `row ${i} of values table ${table} has ${row.length} values, the table ${schema.size} columns`,
      );
    builders.forEach((b, c) => b.append(row[c] ?? null));
    kinds[i] = kind;
  });
  return makeBatch(
    schema,
    builders.map((b) => b.finish()),
    rows.length,
    kinds,
  );
}

/** Inline rows: JSON values converted by the json format's rules (timestamps as 'yyyy-MM-dd HH:mm:ss[.SSS]'). */
function parseInline(text: string, schema: Schema, kinds: Set<RowKind>): ValuesRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`option 'data' is not a JSON array of rows: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error("option 'data' must be a JSON array of rows");
  const out: ValuesRow[] = [];
  const changelog = !(kinds.size === 1 && kinds.has(RowKind.INSERT));
  const names = schema.names();
  for (const [i, r] of parsed.entries()) {
    if (!Array.isArray(r)) throw new Error(`row ${i} of option 'data' is not an array`);
    let values: unknown[] = r;
    let kind: RowKind = RowKind.INSERT;
    if (changelog && typeof r[0] === 'string' && /^[+-][IUD]$/.test(r[0])) {
      kind = rowKindFromShort(r[0]);
      values = r.slice(1);
    }
    if (values.length !== schema.size)
      throw new Error(
        `row ${i} of option 'data' has ${values.length} values, the table ${schema.size} columns`,
      );
    const decoder = new JsonDecoder(schema, jsonOptions({}), 1);
    decoder.add(JSON.stringify(Object.fromEntries(names.map((n, c) => [n, values[c]]))));
    out.push({ kind, row: rowAt(decoder.take(), 0) });
  }
  return out;
}
