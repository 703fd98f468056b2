// Reads topics with Apache Kafka's own Java consumer (ReadTopics.java, compiled once per run against the broker's
// cached jars): the reference implementation of read_committed, independent of the code under test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

export interface TopicRead {
  /** Record values per topic, in partition order. */
  readonly values: Map<string, string[]>;
  /** Partitions whose read end (the last stable offset under read_committed) is below the high watermark. */
  readonly openTransactions: string[];
}

export class JavaTopicReader {
  private readonly classes: string;
  private readonly libs: string;

  constructor() {
    const out = execFileSync(process.execPath, [join(repoRoot, 'scripts', 'kafka-jars.mjs')], {
      encoding: 'utf8',
    });
    const line = out.split('\n').find((l) => l.startsWith('KAFKA_LIBS='));
    if (line === undefined) throw new Error(`scripts/kafka-jars.mjs printed no KAFKA_LIBS= line:\n${out}`);
    this.libs = line.slice('KAFKA_LIBS='.length).trim();
    this.classes = mkdtempSync(join(tmpdir(), 'freshet-oracle-'));
    execFileSync('javac', ['-cp', `${this.libs}/*`, '-d', this.classes, join(here, 'ReadTopics.java')], {
      stdio: 'pipe',
    });
  }

  read(
    bootstrap: string,
    isolation: 'read_committed' | 'read_uncommitted',
    topics: readonly string[],
  ): TopicRead {
    const out = execFileSync(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-Xmx256m',
        '-cp',
        `${this.classes}:${this.libs}/*`,
        'ReadTopics',
        bootstrap,
        isolation,
        ...topics,
      ],
      { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const values = new Map<string, string[]>(topics.map((t) => [t, []]));
    const openTransactions: string[] = [];
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const parts = line.split('\t');
      if (parts[0] === '#end') {
        const [, topic, partition, end, high] = parts;
        if (end !== high)
          openTransactions.push(`${topic}-${partition} (read end ${end}, high watermark ${high})`);
      } else {
        values.get(parts[0] as string)?.push(parts.slice(1).join('\t'));
      }
    }
    return { values, openTransactions };
  }

  close(): void {
    rmSync(this.classes, { recursive: true, force: true });
  }
}

/** Rows of `actual` not in `expected` (extra) and of `expected` not in `actual` (missing), as multisets. */
export function multisetDiff(
  expected: readonly string[],
  actual: readonly string[],
): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const r of expected) counts.set(r, (counts.get(r) ?? 0) + 1);
  const extra: string[] = [];
  for (const r of actual) {
    const c = counts.get(r) ?? 0;
    if (c > 0) counts.set(r, c - 1);
    else extra.push(r);
  }
  const missing = [...counts].flatMap(([r, c]) => Array<string>(c).fill(r));
  return { missing, extra };
}

/** What to assert for exactly-once: the counts of missing and extra rows and a few of them (empty when equal). */
export function diffSummary(
  expected: readonly string[],
  actual: readonly string[],
): { missing: number; extra: number; sample: string[] } {
  const d = multisetDiff(expected, actual);
  return { missing: d.missing.length, extra: d.extra.length, sample: [...d.missing, ...d.extra].slice(0, 3) };
}
