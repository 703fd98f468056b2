// The interactive shell (plain line-based version; the ink REPL replaces it): reads statements ending in `;`,
// runs them, prints results as tables, and survives every user error. Ctrl-C stops a running query; Ctrl-C at
// an empty prompt (or Ctrl-D, QUIT, EXIT) leaves.
import { createInterface } from 'node:readline';
import { TableEnvironment, endsWithStatementTerminator, type TableResult } from '../index.js';
import { EXIT, describeError, type CliIO } from './cli.js';
import { tableau } from './output.js';

export async function runRepl(io: CliIO): Promise<number> {
  const env = TableEnvironment.create();
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream, terminal: true, historySize: 1000 });
  io.stdout.write(`Freshet ${io.version}: streaming SQL. End statements with ';'. Type QUIT; to leave.\n\n`);
  let buffer = '';
  let running: TableResult | null = null;
  let lastInterrupt = 0;
  rl.setPrompt('freshet> ');
  rl.on('SIGINT', () => {
    if (running !== null) {
      running.cancel();
      io.stdout.write('\n[INFO] Query cancelled.\n');
      return;
    }
    const now = Date.now();
    if (buffer === '' && now - lastInterrupt < 2000) rl.close();
    lastInterrupt = now;
    buffer = '';
    io.stdout.write('\n(press Ctrl-C again at an empty prompt to exit)\n');
    rl.setPrompt('freshet> ');
    rl.prompt();
  });
  rl.prompt();
  for await (const line of rl) {
    buffer += (buffer === '' ? '' : '\n') + line;
    if (buffer.trim() === '') {
      buffer = '';
      rl.prompt();
      continue;
    }
    if (/^\s*(quit|exit)\s*;?\s*$/i.test(buffer)) break;
    if (!endsWithStatementTerminator(buffer)) {
      rl.setPrompt('      -> ');
      rl.prompt();
      continue;
    }
    const sql = buffer;
    buffer = '';
    rl.pause();
    try {
      for (const { result } of env.executeScript(sql)) {
        if (result.schema === null) {
          io.stdout.write('[INFO] Execute statement succeeded.\n');
          continue;
        }
        running = result;
        const rows = await result.materialize();
        io.stdout.write(`${tableau(result.schema, rows, null)}\n`);
        running = null;
      }
    } catch (e) {
      running = null;
      io.stdout.write(`${describeError(e, 'sql')}\n`);
    }
    rl.resume();
    rl.setPrompt('freshet> ');
    rl.prompt();
  }
  rl.close();
  return EXIT.OK;
}
