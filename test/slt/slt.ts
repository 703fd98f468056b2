// An .slt-style runner for streaming SQL: small inputs as CSV files, a query, and its exact changelog.
//
//   # comment
//   statement ok                       the next lines (to a blank line) are one statement that must succeed;
//   CREATE TABLE Bid (...) WITH ('connector' = 'filesystem', 'path' = '$data/bid', 'format' = 'csv')
//
//   data bid                           writes $data/bid/part-NNNN.csv; a line `~` starts the next file. The
//   2020-04-15 08:05:00,4.00,C         filesystem source reads the files in order and emits the watermark after
//   ~                                  each file at the latest, so `~` places a watermark between rows.
//   2020-04-15 08:07:00,2.00,A
//
//   query <id> [ordered|unordered|final]
//   SELECT ...
//   ----
//   +I[2020-04-15 08:00:00.000, 2020-04-15 08:10:00.000, 11.00]
//
// `ordered` (the default) compares the changelog entry by entry; `unordered` compares it as a multiset (row kinds
// included: for operators whose emission order across keys is not defined, such as windows firing together at the
// final watermark); `final` compares the folded table. Cells print as Flink prints them (CAST to STRING), NULL
// as NULL. A session is one file: one TableEnvironment, streaming mode, parallelism 1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatValueText, TableEnvironment, type LogicalType } from '../../index.js';

export type Directive =
  | { readonly kind: 'statement'; readonly line: number; readonly sql: string }
  | {
      readonly kind: 'data';
      readonly line: number;
      readonly name: string;
      readonly files: readonly string[][];
    }
  | {
      readonly kind: 'query';
      readonly line: number;
      readonly id: string;
      readonly mode: 'ordered' | 'unordered' | 'final';
      readonly sql: string;
      readonly expected: readonly string[];
    };

export function parseSlt(text: string, file: string): Directive[] {
  const lines = text.split('\n');
  const out: Directive[] = [];
  let i = 0;
  const block = (): string[] => {
    const b: string[] = [];
    while (i < lines.length && (lines[i] as string).trim() !== '') {
      const l = lines[i] as string;
      if (!l.startsWith('#')) b.push(l);
      i++;
    }
    return b;
  };
  while (i < lines.length) {
    const line = (lines[i] as string).trimEnd();
    const at = i + 1;
    if (line === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    i++;
    const words = line.split(/\s+/);
    if (line === 'statement ok') {
      out.push({ kind: 'statement', line: at, sql: block().join('\n') });
    } else if (words[0] === 'data' && words.length === 2) {
      const files: string[][] = [[]];
      for (const l of block()) {
        if (l.trim() === '~') files.push([]);
        else (files[files.length - 1] as string[]).push(l);
      }
      out.push({ kind: 'data', line: at, name: words[1] as string, files });
    } else if (words[0] === 'query' && (words.length === 2 || words.length === 3)) {
      const mode = (words[2] ?? 'ordered') as 'ordered' | 'unordered' | 'final';
      if (!['ordered', 'unordered', 'final'].includes(mode))
        throw new Error(`${file}:${at}: unknown query mode '${mode}'`);
      const body = block();
      const sep = body.indexOf('----');
      if (sep < 0)
        throw new Error(`${file}:${at}: query ${words[1]} has no ---- line before its expected output`);
      out.push({
        kind: 'query',
        line: at,
        id: words[1] as string,
        mode,
        sql: body.slice(0, sep).join('\n'),
        expected: body.slice(sep + 1),
      });
    } else {
      throw new Error(
        `${file}:${at}: expected 'statement ok', 'data <name>' or 'query <id> [mode]', got: ${line}`,
      );
    }
  }
  return out;
}

/** One changelog entry as text: `+I[a, b]`. */
function entryText(kind: string, values: readonly unknown[], types: readonly LogicalType[]): string {
  return `${kind}[${values.map((v, i) => formatValueText(v, types[i] as LogicalType)).join(', ')}]`;
}

export interface QueryRun {
  readonly id: string;
  readonly line: number;
  /** Null when the query matched; otherwise why not. */
  readonly mismatch: string | null;
}

/** Applies statements and data in order; yields each query's entries (or its error) without judging. */
export class SltSession {
  readonly env = TableEnvironment.create();
  constructor(readonly dataDir: string) {
    this.env.executeSql("SET 'execution.runtime-mode' = 'streaming'");
    this.env.executeSql("SET 'parallelism.default' = '1'");
  }

  statement(sql: string): void {
    this.env.executeSql(sql.replaceAll('$data', this.dataDir));
  }

  data(name: string, files: readonly string[][]): void {
    const dir = join(this.dataDir, name);
    mkdirSync(dir, { recursive: true });
    files.forEach((rows, n) =>
      writeFileSync(
        join(dir, `part-${String(n).padStart(4, '0')}.csv`),
        rows.length === 0 ? '' : `${rows.join('\n')}\n`,
      ),
    );
  }

  async query(sql: string, mode: 'ordered' | 'unordered' | 'final', timeoutMs = 20_000): Promise<string[]> {
    const result = this.env.executeSql(sql.replaceAll('$data', this.dataDir));
    const types = result.schema?.fields.map((f) => f.type) ?? [];
    const timer = setTimeout(() => result.cancel(), timeoutMs);
    try {
      if (mode === 'final') return (await result.materialize()).map((r) => entryText('+I', r, types)).sort();
      const entries: string[] = [];
      for await (const c of result.changes()) entries.push(entryText(c.kind, c.values, types));
      await result.await();
      if (result.signal.aborted) throw new Error(`no end of the result within ${timeoutMs} ms`);
      return mode === 'unordered' ? entries.sort() : entries;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Null when equal; otherwise both sides, entry by entry. */
export function compareEntries(
  expected: readonly string[],
  got: readonly string[],
  mode: 'ordered' | 'unordered' | 'final',
): string | null {
  const exp = mode === 'ordered' ? expected : [...expected].sort();
  if (exp.length === got.length && exp.every((e, i) => e === got[i])) return null;
  return [
    `expected ${exp.length} entries (${mode}), got ${got.length}`,
    '--- expected:',
    ...exp,
    '--- got:',
    ...got,
  ].join('\n');
}
