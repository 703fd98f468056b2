// Errors that point into SQL text. Every error a user can cause (syntax, validation, planning) carries the
// offset span it is about, and prints as `file:line:column: message`, the offending line and a caret.

export interface Span {
  /** Offset of the first character, 0-based. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

export interface Location {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

export function locate(text: string, offset: number): Location {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The source line containing `span.start` and a caret line underlining the span (at least one character). */
export function caretLines(text: string, span: Span): string {
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  let lineEnd = text.indexOf('\n', span.start);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const width = Math.max(1, Math.min(span.end, lineEnd) - span.start);
  const pad = line.slice(0, span.start - lineStart).replace(/[^\t]/g, ' ');
  return `${line}\n${pad}${'^'.repeat(width)}`;
}

export type SqlErrorKind = 'syntax' | 'validation' | 'planning' | 'unsupported';

/** A user error located in SQL text. `source` is the whole text the span indexes into. */
export class SqlError extends Error {
  readonly kind: SqlErrorKind;
  readonly span: Span;
  readonly source: string;
  readonly line: number;
  readonly column: number;
  /** A short suggestion ("did you mean ...") printed after the caret, if any. */
  readonly hint: string | undefined;

  constructor(kind: SqlErrorKind, message: string, source: string, span: Span, hint?: string) {
    super(message);
    this.name = kind === 'syntax' ? 'ParseError' : kind === 'validation' ? 'ValidationError' : 'PlanningError';
    this.kind = kind;
    this.source = source;
    this.span = span;
    const loc = locate(source, span.start);
    this.line = loc.line;
    this.column = loc.column;
    this.hint = hint;
  }

  /** `file:line:column: message`, the offending line, a caret, and the hint if there is one. */
  format(file = '<sql>'): string {
    const head = `${file}:${this.line}:${this.column}: ${this.message}`;
    const hint = this.hint === undefined ? '' : `\nhint: ${this.hint}`;
    return `${head}\n${caretLines(this.source, this.span)}${hint}`;
  }
}

export class ParseError extends SqlError {
  readonly expected: readonly string[];
  constructor(message: string, source: string, span: Span, expected: readonly string[] = [], hint?: string) {
    super('syntax', message, source, span, hint);
    this.expected = expected;
  }
}

/** Thrown for validation failures (unknown names, type mismatches) found while binding a statement. */
export class ValidationError extends SqlError {
  constructor(message: string, source: string, span: Span, hint?: string) {
    super('validation', message, source, span, hint);
  }
}

/** A feature the dialect accepts but Freshet does not run (yet); the message names the feature exactly. */
export class UnsupportedError extends SqlError {
  constructor(feature: string, source: string, span: Span) {
    super('unsupported', `${feature} is not supported`, source, span);
  }
}
