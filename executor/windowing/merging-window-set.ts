// Tracks the session windows of one key and which state window holds each one's contents (Flink's
// MergingWindowSet). Merging keeps the state of one of the merged windows and folds the others into it, so a
// merge moves state once instead of copying it into a new namespace.
import { intersects, sameWindow, type TimeWindow } from './windows.js';

/** [start, end, stateStart, stateEnd] per window: the persisted form (a plain array in keyed state). */
export type MergingWindowSetData = [number, number, number, number][];

export type MergeCallback = (
  mergeResult: TimeWindow,
  merged: readonly TimeWindow[],
  stateWindowResult: TimeWindow,
  mergedStateWindows: readonly TimeWindow[],
) => void;

export class MergingWindowSet {
  private readonly mapping: { window: TimeWindow; state: TimeWindow }[];

  constructor(data: MergingWindowSetData | undefined) {
    this.mapping = (data ?? []).map(([s, e, ss, se]) => ({ window: { start: s, end: e }, state: { start: ss, end: se } }));
  }

  data(): MergingWindowSetData {
    return this.mapping.map((m) => [m.window.start, m.window.end, m.state.start, m.state.end]);
  }

  get size(): number {
    return this.mapping.length;
  }

  getStateWindow(w: TimeWindow): TimeWindow | undefined {
    return this.mapping.find((m) => sameWindow(m.window, w))?.state;
  }

  retireWindow(w: TimeWindow): void {
    const i = this.mapping.findIndex((m) => sameWindow(m.window, w));
    if (i < 0) throw new Error(`window [${w.start}, ${w.end}) is not in the merging window set`);
    this.mapping.splice(i, 1);
  }

  /** Adds a window, merging it with overlapping ones; returns the window the new one ended up in. */
  addWindow(newWindow: TimeWindow, onMerge: MergeCallback): TimeWindow {
    const windows = [...this.mapping.map((m) => m.window), newWindow].sort((a, b) => a.start - b.start);
    // TimeWindow.mergeWindows: sweep by start, extending the current group while windows intersect.
    const groups: { window: TimeWindow; members: TimeWindow[] }[] = [];
    for (const w of windows) {
      const cur = groups[groups.length - 1];
      if (cur !== undefined && intersects(cur.window, w)) {
        cur.window = { start: Math.min(cur.window.start, w.start), end: Math.max(cur.window.end, w.end) };
        cur.members.push(w);
      } else groups.push({ window: w, members: [w] });
    }
    let result = newWindow;
    let mergedNew = false;
    for (const g of groups) {
      if (g.members.length <= 1) continue;
      const members = g.members.filter((m) => m !== newWindow);
      if (members.length !== g.members.length) {
        mergedNew = true;
        result = g.window;
      }
      if (members.length === 0) continue;
      const stateWindows = members.map((m) => this.getStateWindow(m) as TimeWindow);
      const target = stateWindows[0] as TimeWindow;
      for (const m of members) this.retireWindow(m);
      this.mapping.push({ window: g.window, state: target });
      const others = stateWindows.slice(1);
      // Growing one existing window by the new one moves no state: nothing to tell the operator.
      if (!(members.length === 1 && sameWindow(members[0] as TimeWindow, g.window))) onMerge(g.window, members, target, others);
    }
    if (!mergedNew) this.mapping.push({ window: newWindow, state: newWindow });
    return result;
  }
}
