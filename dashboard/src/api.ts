// The dashboard's only data source: the REST API of the Dispatcher that served this page (same origin). Types
// come from the server's contract (executor/cluster/api.ts), so a change there shows up here at compile time.
import type {
  ClusterOverview,
  DashboardConfig,
  JobDetail,
  JobExceptions,
  JobsOverview,
  StopResult,
  TaskManagersInfo,
  VertexSubtasks,
} from '../../executor/cluster/api.js';
import type { SqlResult } from '../../executor/cluster/rest-sql.js';
import type { CheckpointConfigInfo, CheckpointingStatistics } from '../../executor/checkpoint/coordinator.js';

export type * from '../../executor/cluster/api.js';
export type { SqlResult } from '../../executor/cluster/rest-sql.js';
export type {
  CheckpointConfigInfo,
  CheckpointingStatistics,
  CheckpointStats,
} from '../../executor/checkpoint/coordinator.js';

/**
 * A server bound off loopback needs rest.token: open the dashboard as `http://host:port/#token=<token>`. The
 * token is kept in sessionStorage (never in a cookie, so a cross-site request cannot carry it) and dropped from
 * the address bar.
 */
function token(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m !== null) {
    sessionStorage.setItem('freshet.token', decodeURIComponent(m[1] as string));
    history.replaceState(null, '', location.pathname + '#/');
  }
  return sessionStorage.getItem('freshet.token');
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const t = token();
  if (t !== null) headers.Authorization = `Bearer ${t}`;
  // Mutating calls carry the CSRF header the server requires (a cross-site page cannot set it).
  if (method !== 'GET') headers['X-Freshet-Csrf'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`./v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = text === '' ? undefined : (JSON.parse(text) as unknown);
  if (!res.ok) {
    const errors = (json as { errors?: string[] } | undefined)?.errors;
    throw new ApiError(res.status, errors?.join('; ') ?? `${res.status} ${res.statusText}`);
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  overview: () => call<ClusterOverview>('GET', '/overview'),
  jobs: () => call<JobsOverview>('GET', '/jobs/overview'),
  job: (jid: string) => call<JobDetail>('GET', `/jobs/${enc(jid)}`),
  vertex: (jid: string, vid: string) => call<VertexSubtasks>('GET', `/jobs/${enc(jid)}/vertices/${enc(vid)}`),
  exceptions: (jid: string) => call<JobExceptions>('GET', `/jobs/${enc(jid)}/exceptions`),
  checkpoints: (jid: string) => call<CheckpointingStatistics>('GET', `/jobs/${enc(jid)}/checkpoints`),
  checkpointConfig: (jid: string) =>
    call<CheckpointConfigInfo>('GET', `/jobs/${enc(jid)}/checkpoints/config`),
  taskManagers: () => call<TaskManagersInfo>('GET', '/taskmanagers'),
  config: () => call<DashboardConfig>('GET', '/config'),
  cancel: (jid: string) => call<unknown>('PATCH', `/jobs/${enc(jid)}?mode=cancel`),
  sql: (statement: string) => call<SqlResult>('POST', '/sql', { statement }),
  sqlResult: (jid: string) => call<SqlResult>('GET', `/sql/${enc(jid)}`),
  stopWithSavepoint: (jid: string, dir: string) =>
    call<StopResult>('POST', `/jobs/${enc(jid)}/stop`, { targetDirectory: dir, drain: false }),
};
