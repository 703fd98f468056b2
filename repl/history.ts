// Statement history across sessions: one JSON string per line in ~/.freshet_history (JSON so that multi-line
// statements stay one entry), de-duplicated (re-running a statement moves it to the end), capped in size.
// FRESHET_HISTORY overrides the path (tests and sandboxes); failures to read or write never stop the shell.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const MAX_ENTRIES = 1000;

export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['FRESHET_HISTORY'] ?? join(homedir(), '.freshet_history');
}

export class History {
  private entries: string[] = [];
  /** Whether the file existed when loaded: the shell shows the long first-run banner when it did not. */
  existed = false;

  /** `path` null keeps the history in memory only. */
  constructor(private readonly path: string | null) {}

  static load(path: string | null): History {
    const h = new History(path);
    if (path === null) return h;
    try {
      const text = readFileSync(path, 'utf8');
      h.existed = true;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
          const v: unknown = JSON.parse(line);
          if (typeof v === 'string') h.push(v);
        } catch {
          // A line from an older or foreign format: keep it as plain text rather than lose it.
          h.push(line);
        }
      }
    } catch {
      // No history yet (first run) or unreadable: start empty.
    }
    return h;
  }

  private push(entry: string): void {
    const at = this.entries.indexOf(entry);
    if (at >= 0) this.entries.splice(at, 1);
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  /** Adds an entry (moving an equal earlier one to the end) and saves the file. */
  add(entry: string): void {
    const e = entry.trim();
    if (e === '') return;
    this.push(e);
    this.save();
  }

  private save(): void {
    if (this.path === null) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(this.path, this.entries.map((e) => JSON.stringify(e)).join('\n') + '\n', { mode: 0o600 });
    } catch {
      // A read-only home must not break the shell; the history then lasts for this session only.
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Entry i, oldest first. */
  at(i: number): string | undefined {
    return this.entries[i];
  }

  all(): readonly string[] {
    return this.entries;
  }

  /** Ctrl-R: the newest entry before index `before` that contains `query` (case-insensitive), or -1. */
  search(query: string, before: number = this.entries.length): number {
    const q = query.toLowerCase();
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i--) {
      if ((this.entries[i] as string).toLowerCase().includes(q)) return i;
    }
    return -1;
  }
}
