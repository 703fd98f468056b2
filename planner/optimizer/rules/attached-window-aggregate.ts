// Cascading window aggregation (Flink's WindowAttachedWindowingStrategy): a GROUP BY on the window_start and
// window_end of an input that is already windowed (a window aggregate or window TVF, through renaming
// projections, as Nexmark q5's `GROUP BY starttime, endtime`) is itself a window aggregate: each row already
// names its window, and the group fires when the watermark passes that window's end. Without this it would be a
// regular aggregate, updating forever and keeping every window's state.
//
// The runtime's window aggregate assigns windows from a time column, so the attached window is expressed as a
// TUMBLE whose size is the distance between window ends (the slide of HOP, the step of CUMULATE, the size of
// TUMBLE), over window_end - 1 ms: a row of window [s, e) lands in the tumble [e - d, e), which fires exactly when
// [s, e) does. window_start and window_end stay plain group keys, so the groups are the input's windows.
// SESSION windows have no fixed end grid and are left as they are.
import { Schema, Types, type Field } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import type { LogicalPlan, WindowSpec } from '../../logical/plan.js';
import { windowProperties } from '../../logical/window-properties.js';
import type { Rule } from '../rule.js';

export const attachedWindowAggregateRule: Rule = {
  name: 'attached-window-aggregate',
  apply(node) {
    if (node.kind !== 'aggregate' || node.input.kind !== 'project' || node.aggCalls.length === 0 && node.groupKeys.length === 0) return null;
    const project = node.input;
    // The window TVF case is the window-aggregate rule's: only inputs that are windowed aggregates (or their
    // projections) come here.
    if (project.input.kind === 'windowTvf' || !isWindowedAggregate(project.input)) return null;
    const props = windowProperties(project);
    if (props === null) return null;
    const grid = endGrid(props.window);
    if (grid === null) return null;
    if (!node.groupKeys.includes(props.start) || !node.groupKeys.includes(props.end)) return null;
    const endType = project.schema.field(props.end).type;
    const timeType = { ...Types.TIMESTAMP(3, false), timeAttribute: 'rowtime' as const };
    const time = Rex.call('MINUS', [Rex.input(props.end, endType), Rex.literal(1, Types.INTERVAL('DAY_TIME', false))], timeType);
    const exprs = [...project.schema.fields.map((f, i) => Rex.input(i, f.type)), time];
    const timed: LogicalPlan = { kind: 'project', input: project, exprs, schema: new Schema([...project.schema.fields, { name: '$time', type: timeType }]) };
    const fields: Field[] = [
      ...node.schema.fields,
      { name: 'window_start', type: Types.TIMESTAMP(3, false) },
      { name: 'window_end', type: Types.TIMESTAMP(3, false) },
      { name: 'window_time', type: timeType },
    ];
    const windowAgg: LogicalPlan = {
      kind: 'windowAggregate',
      input: timed,
      groupKeys: node.groupKeys,
      aggCalls: node.aggCalls,
      window: grid,
      timeCol: project.schema.size,
      attached: { start: node.groupKeys.indexOf(props.start), end: node.groupKeys.indexOf(props.end), window: props.window },
      schema: new Schema(fields),
    };
    return { kind: 'project', input: windowAgg, exprs: node.schema.fields.map((f, i) => Rex.input(i, f.type)), schema: node.schema };
  },
};

function isWindowedAggregate(p: LogicalPlan): boolean {
  if (p.kind === 'windowAggregate') return true;
  if (p.kind === 'project' || p.kind === 'filter') return isWindowedAggregate(p.input);
  return false;
}

/** The tumble whose ends are exactly the window ends of `w`, or null for SESSION. */
function endGrid(w: WindowSpec): WindowSpec | null {
  switch (w.kind) {
    case 'TUMBLE':
      return { kind: 'TUMBLE', size: w.size, offset: w.offset };
    case 'HOP':
      return { kind: 'TUMBLE', size: w.slide, offset: w.offset };
    case 'CUMULATE':
      return { kind: 'TUMBLE', size: w.step, offset: w.offset };
    case 'SESSION':
      return null;
  }
}
