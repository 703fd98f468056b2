// The lookup join `o JOIN t FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.k = c.k`, Flink's LookupJoinRunner
// (StreamExecLookupJoin, synchronous mode): each input row looks its key up in the table at processing time and
// is joined with the rows found; LEFT pads a row that found nothing with NULLs. Nothing is kept per key (later
// changes of the table do not revise earlier results), so the output has the input's row kinds, row for row.
// The key is computed per batch (the planner compiles the left key expressions, e.g. `MOD(o.auction, 10000)`);
// the ON condition's non-equi rest runs once per batch over all candidate pairs.
import type { RecordBatch } from '../batch/batch.js';
import { getValue, type Column, type Value } from '../batch/column.js';
import { rowAt } from '../batch/batch.js';
import type { OperatorContext, Output, StreamOperator } from '../runtime/operator.js';
import type { Schema } from '../types/schema.js';
import {
  JoinRowsBuilder,
  PairBatch,
  checkJoinConfig,
  pairSchema,
  type JoinCondition,
} from './join-common.js';
import { LookupTable, type LookupCacheConfig, type LookupReader } from './lookup-cache.js';

export interface LookupJoinConfig {
  readonly name: string;
  readonly type: 'INNER' | 'LEFT';
  readonly inputSchema: Schema;
  /** The looked-up table's columns (what the reader's rows hold). */
  readonly lookupSchema: Schema;
  /** The left key of each input row, one column per lookup key (computed from the batch). */
  readonly keyOf: (batch: RecordBatch) => RecordBatch;
  /** The looked-up table's columns the keys are compared with, in the order of `keyOf`'s columns. */
  readonly lookupKeys: readonly number[];
  readonly reader: LookupReader;
  readonly cache: LookupCacheConfig;
  readonly condition: JoinCondition | null;
  readonly outputSchema: Schema;
}

export class LookupJoinOperator implements StreamOperator {
  readonly name: string;
  readonly outputSchema: Schema;
  private output: Output | null = null;
  private now: () => number = () => Date.now();
  private table: LookupTable | null = null;
  private readonly pairs: PairBatch;
  private readonly out: JoinRowsBuilder;

  constructor(private readonly config: LookupJoinConfig) {
    const { name, type, inputSchema, lookupSchema, lookupKeys, outputSchema } = config;
    checkJoinConfig(
      name,
      type,
      inputSchema,
      lookupSchema,
      lookupKeys.map(() => 0),
      lookupKeys,
      outputSchema,
    );
    this.name = name;
    this.outputSchema = outputSchema;
    this.pairs = new PairBatch(pairSchema(inputSchema, lookupSchema), inputSchema.size);
    this.out = new JoinRowsBuilder(outputSchema, inputSchema.size);
  }

  setup(ctx: OperatorContext): void {
    this.now = () => ctx.processingTime.now();
  }

  open(output: Output): void {
    this.output = output;
    this.table = new LookupTable(this.config.reader, this.config.lookupKeys, this.config.cache, () =>
      this.now(),
    );
  }

  /** Reads of the connector so far (the cache's effect). */
  get connectorReads(): number {
    return this.table?.reads ?? 0;
  }

  processBatch(batch: RecordBatch): void {
    const table = this.table as LookupTable;
    const keys = this.config.keyOf(batch);
    const keyCols = keys.columns;
    const keyTypes = keys.schema.fields.map((f) => f.type);
    const width = keyCols.length;
    // Per row: the left row and the rows it found; the condition then runs once over every candidate pair.
    const lefts: Value[][] = new Array<Value[]>(batch.length);
    const found: Value[][][] = new Array<Value[][]>(batch.length);
    const pairIndex: number[][] = new Array<number[]>(batch.length);
    const key = new Array<Value>(width);
    const condition = this.config.condition;
    for (let r = 0; r < batch.length; r++) {
      for (let j = 0; j < width; j++)
        key[j] = getValue(keyCols[j] as Column, keyTypes[j] as (typeof keyTypes)[number], r);
      const rows = table.get(key);
      const left = rowAt(batch, r);
      lefts[r] = left;
      found[r] = rows;
      if (condition !== null) pairIndex[r] = rows.map((right) => this.pairs.add(left, right));
    }
    const mask = this.pairs.evaluate(condition);
    const leftOuter = this.config.type === 'LEFT';
    for (let r = 0; r < batch.length; r++) {
      const kind = batch.kinds[r] as number;
      const left = lefts[r] as Value[];
      let matched = false;
      const rows = found[r] as Value[][];
      for (let i = 0; i < rows.length; i++) {
        if (mask !== null && mask[(pairIndex[r] as number[])[i] as number] !== 1) continue;
        matched = true;
        this.out.pair(kind, left, rows[i] as Value[]);
      }
      if (!matched && leftOuter) this.out.pair(kind, left, null);
    }
    const result = this.out.build();
    if (result !== null) (this.output as Output).emitBatch(result);
  }

  processWatermark(timestamp: number): void {
    (this.output as Output).emitWatermark(timestamp);
  }

  finish(): void {}

  close(): void {}
}
