// The chevrotain grammar: tokens in, AST out (embedded actions, so no intermediate CST). Rules follow the
// statement → query → expression layering; expression rules go from loosest (OR) to tightest (primary).
// Node construction is wrapped in ACTION so chevrotain's grammar-recording phase never builds bogus nodes.
import { EmbeddedActionsParser, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import type * as A from './ast.js';
import type { Span } from './errors.js';
import {
  allTokens,
  DecimalLiteral,
  DoubleQuoted,
  Identifier,
  IntegerLiteral,
  K,
  NonReserved,
  P,
  QuotedIdentifier,
  StringLiteral,
} from './lexer.js';

const TIME_UNITS: ReadonlyArray<[TokenType, A.TimeUnit]> = [
  [K.YEAR, 'YEAR'],
  [K.MONTH, 'MONTH'],
  [K.DAY, 'DAY'],
  [K.HOUR, 'HOUR'],
  [K.MINUTE, 'MINUTE'],
  [K.SECOND, 'SECOND'],
];

export function unquoteString(image: string): string {
  return image.slice(1, -1).replace(/''/g, "'");
}

function unquoteIdent(image: string): string {
  return image.slice(1, -1).replace(/``/g, '`');
}

/**
 * Chevrotain reports what it expected only inside its message strings; this provider keeps the expected token
 * types of the latest error so that ParseError can describe them in words (and content assist can reuse them).
 */
class ExpectationRecorder implements IParserErrorMessageProvider {
  expected: TokenType[] = [];
  buildMismatchTokenMessage(o: { expected: TokenType }): string {
    this.expected = [o.expected];
    return 'mismatch';
  }
  buildNotAllInputParsedMessage(): string {
    this.expected = [P.Semicolon];
    return 'redundant';
  }
  buildNoViableAltMessage(o: { expectedPathsPerAlt: TokenType[][][] }): string {
    this.expected = o.expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0] as TokenType));
    return 'no viable alternative';
  }
  buildEarlyExitMessage(o: { expectedIterationPaths: TokenType[][] }): string {
    this.expected = o.expectedIterationPaths.map((path) => path[0] as TokenType);
    return 'early exit';
  }
}

export class SqlGrammar extends EmbeddedActionsParser {
  readonly recorder: ExpectationRecorder;

  constructor() {
    const recorder = new ExpectationRecorder();
    super(allTokens, { maxLookahead: 4, recoveryEnabled: false, errorMessageProvider: recorder });
    this.recorder = recorder;
    this.performSelfAnalysis();
  }

  private spanFrom(start: IToken): Span {
    const last = this.LA(0);
    const end = last.endOffset !== undefined && !Number.isNaN(last.endOffset) ? last.endOffset + 1 : start.startOffset;
    return { start: start.startOffset, end: Math.max(end, start.startOffset) };
  }

  private spanOf(t: IToken): Span {
    return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  }

  // ------------------------------------------------------------------------------------------- statements

  /** A script: statements separated by `;`, a trailing `;` allowed. */
  public script = this.RULE('script', (): A.Statement[] => {
    const out: A.Statement[] = [];
    this.MANY(() => this.CONSUME(P.Semicolon));
    this.OPTION(() => {
      out.push(this.SUBRULE(this.statement));
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(P.Semicolon));
        this.OPTION2(() => out.push(this.SUBRULE2(this.statement)));
      });
    });
    return out;
  });

  public statement = this.RULE('statement', (): A.Statement =>
    this.OR([
      { ALT: () => this.SUBRULE(this.createTable) },
      { ALT: () => this.SUBRULE(this.queryStatement) },
    ]),
  );

  private queryStatement = this.RULE('queryStatement', (): A.Statement => {
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({ kind: 'query', span: query.span, query }));
  });

  private createTable = this.RULE('createTable', (): A.CreateTable => {
    const start = this.CONSUME(K.CREATE);
    const temporary = this.OPTION(() => this.CONSUME(K.TEMPORARY)) !== undefined;
    this.CONSUME(K.TABLE);
    const ifNotExists =
      this.OPTION2(() => {
        this.CONSUME(K.IF);
        this.CONSUME(K.NOT);
        this.CONSUME(K.EXISTS);
      }) !== undefined;
    const name = this.SUBRULE(this.qualifiedName);
    const columns: A.ColumnDef[] = [];
    let watermark: A.CreateTable['watermark'] = null;
    let primaryKey: A.CreateTable['primaryKey'] = null;
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({
      SEP: P.Comma,
      DEF: () =>
        this.OR([
          {
            ALT: () => {
              const w = this.CONSUME(K.WATERMARK);
              this.CONSUME(K.FOR);
              const column = this.SUBRULE(this.ident);
              this.CONSUME(K.AS);
              const expr = this.SUBRULE(this.expr);
              watermark = this.ACTION(() => ({ column, expr, span: this.spanFrom(w) }));
            },
          },
          {
            ALT: () => {
              const p = this.CONSUME(K.PRIMARY);
              this.CONSUME(K.KEY);
              const cols = this.SUBRULE(this.identList);
              this.CONSUME2(K.NOT);
              this.CONSUME(K.ENFORCED);
              primaryKey = this.ACTION(() => ({ columns: cols, span: this.spanFrom(p) }));
            },
          },
          { ALT: () => columns.push(this.SUBRULE(this.columnDef)) },
        ]),
    });
    this.CONSUME(P.RParen);
    const comment = this.OPTION3(() => {
      this.CONSUME(K.COMMENT);
      return unquoteString(this.CONSUME(StringLiteral).image);
    });
    const options: A.TableOption[] = [];
    this.OPTION4(() => {
      this.CONSUME(K.WITH);
      this.CONSUME2(P.LParen);
      this.MANY_SEP({ SEP: P.Comma, DEF: () => options.push(this.SUBRULE(this.tableOption)) });
      this.CONSUME2(P.RParen);
    });
    return this.ACTION(() => ({
      kind: 'createTable',
      span: this.spanFrom(start),
      temporary,
      ifNotExists,
      name,
      columns,
      watermark,
      primaryKey,
      comment: comment ?? null,
      options,
    }));
  });

  private columnDef = this.RULE('columnDef', (): A.ColumnDef => {
    const name = this.SUBRULE(this.ident);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          const expr = this.SUBRULE(this.expr);
          const comment = this.SUBRULE(this.optComment);
          return this.ACTION(
            (): A.ColumnDef => ({ kind: 'computed', span: { start: name.span.start, end: this.spanFrom(this.LA(0)).end }, name, expr, comment }),
          );
        },
      },
      {
        ALT: () => {
          const type = this.SUBRULE(this.dataType);
          const comment = this.SUBRULE2(this.optComment);
          return this.ACTION(
            (): A.ColumnDef => ({ kind: 'physical', span: { start: name.span.start, end: this.spanFrom(this.LA(0)).end }, name, type, comment }),
          );
        },
      },
    ]);
  });

  private optComment = this.RULE('optComment', (): string | null => {
    const c = this.OPTION(() => {
      this.CONSUME(K.COMMENT);
      return unquoteString(this.CONSUME(StringLiteral).image);
    });
    return c ?? null;
  });

  private tableOption = this.RULE('tableOption', (): A.TableOption => {
    const k = this.CONSUME(StringLiteral);
    this.CONSUME(P.Eq);
    const v = this.CONSUME2(StringLiteral);
    return this.ACTION(() => ({ key: unquoteString(k.image), value: unquoteString(v.image), span: this.spanFrom(k) }));
  });

  // ------------------------------------------------------------------------------------------- queries

  public query = this.RULE('query', (): A.Query => this.SUBRULE(this.select));

  private select = this.RULE('select', (): A.Select => {
    const start = this.CONSUME(K.SELECT);
    const distinct =
      this.OPTION(() =>
        this.OR([{ ALT: () => this.CONSUME(K.DISTINCT) }, { ALT: () => this.CONSUME(K.ALL) }]),
      )?.tokenType === K.DISTINCT;
    const items: A.SelectItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
    const from = this.OPTION2(() => {
      this.CONSUME(K.FROM);
      return this.SUBRULE(this.fromItem);
    });
    const where = this.OPTION3(() => {
      this.CONSUME(K.WHERE);
      return this.SUBRULE(this.expr);
    });
    return this.ACTION(() => ({
      kind: 'select',
      span: this.spanFrom(start),
      distinct,
      items,
      from: from ?? null,
      where: where ?? null,
    }));
  });

  private selectItem = this.RULE('selectItem', (): A.SelectItem =>
    this.OR([
      {
        ALT: () => {
          const s = this.CONSUME(P.Star);
          return this.ACTION((): A.SelectItem => ({ kind: 'star', span: this.spanOf(s), qualifier: null }));
        },
      },
      {
        GATE: () => this.isQualifiedStar(),
        ALT: () => {
          const first = this.LA(1);
          const parts: A.Ident[] = [];
          this.AT_LEAST_ONE(() => {
            parts.push(this.SUBRULE(this.ident));
            this.CONSUME(P.Dot);
          });
          this.CONSUME2(P.Star);
          return this.ACTION((): A.SelectItem => {
            const span = this.spanFrom(first);
            const qspan = { start: span.start, end: (parts[parts.length - 1] as A.Ident).span.end };
            return { kind: 'star', span, qualifier: { parts, span: qspan } };
          });
        },
      },
      {
        ALT: () => {
          const expr = this.SUBRULE(this.expr);
          const alias = this.OPTION(() => {
            this.OPTION2(() => this.CONSUME(K.AS));
            return this.SUBRULE2(this.ident);
          });
          return this.ACTION((): A.SelectItem => ({
            kind: 'expr',
            span: { start: expr.span.start, end: alias ? alias.span.end : expr.span.end },
            expr,
            alias: alias ?? null,
          }));
        },
      },
    ]),
  );

  /** `a.b.*`: names joined by dots and ending in a star (looked ahead, not consumed). */
  private isQualifiedStar(): boolean {
    let i = 1;
    for (;;) {
      const t = this.LA(i).tokenType;
      if (t !== Identifier && t !== QuotedIdentifier) return false;
      if (this.LA(i + 1).tokenType !== P.Dot) return false;
      if (this.LA(i + 2).tokenType === P.Star) return true;
      i += 2;
    }
  }

  private fromItem = this.RULE('fromItem', (): A.FromItem => {
    const name = this.SUBRULE(this.qualifiedName);
    const alias = this.OPTION(() => {
      this.OPTION2(() => this.CONSUME(K.AS));
      return this.SUBRULE(this.ident);
    });
    return this.ACTION(() => ({
      kind: 'table',
      span: { start: name.span.start, end: alias ? alias.span.end : name.span.end },
      name,
      alias: alias ?? null,
    }));
  });

  // ------------------------------------------------------------------------------------------- names

  public ident = this.RULE('ident', (): A.Ident =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(Identifier);
          return this.ACTION(() => ({ value: t.image, span: this.spanOf(t), quoted: false }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(QuotedIdentifier);
          return this.ACTION(() => ({ value: unquoteIdent(t.image), span: this.spanOf(t), quoted: true }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(NonReserved);
          return this.ACTION(() => ({ value: t.image, span: this.spanOf(t), quoted: false }));
        },
      },
    ]),
  );

  private qualifiedName = this.RULE('qualifiedName', (): A.QualifiedName => {
    const parts: A.Ident[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: P.Dot, DEF: () => parts.push(this.SUBRULE(this.ident)) });
    return this.ACTION(() => ({
      parts,
      span: { start: (parts[0] as A.Ident).span.start, end: (parts[parts.length - 1] as A.Ident).span.end },
    }));
  });

  private identList = this.RULE('identList', (): A.Ident[] => {
    const out: A.Ident[] = [];
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.ident)) });
    this.CONSUME(P.RParen);
    return out;
  });

  // ------------------------------------------------------------------------------------------- types

  public dataType = this.RULE('dataType', (): A.DataTypeAst => {
    const base = this.SUBRULE(this.baseType);
    const notNull = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.NOT);
            this.CONSUME(K.NULL);
            return true;
          },
        },
        { ALT: () => (this.CONSUME2(K.NULL), false) },
      ]),
    );
    return this.ACTION(() => ({ ...base, notNull: notNull === true, span: this.spanFrom(this.tokenAt(base.span.start)) }));
  });

  /** The first token of a node, to rebuild spans that end later (the caller has consumed it already). */
  private tokenAt(offset: number): IToken {
    return { startOffset: offset } as IToken;
  }

  private typeParams = this.RULE('typeParams', (): number[] => {
    const out: number[] = [];
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(Number(this.CONSUME(IntegerLiteral).image)) });
    this.CONSUME(P.RParen);
    return out;
  });

  private optParams = this.RULE('optParams', (): number[] => this.OPTION(() => this.SUBRULE(this.typeParams)) ?? []);

  private baseType = this.RULE('baseType', (): A.DataTypeAst => {
    const start = this.LA(1);
    const simple = (name: string, params: number[] = []): A.DataTypeAst =>
      this.ACTION(() => ({ name, params, notNull: false, span: this.spanFrom(start) }));
    return this.OR([
      { ALT: () => (this.CONSUME(K.BOOLEAN), simple('BOOLEAN')) },
      { ALT: () => (this.CONSUME(K.TINYINT), simple('TINYINT')) },
      { ALT: () => (this.CONSUME(K.SMALLINT), simple('SMALLINT')) },
      { ALT: () => (this.CONSUME(K.INT), simple('INT')) },
      { ALT: () => (this.CONSUME(K.INTEGER), simple('INT')) },
      { ALT: () => (this.CONSUME(K.BIGINT), simple('BIGINT')) },
      { ALT: () => (this.CONSUME(K.FLOAT), simple('FLOAT')) },
      {
        ALT: () => {
          this.CONSUME(K.DOUBLE);
          this.OPTION(() => this.CONSUME(K.PRECISION));
          return simple('DOUBLE');
        },
      },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.DECIMAL) }, { ALT: () => this.CONSUME(K.DEC) }, { ALT: () => this.CONSUME(K.NUMERIC) }]);
          return simple('DECIMAL', this.SUBRULE(this.optParams));
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.CHAR) }, { ALT: () => this.CONSUME(K.CHARACTER) }]);
          return simple('CHAR', this.SUBRULE2(this.optParams));
        },
      },
      { ALT: () => (this.CONSUME(K.VARCHAR), simple('VARCHAR', this.SUBRULE3(this.optParams))) },
      { ALT: () => (this.CONSUME(K.STRING), simple('STRING')) },
      { ALT: () => (this.CONSUME(K.BINARY), simple('BINARY', this.SUBRULE4(this.optParams))) },
      { ALT: () => (this.CONSUME(K.VARBINARY), simple('VARBINARY', this.SUBRULE5(this.optParams))) },
      { ALT: () => (this.CONSUME(K.BYTES), simple('BYTES')) },
      { ALT: () => (this.CONSUME(K.DATE), simple('DATE')) },
      {
        ALT: () => {
          this.CONSUME(K.TIME);
          const p = this.SUBRULE6(this.optParams);
          this.OPTION2(() => {
            this.CONSUME(K.WITHOUT);
            this.CONSUME2(K.TIME);
            this.CONSUME(K.ZONE);
          });
          return simple('TIME', p);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TIMESTAMP);
          const p = this.SUBRULE7(this.optParams);
          const ltz = this.OPTION3(() =>
            this.OR4([
              {
                ALT: () => {
                  this.CONSUME2(K.WITHOUT);
                  this.CONSUME3(K.TIME);
                  this.CONSUME2(K.ZONE);
                  return false;
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.WITH);
                  this.CONSUME(K.LOCAL);
                  this.CONSUME4(K.TIME);
                  this.CONSUME3(K.ZONE);
                  return true;
                },
              },
            ]),
          );
          return simple(ltz === true ? 'TIMESTAMP_LTZ' : 'TIMESTAMP', p);
        },
      },
      { ALT: () => (this.CONSUME(K.TIMESTAMP_LTZ), simple('TIMESTAMP_LTZ', this.SUBRULE8(this.optParams))) },
      {
        ALT: () => {
          this.CONSUME(K.INTERVAL);
          const from = this.SUBRULE(this.timeUnit);
          const to = this.OPTION4(() => {
            this.CONSUME(K.TO);
            return this.SUBRULE2(this.timeUnit);
          });
          return this.ACTION(() => ({
            name: 'INTERVAL',
            params: [],
            notNull: false,
            span: this.spanFrom(start),
            from,
            ...(to !== undefined ? { to } : {}),
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.ARRAY);
          this.CONSUME(P.Lt);
          const element = this.SUBRULE(this.dataType);
          this.CONSUME(P.Gt);
          return this.ACTION(() => ({ name: 'ARRAY', params: [], notNull: false, span: this.spanFrom(start), element }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.MAP);
          this.CONSUME2(P.Lt);
          const key = this.SUBRULE2(this.dataType);
          this.CONSUME(P.Comma);
          const value = this.SUBRULE3(this.dataType);
          this.CONSUME2(P.Gt);
          return this.ACTION(() => ({ name: 'MAP', params: [], notNull: false, span: this.spanFrom(start), key, value }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.ROW);
          const fields: { name: A.Ident; type: A.DataTypeAst }[] = [];
          this.OR5([
            {
              ALT: () => {
                this.CONSUME3(P.Lt);
                this.MANY_SEP({ SEP: P.Comma, DEF: () => fields.push(this.SUBRULE(this.rowField)) });
                this.CONSUME3(P.Gt);
              },
            },
            {
              ALT: () => {
                this.CONSUME(P.LParen);
                this.MANY_SEP2({ SEP: P.Comma, DEF: () => fields.push(this.SUBRULE2(this.rowField)) });
                this.CONSUME(P.RParen);
              },
            },
          ]);
          return this.ACTION(() => ({ name: 'ROW', params: [], notNull: false, span: this.spanFrom(start), fields }));
        },
      },
    ]);
  });

  private rowField = this.RULE('rowField', (): { name: A.Ident; type: A.DataTypeAst } => {
    const name = this.SUBRULE(this.ident);
    const type = this.SUBRULE(this.dataType);
    return { name, type };
  });

  private timeUnit = this.RULE('timeUnit', (): A.TimeUnit =>
    this.OR(TIME_UNITS.map(([tok, unit]) => ({ ALT: () => (this.CONSUME(tok), unit) }))),
  );

  // ------------------------------------------------------------------------------------------- expressions

  public expr = this.RULE('expr', (): A.Expr => this.SUBRULE(this.orExpr));

  private orExpr = this.RULE('orExpr', (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(K.OR);
      const right = this.SUBRULE2(this.andExpr);
      left = this.ACTION(() => binary('OR', left, right));
    });
    return left;
  });

  private andExpr = this.RULE('andExpr', (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(K.AND);
      const right = this.SUBRULE2(this.notExpr);
      left = this.ACTION(() => binary('AND', left, right));
    });
    return left;
  });

  private notExpr = this.RULE('notExpr', (): A.Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(K.NOT);
          const operand = this.SUBRULE(this.notExpr);
          return this.ACTION((): A.Expr => ({ kind: 'unary', op: 'NOT', operand, span: { start: t.startOffset, end: operand.span.end } }));
        },
      },
      { ALT: () => this.SUBRULE(this.predicate) },
    ]),
  );

  /** Comparison and the postfix predicates (IS NULL, BETWEEN, IN, LIKE), one per operand as in Calcite. */
  private predicate = this.RULE('predicate', (): A.Expr => {
    const left = this.SUBRULE(this.additive);
    const end = (): number => this.spanFrom(this.LA(0)).end;
    const result = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const op = this.SUBRULE(this.comparisonOp);
            const right = this.SUBRULE2(this.additive);
            return this.ACTION(() => binary(op, left, right));
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.IS);
            const negated = this.OPTION2(() => this.CONSUME(K.NOT)) !== undefined;
            this.CONSUME(K.NULL);
            return this.ACTION((): A.Expr => ({ kind: 'isNull', operand: left, negated, span: { start: left.span.start, end: end() } }));
          },
        },
        {
          ALT: () => {
            const negated = this.OPTION3(() => this.CONSUME2(K.NOT)) !== undefined;
            return this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.BETWEEN);
                  const low = this.SUBRULE3(this.additive);
                  this.CONSUME(K.AND);
                  const high = this.SUBRULE4(this.additive);
                  return this.ACTION((): A.Expr => ({
                    kind: 'between',
                    operand: left,
                    low,
                    high,
                    negated,
                    span: { start: left.span.start, end: high.span.end },
                  }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.IN);
                  this.CONSUME(P.LParen);
                  const list: A.Expr[] = [];
                  this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => list.push(this.SUBRULE(this.expr)) });
                  this.CONSUME(P.RParen);
                  return this.ACTION((): A.Expr => ({ kind: 'inList', operand: left, list, negated, span: { start: left.span.start, end: end() } }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.LIKE);
                  const pattern = this.SUBRULE5(this.additive);
                  const escape = this.OPTION4(() => {
                    this.CONSUME(K.ESCAPE);
                    return this.SUBRULE6(this.additive);
                  });
                  return this.ACTION((): A.Expr => ({
                    kind: 'like',
                    operand: left,
                    pattern,
                    escape: escape ?? null,
                    negated,
                    span: { start: left.span.start, end: end() },
                  }));
                },
              },
            ]);
          },
        },
      ]),
    );
    return result ?? left;
  });

  private comparisonOp = this.RULE('comparisonOp', (): A.BinaryOp =>
    this.OR([
      { ALT: () => (this.CONSUME(P.Eq), '=' as const) },
      { ALT: () => (this.CONSUME(P.Neq), '<>' as const) },
      { ALT: () => (this.CONSUME(P.Le), '<=' as const) },
      { ALT: () => (this.CONSUME(P.Ge), '>=' as const) },
      { ALT: () => (this.CONSUME(P.Lt), '<' as const) },
      { ALT: () => (this.CONSUME(P.Gt), '>' as const) },
    ]),
  );

  private additive = this.RULE('additive', (): A.Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => (this.CONSUME(P.Plus), '+' as const) }, { ALT: () => (this.CONSUME(P.Minus), '-' as const) }]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.ACTION(() => binary(op, left, right));
    });
    return left;
  });

  /** `*`, `/`, `%` and `||` share a precedence level, as in Calcite. */
  private multiplicative = this.RULE('multiplicative', (): A.Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(P.Star), '*' as const) },
        { ALT: () => (this.CONSUME(P.Slash), '/' as const) },
        { ALT: () => (this.CONSUME(P.Percent), '%' as const) },
        { ALT: () => (this.CONSUME(P.Concat), '||' as const) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => binary(op, left, right));
    });
    return left;
  });

  private unary = this.RULE('unary', (): A.Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(P.Minus) }, { ALT: () => this.CONSUME(P.Plus) }]);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION((): A.Expr => ({
            kind: 'unary',
            op: t.tokenType === P.Minus ? '-' : '+',
            operand,
            span: { start: t.startOffset, end: operand.span.end },
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]),
  );

  private primary = this.RULE('primary', (): A.Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(IntegerLiteral) }, { ALT: () => this.CONSUME(DecimalLiteral) }]);
          return this.ACTION((): A.Expr => ({ kind: 'numberLit', text: t.image, span: this.spanOf(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(StringLiteral);
          return this.ACTION((): A.Expr => ({ kind: 'stringLit', value: unquoteString(t.image), span: this.spanOf(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.OR3([{ ALT: () => this.CONSUME(K.TRUE) }, { ALT: () => this.CONSUME(K.FALSE) }]);
          return this.ACTION((): A.Expr => ({ kind: 'boolLit', value: t.tokenType === K.TRUE, span: this.spanOf(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(K.NULL);
          return this.ACTION((): A.Expr => ({ kind: 'nullLit', span: this.spanOf(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.OR4([{ ALT: () => this.CONSUME(K.DATE) }, { ALT: () => this.CONSUME(K.TIME) }, { ALT: () => this.CONSUME(K.TIMESTAMP) }]);
          const v = this.CONSUME2(StringLiteral);
          return this.ACTION((): A.Expr => ({
            kind: 'typedLit',
            type: t.tokenType === K.DATE ? 'DATE' : t.tokenType === K.TIME ? 'TIME' : 'TIMESTAMP',
            value: unquoteString(v.image),
            span: this.spanFrom(t),
          }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(K.INTERVAL);
          const v = this.CONSUME3(StringLiteral);
          const from = this.SUBRULE(this.timeUnit);
          const to = this.OPTION(() => {
            this.CONSUME(K.TO);
            return this.SUBRULE2(this.timeUnit);
          });
          return this.ACTION((): A.Expr => ({ kind: 'intervalLit', value: unquoteString(v.image), from, to: to ?? null, span: this.spanFrom(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.OR5([{ ALT: () => this.CONSUME(K.CAST) }, { ALT: () => this.CONSUME(K.TRY_CAST) }]);
          this.CONSUME(P.LParen);
          const operand = this.SUBRULE(this.expr);
          this.CONSUME(K.AS);
          const type = this.SUBRULE(this.dataType);
          this.CONSUME(P.RParen);
          return this.ACTION((): A.Expr => ({ kind: 'cast', operand, type, safe: t.tokenType === K.TRY_CAST, span: this.spanFrom(t) }));
        },
      },
      { ALT: () => this.SUBRULE(this.caseExpr) },
      {
        ALT: () => {
          this.CONSUME2(P.LParen);
          const e = this.SUBRULE2(this.expr);
          this.CONSUME2(P.RParen);
          return e;
        },
      },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]),
  );

  private caseExpr = this.RULE('caseExpr', (): A.Expr => {
    const t = this.CONSUME(K.CASE);
    const operand = this.OPTION(() => this.SUBRULE(this.expr));
    const whens: { when: A.Expr; then: A.Expr }[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(K.WHEN);
      const when = this.SUBRULE2(this.expr);
      this.CONSUME(K.THEN);
      const then = this.SUBRULE3(this.expr);
      whens.push({ when, then });
    });
    const otherwise = this.OPTION2(() => {
      this.CONSUME(K.ELSE);
      return this.SUBRULE4(this.expr);
    });
    this.CONSUME(K.END);
    return this.ACTION((): A.Expr => ({ kind: 'case', operand: operand ?? null, whens, otherwise: otherwise ?? null, span: this.spanFrom(t) }));
  });

  /** A column reference `a`, `t.a`, or a function call `f(...)` / `COUNT(*)` / `COUNT(DISTINCT x)`. */
  private nameOrCall = this.RULE('nameOrCall', (): A.Expr => {
    const name = this.SUBRULE(this.qualifiedName);
    const call = this.OPTION(() => {
      this.CONSUME(P.LParen);
      const args: A.Expr[] = [];
      let distinct = false;
      let star = false;
      this.OPTION2(() =>
        this.OR([
          { ALT: () => (this.CONSUME(P.Star), (star = true)) },
          {
            ALT: () => {
              this.OPTION3(() => {
                this.CONSUME(K.DISTINCT);
                distinct = true;
              });
              this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => args.push(this.SUBRULE(this.expr)) });
            },
          },
        ]),
      );
      this.CONSUME(P.RParen);
      return { args, distinct, star };
    });
    return this.ACTION((): A.Expr => {
      if (call === undefined) return { kind: 'ident', name, span: name.span };
      return { kind: 'call', name, ...call, span: { start: name.span.start, end: this.spanFrom(this.LA(0)).end } };
    });
  });
}

function binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
}

/** Tokens that never form valid SQL on their own, used to explain a mistake rather than just reject it. */
export const MisuseTokens = { DoubleQuoted } as const;
