// Data types as written in DDL and CAST: the canonical name plus parameters, nested element/key/value/field types
// for ARRAY, MULTISET, MAP and ROW, and the units of INTERVAL types. The planner maps them to logical types.
import type { Span } from '../errors.js';
import type { Ident } from './names.js';

export type TimeUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

export interface DataTypeAst {
  readonly span: Span;
  /** Canonical upper-case name: INT (for INT/INTEGER), DECIMAL (for DEC/NUMERIC), VARCHAR, STRING, TIMESTAMP_LTZ ... */
  readonly name: string;
  /** Numeric parameters as written: precision, scale, length. */
  readonly params: readonly number[];
  readonly notNull: boolean;
  /** ARRAY<element>, MULTISET<element>. */
  readonly element?: DataTypeAst;
  /** MAP<key, value>. */
  readonly key?: DataTypeAst;
  readonly value?: DataTypeAst;
  /** ROW<name type ['description'], ...> (`description` absent when not written). */
  readonly fields?: readonly {
    readonly name: Ident;
    readonly type: DataTypeAst;
    readonly description?: string;
  }[];
  /** INTERVAL types: the leading and trailing unit. */
  readonly from?: TimeUnit;
  readonly to?: TimeUnit;
}
