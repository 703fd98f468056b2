// Content assist: which tokens may come next after a prefix of a statement, and whether a table, column or
// function name fits there. Chevrotain 13 dropped computeContentAssist, so this walks the grammar's GAST
// (getGAstProductions) itself, simulating every parse path of the prefix at once, gates ignored.
import type {
  Alternative} from 'chevrotain';
import {
  Alternation,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
  tokenMatcher,
  type IProduction,
  type IToken,
  type Rule,
  type TokenType,
} from 'chevrotain';
import type { SqlGrammar } from './grammar.js';

/** The rest of a sequence to match, then what follows it; `rule` is the rule the sequence belongs to. */
interface Frame {
  readonly seq: readonly IProduction[];
  readonly i: number;
  readonly rule: string;
  readonly next: Frame | null;
}

export interface NextToken {
  readonly type: TokenType;
  /** Rule names from the innermost outwards at the point this token would be matched. */
  readonly context: readonly string[];
}

const expansions = new WeakMap<IProduction, IProduction[]>();

/** Repetitions rewritten as sequences over a plain Repetition, so the walker needs one looping construct. */
function expansion(p: IProduction): IProduction[] {
  let e = expansions.get(p);
  if (e !== undefined) return e;
  if (p instanceof RepetitionMandatory) {
    e = [...p.definition, new Repetition({ definition: p.definition })];
  } else if (p instanceof RepetitionWithSeparator) {
    e = [new Option({ definition: [...p.definition, new Repetition({ definition: [new Terminal({ terminalType: p.separator }), ...p.definition] })] })];
  } else if (p instanceof RepetitionMandatoryWithSeparator) {
    e = [...p.definition, new Repetition({ definition: [new Terminal({ terminalType: p.separator }), ...p.definition] })];
  } else {
    e = [p];
  }
  expansions.set(p, e);
  return e;
}

const loops = new WeakMap<IProduction, IProduction[]>();

/** The one-element sequence that re-enters a repetition; cached so that equal states get equal keys. */
function loopOf(p: IProduction): IProduction[] {
  let l = loops.get(p);
  if (l === undefined) {
    l = [p];
    loops.set(p, l);
  }
  return l;
}

export class GrammarWalker {
  private readonly rules: Record<string, Rule>;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 1;

  constructor(grammar: SqlGrammar) {
    this.rules = grammar.getGAstProductions();
  }

  private id(o: object): number {
    let v = this.ids.get(o);
    if (v === undefined) {
      v = this.nextId++;
      this.ids.set(o, v);
    }
    return v;
  }

  private readonly keys = new WeakMap<Frame, string>();

  /** A state's identity: frames are immutable, so the key of a frame extends its continuation's cached key. */
  private key(f: Frame | null): string {
    if (f === null) return '';
    let k = this.keys.get(f);
    if (k === undefined) {
      k = `${this.id(f.seq)}:${f.i},${this.key(f.next)}`;
      this.keys.set(f, k);
    }
    return k;
  }

  /** Every terminal that can come next from `frame` (with the frame after it), and whether the input may end. */
  private closure(start: Frame | null, out: Array<{ term: Terminal; rest: Frame | null; frame: Frame }>): boolean {
    let canEnd = false;
    const seen = new Set<string>();
    const visit = (f: Frame | null, depth: number): void => {
      if (depth > 400) return;
      if (f === null) {
        canEnd = true;
        return;
      }
      if (f.i >= f.seq.length) {
        visit(f.next, depth + 1);
        return;
      }
      const k = this.key(f);
      if (seen.has(k)) return;
      seen.add(k);
      const p = f.seq[f.i] as IProduction;
      const after: Frame = { seq: f.seq, i: f.i + 1, rule: f.rule, next: f.next };
      if (p instanceof Terminal) {
        out.push({ term: p, rest: after, frame: f });
      } else if (p instanceof NonTerminal) {
        visit({ seq: p.referencedRule.definition, i: 0, rule: p.nonTerminalName, next: after }, depth + 1);
      } else if (p instanceof Alternation) {
        for (const alt of p.definition as Alternative[]) visit({ seq: alt.definition, i: 0, rule: f.rule, next: after }, depth + 1);
      } else if (p instanceof Option) {
        visit({ seq: p.definition, i: 0, rule: f.rule, next: after }, depth + 1);
        visit(after, depth + 1);
      } else if (p instanceof Repetition) {
        visit({ seq: p.definition, i: 0, rule: f.rule, next: { seq: loopOf(p), i: 0, rule: f.rule, next: f.next } }, depth + 1);
        visit(after, depth + 1);
      } else if (p instanceof RepetitionMandatory || p instanceof RepetitionWithSeparator || p instanceof RepetitionMandatoryWithSeparator) {
        visit({ seq: expansion(p), i: 0, rule: f.rule, next: after }, depth + 1);
      } else {
        // Alternative, Rule: plain sequences.
        const seq = (p as unknown as { definition?: IProduction[] }).definition ?? [];
        visit({ seq, i: 0, rule: f.rule, next: after }, depth + 1);
      }
    };
    visit(start, 0);
    return canEnd;
  }

  /**
   * The tokens that may follow `tokens` when parsed from `ruleName`, or null when the prefix itself cannot be
   * parsed. The state set is capped so that a pathological prefix cannot take long.
   */
  next(ruleName: string, tokens: readonly IToken[]): { next: NextToken[]; canEnd: boolean } | null {
    const rule = this.rules[ruleName];
    if (rule === undefined) throw new Error(`no rule ${ruleName}`);
    let states: Array<Frame | null> = [{ seq: rule.definition, i: 0, rule: ruleName, next: null }];
    for (const tok of tokens) {
      const nextStates = new Map<string, Frame | null>();
      for (const s of states) {
        const out: Array<{ term: Terminal; rest: Frame | null; frame: Frame }> = [];
        this.closure(s, out);
        for (const o of out) {
          if (tokenMatcher(tok, o.term.terminalType)) {
            const k = this.key(o.rest);
            if (!nextStates.has(k)) nextStates.set(k, o.rest);
          }
        }
        if (nextStates.size > 2000) break;
      }
      if (nextStates.size === 0) return null;
      states = [...nextStates.values()];
    }
    const result = new Map<string, NextToken>();
    let canEnd = false;
    for (const s of states) {
      const out: Array<{ term: Terminal; rest: Frame | null; frame: Frame }> = [];
      if (this.closure(s, out)) canEnd = true;
      for (const o of out) {
        const context: string[] = [];
        for (let f: Frame | null = o.frame; f !== null && context.length < 6; f = f.next) {
          if (context[context.length - 1] !== f.rule) context.push(f.rule);
        }
        const k = `${o.term.terminalType.name}|${context.join('/')}`;
        if (!result.has(k)) result.set(k, { type: o.term.terminalType, context });
      }
    }
    return { next: [...result.values()], canEnd };
  }

  /** FIRST set of a rule: the token types that can start it. */
  first(ruleName: string): Set<TokenType> {
    const r = this.next(ruleName, []);
    return new Set((r?.next ?? []).map((n) => n.type));
  }
}
