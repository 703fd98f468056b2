// Chevrotain's LL(k) decisions, compiled to tables: for each alternation and optional production, the
// lookahead paths are indexed by their first token, so a decision reads one array slot and checks only the
// paths that start with the next token. The default strategy scans every path of every alternative (and, for
// gated alternations, allocates an array of gates) on each decision, which was a tenth of the parse time.
// Same paths, same order, same gates: the choice is the one chevrotain's own functions make.
import {
  getLookaheadPaths,
  LLkLookaheadStrategy,
  tokenMatcher,
  type IOrAlt,
  type IToken,
  type OptionalProductionType,
  type Rule,
  type TokenType,
} from 'chevrotain';

/** The parser as the lookahead functions see it (`LA` is protected in chevrotain's typings). */
interface Lookahead {
  LA(howMuch: number): IToken;
}

/** One lookahead path of an alternative: the tokens after the first, which the table has already matched. */
interface Candidate {
  readonly alt: number;
  readonly rest: readonly TokenType[];
}

/** Every token type index a path token matches: itself and, for a category, its members. */
function matching(t: TokenType): number[] {
  return [
    t.tokenTypeIdx as number,
    ...((t as unknown as { categoryMatches?: number[] }).categoryMatches ?? []),
  ];
}

function restMatches(parser: Lookahead, rest: readonly TokenType[]): boolean {
  for (let i = 0; i < rest.length; i++) {
    if (!tokenMatcher(parser.LA(i + 2), rest[i] as TokenType)) return false;
  }
  return true;
}

export class TableLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(options: {
    prodOccurrence: number;
    rule: Rule;
    maxLookahead: number;
    hasPredicates: boolean;
    dynamicTokensEnabled: boolean;
  }): (this: Lookahead, orAlts?: IOrAlt<unknown>[]) => number | undefined {
    const alts = getLookaheadPaths({
      occurrence: options.prodOccurrence,
      rule: options.rule,
      prodType: 'Alternation',
      maxLookahead: options.maxLookahead,
    });
    // An empty path matches before any token: keep chevrotain's scan for those rare alternations.
    if (options.dynamicTokensEnabled || alts.some((paths) => paths.some((p) => p.length === 0))) {
      return super.buildLookaheadForAlternation(options);
    }
    const table: Candidate[][] = [];
    alts.forEach((paths, alt) => {
      for (const path of paths) {
        for (const idx of matching(path[0] as TokenType))
          (table[idx] ??= []).push({ alt, rest: path.slice(1) });
      }
    });
    const gated = options.hasPredicates;
    if (!gated && table.every((cs) => cs === undefined || (cs[0] as Candidate).rest.length === 0)) {
      // LL(1) and ungated (most decisions): the first candidate is the answer, one typed-array read.
      const alt = new Int16Array(table.length).fill(-1);
      table.forEach((cs, idx) => {
        if (cs !== undefined) alt[idx] = (cs[0] as Candidate).alt;
      });
      return function (this: Lookahead): number | undefined {
        const a = alt[this.LA(1).tokenTypeIdx];
        return a === undefined || a < 0 ? undefined : a;
      };
    }
    return function (this: Lookahead, orAlts?: IOrAlt<unknown>[]): number | undefined {
      const candidates = table[this.LA(1).tokenTypeIdx];
      if (candidates === undefined) return undefined;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i] as Candidate;
        if (gated) {
          const gate = orAlts?.[c.alt]?.GATE;
          if (gate !== undefined && gate.call(this) === false) continue;
        }
        if (c.rest.length === 0 || restMatches(this, c.rest)) return c.alt;
      }
      return undefined;
    };
  }

  override buildLookaheadForOptional(options: {
    prodOccurrence: number;
    prodType: OptionalProductionType;
    rule: Rule;
    maxLookahead: number;
    dynamicTokensEnabled: boolean;
  }): (this: Lookahead) => boolean {
    const [inside] = getLookaheadPaths({
      occurrence: options.prodOccurrence,
      rule: options.rule,
      prodType: options.prodType,
      maxLookahead: options.maxLookahead,
    });
    if (options.dynamicTokensEnabled || inside === undefined || inside.some((p) => p.length === 0)) {
      return super.buildLookaheadForOptional(options);
    }
    const table: Array<Array<readonly TokenType[]> | undefined> = [];
    for (const path of inside) {
      for (const idx of matching(path[0] as TokenType)) (table[idx] ??= []).push(path.slice(1));
    }
    if (inside.every((p) => p.length === 1)) {
      const enter = new Uint8Array(table.length);
      table.forEach((rests, idx) => {
        if (rests !== undefined) enter[idx] = 1;
      });
      return function (this: Lookahead): boolean {
        return enter[this.LA(1).tokenTypeIdx] === 1;
      };
    }
    return function (this: Lookahead): boolean {
      const rests = table[this.LA(1).tokenTypeIdx];
      if (rests === undefined) return false;
      for (let i = 0; i < rests.length; i++) {
        const rest = rests[i] as readonly TokenType[];
        if (rest.length === 0 || restMatches(this, rest)) return true;
      }
      return false;
    };
  }
}
