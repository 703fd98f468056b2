// complete(text, offset): what may be typed at the cursor. Parses the current statement's tokens before the
// cursor through the grammar walk and reports the keywords and symbols that fit, and whether a table, column
// or function name fits (the REPL fills those from the catalog).
import type { IToken } from 'chevrotain';
import { Keywords, Name, NonReserved, Identifier, QuotedIdentifier, StringLiteral, IntegerLiteral, DecimalLiteral } from './lexer.js';
import { getWalker, lex, splitStatements } from './parse.js';

export interface Completion {
  /** Where the word being completed starts (the cursor if none), so the REPL can replace `prefix`. */
  readonly from: number;
  /** The partial word before the cursor, possibly empty. */
  readonly prefix: string;
  /** Keywords that fit, upper case, filtered by the prefix. */
  readonly keywords: string[];
  /** Punctuation that fits, such as '(' or ','. */
  readonly symbols: string[];
  readonly table: boolean;
  readonly column: boolean;
  readonly function: boolean;
  /** A name fits that is not looked up (an alias, a new table's name). */
  readonly newName: boolean;
  /** A string or number literal fits. */
  readonly literal: boolean;
  /** The text before the cursor is a complete statement. */
  readonly canEnd: boolean;
  /** False when the text before the cursor already contains a syntax error. */
  readonly valid: boolean;
}

const TABLE_CONTEXTS = new Set(['tableRef', 'insertStatement', 'describeStatement', 'dropStatement', 'alterStatement', 'likeClause', 'showStatement', 'primary']);

export function complete(text: string, offset: number): Completion {
  const before = text.slice(0, offset);
  const tokens = lex(before, []);
  let from = offset;
  let prefix = '';
  const last = tokens[tokens.length - 1];
  if (last !== undefined && (last.endOffset ?? -1) + 1 === offset && isWord(last)) {
    tokens.pop();
    from = last.startOffset;
    prefix = last.image;
  }
  const chunks = splitStatements(tokens);
  let current: IToken[] = chunks[chunks.length - 1] ?? [];
  // A finished statement (ending in ';') before the cursor: the cursor starts a new one.
  if (current.length > 0 && current[current.length - 1]?.image === ';' && isClosed(current)) current = [];
  const r = getWalker().next('statement', current);
  const empty: Completion = { from, prefix, keywords: [], symbols: [], table: false, column: false, function: false, newName: false, literal: false, canEnd: false, valid: false };
  if (r === null) return empty;
  const keywords = new Set<string>();
  const symbols = new Set<string>();
  let table = false;
  let column = false;
  let fn = false;
  let newName = false;
  let literal = false;
  const upper = prefix.toUpperCase();
  for (const n of r.next) {
    const t = n.type;
    if (t === Identifier || t === QuotedIdentifier || t === NonReserved || t === Name) {
      const ctx = n.context.find((c) => c !== 'ident' && c !== 'qualifiedName');
      if (ctx === 'nameOrCall') {
        column = true;
        fn = true;
      } else if (ctx !== undefined && TABLE_CONTEXTS.has(ctx)) table = true;
      else newName = true;
      continue;
    }
    if (t === StringLiteral || t === IntegerLiteral || t === DecimalLiteral) {
      literal = true;
      continue;
    }
    if (Keywords[t.name] === t) {
      if (t.name.startsWith(upper)) keywords.add(t.name);
    } else if (typeof t.LABEL === 'string' && prefix === '') {
      symbols.add(t.LABEL.replace(/^'|'$/g, ''));
    }
  }
  return { from, prefix, keywords: [...keywords].sort(), symbols: [...symbols].sort(), table, column, function: fn, newName, literal, canEnd: r.canEnd, valid: true };
}

function isWord(t: IToken): boolean {
  return t.tokenType === Identifier || Keywords[t.tokenType.name] === t.tokenType;
}

/** A chunk ending in `;` is closed unless it is an unfinished statement set (which ends at END). */
function isClosed(chunk: IToken[]): boolean {
  const first = chunk[0]?.image.toUpperCase();
  const setForm = (first === 'BEGIN' || first === 'EXECUTE') && chunk[1]?.image.toUpperCase() === 'STATEMENT';
  return !setForm || chunk.some((t) => t.image.toUpperCase() === 'END');
}
