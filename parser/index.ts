// The parser's public API: SQL text in, typed AST statements out, or ParseErrors that say where and what was
// expected; an unparser back to SQL; content assist for the REPL. Depends on no other layer.
import { sqlLexer, P, UnterminatedString } from './lexer.js';

export * from './ast.js';
export * from './errors.js';
export { parseStatements, parseStatement, parseWithRecovery, type ParseResult } from './parse.js';
export { formatStatement, formatScript, formatQuery, formatExpr, formatType, formatIdent } from './unparse.js';
export { complete, type Completion } from './complete.js';
export { closest, editDistance } from './suggest.js';

/**
 * Whether `text` ends with a `;` that is outside strings and comments: the REPL runs the buffer then.
 * An unterminated string or comment means the statement is still being typed.
 */
export function endsWithStatementTerminator(text: string): boolean {
  const result = sqlLexer.tokenize(text);
  const last = result.tokens[result.tokens.length - 1];
  if (last === undefined || last.tokenType === UnterminatedString) return false;
  const trailing = text.slice((last.endOffset ?? 0) + 1);
  // An unclosed block comment after the last token is not lexed as a comment.
  if (/\/\*(?![\s\S]*\*\/)/.test(trailing)) return false;
  return last.tokenType === P.Semicolon;
}
