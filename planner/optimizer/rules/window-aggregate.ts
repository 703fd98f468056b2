// Window aggregation (Flink's window TVF aggregation): an aggregate grouped by window_start and window_end over
// a window table function becomes one window aggregate, which keeps per-window (or per-slice) accumulators and
// emits each window once when the watermark passes its end — instead of a regular aggregate updating forever.
//
//   Aggregate(group = [.., window_start, window_end, ..])            Project(restores the aggregate's columns)
//     Project/Filter over the TVF's columns             ==>            WindowAggregate(window, group = [..])
//       WindowTvf(window, timecol)                                        Project/Filter over the TVF's input
import { Schema, Types, type Field } from '../../../executor/index.js';
import { Rex } from '../../expr/rex.js';
import { inputsOf } from '../../expr/rex-util.js';
import type { AggregateCall, LogicalPlan } from '../../logical/plan.js';
import type { Rule } from '../rule.js';

export const windowAggregateRule: Rule = {
  name: 'window-aggregate',
  apply(node) {
    if (node.kind !== 'aggregate' || node.input.kind !== 'project') return null;
    const project = node.input;
    // Filters between the projection and the TVF that do not read window columns move below the TVF.
    let below = project.input;
    const filters: Rex[] = [];
    while (below.kind === 'filter') {
      filters.push(below.condition);
      below = below.input;
    }
    if (below.kind !== 'windowTvf') return null;
    const tvf = below;
    const n = tvf.input.schema.size;
    const ws = n;
    const we = n + 1;
    const wt = n + 2;
    const isWindowRef = (r: Rex, col: number): boolean => r.kind === 'input' && r.index === col;
    const readsWindow = (r: Rex): boolean => [...inputsOf(r)].some((i) => i >= n);
    if (filters.some(readsWindow)) return null;
    // Which group keys are the window columns (window_time may be grouped too).
    const role = node.groupKeys.map((k) => {
      const e = project.exprs[k] as Rex;
      return isWindowRef(e, ws) ? 'start' : isWindowRef(e, we) ? 'end' : isWindowRef(e, wt) ? 'time' : 'key';
    });
    if (!role.includes('start') || !role.includes('end')) return null;
    // A session is kept per group key; a SESSION partitioned by columns that are not all grouped is left to the
    // window TVF operator (which sessions per partition) and a regular aggregate.
    const groupedInputs = new Set(
      node.groupKeys.flatMap((k) => {
        const e = project.exprs[k] as Rex;
        return e.kind === 'input' ? [e.index] : [];
      }),
    );
    if (tvf.partitionKeys.some((p) => !groupedInputs.has(p))) return null;
    // Every other projected column must come from the TVF's input.
    const windowCols = new Set(node.groupKeys.filter((_k, i) => role[i] !== 'key'));
    for (let i = 0; i < project.exprs.length; i++)
      if (!windowCols.has(i) && readsWindow(project.exprs[i] as Rex)) return null;

    // New projection over the TVF's input: the non-window columns, then the time column.
    const keep: number[] = [];
    const newIndex = new Map<number, number>();
    for (let i = 0; i < project.exprs.length; i++) {
      if (windowCols.has(i)) continue;
      newIndex.set(i, keep.length);
      keep.push(i);
    }
    const timeIndex = keep.length;
    const timeType = tvf.input.schema.field(tvf.timeCol).type;
    const exprs = [...keep.map((i) => project.exprs[i] as Rex), Rex.input(tvf.timeCol, timeType)];
    let input: LogicalPlan = tvf.input;
    for (const f of filters.reverse()) input = { kind: 'filter', input, condition: f, schema: input.schema };
    const projected: LogicalPlan = {
      kind: 'project',
      input,
      exprs,
      schema: new Schema([...keep.map((i) => project.schema.field(i)), { name: '$time', type: timeType }]),
    };
    const map = (c: number): number => newIndex.get(c) as number;
    const groupKeys = node.groupKeys.filter((_k, i) => role[i] === 'key').map(map);
    const aggCalls: AggregateCall[] = node.aggCalls.map((c) => ({
      ...c,
      args: c.args.map(map),
      filterArg: c.filterArg < 0 ? -1 : map(c.filterArg),
    }));
    const ts = Types.TIMESTAMP(3, false);
    const fields: Field[] = [
      ...groupKeys.map((k) => projected.schema.field(k)),
      ...aggCalls.map((c) => ({ name: c.name, type: c.resultType })),
      { name: 'window_start', type: ts },
      { name: 'window_end', type: ts },
      { name: 'window_time', type: tvf.schema.field(wt).type },
    ];
    const windowAgg: LogicalPlan = {
      kind: 'windowAggregate',
      input: projected,
      groupKeys,
      aggCalls,
      window: tvf.window,
      timeCol: timeIndex,
      schema: new Schema(fields),
    };
    // Restore the aggregate's column order: its group keys (window columns among them), then its aggregates.
    const nk = groupKeys.length;
    const na = aggCalls.length;
    let key = 0;
    const restore = node.groupKeys.map((_k, i) => {
      const r = role[i];
      const at = r === 'start' ? nk + na : r === 'end' ? nk + na + 1 : r === 'time' ? nk + na + 2 : key++;
      return Rex.input(at, (fields[at] as Field).type);
    });
    for (let a = 0; a < na; a++) restore.push(Rex.input(nk + a, (fields[nk + a] as Field).type));
    return { kind: 'project', input: windowAgg, exprs: restore, schema: node.schema };
  },
};
