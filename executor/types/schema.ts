// A schema is an ordered list of named, typed fields: what a table, a plan node or a batch holds.
import { formatType, type LogicalType } from './logical-type.js';

export interface Field {
  readonly name: string;
  readonly type: LogicalType;
}

export class Schema {
  readonly fields: readonly Field[];
  private readonly byName: Map<string, number>;

  constructor(fields: readonly Field[]) {
    this.fields = fields;
    this.byName = new Map();
    // Flink resolves identifiers case-sensitively; the first occurrence wins for duplicate names (which the
    // binder reports as ambiguous before a schema with duplicates is ever looked up by name).
    fields.forEach((f, i) => {
      if (!this.byName.has(f.name)) this.byName.set(f.name, i);
    });
  }

  static of(...fields: Array<[string, LogicalType]>): Schema {
    return new Schema(fields.map(([name, type]) => ({ name, type })));
  }

  get size(): number {
    return this.fields.length;
  }

  field(i: number): Field {
    const f = this.fields[i];
    if (f === undefined) throw new RangeError(`field index ${i} out of range (schema has ${this.fields.length})`);
    return f;
  }

  indexOf(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /** This schema's fields followed by `other`'s (a join's row). */
  concat(other: Schema): Schema {
    return new Schema([...this.fields, ...other.fields]);
  }

  names(): string[] {
    return this.fields.map((f) => f.name);
  }

  toString(): string {
    return `(${this.fields.map((f) => `\`${f.name}\` ${formatType(f.type)}`).join(', ')})`;
  }
}
