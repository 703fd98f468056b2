// The chevrotain grammar: tokens in, AST out (embedded actions, so no intermediate CST). Rules follow the
// statement → query → from/join → expression layering; expression rules go from loosest (OR) to tightest
// (primary). Node construction is wrapped in ACTION so chevrotain's grammar-recording phase never builds nodes.
import {
  EmbeddedActionsParser,
  tokenMatcher,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from 'chevrotain';
import type * as A from './ast.js';
import { TableLookahead } from './lookahead.js';
import type { Span } from './errors.js';
import {
  allTokens,
  DecimalLiteral,
  DoubleQuoted,
  HintEnd,
  HintStart,
  Identifier,
  IntegerLiteral,
  K,
  Name,
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
  [K.YEARS, 'YEAR'],
  [K.MONTHS, 'MONTH'],
  [K.DAYS, 'DAY'],
  [K.HOURS, 'HOUR'],
  [K.MINUTES, 'MINUTE'],
  [K.SECONDS, 'SECOND'],
];

export function unquoteString(image: string): string {
  const inner = image.slice(1, -1);
  return inner.includes("'") ? inner.replace(/''/g, "'") : inner;
}

function unquoteIdent(image: string): string {
  const inner = image.slice(1, -1);
  return inner.includes('`') ? inner.replace(/``/g, '`') : inner;
}

/** A token that can be a name: a plain or quoted identifier, or a non-reserved keyword. */
export function isNameToken(t: IToken): boolean {
  return t.tokenType === Identifier || t.tokenType === QuotedIdentifier || tokenMatcher(t, NonReserved);
}

const QUERY_STARTS = new Set<TokenType>([K.SELECT, K.WITH, K.VALUES]);
const QUANTIFIERS = new Set<TokenType>([K.DISTINCT, K.ALL]);
/** The tokens that start query's optional tail clauses (ORDER BY, LIMIT, OFFSET, FETCH). */
const QUERY_TAIL = new Set<TokenType>([K.ORDER, K.LIMIT, K.OFFSET, K.FETCH]);
const QUERY_CONTINUATIONS = new Set<TokenType>([
  K.UNION,
  K.INTERSECT,
  K.EXCEPT,
  K.ORDER,
  K.LIMIT,
  K.OFFSET,
  K.FETCH,
]);

/**
 * Chevrotain reports what it expected only inside its message strings; this provider keeps the expected token
 * types of the latest error so that ParseError can describe them in words.
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

/** A mistake the grammar accepts but the dialect does not (found while building the AST). */
export interface SemanticError {
  readonly message: string;
  readonly span: Span;
}

type Body<T> = T;
type TableTail = {
  columns: A.ColumnDef[];
  watermark: A.CreateTable['watermark'];
  primaryKey: A.CreateTable['primaryKey'];
};

export class SqlGrammar extends EmbeddedActionsParser {
  readonly recorder: ExpectationRecorder;
  semanticErrors: SemanticError[] = [];

  /**
   * `validate` runs chevrotain's grammar checks (ambiguities, left recursion), which take seconds on a grammar
   * this size; the unit tests construct a validated instance, the runtime one skips them.
   */
  constructor(options: { validate?: boolean; tableLookahead?: boolean } = {}) {
    const recorder = new ExpectationRecorder();
    super(allTokens, {
      maxLookahead: 2,
      // Chevrotain's own decisions when asked for (the lookahead test compares the two), tables otherwise.
      ...(options.tableLookahead === false
        ? {}
        : { lookaheadStrategy: new TableLookahead({ maxLookahead: 2 }) }),
      recoveryEnabled: false,
      errorMessageProvider: recorder,
      skipValidations: options.validate !== true,
    });
    this.recorder = recorder;
    this.performSelfAnalysis();
  }

  override reset(): void {
    super.reset();
    this.semanticErrors = [];
  }

  /** End offset (exclusive) of the last consumed token. */
  private lastEnd(): number {
    const last = this.LA(0);
    return last.endOffset !== undefined && !Number.isNaN(last.endOffset) ? last.endOffset + 1 : 0;
  }

  private spanFrom(start: IToken): Span {
    return { start: start.startOffset, end: Math.max(this.lastEnd(), start.startOffset) };
  }

  private spanAt(start: number): Span {
    return { start, end: Math.max(this.lastEnd(), start) };
  }

  private spanOf(t: IToken): Span {
    return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  }

  /**
   * Whether the `(` at LA(at) opens a query rather than an expression or a join: it is followed by SELECT, WITH
   * or VALUES, or by a parenthesised query that a set operator, ORDER BY, LIMIT or `)` continues.
   */
  private isParenQuery(at = 1): boolean {
    if (this.LA(at).tokenType !== P.LParen) return false;
    const next = this.LA(at + 1).tokenType;
    if (QUERY_STARTS.has(next)) return true;
    if (next !== P.LParen || !this.isParenQuery(at + 1)) return false;
    const close = this.matchingParen(at + 1);
    if (close < 0) return false;
    const after = this.LA(close + 1).tokenType;
    return after === P.RParen || QUERY_CONTINUATIONS.has(after);
  }

  /** The lookahead index of the `)` matching the `(` at LA(at), or -1. */
  private matchingParen(at: number): number {
    let depth = 0;
    for (let i = at; ; i++) {
      const t = this.LA(i).tokenType;
      if (t.name === 'EOF') return -1;
      if (t === P.LParen) depth++;
      else if (t === P.RParen && --depth === 0) return i;
    }
  }

  /** A GROUP BY element `( ... )` is a grouping set unless an operator continues it as an expression. */
  private isGroupingSet(): boolean {
    if (this.LA(1).tokenType !== P.LParen) return false;
    let depth = 0;
    for (let i = 1; ; i++) {
      const t = this.LA(i).tokenType;
      if (t.name === 'EOF') return false;
      if (t === P.LParen || t === P.LBracket) depth++;
      else if (t === P.RParen || t === P.RBracket) {
        depth--;
        if (depth === 0) {
          const next = this.LA(i + 1).tokenType;
          return !(
            next === P.Plus ||
            next === P.Minus ||
            next === P.Star ||
            next === P.Slash ||
            next === P.Percent ||
            next === P.Concat ||
            next === P.LBracket ||
            next === P.Dot ||
            next === K.IS ||
            next === K.NOT ||
            next === K.BETWEEN ||
            next === K.IN ||
            next === K.LIKE ||
            next === K.SIMILAR ||
            next === K.AND ||
            next === K.OR ||
            next === P.Eq ||
            next === P.Neq ||
            next === P.Lt ||
            next === P.Le ||
            next === P.Gt ||
            next === P.Ge
          );
        }
      } else if (t === P.Comma && depth === 1) return true;
    }
  }

  private semantic(message: string, span: Span): void {
    this.semanticErrors.push({ message, span });
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

  private statementAlts: IOrAlt<A.Statement>[] | undefined;

  public statement = this.RULE('statement', (): A.Statement =>
    this.OR(
      (this.statementAlts ??= [
        { ALT: () => this.SUBRULE(this.createStatement) },
        { ALT: () => this.SUBRULE(this.dropStatement) },
        { ALT: () => this.SUBRULE(this.alterStatement) },
        { ALT: () => this.SUBRULE(this.insertStatement) },
        { ALT: () => this.SUBRULE(this.executeStatementSet) },
        { ALT: () => this.SUBRULE(this.clientStatementSet) },
        { ALT: () => this.SUBRULE(this.queryStatement) },
        { ALT: () => this.SUBRULE(this.setStatement) },
        { ALT: () => this.SUBRULE(this.resetStatement) },
        { ALT: () => this.SUBRULE(this.showStatement) },
        { ALT: () => this.SUBRULE(this.describeStatement) },
        { ALT: () => this.SUBRULE(this.explainStatement) },
        { ALT: () => this.SUBRULE(this.useStatement) },
        { ALT: () => this.SUBRULE(this.stopJobStatement) },
        {
          ALT: () => {
            const t = this.CONSUME(K.HELP);
            return this.ACTION((): A.Statement => ({ kind: 'help', span: this.spanOf(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.OR2([{ ALT: () => this.CONSUME(K.QUIT) }, { ALT: () => this.CONSUME(K.EXIT) }]);
            return this.ACTION((): A.Statement => ({ kind: 'quit', span: this.spanOf(t) }));
          },
        },
      ]),
    ),
  );

  /** One statement with its optional `;`: the unit that parseWithRecovery parses. */
  public singleStatement = this.RULE('singleStatement', (): A.Statement => {
    const s = this.SUBRULE(this.statement);
    if (this.fastSkip(P.Semicolon)) return s;
    this.OPTION(() => this.CONSUME(P.Semicolon));
    return s;
  });

  private queryStatement = this.RULE('queryStatement', (): A.Statement => {
    const start = this.LA(1);
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({ kind: 'query', span: this.spanFrom(start), query }));
  });

  private ifNotExists = this.RULE('ifNotExists', (): boolean => {
    const r = this.OPTION(() => {
      this.CONSUME(K.IF);
      this.CONSUME(K.NOT);
      this.CONSUME(K.EXISTS);
      return true;
    });
    return r === true;
  });

  private ifExists = this.RULE('ifExists', (): boolean => {
    const r = this.OPTION(() => {
      this.CONSUME(K.IF);
      this.CONSUME(K.EXISTS);
      return true;
    });
    return r === true;
  });

  private createStatement = this.RULE('createStatement', (): A.Statement => {
    const start = this.CONSUME(K.CREATE);
    const temporary = this.OPTION(() => this.CONSUME(K.TEMPORARY)) !== undefined;
    return this.OR([
      { ALT: () => this.SUBRULE(this.createTable, { ARGS: [start, temporary] }) },
      { ALT: () => this.SUBRULE(this.createView, { ARGS: [start, temporary] }) },
      { ALT: () => this.SUBRULE(this.createFunction, { ARGS: [start, temporary] }) },
      { ALT: () => this.SUBRULE(this.createCatalog, { ARGS: [start] }) },
      { ALT: () => this.SUBRULE(this.createDatabase, { ARGS: [start] }) },
    ]);
  });

  private createTable = this.RULE('createTable', (start: IToken, temporary: boolean): A.Statement => {
    this.CONSUME(K.TABLE);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const tail = this.OPTION(() => this.SUBRULE(this.tableElements));
    const comment = this.SUBRULE(this.optComment);
    const partitionedBy = this.OPTION2(() => {
      this.CONSUME(K.PARTITIONED);
      this.CONSUME(K.BY);
      return this.SUBRULE(this.identList);
    });
    const options = this.OPTION3(() => this.SUBRULE(this.withOptions)) ?? [];
    const like = this.OPTION4(() => this.SUBRULE(this.likeClause));
    const query = this.OPTION5(() => {
      this.CONSUME(K.AS);
      return this.SUBRULE(this.query);
    });
    return this.ACTION((): A.Statement => {
      const span = this.spanFrom(start);
      if (query !== undefined) {
        if (tail !== undefined)
          this.semantic(
            'CREATE TABLE ... AS SELECT takes its columns from the query; remove the column list',
            { start: name.span.end, end: query.span.start },
          );
        if (like !== undefined)
          this.semantic('CREATE TABLE ... AS SELECT cannot have a LIKE clause', like.span);
        return {
          kind: 'createTableAs',
          span,
          temporary,
          ifNotExists,
          name,
          comment,
          partitionedBy: partitionedBy ?? [],
          options,
          query,
        };
      }
      return {
        kind: 'createTable',
        span,
        temporary,
        ifNotExists,
        name,
        columns: tail?.columns ?? [],
        watermark: tail?.watermark ?? null,
        primaryKey: tail?.primaryKey ?? null,
        comment,
        partitionedBy: partitionedBy ?? [],
        options,
        like: like ?? null,
      };
    });
  });

  private tableElements = this.RULE('tableElements', (): Body<TableTail> => {
    const tail: TableTail = { columns: [], watermark: null, primaryKey: null };
    const setKey = (key: NonNullable<A.CreateTable['primaryKey']>): void => {
      if (tail.primaryKey !== null) this.semantic('a table can have only one primary key', key.span);
      tail.primaryKey = key;
    };
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
              this.ACTION(() => {
                const span = this.spanFrom(w);
                if (tail.watermark !== null) this.semantic('a table can have only one watermark', span);
                tail.watermark = { column, expr, span };
              });
            },
          },
          {
            ALT: () => {
              const start = this.LA(1);
              const constraintName = this.SUBRULE(this.constraintName);
              this.CONSUME(K.PRIMARY);
              this.CONSUME(K.KEY);
              const cols = this.SUBRULE(this.identList);
              this.SUBRULE(this.notEnforced);
              this.ACTION(() => setKey({ columns: cols, span: this.spanFrom(start), name: constraintName }));
            },
          },
          {
            ALT: () => {
              const { column, key } = this.SUBRULE(this.columnDef);
              this.ACTION(() => {
                tail.columns.push(column);
                if (key !== null) setKey(key);
              });
            },
          },
        ]),
    });
    this.CONSUME(P.RParen);
    return tail;
  });

  private constraintName = this.RULE('constraintName', (): A.Ident | null => {
    const n = this.OPTION(() => {
      this.CONSUME(K.CONSTRAINT);
      return this.SUBRULE(this.ident);
    });
    return n ?? null;
  });

  private notEnforced = this.RULE('notEnforced', (): void => {
    this.CONSUME(K.NOT);
    this.CONSUME(K.ENFORCED);
  });

  private columnDef = this.RULE(
    'columnDef',
    (): { column: A.ColumnDef; key: A.CreateTable['primaryKey'] } => {
      const name = this.SUBRULE(this.ident);
      return this.OR([
        {
          ALT: () => {
            this.CONSUME(K.AS);
            const expr = this.SUBRULE(this.expr);
            const comment = this.SUBRULE(this.optComment);
            return this.ACTION(() => ({
              column: {
                kind: 'computed',
                span: this.spanAt(name.span.start),
                name,
                expr,
                comment,
              } as A.ColumnDef,
              key: null,
            }));
          },
        },
        {
          ALT: () => {
            const type = this.SUBRULE(this.dataType);
            const metadata = this.OPTION(() => {
              this.CONSUME(K.METADATA);
              const key = this.OPTION2(() => {
                this.CONSUME(K.FROM);
                return unquoteString(this.CONSUME(StringLiteral).image);
              });
              const virtual = this.OPTION3(() => this.CONSUME(K.VIRTUAL)) !== undefined;
              return { key: key ?? null, virtual };
            });
            const key = this.OPTION4(() => {
              const start = this.LA(1);
              const constraintName = this.SUBRULE(this.constraintName);
              this.CONSUME(K.PRIMARY);
              this.CONSUME(K.KEY);
              this.SUBRULE(this.notEnforced);
              return this.ACTION(() => ({
                columns: [name],
                span: this.spanFrom(start),
                name: constraintName,
              }));
            });
            const comment = this.SUBRULE2(this.optComment);
            return this.ACTION(() => {
              const span = this.spanAt(name.span.start);
              const column: A.ColumnDef =
                metadata === undefined
                  ? { kind: 'physical', span, name, type, comment }
                  : {
                      kind: 'metadata',
                      span,
                      name,
                      type,
                      key: metadata.key,
                      virtual: metadata.virtual,
                      comment,
                    };
              return { column, key: key ?? null };
            });
          },
        },
      ]);
    },
  );

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
    return this.ACTION(() => ({
      key: unquoteString(k.image),
      value: unquoteString(v.image),
      span: this.spanFrom(k),
    }));
  });

  private optionList = this.RULE('optionList', (): A.TableOption[] => {
    const options: A.TableOption[] = [];
    this.CONSUME(P.LParen);
    this.MANY_SEP({ SEP: P.Comma, DEF: () => options.push(this.SUBRULE(this.tableOption)) });
    this.CONSUME(P.RParen);
    return options;
  });

  private withOptions = this.RULE('withOptions', (): A.TableOption[] => {
    this.CONSUME(K.WITH);
    return this.SUBRULE(this.optionList);
  });

  private likeClause = this.RULE('likeClause', (): A.LikeClause => {
    const start = this.CONSUME(K.LIKE);
    const name = this.SUBRULE(this.qualifiedName);
    const options: { verb: A.LikeOptionVerb; target: A.LikeOptionTarget }[] = [];
    this.OPTION(() => {
      this.CONSUME(P.LParen);
      this.MANY(() => {
        const verb = this.OR([
          { ALT: () => (this.CONSUME(K.INCLUDING), 'INCLUDING' as const) },
          { ALT: () => (this.CONSUME(K.EXCLUDING), 'EXCLUDING' as const) },
          { ALT: () => (this.CONSUME(K.OVERWRITING), 'OVERWRITING' as const) },
        ]);
        const target = this.OR2([
          { ALT: () => (this.CONSUME(K.ALL), 'ALL' as const) },
          { ALT: () => (this.CONSUME(K.CONSTRAINTS), 'CONSTRAINTS' as const) },
          { ALT: () => (this.CONSUME(K.GENERATED), 'GENERATED' as const) },
          { ALT: () => (this.CONSUME(K.OPTIONS), 'OPTIONS' as const) },
          { ALT: () => (this.CONSUME(K.PARTITIONS), 'PARTITIONS' as const) },
          { ALT: () => (this.CONSUME(K.WATERMARKS), 'WATERMARKS' as const) },
          { ALT: () => (this.CONSUME(K.METADATA), 'METADATA' as const) },
        ]);
        options.push({ verb, target });
      });
      this.CONSUME(P.RParen);
    });
    return this.ACTION(() => ({ span: this.spanFrom(start), name, options }));
  });

  private createView = this.RULE('createView', (start: IToken, temporary: boolean): A.Statement => {
    this.CONSUME(K.VIEW);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const columns = this.OPTION(() => this.SUBRULE(this.identList)) ?? [];
    const comment = this.SUBRULE(this.optComment);
    this.CONSUME(K.AS);
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({
      kind: 'createView',
      span: this.spanFrom(start),
      temporary,
      ifNotExists,
      name,
      columns,
      comment,
      query,
    }));
  });

  private createFunction = this.RULE('createFunction', (start: IToken, temporary: boolean): A.Statement => {
    const system = this.OPTION(() => this.CONSUME(K.SYSTEM)) !== undefined;
    this.CONSUME(K.FUNCTION);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    this.CONSUME(K.AS);
    const cls = this.CONSUME(StringLiteral);
    const language = this.OPTION2(() => {
      this.CONSUME(K.LANGUAGE);
      return this.OR([
        { ALT: () => (this.CONSUME(K.JAVA), 'JAVA' as const) },
        { ALT: () => (this.CONSUME(K.SCALA), 'SCALA' as const) },
        { ALT: () => (this.CONSUME(K.PYTHON), 'PYTHON' as const) },
        { ALT: () => (this.CONSUME(K.SQL), 'SQL' as const) },
        // Freshet's languages: the identifier names an ES module export (docs/planner.md, CREATE FUNCTION).
        { ALT: () => (this.CONSUME(K.JAVASCRIPT), 'JAVASCRIPT' as const) },
        { ALT: () => (this.CONSUME(K.TYPESCRIPT), 'TYPESCRIPT' as const) },
      ]);
    });
    return this.ACTION(() => ({
      kind: 'createFunction',
      span: this.spanFrom(start),
      temporary,
      system,
      ifNotExists,
      name,
      className: unquoteString(cls.image),
      language: language ?? null,
    }));
  });

  private createCatalog = this.RULE('createCatalog', (start: IToken): A.Statement => {
    this.CONSUME(K.CATALOG);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.ident);
    const options = this.SUBRULE(this.withOptions);
    return this.ACTION(() => ({
      kind: 'createCatalog',
      span: this.spanFrom(start),
      ifNotExists,
      name,
      options,
    }));
  });

  private createDatabase = this.RULE('createDatabase', (start: IToken): A.Statement => {
    this.CONSUME(K.DATABASE);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const comment = this.SUBRULE(this.optComment);
    const options = this.OPTION(() => this.SUBRULE(this.withOptions)) ?? [];
    return this.ACTION(() => ({
      kind: 'createDatabase',
      span: this.spanFrom(start),
      ifNotExists,
      name,
      comment,
      options,
    }));
  });

  private dropStatement = this.RULE('dropStatement', (): A.Statement => {
    const start = this.CONSUME(K.DROP);
    const temporary = this.OPTION(() => this.CONSUME(K.TEMPORARY)) !== undefined;
    const system = this.OPTION2(() => this.CONSUME(K.SYSTEM)) !== undefined;
    const object = this.OR([
      { ALT: () => (this.CONSUME(K.TABLE), 'TABLE' as const) },
      { ALT: () => (this.CONSUME(K.VIEW), 'VIEW' as const) },
      { ALT: () => (this.CONSUME(K.FUNCTION), 'FUNCTION' as const) },
      { ALT: () => (this.CONSUME(K.CATALOG), 'CATALOG' as const) },
      { ALT: () => (this.CONSUME(K.DATABASE), 'DATABASE' as const) },
    ]);
    const ifExists = this.SUBRULE(this.ifExists);
    const name = this.SUBRULE(this.qualifiedName);
    const cascade = this.OPTION3(() =>
      this.OR2([
        { ALT: () => (this.CONSUME(K.CASCADE), true) },
        { ALT: () => (this.CONSUME(K.RESTRICT), false) },
      ]),
    );
    return this.ACTION((): A.Statement => {
      const span = this.spanFrom(start);
      if (system && object !== 'FUNCTION') this.semantic('only a function can be SYSTEM', span);
      if (cascade !== undefined && object !== 'DATABASE')
        this.semantic('RESTRICT and CASCADE apply to DROP DATABASE only', span);
      return { kind: 'drop', span, object, temporary, system, ifExists, name, cascade: cascade ?? null };
    });
  });

  private alterStatement = this.RULE('alterStatement', (): A.Statement => {
    const start = this.CONSUME(K.ALTER);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.TABLE);
          const ifExists = this.SUBRULE(this.ifExists);
          const name = this.SUBRULE(this.qualifiedName);
          const action = this.OR2([
            {
              ALT: () => {
                this.CONSUME(K.SET);
                const options = this.SUBRULE(this.optionList);
                return this.ACTION((): A.AlterTableAction => ({ kind: 'setOptions', options }));
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.RESET);
                this.CONSUME(P.LParen);
                const keys: string[] = [];
                this.AT_LEAST_ONE_SEP({
                  SEP: P.Comma,
                  DEF: () => keys.push(unquoteString(this.CONSUME(StringLiteral).image)),
                });
                this.CONSUME(P.RParen);
                return this.ACTION((): A.AlterTableAction => ({ kind: 'resetOptions', keys }));
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.RENAME);
                this.CONSUME(K.TO);
                const newName = this.SUBRULE2(this.qualifiedName);
                return this.ACTION((): A.AlterTableAction => ({ kind: 'rename', newName }));
              },
            },
          ]);
          return this.ACTION((): A.Statement => ({
            kind: 'alterTable',
            span: this.spanFrom(start),
            ifExists,
            name,
            action,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.VIEW);
          const name = this.SUBRULE3(this.qualifiedName);
          const action = this.OR3([
            {
              ALT: () => {
                this.CONSUME2(K.RENAME);
                this.CONSUME2(K.TO);
                const newName = this.SUBRULE4(this.qualifiedName);
                return this.ACTION((): A.AlterView['action'] => ({ kind: 'rename', newName }));
              },
            },
            {
              ALT: () => {
                this.CONSUME(K.AS);
                const query = this.SUBRULE(this.query);
                return this.ACTION((): A.AlterView['action'] => ({ kind: 'as', query }));
              },
            },
          ]);
          return this.ACTION((): A.Statement => ({
            kind: 'alterView',
            span: this.spanFrom(start),
            name,
            action,
          }));
        },
      },
    ]);
  });

  private insertStatement = this.RULE('insertStatement', (): A.Insert => {
    const start = this.CONSUME(K.INSERT);
    const overwrite = this.OR([
      { ALT: () => (this.CONSUME(K.INTO), false) },
      { ALT: () => (this.CONSUME(K.OVERWRITE), true) },
    ]);
    const target = this.SUBRULE(this.qualifiedName);
    const hints = (this.fastSkip(HintStart) ? undefined : this.OPTION(() => this.SUBRULE(this.hints))) ?? [];
    const partition: { column: A.Ident; value: A.Expr }[] = [];
    if (!this.fastSkip(K.PARTITION))
      this.OPTION2(() => {
        this.CONSUME(K.PARTITION);
        this.CONSUME(P.LParen);
        this.AT_LEAST_ONE_SEP({
          SEP: P.Comma,
          DEF: () => {
            const column = this.SUBRULE(this.ident);
            this.CONSUME(P.Eq);
            const value = this.SUBRULE(this.unary);
            partition.push({ column, value });
          },
        });
        this.CONSUME(P.RParen);
      });
    const columns =
      (this.fastSkip(P.LParen)
        ? undefined
        : this.OPTION3({
            GATE: () => !this.isParenQuery(),
            DEF: () => this.SUBRULE(this.identList),
          })) ?? [];
    const query = this.SUBRULE(this.query);
    return this.ACTION(() => ({
      kind: 'insert',
      span: this.spanFrom(start),
      overwrite,
      target,
      hints,
      partition,
      columns,
      query,
    }));
  });

  private executeStatementSet = this.RULE('executeStatementSet', (): A.Statement => {
    const start = this.CONSUME(K.EXECUTE);
    this.CONSUME(K.STATEMENT);
    this.CONSUME(K.SET);
    this.CONSUME(K.BEGIN);
    const inserts: A.Insert[] = [];
    this.AT_LEAST_ONE(() => {
      inserts.push(this.SUBRULE(this.insertStatement));
      this.CONSUME(P.Semicolon);
    });
    this.CONSUME(K.END);
    return this.ACTION(() => ({
      kind: 'statementSet',
      span: this.spanFrom(start),
      form: 'execute',
      inserts,
    }));
  });

  /** The SQL client's form: `BEGIN STATEMENT SET;` then inserts each ended by `;`, then `END`. */
  private clientStatementSet = this.RULE('clientStatementSet', (): A.Statement => {
    const start = this.CONSUME(K.BEGIN);
    this.CONSUME(K.STATEMENT);
    this.CONSUME(K.SET);
    this.CONSUME(P.Semicolon);
    const inserts: A.Insert[] = [];
    this.MANY(() => {
      inserts.push(this.SUBRULE(this.insertStatement));
      this.AT_LEAST_ONE(() => this.CONSUME2(P.Semicolon));
    });
    this.CONSUME(K.END);
    return this.ACTION(() => ({ kind: 'statementSet', span: this.spanFrom(start), form: 'client', inserts }));
  });

  private setStatement = this.RULE('setStatement', (): A.Statement => {
    const start = this.CONSUME(K.SET);
    const kv = this.OPTION(() => {
      const k = this.CONSUME(StringLiteral);
      this.CONSUME(P.Eq);
      const v = this.CONSUME2(StringLiteral);
      return { k, v };
    });
    return this.ACTION((): A.Statement => ({
      kind: 'set',
      span: this.spanFrom(start),
      key: kv === undefined ? null : unquoteString(kv.k.image),
      value: kv === undefined ? null : unquoteString(kv.v.image),
    }));
  });

  private resetStatement = this.RULE('resetStatement', (): A.Statement => {
    const start = this.CONSUME(K.RESET);
    const k = this.OPTION(() => this.CONSUME(StringLiteral));
    return this.ACTION((): A.Statement => ({
      kind: 'reset',
      span: this.spanFrom(start),
      key: k === undefined ? null : unquoteString(k.image),
    }));
  });

  private showStatement = this.RULE('showStatement', (): A.Statement => {
    const start = this.CONSUME(K.SHOW);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.CREATE);
          const object = this.OR2([
            { ALT: () => (this.CONSUME(K.TABLE), 'TABLE' as const) },
            { ALT: () => (this.CONSUME(K.VIEW), 'VIEW' as const) },
          ]);
          const name = this.SUBRULE(this.qualifiedName);
          return this.ACTION((): A.Statement => ({
            kind: 'showCreate',
            span: this.spanFrom(start),
            object,
            name,
          }));
        },
      },
      {
        ALT: () => {
          const what = this.OR3([
            { ALT: () => (this.CONSUME(K.TABLES), 'TABLES' as const) },
            { ALT: () => (this.CONSUME(K.VIEWS), 'VIEWS' as const) },
            { ALT: () => (this.CONSUME(K.FUNCTIONS), 'FUNCTIONS' as const) },
            { ALT: () => (this.CONSUME(K.USER), this.CONSUME2(K.FUNCTIONS), 'USER FUNCTIONS' as const) },
            { ALT: () => (this.CONSUME(K.JOBS), 'JOBS' as const) },
            { ALT: () => (this.CONSUME(K.CATALOGS), 'CATALOGS' as const) },
            { ALT: () => (this.CONSUME(K.DATABASES), 'DATABASES' as const) },
            { ALT: () => (this.CONSUME(K.MODULES), 'MODULES' as const) },
            { ALT: () => (this.CONSUME(K.FULL), this.CONSUME2(K.MODULES), 'FULL MODULES' as const) },
            { ALT: () => (this.CONSUME(K.COLUMNS), 'COLUMNS' as const) },
            {
              ALT: () => {
                this.CONSUME(K.CURRENT);
                return this.OR4([
                  { ALT: () => (this.CONSUME(K.CATALOG), 'CURRENT CATALOG' as const) },
                  { ALT: () => (this.CONSUME(K.DATABASE), 'CURRENT DATABASE' as const) },
                ]);
              },
            },
          ]);
          const from = this.OPTION(() => {
            this.OR5([{ ALT: () => this.CONSUME(K.FROM) }, { ALT: () => this.CONSUME(K.IN) }]);
            return this.SUBRULE2(this.qualifiedName);
          });
          const like = this.OPTION2(() => {
            const negated = this.OPTION3(() => this.CONSUME(K.NOT)) !== undefined;
            this.CONSUME(K.LIKE);
            const p = this.CONSUME(StringLiteral);
            return this.ACTION(() => ({ pattern: unquoteString(p.image), negated }));
          });
          return this.ACTION((): A.Statement => ({
            kind: 'show',
            span: this.spanFrom(start),
            what,
            from: from ?? null,
            like: like ?? null,
          }));
        },
      },
    ]);
  });

  private describeStatement = this.RULE('describeStatement', (): A.Statement => {
    const start = this.OR([{ ALT: () => this.CONSUME(K.DESCRIBE) }, { ALT: () => this.CONSUME(K.DESC) }]);
    const fn = this.OPTION2(() => this.CONSUME(K.FUNCTION)) !== undefined;
    const extended = this.OPTION(() => this.CONSUME(K.EXTENDED)) !== undefined;
    const name = this.SUBRULE(this.qualifiedName);
    return this.ACTION((): A.Statement => ({ kind: 'describe', span: this.spanFrom(start), extended, name, ...(fn ? { function: true } : {}) }));
  });

  private explainStatement = this.RULE('explainStatement', (): A.Statement => {
    const start = this.CONSUME(K.EXPLAIN);
    this.OPTION(() => {
      this.CONSUME(K.PLAN);
      this.CONSUME(K.FOR);
    });
    const details: A.ExplainDetail[] = [];
    this.MANY_SEP({
      SEP: P.Comma,
      DEF: () =>
        details.push(
          this.OR([
            { ALT: () => (this.CONSUME(K.ESTIMATED_COST), 'ESTIMATED_COST' as const) },
            { ALT: () => (this.CONSUME(K.CHANGELOG_MODE), 'CHANGELOG_MODE' as const) },
            { ALT: () => (this.CONSUME(K.JSON_EXECUTION_PLAN), 'JSON_EXECUTION_PLAN' as const) },
            { ALT: () => (this.CONSUME(K.PLAN_ADVICE), 'PLAN_ADVICE' as const) },
            { ALT: () => (this.CONSUME(K.VERBOSE), 'VERBOSE' as const) },
          ]),
        ),
    });
    const statement = this.SUBRULE(this.statement);
    return this.ACTION((): A.Statement => ({
      kind: 'explain',
      span: this.spanFrom(start),
      details,
      statement,
    }));
  });

  private useStatement = this.RULE('useStatement', (): A.Statement => {
    const start = this.CONSUME(K.USE);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.CATALOG);
          const n = this.SUBRULE(this.ident);
          return this.ACTION((): A.Statement => ({
            kind: 'use',
            span: this.spanFrom(start),
            catalog: true,
            name: { parts: [n], span: n.span },
          }));
        },
      },
      {
        ALT: () => {
          const name = this.SUBRULE(this.qualifiedName);
          return this.ACTION((): A.Statement => ({
            kind: 'use',
            span: this.spanFrom(start),
            catalog: false,
            name,
          }));
        },
      },
    ]);
  });

  private stopJobStatement = this.RULE('stopJobStatement', (): A.Statement => {
    const start = this.CONSUME(K.STOP);
    this.CONSUME(K.JOB);
    const id = this.CONSUME(StringLiteral);
    const withSavepoint =
      this.OPTION(() => {
        this.CONSUME(K.WITH);
        this.CONSUME(K.SAVEPOINT);
        return true;
      }) === true;
    const withDrain =
      this.OPTION2(() => {
        this.CONSUME2(K.WITH);
        this.CONSUME(K.DRAIN);
        return true;
      }) === true;
    return this.ACTION((): A.Statement => ({
      kind: 'stopJob',
      span: this.spanFrom(start),
      jobId: unquoteString(id.image),
      withSavepoint,
      withDrain,
    }));
  });

  // ------------------------------------------------------------------------------------------- queries

  /** A full query: `[WITH ...] body [ORDER BY ...] [LIMIT n] [OFFSET n ROWS] [FETCH FIRST n ROWS ONLY]`. */
  public query = this.RULE('query', (): A.Query => {
    const start = this.LA(1);
    const ctes = this.fastSkip(K.WITH)
      ? undefined
      : this.OPTION(() => {
          this.CONSUME(K.WITH);
          const out: A.CommonTableExpr[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.cte)) });
          return out;
        });
    const bodyStart = this.LA(1);
    const body = this.fastSelectBody() ?? this.SUBRULE(this.setExpr);
    // The tail clauses are rare: one test of the next token skips them all.
    const tail = !this.fastSkipAll(QUERY_TAIL);
    const orderBy = !tail
      ? undefined
      : this.OPTION2(() => {
          this.CONSUME(K.ORDER);
          this.CONSUME(K.BY);
          return this.SUBRULE(this.orderItems);
        });
    const limit = !tail
      ? undefined
      : this.OPTION3(() => {
          this.CONSUME(K.LIMIT);
          return this.SUBRULE(this.additive);
        });
    const offset = !tail
      ? undefined
      : this.OPTION4(() => {
          this.CONSUME(K.OFFSET);
          const e = this.SUBRULE2(this.additive);
          this.OPTION5(() =>
            this.OR([{ ALT: () => this.CONSUME(K.ROW) }, { ALT: () => this.CONSUME(K.ROWS) }]),
          );
          return e;
        });
    const fetch = !tail
      ? undefined
      : this.OPTION6(() => {
          this.CONSUME(K.FETCH);
          this.OR2([{ ALT: () => this.CONSUME(K.FIRST) }, { ALT: () => this.CONSUME(K.NEXT) }]);
          const e = this.SUBRULE3(this.additive);
          this.OR3([{ ALT: () => this.CONSUME2(K.ROW) }, { ALT: () => this.CONSUME2(K.ROWS) }]);
          this.CONSUME(K.ONLY);
          return e;
        });
    return this.ACTION((): A.Query => {
      let q: A.Query = body;
      if (orderBy !== undefined || limit !== undefined || offset !== undefined || fetch !== undefined) {
        if (limit !== undefined && fetch !== undefined)
          this.semantic('use either LIMIT or FETCH, not both', fetch.span);
        q = {
          kind: 'ordered',
          span: this.spanFrom(bodyStart),
          input: body,
          orderBy: orderBy ?? [],
          limit: limit ?? null,
          offset: offset ?? null,
          fetch: fetch ?? null,
        };
      }
      if (ctes !== undefined) q = { kind: 'with', span: this.spanFrom(start), ctes, body: q };
      return q;
    });
  });

  /**
   * A body that is one SELECT (most are) without the setExpr → setTerm → queryPrimary descent; null when it is
   * not, or when a set operator follows (then the recorded grammar parses the body again from its start).
   */
  private fastSelectBody(): A.Query | null {
    if (this.RECORDING_PHASE || !this.fastExpressions || this.LA(1).tokenType !== K.SELECT) return null;
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    const select = this.SUBRULE(this.select);
    const next = this.LA(1).tokenType;
    if (next !== K.UNION && next !== K.INTERSECT && next !== K.EXCEPT) return select;
    cursor.currIdx = at;
    this.semanticErrors.length = semanticCount;
    return null;
  }

  private cte = this.RULE('cte', (): A.CommonTableExpr => {
    const name = this.SUBRULE(this.ident);
    const columns = this.OPTION(() => this.SUBRULE(this.identList)) ?? [];
    this.CONSUME(K.AS);
    this.CONSUME(P.LParen);
    const query = this.SUBRULE(this.query);
    this.CONSUME(P.RParen);
    return this.ACTION(() => ({ span: this.spanAt(name.span.start), name, columns, query }));
  });

  /** UNION and EXCEPT bind looser than INTERSECT, all left-associative (as in Calcite). */
  private setExpr = this.RULE('setExpr', (): A.Query => {
    // Spans start at the first token, which may be a '(' that the left operand's own span does not include.
    const start = this.LA(1);
    let left = this.SUBRULE(this.setTerm);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(K.UNION), 'UNION' as const) },
        { ALT: () => (this.CONSUME(K.EXCEPT), 'EXCEPT' as const) },
      ]);
      const all = this.SUBRULE(this.setQuantifier);
      const right = this.SUBRULE2(this.setTerm);
      left = this.ACTION((): A.Query => ({
        kind: 'setOp',
        span: this.spanFrom(start),
        op,
        all,
        left,
        right,
      }));
    });
    return left;
  });

  private setTerm = this.RULE('setTerm', (): A.Query => {
    const start = this.LA(1);
    let left = this.SUBRULE(this.queryPrimary);
    this.MANY(() => {
      this.CONSUME(K.INTERSECT);
      const all = this.SUBRULE(this.setQuantifier);
      const right = this.SUBRULE2(this.queryPrimary);
      left = this.ACTION((): A.Query => ({
        kind: 'setOp',
        span: this.spanFrom(start),
        op: 'INTERSECT',
        all,
        left,
        right,
      }));
    });
    return left;
  });

  private setQuantifier = this.RULE('setQuantifier', (): boolean => {
    const t = this.OPTION(() =>
      this.OR([{ ALT: () => this.CONSUME(K.ALL) }, { ALT: () => this.CONSUME(K.DISTINCT) }]),
    );
    return this.ACTION(() => t?.tokenType === K.ALL);
  });

  private queryPrimary = this.RULE('queryPrimary', (): A.Query =>
    this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      { ALT: () => this.SUBRULE(this.values) },
      {
        ALT: () => {
          this.CONSUME(P.LParen);
          const q = this.SUBRULE(this.query);
          this.CONSUME(P.RParen);
          return q;
        },
      },
    ]),
  );

  private values = this.RULE('values', (): A.Query => {
    const start = this.CONSUME(K.VALUES);
    const rows: A.Expr[][] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: P.Comma,
      DEF: () => {
        this.OPTION(() => this.CONSUME(K.ROW));
        rows.push(this.SUBRULE(this.parenExprList));
      },
    });
    return this.ACTION((): A.Query => ({ kind: 'values', span: this.spanFrom(start), rows }));
  });

  private parenExprList = this.RULE('parenExprList', (): A.Expr[] => {
    const out: A.Expr[] = [];
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.expr)) });
    this.CONSUME(P.RParen);
    return out;
  });

  private exprList = this.RULE('exprList', (): A.Expr[] => {
    const out: A.Expr[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.expr)) });
    return out;
  });

  private select = this.RULE('select', (): A.Select => {
    const start = this.CONSUME(K.SELECT);
    const hints = (this.fastSkip(HintStart) ? undefined : this.OPTION(() => this.SUBRULE(this.hints))) ?? [];
    const quantifier = this.fastSkipAll(QUANTIFIERS)
      ? undefined
      : this.OPTION7(() =>
          this.OR([{ ALT: () => this.CONSUME(K.DISTINCT) }, { ALT: () => this.CONSUME(K.ALL) }]),
        );
    const distinct = quantifier?.tokenType === K.DISTINCT;
    const items: A.SelectItem[] = [];
    const first = this.LA(1);
    if (
      !this.RECORDING_PHASE &&
      this.fastExpressions &&
      (first.tokenType === P.Star || EXPR_START[first.tokenTypeIdx] === 1)
    ) {
      // The select list without a rule call per item: fast items directly, the rest through the rule.
      for (;;) {
        items.push(this.fastSelectItem() ?? this.SUBRULE(this.selectItem));
        if (this.LA(1).tokenType !== P.Comma) break;
        this.next();
      }
    } else this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
    // Each clause is an LL(1) option on its keyword, so at run time the keyword test replaces chevrotain's
    // option machinery (a lookahead function and a closure call per clause); the fast WHERE, GROUP BY and
    // HAVING fall back to the recorded option from the keyword on when the fast expression parser bails.
    const fast = !this.RECORDING_PHASE && this.fastExpressions;
    const from =
      fast && this.LA(1).tokenType === K.FROM
        ? (this.next(), this.SUBRULE(this.fromClause))
        : this.OPTION2(() => {
            this.CONSUME(K.FROM);
            return this.SUBRULE(this.fromClause);
          });
    const where =
      (fast && this.LA(1).tokenType === K.WHERE ? this.fastClauseExpr() : undefined) ??
      this.OPTION3(() => {
        this.CONSUME(K.WHERE);
        return this.SUBRULE(this.expr);
      });
    const groupBy: A.GroupingElement[] = [];
    if (!(fast && this.LA(1).tokenType === K.GROUP && this.fastGroupBy(groupBy))) {
      this.OPTION4(() => {
        this.CONSUME(K.GROUP);
        this.CONSUME(K.BY);
        this.AT_LEAST_ONE_SEP3({ SEP: P.Comma, DEF: () => groupBy.push(this.SUBRULE(this.groupingElement)) });
      });
    }
    const having =
      (fast && this.LA(1).tokenType === K.HAVING ? this.fastClauseExpr() : undefined) ??
      this.OPTION5(() => {
        this.CONSUME(K.HAVING);
        return this.SUBRULE2(this.expr);
      });
    const windows: A.NamedWindow[] = [];
    if (!this.fastSkip(K.WINDOW))
      this.OPTION6(() => {
        this.CONSUME(K.WINDOW);
        this.AT_LEAST_ONE_SEP2({
          SEP: P.Comma,
          DEF: () => {
            const name = this.SUBRULE(this.ident);
            this.CONSUME(K.AS);
            const spec = this.SUBRULE(this.windowSpec);
            this.ACTION(() => windows.push({ span: this.spanAt(name.span.start), name, spec }));
          },
        });
      });
    return this.ACTION(() => ({
      kind: 'select',
      span: this.spanFrom(start),
      distinct,
      hints,
      items,
      from: from ?? null,
      where: where ?? null,
      groupBy,
      having: having ?? null,
      windows,
    }));
  });

  private selectItem = this.RULE('selectItem', (): A.SelectItem => {
    if (!this.RECORDING_PHASE && this.fastExpressions) {
      const fast = this.fastSelectItem();
      if (fast !== null) return fast;
    }
    return this.slowSelectItem();
  });

  /**
   * `expr [[AS] alias]` without the rule calls for the expression and the alias (a select list is most of a
   * query's items); stars, and anything unusual, are left to the recorded grammar.
   */
  private fastSelectItem(): A.SelectItem | null {
    const t = this.LA(1);
    if (EXPR_START[t.tokenTypeIdx] !== 1 || (NAME_TOKEN[t.tokenTypeIdx] === 1 && this.isQualifiedStar()))
      return null;
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    const expr = this.tryFast(false);
    if (expr === null) return null;
    let alias: A.Ident | null = null;
    const next = this.LA(1);
    if (next.tokenType === K.AS) {
      if (NAME_TOKEN[this.LA(2).tokenTypeIdx] !== 1) {
        cursor.currIdx = at;
        this.semanticErrors.length = semanticCount;
        return null;
      }
      this.next();
      alias = identOf(this.next());
    } else if (NAME_TOKEN[next.tokenTypeIdx] === 1) alias = identOf(this.next());
    return {
      kind: 'expr',
      span: { start: expr.span.start, end: alias ? alias.span.end : expr.span.end },
      expr,
      alias,
    };
  }

  private slowSelectItem(): A.SelectItem {
    // One token of lookahead and the gate decide: longer lookahead paths made this the slowest decision.
    return this.OR({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
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
      ],
    });
  }

  /** `a.b.*`: names joined by dots and ending in a star (looked ahead, not consumed). */
  private isQualifiedStar(): boolean {
    let i = 1;
    for (;;) {
      if (!isNameToken(this.LA(i))) return false;
      if (this.LA(i + 1).tokenType !== P.Dot) return false;
      if (this.LA(i + 2).tokenType === P.Star) return true;
      i += 2;
    }
  }

  private orderItems = this.RULE('orderItems', (): A.OrderItem[] => {
    const out: A.OrderItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.orderItem)) });
    return out;
  });

  private orderItem = this.RULE('orderItem', (): A.OrderItem => {
    const expr = this.SUBRULE(this.expr);
    const direction = this.OPTION(() =>
      this.OR([
        { ALT: () => (this.CONSUME(K.ASC), 'ASC' as const) },
        { ALT: () => (this.CONSUME(K.DESC), 'DESC' as const) },
      ]),
    );
    const nulls = this.OPTION2(() => {
      this.CONSUME(K.NULLS);
      return this.OR2([
        { ALT: () => (this.CONSUME(K.FIRST), 'FIRST' as const) },
        { ALT: () => (this.CONSUME(K.LAST), 'LAST' as const) },
      ]);
    });
    return this.ACTION(() => ({
      span: this.spanAt(expr.span.start),
      expr,
      direction: direction ?? null,
      nulls: nulls ?? null,
    }));
  });

  /**
   * `WHERE e` / `HAVING e` at the clause keyword: the expression by the fast parser, or undefined (cursor back
   * on the keyword) for the recorded option to parse.
   */
  private fastClauseExpr(): A.Expr | undefined {
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    this.next();
    if (EXPR_START[this.LA(1).tokenTypeIdx] === 1) {
      const e = this.tryFast(false);
      if (e !== null) return e;
    }
    cursor.currIdx = at;
    return undefined;
  }

  /**
   * `GROUP BY` with plain expressions (the common case), each by the fast parser; false (cursor back on GROUP,
   * `out` emptied) for anything else, which the recorded option then parses.
   */
  private fastGroupBy(out: A.GroupingElement[]): boolean {
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    this.next();
    if (this.LA(1).tokenType === K.BY) {
      this.next();
      for (;;) {
        const t = this.LA(1);
        const tt = t.tokenType;
        if (EXPR_START[t.tokenTypeIdx] !== 1 || tt === K.GROUPING || tt === P.LParen) break;
        const expr = this.tryFast(false);
        if (expr === null) break;
        out.push({ kind: 'expr', span: expr.span, expr });
        if (this.LA(1).tokenType !== P.Comma) return true;
        this.next();
      }
    }
    cursor.currIdx = at;
    this.semanticErrors.length = semanticCount;
    out.length = 0;
    return false;
  }

  private groupingElement = this.RULE('groupingElement', (): A.GroupingElement => {
    // A plain expression (the common case) without the gated four-way decision; the rest as recorded.
    if (!this.RECORDING_PHASE && this.fastExpressions) {
      const t = this.LA(1);
      const tt = t.tokenType;
      if (EXPR_START[t.tokenTypeIdx] === 1 && tt !== K.GROUPING && tt !== P.LParen) {
        const expr = this.tryFast(false);
        if (expr !== null) return { kind: 'expr', span: expr.span, expr };
      }
    }
    return this.slowGroupingElement();
  });

  private slowGroupingElement(): A.GroupingElement {
    return this.OR([
      {
        ALT: () => {
          const start = this.CONSUME(K.GROUPING);
          this.CONSUME(K.SETS);
          const elements = this.SUBRULE(this.groupingList);
          return this.ACTION((): A.GroupingElement => ({
            kind: 'groupingSets',
            span: this.spanFrom(start),
            elements,
          }));
        },
      },
      {
        ALT: () => {
          const start = this.OR2([
            { ALT: () => this.CONSUME(K.ROLLUP) },
            { ALT: () => this.CONSUME(K.CUBE) },
          ]);
          const elements = this.SUBRULE2(this.groupingList);
          return this.ACTION((): A.GroupingElement => ({
            kind: start.tokenType === K.ROLLUP ? 'rollup' : 'cube',
            span: this.spanFrom(start),
            elements,
          }));
        },
      },
      {
        GATE: () => this.isGroupingSet(),
        IGNORE_AMBIGUITIES: true,
        ALT: () => {
          const start = this.CONSUME(P.LParen);
          const exprs: A.Expr[] = [];
          this.MANY_SEP({ SEP: P.Comma, DEF: () => exprs.push(this.SUBRULE(this.expr)) });
          this.CONSUME(P.RParen);
          return this.ACTION((): A.GroupingElement => ({ kind: 'set', span: this.spanFrom(start), exprs }));
        },
      },
      {
        ALT: () => {
          const expr = this.SUBRULE2(this.expr);
          return this.ACTION((): A.GroupingElement => ({ kind: 'expr', span: expr.span, expr }));
        },
      },
    ]);
  }

  private groupingList = this.RULE('groupingList', (): A.GroupingElement[] => {
    const out: A.GroupingElement[] = [];
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(this.SUBRULE(this.groupingElement)) });
    this.CONSUME(P.RParen);
    return out;
  });

  // ------------------------------------------------------------------------------------------- FROM and joins

  /** Table references joined left to right: `a, b`, `a JOIN b ON ...`, `a LEFT JOIN b USING (k)`, ... */
  private fromClause = this.RULE('fromClause', (): A.FromItem => {
    let left = this.fastFromItem() ?? this.SUBRULE(this.fromPrimary);
    // The plain joins at run time without the MANY and its three-way OR per join; whatever the loop does not
    // take (NATURAL, CROSS, a mistake) is left to the recorded MANY below, which goes on from there.
    if (!this.RECORDING_PHASE && this.fastExpressions) left = this.fastJoins(left);
    this.MANY(() => {
      const join = this.OR([
        {
          ALT: () => {
            this.CONSUME(P.Comma);
            const right = this.SUBRULE2(this.fromPrimary);
            return { joinType: 'COMMA' as A.JoinType, natural: false, right, condition: null };
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.CROSS);
            this.CONSUME(K.JOIN);
            const right = this.SUBRULE3(this.fromPrimary);
            return { joinType: 'CROSS' as A.JoinType, natural: false, right, condition: null };
          },
        },
        {
          ALT: () => {
            const natural = this.OPTION(() => this.CONSUME(K.NATURAL)) !== undefined;
            const joinType = this.OPTION2(() =>
              this.OR2([
                { ALT: () => (this.CONSUME(K.INNER), 'INNER' as const) },
                {
                  ALT: () => (
                    this.CONSUME(K.LEFT),
                    this.OPTION3(() => this.CONSUME(K.OUTER)),
                    'LEFT' as const
                  ),
                },
                {
                  ALT: () => (
                    this.CONSUME(K.RIGHT),
                    this.OPTION4(() => this.CONSUME2(K.OUTER)),
                    'RIGHT' as const
                  ),
                },
                {
                  ALT: () => (
                    this.CONSUME(K.FULL),
                    this.OPTION5(() => this.CONSUME3(K.OUTER)),
                    'FULL' as const
                  ),
                },
              ]),
            );
            this.CONSUME2(K.JOIN);
            const right = this.SUBRULE4(this.fromPrimary);
            const condition = this.OPTION6(() =>
              this.OR3([
                {
                  ALT: () => {
                    this.CONSUME(K.ON);
                    const expr = this.SUBRULE(this.expr);
                    return this.ACTION((): A.JoinCondition => ({ kind: 'on', expr }));
                  },
                },
                {
                  ALT: () => {
                    this.CONSUME(K.USING);
                    const columns = this.SUBRULE(this.identList);
                    return this.ACTION((): A.JoinCondition => ({ kind: 'using', columns }));
                  },
                },
              ]),
            );
            return {
              joinType: joinType ?? ('INNER' as A.JoinType),
              natural,
              right,
              condition: condition ?? null,
            };
          },
        },
      ]);
      left = this.ACTION((): A.FromItem => ({
        kind: 'join',
        span: { start: left.span.start, end: join.right.span.end },
        left,
        ...join,
      }));
    });
    return left;
  });

  private fromPrimary = this.RULE('fromPrimary', (): A.FromItem => {
    if (!this.RECORDING_PHASE && this.fastExpressions) {
      const fast = NAME_TOKEN[this.LA(1).tokenTypeIdx] === 1 ? this.fastTableRef() : this.fastDerived();
      if (fast !== null) return fast;
    }
    return this.slowFromPrimary();
  });

  /**
   * `[INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN right [ON e | USING (...)]` and `, right`, as
   * the recorded MANY in fromClause parses them (the same nodes and spans); stops, cursor on the join's first
   * token, at anything else.
   */
  private fastJoins(first: A.FromItem): A.FromItem {
    const cursor = this as unknown as Cursor;
    let left = first;
    for (;;) {
      const at = cursor.currIdx;
      const semanticCount = this.semanticErrors.length;
      let tt = this.LA(1).tokenType;
      let joinType: A.JoinType;
      if (tt === P.Comma) joinType = 'COMMA';
      else {
        if (tt === K.JOIN) joinType = 'INNER';
        else if (tt === K.INNER) joinType = 'INNER';
        else if (tt === K.LEFT) joinType = 'LEFT';
        else if (tt === K.RIGHT) joinType = 'RIGHT';
        else if (tt === K.FULL) joinType = 'FULL';
        else return left;
        if (tt !== K.JOIN) {
          this.next();
          tt = this.LA(1).tokenType;
          if (tt === K.OUTER && joinType !== 'INNER') {
            this.next();
            tt = this.LA(1).tokenType;
          }
          if (tt !== K.JOIN) {
            cursor.currIdx = at;
            return left;
          }
        }
      }
      this.next();
      const right = this.fastFromItem() ?? this.SUBRULE4(this.fromPrimary);
      let condition: A.JoinCondition | null = null;
      if (joinType !== 'COMMA') {
        const ct = this.LA(1).tokenType;
        if (ct === K.ON) {
          this.next();
          const expr = EXPR_START[this.LA(1).tokenTypeIdx] === 1 ? this.tryFast(false) : null;
          if (expr === null) {
            // Let the recorded grammar parse this join from its first token (and report any mistake).
            cursor.currIdx = at;
            this.semanticErrors.length = semanticCount;
            return left;
          }
          condition = { kind: 'on', expr };
        } else if (ct === K.USING) {
          this.next();
          condition = { kind: 'using', columns: this.SUBRULE(this.identList) };
        }
      }
      left = {
        kind: 'join',
        span: { start: left.span.start, end: right.span.end },
        left,
        joinType,
        natural: false,
        right,
        condition,
      };
    }
  }

  /**
   * `(query) [AS] alias` and `TABLE(fn(...)) [AS] alias` without fromPrimary's and fromAtom's decisions; null
   * (cursor back where it was) for everything else, MATCH_RECOGNIZE and any mistake.
   */
  private fastDerived(): A.FromItem | null {
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    const start = this.LA(1);
    let base: A.FromItem;
    if (start.tokenType === P.LParen && QUERY_STARTS.has(this.LA(2).tokenType)) {
      this.next();
      const query = this.SUBRULE(this.query);
      if (this.LA(1).tokenType !== P.RParen) return this.rewind(at, semanticCount);
      this.next();
      base = { kind: 'subquery', span: this.spanFrom(start), query, lateral: false, alias: null };
    } else if (start.tokenType === K.TABLE && this.LA(2).tokenType === P.LParen) {
      const call = this.SUBRULE(this.tableCall);
      base = { kind: 'tableFunction', span: this.spanFrom(start), call, lateral: false, alias: null };
    } else return null;
    let tt = this.LA(1).tokenType;
    if (tt === K.MATCH_RECOGNIZE || tt === HintStart) return this.rewind(at, semanticCount);
    if (tt === K.AS) {
      this.next();
      tt = this.LA(1).tokenType;
    } else if (NAME_TOKEN[this.LA(1).tokenTypeIdx] !== 1) {
      // No alias: done, unless the recorded grammar would have taken the token as one.
      return base;
    }
    if (NAME_TOKEN[this.LA(1).tokenTypeIdx] !== 1) return this.rewind(at, semanticCount);
    const name = identOf(this.next());
    let columns: A.Ident[] = [];
    if (this.LA(1).tokenType === P.LParen) {
      if (NAME_TOKEN[this.LA(2).tokenTypeIdx] !== 1) return this.rewind(at, semanticCount);
      columns = this.SUBRULE(this.identList);
    }
    const span = { start: base.span.start, end: columns.length > 0 ? this.lastEnd() : name.span.end };
    return { ...base, span, alias: { name, columns } };
  }

  private rewind(at: number, semanticCount: number): null {
    (this as unknown as Cursor).currIdx = at;
    this.semanticErrors.length = semanticCount;
    return null;
  }

  /**
   * `name [FOR SYSTEM_TIME AS OF t] [[AS] alias [(columns)]]`, the common FROM item, without the five rule calls
   * of fromAtom → tableRef → qualifiedName → alias → ident; hints and MATCH_RECOGNIZE go the recorded way.
   */
  private fastTableRef(): A.FromItem | null {
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    try {
      const parts: A.Ident[] = [identOf(this.next())];
      while (this.LA(1).tokenType === P.Dot) {
        if (NAME_TOKEN[this.LA(2).tokenTypeIdx] !== 1) throw BAIL;
        this.next();
        parts.push(identOf(this.next()));
      }
      const name: A.QualifiedName = {
        parts,
        span: { start: (parts[0] as A.Ident).span.start, end: (parts[parts.length - 1] as A.Ident).span.end },
      };
      let forSystemTime: A.Expr | null = null;
      if (this.LA(1).tokenType === K.FOR) {
        this.next();
        this.expect(K.SYSTEM_TIME);
        this.expect(K.AS);
        this.expect(K.OF);
        forSystemTime = this.fastArith(0);
      }
      const tt = this.LA(1).tokenType;
      if (tt === HintStart || tt === K.MATCH_RECOGNIZE) throw BAIL;
      const item: A.FromItem = {
        kind: 'table',
        span: this.spanAt(name.span.start),
        name,
        alias: null,
        columnAliases: [],
        hints: [],
        forSystemTime,
      };
      let aliasName: A.Ident | null = null;
      if (tt === K.AS) {
        if (NAME_TOKEN[this.LA(2).tokenTypeIdx] !== 1) throw BAIL;
        this.next();
        aliasName = identOf(this.next());
      } else if (NAME_TOKEN[this.LA(1).tokenTypeIdx] === 1) aliasName = identOf(this.next());
      if (aliasName === null) return item;
      const columns: A.Ident[] = [];
      if (this.LA(1).tokenType === P.LParen) {
        this.next();
        do {
          if (NAME_TOKEN[this.LA(1).tokenTypeIdx] !== 1) throw BAIL;
          columns.push(identOf(this.next()));
        } while (this.LA(1).tokenType === P.Comma && this.next() !== null);
        this.expect(P.RParen);
      }
      const span = { start: item.span.start, end: columns.length > 0 ? this.lastEnd() : aliasName.span.end };
      return { ...item, span, alias: aliasName, columnAliases: columns };
    } catch (e) {
      if (e !== BAIL) throw e;
      cursor.currIdx = at;
      this.semanticErrors.length = semanticCount;
      return null;
    }
  }

  /** The first FROM item when it is a plain table reference, without the fromPrimary rule call. */
  private fastFromItem(): A.FromItem | null {
    if (this.RECORDING_PHASE || !this.fastExpressions || NAME_TOKEN[this.LA(1).tokenTypeIdx] !== 1)
      return null;
    return this.fastTableRef();
  }

  private slowFromPrimary(): A.FromItem {
    // One token of lookahead and the gate decide: longer lookahead paths made this the slowest decision.
    return this.OR({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          // `(a JOIN b ON ...)`: a parenthesised join; `(SELECT ...)` goes to the subquery alternative instead.
          GATE: () => !this.isParenQuery(),
          IGNORE_AMBIGUITIES: true,
          ALT: () => {
            this.CONSUME(P.LParen);
            const inner = this.SUBRULE(this.fromClause);
            this.CONSUME(P.RParen);
            return inner;
          },
        },
        { ALT: () => this.SUBRULE(this.fromAtom) },
      ],
    });
  }

  /** One table reference with its alias, possibly followed by MATCH_RECOGNIZE (which the alias then names). */
  private fromAtom = this.RULE('fromAtom', (): A.FromItem => {
    const base = this.OR([
      {
        ALT: () => {
          const start = this.CONSUME(K.LATERAL);
          return this.OR2([
            {
              ALT: () => {
                const call = this.SUBRULE(this.tableCall);
                return this.ACTION((): A.FromItem => ({
                  kind: 'tableFunction',
                  span: this.spanFrom(start),
                  call,
                  lateral: true,
                  alias: null,
                }));
              },
            },
            {
              ALT: () => {
                const query = this.SUBRULE(this.parenQuery);
                return this.ACTION((): A.FromItem => ({
                  kind: 'subquery',
                  span: this.spanFrom(start),
                  query,
                  lateral: true,
                  alias: null,
                }));
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          const start = this.LA(1);
          const call = this.SUBRULE2(this.tableCall);
          return this.ACTION((): A.FromItem => ({
            kind: 'tableFunction',
            span: this.spanFrom(start),
            call,
            lateral: false,
            alias: null,
          }));
        },
      },
      {
        ALT: () => {
          const start = this.CONSUME(K.UNNEST);
          const args = this.SUBRULE(this.parenExprList);
          const withOrdinality =
            this.OPTION(() => {
              this.CONSUME(K.WITH);
              this.CONSUME(K.ORDINALITY);
              return true;
            }) === true;
          return this.ACTION((): A.FromItem => ({
            kind: 'unnest',
            span: this.spanFrom(start),
            args,
            withOrdinality,
            alias: null,
          }));
        },
      },
      {
        ALT: () => {
          const start = this.LA(1);
          const query = this.SUBRULE2(this.parenQuery);
          return this.ACTION((): A.FromItem => ({
            kind: 'subquery',
            span: this.spanFrom(start),
            query,
            lateral: false,
            alias: null,
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.tableRef) },
    ]);
    const matched = this.OPTION2(() => this.SUBRULE(this.matchRecognize, { ARGS: [base] }));
    const alias = this.OPTION3(() => this.SUBRULE(this.alias));
    return this.ACTION((): A.FromItem => {
      const item = matched ?? base;
      if (alias === undefined) return item;
      const span = {
        start: item.span.start,
        end: alias.columns.length > 0 ? this.lastEnd() : alias.name.span.end,
      };
      if (item.kind === 'table') return { ...item, span, alias: alias.name, columnAliases: alias.columns };
      if (item.kind === 'join') return item;
      return { ...item, span, alias };
    });
  });

  private parenQuery = this.RULE('parenQuery', (): A.Query => {
    this.CONSUME(P.LParen);
    const q = this.SUBRULE(this.query);
    this.CONSUME(P.RParen);
    return q;
  });

  /** `TABLE(fn(...))`. */
  private tableCall = this.RULE('tableCall', (): A.Expr => {
    this.CONSUME(K.TABLE);
    this.CONSUME(P.LParen);
    const call = this.SUBRULE(this.nameOrCall);
    this.CONSUME(P.RParen);
    return call;
  });

  private alias = this.RULE('alias', (): A.Alias => {
    this.OPTION(() => this.CONSUME(K.AS));
    const name = this.SUBRULE(this.ident);
    const columns = this.OPTION2(() => this.SUBRULE(this.identList)) ?? [];
    return { name, columns };
  });

  private tableRef = this.RULE('tableRef', (): A.FromItem => {
    const name = this.SUBRULE(this.qualifiedName);
    const hints = this.OPTION(() => this.SUBRULE(this.hints)) ?? [];
    const forSystemTime = this.OPTION2(() => {
      this.CONSUME(K.FOR);
      this.CONSUME(K.SYSTEM_TIME);
      this.CONSUME(K.AS);
      this.CONSUME(K.OF);
      return this.SUBRULE(this.additive);
    });
    return this.ACTION((): A.FromItem => ({
      kind: 'table',
      span: this.spanAt(name.span.start),
      name,
      alias: null,
      columnAliases: [],
      hints,
      forSystemTime: forSystemTime ?? null,
    }));
  });

  /** `/*+ NAME(...), ... *\/`. */
  private hints = this.RULE('hints', (): A.Hint[] => {
    const out: A.Hint[] = [];
    this.CONSUME(HintStart);
    this.AT_LEAST_ONE_SEP({
      SEP: P.Comma,
      DEF: () => {
        const name = this.SUBRULE(this.ident);
        const options: A.TableOption[] = [];
        const args: A.Ident[] = [];
        this.OPTION(() => {
          this.CONSUME(P.LParen);
          this.OPTION2(() =>
            this.OR([
              {
                ALT: () =>
                  this.AT_LEAST_ONE_SEP2({
                    SEP: P.Comma,
                    DEF: () => options.push(this.SUBRULE(this.tableOption)),
                  }),
              },
              {
                ALT: () =>
                  this.AT_LEAST_ONE_SEP3({ SEP: P.Comma, DEF: () => args.push(this.SUBRULE2(this.ident)) }),
              },
            ]),
          );
          this.CONSUME(P.RParen);
        });
        this.ACTION(() => out.push({ span: this.spanAt(name.span.start), name, options, args }));
      },
    });
    this.CONSUME(HintEnd);
    return out;
  });

  private matchRecognize = this.RULE('matchRecognize', (input: A.FromItem): A.FromItem => {
    const start = this.CONSUME(K.MATCH_RECOGNIZE);
    this.CONSUME(P.LParen);
    const partitionBy = this.OPTION(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      return this.SUBRULE(this.exprList);
    });
    const orderBy = this.OPTION2(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      return this.SUBRULE(this.orderItems);
    });
    const measures: { expr: A.Expr; alias: A.Ident }[] = [];
    this.OPTION3(() => {
      this.CONSUME(K.MEASURES);
      this.AT_LEAST_ONE_SEP({
        SEP: P.Comma,
        DEF: () => {
          const expr = this.SUBRULE(this.expr);
          this.CONSUME(K.AS);
          const alias = this.SUBRULE(this.ident);
          measures.push({ expr, alias });
        },
      });
    });
    const rowsPerMatch = this.OPTION4(() => {
      const r = this.OR([
        { ALT: () => (this.CONSUME(K.ONE), this.CONSUME(K.ROW), 'ONE' as const) },
        { ALT: () => (this.CONSUME(K.ALL), this.CONSUME(K.ROWS), 'ALL' as const) },
      ]);
      this.CONSUME(K.PER);
      this.CONSUME(K.MATCH);
      return r;
    });
    const afterMatch = this.OPTION5(() => {
      this.CONSUME(K.AFTER);
      this.CONSUME2(K.MATCH);
      this.CONSUME(K.SKIP);
      return this.OR2([
        {
          ALT: () => {
            this.CONSUME(K.PAST);
            this.CONSUME(K.LAST);
            this.CONSUME2(K.ROW);
            return this.ACTION((): A.AfterMatch => ({ kind: 'pastLastRow' }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.TO);
            return this.OR3([
              {
                ALT: () => {
                  this.CONSUME(K.NEXT);
                  this.CONSUME3(K.ROW);
                  return this.ACTION((): A.AfterMatch => ({ kind: 'toNextRow' }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.FIRST);
                  const variable = this.SUBRULE2(this.ident);
                  return this.ACTION((): A.AfterMatch => ({ kind: 'toFirst', variable }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME2(K.LAST);
                  const variable = this.SUBRULE3(this.ident);
                  return this.ACTION((): A.AfterMatch => ({ kind: 'toLast', variable }));
                },
              },
              {
                ALT: () => {
                  const variable = this.SUBRULE4(this.ident);
                  return this.ACTION((): A.AfterMatch => ({ kind: 'to', variable }));
                },
              },
            ]);
          },
        },
      ]);
    });
    this.CONSUME(K.PATTERN);
    this.CONSUME2(P.LParen);
    const pattern = this.SUBRULE(this.patternAlt);
    this.CONSUME2(P.RParen);
    const within = this.OPTION6(() => {
      this.CONSUME(K.WITHIN);
      return this.SUBRULE(this.primary);
    });
    this.CONSUME(K.DEFINE);
    const define: { name: A.Ident; expr: A.Expr }[] = [];
    this.AT_LEAST_ONE_SEP2({
      SEP: P.Comma,
      DEF: () => {
        const name = this.SUBRULE5(this.ident);
        this.CONSUME2(K.AS);
        const expr = this.SUBRULE2(this.expr);
        define.push({ name, expr });
      },
    });
    this.CONSUME(P.RParen);
    return this.ACTION((): A.FromItem => ({
      kind: 'matchRecognize',
      span: { start: input.span.start, end: this.spanFrom(start).end },
      input,
      partitionBy: partitionBy ?? [],
      orderBy: orderBy ?? [],
      measures,
      rowsPerMatch: rowsPerMatch ?? null,
      afterMatch: afterMatch ?? null,
      pattern,
      within: within ?? null,
      define,
      alias: null,
    }));
  });

  private patternAlt = this.RULE('patternAlt', (): A.PatternTerm => {
    const items: A.PatternTerm[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: P.Pipe, DEF: () => items.push(this.SUBRULE(this.patternSeq)) });
    return this.ACTION((): A.PatternTerm =>
      items.length === 1
        ? (items[0] as A.PatternTerm)
        : {
            kind: 'alt',
            span: { start: (items[0] as A.PatternTerm).span.start, end: this.lastEnd() },
            items,
          },
    );
  });

  private patternSeq = this.RULE('patternSeq', (): A.PatternTerm => {
    const items: A.PatternTerm[] = [];
    this.AT_LEAST_ONE(() => items.push(this.SUBRULE(this.patternTerm)));
    return this.ACTION((): A.PatternTerm =>
      items.length === 1
        ? (items[0] as A.PatternTerm)
        : {
            kind: 'seq',
            span: { start: (items[0] as A.PatternTerm).span.start, end: this.lastEnd() },
            items,
          },
    );
  });

  private patternTerm = this.RULE('patternTerm', (): A.PatternTerm => {
    const start = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          const name = this.SUBRULE(this.ident);
          const quantifier = this.OPTION(() => this.SUBRULE(this.quantifier));
          return this.ACTION((): A.PatternTerm => ({
            kind: 'var',
            span: this.spanFrom(start),
            name,
            quantifier: quantifier ?? null,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(P.LParen);
          const pattern = this.SUBRULE(this.patternAlt);
          this.CONSUME(P.RParen);
          const quantifier = this.OPTION2(() => this.SUBRULE2(this.quantifier));
          return this.ACTION((): A.PatternTerm => ({
            kind: 'group',
            span: this.spanFrom(start),
            pattern,
            quantifier: quantifier ?? null,
          }));
        },
      },
    ]);
  });

  private quantifier = this.RULE('quantifier', (): A.PatternQuantifier => {
    const range = this.OR([
      { ALT: () => (this.CONSUME(P.Star), [0, null] as [number, number | null]) },
      { ALT: () => (this.CONSUME(P.Plus), [1, null] as [number, number | null]) },
      { ALT: () => (this.CONSUME(P.Question), [0, 1] as [number, number | null]) },
      {
        ALT: () => {
          this.CONSUME(P.LBrace);
          const r = this.OR2([
            {
              ALT: () => {
                const min = Number(this.CONSUME(IntegerLiteral).image);
                const max = this.OPTION(() => {
                  this.CONSUME(P.Comma);
                  return this.OPTION2(() => Number(this.CONSUME2(IntegerLiteral).image)) ?? null;
                });
                return [min, max === undefined ? min : max] as [number, number | null];
              },
            },
            {
              ALT: () => {
                this.CONSUME2(P.Comma);
                return [0, Number(this.CONSUME3(IntegerLiteral).image)] as [number, number | null];
              },
            },
          ]);
          this.CONSUME(P.RBrace);
          return r;
        },
      },
    ]);
    const reluctant = this.OPTION3(() => this.CONSUME2(P.Question)) !== undefined;
    return this.ACTION(() => ({ min: range[0], max: range[1], reluctant }));
  });

  // ------------------------------------------------------------------------------------------- names

  public ident = this.RULE('ident', (): A.Ident => {
    const t = this.CONSUME(Name);
    return this.ACTION(() => identOf(t));
  });

  private qualifiedName = this.RULE('qualifiedName', (): A.QualifiedName => {
    // A one-part name (most are) without AT_LEAST_ONE_SEP's closure and lookahead.
    if (
      !this.RECORDING_PHASE &&
      this.fastExpressions &&
      NAME_TOKEN[this.LA(1).tokenTypeIdx] === 1 &&
      this.LA(2).tokenType !== P.Dot
    ) {
      const only = identOf(this.next());
      return { parts: [only], span: only.span };
    }
    const parts: A.Ident[] = [];
    // Name tokens are consumed here directly rather than through `ident`: one rule call less per name part.
    this.AT_LEAST_ONE_SEP({
      SEP: P.Dot,
      DEF: () => {
        const t = this.CONSUME(Name);
        this.ACTION(() => parts.push(identOf(t)));
      },
    });
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
    return this.ACTION(() => ({ ...base, notNull: notNull === true, span: this.spanAt(base.span.start) }));
  });

  private typeParams = this.RULE('typeParams', (): number[] => {
    const out: number[] = [];
    this.CONSUME(P.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => out.push(Number(this.CONSUME(IntegerLiteral).image)) });
    this.CONSUME(P.RParen);
    return out;
  });

  private optParams = this.RULE(
    'optParams',
    (): number[] => this.OPTION(() => this.SUBRULE(this.typeParams)) ?? [],
  );

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
          this.OR2([
            { ALT: () => this.CONSUME(K.DECIMAL) },
            { ALT: () => this.CONSUME(K.DEC) },
            { ALT: () => this.CONSUME(K.NUMERIC) },
          ]);
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
          const t = this.OR6([{ ALT: () => this.CONSUME(K.ARRAY) }, { ALT: () => this.CONSUME(K.MULTISET) }]);
          this.CONSUME(P.Lt);
          const element = this.SUBRULE(this.dataType);
          this.CONSUME(P.Gt);
          return this.ACTION(() => ({
            name: t.tokenType === K.ARRAY ? 'ARRAY' : 'MULTISET',
            params: [],
            notNull: false,
            span: this.spanFrom(start),
            element,
          }));
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
          return this.ACTION(() => ({
            name: 'MAP',
            params: [],
            notNull: false,
            span: this.spanFrom(start),
            key,
            value,
          }));
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
            // `ROW<>`: the lexer reads `<>` as not-equals.
            { ALT: () => this.CONSUME(P.Neq) },
            {
              ALT: () => {
                this.CONSUME(P.LParen);
                this.MANY_SEP2({ SEP: P.Comma, DEF: () => fields.push(this.SUBRULE2(this.rowField)) });
                this.CONSUME(P.RParen);
              },
            },
          ]);
          return this.ACTION(() => ({
            name: 'ROW',
            params: [],
            notNull: false,
            span: this.spanFrom(start),
            fields,
          }));
        },
      },
    ]);
  });

  private rowField = this.RULE(
    'rowField',
    (): { name: A.Ident; type: A.DataTypeAst; description?: string } => {
      const name = this.SUBRULE(this.ident);
      const type = this.SUBRULE(this.dataType);
      // ROW<name type 'description'>, as Flink's type grammar allows.
      const description = this.OPTION(() => this.CONSUME(StringLiteral));
      return this.ACTION(() =>
        description !== undefined
          ? { name, type, description: unquoteString(description.image) }
          : { name, type },
      );
    },
  );

  private timeUnitAlts: IOrAlt<A.TimeUnit>[] | undefined;

  private timeUnit = this.RULE('timeUnit', (): A.TimeUnit =>
    this.OR(
      (this.timeUnitAlts ??= TIME_UNITS.map(([tok, unit]) => ({ ALT: () => (this.CONSUME(tok), unit) }))),
    ),
  );

  // ------------------------------------------------------------------------------------------- expressions

  /**
   * OR and AND over NOT-operands, in one loop: the tree is built by precedence afterwards (AND binds tighter,
   * both left-associative). One rule instead of a rule per level keeps the call depth per operand low, which is
   * most of chevrotain's cost per token.
   */
  public expr = this.RULE('expr', (): A.Expr => {
    if (!this.RECORDING_PHASE && this.fastExpressions) {
      const fast = this.tryFast(false);
      if (fast !== null) return fast;
    }
    const operands: A.Expr[] = [];
    const ops: A.BinaryOp[] = [];
    // NOT binds looser than the predicates and tighter than AND, so `NOT NOT a = b` wraps the whole predicate.
    const operand = (nots: IToken[], p: A.Expr): void => {
      let e = p;
      for (let i = nots.length - 1; i >= 0; i--) {
        const t = nots[i] as IToken;
        e = { kind: 'unary', op: 'NOT', operand: e, span: { start: t.startOffset, end: e.span.end } };
      }
      operands.push(e);
    };
    const first: IToken[] = [];
    this.MANY(() => first.push(this.CONSUME(K.NOT)));
    const p = this.SUBRULE(this.predicate);
    this.ACTION(() => operand(first, p));
    this.MANY2(() => {
      ops.push(
        this.OR([
          { ALT: () => (this.CONSUME(K.OR), 'OR' as const) },
          { ALT: () => (this.CONSUME(K.AND), 'AND' as const) },
        ]),
      );
      const nots: IToken[] = [];
      this.MANY3(() => nots.push(this.CONSUME2(K.NOT)));
      const q = this.SUBRULE2(this.predicate);
      this.ACTION(() => operand(nots, q));
    });
    return this.ACTION(() => byPrecedence(operands, ops, BOOLEAN_LEVELS));
  });

  /** Comparison and the postfix predicates (IS ..., BETWEEN, IN, LIKE, SIMILAR TO), one per operand as in Calcite. */
  private predicate = this.RULE('predicate', (): A.Expr => {
    const left = this.SUBRULE(this.additive);
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
            return this.OR3([
              {
                ALT: () => {
                  this.CONSUME(K.NULL);
                  return this.ACTION((): A.Expr => ({
                    kind: 'isNull',
                    operand: left,
                    negated,
                    span: this.spanAt(left.span.start),
                  }));
                },
              },
              {
                ALT: () => {
                  const t = this.OR4([
                    { ALT: () => this.CONSUME(K.TRUE) },
                    { ALT: () => this.CONSUME(K.FALSE) },
                    { ALT: () => this.CONSUME(K.UNKNOWN) },
                  ]);
                  return this.ACTION((): A.Expr => ({
                    kind: 'isBool',
                    operand: left,
                    value: t.tokenType === K.TRUE ? true : t.tokenType === K.FALSE ? false : null,
                    negated,
                    span: this.spanAt(left.span.start),
                  }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.DISTINCT);
                  this.CONSUME(K.FROM);
                  const right = this.SUBRULE3(this.additive);
                  return this.ACTION((): A.Expr => ({
                    kind: 'isDistinctFrom',
                    left,
                    right,
                    negated,
                    span: this.spanAt(left.span.start),
                  }));
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            const negated = this.OPTION3(() => this.CONSUME2(K.NOT)) !== undefined;
            return this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.BETWEEN);
                  const symmetric = this.OPTION4(() =>
                    this.OR5([
                      { ALT: () => (this.CONSUME(K.SYMMETRIC), true) },
                      { ALT: () => (this.CONSUME(K.ASYMMETRIC), false) },
                    ]),
                  );
                  const low = this.SUBRULE4(this.additive);
                  this.CONSUME(K.AND);
                  const high = this.SUBRULE5(this.additive);
                  return this.ACTION((): A.Expr => ({
                    kind: 'between',
                    operand: left,
                    low,
                    high,
                    negated,
                    symmetric: symmetric === true,
                    span: { start: left.span.start, end: high.span.end },
                  }));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.IN);
                  return this.OR6([
                    {
                      GATE: () => this.isParenQuery(),
                      IGNORE_AMBIGUITIES: true,
                      ALT: () => {
                        const query = this.SUBRULE(this.parenQuery);
                        return this.ACTION((): A.Expr => ({
                          kind: 'inQuery',
                          operand: left,
                          query,
                          negated,
                          span: this.spanAt(left.span.start),
                        }));
                      },
                    },
                    {
                      ALT: () => {
                        const list = this.SUBRULE(this.parenExprList);
                        return this.ACTION((): A.Expr => ({
                          kind: 'inList',
                          operand: left,
                          list,
                          negated,
                          span: this.spanAt(left.span.start),
                        }));
                      },
                    },
                  ]);
                },
              },
              {
                ALT: () => {
                  const similar = this.OR7([
                    { ALT: () => (this.CONSUME(K.LIKE), false) },
                    { ALT: () => (this.CONSUME(K.SIMILAR), this.CONSUME(K.TO), true) },
                  ]);
                  const pattern = this.SUBRULE6(this.additive);
                  const escape = this.OPTION5(() => {
                    this.CONSUME(K.ESCAPE);
                    return this.SUBRULE7(this.additive);
                  });
                  return this.ACTION((): A.Expr => ({
                    kind: similar ? 'similarTo' : 'like',
                    operand: left,
                    pattern,
                    escape: escape ?? null,
                    negated,
                    span: this.spanAt(left.span.start),
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

  /** Arithmetic and `||` in one loop, built by precedence: `*`, `/`, `%`, `||` over `+`, `-` (as in Calcite). */
  private additive = this.RULE('additive', (): A.Expr => {
    if (!this.RECORDING_PHASE && this.fastExpressions) {
      const fast = this.tryFast(true);
      if (fast !== null) return fast;
    }
    const operands: A.Expr[] = [this.SUBRULE(this.unary)];
    const ops: A.BinaryOp[] = [];
    this.MANY(() => {
      ops.push(
        this.OR([
          { ALT: () => (this.CONSUME(P.Plus), '+' as const) },
          { ALT: () => (this.CONSUME(P.Minus), '-' as const) },
          { ALT: () => (this.CONSUME(P.Star), '*' as const) },
          { ALT: () => (this.CONSUME(P.Slash), '/' as const) },
          { ALT: () => (this.CONSUME(P.Percent), '%' as const) },
          { ALT: () => (this.CONSUME(P.Concat), '||' as const) },
        ]),
      );
      operands.push(this.SUBRULE2(this.unary));
    });
    return this.ACTION(() => byPrecedence(operands, ops, ARITHMETIC_LEVELS));
  });

  /**
   * Signs, a primary expression, then subscripts `a[i]` and field access `f(x).g`: one rule where there were
   * two (each rule call per operand is a measurable share of the parse time).
   */
  private unary = this.RULE('unary', (): A.Expr => {
    const signs: IToken[] = [];
    this.MANY(() =>
      signs.push(this.OR([{ ALT: () => this.CONSUME(P.Minus) }, { ALT: () => this.CONSUME(P.Plus) }])),
    );
    let operand = this.SUBRULE(this.primary);
    this.MANY2(() =>
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(P.LBracket);
            const index = this.SUBRULE(this.expr);
            this.CONSUME(P.RBracket);
            operand = this.ACTION((): A.Expr => ({
              kind: 'subscript',
              operand,
              index,
              span: this.spanAt(operand.span.start),
            }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(P.Dot);
            const field = this.SUBRULE(this.ident);
            operand = this.ACTION((): A.Expr => ({
              kind: 'fieldAccess',
              operand,
              field,
              span: this.spanAt(operand.span.start),
            }));
          },
        },
      ]),
    );
    return this.ACTION(() => {
      let e = operand;
      for (let i = signs.length - 1; i >= 0; i--) {
        const t = signs[i] as IToken;
        e = {
          kind: 'unary',
          op: t.tokenType === P.Minus ? '-' : '+',
          operand: e,
          span: { start: t.startOffset, end: e.span.end },
        };
      }
      return e;
    });
  });

  /**
   * Runs for every operand, so its alternatives (which capture nothing but `this`) are built once and reused:
   * a fresh array of closures per call was a visible share of the parse time.
   */
  private primaryAlts: IOrAlt<A.Expr>[] | undefined;

  private primary = this.RULE('primary', (): A.Expr =>
    this.OR(
      (this.primaryAlts ??= [
        {
          ALT: () => {
            const t = this.OR2([
              { ALT: () => this.CONSUME(IntegerLiteral) },
              { ALT: () => this.CONSUME(DecimalLiteral) },
            ]);
            return this.ACTION((): A.Expr => ({ kind: 'numberLit', text: t.image, span: this.spanOf(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(StringLiteral);
            return this.ACTION((): A.Expr => ({
              kind: 'stringLit',
              value: unquoteString(t.image),
              span: this.spanOf(t),
            }));
          },
        },
        {
          ALT: () => {
            const t = this.OR3([{ ALT: () => this.CONSUME(K.TRUE) }, { ALT: () => this.CONSUME(K.FALSE) }]);
            return this.ACTION((): A.Expr => ({
              kind: 'boolLit',
              value: t.tokenType === K.TRUE,
              span: this.spanOf(t),
            }));
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
            const t = this.OR4([
              { ALT: () => this.CONSUME(K.DATE) },
              { ALT: () => this.CONSUME(K.TIME) },
              { ALT: () => this.CONSUME(K.TIMESTAMP) },
            ]);
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
            return this.ACTION((): A.Expr => ({
              kind: 'intervalLit',
              value: unquoteString(v.image),
              from,
              to: to ?? null,
              span: this.spanFrom(t),
            }));
          },
        },
        {
          ALT: () => {
            const t = this.OR5([
              { ALT: () => this.CONSUME(K.CAST) },
              { ALT: () => this.CONSUME(K.TRY_CAST) },
            ]);
            this.CONSUME(P.LParen);
            const operand = this.SUBRULE(this.expr);
            this.CONSUME(K.AS);
            const type = this.SUBRULE(this.dataType);
            this.CONSUME(P.RParen);
            return this.ACTION((): A.Expr => ({
              kind: 'cast',
              operand,
              type,
              safe: t.tokenType === K.TRY_CAST,
              span: this.spanFrom(t),
            }));
          },
        },
        { ALT: () => this.SUBRULE(this.caseExpr) },
        {
          ALT: () => {
            const t = this.CONSUME(K.EXTRACT);
            this.CONSUME2(P.LParen);
            // Time units are non-reserved words, so any unit (YEAR, DOW, QUARTER, ...) is a name here.
            const unitName = this.SUBRULE(this.ident);
            const unit = this.ACTION(() => unitName.value.toUpperCase());
            this.CONSUME(K.FROM);
            const operand = this.SUBRULE2(this.expr);
            this.CONSUME2(P.RParen);
            return this.ACTION((): A.Expr => ({ kind: 'extract', unit, operand, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.EXISTS);
            const query = this.SUBRULE(this.parenQuery);
            return this.ACTION((): A.Expr => ({ kind: 'exists', query, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.ARRAY);
            this.CONSUME(P.LBracket);
            const elements: A.Expr[] = [];
            this.MANY_SEP({ SEP: P.Comma, DEF: () => elements.push(this.SUBRULE3(this.expr)) });
            this.CONSUME(P.RBracket);
            return this.ACTION((): A.Expr => ({ kind: 'arrayCtor', elements, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.MAP);
            this.CONSUME2(P.LBracket);
            const entries: { key: A.Expr; value: A.Expr }[] = [];
            this.MANY_SEP2({
              SEP: P.Comma,
              DEF: () => {
                const key = this.SUBRULE4(this.expr);
                this.CONSUME(P.Comma);
                const value = this.SUBRULE5(this.expr);
                entries.push({ key, value });
              },
            });
            this.CONSUME2(P.RBracket);
            return this.ACTION((): A.Expr => ({ kind: 'mapCtor', entries, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.ROW);
            this.CONSUME3(P.LParen);
            const fields: A.Expr[] = [];
            this.MANY_SEP3({ SEP: P.Comma, DEF: () => fields.push(this.SUBRULE6(this.expr)) });
            this.CONSUME3(P.RParen);
            return this.ACTION((): A.Expr => ({ kind: 'rowCtor', fields, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.DESCRIPTOR);
            const columns = this.SUBRULE(this.identList);
            return this.ACTION((): A.Expr => ({ kind: 'descriptor', columns, span: this.spanFrom(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.TABLE);
            const name = this.SUBRULE(this.qualifiedName);
            // SESSION's `TABLE t PARTITION BY k` or `PARTITION BY (k1, k2)`: names only, as in Calcite, so that
            // the comma after the key still separates the table function's arguments.
            const partitionBy = this.OPTION2(() => {
              this.CONSUME(K.PARTITION);
              this.CONSUME(K.BY);
              const keys: A.Expr[] = [];
              const key = (n: A.QualifiedName): void => {
                this.ACTION(() => keys.push({ kind: 'ident', name: n, span: n.span }));
              };
              this.OR7([
                { ALT: () => key(this.SUBRULE2(this.qualifiedName)) },
                {
                  ALT: () => {
                    this.CONSUME4(P.LParen);
                    this.AT_LEAST_ONE_SEP({
                      SEP: P.Comma,
                      DEF: () => key(this.SUBRULE3(this.qualifiedName)),
                    });
                    this.CONSUME4(P.RParen);
                  },
                },
              ]);
              return keys;
            });
            return this.ACTION((): A.Expr => ({
              kind: 'tableArg',
              name,
              ...(partitionBy !== undefined ? { partitionBy } : {}),
              span: this.spanFrom(t),
            }));
          },
        },
        // Before nameOrCall: `TRIM (` is both, and the keyword form wins.
        { ALT: () => this.SUBRULE(this.keywordCall), IGNORE_AMBIGUITIES: true },
        { ALT: () => this.SUBRULE(this.parenthesized) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
      ]),
    ),
  );

  /**
   * Calls with keyword syntax inside the parentheses (Flink's String, Arithmetic and JSON Functions):
   * `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)`, `POSITION(a IN b)`, `OVERLAY(s PLACING r FROM n [FOR m])`,
   * `FLOOR|CEIL(x [TO unit])`, `JSON_VALUE(j, path [RETURNING type] [... ON EMPTY] [... ON ERROR])`,
   * `JSON_OBJECT([KEY] k VALUE v, ... [NULL|ABSENT ON NULL])`. The plain forms (`TRIM(s)`, `FLOOR(x)`,
   * `JSON_VALUE(j, p)`) give the same `call` node as any other function; the keyword forms add `syntax`.
   */
  private keywordCall = this.RULE('keywordCall', (): A.Expr => {
    const start = this.LA(1);
    const name = (): A.QualifiedName => {
      const id = identOf(start);
      return { parts: [id], span: id.span };
    };
    const call = (args: A.Expr[], syntax?: A.CallSyntax): A.Expr => ({
      kind: 'call',
      name: name(),
      args,
      distinct: false,
      star: false,
      ...(syntax !== undefined ? { syntax } : {}),
      span: this.spanFrom(start),
    });
    const keyword = (t: IToken): A.Expr => {
      const span = this.spanOf(t);
      const id = { value: t.image.toUpperCase(), span, quoted: false };
      return { kind: 'ident', name: { parts: [id], span }, span };
    };
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.TRIM);
          this.CONSUME(P.LParen);
          const mode = this.OPTION(() =>
            this.OR2([
              { ALT: () => this.CONSUME(K.BOTH) },
              { ALT: () => this.CONSUME(K.LEADING) },
              { ALT: () => this.CONSUME(K.TRAILING) },
            ]),
          );
          const first = this.OPTION2(() => this.SUBRULE(this.expr));
          const from = this.OPTION3(() => {
            this.CONSUME(K.FROM);
            return this.SUBRULE2(this.expr);
          });
          this.CONSUME(P.RParen);
          return this.ACTION(() => {
            if (from === undefined) {
              if (mode !== undefined || first === undefined)
                this.semantic(
                  'TRIM with BOTH, LEADING or TRAILING needs FROM and the string',
                  this.spanFrom(start),
                );
              return call(first !== undefined ? [first] : []);
            }
            return call(
              [...(mode !== undefined ? [keyword(mode)] : []), ...(first !== undefined ? [first] : []), from],
              { kind: 'trim' },
            );
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.POSITION);
          this.CONSUME2(P.LParen);
          const needle = this.SUBRULE(this.additive);
          this.CONSUME(K.IN);
          const haystack = this.SUBRULE3(this.expr);
          const from = this.OPTION4(() => {
            this.CONSUME2(K.FROM);
            return this.SUBRULE4(this.expr);
          });
          this.CONSUME2(P.RParen);
          return this.ACTION(() =>
            call([needle, haystack, ...(from !== undefined ? [from] : [])], { kind: 'position' }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.OVERLAY);
          this.CONSUME3(P.LParen);
          const s = this.SUBRULE5(this.expr);
          this.CONSUME(K.PLACING);
          const r = this.SUBRULE6(this.expr);
          this.CONSUME3(K.FROM);
          const n = this.SUBRULE7(this.expr);
          const m = this.OPTION5(() => {
            this.CONSUME(K.FOR);
            return this.SUBRULE8(this.expr);
          });
          this.CONSUME3(P.RParen);
          return this.ACTION(() => call([s, r, n, ...(m !== undefined ? [m] : [])], { kind: 'overlay' }));
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.FLOOR) }, { ALT: () => this.CONSUME(K.CEIL) }]);
          this.CONSUME4(P.LParen);
          const args: A.Expr[] = [];
          this.MANY_SEP({ SEP: P.Comma, DEF: () => args.push(this.SUBRULE9(this.expr)) });
          // Time units are names here (YEAR ... SECOND, and WEEK, QUARTER, ... which are not keywords).
          const unit = this.OPTION6(() => {
            this.CONSUME(K.TO);
            return this.SUBRULE(this.ident);
          });
          this.CONSUME4(P.RParen);
          return this.ACTION(() => {
            if (unit === undefined) return call(args);
            if (args.length !== 1)
              this.semantic(
                `${start.image.toUpperCase()}(... TO unit) takes one operand`,
                this.spanFrom(start),
              );
            const span = unit.span;
            const u = { value: unit.value.toUpperCase(), span, quoted: false };
            return call([...args, { kind: 'ident', name: { parts: [u], span }, span }], { kind: 'floorTo' });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.JSON_VALUE);
          this.CONSUME5(P.LParen);
          const json = this.SUBRULE(this.callArg);
          this.CONSUME(P.Comma);
          const path = this.SUBRULE2(this.callArg);
          const returning = this.OPTION7(() => {
            this.CONSUME(K.RETURNING);
            // The base type only: `RETURNING INT NULL ON EMPTY` is a behavior, not a nullable INT.
            return this.SUBRULE(this.baseType);
          });
          const behaviors: A.JsonBehavior[] = [];
          this.MANY(() => behaviors.push(this.SUBRULE(this.jsonBehavior)));
          this.CONSUME5(P.RParen);
          return this.ACTION(() =>
            returning === undefined && behaviors.length === 0
              ? call([json, path])
              : call([json, path], { kind: 'json', keys: null, returning: returning ?? null, behaviors }),
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.JSON_OBJECT);
          this.CONSUME6(P.LParen);
          const args: A.Expr[] = [];
          const keys: boolean[] = [];
          this.MANY_SEP2({
            SEP: P.Comma,
            DEF: () => {
              const entry = this.SUBRULE(this.jsonEntry);
              this.ACTION(() => {
                args.push(entry.k, entry.v);
                keys.push(entry.key);
              });
            },
          });
          const behaviors: A.JsonBehavior[] = [];
          this.OPTION9(() => behaviors.push(this.SUBRULE2(this.jsonBehavior)));
          this.CONSUME6(P.RParen);
          return this.ACTION(() => call(args, { kind: 'json', keys, returning: null, behaviors }));
        },
      },
    ]);
  });

  /** `[KEY] k VALUE v` of JSON_OBJECT. */
  private jsonEntry = this.RULE('jsonEntry', (): { key: boolean; k: A.Expr; v: A.Expr } => {
    const key = this.OPTION(() => this.CONSUME(K.KEY)) !== undefined;
    const k = this.SUBRULE(this.expr);
    this.CONSUME(K.VALUE);
    const v = this.SUBRULE2(this.expr);
    return { key, k, v };
  });

  /** `NULL|ERROR|ABSENT|DEFAULT x ON EMPTY|ERROR|NULL`; which fit which function is the binder's business. */
  private jsonBehavior = this.RULE('jsonBehavior', (): A.JsonBehavior => {
    const start = this.LA(1);
    let value: A.Expr | null = null;
    const action = this.OR([
      { ALT: () => (this.CONSUME(K.NULL), 'NULL' as const) },
      { ALT: () => (this.CONSUME(K.ERROR), 'ERROR' as const) },
      { ALT: () => (this.CONSUME(K.ABSENT), 'ABSENT' as const) },
      {
        ALT: () => {
          this.CONSUME(K.DEFAULT);
          value = this.SUBRULE(this.additive);
          return 'DEFAULT' as const;
        },
      },
    ]);
    this.CONSUME(K.ON);
    const on = this.OR2([
      { ALT: () => (this.CONSUME(K.EMPTY), 'EMPTY' as const) },
      { ALT: () => (this.CONSUME2(K.ERROR), 'ERROR' as const) },
      { ALT: () => (this.CONSUME2(K.NULL), 'NULL' as const) },
    ]);
    return this.ACTION(() => ({ span: this.spanFrom(start), action, value, on }));
  });

  /**
   * `( expr )` or a scalar subquery `( query )`. Kept out of `primary` because a gated alternative forces
   * chevrotain's slower predicate-aware lookahead on the whole alternation, and primary runs for every operand.
   */
  private parenthesized = this.RULE('parenthesized', (): A.Expr =>
    // One token of lookahead and the gate decide: longer lookahead paths made this the slowest decision.
    this.OR({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.isParenQuery(),
          IGNORE_AMBIGUITIES: true,
          ALT: () => {
            const start = this.LA(1);
            const query = this.SUBRULE(this.parenQuery);
            return this.ACTION((): A.Expr => ({ kind: 'subquery', query, span: this.spanFrom(start) }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(P.LParen);
            const e = this.SUBRULE(this.expr);
            this.CONSUME(P.RParen);
            return e;
          },
        },
      ],
    }),
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
    return this.ACTION((): A.Expr => ({
      kind: 'case',
      operand: operand ?? null,
      whens,
      otherwise: otherwise ?? null,
      span: this.spanFrom(t),
    }));
  });

  /**
   * A column reference `a`, `t.a`, or a function call `f(...)` / `COUNT(*)` / `COUNT(DISTINCT x)`, with
   * `FILTER (WHERE ...)` and `OVER ...` after it. LEFT, RIGHT and GROUPING are keywords that also name functions.
   */
  private nameOrCall = this.RULE('nameOrCall', (): A.Expr => {
    const name = this.OR([
      { ALT: () => this.SUBRULE(this.qualifiedName) },
      {
        ALT: () => {
          const t = this.OR2([
            { ALT: () => this.CONSUME(K.LEFT) },
            { ALT: () => this.CONSUME(K.RIGHT) },
            { ALT: () => this.CONSUME(K.GROUPING) },
          ]);
          return this.ACTION((): A.QualifiedName => ({
            parts: [{ value: t.image.toUpperCase(), span: this.spanOf(t), quoted: false }],
            span: this.spanOf(t),
          }));
        },
      },
    ]);
    const call = this.OPTION(() => {
      this.CONSUME(P.LParen);
      const args: A.Expr[] = [];
      let distinct = false;
      let star = false;
      this.OPTION2(() =>
        this.OR3([
          { ALT: () => (this.CONSUME(P.Star), (star = true)) },
          {
            ALT: () => {
              this.OPTION3(() =>
                this.OR4([
                  { ALT: () => (this.CONSUME(K.DISTINCT), (distinct = true)) },
                  { ALT: () => this.CONSUME(K.ALL) },
                ]),
              );
              this.AT_LEAST_ONE_SEP({ SEP: P.Comma, DEF: () => args.push(this.SUBRULE(this.callArg)) });
              // SUBSTRING(s FROM i [FOR n]) is SUBSTRING(s, i, n).
              this.OPTION4(() => {
                this.CONSUME(K.FROM);
                args.push(this.SUBRULE(this.expr));
                this.OPTION5(() => {
                  this.CONSUME(K.FOR);
                  args.push(this.SUBRULE2(this.expr));
                });
              });
            },
          },
        ]),
      );
      this.CONSUME(P.RParen);
      return { args, distinct, star };
    });
    const filter = this.OPTION6(() => {
      this.CONSUME(K.FILTER);
      this.CONSUME2(P.LParen);
      this.CONSUME(K.WHERE);
      const e = this.SUBRULE3(this.expr);
      this.CONSUME2(P.RParen);
      return e;
    });
    const over = this.OPTION7(() => {
      this.CONSUME(K.OVER);
      return this.OR5([
        { ALT: () => this.SUBRULE(this.windowSpec) as A.WindowSpec | A.Ident },
        { ALT: () => this.SUBRULE(this.ident) as A.WindowSpec | A.Ident },
      ]);
    });
    return this.ACTION((): A.Expr => {
      if (call === undefined) {
        if (filter !== undefined || over !== undefined)
          this.semantic('FILTER and OVER apply to function calls only', this.spanAt(name.span.start));
        return { kind: 'ident', name, span: name.span };
      }
      let e: A.Expr = { kind: 'call', name, ...call, span: this.spanAt(name.span.start) };
      if (filter !== undefined)
        e = { kind: 'filter', call: e, where: filter, span: this.spanAt(name.span.start) };
      if (over !== undefined) e = { kind: 'over', call: e, window: over, span: this.spanAt(name.span.start) };
      return e;
    });
  });

  /** A call argument, possibly named: `DATA => TABLE t`. */
  private callArg = this.RULE('callArg', (): A.Expr =>
    this.OR([
      {
        ALT: () => {
          const name = this.SUBRULE(this.ident);
          this.CONSUME(P.Arrow);
          const value = this.SUBRULE(this.expr);
          return this.ACTION((): A.Expr => ({
            kind: 'namedArg',
            name,
            value,
            span: this.spanAt(name.span.start),
          }));
        },
      },
      { ALT: () => this.SUBRULE2(this.expr) },
    ]),
  );

  // ------------------------------------------------------------------------------ expressions, fast path

  /**
   * Whether `expr` and `additive` run the hand-written precedence-climbing parser below. The rule bodies after
   * it are the grammar as chevrotain records it (content assist, error descriptions and lookahead all come from
   * that recording) and the parser of last resort; the differential tests parse with this off and compare.
   */
  fastExpressions = true;

  /**
   * Parses an expression (or, with `arithmetic`, only the arithmetic level) by precedence climbing, reading the
   * tokens directly: no rule call, lookahead function or closure per operand, which were most of the parse
   * time. Anything it is not sure about (a mistake, a rare construct's odd corner) throws BAIL, and the rule
   * then rewinds and parses the same tokens with the recorded grammar, so errors and odd inputs behave exactly
   * as before; the rarer operand forms (EXTRACT, ARRAY[...], ...) are handed to the `primary` rule.
   */
  private tryFast(arithmetic: boolean): A.Expr | null {
    const cursor = this as unknown as Cursor;
    const at = cursor.currIdx;
    const semanticCount = this.semanticErrors.length;
    try {
      return arithmetic ? this.fastArith(0) : this.fastBool(0);
    } catch (e) {
      if (e !== BAIL) throw e;
      cursor.currIdx = at;
      this.semanticErrors.length = semanticCount;
      return null;
    }
  }

  private next(): IToken {
    const t = this.LA(1);
    (this as unknown as Cursor).currIdx++;
    return t;
  }

  /**
   * At run time with the fast paths on, whether the next token is not `type`: an LL(1) option that starts with
   * `type` is then skipped without chevrotain's option machinery (a closure and a lookahead call). Always false
   * while the grammar is recorded, so the option is recorded as usual.
   */
  private fastSkip(type: TokenType): boolean {
    return !this.RECORDING_PHASE && this.fastExpressions && this.LA(1).tokenType !== type;
  }

  /** fastSkip for options that start with any of `types`. */
  private fastSkipAll(types: ReadonlySet<TokenType>): boolean {
    return !this.RECORDING_PHASE && this.fastExpressions && !types.has(this.LA(1).tokenType);
  }

  private expect(type: TokenType): IToken {
    const t = this.LA(1);
    if (t.tokenType !== type) throw BAIL;
    (this as unknown as Cursor).currIdx++;
    return t;
  }

  /** OR and AND: binding power 1 and 2, left-associative; operands are NOT* predicate. */
  private fastBool(min: number): A.Expr {
    let left = this.fastNot();
    for (;;) {
      const tt = this.LA(1).tokenType;
      const bp = tt === K.OR ? 1 : tt === K.AND ? 2 : 0;
      if (bp <= min) return left;
      this.next();
      const right = this.fastBool(bp);
      left = binary(bp === 1 ? 'OR' : 'AND', left, right);
    }
  }

  /** NOT binds looser than the predicates and tighter than AND, so `NOT a = b` negates the comparison. */
  private fastNot(): A.Expr {
    const t = this.LA(1);
    if (t.tokenType !== K.NOT) return this.fastPredicate();
    this.next();
    const operand = this.fastNot();
    return { kind: 'unary', op: 'NOT', operand, span: { start: t.startOffset, end: operand.span.end } };
  }

  /** One comparison or postfix predicate after an arithmetic operand, as the `predicate` rule. */
  private fastPredicate(): A.Expr {
    const left = this.fastArith(0);
    let tt = this.LA(1).tokenType;
    const cmp = COMPARISON_OP[this.LA(1).tokenTypeIdx];
    if (cmp !== undefined) {
      this.next();
      return binary(cmp, left, this.fastArith(0));
    }
    if (tt === K.IS) {
      this.next();
      let negated = false;
      if (this.LA(1).tokenType === K.NOT) {
        this.next();
        negated = true;
      }
      const t = this.next().tokenType;
      if (t === K.NULL) return { kind: 'isNull', operand: left, negated, span: this.spanAt(left.span.start) };
      if (t === K.TRUE || t === K.FALSE || t === K.UNKNOWN) {
        const value = t === K.TRUE ? true : t === K.FALSE ? false : null;
        return { kind: 'isBool', operand: left, value, negated, span: this.spanAt(left.span.start) };
      }
      if (t !== K.DISTINCT) throw BAIL;
      this.expect(K.FROM);
      const right = this.fastArith(0);
      return { kind: 'isDistinctFrom', left, right, negated, span: this.spanAt(left.span.start) };
    }
    let negated = false;
    if (tt === K.NOT) {
      this.next();
      negated = true;
      tt = this.LA(1).tokenType;
    }
    if (tt === K.BETWEEN) {
      this.next();
      const s = this.LA(1).tokenType;
      let symmetric = false;
      if (s === K.SYMMETRIC || s === K.ASYMMETRIC) {
        this.next();
        symmetric = s === K.SYMMETRIC;
      }
      const low = this.fastArith(0);
      this.expect(K.AND);
      const high = this.fastArith(0);
      return {
        kind: 'between',
        operand: left,
        low,
        high,
        negated,
        symmetric,
        span: { start: left.span.start, end: high.span.end },
      };
    }
    if (tt === K.IN) {
      this.next();
      if (this.isParenQuery()) {
        const query = this.SUBRULE(this.parenQuery);
        return { kind: 'inQuery', operand: left, query, negated, span: this.spanAt(left.span.start) };
      }
      // The recorded grammar picks the list alternative on two tokens, `(` and an expression start.
      if (this.LA(1).tokenType !== P.LParen || EXPR_START[this.LA(2).tokenTypeIdx] !== 1) throw BAIL;
      const list = this.SUBRULE(this.parenExprList);
      return { kind: 'inList', operand: left, list, negated, span: this.spanAt(left.span.start) };
    }
    if (tt === K.LIKE || tt === K.SIMILAR) {
      this.next();
      if (tt === K.SIMILAR) this.expect(K.TO);
      const pattern = this.fastArith(0);
      let escape: A.Expr | null = null;
      if (this.LA(1).tokenType === K.ESCAPE) {
        this.next();
        escape = this.fastArith(0);
      }
      return {
        kind: tt === K.SIMILAR ? 'similarTo' : 'like',
        operand: left,
        pattern,
        escape,
        negated,
        span: this.spanAt(left.span.start),
      };
    }
    if (negated) throw BAIL;
    return left;
  }

  /** `+ -` (binding power 1) and `* / % ||` (2), left-associative, over signed operands. */
  private fastArith(min: number): A.Expr {
    let left = this.fastUnary();
    for (;;) {
      const t = this.LA(1);
      const bp = ARITH_BP[t.tokenTypeIdx] ?? 0;
      if (bp <= min) return left;
      this.next();
      const right = this.fastArith(bp);
      left = binary(ARITH_OP[t.tokenTypeIdx] as A.BinaryOp, left, right);
    }
  }

  /** Signs, a primary, then subscripts and field accesses (the signs apply to the whole postfix chain). */
  private fastUnary(): A.Expr {
    const t = this.LA(1);
    if (t.tokenType === P.Minus || t.tokenType === P.Plus) {
      this.next();
      const operand = this.fastUnary();
      return {
        kind: 'unary',
        op: t.tokenType === P.Minus ? '-' : '+',
        operand,
        span: { start: t.startOffset, end: operand.span.end },
      };
    }
    let operand = this.fastPrimary();
    for (;;) {
      const tt = this.LA(1).tokenType;
      if (tt === P.LBracket) {
        this.next();
        const index = this.fastBool(0);
        this.expect(P.RBracket);
        operand = { kind: 'subscript', operand, index, span: this.spanAt(operand.span.start) };
      } else if (tt === P.Dot) {
        if (!isNameToken(this.LA(2))) throw BAIL;
        this.next();
        const field = identOf(this.next());
        operand = { kind: 'fieldAccess', operand, field, span: this.spanAt(operand.span.start) };
      } else return operand;
    }
  }

  private fastPrimary(): A.Expr {
    const t = this.LA(1);
    const tt = t.tokenType;
    // TRIM(...), POSITION(...), ...: the keyword forms are left to the recorded grammar (rare, and varied).
    if (KEYWORD_CALL[t.tokenTypeIdx] === 1 && this.LA(2).tokenType === P.LParen)
      return this.SUBRULE(this.primary);
    if (NAME_TOKEN[t.tokenTypeIdx] === 1 || tt === K.LEFT || tt === K.RIGHT || tt === K.GROUPING)
      return this.fastNameOrCall();
    switch (tt) {
      case IntegerLiteral:
      case DecimalLiteral:
        this.next();
        return { kind: 'numberLit', text: t.image, span: this.spanOf(t) };
      case StringLiteral:
        this.next();
        return { kind: 'stringLit', value: unquoteString(t.image), span: this.spanOf(t) };
      case K.TRUE:
      case K.FALSE:
        this.next();
        return { kind: 'boolLit', value: tt === K.TRUE, span: this.spanOf(t) };
      case K.NULL:
        this.next();
        return { kind: 'nullLit', span: this.spanOf(t) };
      case K.DATE:
      case K.TIME:
      case K.TIMESTAMP: {
        this.next();
        const v = this.expect(StringLiteral);
        const type = tt === K.DATE ? 'DATE' : tt === K.TIME ? 'TIME' : 'TIMESTAMP';
        return { kind: 'typedLit', type, value: unquoteString(v.image), span: this.spanFrom(t) };
      }
      case K.INTERVAL: {
        this.next();
        const v = this.expect(StringLiteral);
        const from = this.fastTimeUnit();
        let to: A.TimeUnit | null = null;
        if (this.LA(1).tokenType === K.TO) {
          this.next();
          to = this.fastTimeUnit();
        }
        return { kind: 'intervalLit', value: unquoteString(v.image), from, to, span: this.spanFrom(t) };
      }
      case K.CAST:
      case K.TRY_CAST: {
        this.next();
        this.expect(P.LParen);
        const operand = this.fastBool(0);
        this.expect(K.AS);
        const type = this.SUBRULE(this.dataType);
        this.expect(P.RParen);
        return { kind: 'cast', operand, type, safe: tt === K.TRY_CAST, span: this.spanFrom(t) };
      }
      case K.CASE:
        return this.SUBRULE(this.caseExpr);
      case P.LParen: {
        if (this.isParenQuery()) {
          const query = this.SUBRULE(this.parenQuery);
          return { kind: 'subquery', query, span: this.spanFrom(t) };
        }
        this.next();
        const e = this.fastBool(0);
        this.expect(P.RParen);
        return e;
      }
      case K.EXTRACT:
      case K.EXISTS:
      case K.ARRAY:
      case K.MAP:
      case K.ROW:
      case K.DESCRIPTOR:
      case K.TABLE:
        return this.SUBRULE(this.primary);
      default:
        throw BAIL;
    }
  }

  private fastTimeUnit(): A.TimeUnit {
    const unit = TIME_UNIT_OF.get(this.LA(1).tokenType);
    if (unit === undefined) throw BAIL;
    this.next();
    return unit;
  }

  /** As the `nameOrCall` rule: a name, or a call with its FILTER and OVER (spans reach the end of all three). */
  private fastNameOrCall(): A.Expr {
    const first = this.next();
    let name: A.QualifiedName;
    if (NAME_TOKEN[first.tokenTypeIdx] === 1) {
      const parts: A.Ident[] = [identOf(first)];
      while (this.LA(1).tokenType === P.Dot) {
        if (NAME_TOKEN[this.LA(2).tokenTypeIdx] !== 1) throw BAIL;
        this.next();
        parts.push(identOf(this.next()));
      }
      // Spans are immutable values, so a one-part name shares its identifier's (an object less per name).
      name = {
        parts,
        span:
          parts.length === 1
            ? (parts[0] as A.Ident).span
            : { start: (parts[0] as A.Ident).span.start, end: (parts[parts.length - 1] as A.Ident).span.end },
      };
    } else {
      const span = this.spanOf(first);
      name = { parts: [{ value: first.image.toUpperCase(), span, quoted: false }], span };
    }
    let call: { args: A.Expr[]; distinct: boolean; star: boolean } | undefined;
    if (this.LA(1).tokenType === P.LParen) {
      this.next();
      const args: A.Expr[] = [];
      let distinct = false;
      let star = false;
      const tt = this.LA(1).tokenType;
      if (tt === P.Star) {
        this.next();
        star = true;
      } else if (tt !== P.RParen) {
        if (tt === K.DISTINCT) {
          this.next();
          distinct = true;
        } else if (tt === K.ALL) this.next();
        args.push(this.fastCallArg());
        while (this.LA(1).tokenType === P.Comma) {
          this.next();
          args.push(this.fastCallArg());
        }
        // SUBSTRING(s FROM i [FOR n]) is SUBSTRING(s, i, n).
        if (this.LA(1).tokenType === K.FROM) {
          this.next();
          args.push(this.fastBool(0));
          if (this.LA(1).tokenType === K.FOR) {
            this.next();
            args.push(this.fastBool(0));
          }
        }
      }
      this.expect(P.RParen);
      call = { args, distinct, star };
    }
    let filter: A.Expr | undefined;
    if (this.LA(1).tokenType === K.FILTER) {
      this.next();
      this.expect(P.LParen);
      this.expect(K.WHERE);
      filter = this.fastBool(0);
      this.expect(P.RParen);
    }
    let over: A.WindowSpec | A.Ident | undefined;
    if (this.LA(1).tokenType === K.OVER) {
      this.next();
      if (this.LA(1).tokenType === P.LParen) over = this.SUBRULE(this.windowSpec);
      else if (NAME_TOKEN[this.LA(1).tokenTypeIdx] === 1) over = identOf(this.next());
      else throw BAIL;
    }
    if (call === undefined) {
      if (filter !== undefined || over !== undefined)
        this.semantic('FILTER and OVER apply to function calls only', this.spanAt(name.span.start));
      return { kind: 'ident', name, span: name.span };
    }
    // Spelled out rather than spread: the spread was the costliest line of the fast path.
    let e: A.Expr = {
      kind: 'call',
      name,
      args: call.args,
      distinct: call.distinct,
      star: call.star,
      span: this.spanAt(name.span.start),
    };
    if (filter !== undefined)
      e = { kind: 'filter', call: e, where: filter, span: this.spanAt(name.span.start) };
    if (over !== undefined) e = { kind: 'over', call: e, window: over, span: this.spanAt(name.span.start) };
    return e;
  }

  private fastCallArg(): A.Expr {
    if (NAME_TOKEN[this.LA(1).tokenTypeIdx] === 1 && this.LA(2).tokenType === P.Arrow) {
      const name = identOf(this.next());
      this.next();
      const value = this.fastBool(0);
      return { kind: 'namedArg', name, value, span: this.spanAt(name.span.start) };
    }
    return this.fastBool(0);
  }

  /** The body of OVER (...) and of a WINDOW clause entry. */
  private windowSpec = this.RULE('windowSpec', (): A.WindowSpec => {
    const start = this.CONSUME(P.LParen);
    const base = this.OPTION(() => this.SUBRULE(this.ident));
    const partitionBy = this.OPTION2(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      return this.SUBRULE(this.exprList);
    });
    const orderBy = this.OPTION3(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      return this.SUBRULE(this.orderItems);
    });
    const frame = this.OPTION4(() => this.SUBRULE(this.windowFrame));
    this.CONSUME(P.RParen);
    return this.ACTION(() => ({
      span: this.spanFrom(start),
      base: base ?? null,
      partitionBy: partitionBy ?? [],
      orderBy: orderBy ?? [],
      frame: frame ?? null,
    }));
  });

  private windowFrame = this.RULE('windowFrame', (): A.WindowFrame => {
    const start = this.OR([{ ALT: () => this.CONSUME(K.ROWS) }, { ALT: () => this.CONSUME(K.RANGE) }]);
    const bounds = this.OR2([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          const lo = this.SUBRULE(this.frameBound);
          this.CONSUME(K.AND);
          const hi = this.SUBRULE2(this.frameBound);
          return [lo, hi] as [A.FrameBound, A.FrameBound | null];
        },
      },
      { ALT: () => [this.SUBRULE3(this.frameBound), null] as [A.FrameBound, A.FrameBound | null] },
    ]);
    return this.ACTION(() => ({
      span: this.spanFrom(start),
      unit: start.tokenType === K.ROWS ? ('ROWS' as const) : ('RANGE' as const),
      start: bounds[0],
      end: bounds[1],
    }));
  });

  private frameBound = this.RULE('frameBound', (): A.FrameBound => {
    const start = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.UNBOUNDED);
          const following = this.OR2([
            { ALT: () => (this.CONSUME(K.PRECEDING), false) },
            { ALT: () => (this.CONSUME(K.FOLLOWING), true) },
          ]);
          return this.ACTION((): A.FrameBound => ({
            kind: following ? 'unboundedFollowing' : 'unboundedPreceding',
            span: this.spanFrom(start),
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.CURRENT);
          this.CONSUME(K.ROW);
          return this.ACTION((): A.FrameBound => ({ kind: 'currentRow', span: this.spanFrom(start) }));
        },
      },
      {
        ALT: () => {
          const offset = this.SUBRULE(this.additive);
          const following = this.OR3([
            { ALT: () => (this.CONSUME2(K.PRECEDING), false) },
            { ALT: () => (this.CONSUME2(K.FOLLOWING), true) },
          ]);
          return this.ACTION((): A.FrameBound => ({
            kind: following ? 'following' : 'preceding',
            offset,
            span: this.spanFrom(start),
          }));
        },
      },
    ]);
  });
}

/** Thrown by the fast expression parser where it leaves the input to the recorded grammar. */
const BAIL = new Error('fast expression parser: rewind');

/** The parser's token cursor (chevrotain keeps it in a field that its typings do not show). */
interface Cursor {
  currIdx: number;
}

const COMPARISON = new Map<TokenType, A.BinaryOp>([
  [P.Eq, '='],
  [P.Neq, '<>'],
  [P.Le, '<='],
  [P.Ge, '>='],
  [P.Lt, '<'],
  [P.Gt, '>'],
]);

const TIME_UNIT_OF = new Map<TokenType, A.TimeUnit>(TIME_UNITS);
const COMPARISON_OP: Array<A.BinaryOp | undefined> = [];
for (const [t, op] of COMPARISON) COMPARISON_OP[t.tokenTypeIdx as number] = op;

/** Token tables by tokenTypeIdx: binding power and operator of arithmetic tokens, and which tokens are names. */
const ARITH_BP: number[] = [];
const ARITH_OP: A.BinaryOp[] = [];
for (const [t, bp, op] of [
  [P.Plus, 1, '+'],
  [P.Minus, 1, '-'],
  [P.Star, 2, '*'],
  [P.Slash, 2, '/'],
  [P.Percent, 2, '%'],
  [P.Concat, 2, '||'],
] as const) {
  ARITH_BP[t.tokenTypeIdx as number] = bp;
  ARITH_OP[t.tokenTypeIdx as number] = op;
}
const NAME_TOKEN = new Uint8Array(1024);
const KEYWORD_CALL = new Uint8Array(1024);
for (const t of [K.TRIM, K.POSITION, K.OVERLAY, K.FLOOR, K.CEIL, K.JSON_VALUE, K.JSON_OBJECT])
  KEYWORD_CALL[t.tokenTypeIdx as number] = 1;
/** The tokens that can start an expression (a test checks this against the recorded grammar's FIRST set). */
export const EXPR_START = new Uint8Array(1024);
for (const t of allTokens) {
  if (t === Identifier || t === QuotedIdentifier || (t.CATEGORIES ?? []).includes(NonReserved)) {
    NAME_TOKEN[t.tokenTypeIdx as number] = 1;
    EXPR_START[t.tokenTypeIdx as number] = 1;
  }
}
for (const t of [
  IntegerLiteral,
  DecimalLiteral,
  StringLiteral,
  K.TRUE,
  K.FALSE,
  K.NULL,
  K.DATE,
  K.TIME,
  K.TIMESTAMP,
  K.INTERVAL,
  K.CAST,
  K.TRY_CAST,
  K.CASE,
  K.EXTRACT,
  K.EXISTS,
  K.ARRAY,
  K.MAP,
  K.ROW,
  K.DESCRIPTOR,
  K.TABLE,
  K.LEFT,
  K.RIGHT,
  K.GROUPING,
  P.LParen,
  P.Minus,
  P.Plus,
  K.NOT,
]) {
  EXPR_START[t.tokenTypeIdx as number] = 1;
}

function identOf(t: IToken): A.Ident {
  const span = { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  return t.tokenType === QuotedIdentifier
    ? { value: unquoteIdent(t.image), span, quoted: true }
    : { value: t.image, span, quoted: false };
}

function binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } };
}

const BOOLEAN_LEVELS: ReadonlyArray<ReadonlySet<A.BinaryOp>> = [new Set(['AND']), new Set(['OR'])];
const ARITHMETIC_LEVELS: ReadonlyArray<ReadonlySet<A.BinaryOp>> = [
  new Set(['*', '/', '%', '||']),
  new Set(['+', '-']),
];

/** Folds `a op b op c ...` into a tree: tightest level first, each level left to right (left-associative). */
function byPrecedence(
  operands: A.Expr[],
  ops: A.BinaryOp[],
  levels: ReadonlyArray<ReadonlySet<A.BinaryOp>>,
): A.Expr {
  if (ops.length === 0) return operands[0] as A.Expr;
  const xs = operands.slice();
  const os = ops.slice();
  for (const level of levels) {
    for (let i = 0; i < os.length;) {
      const op = os[i] as A.BinaryOp;
      if (level.has(op)) {
        xs.splice(i, 2, binary(op, xs[i] as A.Expr, xs[i + 1] as A.Expr));
        os.splice(i, 1);
      } else i++;
    }
  }
  return xs[0] as A.Expr;
}

/** Tokens that never form valid SQL on their own, used to explain a mistake rather than just reject it. */
export const MisuseTokens = { DoubleQuoted } as const;
