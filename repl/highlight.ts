// Syntax highlighting for the prompt: the parser's own lexer splits the text (so the colours agree with what the
// parser will see), and each token becomes a styled segment. Text the lexer skips or rejects stays plain.
import type { IToken } from 'chevrotain';
import { BlockComment, DecimalLiteral, DoubleQuoted, IntegerLiteral, Keywords, LineComment, P, QuotedIdentifier, sqlLexer, StringLiteral, UnterminatedString } from '../parser/lexer.js';

export type SegmentKind = 'keyword' | 'string' | 'number' | 'comment' | 'identifier' | 'plain';

export interface Segment {
  readonly text: string;
  readonly kind: SegmentKind;
}

const KEYWORD_TYPES = new Set(Object.values(Keywords));

function kindOf(t: IToken): SegmentKind {
  const type = t.tokenType;
  if (KEYWORD_TYPES.has(type)) return 'keyword';
  if (type === StringLiteral || type === UnterminatedString || type === DoubleQuoted) return 'string';
  if (type === IntegerLiteral || type === DecimalLiteral) return 'number';
  if (type === LineComment || type === BlockComment) return 'comment';
  if (type === QuotedIdentifier) return 'identifier';
  return 'plain';
}

/** Segments covering `text` exactly, in order (concatenating their text gives `text` back). */
export function highlight(text: string): Segment[] {
  const result = sqlLexer.tokenize(text);
  const comments = (result.groups['comments'] as IToken[] | undefined) ?? [];
  const tokens = [...result.tokens, ...comments].sort((a, b) => a.startOffset - b.startOffset);
  const out: Segment[] = [];
  let at = 0;
  const plain = (upTo: number): void => {
    if (upTo <= at) return;
    const gap = text.slice(at, upTo);
    // An unclosed block comment is not a token; colour it as the comment it is becoming.
    const open = gap.indexOf('/*');
    if (open >= 0) {
      if (open > 0) out.push({ text: gap.slice(0, open), kind: 'plain' });
      out.push({ text: gap.slice(open), kind: 'comment' });
    } else {
      out.push({ text: gap, kind: 'plain' });
    }
    at = upTo;
  };
  for (const [i, t] of tokens.entries()) {
    if (t.startOffset < at) continue;
    // `/*` without its `*/` lexes as '/' and '*': colour the rest as the comment it is becoming.
    const next = tokens[i + 1];
    if (t.tokenType === P.Slash && next?.tokenType === P.Star && next.startOffset === t.startOffset + 1) {
      plain(t.startOffset);
      out.push({ text: text.slice(t.startOffset), kind: 'comment' });
      return out;
    }
    plain(t.startOffset);
    const endAt = (t.endOffset ?? t.startOffset) + 1;
    out.push({ text: text.slice(t.startOffset, endAt), kind: kindOf(t) });
    at = endAt;
  }
  plain(text.length);
  return out;
}

/** ANSI colours per segment kind, for output printed outside ink (the echoed statement in the scrollback). */
export const COLORS: Record<SegmentKind, string | undefined> = {
  keyword: 'blue',
  string: 'green',
  number: 'magenta',
  comment: 'gray',
  identifier: 'cyan',
  plain: undefined,
};
