// Window properties of a plan's output (Flink's RelWindowProperties): which columns hold the window_start,
// window_end and window_time of a window TVF or window aggregate, followed through filters and projections that
// keep or rename them. Joins and aggregates use them to stay windowed (window join, cascading window aggregate).
import type { LogicalPlan, WindowSpec } from './plan.js';

export interface WindowProperties {
  readonly start: number;
  readonly end: number;
  /** -1 when a projection dropped window_time. */
  readonly time: number;
  readonly window: WindowSpec;
}

export function windowProperties(p: LogicalPlan): WindowProperties | null {
  switch (p.kind) {
    case 'windowTvf': {
      const n = p.input.schema.size;
      return { start: n, end: n + 1, time: n + 2, window: p.window };
    }
    case 'windowAggregate': {
      if (p.attached !== undefined) return { start: p.attached.start, end: p.attached.end, time: -1, window: p.attached.window };
      const n = p.groupKeys.length + p.aggCalls.length;
      return { start: n, end: n + 1, time: n + 2, window: p.window };
    }
    case 'filter':
    case 'watermarkAssigner':
      return windowProperties(p.input);
    case 'project': {
      const below = windowProperties(p.input);
      if (below === null) return null;
      const at = (col: number): number => p.exprs.findIndex((e) => e.kind === 'input' && e.index === col);
      const start = at(below.start);
      const end = at(below.end);
      return start >= 0 && end >= 0 ? { start, end, time: below.time < 0 ? -1 : at(below.time), window: below.window } : null;
    }
    default:
      return null;
  }
}
