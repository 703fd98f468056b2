// A typed client of the REST API (Flink's RestClusterClient): the ClusterGateway over HTTP, so the REPL, scripts
// and tests drive a remote Dispatcher exactly as an in-process one. Uses the global fetch (Node 22).
import type { CheckpointingStatistics } from '../checkpoint/coordinator.js';
import {
  GatewayError,
  type ClusterGateway,
  type ClusterOverview,
  type DashboardConfig,
  type JobDetail,
  type JobExceptions,
  type JobPlan,
  type JobSubmitResult,
  type RestJobSubmission,
  type JobsOverview,
  type StopOptions,
  type StopResult,
  type TaskManagersInfo,
  type VertexSubtasks,
} from './api.js';
import { CSRF_HEADER } from './rest.js';

export interface RestClientOptions {
  /** rest.token of the server, sent as `Authorization: Bearer`. */
  readonly token?: string;
  /** ms per request (default 10 s). */
  readonly timeout?: number;
}

export class RestClusterClient implements ClusterGateway {
  private readonly base: string;

  /** `url`: the server's root, e.g. http://127.0.0.1:8081/ (as the REPL prints it). */
  constructor(
    url: string,
    private readonly opts: RestClientOptions = {},
  ) {
    this.base = url.replace(/\/+$/, '') + '/v1';
  }

  overview(): Promise<ClusterOverview> {
    return this.call('GET', '/overview');
  }
  jobs(): Promise<JobsOverview> {
    return this.call('GET', '/jobs/overview');
  }
  job(jid: string): Promise<JobDetail> {
    return this.call('GET', `/jobs/${encodeURIComponent(jid)}`);
  }
  async plan(jid: string): Promise<JobPlan> {
    return (await this.call<{ plan: JobPlan }>('GET', `/jobs/${encodeURIComponent(jid)}/plan`)).plan;
  }
  vertex(jid: string, vid: string): Promise<VertexSubtasks> {
    return this.call('GET', `/jobs/${encodeURIComponent(jid)}/vertices/${encodeURIComponent(vid)}`);
  }
  checkpoints(jid: string): Promise<CheckpointingStatistics | null> {
    return this.call('GET', `/jobs/${encodeURIComponent(jid)}/checkpoints`);
  }

  exceptions(jid: string): Promise<JobExceptions> {
    return this.call('GET', `/jobs/${encodeURIComponent(jid)}/exceptions`);
  }
  async cancel(jid: string): Promise<void> {
    await this.call('PATCH', `/jobs/${encodeURIComponent(jid)}?mode=cancel`);
  }
  stop(jid: string, opts: StopOptions = {}): Promise<StopResult> {
    return this.call('POST', `/jobs/${encodeURIComponent(jid)}/stop`, {
      ...(opts.savepoint === undefined ? {} : { targetDirectory: opts.savepoint }),
      drain: opts.drain === true,
    });
  }
  taskManagers(): Promise<TaskManagersInfo> {
    return this.call('GET', '/taskmanagers');
  }
  config(): Promise<DashboardConfig> {
    return this.call('GET', '/config');
  }

  /** POST /v1/jobs: runs a job on a standalone JobManager (standalone-client.ts follows it to its end). */
  submitJob(req: RestJobSubmission): Promise<JobSubmitResult> {
    return this.call('POST', '/jobs', req);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.opts.token !== undefined) headers.Authorization = `Bearer ${this.opts.token}`;
    if (method !== 'GET') headers[CSRF_HEADER] = '1';
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.opts.timeout ?? 10_000),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const errors = (json as { errors?: unknown } | undefined)?.errors;
      const message = Array.isArray(errors) ? errors.join('; ') : `${res.status} ${res.statusText}`;
      const status = [400, 401, 403, 404, 405, 409, 500, 501].includes(res.status)
        ? (res.status as GatewayError['status'])
        : 500;
      throw new GatewayError(status, message);
    }
    return json as T;
  }
}
