// Freshet's dashboard: the Dispatcher's web UI (issue #13). Hash routes — #/ overview, #/jobs, #/jobs/<jid>,
// #/config — each polls the REST API once per refresh interval and re-renders with lit-html (which escapes every
// text binding: job names and SQL come from users and are never treated as HTML).
import { html, nothing, render, type TemplateResult } from 'lit-html';
import {
  api,
  ApiError,
  type SqlResult,
  type CheckpointConfigInfo,
  type CheckpointingStatistics,
  type ClusterOverview,
  type DashboardConfig,
  type JobDetail,
  type JobExceptions,
  type JobsOverview,
  type TaskManagersInfo,
  type VertexSubtasks,
} from './api.js';
import { lineChart, type Series } from './chart.js';
import { dag } from './dag.js';
import { fmtBytes, fmtCount, fmtDuration, fmtPct, fmtRate, fmtTime, fmtWatermark } from './format.js';

type Route =
  | { page: 'overview' }
  | { page: 'jobs' }
  | { page: 'job'; jid: string }
  | { page: 'config' }
  | { page: 'sql' };

function route(): Route {
  const h = location.hash.replace(/^#/, '');
  const job = /^\/jobs\/([0-9a-zA-Z_-]+)/.exec(h);
  if (job !== null) return { page: 'job', jid: job[1] as string };
  if (h.startsWith('/jobs')) return { page: 'jobs' };
  if (h.startsWith('/config')) return { page: 'config' };
  if (h.startsWith('/sql')) return { page: 'sql' };
  return { page: 'overview' };
}

/** What the job page remembers between refreshes: the selected vertex, the tab, the chart samples. */
interface JobView {
  jid: string;
  selected: string | null;
  tab: 'vertices' | 'subtasks' | 'exceptions' | 'checkpoints' | 'sql';
  throughput: Series;
  lag: Series;
}

const state: {
  overview: ClusterOverview | null;
  jobs: JobsOverview | null;
  job: JobDetail | null;
  vertex: VertexSubtasks | null;
  exceptions: JobExceptions | null;
  checkpoints: CheckpointingStatistics | null;
  /** The job's checkpoint configuration; 'off' when the job runs without checkpointing (the server's 404). */
  checkpointConfig: CheckpointConfigInfo | 'off' | null;
  config: DashboardConfig | null;
  tms: TaskManagersInfo | null;
  error: string | null;
  /** The outcome of the last cancel/stop, kept until the user navigates (a refresh must not clear it). */
  actionError: string | null;
  notice: string | null;
  view: JobView | null;
  /** The SQL tab: the statement being edited and the result of the last query run from it. */
  sqlText: string;
  sql: SqlResult | null;
} = {
  sqlText: 'SELECT 1',
  sql: null,
  overview: null,
  jobs: null,
  job: null,
  vertex: null,
  exceptions: null,
  checkpoints: null,
  checkpointConfig: null,
  config: null,
  tms: null,
  error: null,
  actionError: null,
  notice: null,
  view: null,
};

const CHART_SAMPLES = 300;

function push(s: Series, at: number, v: number): void {
  s.at.push(at);
  s.values.push(v);
  if (s.values.length > CHART_SAMPLES) {
    s.at.shift();
    s.values.shift();
  }
}

async function load(): Promise<void> {
  const r = route();
  try {
    switch (r.page) {
      case 'overview':
        [state.overview, state.jobs, state.tms] = await Promise.all([
          api.overview(),
          api.jobs(),
          api.taskManagers(),
        ]);
        break;
      case 'jobs':
        state.jobs = await api.jobs();
        break;
      case 'config':
        state.config = await api.config();
        break;
      case 'sql':
        if (state.sql !== null && !state.sql.done) state.sql = await api.sqlResult(state.sql.jid);
        break;
      case 'job': {
        if (state.view?.jid !== r.jid) {
          state.view = {
            jid: r.jid,
            selected: null,
            tab: 'vertices',
            throughput: { at: [], values: [] },
            lag: { at: [], values: [] },
          };
          state.vertex = null;
          state.exceptions = null;
          state.checkpoints = null;
          state.checkpointConfig = null;
        }
        const v = state.view;
        const job = await api.job(r.jid);
        state.job = job;
        const now = job.now;
        // Throughput: records the sources emit per second (Flink's numRecordsOutPerSecond), as the executor
        // derives it between two metric reports. Not from the cumulative counters between two looks: a MiniCluster's
        // counters arrive with the TaskManagers' heartbeats (every heartbeat.interval, 10 s, like Flink's
        // metrics.fetcher.update-interval), so most looks would see no change and chart a false zero.
        const sources = job.vertices.filter(
          (x) => !job.plan.nodes.find((n) => n.id === x.id)?.inputs?.length,
        );
        push(
          v.throughput,
          now,
          // A source chained with its sink emits nothing downstream: then what entered its chain is the rate.
          sources.reduce(
            (n, x) =>
              n + Math.max(x.metrics['write-records-per-second'], x.metrics['read-records-per-second']),
            0,
          ),
        );
        // Watermark lag: wall clock minus the lowest current watermark of the job (event-time jobs only).
        const wms = job.vertices
          .map((x) => x.metrics['current-input-watermark'])
          .filter((w): w is number => w !== null && w < 8.64e15);
        if (wms.length > 0) push(v.lag, now, Math.max(0, now - Math.min(...wms)));
        if (v.selected === null && job.vertices.length > 0)
          v.selected = (job.vertices[0] as { id: string }).id;
        if (v.tab === 'subtasks' && v.selected !== null) state.vertex = await api.vertex(r.jid, v.selected);
        if (v.tab === 'exceptions') state.exceptions = await api.exceptions(r.jid);
        if (v.tab === 'checkpoints') {
          state.checkpoints = await api.checkpoints(r.jid);
          // The configuration does not change while the job runs: fetched once per job page.
          if (state.checkpointConfig === null)
            state.checkpointConfig = await api.checkpointConfig(r.jid).catch((e: unknown) => {
              if (e instanceof ApiError && e.status === 404) return 'off' as const;
              throw e;
            });
        }
        break;
      }
    }
    state.error = null;
  } catch (e) {
    state.error = e instanceof ApiError ? `${e.status}: ${e.message}` : String(e);
  }
}

function stateBadge(s: string): TemplateResult {
  return html`<span class="state ${s}" data-testid="state">${s}</span>`;
}

function card(label: string, value: string | number, testid: string): TemplateResult {
  return html`<div class="card">
    <div class="label">${label}</div>
    <div class="value" data-testid=${testid}>${value}</div>
  </div>`;
}

function jobsTable(jobs: JobsOverview | null): TemplateResult {
  if (jobs === null) return html`<p class="muted">Loading…</p>`;
  if (jobs.jobs.length === 0) return html`<p class="muted">No jobs yet: run a query or an INSERT INTO.</p>`;
  const sorted = [...jobs.jobs].sort((a, b) => b['start-time'] - a['start-time']);
  return html`<table data-testid="jobs-table">
    <thead>
      <tr>
        <th>Job name</th>
        <th>Start time</th>
        <th>Duration</th>
        <th>Parallelism</th>
        <th>Tasks</th>
        <th>Status</th>
        <th>Job id</th>
      </tr>
    </thead>
    <tbody>
      ${sorted.map(
        (j) =>
          html`<tr class="link" data-jid=${j.jid} @click=${() => (location.hash = `#/jobs/${j.jid}`)}>
            <td>${j.name}</td>
            <td>${fmtTime(j['start-time'])}</td>
            <td>${fmtDuration(j.duration)}</td>
            <td class="num">${j.parallelism}</td>
            <td class="num">${j.tasks.total ?? 0}</td>
            <td>${stateBadge(j.state)}</td>
            <td class="muted">${j.jid}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function overviewPage(): TemplateResult {
  const o = state.overview;
  if (o === null) return html`<p class="muted">Loading…</p>`;
  return html`<div class="cards">
      ${card('TaskManagers', o.taskmanagers, 'taskmanagers')}
      ${card('Slots total', o['slots-total'], 'slots-total')}
      ${card('Slots available', o['slots-available'], 'slots-available')}
      ${card('Running jobs', o['jobs-running'], 'jobs-running')}
      ${card('Finished jobs', o['jobs-finished'], 'jobs-finished')}
      ${card('Cancelled jobs', o['jobs-cancelled'], 'jobs-cancelled')}
      ${card('Failed jobs', o['jobs-failed'], 'jobs-failed')}
      ${card('Uptime', fmtDuration(o.uptime), 'uptime')}
    </div>
    <div class="panel">
      <h2>Jobs</h2>
      ${jobsTable(state.jobs)}
    </div>
    ${
      state.tms === null
        ? nothing
        : html`<div class="panel">
            <h2>TaskManagers</h2>
            <table>
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Path</th>
                  <th>Slots</th>
                  <th>Free slots</th>
                  <th>CPU cores</th>
                  <th>Last heartbeat</th>
                </tr>
              </thead>
              <tbody>
                ${state.tms.taskmanagers.map(
                  (t) =>
                    html`<tr>
                      <td>${t.id}</td>
                      <td>${t.path}</td>
                      <td class="num">${t.slotsNumber}</td>
                      <td class="num">${t.freeSlots}</td>
                      <td class="num">${t.hardware.cpuCores}</td>
                      <td class="num">${t.timeSinceLastHeartbeat} ms ago</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}

async function cancelJob(jid: string): Promise<void> {
  if (!confirm(`Cancel job ${jid}?`)) return;
  try {
    await api.cancel(jid);
    state.notice = 'Cancellation requested.';
  } catch (e) {
    state.actionError = String(e instanceof Error ? e.message : e);
  }
  await refresh();
}

async function stopJob(jid: string): Promise<void> {
  const dir = prompt('Stop with a savepoint into directory:', '/tmp/savepoints');
  if (dir === null || !confirm(`Stop job ${jid} with a savepoint into ${dir}?`)) return;
  try {
    const r = await api.stopWithSavepoint(jid, dir);
    state.notice =
      r.savepoint === null ? `Stop requested (${r['request-id']}).` : `Stopped with savepoint ${r.savepoint}`;
  } catch (e) {
    state.actionError = String(e instanceof Error ? e.message : e);
  }
  await refresh();
}

function vertexTable(job: JobDetail, v: JobView): TemplateResult {
  return html`<table data-testid="vertices-table">
    <thead>
      <tr>
        <th>Name</th>
        <th>Status</th>
        <th>Parallelism</th>
        <th>Records in</th>
        <th>Records out</th>
        <th>In/s</th>
        <th>Out/s</th>
        <th>Busy</th>
        <th>Backpressured</th>
        <th>Watermark</th>
        <th>Late dropped</th>
        <th>State size</th>
      </tr>
    </thead>
    <tbody>
      ${job.vertices.map(
        (x) =>
          html`<tr
            class="link"
            @click=${() => selectVertex(x.id)}
            style=${x.id === v.selected ? 'background:#eef5fc' : ''}
          >
            <td>${x.name}</td>
            <td>${stateBadge(x.status)}</td>
            <td class="num">${x.parallelism}</td>
            <td class="num">${fmtCount(x.metrics['read-records'])}</td>
            <td class="num">${fmtCount(x.metrics['write-records'])}</td>
            <td class="num">${fmtRate(x.metrics['read-records-per-second'])}</td>
            <td class="num">${fmtRate(x.metrics['write-records-per-second'])}</td>
            <td class="num">${fmtPct(x.metrics['busy-ratio'])}</td>
            <td class="num">${fmtPct(x.metrics['backpressured-ratio'])}</td>
            <td>
              ${fmtWatermark(x.metrics['current-input-watermark'] ?? x.metrics['current-output-watermark'])}
            </td>
            <td class="num">${fmtCount(x.metrics['late-records-dropped'])}</td>
            <td class="num">${fmtCount(x.metrics['state-size'])}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function subtaskTable(): TemplateResult {
  const s = state.vertex;
  if (s === null) return html`<p class="muted">Loading…</p>`;
  return html`<h2>${s.name}</h2>
    <table data-testid="subtasks-table">
      <thead>
        <tr>
          <th>Subtask</th>
          <th>Status</th>
          <th>Attempt</th>
          <th>Endpoint</th>
          <th>Records in</th>
          <th>Records out</th>
          <th>Busy</th>
          <th>Idle</th>
          <th>Backpressured</th>
          <th>Input watermark</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        ${s.subtasks.map(
          (t) =>
            html`<tr>
              <td class="num">${t.subtask}</td>
              <td>${stateBadge(t.status)}</td>
              <td class="num">${t.attempt}</td>
              <td>${t.endpoint}</td>
              <td class="num">${fmtCount(t.metrics['read-records'])}</td>
              <td class="num">${fmtCount(t.metrics['write-records'])}</td>
              <td class="num">${fmtPct(t.metrics['busy-ratio'])}</td>
              <td class="num">${fmtPct(t.metrics['idle-ratio'])}</td>
              <td class="num">${fmtPct(t.metrics['backpressured-ratio'])}</td>
              <td>${fmtWatermark(t.metrics['current-input-watermark'])}</td>
              <td>${fmtDuration(t.duration)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function exceptionsView(): TemplateResult {
  const e = state.exceptions;
  if (e === null) return html`<p class="muted">Loading…</p>`;
  if (e['root-exception'] === null)
    return html`<p class="muted" data-testid="no-exceptions">No exceptions.</p>`;
  return html`<h2>Root exception (${fmtTime(e.timestamp ?? 0)})</h2>
    <pre data-testid="root-exception">${e['root-exception']}</pre>
    ${
      e.exceptionHistory.entries.length > 1
        ? html`<h2>History</h2>
            ${e.exceptionHistory.entries.map(
              (x) =>
                html`<pre>
${fmtTime(x.timestamp)} ${x.taskName ?? ''}
${x.stacktrace}</pre>`,
            )}`
        : nothing
    }`;
}

/** Flink's checkpoint tab: counts, the latest completed one, the configuration and the recent history. */
function checkpointsView(): TemplateResult {
  const c = state.checkpoints;
  const conf = state.checkpointConfig;
  if (c === null || conf === null) return html`<p class="muted">Loading…</p>`;
  if (conf === 'off' && c.counts.total === 0)
    return html`<p class="muted" data-testid="no-checkpoints">
      Checkpointing is not enabled for this job (SET 'execution.checkpointing.interval').
    </p>`;
  const last = c.latest.completed;
  return html`<div class="cards">
      ${card('Triggered', c.counts.total, 'cp-total')}
      ${card('In progress', c.counts.in_progress, 'cp-in-progress')}
      ${card('Completed', c.counts.completed, 'cp-completed')} ${card('Failed', c.counts.failed, 'cp-failed')}
      ${card('Restored', c.counts.restored, 'cp-restored')}
    </div>
    <h2>Latest completed</h2>
    ${
      last === null
        ? html`<p class="muted" data-testid="cp-latest">None yet.</p>`
        : html`<p data-testid="cp-latest">
            #${last.id} · ${fmtTime(last.latest_ack_timestamp)} · ${last.end_to_end_duration} ms ·
            ${fmtBytes(last.state_size)} · <span class="muted">${last.external_path ?? ''}</span>
          </p>`
    }
    ${
      c.latest.restored === null
        ? nothing
        : html`<p>Restored from #${c.latest.restored.id} (${c.latest.restored.external_path})</p>`
    }
    <h2>History</h2>
    <table data-testid="cp-history">
      <thead>
        <tr>
          <th>Id</th>
          <th>Type</th>
          <th>Status</th>
          <th>Acknowledged</th>
          <th>Trigger time</th>
          <th>Latest ack</th>
          <th>End to end</th>
          <th>State size</th>
          <th>Alignment</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        ${c.history.map(
          (h) =>
            html`<tr data-checkpoint=${h.id}>
              <td class="num">${h.id}</td>
              <td>${h.checkpoint_type}</td>
              <td>${stateBadge(h.status)}</td>
              <td class="num">${h.num_acknowledged_subtasks}/${h.num_subtasks}</td>
              <td>${fmtTime(h.trigger_timestamp)}</td>
              <td>${fmtTime(h.latest_ack_timestamp)}</td>
              <td class="num">${h.end_to_end_duration} ms</td>
              <td class="num">${fmtBytes(h.state_size)}</td>
              <td class="num">${h.alignment_duration} ms</td>
              <td>${h.failure_message ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      conf === 'off'
        ? nothing
        : html`<h2>Configuration</h2>
            <table data-testid="cp-config">
              <tbody>
                <tr>
                  <td>Mode</td>
                  <td>${conf.mode === 'exactly_once' ? 'Exactly once' : 'At least once'}</td>
                </tr>
                <tr>
                  <td>Interval</td>
                  <td>${conf.interval} ms</td>
                </tr>
                <tr>
                  <td>Timeout</td>
                  <td>${fmtDuration(conf.timeout)}</td>
                </tr>
                <tr>
                  <td>Minimum pause between checkpoints</td>
                  <td>${conf.min_pause} ms</td>
                </tr>
                <tr>
                  <td>Maximum concurrent checkpoints</td>
                  <td>${conf.max_concurrent}</td>
                </tr>
                <tr>
                  <td>Tolerable failed checkpoints</td>
                  <td>${conf.tolerable_failed_checkpoints}</td>
                </tr>
                <tr>
                  <td>Persist checkpoints externally</td>
                  <td>
                    ${
                      conf.externalization.enabled
                        ? conf.externalization.delete_on_cancellation
                          ? 'Enabled (delete on cancellation)'
                          : 'Enabled (retain on cancellation)'
                        : 'Disabled'
                    }
                  </td>
                </tr>
                <tr>
                  <td>State backend</td>
                  <td>${conf.state_backend}</td>
                </tr>
                <tr>
                  <td>Checkpoint storage</td>
                  <td>${conf.checkpoint_storage}</td>
                </tr>
              </tbody>
            </table>`
    }`;
}

function jobPage(jid: string): TemplateResult {
  const job = state.job;
  const v = state.view;
  if (job === null || job.jid !== jid || v === null) return html`<p class="muted">Loading…</p>`;
  const running = job.state === 'RUNNING' || job.state === 'RESTARTING' || job.state === 'CREATED';
  const tab = (t: JobView['tab'], label: string): TemplateResult =>
    html`<button class=${v.tab === t ? 'active' : ''} data-tab=${t} @click=${() => selectTab(t)}>
      ${label}
    </button>`;
  return html`<div class="jobhead">
      <h1 data-testid="job-name">${job.name}</h1>
      ${stateBadge(job.state)}
      <span class="meta"
        >${job.jid} · started ${fmtTime(job['start-time'])} · ${fmtDuration(job.duration)} · restarts
        ${job.restarts}</span
      >
      <span class="actions">
        <button class="danger" data-testid="cancel" ?disabled=${!running} @click=${() => cancelJob(jid)}>
          Cancel job
        </button>
        <button data-testid="stop" ?disabled=${!running} @click=${() => stopJob(jid)}>
          Stop with savepoint
        </button>
      </span>
    </div>
    <div class="panel">
      <h2>Job graph</h2>
      <div class="dag">${dag(job, v.selected, selectVertex)}</div>
      <div class="legend">
        Node colour: <span class="sw" style="background:#fff"></span>idle
        <span class="sw" style="background:rgb(120,170,230)"></span>busy
        <span class="sw" style="background:#fcd9a8"></span>backpressured &gt;10%
        <span class="sw" style="background:#f4a6a6"></span>&gt;50%. Click a node for its subtasks.
      </div>
    </div>
    <div class="charts">
      <div class="panel chart">
        <h2>Source throughput (records/s)</h2>
        ${lineChart(v.throughput, fmtCount, 'throughput-chart')}
      </div>
      <div class="panel chart">
        <h2>Watermark lag (ms behind wall clock)</h2>
        ${v.lag.values.length === 0 ? html`<p class="muted">No event-time watermark in this job.</p>` : lineChart(v.lag, fmtCount, 'lag-chart')}
      </div>
    </div>
    <div class="panel">
      <div class="tabs">
        ${tab('vertices', 'Vertices')} ${tab('subtasks', 'Subtasks')} ${tab('exceptions', 'Exceptions')}
        ${tab('checkpoints', 'Checkpoints')} ${tab('sql', 'SQL & plan')}
      </div>
      ${
        v.tab === 'vertices'
          ? vertexTable(job, v)
          : v.tab === 'subtasks'
            ? subtaskTable()
            : v.tab === 'exceptions'
              ? exceptionsView()
              : v.tab === 'checkpoints'
                ? checkpointsView()
                : html`<h2>SQL</h2>
                    <pre data-testid="sql">${job.sql || '(no SQL: a DataStream job)'}</pre>
                    <h2>EXPLAIN</h2>
                    <pre data-testid="explain">${job.explain}</pre>`
      }
    </div>`;
}

function configPage(): TemplateResult {
  const c = state.config;
  if (c === null) return html`<p class="muted">Loading…</p>`;
  const entries = Object.entries(c.configuration).sort(([a], [b]) => a.localeCompare(b));
  return html`<div class="cards">
      ${card('Version', c['freshet-version'], 'version')} ${card('Time zone', c['timezone-name'], 'timezone')}
      ${card('Refresh', `${c['refresh-interval']} ms`, 'refresh')}
    </div>
    <div class="panel">
      <h2>Configuration</h2>
      <table data-testid="config-table">
        <thead>
          <tr>
            <th>Key</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          ${entries.map(
            ([k, val]) =>
              html`<tr>
                <td>${k}</td>
                <td>${k.includes('token') || k.includes('password') ? '******' : val}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

async function runSql(): Promise<void> {
  try {
    state.actionError = null;
    state.sql = await api.sql(state.sqlText);
  } catch (e) {
    state.actionError = String(e instanceof Error ? e.message : e);
  }
  await refresh();
}

function sqlPage(): TemplateResult {
  const r = state.sql;
  return html`<div class="panel">
      <h2>Run a query in the session (SELECT only; its result table updates live)</h2>
      <textarea
        data-testid="sql-input"
        rows="5"
        style="width:100%;font-family:monospace"
        .value=${state.sqlText}
        @input=${(e: Event) => (state.sqlText = (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <p>
        <button data-testid="sql-run" @click=${() => runSql()}>Run</button> ${
          r === null
            ? nothing
            : html` <button class="danger" ?disabled=${r.done} @click=${() => cancelJob(r.jid)}>
                  Cancel
                </button>
                <a href=${`#/jobs/${r.jid}`}>job ${r.jid}</a>`
        }
      </p>
    </div>
    ${
      r === null
        ? nothing
        : html`<div class="panel">
            <h2 data-testid="sql-status">
              ${r.error !== null ? 'Failed' : r.done ? 'Finished' : 'Running'} · ${r.rows.length} rows ·
              ${r.changes} changes${r.truncated ? ' · truncated' : ''}
            </h2>
            ${r.error === null ? nothing : html`<pre>${r.error}</pre>`}
            <table data-testid="sql-result">
              <thead>
                <tr>
                  ${r.columns.map((c) => html`<th>${c}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${r.rows.map(
                  (row) =>
                    html`<tr>
                      ${row.map((v) => html`<td>${v}</td>`)}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}

function selectVertex(id: string): void {
  if (state.view === null) return;
  state.view.selected = id;
  state.view.tab = 'subtasks';
  state.vertex = null;
  void refresh();
}

function selectTab(t: JobView['tab']): void {
  if (state.view === null) return;
  state.view.tab = t;
  void refresh();
}

function draw(): void {
  const r = route();
  const nav = (href: string, label: string, active: boolean): TemplateResult =>
    html`<a href=${href} class=${active ? 'active' : ''}>${label}</a>`;
  render(
    html`<header class="top">
        <span class="brand">Freshet</span>
        <nav>
          ${nav('#/', 'Overview', r.page === 'overview')}
          ${nav('#/jobs', 'Jobs', r.page === 'jobs' || r.page === 'job')}
          ${nav('#/sql', 'SQL', r.page === 'sql')} ${nav('#/config', 'Configuration', r.page === 'config')}
        </nav>
      </header>
      <main>
        ${state.error === null ? nothing : html`<div class="error" data-testid="error">${state.error}</div>`}
        ${state.actionError === null ? nothing : html`<div class="error" data-testid="action-error">${state.actionError}</div>`}
        ${state.notice === null ? nothing : html`<div class="panel" data-testid="notice">${state.notice}</div>`}
        ${
          r.page === 'overview'
            ? overviewPage()
            : r.page === 'jobs'
              ? html`<div class="panel">
                  <h2>Jobs</h2>
                  ${jobsTable(state.jobs)}
                </div>`
              : r.page === 'config'
                ? configPage()
                : r.page === 'sql'
                  ? sqlPage()
                  : jobPage(r.jid)
        }
      </main>`,
    document.getElementById('app') as HTMLElement,
  );
}

let inFlight = false;
async function refresh(): Promise<void> {
  if (inFlight) return;
  inFlight = true;
  try {
    await load();
    draw();
  } finally {
    inFlight = false;
  }
}

let interval = 1000;
async function start(): Promise<void> {
  try {
    interval = Math.max(250, (await api.config())['refresh-interval']);
  } catch {
    // The first load reports the error (401 without a token, server gone) on the page.
  }
  window.addEventListener('hashchange', () => {
    state.notice = null;
    state.actionError = null;
    void refresh();
  });
  await refresh();
  setInterval(() => void refresh(), interval);
}

void start();
