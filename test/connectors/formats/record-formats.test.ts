// The record formats of message connectors, one message at a time: raw, csv, json, debezium-json (changelog
// kinds, schema-include) and avro (round trip with exact BIGINT/DECIMAL), plus the read_committed batch filter.
import { describe, expect, it } from 'vitest';
import type { RecordsBatch } from '@platformatic/kafka';
import { RowKind, Schema, Types, rowKindShort, type Value } from '../../../index.js';
import { FormatError, formatOptions } from '../../../connectors/formats/format.js';
import { recordFormat } from '../../../connectors/formats/registry.js';
import { committedBatches } from '../../../connectors/kafka/transactions.js';

function decode(format: string, schema: Schema, text: string | Uint8Array, options: Record<string, string> = {}): Array<[string, ...Value[]]> {
  const f = recordFormat(format, 'format');
  const out: Array<[string, ...Value[]]> = [];
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  f.decoder(schema, formatOptions(options, '')).decode(bytes, (kind, row) => void out.push([rowKindShort(kind), ...row]));
  return out;
}

function encode(format: string, schema: Schema, row: Value[], kind: RowKind = RowKind.INSERT, options: Record<string, string> = {}): Uint8Array {
  return recordFormat(format, 'format').encoder(schema, formatOptions(options, '')).encode(kind, row);
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('record formats', () => {
  it('raw: one STRING or BYTES column, anything else is rejected', () => {
    expect(decode('raw', Schema.of(['s', Types.STRING()]), 'héllo')).toEqual([['+I', 'héllo']]);
    expect(decode('raw', Schema.of(['b', Types.BYTES()]), new Uint8Array([0, 255]))).toEqual([['+I', new Uint8Array([0, 255])]]);
    expect(text(encode('raw', Schema.of(['s', Types.STRING()]), ['x']))).toBe('x');
    expect(() => recordFormat('raw', 'format').validate(Schema.of(['a', Types.INT()]), formatOptions({}, ''))).toThrow(/STRING or BYTES/);
    expect(() => decode('raw', Schema.of(['s', Types.STRING()]), new Uint8Array([0xff]))).toThrow(FormatError);
  });

  it('csv: one record per message, quoted fields, the field named on a bad value', () => {
    const schema = Schema.of(['a', Types.INT()], ['b', Types.STRING()]);
    expect(decode('csv', schema, '1,"x,y"\n')).toEqual([['+I', 1, 'x,y']]);
    expect(decode('csv', schema, '2,')).toEqual([['+I', 2, null]]);
    expect(() => decode('csv', schema, 'q,1')).toThrow(/field 'a': cannot parse 'q' as INT/);
    expect(text(encode('csv', schema, [3, 'p;q"r'], RowKind.INSERT, { 'csv.field-delimiter': ';' }))).toBe('3;"p;q""r"');
    expect(decode('csv', schema, text(encode('csv', schema, [4, '']))).slice(0)).toEqual([['+I', 4, '']]);
  });

  it('json: exact BIGINT, field named on a bad value', () => {
    const schema = Schema.of(['id', Types.BIGINT()], ['n', Types.INT()]);
    expect(decode('json', schema, '{"id": 9007199254740993, "n": 1}')).toEqual([['+I', 9007199254740993n, 1]]);
    expect(() => decode('json', schema, '{"n": "x"}')).toThrow(/field 'n': cannot read "x" as INT/);
    expect(() => decode('json', schema, '{oops')).toThrow(/malformed JSON/);
  });

  it('debezium-json: c/r → +I, u → -U/+U, d → -D, with and without the schema envelope', () => {
    const schema = Schema.of(['id', Types.INT()], ['name', Types.STRING()]);
    expect(decode('debezium-json', schema, '{"before":null,"after":{"id":1,"name":"a"},"op":"c"}')).toEqual([['+I', 1, 'a']]);
    expect(decode('debezium-json', schema, '{"before":null,"after":{"id":1,"name":"a"},"op":"r"}')).toEqual([['+I', 1, 'a']]);
    expect(decode('debezium-json', schema, '{"before":{"id":1,"name":"a"},"after":{"id":1,"name":"b"},"op":"u"}')).toEqual([
      ['-U', 1, 'a'],
      ['+U', 1, 'b'],
    ]);
    expect(decode('debezium-json', schema, '{"before":{"id":1,"name":"b"},"after":null,"op":"d"}')).toEqual([['-D', 1, 'b']]);
    expect(decode('debezium-json', schema, '{"schema":{},"payload":{"before":null,"after":{"id":2,"name":"z"},"op":"c"}}', { 'debezium-json.schema-include': 'true' })).toEqual([['+I', 2, 'z']]);
    expect(() => decode('debezium-json', schema, '{"before":null,"after":null,"op":"x"}')).toThrow(/unknown 'op' "x"/);
    expect(() => decode('debezium-json', schema, '{"before":null,"after":{"id":1},"op":"u"}')).toThrow(/needs a 'before' row/);
    expect(JSON.parse(text(encode('debezium-json', schema, [1, 'a'], RowKind.DELETE)))).toEqual({ before: { id: 1, name: 'a' }, after: null, op: 'd' });
    expect(JSON.parse(text(encode('debezium-json', schema, [1, 'a'], RowKind.UPDATE_AFTER)))).toEqual({ before: null, after: { id: 1, name: 'a' }, op: 'c' });
  });

  it('avro: round trip of a schema derived from the columns, exact longs and decimals, nested rows', () => {
    const schema = Schema.of(
      ['id', Types.BIGINT(false)],
      ['price', Types.DECIMAL(20, 3)],
      ['name', Types.STRING()],
      ['ts', Types.TIMESTAMP(3)],
      ['tags', Types.ARRAY(Types.STRING())],
      ['p', Types.ROW([{ name: 'x', type: Types.INT() }])],
      ['b', Types.BYTES()],
      ['d', Types.DATE()],
    );
    const rows: Value[][] = [
      [9007199254740993n, -12345678901234567891n, 'a', 1_700_000_000_123, ['x', null], [7], new Uint8Array([1, 2]), 19000],
      [-1n, null, null, null, null, null, null, null],
      [0n, 128n, '', 0, [], [null], new Uint8Array(0), 0],
    ];
    for (const row of rows) expect(decode('avro', schema, encode('avro', schema, row))).toEqual([['+I', ...row]]);
    expect(() => decode('avro', schema, new Uint8Array([1]))).toThrow(/malformed Avro record/);
  });
});

describe('read_committed batch filter', () => {
  const PID = 7n;
  let offset = 0n;
  /** A transactional data batch of `n` records, or a control marker (abort when `abort`). */
  function batch(kind: 'data' | 'abort' | 'commit', pid = PID, n = 2): RecordsBatch {
    const control = kind !== 'data';
    const key = Buffer.alloc(4);
    key.writeInt16BE(kind === 'commit' ? 1 : 0, 2);
    const b = {
      firstOffset: offset,
      lastOffsetDelta: (control ? 1 : n) - 1,
      attributes: 0x10 | (control ? 0x20 : 0),
      producerId: pid,
      records: control ? [{ key, value: null, headers: [], offsetDelta: 0, timestampDelta: 0n, attributes: 0, length: 0 }] : [],
    } as unknown as RecordsBatch;
    offset += BigInt(control ? 1 : n);
    return b;
  }

  it('drops both aborted transactions of one producer in one fetch, keeps the committed ones', () => {
    offset = 0n;
    const a1 = batch('data');
    const m1 = batch('abort');
    const c1 = batch('data');
    const m2 = batch('commit');
    const a2 = batch('data');
    const m3 = batch('abort');
    const c2 = batch('data');
    const m4 = batch('commit');
    const all = [a1, m1, c1, m2, a2, m3, c2, m4];
    const aborted = [
      { producerId: PID, firstOffset: a2.firstOffset },
      { producerId: PID, firstOffset: a1.firstOffset },
    ];
    expect(committedBatches(all, aborted, true)).toEqual([c1, c2]);
    expect(committedBatches(all, aborted, false)).toEqual([a1, c1, a2, c2]);
  });

  it('keeps another producer’s batches inside an aborted range', () => {
    offset = 0n;
    const a = batch('data', 1n);
    const other = batch('data', 2n);
    const m = batch('abort', 1n);
    expect(committedBatches([a, other, m], [{ producerId: 1n, firstOffset: 0n }], true)).toEqual([other]);
  });
});
