// Flink's SinkUpsertMaterializer (flink-table-runtime, operators/sink): in front of a sink whose PRIMARY KEY is not
// a key of the changelog it is given, changes to one sink key can arrive from several upstream keys and out of
// order (an update of one upstream row retracting after another's insert). Per sink key it keeps every live row
// in arrival order and writes the newest: an insert or update-after appends (or replaces an equal row) and is
// written as +I for the key's first row, +U otherwise; a retraction removes the first equal row and, if that was
// the newest, writes the one before it as +U, or -D when none is left. The output is an upsert changelog by key.
import { deserialize } from 'node:v8';
import { rowAt, type RecordBatch } from '../batch/batch.js';
import type { Value } from '../batch/column.js';
import { DEFAULT_MAX_PARALLELISM, type Key, type KeySelector } from '../runtime/key.js';
import { encodeKeyedMaps, keyedMapsOrLegacy } from '../state/key-grouped-snapshot.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import { RowKind, isAccumulate } from '../types/row-kind.js';
import type { Schema } from '../types/schema.js';
import { JoinRowsBuilder } from './join-common.js';
import { columnsKeySelector, keyOfValues } from './keys.js';

export interface UpsertMaterializerConfig {
  readonly name: string;
  readonly schema: Schema;
  /** The sink's primary key columns. */
  readonly keys: readonly number[];
}

export class SinkUpsertMaterializer implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private readonly keySelector: KeySelector;
  // Checkpointed state: the live rows of each sink key, oldest first.
  private state = new Map<Key, Value[][]>();
  // Transient.
  private output: Output | null = null;
  private ctx: OperatorContext | null = null;
  private readonly out: JoinRowsBuilder;

  constructor(cfg: UpsertMaterializerConfig) {
    this.name = cfg.name;
    this.outputSchema = cfg.schema;
    this.keySelector = columnsKeySelector(
      cfg.keys,
      cfg.keys.map((k) => cfg.schema.field(k).name),
    );
    this.out = new JoinRowsBuilder(cfg.schema, cfg.schema.size);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(output: Output): void {
    this.output = output;
  }

  processBatch(batch: RecordBatch): void {
    const keys = this.keySelector.keysOf(batch);
    for (let r = 0; r < batch.length; r++) {
      const key = keys[r] as Key;
      const row = rowAt(batch, r);
      const id = keyOfValues(row);
      let values = this.state.get(key);
      if (isAccumulate(batch.kinds[r] as number)) {
        if (values === undefined) this.state.set(key, (values = []));
        const same = values.findIndex((v) => keyOfValues(v) === id);
        if (same >= 0) values[same] = row;
        else values.push(row);
        // As SinkUpsertMaterializer.addRow: the kind is decided after the add/replace (the only row → +I).
        this.out.row(values.length === 1 ? RowKind.INSERT : RowKind.UPDATE_AFTER, row);
        continue;
      }
      const lastIndex = (values?.length ?? 0) - 1;
      const at = values === undefined ? -1 : values.findIndex((v) => keyOfValues(v) === id);
      if (at < 0) {
        // Flink logs that the state was cleared (TTL); nothing is known to retract.
        this.ctx?.metrics.inc('numRetractionsOfUnknownRows');
        continue;
      }
      const list = values as Value[][];
      list.splice(at, 1);
      if (list.length === 0) {
        this.state.delete(key);
        this.out.row(RowKind.DELETE, row);
      } else if (at === lastIndex) {
        this.out.row(RowKind.UPDATE_AFTER, list[list.length - 1] as Value[]);
      }
    }
    const result = this.out.build();
    if (result !== null) (this.output as Output).emitBatch(result);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  /** Key-grouped by sink key (the exchange's key), so a restore at another parallelism can split it. */
  snapshotState(): Uint8Array {
    return encodeKeyedMaps(this.ctx?.maxParallelism ?? DEFAULT_MAX_PARALLELISM, { rows: this.state });
  }

  restoreState(bytes: Uint8Array): void {
    const grouped = keyedMapsOrLegacy(bytes);
    // Before key groups the snapshot was the opaque map (restorable at its own parallelism only).
    this.state =
      grouped === null
        ? (deserialize(bytes) as Map<Key, Value[][]>)
        : new Map((grouped.maps['rows'] ?? []) as [Key, Value[][]][]);
  }

  finish(): void {}

  close(): void {}
}
