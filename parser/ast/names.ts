// Names in the AST: a single identifier (with whether it was backtick-quoted, which decides case handling) and a
// dotted path such as `catalog.db.table` or `t.col`. Every other node file builds on these.
import type { Span } from '../errors.js';

export interface Ident {
  readonly value: string;
  readonly span: Span;
  /** Written in backticks: case and reserved words preserved as written. */
  readonly quoted: boolean;
}

/** `catalog.db.table`, `t.col`, ...: one to many parts. */
export interface QualifiedName {
  readonly parts: readonly Ident[];
  readonly span: Span;
}

/** A `'key' = 'value'` pair of a WITH clause, SET statement or OPTIONS hint. */
export interface TableOption {
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

/** A query hint `/*+ NAME('k'='v', ...) *\/` or `/*+ NAME(a, b) *\/`: either key-value options or plain names. */
export interface Hint {
  readonly span: Span;
  readonly name: Ident;
  readonly options: readonly TableOption[];
  readonly args: readonly Ident[];
}
