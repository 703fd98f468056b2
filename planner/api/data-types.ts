// `DataTypes.INT()` and friends for the Table API's `.cast(...)`: they build the parser's DataTypeAst, the same
// node `CAST(x AS INT)` parses to, so the binder maps both to one logical type.
import type { DataTypeAst } from '../../parser/index.js';
import { NO_SPAN, ident } from './expressions.js';

/** A ROW field: `DataTypes.FIELD('word', DataTypes.STRING())`. */
export interface DataTypeField {
  readonly name: string;
  readonly type: DataTypeAst;
}

function t(name: string, params: readonly number[] = []): DataTypeAst {
  return { span: NO_SPAN, name, params, notNull: false };
}

export const DataTypes = {
  BOOLEAN: () => t('BOOLEAN'),
  TINYINT: () => t('TINYINT'),
  SMALLINT: () => t('SMALLINT'),
  INT: () => t('INT'),
  BIGINT: () => t('BIGINT'),
  FLOAT: () => t('FLOAT'),
  DOUBLE: () => t('DOUBLE'),
  DECIMAL: (precision: number, scale = 0) => t('DECIMAL', [precision, scale]),
  STRING: () => t('STRING'),
  VARCHAR: (length: number) => t('VARCHAR', [length]),
  CHAR: (length: number) => t('CHAR', [length]),
  DATE: () => t('DATE'),
  TIME: (precision = 0) => t('TIME', [precision]),
  TIMESTAMP: (precision = 6) => t('TIMESTAMP', [precision]),
  TIMESTAMP_LTZ: (precision = 6) => t('TIMESTAMP_LTZ', [precision]),
  BYTES: () => t('BYTES'),
  ARRAY: (element: DataTypeAst): DataTypeAst => ({ ...t('ARRAY'), element }),
  MAP: (key: DataTypeAst, value: DataTypeAst): DataTypeAst => ({ ...t('MAP'), key, value }),
  FIELD: (name: string, type: DataTypeAst): DataTypeField => ({ name, type }),
  /** `ROW<name type, ...>`, e.g. a table function's result: `ROW(FIELD('word', STRING()), FIELD('n', INT()))`. */
  ROW: (...fields: DataTypeField[]): DataTypeAst => ({
    ...t('ROW'),
    fields: fields.map((f) => ({ name: ident(f.name), type: f.type })),
  }),
  /** The same type declared NOT NULL. */
  notNull: (type: DataTypeAst): DataTypeAst => ({ ...type, notNull: true }),
} as const;
