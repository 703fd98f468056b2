// Flink's RowKind: every row of a dynamic table's changelog is an insert, a retraction of an update's old
// value, an update's new value, or a delete. The byte codes are stable: they are written into batches,
// Arrow IPC and (later) checkpoints.

export const RowKind = {
  INSERT: 0,
  UPDATE_BEFORE: 1,
  UPDATE_AFTER: 2,
  DELETE: 3,
} as const;

export type RowKind = (typeof RowKind)[keyof typeof RowKind];

const SHORT = ['+I', '-U', '+U', '-D'] as const;
export type RowKindShort = (typeof SHORT)[number];

export function rowKindShort(k: number): RowKindShort {
  const s = SHORT[k];
  if (s === undefined) throw new RangeError(`invalid row kind code ${k}`);
  return s;
}

export function rowKindFromShort(s: string): RowKind {
  const i = SHORT.indexOf(s as RowKindShort);
  if (i < 0) throw new RangeError(`invalid row kind '${s}' (expected +I, -U, +U or -D)`);
  return i as RowKind;
}

/** +I and +U add a row to the materialized table; -U and -D take one away. */
export function isAccumulate(k: number): boolean {
  return k === RowKind.INSERT || k === RowKind.UPDATE_AFTER;
}
