// Lowers a logical plan onto runtime operators: the scan becomes the connector's source reader, adjacent
// projection and filter fuse into one compiled Calc, the watermark assigner becomes its runtime operator.
// (The optimizer issue replaces this direct lowering with physical planning; the operators stay the same.)
import { CalcOperator, Schema, Types, WatermarkAssignerOperator, makeBatch, type SinkWriter, type SourceReader, type StreamElement, type StreamOperator } from '../executor/index.js';
import { UnsupportedError } from '../parser/index.js';
import { formatPath } from './catalog/catalog.js';
import type { FactoryRegistry } from './catalog/factory.js';
import { CodegenUnsupported, compileCalc } from './codegen/calc.js';
import { Rex } from './expr/rex.js';
import type { LogicalPlan } from './logical/plan.js';

export interface LoweredPipeline {
  readonly source: SourceReader;
  readonly operators: StreamOperator[];
  /** The connector's writer for INSERT INTO; queries read their result through TableResult instead. */
  sink?: SinkWriter;
  /** Further INSERT pipelines submitted with this one as a single job (a statement set). */
  also?: readonly LoweredPipeline[];
}

export function lower(plan: LogicalPlan, factories: FactoryRegistry, sql: string): LoweredPipeline {
  try {
    return lowerNode(plan, factories);
  } catch (e) {
    if (e instanceof CodegenUnsupported) throw new UnsupportedError(e.feature, sql, { start: 0, end: Math.max(1, sql.length) });
    throw e;
  }
}

function lowerNode(plan: LogicalPlan, factories: FactoryRegistry): LoweredPipeline {
  switch (plan.kind) {
    case 'scan': {
      const options = plan.table.options;
      const factory = factories.get(options['connector'] ?? '');
      if (factory?.createSource === undefined) {
        throw new Error(`connector '${options['connector'] ?? ''}' of table ${formatPath(plan.table.path)} cannot be read (it is a sink-only connector)`);
      }
      // The scan's schema is the physical columns then the metadata columns; the connector is told them apart.
      const columns = plan.table.columns;
      const physicalSchema = new Schema(columns.flatMap((c) => (c.kind === 'physical' ? [{ name: c.name, type: c.type }] : [])));
      const metadata = columns.flatMap((c) => (c.kind === 'metadata' ? [{ name: c.name, key: c.key, type: c.type }] : []));
      const source = factory.createSource({ physicalSchema, options, tableName: formatPath(plan.table.path), primaryKey: plan.table.primaryKey, ...(metadata.length > 0 ? { metadata } : {}) });
      return { source, operators: [] };
    }
    case 'values':
      return { source: valuesSource(plan.rows, plan.schema), operators: [] };
    case 'sink': {
      const below = lowerNode(plan.input, factories);
      const options = plan.table.options;
      const factory = factories.get(options['connector'] ?? '');
      if (factory?.createSink === undefined) throw new Error(`connector '${options['connector'] ?? ''}' of table ${formatPath(plan.table.path)} cannot be written to`);
      below.sink = factory.createSink({ schema: plan.schema, options, tableName: formatPath(plan.table.path), primaryKey: plan.table.primaryKey });
      return below;
    }
    case 'project': {
      // Project over Filter fuses into one Calc: one pass, one allocation per output column.
      if (plan.input.kind === 'filter') {
        const below = lowerNode(plan.input.input, factories);
        const fn = compileCalc({ inputSchema: plan.input.schema, outputSchema: plan.schema, projections: plan.exprs, condition: plan.input.condition });
        below.operators.push(new CalcOperator('Calc', plan.schema, fn));
        return below;
      }
      const below = lowerNode(plan.input, factories);
      const fn = compileCalc({ inputSchema: plan.input.schema, outputSchema: plan.schema, projections: plan.exprs, condition: null });
      below.operators.push(new CalcOperator('Calc', plan.schema, fn));
      return below;
    }
    case 'filter': {
      const below = lowerNode(plan.input, factories);
      const identity = plan.schema.fields.map((f, i) => Rex.input(i, f.type));
      const fn = compileCalc({ inputSchema: plan.input.schema, outputSchema: plan.schema, projections: identity, condition: plan.condition });
      below.operators.push(new CalcOperator('Calc', plan.schema, fn));
      return below;
    }
    case 'watermarkAssigner': {
      const below = lowerNode(plan.input, factories);
      const extract = compileCalc({
        inputSchema: plan.input.schema,
        outputSchema: new Schema([{ name: 'watermark', type: Types.TIMESTAMP(3) }]),
        projections: [plan.expr],
        condition: null,
      });
      below.operators.push(new WatermarkAssignerOperator('WatermarkAssigner', plan.schema, extract));
      return below;
    }
  }
}

/** Constant rows: each row's expressions are compiled as a Calc over one empty input row. */
function valuesSource(rows: readonly (readonly Rex[])[], schema: Schema): SourceReader {
  const empty = new Schema([]);
  const one = makeBatch(empty, [], 1);
  const batches = rows.map((row) => {
    const fn = compileCalc({ inputSchema: empty, outputSchema: schema, projections: row, condition: null });
    return fn(one);
  });
  return {
    outputSchema: schema,
    async *read(): AsyncGenerator<StreamElement> {
      for (const b of batches) if (b !== null) yield { kind: 'batch', batch: b };
      yield { kind: 'end' };
    },
    async close() {},
  };
}
