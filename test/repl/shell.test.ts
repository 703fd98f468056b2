// The interactive shell driven through ink (ink-testing-library): keys go in as a terminal sends them, and the
// assertions read the rendered frame (scrollback and live area) as the user would see it.
import { render } from 'ink-testing-library';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { App } from '../../repl/app.js';
import { DEMO_TABLES } from '../../repl/demo.js';
import { History } from '../../repl/history.js';
import { Shell } from '../../repl/shell.js';
import { fixtureDir } from '../support/cli.js';

const KEY = { enter: '\r', tab: '\t', ctrlA: '\x01', ctrlC: '\x03', ctrlD: '\x04', ctrlE: '\x05', ctrlR: '\x12', ctrlU: '\x15', ctrlW: '\x17', up: '\x1b[A', down: '\x1b[B', pageUp: '\x1b[5~', pageDown: '\x1b[6~', home: '\x1b[H' };

const dir = fixtureDir({ 'people.csv': '1,Alice\n2,Bob\n3,Carol\n', 'ten.csv': Array.from({ length: 10 }, (_, i) => `${i + 1}`).join('\n') + '\n' });
const PEOPLE = `CREATE TABLE people (id INT, name STRING) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'people.csv')}', 'format' = 'csv');`;
const TEN = `CREATE TABLE ten (n INT) WITH ('connector' = 'filesystem', 'path' = '${join(dir, 'ten.csv')}', 'format' = 'csv');`;
/** An endless source: the shell has to show it live and stop it on request. */
const TICKS = "CREATE TABLE ticks (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000');";

/** The screen with the terminal's line wrapping undone (a long status line wraps at the test terminal's width). */
const unwrapped = (frame: string): string => frame.replace(/\s*\n\s*/g, ' ');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Harness {
  shell: Shell;
  exit: ReturnType<typeof vi.fn>;
  frame: () => string;
  /** Writes what a terminal would send for the keys, then lets ink and React settle. */
  press: (...keys: string[]) => Promise<void>;
  /** Types a line and Enter. */
  line: (text: string) => Promise<void>;
  until: (what: string | RegExp | (() => boolean), ms?: number) => Promise<void>;
}

const mounted: Array<{ unmount: () => void; shell: Shell }> = [];
afterEach(() => {
  for (const m of mounted.splice(0)) {
    m.shell.quit();
    m.unmount();
  }
});

async function start(options: { history?: History; pageSize?: number; setup?: string[] } = {}): Promise<Harness> {
  const env = TableEnvironment.create();
  const exit = vi.fn();
  const shell = new Shell({ env, history: options.history ?? History.load(null), exit, pageSize: () => options.pageSize ?? 10, refreshMs: 20 });
  for (const sql of options.setup ?? []) await shell.execute(sql);
  const r = render(createElement(App, { shell }));
  mounted.push({ unmount: r.unmount, shell });
  const frame = (): string => r.lastFrame() ?? '';
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      r.stdin.write(k);
      await sleep(15);
    }
  };
  const until = async (what: string | RegExp | (() => boolean), ms = 5000): Promise<void> => {
    const ok = (): boolean => (typeof what === 'function' ? what() : typeof what === 'string' ? frame().includes(what) : what.test(frame()));
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; the screen shows:\n${frame()}`);
      await sleep(10);
    }
  };
  await sleep(20);
  return { shell, exit, frame, press, line: (t) => press(t, KEY.enter), until };
}

describe('typing and running statements', () => {
  it('runs a statement only once it ends with ; and shows the result table', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line('SELECT id, UPPER(name) AS n');
    expect(h.frame()).toContain('freshet> SELECT id, UPPER(name) AS n');
    expect(h.frame()).toMatch(/^ {6}->\s*$/m);
    await h.line('FROM people WHERE id > 1;');
    await h.until('2 rows');
    expect(h.frame()).toContain(['+----+-------+', '| id |     n |', '+----+-------+', '|  2 |   BOB |', '|  3 | CAROL |', '+----+-------+', '2 rows'].join('\n'));
    expect(h.frame().trimEnd().endsWith('freshet>')).toBe(true);
  });

  it('does not run at a ; inside a string or a comment', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line("SELECT name || ';' AS s -- done;");
    await h.line('FROM people /* ; */');
    expect(h.frame()).not.toContain('rows');
    await h.line('WHERE id = 1;');
    await h.until('Alice;');
  });

  it('runs several statements typed on one line, in order', async () => {
    const h = await start();
    await h.line(`${PEOPLE} SELECT COUNT_ME FROM people; SELECT id FROM people;`);
    await h.until("Column 'COUNT_ME' not found");
    expect(h.frame()).toContain('[INFO] Execute statement succeeded.');
    // The error stops the rest of the input, as in a script.
    expect(h.frame()).not.toContain('| id |');
  });

  it('edits the line with Ctrl-A, Ctrl-E, Ctrl-U and arrows', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.press('id FROM people;', KEY.ctrlA, 'SELECT ', KEY.ctrlE);
    expect(h.frame()).toContain('freshet> SELECT id FROM people;');
    await h.press(KEY.ctrlU, 'SELECT name FROM people WHERE id = 2;', KEY.enter);
    await h.until('Bob');
  });

  it('takes a bracketed paste whole, and runs it when it ends with a line break', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.press('\x1b[200~SELECT id\r\nFROM people WHERE id = 2;\x1b[201~');
    expect(h.shell.editor.text).toBe('SELECT id\nFROM people WHERE id = 2;');
    expect(h.frame()).not.toContain('1 row');
    await h.press(KEY.ctrlC, '\x1b[200~SELECT name FROM people WHERE id = 1; SELECT name FROM people WHERE id = 3;\n\x1b[201~');
    await h.until('Carol');
    expect(h.frame()).toMatch(/Alice[\s\S]*Carol/);
  });

  it('moves and deletes by word with Alt-arrows, Alt-B/F, Ctrl-W and Alt-D', async () => {
    const h = await start();
    await h.press('SELECT name FROM people;', KEY.ctrlW);
    expect(h.shell.editor.text).toBe('SELECT name FROM ');
    await h.press('\x1b[1;3D', '\x1bb', 'x');
    expect(h.shell.editor.text).toBe('SELECT xname FROM ');
    await h.press('\x1bf', '\x1b[1;3C', '\x1b[1;3D', '\x1bd');
    expect(h.shell.editor.text).toBe('SELECT xname  ');
    await h.press('\x1b[H', '\x1b[3~');
    expect(h.shell.editor.text).toBe('ELECT xname  ');
  });

  it('prints a statement with a caret under the error and keeps going', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line('SELECT nme FROM people;');
    await h.until('^^^');
    expect(h.frame()).toContain(["sql:1:8: Column 'nme' not found in any table", 'SELECT nme FROM people;', '       ^^^', "hint: did you mean 'name'?"].join('\n'));
    await h.line('SELEC 1;');
    await h.until('hint: did you mean SELECT?');
    await h.line('SELECT name FROM people WHERE id = 3;');
    await h.until('Carol');
    expect(h.exit).not.toHaveBeenCalled();
  });
});

describe('INSERT INTO', () => {
  it('submits a detached job, prints its id and returns to the prompt', async () => {
    const h = await start({ setup: [PEOPLE, "CREATE TABLE sink (id INT) WITH ('connector' = 'blackhole');"] });
    await h.line('INSERT INTO sink SELECT id FROM people;');
    await h.until(/SQL update statement has been successfully submitted to the cluster:\nJob ID: [0-9a-f]{32}\nfreshet>/);
  });

  it('SHOW JOBS lists the jobs of the session, STOP JOB stops one, DESCRIBE JOB shows it', async () => {
    const h = await start({ setup: [TICKS, "CREATE TABLE sink (id BIGINT) WITH ('connector' = 'blackhole');"] });
    await h.line('INSERT INTO sink SELECT id FROM ticks;');
    await h.until(/Job ID: ([0-9a-f]{32})/);
    const id = /Job ID: ([0-9a-f]{32})/.exec(h.frame())?.[1] as string;
    await h.line('SHOW JOBS;');
    // Flink's SHOW JOBS columns: job id, job name, status, start time.
    await h.until(new RegExp(`\\| ${id} \\| insert-into_default_catalog\\.default_database\\.sink \\| RUNNING \\|`));
    await h.line(`STOP JOB '${id}';`);
    await h.until(`[INFO] Job ${id} is stopped.`);
    await h.line(`DESCRIBE JOB '${id}';`);
    await h.until(new RegExp(`\\| ${id} \\| [^|]+ \\| CANCELED \\|[\\s\\S]*1 job\\nINSERT INTO sink SELECT id FROM ticks`));
    await h.line(`STOP JOB '${id}' WITH SAVEPOINT;`);
    await h.until('[ERROR] STOP JOB ... WITH SAVEPOINT');
    await h.line("STOP JOB 'nope';");
    await h.until("[ERROR] no job 'nope' in this session");
  });
});

describe('completion', () => {
  it('completes a keyword, a table and a column with Tab', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.press('sel', KEY.tab);
    expect(h.frame()).toContain('freshet> select');
    expect(h.shell.editor.text).toBe('select ');
    await h.press('* FROM peo', KEY.tab);
    expect(h.shell.editor.text).toBe('select * FROM people ');
    await h.press(KEY.ctrlU, 'SELECT na FROM people', KEY.ctrlA, ...Array<string>(9).fill('\x1b[C'), KEY.tab);
    expect(h.frame()).toContain('freshet> SELECT name FROM people');
  });

  it('lists the candidates when several match', async () => {
    const h = await start({ setup: [PEOPLE, TEN] });
    await h.press('SELECT * FROM ', KEY.tab);
    expect(h.frame()).toMatch(/people\s+ten/);
  });
});

describe('result modes', () => {
  it('SET switches to changelog mode: the stream of changes with an op column', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line("SET 'sql-client.execution.result-mode' = 'changelog';");
    await h.until('[INFO] Result mode is changelog.');
    await h.line('SELECT id FROM people;');
    await h.until('3 changes');
    expect(h.frame()).toContain(['| op | id |', '+----+----+', '| +I |  1 |'].join('\n'));
  });

  it('.mode tableau prints rows into the scrollback as they arrive', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line('.mode tableau');
    await h.line('SELECT name FROM people;');
    await h.until('Received a total of 3 rows');
    expect(h.frame()).toContain(['| op |  name |', '+----+-------+', '| +I | Alice |'].join('\n'));
  });

  it('rejects an unknown mode and lists the right ones', async () => {
    const h = await start();
    await h.line("SET 'sql-client.execution.result-mode' = 'grid';");
    await h.until("unknown result mode 'grid': expected table, changelog or tableau");
    expect(h.shell.mode).toBe('table');
  });

  it('keeps a large finished table on screen for paging until q', async () => {
    const h = await start({ setup: [TEN], pageSize: 3 });
    await h.line('SELECT n FROM ten;');
    // The view opens on the last page, as Flink's SQL client does.
    await h.until('rows 8-10 of 10');
    expect(h.frame()).toContain('Finished');
    await h.press(KEY.pageUp);
    await h.until('rows 5-7 of 10');
    await h.press(KEY.home, KEY.pageDown);
    await h.until('rows 4-6 of 10');
    expect(h.frame()).toMatch(/\|\s+4 \|\n\|\s+5 \|\n\|\s+6 \|/);
    await h.press('q');
    await h.until(() => h.shell.run === null);
    expect(h.frame().trimEnd().endsWith('freshet>')).toBe(true);
  });

  it('updates a live table from an endless source in place, with a status line, and q keeps the view', async () => {
    const h = await start({ setup: [TICKS] });
    await h.line('SELECT id FROM ticks;');
    await h.until(() => /Running · job [0-9a-f]{8} · [\d.]+ s · [\d,]+ rows received · in [\d,?]+\/s · out [\d,]+\/s · no watermark · refresh 0\.02 s · mode table/.test(unwrapped(h.frame())));
    const received = (): number => h.shell.run?.model.received ?? 0;
    const first = received();
    await h.until(() => received() > first + 5);
    const second = received();
    await h.until(() => received() > second + 5);
    await h.press('-');
    await h.until(() => unwrapped(h.frame()).includes('refresh 0.1 s'));
    await h.press('+', '+');
    await h.until(() => unwrapped(h.frame()).includes('refresh 0.02 s'));
    await h.press('q');
    await h.until(() => h.shell.run === null);
    expect(h.frame()).toMatch(/rows \d+-\d+ of \d+/);
    expect(h.frame()).not.toContain('Query cancelled');
  });
});

describe('status line', () => {
  it('shows records in and out per second and the watermark reaching the result, with its lag', async () => {
    const h = await start({ setup: [...DEMO_TABLES] });
    // A windowed count over the Nexmark bids: the generator paces events to the wall clock and the table's
    // watermark trails them by 4 s, so the window operator's input watermark is close to now.
    await h.line("SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(`dateTime`), INTERVAL '1' SECOND)) GROUP BY window_start, window_end;");
    const status = (): RegExpExecArray | null =>
      /in [1-9][\d,]*\/s · out [\d,]+\/s · watermark (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}), lag ([\d.]+) s/.exec(unwrapped(h.frame()));
    await h.until(() => status() !== null, 15_000);
    const [, wm, lag] = status() ?? [];
    const watermark = Date.parse(`${wm?.replace(' ', 'T')}Z`);
    expect(Math.abs(Date.now() - watermark)).toBeLessThan(60_000);
    expect(Number(lag)).toBeGreaterThanOrEqual(3);
    await h.press(KEY.ctrlC);
    await h.until(() => h.shell.run === null);
  });
});

describe('Ctrl-C', () => {
  it('stops a running query, not the shell', async () => {
    const h = await start({ setup: [TICKS] });
    await h.line('SELECT id FROM ticks;');
    await h.until('Running');
    await h.press(KEY.ctrlC);
    await h.until('[INFO] Query cancelled.');
    expect(h.exit).not.toHaveBeenCalled();
    await h.line('.tables');
    await h.until(/^ticks$/m);
  });

  it('clears a typed line; twice at an empty prompt exits', async () => {
    const h = await start();
    await h.press('SELECT 1', KEY.ctrlC);
    expect(h.frame()).not.toContain('SELECT 1');
    expect(h.exit).not.toHaveBeenCalled();
    await h.press(KEY.ctrlC);
    await h.until('press Ctrl-C again to exit');
    await h.press(KEY.ctrlC);
    expect(h.exit).toHaveBeenCalledTimes(1);
  });

  it('a key in between disarms the exit; Ctrl-D at an empty prompt exits', async () => {
    const h = await start();
    await h.press(KEY.ctrlC, 'x', KEY.ctrlU, KEY.ctrlC);
    expect(h.exit).not.toHaveBeenCalled();
    await h.press(KEY.ctrlD);
    expect(h.exit).toHaveBeenCalledTimes(1);
  });
});

describe('history', () => {
  it('recalls statements with Up/Down, finds them with Ctrl-R and saves them to the history file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'freshet-hist-')), 'history');
    const h = await start({ history: History.load(file), setup: [PEOPLE] });
    await h.line('SELECT id FROM people WHERE id = 1;');
    await h.until('1 row');
    await h.line('.tables');
    await h.press(KEY.up);
    expect(h.frame()).toMatch(/freshet> \.tables\s*$/);
    await h.press(KEY.up);
    expect(h.frame()).toMatch(/freshet> SELECT id FROM people WHERE id = 1;\s*$/);
    await h.press(KEY.down, KEY.down, KEY.ctrlU);
    await h.press(KEY.ctrlR, 'WHERE');
    expect(h.frame()).toContain("(reverse-i-search)`WHERE': SELECT id FROM people WHERE id = 1;");
    await h.press(KEY.enter);
    expect(h.frame()).toMatch(/freshet> SELECT id FROM people WHERE id = 1;\s*$/);
    expect(readFileSync(file, 'utf8')).toBe('"SELECT id FROM people WHERE id = 1;"\n".tables"\n');
  });
});

describe('session properties and init scripts', () => {
  it('an --init script runs through the shell: SET and DDL take effect before the prompt', async () => {
    const h = await start();
    expect(await h.shell.runInit('init.sql', `SET 'sql-client.execution.result-mode' = 'changelog';\n${PEOPLE}\nSET 'table.exec.source.idle-timeout' = '5 s';`)).toBe(true);
    expect(h.shell.mode).toBe('changelog');
    await h.line('SET;');
    await h.until("'table.exec.source.idle-timeout' = '5 s'");
    expect(h.frame()).toContain("'sql-client.execution.result-mode' = 'changelog'");
    await h.line("RESET 'sql-client.execution.result-mode';");
    await h.until('[INFO] Session property has been reset.');
    expect(h.shell.mode).toBe('table');
    expect(await h.shell.runInit('bad.sql', 'SELECT nope FROM people;')).toBe(false);
    await h.until(/bad\.sql:1:8: Column 'nope' not found/);
  });
});

describe('shell commands', () => {
  it('HELP, .tables, .schema, .timer and QUIT', async () => {
    const h = await start({ setup: [PEOPLE] });
    await h.line('HELP;');
    await h.until('.schema <table>');
    await h.line('help create table');
    await h.until("WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv');");
    await h.line('.tables');
    await h.until(/^people$/m);
    await h.line('.schema people');
    await h.until(/CREATE TABLE people \(\n {2}id INT,\n {2}name STRING\n\) WITH \(\n {2}'connector' = 'filesystem'/);
    await h.line('.timer on');
    await h.line('SELECT id FROM people WHERE id = 2;');
    await h.until(/1 row\nRun time: \d+\.\d{3} s/);
    await h.line('QUIT;');
    await h.until(() => h.exit.mock.calls.length === 1);
  });
});
