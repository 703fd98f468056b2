// The shell's line editor as pure functions over { text, cursor }: the ink prompt maps keys to these, and tests
// call them directly. The buffer may span several lines (a statement is typed until its `;`), so Home/End and
// Ctrl-A/E/U/K act on the cursor's line, as in readline's multi-line mode.

export interface EditorState {
  readonly text: string;
  /** Offset into `text`, 0..text.length. */
  readonly cursor: number;
}

export const EMPTY: EditorState = { text: '', cursor: 0 };

export function fromText(text: string): EditorState {
  return { text, cursor: text.length };
}

export function insert(s: EditorState, input: string): EditorState {
  return { text: s.text.slice(0, s.cursor) + input + s.text.slice(s.cursor), cursor: s.cursor + input.length };
}

export function backspace(s: EditorState): EditorState {
  if (s.cursor === 0) return s;
  return { text: s.text.slice(0, s.cursor - 1) + s.text.slice(s.cursor), cursor: s.cursor - 1 };
}

export function deleteForward(s: EditorState): EditorState {
  if (s.cursor >= s.text.length) return s;
  return { text: s.text.slice(0, s.cursor) + s.text.slice(s.cursor + 1), cursor: s.cursor };
}

export function left(s: EditorState): EditorState {
  return { ...s, cursor: Math.max(0, s.cursor - 1) };
}

export function right(s: EditorState): EditorState {
  return { ...s, cursor: Math.min(s.text.length, s.cursor + 1) };
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

function lineEnd(text: string, at: number): number {
  const e = text.indexOf('\n', at);
  return e < 0 ? text.length : e;
}

export function home(s: EditorState): EditorState {
  return { ...s, cursor: lineStart(s.text, s.cursor) };
}

export function end(s: EditorState): EditorState {
  return { ...s, cursor: lineEnd(s.text, s.cursor) };
}

/** Ctrl-U: delete from the start of the line to the cursor. */
export function killToLineStart(s: EditorState): EditorState {
  const start = lineStart(s.text, s.cursor);
  return { text: s.text.slice(0, start) + s.text.slice(s.cursor), cursor: start };
}

/** Ctrl-K: delete from the cursor to the end of the line. */
export function killToLineEnd(s: EditorState): EditorState {
  const e = lineEnd(s.text, s.cursor);
  return { text: s.text.slice(0, s.cursor) + s.text.slice(e), cursor: s.cursor };
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** Where the word before the cursor starts (readline's backward-word: skip non-word characters, then the word). */
function wordLeftOffset(text: string, at: number): number {
  let i = at;
  while (i > 0 && !isWordChar(text[i - 1])) i--;
  while (i > 0 && isWordChar(text[i - 1])) i--;
  return i;
}

function wordRightOffset(text: string, at: number): number {
  let i = at;
  while (i < text.length && !isWordChar(text[i])) i++;
  while (i < text.length && isWordChar(text[i])) i++;
  return i;
}

export function wordLeft(s: EditorState): EditorState {
  return { ...s, cursor: wordLeftOffset(s.text, s.cursor) };
}

export function wordRight(s: EditorState): EditorState {
  return { ...s, cursor: wordRightOffset(s.text, s.cursor) };
}

/** Ctrl-W: delete the whitespace-separated word before the cursor (readline's unix-word-rubout). */
export function killWordBefore(s: EditorState): EditorState {
  let i = s.cursor;
  while (i > 0 && /\s/.test(s.text[i - 1] as string)) i--;
  while (i > 0 && !/\s/.test(s.text[i - 1] as string)) i--;
  return { text: s.text.slice(0, i) + s.text.slice(s.cursor), cursor: i };
}

/** Alt-D: delete the word after the cursor. */
export function killWordAfter(s: EditorState): EditorState {
  const e = wordRightOffset(s.text, s.cursor);
  return { text: s.text.slice(0, s.cursor) + s.text.slice(e), cursor: s.cursor };
}

/** 0-based line of the cursor and the number of lines, to decide whether Up/Down move or browse history. */
export function cursorLine(s: EditorState): { line: number; lines: number } {
  let line = 0;
  for (let i = 0; i < s.cursor; i++) if (s.text.charCodeAt(i) === 10) line++;
  let lines = 1;
  for (let i = 0; i < s.text.length; i++) if (s.text.charCodeAt(i) === 10) lines++;
  return { line, lines };
}

/** Up/Down inside a multi-line buffer: same column on the neighbouring line, clamped to its length. */
export function verticalMove(s: EditorState, delta: -1 | 1): EditorState {
  const start = lineStart(s.text, s.cursor);
  const column = s.cursor - start;
  if (delta < 0) {
    if (start === 0) return s;
    const prevStart = lineStart(s.text, start - 1);
    return { ...s, cursor: prevStart + Math.min(column, start - 1 - prevStart) };
  }
  const e = lineEnd(s.text, s.cursor);
  if (e >= s.text.length) return s;
  const nextStart = e + 1;
  return { ...s, cursor: nextStart + Math.min(column, lineEnd(s.text, nextStart) - nextStart) };
}

/** Replaces text[start, end) (e.g. a completed word) and puts the cursor after the replacement. */
export function replaceRange(s: EditorState, start: number, endAt: number, replacement: string): EditorState {
  return { text: s.text.slice(0, start) + replacement + s.text.slice(endAt), cursor: start + replacement.length };
}
