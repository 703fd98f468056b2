// The real shell in a real pseudo-terminal: `node bin/freshet.mjs` runs inside tmux, keys go in with
// send-keys and the screen is read with capture-pane. Needs the build (npm test builds first) and tmux (installed
// here when running as root in CI; otherwise the suite is skipped with a message saying why).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;

function haveTmux(): boolean {
  return spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
}

function ensureTmux(): boolean {
  if (haveTmux()) return true;
  if (process.env['CI'] !== undefined && process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', 'tmux'], { stdio: 'ignore', timeout: 120_000 });
    if (haveTmux()) return true;
  }
  console.warn('SKIPPED test/repl/e2e-tmux.test.ts: tmux is not installed (apt-get install -y tmux); the shell was not tested in a real terminal.');
  return false;
}

const available = ensureTmux();
/** A private tmux server, so the test never touches the user's sessions. */
const SOCKET = `freshet-e2e-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function screen(): string {
  // The whole history of the pane, so output that scrolled off the screen still counts.
  return tmux('capture-pane', '-p', '-J', '-t', 'main', '-S', '-');
}

/** Types text literally, then Enter. tmux reads a trailing ';' as its own command separator unless escaped. */
function typeLine(text: string): void {
  tmux('send-keys', '-t', 'main', '-l', text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text);
  tmux('send-keys', '-t', 'main', 'Enter');
}

async function waitFor(what: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = screen().match(what);
    if (m !== null) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!available)('the shell in a terminal (tmux)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'freshet-e2e-'));
  const history = join(dir, 'history');

  beforeAll(() => {
    writeFileSync(join(dir, 'people.csv'), '1,Alice\n2,Bob\n3,Carol\n');
    const cmd = `cd ${ROOT} && FRESHET_HISTORY=${history} ${process.execPath} bin/freshet.mjs; echo EXITED:$?; sleep 60`;
    tmux('new-session', '-d', '-s', 'main', '-x', '120', '-y', '40', cmd);
  });

  afterAll(() => {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  });

  it('starts, runs DDL and a query, shows an error with a caret, updates a live table, stops it with Ctrl-C and exits', async () => {
    await waitFor(/Tab completes[\s\S]*freshet>/);

    typeLine(`CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'people.csv')}', 'format' = 'csv');`);
    await waitFor(/\[INFO\] Execute statement succeeded\./);

    // A statement over two lines runs at its ';'.
    typeLine('SELECT id, UPPER(name) AS n');
    await waitFor(/^ {6}->/m);
    typeLine('FROM people WHERE id > 1;');
    await waitFor(/\| id \|\s+n \|\n\+-+\+-+\+\n\|\s+2 \|\s+BOB \|\n\|\s+3 \| CAROL \|\n\+-+\+-+\+\n2 rows/);

    typeLine('SELECT nme FROM people;');
    await waitFor(/Column 'nme' not found in any table\nSELECT nme FROM people;\n {7}\^\^\^\nhint: did you mean 'name'\?/);

    // A continuous query over an endless source: the table and its status line update in place.
    typeLine("CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000');");
    typeLine('SELECT id FROM ticks;');
    const count = async (above: number): Promise<number> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const m = screen().match(/Running · (?:job \w+ · )?[\d.]+ s · (\d+) rows? received/g);
        const last = m === null ? -1 : Number(/(\d+) rows? received/.exec(m[m.length - 1] as string)?.[1]);
        if (last > above) return last;
        if (Date.now() > deadline) throw new Error(`the live table did not update past ${above} rows:\n${screen()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await count(0);
    const second = await count(first);
    await count(second);

    tmux('send-keys', '-t', 'main', 'C-c');
    await waitFor(/\[INFO\] Query cancelled\.\n(?:.*\n)*?freshet>/);

    typeLine('QUIT;');
    await waitFor(/EXITED:0/);
    const saved = readFileSync(history, 'utf8');
    expect(saved).toContain('"SELECT id FROM ticks;"');
    expect(saved).toContain('"SELECT id, UPPER(name) AS n\\nFROM people WHERE id > 1;"');
  });
});
