// Transformations: what the DataStream API records as a program is built, before anything runs (Flink's
// Transformation). Partition, union and side-output transformations are virtual: they become properties of the
// edges of the StreamGraph, not nodes. Parallelism, name and uid stay mutable because the fluent API sets them
// after the transformation exists (`map(f).setParallelism(2)`).
import type { OperatorFactory } from './stream-graph.js';
import type { Partitioner } from '../runtime/partitioner.js';
import type { Source } from '../runtime/source.js';
import type { Schema } from '../types/schema.js';

interface Common {
  readonly id: number;
  name: string;
  uid: string | null;
  /** null = the environment's default parallelism. */
  parallelism: number | null;
  readonly outputSchema: Schema;
}

export type Transformation =
  | (Common & { readonly kind: 'source'; readonly source: Source })
  | (Common & { readonly kind: 'one-input'; readonly input: Transformation; readonly factory: OperatorFactory })
  | (Common & {
      readonly kind: 'two-input';
      readonly input1: Transformation;
      readonly input2: Transformation;
      readonly factory: OperatorFactory;
    })
  | (Common & { readonly kind: 'union'; readonly inputs: readonly Transformation[] })
  | (Common & { readonly kind: 'partition'; readonly input: Transformation; readonly partitioner: Partitioner })
  | (Common & { readonly kind: 'side-output'; readonly input: Transformation; readonly tag: string })
  /** A one-input transformation with no output: the end of a pipeline. */
  | (Common & { readonly kind: 'sink'; readonly input: Transformation; readonly factory: OperatorFactory });

export type TransformationKind = Transformation['kind'];

let nextId = 1;

/** Ids are unique per process so that transformations of different environments never collide. */
export function newTransformationId(): number {
  return nextId++;
}
