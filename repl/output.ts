// Printing query results: CSV (RFC 4180, NULL as an empty unquoted field), JSON lines, and Flink's boxed
// "tableau" layout. Values are printed from their runtime representation and logical type.
import { csvField, encodeCsv } from '../connectors/formats/csv.js';
import { encodeJson, jsonOptions } from '../connectors/formats/json.js';
import { formatValueText, type Schema, type Value } from '../executor/index.js';

export type OutputFormat = 'csv' | 'json' | 'tableau';

/** The CLI writes RFC 4180 CSV with the csv format's own encoding: NULL as an empty unquoted field. */
const CSV = { delimiter: ',', quote: '"', nullLiteral: null };

export function csvHeader(schema: Schema, changelog: boolean): string {
  return [...(changelog ? ['op'] : []), ...schema.names()].map((n) => csvField(n, CSV)).join(',');
}

export function csvRow(schema: Schema, row: readonly Value[], op: string | null): string {
  const record = encodeCsv(schema, row, CSV);
  return op === null ? record : schema.size === 0 ? op : `${op},${record}`;
}

const JSON_OPTS = jsonOptions({});

/** A row as one JSON object, written by the json format itself (exact BIGINT/DECIMAL, SQL timestamps). */
export function jsonRow(schema: Schema, row: readonly Value[], op: string | null): string {
  const body = encodeJson(schema, row, JSON_OPTS);
  if (op === null) return body;
  return body === '{}' ? `{"op":${JSON.stringify(op)}}` : `{"op":${JSON.stringify(op)},${body.slice(1)}`;
}

/** Flink SQL client's tableau layout: a boxed table, values right-aligned, NULL as <NULL>. */
export function tableau(schema: Schema, rows: readonly (readonly Value[])[], ops: readonly string[] | null): string {
  const headers = [...(ops !== null ? ['op'] : []), ...schema.names()];
  const cells = rows.map((row, r) => [
    ...(ops !== null ? [ops[r] as string] : []),
    ...schema.fields.map((f, i) => {
      const v = row[i] ?? null;
      return v === null ? '<NULL>' : formatValueText(v, f.type);
    }),
  ]);
  const widths = headers.map((h, c) => Math.max(h.length, ...cells.map((row) => displayWidth(row[c] as string))));
  const rule = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (vals: readonly string[]): string => `|${vals.map((v, c) => ` ${' '.repeat((widths[c] as number) - displayWidth(v))}${v} `).join('|')}|`;
  const out = [rule, line(headers), rule, ...cells.map(line), rule];
  out.push(rows.length === 1 ? '1 row in set' : `${rows.length} rows in set`);
  return out.join('\n');
}

/** Terminal columns a string takes: East Asian wide characters count twice. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
  }
  return w;
}
