// The row pattern of MATCH_RECOGNIZE compiled into an NFA, as Flink's NFACompiler turns a CEP Pattern into
// states: a variable is a state that takes one row when its DEFINE condition holds, quantifiers expand into copies
// (`{2,4}` = two mandatory takes and two optional ones) and loops, `|` into branches. Edges without a row are
// splits; a split out of a greedy quantifier leaves the loop only for a row the loop cannot take (Flink's
// NFACompiler.extendWithGreedyCondition), a reluctant one (`*?`, `+?`) explores both ways.

/** The pattern as the planner hands it over (names as written; `max` Infinity = unbounded). */
export type MatchPattern =
  | {
      readonly kind: 'var';
      readonly name: string;
      readonly min: number;
      readonly max: number;
      readonly greedy: boolean;
    }
  | {
      readonly kind: 'group';
      readonly pattern: MatchPattern;
      readonly min: number;
      readonly max: number;
      readonly greedy: boolean;
    }
  | { readonly kind: 'seq'; readonly items: readonly MatchPattern[] }
  | { readonly kind: 'alt'; readonly items: readonly MatchPattern[] };

export type NfaNode =
  | { readonly kind: 'take'; readonly variable: string; next: number }
  /**
   * Row-less edges to `targets`, in preference order. `greedyLoop`: the first target re-enters a greedy loop (or
   * takes a greedy optional row); the others are followed only when no row can be taken through it.
   */
  | { readonly kind: 'split'; readonly targets: number[]; readonly greedyLoop: boolean }
  | { readonly kind: 'final' };

export interface Nfa {
  readonly nodes: readonly NfaNode[];
  readonly start: number;
}

/** Compiles a pattern; `start` leads to the first take, the final node ends it. */
export function compileNfa(p: MatchPattern): Nfa {
  const nodes: NfaNode[] = [];
  const add = (n: NfaNode): number => nodes.push(n) - 1;
  const final = add({ kind: 'final' });
  /** Builds `p` so that it continues to `next`; returns its entry node. */
  const build = (q: MatchPattern, next: number): number => {
    switch (q.kind) {
      case 'var':
        return quantified(q.min, q.max, q.greedy, next, (n) =>
          add({ kind: 'take', variable: q.name, next: n }),
        );
      case 'group':
        return quantified(q.min, q.max, q.greedy, next, (n) => build(q.pattern, n));
      case 'seq': {
        let entry = next;
        for (let i = q.items.length - 1; i >= 0; i--) entry = build(q.items[i] as MatchPattern, entry);
        return entry;
      }
      case 'alt':
        return add({ kind: 'split', targets: q.items.map((it) => build(it, next)), greedyLoop: false });
    }
  };
  /** `body` min..max times then `next`: mandatory copies, then optional copies or a loop. */
  const quantified = (
    min: number,
    max: number,
    greedy: boolean,
    next: number,
    body: (next: number) => number,
  ): number => {
    let entry: number;
    if (max === Infinity) {
      // loop: split(body → loop, exit → next)
      const loop = add({ kind: 'split', targets: [], greedyLoop: greedy });
      const inner = body(loop);
      (nodes[loop] as Extract<NfaNode, { kind: 'split' }>).targets.push(
        ...(greedy ? [inner, next] : [next, inner]),
      );
      entry = loop;
    } else {
      entry = next;
      // Optional copies nest: (body (body next)?)? — each may be skipped straight to `next`.
      for (let i = 0; i < max - min; i++) {
        const inner = body(entry);
        entry = add({ kind: 'split', targets: greedy ? [inner, next] : [next, inner], greedyLoop: greedy });
      }
    }
    for (let i = 0; i < min; i++) entry = body(entry);
    return entry;
  };
  const start = build(p, final);
  return { nodes, start };
}

/** Whether the pattern can match no rows at all (Flink refuses such patterns). */
export function canBeEmpty(p: MatchPattern): boolean {
  switch (p.kind) {
    case 'var':
      return p.min === 0;
    case 'group':
      return p.min === 0 || canBeEmpty(p.pattern);
    case 'seq':
      return p.items.every(canBeEmpty);
    case 'alt':
      return p.items.some(canBeEmpty);
  }
}

/** The variables of a pattern, in order of first appearance. */
export function patternVariables(p: MatchPattern, out: string[] = []): string[] {
  switch (p.kind) {
    case 'var':
      if (!out.includes(p.name)) out.push(p.name);
      break;
    case 'group':
      patternVariables(p.pattern, out);
      break;
    case 'seq':
    case 'alt':
      for (const it of p.items) patternVariables(it, out);
      break;
  }
  return out;
}

/** `A B+? (C | D){2}` — the pattern as written (EXPLAIN). */
export function formatPattern(p: MatchPattern): string {
  const q = (min: number, max: number, greedy: boolean): string => {
    const base =
      min === 0 && max === Infinity
        ? '*'
        : min === 1 && max === Infinity
          ? '+'
          : min === 0 && max === 1
            ? '?'
            : min === max
              ? `{${min}}`
              : max === Infinity
                ? `{${min},}`
                : `{${min},${max}}`;
    return min === 1 && max === 1 ? '' : `${base}${greedy ? '' : '?'}`;
  };
  switch (p.kind) {
    case 'var':
      return `${p.name}${q(p.min, p.max, p.greedy)}`;
    case 'group':
      return `(${formatPattern(p.pattern)})${q(p.min, p.max, p.greedy)}`;
    case 'seq':
      return p.items
        .map((it) => (it.kind === 'alt' ? `(${formatPattern(it)})` : formatPattern(it)))
        .join(' ');
    case 'alt':
      return p.items.map(formatPattern).join(' | ');
  }
}
