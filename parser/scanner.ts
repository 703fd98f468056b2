// The hand-written scanner behind sqlLexer: text in, chevrotain tokens out (the same token types, images,
// offsets, lines, columns, comment group and error reports as the chevrotain Lexer over lexer.ts's patterns,
// which test/parser/lexer.test.ts checks differentially). Chevrotain's regex-per-pattern loop was a quarter of
// the parse time of a Nexmark query; one switch on the first character is several times faster.
import type { ILexingError, ILexingResult, IToken, TokenType } from 'chevrotain';

/** The token types the scanner produces, passed in by lexer.ts (which owns them) to avoid an import cycle. */
export interface ScannerTokens {
  readonly Identifier: TokenType;
  readonly QuotedIdentifier: TokenType;
  readonly StringLiteral: TokenType;
  readonly UnterminatedString: TokenType;
  readonly DoubleQuoted: TokenType;
  readonly DecimalLiteral: TokenType;
  readonly IntegerLiteral: TokenType;
  readonly LineComment: TokenType;
  readonly BlockComment: TokenType;
  readonly HintStart: TokenType;
  readonly HintEnd: TokenType;
  readonly punct: Readonly<Record<string, TokenType>>;
  /** Upper-case word → keyword type. */
  readonly keywords: ReadonlyMap<string, TokenType>;
}

// Character classes, indexed by char code (ASCII only; everything above is an error except Unicode spaces).
const IDENT_START = new Uint8Array(128);
/** An identifier character's code, letters upper-cased (how keywords are spelled), or 0 for any other. */
const FOLD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_$]/.test(ch)) IDENT_START[c] = 1;
  if (/[A-Za-z0-9_$]/.test(ch)) FOLD[c] = ch.toUpperCase().charCodeAt(0);
}

/** The keyword hash of a word: over the FOLDed codes, so it is case-insensitive. */
function foldHash(h: number, folded: number): number {
  return (Math.imul(h, 31) + folded) | 0;
}

/** Slots of the keyword hash table (a power of two, at least four times the number of keywords). */
const KEYWORD_SLOTS = 4096;

/** JavaScript's `\s`, which the WhiteSpace pattern used. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Match kinds: a token of a type, a comment (grouped), skipped whitespace. */
const TOKEN = 0;
const COMMENT = 1;
const SKIP = 2;

export class Scanner {
  private readonly t: ScannerTokens;
  private readonly single: Array<TokenType | undefined> = [];
  private readonly hintSingle: Array<TokenType | undefined> = [];
  /** Main-mode single characters that start no longer token: `( ) , ; [ ] { } ? * + %`. */
  private readonly simple: Array<TokenType | undefined> = [];
  // The result of the last match(): its length and type, kept in fields so that matching allocates nothing.
  private len = 0;
  private type: TokenType | null = null;
  private kind = TOKEN;
  /**
   * The keywords in an open-addressing hash table (slot → 1 + index into keywordWords/keywordTypes, 0 empty),
   * hashed case-insensitively while a word is scanned. A Map lookup of the upper-cased word was the lexer's
   * largest cost, and the keyword trie that replaced it took 400 KB (a state per keyword letter times 38
   * symbols): its random reads missed the cache on most characters of a word.
   */
  private readonly keywordSlots = new Int16Array(KEYWORD_SLOTS);
  private readonly keywordWords: string[] = [];
  private readonly keywordTypes: TokenType[] = [];
  /** The longest keyword: a longer word is not looked up. */
  private readonly keywordMax: number;
  /** UnterminatedString tokens in the last result. */
  unterminated = 0;

  constructor(tokens: ScannerTokens) {
    this.t = tokens;
    let longest = 0;
    for (const [word, type] of tokens.keywords) {
      let h = 0;
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        if (c >= 128 || FOLD[c] !== c) throw new Error(`keyword ${word} is not an upper-case word`);
        h = foldHash(h, c);
      }
      let slot = h & (KEYWORD_SLOTS - 1);
      while (this.keywordSlots[slot] !== 0) slot = (slot + 1) & (KEYWORD_SLOTS - 1);
      this.keywordWords.push(word);
      this.keywordTypes.push(type);
      this.keywordSlots[slot] = this.keywordWords.length;
      longest = Math.max(longest, word.length);
    }
    if (this.keywordWords.length * 4 > KEYWORD_SLOTS) throw new Error('too many keywords for the hash table');
    this.keywordMax = longest;
    const p = tokens.punct;
    for (const [ch, name] of [
      ['(', 'LParen'],
      [')', 'RParen'],
      [',', 'Comma'],
      [';', 'Semicolon'],
      ['.', 'Dot'],
      ['*', 'Star'],
      ['+', 'Plus'],
      ['-', 'Minus'],
      ['/', 'Slash'],
      ['%', 'Percent'],
      ['|', 'Pipe'],
      ['[', 'LBracket'],
      [']', 'RBracket'],
      ['{', 'LBrace'],
      ['}', 'RBrace'],
      ['?', 'Question'],
      ['=', 'Eq'],
      ['<', 'Lt'],
      ['>', 'Gt'],
    ] as const) {
      this.single[ch.charCodeAt(0)] = p[name];
    }
    for (const ch of '(),;[]{}?*+%') this.simple[ch.charCodeAt(0)] = this.single[ch.charCodeAt(0)];
    for (const [ch, name] of [
      ['(', 'LParen'],
      [')', 'RParen'],
      [',', 'Comma'],
      ['=', 'Eq'],
      ['.', 'Dot'],
    ] as const) {
      this.hintSingle[ch.charCodeAt(0)] = p[name];
    }
  }

  /**
   * A quoted token `q...q` with `qq` as the escape, as the regex `q(?:[^q]|qq)*q` matches it: the closing quote
   * is the first lone one; with none, backtracking ends the match at the first quote of the last `qq` pair.
   * Returns the length, or -1 (no closing quote at all), or -(length of the unterminated rest) - 2.
   */
  private quoted(s: string, at: number, q: number): number {
    const n = s.length;
    let lastPair = -1;
    let i = at + 1;
    while (i < n) {
      if (s.charCodeAt(i) === q) {
        if (s.charCodeAt(i + 1) === q) {
          lastPair = i;
          i += 2;
          continue;
        }
        return i + 1 - at;
      }
      i++;
    }
    if (lastPair >= 0) return lastPair + 1 - at;
    return -(n - at) - 2;
  }

  /** Digits, optional fraction and exponent, as DecimalLiteral then IntegerLiteral match them. */
  private number(s: string, at: number, decimals: boolean): void {
    const n = s.length;
    let i = at;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    const T = this.t;
    if (!decimals) {
      this.len = i - at;
      this.type = T.IntegerLiteral;
      return;
    }
    let decimal = false;
    if (i < n && s.charCodeAt(i) === 46 /* . */ && (i > at || isDigit(s.charCodeAt(i + 1)))) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      decimal = true;
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const sign = s.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      if (isDigit(s.charCodeAt(j))) {
        while (j < n && isDigit(s.charCodeAt(j))) j++;
        i = j;
        decimal = true;
      }
    }
    this.len = i - at;
    this.type = decimal ? T.DecimalLiteral : T.IntegerLiteral;
  }

  /** Matches one token at `at` in the mode; false when no pattern matches there. */
  private match(s: string, at: number, hint: boolean): boolean {
    const c = s.charCodeAt(at);
    const T = this.t;
    this.kind = TOKEN;
    // Words are scanned (and told from keywords) inline in tokenize; here they only need to match.
    if (c < 128 && IDENT_START[c] === 1) {
      let i = at + 1;
      while (i < s.length && (FOLD[s.charCodeAt(i)] ?? 0) !== 0) i++;
      this.len = i - at;
      this.type = T.Identifier;
      return true;
    }
    if (isSpace(c)) {
      let i = at + 1;
      while (i < s.length && isSpace(s.charCodeAt(i))) i++;
      this.len = i - at;
      this.kind = SKIP;
      return true;
    }
    if (isDigit(c)) {
      this.number(s, at, !hint);
      return true;
    }
    if (c === 39 /* ' */) {
      const l = this.quoted(s, at, 39);
      if (l > 0) {
        this.len = l;
        this.type = T.StringLiteral;
      } else {
        this.len = -l - 2;
        this.type = T.UnterminatedString;
        this.unterminated++;
      }
      return true;
    }
    if (c === 96 /* ` */) {
      const l = this.quoted(s, at, 96);
      if (l <= 0) return false;
      this.len = l;
      this.type = T.QuotedIdentifier;
      return true;
    }
    if (hint) {
      if (c === 42 /* * */ && s.charCodeAt(at + 1) === 47) {
        this.len = 2;
        this.type = T.HintEnd;
        return true;
      }
      const one = this.hintSingle[c];
      if (one === undefined) return false;
      this.len = 1;
      this.type = one;
      return true;
    }
    const next = s.charCodeAt(at + 1);
    const P = T.punct;
    switch (c) {
      case 45 /* - */:
        if (next === 45) {
          let i = at + 2;
          for (let d = s.charCodeAt(i); i < s.length && d !== 10 && d !== 13; d = s.charCodeAt(++i));
          this.len = i - at;
          this.type = T.LineComment;
          this.kind = COMMENT;
          return true;
        }
        break;
      case 47 /* / */:
        if (next === 42) {
          if (s.charCodeAt(at + 2) === 43) {
            this.len = 3;
            this.type = T.HintStart;
            return true;
          }
          const close = s.indexOf('*/', at + 2);
          if (close >= 0) {
            this.len = close + 2 - at;
            this.type = T.BlockComment;
            this.kind = COMMENT;
            return true;
          }
        }
        break;
      case 34 /* " */: {
        const l = this.quoted(s, at, 34);
        if (l <= 0) return false;
        this.len = l;
        this.type = T.DoubleQuoted;
        return true;
      }
      case 46 /* . */:
        if (isDigit(next)) {
          this.number(s, at, true);
          return true;
        }
        break;
      case 124 /* | */:
        if (next === 124) return this.two(P['Concat'] as TokenType);
        break;
      case 60 /* < */:
        if (next === 62) return this.two(P['Neq'] as TokenType);
        if (next === 61) return this.two(P['Le'] as TokenType);
        break;
      case 62 /* > */:
        if (next === 61) return this.two(P['Ge'] as TokenType);
        break;
      case 61 /* = */:
        if (next === 62) return this.two(P['Arrow'] as TokenType);
        break;
      case 33 /* ! */:
        if (next === 61) return this.two(P['Neq'] as TokenType);
        return false;
    }
    const one = this.single[c];
    if (one === undefined) return false;
    this.len = 1;
    this.type = one;
    return true;
  }

  /** The keyword that s[at, at + len) spells in any case, with hash h, or null. */
  private keyword(s: string, at: number, len: number, h: number): TokenType | null {
    const slots = this.keywordSlots;
    for (let slot = h & (KEYWORD_SLOTS - 1); ; slot = (slot + 1) & (KEYWORD_SLOTS - 1)) {
      const entry = slots[slot] as number;
      if (entry === 0) return null;
      const word = this.keywordWords[entry - 1] as string;
      if (word.length !== len) continue;
      let k = 0;
      while (k < len && FOLD[s.charCodeAt(at + k)] === word.charCodeAt(k)) k++;
      if (k === len) return this.keywordTypes[entry - 1] as TokenType;
    }
  }

  private two(type: TokenType): boolean {
    this.len = 2;
    this.type = type;
    return true;
  }

  tokenize(s: string): ILexingResult {
    const tokens: IToken[] = [];
    const comments: IToken[] = [];
    const errors: ILexingError[] = [];
    this.scan(s, tokens, comments, errors);
    return { tokens, groups: { comments }, errors };
  }

  /**
   * The scanning loop, apart from tokenize: with the result literal after the loop in the same function, V8
   * (Node 22) deoptimized the loop's on-stack-replaced code at that literal on every call ("insufficient type
   * feedback", over a thousand deopts in a two-second benchmark run), so lexing ran mostly in the interpreter.
   */
  private scan(s: string, tokens: IToken[], comments: IToken[], errors: ILexingError[]): void {
    const T = this.t;
    const n = s.length;
    let hint = false;
    this.unterminated = 0;
    // Lines and columns count from 1; a column is the offset from the start of the line, as chevrotain counts
    // them with its line terminators \n, \r\n and \r.
    let line = 1;
    let lineStart = 0;
    let at = 0;
    while (at < n) {
      const c = s.charCodeAt(at);
      // ASCII whitespace inline: the commonest token, and it needs no token object.
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        let i = at;
        for (; i < n; i++) {
          const d = s.charCodeAt(i);
          if (d === 32 || d === 9) continue;
          if (d === 10 || d === 13) {
            if (d === 13 && s.charCodeAt(i + 1) === 10) i++;
            line++;
            lineStart = i + 1;
            continue;
          }
          if (d === 11 || d === 12 || (d >= 128 && isSpace(d))) continue;
          break;
        }
        at = i;
        continue;
      }
      // Words inline too: with whitespace they are most of the text. The keyword hash is computed as they are read.
      if (c < 128 && IDENT_START[c] === 1) {
        let h = FOLD[c] as number;
        let i = at + 1;
        for (; i < n; i++) {
          const d = s.charCodeAt(i);
          const f = d < 128 ? (FOLD[d] as number) : 0;
          if (f === 0) break;
          h = foldHash(h, f);
        }
        const keyword = hint || i - at > this.keywordMax ? null : this.keyword(s, at, i - at, h);
        const type = keyword ?? T.Identifier;
        tokens.push(new ScannedToken(s, at, i - 1, type));
        at = i;
        continue;
      }
      // Punctuation that no longer token starts with, inline as well.
      const one = hint ? undefined : this.simple[c];
      if (one !== undefined) {
        tokens.push(this.token(s, at, 1, one));
        at++;
        continue;
      }
      if (!this.match(s, at, hint)) {
        // Drop characters up to the next place where some token starts, as chevrotain's lexer recovers.
        const start = at;
        do at++;
        while (at < n && !this.match(s, at, hint));
        const length = at - start;
        errors.push({
          offset: start,
          line,
          column: start - lineStart + 1,
          length,
          message: `unexpected character: ->${s.charAt(start)}<- at offset: ${start}, skipped ${length} characters.`,
        });
        continue;
      }
      const len = this.len;
      const kind = this.kind;
      const type = this.type as TokenType;
      if (
        kind === SKIP ||
        (kind === COMMENT && type === T.BlockComment) ||
        type === T.StringLiteral ||
        type === T.UnterminatedString ||
        type === T.QuotedIdentifier ||
        type === T.DoubleQuoted
      ) {
        // Tokens that may span lines: count the terminators inside.
        let lts = 0;
        let lastLtEnd = -1;
        for (let i = 0; i < len; i++) {
          const ch = s.charCodeAt(at + i);
          if (ch === 10) {
            lts++;
            lastLtEnd = i;
          } else if (ch === 13) {
            if (s.charCodeAt(at + i + 1) === 10 && i + 1 < len) i++;
            lts++;
            lastLtEnd = i;
          }
        }
        if (kind !== SKIP) (kind === COMMENT ? comments : tokens).push(this.token(s, at, len, type));
        if (lts > 0) {
          line += lts;
          lineStart = at + lastLtEnd + 1;
        }
      } else {
        (kind === COMMENT ? comments : tokens).push(this.token(s, at, len, type));
        if (type === T.HintStart) hint = true;
        else if (type === T.HintEnd) hint = false;
      }
      at += len;
    }
  }

  private token(s: string, at: number, len: number, type: TokenType): IToken {
    return new ScannedToken(s, at, at + len - 1, type);
  }
}

/**
 * A token: offsets only (chevrotain's "onlyOffset" tracking; errors compute lines and columns from offsets), and
 * the image cut from the text when it is read. Parsing reads the images of names and literals only, so cutting
 * every keyword's and punctuation's image up front (a string allocation and copy per token) was wasted work.
 */
class ScannedToken implements IToken {
  readonly source: string;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly tokenTypeIdx: number;
  readonly tokenType: TokenType;

  constructor(source: string, startOffset: number, endOffset: number, tokenType: TokenType) {
    this.source = source;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
    this.tokenTypeIdx = tokenType.tokenTypeIdx as number;
    this.tokenType = tokenType;
  }

  get image(): string {
    return this.source.substring(this.startOffset, this.endOffset + 1);
  }
}
