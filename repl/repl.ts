// The interactive shell's entry: builds the session (environment, demo catalog, history), runs --init scripts,
// then renders the ink app until the user leaves. Loaded only with a terminal (cli.ts imports it lazily), as
// ink needs raw mode.
import { render } from 'ink';
import { createElement } from 'react';
import { TableEnvironment } from '../index.js';
import { EXIT, type CliIO } from './cli.js';
import { App } from './app.js';
import { banner, demoCatalog } from './demo.js';
import { defaultHistoryPath, History } from './history.js';
import { Shell } from './shell.js';

export interface ReplOptions {
  readonly init: ReadonlyArray<{ readonly name: string; readonly sql: string }>;
  /** `--cluster` / `--token`: jobs run on a standalone cluster. */
  readonly cluster?: string;
  readonly clusterToken?: string;
}

export async function runRepl(io: CliIO, options: ReplOptions = { init: [] }): Promise<number> {
  const env = TableEnvironment.create({
    ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
    ...(options.clusterToken === undefined ? {} : { clusterToken: options.clusterToken }),
  });
  const examples = demoCatalog(env);
  const history = History.load(defaultHistoryPath());
  const stdout = io.stdout as NodeJS.WriteStream;
  let unmount = (): void => undefined;
  const shell = new Shell({
    env,
    history,
    exit: () => unmount(),
    // Leave room for the header rules, the range line, the status and key lines.
    pageSize: () => (stdout.rows ?? 24) - 9,
  });
  shell.print('info', banner(io.version, !history.existed, examples));
  // One line under the banner: where the dashboard and the REST API of this session's Dispatcher are.
  await shell.startDashboard();
  const instance = render(createElement(App, { shell }), {
    stdin: io.stdin as NodeJS.ReadStream,
    stdout,
    stderr: io.stderr as NodeJS.WriteStream,
    // Ctrl-C is the shell's key (stop the query, clear the line, exit when pressed twice), not ink's.
    exitOnCtrlC: false,
    // ink turns itself non-interactive under CI variables; a terminal user (or a tmux test) still needs it live.
    interactive: stdout.isTTY === true,
  });
  unmount = () => instance.unmount();
  const onInterrupt = (): void => shell.interrupt();
  io.interrupt?.addEventListener('abort', onInterrupt);
  for (const s of options.init) {
    if (!(await shell.runInit(s.name, s.sql))) break;
  }
  await instance.waitUntilExit();
  io.interrupt?.removeEventListener('abort', onInterrupt);
  return EXIT.OK;
}
