// The ratchet over what the engine cannot run yet or gets wrong. Nothing is skipped silently: a case listed as
// unsupported must still fail with exactly the listed message, a case listed as wrong must still give the listed
// kind of wrong answer, and every unlisted case must pass. So the lists only shrink as the engine grows, and a
// regression shows up as a failure. `FRESHET_RATCHET_UPDATE=1` rewrites the lists from the observed outcomes (review
// the diff: a new entry in a known-wrong list is a bug to report, not a fix).
import { readFileSync, writeFileSync } from 'node:fs';

/** One list: case id → message for every mode, or mode → message. */
export type KnownList = Record<string, string | Record<string, string>>;

export type Outcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'unsupported'; readonly message: string }
  | { readonly kind: 'wrong'; readonly message: string };

export function readList(path: string): KnownList {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as KnownList;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

export function listed(list: KnownList, id: string, mode: string): string | undefined {
  const e = list[id];
  if (e === undefined) return undefined;
  return typeof e === 'string' ? e : e[mode];
}

/**
 * A known-wrong entry starting with this marks a wrong answer that depends on timing (the engine's
 * nondeterminism, not the data): the case may pass or be wrong, but must not fail otherwise.
 */
export const INTERMITTENT = '[intermittent] ';

/** Null when the outcome is what the lists say; otherwise why the case fails. */
export function judge(
  outcome: Outcome,
  unsupported: string | undefined,
  wrong: string | undefined,
): string | null {
  switch (outcome.kind) {
    case 'pass':
      if (wrong?.startsWith(INTERMITTENT) === true) return null;
      if (unsupported !== undefined)
        return `listed as unsupported ("${unsupported}") but it now runs and matches the oracle: remove it from the list`;
      if (wrong !== undefined)
        return `listed as wrong but it now matches the oracle: remove it from the known-wrong list`;
      return null;
    case 'unsupported':
      if (unsupported === outcome.message) return null;
      if (unsupported !== undefined)
        return `listed as unsupported with\n  "${unsupported}"\nbut it fails with\n  "${outcome.message}"`;
      return `fails: ${outcome.message}`;
    case 'wrong':
      // Still wrong is what the list says; the row counts in the summary vary with the data size.
      if (wrong !== undefined) return null;
      if (unsupported !== undefined)
        return `listed as unsupported ("${unsupported}") but it runs and differs from the oracle:\n${outcome.message}`;
      return `differs from the oracle:\n${outcome.message}`;
  }
}

/** Collects outcomes and, in update mode, writes both lists (one message for all modes when they agree). */
export class ListWriter {
  private readonly unsupported = new Map<string, Map<string, string>>();
  private readonly wrong = new Map<string, Map<string, string>>();

  /** How many modes each case ran in (not every case runs in every mode). */
  private readonly ran = new Map<string, number>();

  record(id: string, mode: string, outcome: Outcome): void {
    this.ran.set(id, (this.ran.get(id) ?? 0) + 1);
    if (outcome.kind === 'pass') return;
    const target = outcome.kind === 'unsupported' ? this.unsupported : this.wrong;
    const m = target.get(id) ?? new Map<string, string>();
    // A wrong answer is listed by its first line (the summary), cut short: rows can be long.
    const summary = (outcome.message.split('\n')[0] as string).slice(0, 240);
    m.set(mode, outcome.kind === 'wrong' ? summary : outcome.message);
    target.set(id, m);
  }

  private static toList(m: Map<string, Map<string, string>>, ran: ReadonlyMap<string, number>): KnownList {
    const out: KnownList = {};
    for (const id of [...m.keys()].sort()) {
      const byMode = m.get(id) as Map<string, string>;
      const values = [...byMode.values()];
      out[id] =
        byMode.size === ran.get(id) && values.every((v) => v === values[0])
          ? (values[0] as string)
          : Object.fromEntries([...byMode].sort());
    }
    return out;
  }

  write(unsupportedPath: string, wrongPath: string, keepWrongNotes: KnownList): void {
    writeFileSync(
      unsupportedPath,
      `${JSON.stringify(ListWriter.toList(this.unsupported, this.ran), null, 2)}\n`,
    );
    // A known-wrong entry that is still wrong keeps its hand-written note.
    const wrong = ListWriter.toList(this.wrong, this.ran);
    for (const [id, old] of Object.entries(keepWrongNotes)) {
      const intermittent = (typeof old === 'string' ? [old] : Object.values(old)).some((v) =>
        v.startsWith(INTERMITTENT),
      );
      if (wrong[id] !== undefined || intermittent) wrong[id] = old;
    }
    writeFileSync(wrongPath, `${JSON.stringify(wrong, null, 2)}\n`);
  }
}

export const UPDATE = process.env['FRESHET_RATCHET_UPDATE'] === '1';
