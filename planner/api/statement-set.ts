// A StatementSet (Flink's TableEnvironment.createStatementSet()): INSERTs collected from SQL text and from Table
// API programs, planned together and run as one job, so that sinks fed from one source share its scan.
import { parseStatements, type Statement } from '../../parser/index.js';
import { NO_SPAN, qname } from './expressions.js';
import type { Table } from './table.js';
import type { TableEnvironment } from './table-environment.js';
import type { TableResult } from './table-result.js';

export type InsertStatement = Extract<Statement, { kind: 'insert' }>;

export class StatementSet {
  private readonly inserts: { readonly statement: InsertStatement; readonly source: string }[] = [];

  /** @internal Use `env.createStatementSet()`. */
  constructor(private readonly env: TableEnvironment) {}

  /** `INSERT INTO ... SELECT ...` (one statement; validated when added, as Flink does). */
  addInsertSql(sql: string): this {
    const statements = parseStatements(sql);
    const s = statements[0];
    if (statements.length !== 1 || s?.kind !== 'insert')
      throw new Error('addInsertSql takes exactly one INSERT statement');
    this.env.validateStatement(s, sql);
    this.inserts.push({ statement: s, source: sql });
    return this;
  }

  /** `INSERT INTO targetPath <table>`. */
  addInsert(targetPath: string, table: Table, overwrite = false): this {
    const statement: InsertStatement = {
      kind: 'insert',
      span: NO_SPAN,
      overwrite,
      target: qname(...targetPath.split('.')),
      hints: [],
      partition: [],
      columns: [],
      query: table.query,
    };
    this.env.validateStatement(statement, table.source);
    this.inserts.push({ statement, source: table.source });
    return this;
  }

  /** The plan of all INSERTs together, as EXPLAIN STATEMENT SET prints it. */
  explain(): string {
    return this.env.explainInserts(this.inserts);
  }

  /** Runs all INSERTs as one job; the set is empty afterwards (as Flink clears it). */
  execute(): TableResult {
    if (this.inserts.length === 0)
      throw new Error('a StatementSet needs at least one INSERT (addInsert or addInsertSql)');
    const result = this.env.executeInserts(this.inserts);
    this.inserts.length = 0;
    return result;
  }
}
