// SQL type syntax (DataTypeAst from the parser) to the runtime's LogicalType, validating parameters the way
// Flink does (e.g. DECIMAL precision 1..38, TIMESTAMP precision 0..9) with errors at the type's span.
import { Types, MAX_LENGTH, type LogicalType } from '../executor/index.js';
import { ValidationError, type DataTypeAst } from '../parser/index.js';

export function toLogicalType(t: DataTypeAst, source: string): LogicalType {
  const nullable = !t.notNull;
  const fail = (msg: string): never => {
    throw new ValidationError(msg, source, t.span);
  };
  const p = (i: number, dflt: number): number => t.params[i] ?? dflt;
  const maxParams = (n: number): void => {
    if (t.params.length > n) fail(`${t.name} takes at most ${n} parameter${n === 1 ? '' : 's'}`);
  };
  switch (t.name) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'STRING':
    case 'BYTES':
      maxParams(0);
      return t.name === 'STRING' ? Types.STRING(nullable) : t.name === 'BYTES' ? Types.BYTES(nullable) : ({ kind: t.name, nullable } as LogicalType);
    case 'DECIMAL': {
      maxParams(2);
      const precision = p(0, 10);
      const scale = p(1, 0);
      if (precision < 1 || precision > 38) fail(`DECIMAL precision must be between 1 and 38, got ${precision}`);
      if (scale > precision) fail(`DECIMAL scale must be between 0 and the precision (${precision}), got ${scale}`);
      return Types.DECIMAL(precision, scale, nullable);
    }
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY': {
      maxParams(1);
      const dflt = t.name === 'CHAR' || t.name === 'BINARY' ? 1 : MAX_LENGTH;
      const length = p(0, dflt);
      if (length < 1) fail(`${t.name} length must be at least 1`);
      return { kind: t.name, nullable, length } as LogicalType;
    }
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ': {
      maxParams(1);
      const precision = p(0, t.name === 'TIME' ? 0 : 6);
      if (precision > 9) fail(`${t.name} precision must be between 0 and 9, got ${precision}`);
      if (t.name === 'TIME') return Types.TIME(precision, nullable);
      return t.name === 'TIMESTAMP' ? Types.TIMESTAMP(precision, nullable) : Types.TIMESTAMP_LTZ(precision, nullable);
    }
    case 'INTERVAL': {
      const yearMonth = t.from === 'YEAR' || t.from === 'MONTH';
      return Types.INTERVAL(yearMonth ? 'YEAR_MONTH' : 'DAY_TIME', nullable);
    }
    case 'ARRAY':
      return Types.ARRAY(toLogicalType(t.element as DataTypeAst, source), nullable);
    case 'MAP':
      return Types.MAP(toLogicalType(t.key as DataTypeAst, source), toLogicalType(t.value as DataTypeAst, source), nullable);
    case 'ROW': {
      const seen = new Set<string>();
      const fields = (t.fields ?? []).map((f) => {
        if (seen.has(f.name.value)) throw new ValidationError(`duplicate field name '${f.name.value}' in ROW type`, source, f.name.span);
        seen.add(f.name.value);
        return { name: f.name.value, type: toLogicalType(f.type, source) };
      });
      return Types.ROW(fields, nullable);
    }
    default:
      return fail(`unknown data type ${t.name}`);
  }
}
