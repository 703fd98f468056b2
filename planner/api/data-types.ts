// `DataTypes.INT()` and friends for the Table API's `.cast(...)`: they build the parser's DataTypeAst, the same
// node `CAST(x AS INT)` parses to, so the binder maps both to one logical type.
import type { DataTypeAst } from '../../parser/index.js';
import { NO_SPAN } from './expressions.js';

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
  /** The same type declared NOT NULL. */
  notNull: (type: DataTypeAst): DataTypeAst => ({ ...type, notNull: true }),
} as const;
