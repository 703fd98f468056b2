// The WINDOW clause (`SELECT SUM(x) OVER w … WINDOW w AS (PARTITION BY … ORDER BY …)`): every `OVER w` and
// `OVER (w …)` of the SELECT list is replaced by the window it names, before binding — what Calcite's validator
// does with SqlWindow references (a referencing window may add ORDER BY or a frame, never PARTITION BY again).
import { ValidationError, type Expr, type Ident, type Select, type WindowSpec } from '../../parser/index.js';

export function inlineNamedWindows(s: Select, source: string): Select {
  if (s.windows.length === 0) return s;
  const named = new Map<string, WindowSpec>();
  const resolve = (spec: WindowSpec): WindowSpec => {
    if (spec.base === null) return spec;
    const base = named.get(spec.base.value);
    if (base === undefined) throw new ValidationError(`Window '${spec.base.value}' not found`, source, spec.base.span);
    if (spec.partitionBy.length > 0)
      throw new ValidationError(`PARTITION BY not allowed with existing window reference '${spec.base.value}'`, source, spec.span);
    if (base.orderBy.length > 0 && spec.orderBy.length > 0)
      throw new ValidationError(`ORDER BY not allowed in both base and referenced windows ('${spec.base.value}')`, source, spec.span);
    if (base.frame !== null)
      throw new ValidationError(`Referencing window '${spec.base.value}' has a frame: it cannot be refined`, source, spec.span);
    return { span: spec.span, base: null, partitionBy: base.partitionBy, orderBy: spec.orderBy.length > 0 ? spec.orderBy : base.orderBy, frame: spec.frame };
  };
  for (const w of s.windows) {
    if (named.has(w.name.value)) throw new ValidationError(`Duplicate window name '${w.name.value}'`, source, w.name.span);
    named.set(w.name.value, resolve(w.spec));
  }
  const isIdent = (w: WindowSpec | Ident): w is Ident => 'value' in w;
  // A structural copy of the AST where OVER nodes get their window; everything else is kept as is.
  const rewrite = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(rewrite);
    if (x === null || typeof x !== 'object') return x;
    const o = x as Record<string, unknown>;
    if (o['kind'] === 'over') {
      const e = o as Extract<Expr, { kind: 'over' }>;
      let window: WindowSpec;
      if (isIdent(e.window)) {
        const w = named.get(e.window.value);
        if (w === undefined) throw new ValidationError(`Window '${e.window.value}' not found`, source, e.window.span);
        window = w;
      } else window = resolve(e.window);
      return { ...e, call: rewrite(e.call), window };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = k === 'span' ? v : rewrite(v);
    return out;
  };
  return { ...s, items: rewrite(s.items) as Select['items'], windows: [] };
}
