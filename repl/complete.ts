// Tab completion for the prompt. The parser's content assist (when present) says which keywords fit at the
// cursor and whether a table, column or function does; the shell fills those from the catalog: tables, columns
// of the tables in the statement (or of the table before a dot), functions, connector option keys inside
// WITH (...), SET keys and dot-commands. Without the assist, simple context rules stand in.
import * as parserApi from '../parser/index.js';
import { Keywords } from '../parser/lexer.js';

export interface CompletionSource {
  tables(): string[];
  /** Column names of a table, or [] when there is no such table. */
  columns(table: string): string[];
  /** Registered connector identifiers and the option keys of one. */
  connectors(): string[];
  connectorOptions(connector: string): string[];
}

export interface Completion {
  /** The range of the text that a chosen candidate replaces. */
  readonly start: number;
  readonly end: number;
  /** Sorted, distinct. */
  readonly candidates: string[];
}

export const FUNCTIONS = ['UPPER', 'LOWER', 'TRIM', 'CHAR_LENGTH', 'ABS', 'MOD', 'COALESCE', 'CONCAT', 'CAST', 'TRY_CAST'];
export const SET_KEYS = ['sql-client.execution.result-mode', 'table.exec.source.idle-timeout', 'pipeline.auto-watermark-interval', 'parallelism.default', 'execution.runtime-mode'];
export const DOT_COMMANDS = ['.help', '.tables', '.schema', '.mode', '.timer', '.quit', '.exit'];
/** Words the shell handles itself (not yet in the parser's keyword table). */
const SHELL_WORDS = ['SET', 'RESET', 'HELP', 'QUIT', 'EXIT'];

const TABLE_CONTEXT = new Set(['FROM', 'JOIN', 'TABLE', 'INTO', 'DESCRIBE', 'EXISTS']);

type Assist = (text: string, offset: number) => unknown;

/** What the parser's content assist says fits at the cursor (parser/complete.ts: `complete(text, offset)`). */
interface ParserHints {
  readonly keywords: readonly string[];
  readonly table: boolean;
  readonly column: boolean;
  readonly function: boolean;
}

/**
 * The parser's content assist, if this build has one. It is looked up at run time because it is being written
 * alongside the shell; when it is missing, or cannot make sense of the text (`valid` false, or it throws), the
 * shell's own context rules below take over.
 */
function parserHints(text: string, offset: number): ParserHints | null {
  const f: unknown = (parserApi as Record<string, unknown>)['complete'];
  if (typeof f !== 'function') return null;
  try {
    const r: unknown = (f as Assist)(text, offset);
    if (r === null || typeof r !== 'object') return null;
    const o = r as Record<string, unknown>;
    if (o['valid'] !== true || !Array.isArray(o['keywords'])) return null;
    return {
      keywords: (o['keywords'] as unknown[]).filter((k): k is string => typeof k === 'string'),
      table: o['table'] === true,
      column: o['column'] === true,
      function: o['function'] === true,
    };
  } catch {
    // Content assist is a convenience: a failure there falls back to the shell's own candidates.
    return null;
  }
}

/** Tables named after FROM/JOIN in the text, with their aliases: alias (or name) → table. */
export function tablesInScope(text: string, known: readonly string[]): Map<string, string> {
  const scope = new Map<string, string>();
  const re = /\b(?:FROM|JOIN)\s+`?([A-Za-z_$][\w$]*)`?(?:\s+(?:AS\s+)?([A-Za-z_$][\w$]*))?/gi;
  const reserved = new Set([...Object.keys(Keywords), 'ON', 'GROUP', 'ORDER', 'LIMIT', 'JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS', 'UNION']);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const table = m[1] as string;
    if (!known.includes(table)) continue;
    scope.set(table, table);
    const alias = m[2];
    if (alias !== undefined && !reserved.has(alias.toUpperCase())) scope.set(alias, table);
  }
  return scope;
}

/** Matches the letter case of what the user typed: `sel` completes to `select`, `SEL` to `SELECT`. */
function caseLike(word: string, typed: string): string {
  return typed !== '' && typed === typed.toLowerCase() && /[a-z]/.test(typed) ? word.toLowerCase() : word;
}

export function complete(text: string, cursor: number, src: CompletionSource): Completion {
  const before = text.slice(0, cursor);
  const trimmedStart = before.trimStart();

  // Dot-commands at the start of the buffer.
  if (/^\.[a-z]*$/i.test(trimmedStart)) {
    const start = cursor - trimmedStart.length;
    return result(start, cursor, DOT_COMMANDS.filter((c) => c.startsWith(trimmedStart.toLowerCase())));
  }
  const schemaArg = /^\.schema\s+([\w$]*)$/i.exec(trimmedStart);
  if (schemaArg !== null) {
    const p = schemaArg[1] as string;
    return result(cursor - p.length, cursor, src.tables().filter((t) => t.startsWith(p)));
  }
  const modeArg = /^\.mode\s+(\w*)$/i.exec(trimmedStart);
  if (modeArg !== null) {
    const p = modeArg[1] as string;
    return result(cursor - p.length, cursor, ['table', 'changelog', 'tableau'].filter((t) => t.startsWith(p)));
  }

  // Inside a string literal: SET keys and values, connector option keys and connector names.
  const openString = /'([^']*)$/.exec(before);
  if (openString !== null && (before.match(/'/g) ?? []).length % 2 === 1) {
    const p = openString[1] as string;
    const start = cursor - p.length;
    const head = before.slice(0, start - 1);
    if (/\bSET\s*$/i.test(head) || /\bRESET\s*$/i.test(head)) return result(start, cursor, SET_KEYS.filter((k) => k.startsWith(p)));
    if (/result-mode'\s*=\s*$/i.test(head)) return result(start, cursor, ['table', 'changelog', 'tableau'].filter((k) => k.startsWith(p)));
    if (/'connector'\s*=\s*$/i.test(head)) return result(start, cursor, src.connectors().filter((k) => k.startsWith(p)));
    if (/\bWITH\s*\([^)]*$/i.test(head) && /(?:\(|,)\s*$/.test(head)) {
      const connector = /'connector'\s*=\s*'([^']*)'/i.exec(text)?.[1];
      const keys = ['connector', ...(connector !== undefined ? src.connectorOptions(connector) : [])];
      return result(start, cursor, keys.filter((k) => k.startsWith(p)));
    }
    return result(cursor, cursor, []);
  }

  // A qualified name: columns of the table (or alias) before the dot.
  const qualified = /([A-Za-z_$][\w$]*)\.([\w$]*)$/.exec(before);
  if (qualified !== null) {
    const scope = tablesInScope(text, src.tables());
    const table = scope.get(qualified[1] as string) ?? (src.tables().includes(qualified[1] as string) ? (qualified[1] as string) : undefined);
    const p = qualified[2] as string;
    const cols = table === undefined ? [] : src.columns(table);
    return result(cursor - p.length, cursor, cols.filter((c) => c.toLowerCase().startsWith(p.toLowerCase())));
  }

  const word = /[A-Za-z_$][\w$]*$/.exec(before)?.[0] ?? '';
  const start = cursor - word.length;
  const prev = /([A-Za-z_]+)\s+$/.exec(before.slice(0, start))?.[1]?.toUpperCase();
  const tables = src.tables();
  const upper = word.toUpperCase();
  const matches = (c: string): boolean => c.toUpperCase().startsWith(upper);
  let candidates: string[];
  const hints = parserHints(text, cursor);
  if (hints !== null) {
    const scope = tablesInScope(text, tables);
    const columns = hints.column ? [...new Set([...scope.values()].flatMap((t) => src.columns(t)))] : [];
    const names = [...columns, ...(hints.table ? tables : [])].filter(matches);
    const words = [...(hints.function ? FUNCTIONS : []), ...hints.keywords].map((k) => caseLike(k, word)).filter(matches);
    return result(start, cursor, names.filter((c) => c !== word), words.filter((c) => c !== word));
  } else if (prev !== undefined && TABLE_CONTEXT.has(prev)) {
    candidates = tables.filter(matches);
  } else {
    const scope = tablesInScope(text, tables);
    const columns = [...new Set([...scope.values()].flatMap((t) => src.columns(t)))];
    const words = [...Object.keys(Keywords), ...SHELL_WORDS, ...FUNCTIONS].map((k) => caseLike(k, word));
    candidates = [...columns, ...tables, ...words].filter(matches);
    // An empty word completes only from the statement's context, not the whole keyword table.
    if (word === '' && columns.length > 0) candidates = columns;
    else if (word === '') candidates = [];
  }
  return result(start, cursor, candidates.filter((c) => c !== word));
}

/** Catalog names come before keywords in the list; each group is sorted. */
function result(start: number, end: number, names: string[], words: string[] = []): Completion {
  const sorted = (xs: string[]): string[] => [...new Set(xs)].sort((a, b) => a.localeCompare(b));
  const first = sorted(names);
  return { start, end, candidates: [...first, ...sorted(words).filter((w) => !first.includes(w))] };
}

/** The longest common prefix of the candidates (what Tab inserts when several match). */
export function commonPrefix(candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  let p = candidates[0] as string;
  for (const c of candidates) {
    let i = 0;
    while (i < p.length && i < c.length && p[i]?.toLowerCase() === c[i]?.toLowerCase()) i++;
    p = p.slice(0, i);
  }
  return p;
}
