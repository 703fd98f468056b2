// The interactive shell's state and behaviour, apart from how ink draws it: the line editor, history and its
// search, completion, the shell commands, and running statements with a live result view. The ink component
// (app.tsx) renders this object and forwards keys to it; `changed` listeners tell it to redraw.
import type { Key } from 'ink';
import { endsWithStatementTerminator, Schema, Types, type Change, type TableEnvironment, type TableResult } from '../index.js';
import { describeError } from './cli.js';
import { classify, columnNames, describeTable, helpText, isResultMode, MAX_TABLE_ROWS_KEY, RESULT_MODE_KEY, runsWithoutSemicolon, splitStatements, type ResultMode, type ShellCommand } from './commands.js';
import { commonPrefix, complete, type CompletionSource } from './complete.js';
import * as ed from './editor.js';
import { formatWatermark, jobProgress, type JobProgress } from './job-status.js';
import type { History } from './history.js';
import { tableau } from './output.js';
import { clampOffset, formatCount, formatSeconds, renderPage, ResultModel, TableauStream } from './result-view.js';
import { defaultFactories } from '../index.js';
import { RestServer, restOptionsFromConfig, type JobOverview, type SqlSession } from '../executor/index.js';
import { parseStatements } from '../index.js';

/** `table` output is cut at the terminal's width (a wrapped box is unreadable); other output wraps. */
export type LogKind = 'input' | 'output' | 'table' | 'info' | 'error';

export interface LogEntry {
  readonly id: number;
  readonly kind: LogKind;
  readonly text: string;
}

/** A query being shown (or, in table/changelog mode, a finished one still on screen until q). */
export interface RunView {
  readonly result: TableResult;
  readonly model: ResultModel;
  readonly mode: ResultMode;
  /** First row shown. */
  offset: number;
  /** Keep showing the last page as rows arrive (until the user scrolls up). */
  follow: boolean;
  finished: boolean;
  /** How the run ended early: q/Esc keeps going with the next statement, Ctrl-C stops the whole input. */
  stopped: 'kept' | 'cancelled' | null;
  /** Called to leave a finished view. */
  release: (() => void) | null;
  error: unknown;
}

export interface ShellOptions {
  readonly env: TableEnvironment;
  readonly history: History;
  /** Leaves the shell (unmounts the ink app). */
  readonly exit: () => void;
  /** Rows available for a result page. */
  readonly pageSize?: () => number;
  /** How often a running query's view is redrawn. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/** A job the shell submitted (INSERT INTO); the shell holds its handle, so it can list and stop it. */
export interface ShellJob {
  readonly id: string;
  readonly statement: string;
  readonly result: TableResult;
  readonly startedAt: number;
  status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';
  error: unknown;
}

export interface SearchState {
  readonly query: string;
  /** History index of the match, -1 when none. */
  readonly index: number;
}

const PROMPT = 'freshet> ';
const REFRESH_STEPS_MS = [100, 200, 500, 1000, 2000, 5000];

export class Shell {
  log: LogEntry[] = [];
  editor: ed.EditorState = ed.EMPTY;
  search: SearchState | null = null;
  /** Candidates shown under the prompt after an ambiguous Tab. */
  completions: string[] = [];
  /** A one-line notice under the prompt (e.g. how to exit). */
  notice: string | null = null;
  mode: ResultMode = 'table';
  timer = false;
  run: RunView | null = null;
  /** True while a submitted buffer is being executed. */
  busy = false;
  exited = false;

  private nextId = 0;
  private historyIndex: number | null = null;
  private draft = '';
  private ctrlCArmed = false;
  private readonly listeners = new Set<() => void>();
  private readonly sessionProps = new Map<string, string>();
  readonly jobs = new Map<string, ShellJob>();
  /** The REST API and dashboard of this session, once startDashboard ran. */
  rest: RestServer | null = null;
  private readonly originalProps = new Map<string, string | undefined>();
  /** How often a live view redraws; + and - change it while a query runs, as in Flink's SQL client. */
  private refreshMs: number;
  private readonly baseRefreshMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: ShellOptions) {
    this.refreshMs = opts.refreshMs ?? 200;
    this.baseRefreshMs = this.refreshMs;
    this.now = opts.now ?? Date.now;
  }

  static readonly PROMPT = PROMPT;
  static readonly CONTINUATION = '      -> ';

  get pageSize(): number {
    return Math.max(3, this.opts.pageSize?.() ?? 15);
  }

  get refreshSeconds(): number {
    return this.refreshMs / 1000;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  print(kind: LogKind, text: string): void {
    this.log = [...this.log, { id: this.nextId++, kind, text }];
    this.changed();
  }

  // ---- keys ---------------------------------------------------------------------------------------------

  onKey(input: string, key: Key): void {
    if (this.exited) return;
    if (this.run !== null) this.onRunKey(input, key);
    else if (this.busy) {
      // Type-ahead while a statement runs is kept and replayed at the next prompt.
      if (key.return) this.pendingInput.push('\n');
      else if (input !== '' && !key.ctrl && !key.meta) this.typed(input);
    } else if (this.search !== null) this.onSearchKey(input, key);
    else this.onPromptKey(input, key);
    this.changed();
  }

  private onRunKey(input: string, key: Key): void {
    const run = this.run as RunView;
    const total = run.mode === 'table' ? run.model.table.size : run.model.changes.length;
    const page = this.pageSize;
    // Where the view is now (following the last page or not), before a key changes that.
    const current = this.visibleOffset(run);
    if (key.ctrl && input === 'c') {
      this.stopRun(run, 'cancelled');
    } else if (key.escape || input === 'q' || input === 'Q') {
      this.stopRun(run, 'kept');
    } else if (key.upArrow) {
      run.follow = false;
      run.offset = clampOffset(current - 1, total, page);
    } else if (key.downArrow) {
      run.offset = clampOffset(current + 1, total, page);
      run.follow = run.offset >= total - page;
    } else if (key.pageUp) {
      run.follow = false;
      run.offset = clampOffset(current - page, total, page);
    } else if (key.pageDown || input === ' ') {
      run.offset = clampOffset(current + page, total, page);
      run.follow = run.offset >= total - page;
    } else if (key.home || input === 'g') {
      run.follow = false;
      run.offset = 0;
    } else if (key.end || input === 'G') {
      run.follow = true;
      run.offset = clampOffset(total, total, page);
    } else if (input === '+' || input === '-') {
      const steps = [...new Set([this.baseRefreshMs, ...REFRESH_STEPS_MS])].sort((a, b) => a - b);
      const at = steps.indexOf(this.refreshMs);
      // '+' refreshes more often (shorter interval), '-' less often.
      this.refreshMs = steps[Math.max(0, Math.min(steps.length - 1, at + (input === '+' ? -1 : 1)))] as number;
    }
  }

  private stopRun(run: RunView, how: 'kept' | 'cancelled'): void {
    run.stopped ??= how;
    run.result.cancel();
    if (run.finished) run.release?.();
  }

  /**
   * The first row on screen. Like Flink's SQL client, a view starts on the last page and follows it while rows
   * arrive, until the user scrolls up; End follows again.
   */
  visibleOffset(run: RunView): number {
    const total = run.mode === 'table' ? run.model.table.size : run.model.changes.length;
    if (run.follow) return clampOffset(total, total, this.pageSize);
    return clampOffset(run.offset, total, this.pageSize);
  }

  private onSearchKey(input: string, key: Key): void {
    const s = this.search as SearchState;
    const h = this.opts.history;
    if ((key.ctrl && (input === 'c' || input === 'g')) || key.escape) {
      this.search = null;
    } else if (key.ctrl && input === 'r') {
      const next = s.index < 0 ? -1 : h.search(s.query, s.index);
      this.search = { query: s.query, index: next >= 0 ? next : s.index };
    } else if (key.backspace || key.delete) {
      const q = s.query.slice(0, -1);
      this.search = { query: q, index: q === '' ? -1 : h.search(q) };
    } else if (key.return || key.tab || key.leftArrow || key.rightArrow || key.upArrow || key.downArrow || key.home || key.end) {
      if (s.index >= 0) this.editor = ed.fromText(h.at(s.index) as string);
      this.search = null;
    } else if (input !== '' && !key.ctrl && !key.meta) {
      const q = s.query + input;
      this.search = { query: q, index: h.search(q) };
    }
  }

  private onPromptKey(input: string, key: Key): void {
    const isCtrlC = key.ctrl && input === 'c';
    if (!isCtrlC) this.ctrlCArmed = false;
    if (!key.tab) this.completions = [];
    this.notice = null;
    const e = this.editor;
    if (isCtrlC) {
      if (e.text !== '') {
        this.editor = ed.EMPTY;
        this.historyIndex = null;
      } else if (this.ctrlCArmed) {
        this.quit();
      } else {
        this.ctrlCArmed = true;
        this.notice = '(press Ctrl-C again to exit, or type QUIT;)';
      }
      return;
    }
    if (key.ctrl) {
      switch (input) {
        case 'a':
          this.editor = ed.home(e);
          return;
        case 'e':
          this.editor = ed.end(e);
          return;
        case 'u':
          this.editor = ed.killToLineStart(e);
          return;
        case 'k':
          this.editor = ed.killToLineEnd(e);
          return;
        case 'w':
          this.editor = ed.killWordBefore(e);
          return;
        case 'b':
          this.editor = ed.left(e);
          return;
        case 'f':
          this.editor = ed.right(e);
          return;
        case 'd':
          if (e.text === '') this.quit();
          else this.editor = ed.deleteForward(e);
          return;
        case 'r':
          this.search = { query: '', index: -1 };
          return;
        case 'l':
          return;
      }
      if (key.leftArrow) this.editor = ed.wordLeft(e);
      else if (key.rightArrow) this.editor = ed.wordRight(e);
      return;
    }
    if (key.meta) {
      if (key.leftArrow || input === 'b') this.editor = ed.wordLeft(e);
      else if (key.rightArrow || input === 'f') this.editor = ed.wordRight(e);
      else if (input === 'd') this.editor = ed.killWordAfter(e);
      else if (key.backspace) this.editor = ed.killWordBefore(e);
      else if (key.return) this.editor = ed.insert(e, '\n');
      return;
    }
    if (key.return) return this.enter();
    if (key.tab) return this.tab();
    if (key.leftArrow) this.editor = ed.left(e);
    else if (key.rightArrow) this.editor = ed.right(e);
    else if (key.home) this.editor = ed.home(e);
    else if (key.end) this.editor = ed.end(e);
    else if (key.backspace) this.editor = ed.backspace(e);
    else if (key.delete) this.editor = ed.deleteForward(e);
    else if (key.upArrow) this.verticalOrHistory(-1);
    else if (key.downArrow) this.verticalOrHistory(1);
    else if (input !== '') this.typed(input);
  }

  /**
   * Typed or pasted text. A line break inside it is Enter (terminals send pasted line breaks as Enter, and
   * tmux sends a typed line with its Enter as one chunk; before raw mode is on, the tty turns Enter into \n),
   * so a pasted script runs statement by statement.
   */
  private typed(input: string): void {
    const parts = input.replace(/\r\n?/g, '\n').split('\n');
    parts.forEach((part, i) => {
      if (i > 0) {
        if (this.busy) this.pendingInput.push('\r');
        else this.enter();
      }
      const clean = part.replace(/\t/g, '  ').replace(/[\x00-\x09\x0b-\x1f\x7f]/g, '');
      if (clean === '') return;
      if (this.busy) this.pendingInput.push(clean);
      else this.editor = ed.insert(this.editor, clean);
    });
  }

  /**
   * Bracketed paste: the text goes into the editor as it is (line breaks included); a paste that ends with a
   * line break is followed by Enter, so pasting a script with its last newline runs it.
   */
  onPaste(text: string): void {
    if (this.exited) return;
    const t = text.replace(/\r\n?/g, '\n');
    const body = t.replace(/\n+$/, '');
    if (this.busy || this.run !== null || this.search !== null) {
      if (this.busy) this.pendingInput.push(t);
      return;
    }
    this.completions = [];
    this.notice = null;
    this.editor = ed.insert(this.editor, body.replace(/\t/g, '  '));
    if (body !== t) this.enter();
    this.changed();
  }

  /** Text typed (or pasted) while a statement ran, replayed at the next prompt. */
  private pendingInput: string[] = [];

  private verticalOrHistory(delta: -1 | 1): void {
    const { line, lines } = ed.cursorLine(this.editor);
    if ((delta < 0 && line > 0) || (delta > 0 && line < lines - 1)) {
      this.editor = ed.verticalMove(this.editor, delta);
      return;
    }
    const h = this.opts.history;
    if (h.size === 0) return;
    if (delta < 0) {
      if (this.historyIndex === null) {
        this.draft = this.editor.text;
        this.historyIndex = h.size - 1;
      } else if (this.historyIndex > 0) this.historyIndex--;
      this.editor = ed.fromText(h.at(this.historyIndex) as string);
    } else {
      if (this.historyIndex === null) return;
      if (this.historyIndex < h.size - 1) {
        this.historyIndex++;
        this.editor = ed.fromText(h.at(this.historyIndex) as string);
      } else {
        this.historyIndex = null;
        this.editor = ed.fromText(this.draft);
      }
    }
  }

  private completionSource(): CompletionSource {
    const env = this.opts.env;
    return {
      tables: () => env.listTables(),
      columns: (t) => columnNames(env, t),
      connectors: () => defaultFactories.identifiers(),
      connectorOptions: (c) => {
        const f = defaultFactories.get(c);
        return f === undefined ? [] : [...f.options.map((o) => o.key), ...(f.optionPrefixes ?? [])];
      },
    };
  }

  private tab(): void {
    const e = this.editor;
    const c = complete(e.text, e.cursor, this.completionSource());
    if (c.candidates.length === 0) return;
    if (c.candidates.length === 1) {
      const word = c.candidates[0] as string;
      // A word completed at the end of the line gets its space; inside a string or before more text it does not.
      const after = e.text[c.end];
      const space = after === undefined && !word.endsWith('.') && e.text[c.start - 1] !== "'" ? ' ' : '';
      this.editor = ed.replaceRange(e, c.start, c.end, word + space);
      return;
    }
    const prefix = commonPrefix(c.candidates);
    if (prefix.length > c.end - c.start) this.editor = ed.replaceRange(e, c.start, c.end, prefix);
    this.completions = c.candidates;
  }

  private enter(): void {
    const text = this.editor.text;
    if (text.trim() === '') {
      if (text !== '') this.editor = ed.EMPTY;
      return;
    }
    if (!runsWithoutSemicolon(text) && !endsWithStatementTerminator(text)) {
      this.editor = ed.insert(this.editor, '\n');
      return;
    }
    this.editor = ed.EMPTY;
    this.historyIndex = null;
    this.opts.history.add(text);
    this.print('input', text);
    void this.execute(text);
  }

  quit(): void {
    if (this.exited) return;
    this.exited = true;
    this.run?.result.cancel();
    for (const j of this.jobs.values()) if (j.status === 'RUNNING') j.result.cancel();
    void this.rest?.close();
    this.changed();
    this.opts.exit();
  }

  /** Cancels the running query, as Ctrl-C does (SIGINT from outside the terminal). */
  interrupt(): void {
    if (this.run !== null) this.stopRun(this.run, 'cancelled');
  }

  // ---- running statements ---------------------------------------------------------------------------------

  /** Runs a buffer statement by statement; stops at the first error or a cancelled query. */
  async execute(text: string): Promise<void> {
    this.busy = true;
    this.changed();
    try {
      for (const statement of splitStatements(text)) {
        if (this.exited) break;
        const started = this.now();
        const ok = await this.executeOne(statement);
        if (this.timer && classify(statement).kind === 'sql') this.print('info', `Run time: ${((this.now() - started) / 1000).toFixed(3)} s`);
        if (!ok) break;
      }
    } finally {
      this.busy = false;
      this.changed();
    }
    const pending = this.pendingInput.join('');
    this.pendingInput = [];
    if (pending !== '' && !this.exited) {
      this.typed(pending);
      this.changed();
    }
  }

  /** Runs an init script before the prompt: like typed input, but not added to the history. */
  async runInit(name: string, sql: string): Promise<boolean> {
    this.print('info', `Running ${name}`);
    this.busy = true;
    try {
      for (const statement of splitStatements(sql)) {
        if (!(await this.executeOne(statement, name))) return false;
      }
      return true;
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  private async executeOne(statement: string, source = 'sql'): Promise<boolean> {
    const cmd = classify(statement);
    if (cmd.kind !== 'sql') return this.command(cmd);
    try {
      for (const { result } of this.opts.env.executeScript(statement)) {
        if (result.schema === null) {
          // INSERT INTO: the job is detached, as in Flink's SQL client; the prompt comes back while it runs.
          if (result.jobId !== null) {
            this.track(result.jobId, statement, result);
            this.print('info', `[INFO] Submitting SQL update statement to the cluster...\n[INFO] SQL update statement has been successfully submitted to the cluster:\nJob ID: ${result.jobId}`);
          } else this.print('info', '[INFO] Execute statement succeeded.');
          continue;
        }
        if (!(await this.showQuery(result))) return false;
      }
      return true;
    } catch (e) {
      this.print('error', describeError(e, source));
      return false;
    }
  }

  private track(id: string, statement: string, result: TableResult): void {
    const job: ShellJob = { id, statement: statement.trim(), result, startedAt: this.now(), status: 'RUNNING', error: null };
    this.jobs.set(id, job);
    result.await().then(
      () => {
        if (job.status === 'RUNNING') job.status = 'FINISHED';
        this.changed();
      },
      (e: unknown) => {
        if (job.status !== 'RUNNING') return;
        job.status = 'FAILED';
        job.error = e;
        // The failure of a background job is news the user did not ask for at this moment, but must see.
        if (!this.exited) this.print('error', `[ERROR] Job ${id} failed:\n${describeError(e, 'job')}`);
      },
    );
  }

  /** Flink's SHOW JOBS columns (job id, job name, status, start time), from the Dispatcher. */
  private jobTable(jobs: readonly JobOverview[]): string {
    const schema = new Schema(['job id', 'job name', 'status', 'start time'].map((name) => ({ name, type: Types.STRING() })));
    const rows = jobs.map((j) => [j.jid, j.name, j.state, new Date(j['start-time']).toISOString()]);
    return tableau(schema, rows, null).replace(/\d+ rows? in set$/, jobs.length === 1 ? '1 job' : `${jobs.length} jobs`);
  }

  /**
   * Starts the REST API and dashboard on the session's Dispatcher (rest.port, default 8081; a taken port falls
   * back to any free one) and prints its URL under the banner. A failure is reported, not fatal.
   */
  async startDashboard(): Promise<void> {
    const env = this.opts.env;
    try {
      // The shell starts before any SET: the environment's configuration, else FRESHET_REST_PORT/ADDRESS/TOKEN.
      const conf = restOptionsFromConfig({
        'rest.port': env.getConfig().get('rest.port') ?? process.env.FRESHET_REST_PORT,
        'rest.address': env.getConfig().get('rest.address') ?? process.env.FRESHET_REST_ADDRESS,
        'rest.token': env.getConfig().get('rest.token') ?? process.env.FRESHET_REST_TOKEN,
      });
      try {
        this.rest = await RestServer.start(env.dispatcher, { ...conf, sql: sqlSessionOf(env) });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
        this.rest = await RestServer.start(env.dispatcher, { ...conf, port: 0, sql: sqlSessionOf(env) });
      }
      this.print('info', `Dashboard: ${this.rest.url} (REST API under ${this.rest.url}v1/)`);
    } catch (e) {
      this.print('error', `[ERROR] dashboard not started: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private command(cmd: Exclude<ShellCommand, { kind: 'sql' }>): boolean {
    const env = this.opts.env;
    switch (cmd.kind) {
      case 'showJobs': {
        // On a standalone cluster: every job of the cluster, from its REST API (as Flink's SQL client lists the
        // jobs of the cluster it is connected to).
        const cluster = env.clusterClient();
        if (cluster !== null) {
          void cluster.jobs().then(
            ({ jobs }) => this.print('table', jobs.length === 0 ? 'No jobs on the cluster: INSERT INTO ... or a query submits one.' : this.jobTable(jobs)),
            (e: unknown) => this.print('error', `[ERROR] the cluster's REST API: ${e instanceof Error ? e.message : String(e)}`),
          );
          return true;
        }
        const jobs = env.dispatcher.listJobs();
        this.print('table', jobs.length === 0 ? 'No jobs: INSERT INTO ... or a query submits one.' : this.jobTable(jobs));
        return true;
      }
      case 'stopJob':
      case 'describeJob': {
        const job = env.dispatcher.listJobs().find((j) => j.jid === cmd.id);
        const cluster = env.clusterClient();
        if (job === undefined && cluster !== null && cmd.kind === 'stopJob' && cmd.withSavepoint !== true) {
          // A job of the cluster that another client submitted: cancelled through the REST API.
          void cluster.cancel(cmd.id).then(
            () => this.print('info', `[INFO] Job ${cmd.id} is stopped.`),
            (e: unknown) => this.print('error', `[ERROR] ${e instanceof Error ? e.message : String(e)}`),
          );
          return true;
        }
        if (job === undefined) {
          this.print('error', `[ERROR] no job '${cmd.id}' in this session (SHOW JOBS; lists them)`);
          return false;
        }
        if (cmd.kind === 'describeJob') {
          const detail = env.dispatcher.jobDetail(cmd.id);
          const failure = env.dispatcher.jobExceptions(cmd.id)['root-exception'];
          const mine = this.jobs.get(cmd.id);
          // The shell's own handle has the failure as the user saw it (with its caret); else the root exception.
          const why = mine?.error != null ? `\n${describeError(mine.error, 'job')}` : failure === null ? '' : `\n${failure}`;
          this.print('table', `${this.jobTable([job])}\n${detail.sql}${why}`);
          return true;
        }
        if (cmd.withSavepoint === true) {
          // As Flink's SQL client: the savepoint's path, from which SET 'execution.savepoint.path' resumes. It
          // arrives later (the barrier crosses the job first); the prompt stays usable meanwhile.
          this.print('info', `[INFO] Taking a savepoint of job ${job.jid}, then stopping it.`);
          void env.stopJob(cmd.id, { savepoint: '' }).then(
            (path) => {
              const mine = this.jobs.get(cmd.id);
              if (mine !== undefined) mine.status = 'CANCELED';
              this.print('info', `[INFO] Job ${job.jid} is stopped. Savepoint path: ${path ?? '(none)'}`);
            },
            (e: unknown) => this.print('error', `[ERROR] ${e instanceof Error ? e.message : String(e)}`),
          );
          return true;
        }
        if (job.state === 'RUNNING' || job.state === 'RESTARTING' || job.state === 'CREATED') {
          const mine = this.jobs.get(cmd.id);
          if (mine !== undefined) mine.status = 'CANCELED';
          void env.dispatcher.stopJob(cmd.id).catch(() => undefined);
          this.print('info', `[INFO] Job ${job.jid} is stopped.`);
        } else this.print('info', `[INFO] Job ${job.jid} had already ended (${job.state}).`);
        return true;
      }
      case 'quit':
        this.quit();
        return false;
      case 'help':
        this.print('output', helpText(cmd.topic));
        return true;
      case 'tables': {
        const tables = env.listTables();
        this.print('output', tables.length === 0 ? 'No tables yet: CREATE TABLE defines one (HELP CREATE TABLE; shows how).' : tables.join('\n'));
        return true;
      }
      case 'schema': {
        if (cmd.table === null) {
          const all = env.listTables().map((t) => describeTable(env, t) as string);
          this.print('output', all.length === 0 ? 'No tables yet.' : all.join('\n\n'));
          return true;
        }
        const d = describeTable(env, cmd.table);
        if (d === null) {
          this.print('error', `[ERROR] no table '${cmd.table}' (tables: ${env.listTables().join(', ') || 'none'})`);
          return false;
        }
        this.print('output', d);
        return true;
      }
      case 'mode':
        if (cmd.mode === null) {
          this.print('output', `result mode: ${this.mode} (table, changelog or tableau)`);
          return true;
        }
        return this.setMode(cmd.mode);
      case 'timer':
        this.timer = cmd.on ?? !this.timer;
        this.print('info', `Timer is ${this.timer ? 'on' : 'off'}.`);
        return true;
      case 'unknownDot':
        this.print('error', `[ERROR] unknown command '.${cmd.name}' (.help lists the commands)`);
        return false;
      case 'showSet': {
        const lines = [`'${RESULT_MODE_KEY}' = '${this.mode}'`, ...[...this.sessionProps].map(([k, v]) => `'${k}' = '${v}'`)];
        this.print('output', lines.join('\n'));
        return true;
      }
      case 'set':
        if (cmd.key === RESULT_MODE_KEY) return this.setMode(cmd.value);
        if (!this.originalProps.has(cmd.key)) this.originalProps.set(cmd.key, env.getConfig().get(cmd.key));
        env.getConfig().set(cmd.key, cmd.value);
        this.sessionProps.set(cmd.key, cmd.value);
        this.print('info', '[INFO] Session property has been set.');
        return true;
      case 'reset': {
        const keys = cmd.key === null ? [RESULT_MODE_KEY, ...this.sessionProps.keys()] : [cmd.key];
        for (const k of keys) {
          if (k === RESULT_MODE_KEY) this.mode = 'table';
          const original = this.originalProps.get(k);
          if (original !== undefined) env.getConfig().set(k, original);
          this.sessionProps.delete(k);
        }
        this.print('info', '[INFO] Session property has been reset.');
        return true;
      }
    }
  }

  private setMode(value: string): boolean {
    const v = value.toLowerCase();
    if (!isResultMode(v)) {
      this.print('error', `[ERROR] unknown result mode '${value}': expected table, changelog or tableau`);
      return false;
    }
    this.mode = v;
    this.print('info', `[INFO] Result mode is ${v}.`);
    return true;
  }

  /** Shows a running query in the current mode until it ends or is stopped; false if the input should stop. */
  private async showQuery(result: TableResult): Promise<boolean> {
    const schema = result.schema;
    if (schema === null) return true;
    const mode = this.mode;
    // Flink's SQL client caps the table mode's materialized view (default 1,000,000 rows, 0 = no cap).
    const cap = Number(this.opts.env.getConfig().get(MAX_TABLE_ROWS_KEY) ?? 1_000_000);
    const model = new ResultModel(schema, mode === 'table' ? 'fold' : 'changes', this.now(), Number.isFinite(cap) ? cap : 1_000_000);
    const run: RunView = { result, model, mode, offset: 0, follow: true, finished: false, stopped: null, release: null, error: null };
    const tableau = mode === 'tableau' ? new TableauStream(schema) : null;
    const flush = (): void => {
      if (tableau !== null) {
        const lines = tableau.next(model.takeChanges());
        if (lines.length > 0) this.print('table', lines.join('\n'));
      }
    };
    this.run = run;
    this.changed();
    // A timeout chain rather than an interval, so that a changed refresh rate applies at the next redraw.
    let timer: NodeJS.Timeout | null = null;
    const tick = (): void => {
      flush();
      this.changed();
      timer = setTimeout(tick, this.refreshMs);
    };
    timer = setTimeout(tick, this.refreshMs);
    try {
      for await (const c of result.changes() as AsyncGenerator<Change>) model.apply(c);
    } catch (e) {
      run.error = e;
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
    flush();
    const total = mode === 'table' ? model.table.size : model.changes.length;
    // A finished result larger than a page stays on screen for scrolling until q; a small one goes straight
    // to the scrollback.
    if (run.error === null && run.stopped === null && mode !== 'tableau' && total > this.pageSize) {
      run.finished = true;
      this.changed();
      await new Promise<void>((resolve) => (run.release = resolve));
    }
    run.finished = true;
    this.run = null;
    if (tableau !== null) this.print('output', tableau.end(model.received).join('\n'));
    else this.print('table', this.viewLines(run).join('\n'));
    if (model.table.message !== null) this.print('info', `[INFO] ${model.table.message}`);
    if (run.stopped === 'cancelled') this.print('info', '[INFO] Query cancelled.');
    if (run.error !== null) {
      this.print('error', describeError(run.error, 'query'));
      return false;
    }
    return run.stopped !== 'cancelled';
  }

  /** The table or changelog page on screen, and a line saying which rows these are. */
  viewLines(run: RunView): string[] {
    const page = this.pageSize;
    const offset = this.visibleOffset(run);
    const m = run.model;
    if (run.mode === 'table') {
      const rows = m.table.rows();
      if (rows.length === 0) return [...renderPage(m.schema, rows, null, 0, 0), 'Empty set'];
      return [...renderPage(m.schema, rows, null, offset, page), this.rangeLine(offset, page, rows.length, 'row')];
    }
    const ch = m.changes;
    if (ch.length === 0) return [...renderPage(m.schema, [], [], 0, 0), 'No changes'];
    return [
      ...renderPage(m.schema, ch.map((c) => c.values), ch.map((c) => c.kind), offset, page),
      this.rangeLine(offset, page, ch.length, 'change'),
    ];
  }

  private rangeLine(offset: number, page: number, total: number, noun: string): string {
    const plural = total === 1 ? noun : `${noun}s`;
    if (total <= page) return `${formatCount(total)} ${plural}`;
    return `${plural} ${formatCount(offset + 1)}-${formatCount(Math.min(total, offset + page))} of ${formatCount(total)}`;
  }

  /** The status line under a running query. */
  statusLine(run: RunView): string {
    const m = run.model;
    const now = this.now();
    const state = run.finished ? 'Finished' : 'Running';
    const parts = [state, ...(run.result.jobId !== null ? [`job ${run.result.jobId.slice(0, 8)}`] : []), formatSeconds(now - m.startedAt), `${formatCount(m.received)} ${m.received === 1 ? 'row' : 'rows'} received`];
    const progress = run.finished ? null : this.progress(run);
    if (!run.finished) {
      // Records in: what the job's sources read (from its metrics); out: the result's rows, as they arrive here.
      const inRate = progress === null ? '?' : formatCount(Math.round(progress.inPerSec));
      parts.push(`in ${inRate}/s`, `out ${formatCount(Math.round(m.rate(now)))}/s`);
    }
    if (progress !== null && progress.watermark !== null) {
      const lag = Math.max(0, now - progress.watermark);
      parts.push(`watermark ${formatWatermark(progress.watermark)}, lag ${formatSeconds(lag)}`);
    } else if (progress !== null) parts.push('no watermark');
    parts.push(`refresh ${this.refreshSeconds} s`, `mode ${run.mode}`);
    return parts.join(' · ');
  }

  /** The running query's job progress from the session's Dispatcher, or null when it does not know the job. */
  private progress(run: RunView): JobProgress | null {
    const id = run.result.jobId;
    if (id === null) return null;
    try {
      return jobProgress(this.opts.env.dispatcher.jobDetail(id));
    } catch {
      return null;
    }
  }

  keyHint(run: RunView): string {
    if (run.mode === 'tableau') return 'q/Esc or Ctrl-C: stop the query';
    return run.finished
      ? 'q/Esc: back to the prompt · ↑↓ PgUp/PgDn Home/End: scroll'
      : 'q/Esc: stop and keep this view · Ctrl-C: cancel · ↑↓ PgUp/PgDn Home/End: scroll · +/-: refresh rate';
  }

  historyAt(i: number): string | undefined {
    return this.opts.history.at(i);
  }
}

/**
 * The dashboard's SQL tab runs queries in the shell's session (its tables and settings), one SELECT at a time:
 * statements that change the session or write somewhere stay with the shell.
 */
export function sqlSessionOf(env: TableEnvironment): SqlSession {
  return {
    query(statement) {
      const parsed = parseStatements(statement);
      if (parsed.length !== 1 || parsed[0]?.kind !== 'query') throw new Error('The SQL tab runs one query (SELECT, VALUES, WITH …); DDL, SET and INSERT belong in the shell');
      const r = env.executeSql(statement);
      return { jobId: r.jobId as string, columns: r.schema?.fields ?? [], changes: r.changes(), cancel: () => void r.cancel() };
    },
  };
}
