// Number, time and duration formatting shared by the pages.
export function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} K`;
  return String(Math.round(n));
}

/** A size in bytes (checkpoint and state sizes), binary units as Flink's dashboard shows them. */
export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

export function fmtRate(n: number): string {
  return `${fmtCount(n)}/s`;
}

export function fmtDuration(ms: number): string {
  if (ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h ${m}m ${sec}s` : m > 0 ? `${m}m ${sec}s` : `${sec}s`;
}

export function fmtTime(ms: number): string {
  return ms <= 0 ? '-' : new Date(ms).toLocaleString();
}

/** A watermark as a time of day (event time), or "no watermark" before the first one. */
export function fmtWatermark(w: number | null): string {
  if (w === null) return 'no watermark';
  if (w >= 8.64e15) return 'MAX';
  return new Date(w).toISOString().replace('T', ' ').slice(0, 23);
}

export function fmtPct(r: number): string {
  return `${Math.round(r * 100)}%`;
}

/** Flink's dashboard colours a vertex by how busy it is, and backpressure overrides (red = the bottleneck's upstream). */
export function nodeColour(busy: number, backpressured: number): string {
  if (backpressured > 0.5) return '#f4a6a6';
  if (backpressured > 0.1) return '#fcd9a8';
  // White (idle) to blue (busy).
  const t = Math.max(0, Math.min(1, busy));
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 120)}, ${mix(255, 170)}, ${mix(255, 230)})`;
}
