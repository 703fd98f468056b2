// DML: INSERT INTO|OVERWRITE, and statement sets (`EXECUTE STATEMENT SET BEGIN ... END` and the SQL client's
// `BEGIN STATEMENT SET; ...; END`), which run several inserts as one job. A plain query is a statement too.
import type { Span } from '../errors.js';
import type { Expr } from './expr.js';
import type { Hint, Ident, QualifiedName } from './names.js';
import type { Query } from './query.js';

export interface Insert {
  readonly kind: 'insert';
  readonly span: Span;
  readonly overwrite: boolean;
  readonly target: QualifiedName;
  readonly hints: readonly Hint[];
  /** `PARTITION (k = 'v', ...)`: static partition values as written. */
  readonly partition: readonly { readonly column: Ident; readonly value: Expr }[];
  readonly columns: readonly Ident[];
  readonly query: Query;
}

export interface StatementSet {
  readonly kind: 'statementSet';
  readonly span: Span;
  /** `EXECUTE STATEMENT SET BEGIN ... END` or the SQL client's `BEGIN STATEMENT SET; ... END`. */
  readonly form: 'execute' | 'client';
  readonly inserts: readonly Insert[];
}

export interface QueryStatement {
  readonly kind: 'query';
  readonly span: Span;
  readonly query: Query;
}
