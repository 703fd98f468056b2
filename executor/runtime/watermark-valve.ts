// Combines the watermarks and idleness of a subtask's input channels (Flink's StatusWatermarkValve): the output
// watermark is the minimum over active, aligned channels and only ever grows. An idle channel is left out; when
// it becomes active again it rejoins only once its watermark catches up with the output, so event time never
// goes back. When every channel is idle the subtask itself reports idle downstream.

export type ValveOutput =
  | { readonly kind: 'none' }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  | { readonly kind: 'status'; readonly idle: boolean };

const NONE: ValveOutput = { kind: 'none' };

export class WatermarkValve {
  private readonly wm: Float64Array;
  private readonly idle: Uint8Array;
  private readonly aligned: Uint8Array;
  private readonly ended: Uint8Array;
  private output = Number.NEGATIVE_INFINITY;
  private outputIdle = false;

  constructor(readonly channels: number) {
    this.wm = new Float64Array(channels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Uint8Array(channels);
    this.aligned = new Uint8Array(channels).fill(1);
    this.ended = new Uint8Array(channels);
  }

  get current(): number {
    return this.output;
  }

  onWatermark(ch: number, ts: number): ValveOutput {
    if (ts <= (this.wm[ch] as number)) return NONE;
    this.wm[ch] = ts;
    if (this.idle[ch] === 1) return NONE;
    if (this.aligned[ch] === 0 && ts >= this.output) this.aligned[ch] = 1;
    return this.recompute();
  }

  onStatus(ch: number, idle: boolean): ValveOutput[] {
    const out: ValveOutput[] = [];
    if (idle === (this.idle[ch] === 1)) return out;
    this.idle[ch] = idle ? 1 : 0;
    if (idle) {
      this.aligned[ch] = 0;
      const w = this.recompute();
      if (w.kind !== 'none') out.push(w);
      if (this.allIdle() && !this.outputIdle) {
        this.outputIdle = true;
        out.push({ kind: 'status', idle: true });
      }
    } else {
      this.aligned[ch] = (this.wm[ch] as number) >= this.output ? 1 : 0;
      if (this.outputIdle) {
        this.outputIdle = false;
        out.push({ kind: 'status', idle: false });
      }
    }
    return out;
  }

  /** The channel finished: it no longer holds event time back. */
  onEnd(ch: number): ValveOutput {
    this.ended[ch] = 1;
    return this.recompute();
  }

  private allIdle(): boolean {
    for (let c = 0; c < this.channels; c++) if (this.idle[c] === 0 && this.ended[c] === 0) return false;
    return true;
  }

  private recompute(): ValveOutput {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let c = 0; c < this.channels; c++) {
      if (this.idle[c] === 1 || this.aligned[c] === 0 || this.ended[c] === 1) continue;
      any = true;
      const w = this.wm[c] as number;
      if (w < min) min = w;
    }
    if (!any || min <= this.output) return NONE;
    this.output = min;
    return { kind: 'watermark', timestamp: min };
  }
}
