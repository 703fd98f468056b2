// The Dispatcher's REST endpoint (Flink's WebMonitorEndpoint): JSON under /v1 with Flink's paths and field names,
// served from any ClusterGateway, plus the dashboard's static files at / (same origin, no CDN).
//
// Security, as issue #6 asks: bound to 127.0.0.1 by default, where only this machine can reach it and the Host
// header must name a loopback address (a web page cannot rebind a DNS name onto it). Bound elsewhere it needs
// `rest.token`: every API call then carries `Authorization: Bearer <token>`, or is answered 401. Calls that change
// something (PATCH/POST) also need the `X-Freshet-Csrf` header unless they carry the bearer token: a cross-site page
// can neither set that header without a CORS preflight (which is never granted) nor read a bearer token.
import { isIPv4 } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayError, type ClusterGateway, type RestJobSubmission } from './api.js';
import type { JobSpec } from './protocol.js';
import { SqlResults, type SqlSession } from './rest-sql.js';
import { checkpointConfigFrom } from '../checkpoint/coordinator.js';
import { defaultCheckpointDir } from '../checkpoint/defaults.js';
import { checkpointRetentionOf } from '../runtime/local-executor.js';
import { parseFlinkDuration } from './restart-strategy.js';

export interface RestServerOptions {
  /** Flink's rest.port (default 8081); 0 picks any free port. */
  readonly port?: number;
  /** Flink's rest.address / rest.bind-address (default 127.0.0.1). */
  readonly address?: string;
  /** rest.token: the shared secret; required when `address` is not a loopback address. */
  readonly token?: string;
  /** Where the built dashboard is (default: dist/dashboard of this package); null serves no dashboard. */
  readonly dashboardDir?: string | null;
  /** The session the dashboard's SQL tab runs queries in (POST /v1/sql); without it the tab is off. */
  readonly sql?: SqlSession;
}

/** The header mutating calls need when they do not carry the bearer token. */
export const CSRF_HEADER = 'x-freshet-csrf';

const DEFAULT_PORT = 8081;

/** rest.port, rest.address (or rest.bind-address) and rest.token from a configuration map. */
export function restOptionsFromConfig(
  config: Readonly<Record<string, string | undefined>>,
): RestServerOptions {
  const port = config['rest.port'];
  const address = config['rest.bind-address'] ?? config['rest.address'];
  const token = config['rest.token'];
  const n = port === undefined ? DEFAULT_PORT : Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`'rest.port' must be a port number (0 = any free port), not '${port}'`);
  return {
    port: n,
    ...(address === undefined ? {} : { address }),
    ...(token === undefined ? {} : { token }),
  };
}

/**
 * Whether `address` is a loopback address or `localhost`: an IPv4 literal in 127/8, ::1 or localhost exactly. A
 * name such as `127.0.0.1.attacker.example` is not (DNS rebinding would make it resolve anywhere).
 */
export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || (isIPv4(address) && address.startsWith('127.'));
}

/** The built dashboard: dist/dashboard next to the compiled package, or under the checkout when run from source. */
function defaultDashboardDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, '..', '..', 'dashboard'), join(here, '..', '..', 'dist', 'dashboard')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  return null;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

type Handler = (
  params: Record<string, string>,
  url: URL,
  body: unknown,
) => Promise<{ status: number; body: unknown }>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-z]+)/g, (_m, n: string) => {
      names.push(n);
      return '([^/]+)';
    })}$`,
  );
  return { method, pattern, names, handler };
}

const ok = (body: unknown): { status: number; body: unknown } => ({ status: 200, body });

export class RestServer {
  private readonly routes: Route[];
  private readonly tokenDigest: Buffer | null;
  private readonly dashboardDir: string | null;

  private constructor(
    private readonly server: Server,
    private readonly gateway: ClusterGateway,
    readonly address: string,
    private readonly opts: RestServerOptions,
  ) {
    this.tokenDigest = opts.token === undefined ? null : createHash('sha256').update(opts.token).digest();
    this.dashboardDir = opts.dashboardDir === undefined ? defaultDashboardDir() : opts.dashboardDir;
    const g = this.gateway;
    const sql = opts.sql === undefined ? null : new SqlResults(opts.sql);
    const needSql = (): SqlResults => {
      if (sql === null)
        throw new GatewayError(501, 'This server runs no SQL: it was started without a session');
      return sql;
    };
    // Flink's REST paths (docs "REST API"); Freshet answers them with and without the /v1 prefix, as Flink does.
    this.routes = [
      route('GET', '/overview', async () => ok(await g.overview())),
      route('GET', '/config', async () => ok(await g.config())),
      route('GET', '/jobs', async () =>
        ok({ jobs: (await g.jobs()).jobs.map((j) => ({ id: j.jid, status: j.state })) }),
      ),
      route('GET', '/jobs/overview', async () => ok(await g.jobs())),
      route('GET', '/jobs/:jid', async (p) => ok(await g.job(p.jid as string))),
      route('GET', '/jobs/:jid/plan', async (p) => ok({ plan: await g.plan(p.jid as string) })),
      route('GET', '/jobs/:jid/exceptions', async (p) => ok(await g.exceptions(p.jid as string))),
      // Flink's checkpoint statistics; a job without checkpointing answers as Flink's does: counts of zero.
      route('GET', '/jobs/:jid/checkpoints', async (p) => {
        await g.job(p.jid as string); // 404 for an unknown job
        return ok((await g.checkpoints?.(p.jid as string)) ?? NO_CHECKPOINTS);
      }),
      // Flink's CheckpointConfigHandler: 404 when the job runs without checkpointing, else CheckpointConfigInfo.
      route('GET', '/jobs/:jid/checkpoints/config', async (p) => {
        await g.job(p.jid as string);
        if ((await g.checkpoints?.(p.jid as string)) == null)
          throw new GatewayError(404, 'Checkpointing is not enabled for this job');
        // A cluster job's JobManager knows the job's own settings; otherwise the session's configuration.
        const own = await g.checkpointConfig?.(p.jid as string);
        return ok(own ?? checkpointConfigInfo((await g.config()).configuration));
      }),
      // Flink's CheckpointStatisticDetailsHandler: one checkpoint of the history (404 once it left the history).
      route('GET', '/jobs/:jid/checkpoints/details/:cid', async (p) => {
        await g.job(p.jid as string);
        const id = Number(p.cid);
        // With per-vertex figures (Flink's `tasks`) where the gateway has them.
        const details = await g.checkpointDetails?.(p.jid as string, id);
        if (details != null) return ok(details);
        const stats = await g.checkpoints?.(p.jid as string);
        const c = stats?.history.find((h) => h.id === id);
        if (c === undefined)
          throw new GatewayError(404, `Could not find checkpointing statistics for checkpoint ${p.cid}.`);
        return ok(c);
      }),
      route('GET', '/jobs/:jid/vertices/:vid', async (p) =>
        ok(await g.vertex(p.jid as string, p.vid as string)),
      ),
      route('GET', '/jobs/:jid/vertices/:vid/subtasks', async (p) =>
        ok(await g.vertex(p.jid as string, p.vid as string)),
      ),
      route('GET', '/taskmanagers', async () => ok(await g.taskManagers())),
      // Freshet: the dashboard's SQL tab (Flink's SQL Gateway has its own protocol; this is the small subset the tab needs).
      route('POST', '/sql', async (_p, _u, body) => {
        const statement = (body as { statement?: unknown } | undefined)?.statement;
        if (typeof statement !== 'string')
          throw new GatewayError(400, 'Body must be {"statement": "<SQL query>"}');
        return ok(needSql().start(statement));
      }),
      route('GET', '/sql/:jid', async (p) => ok(needSql().get(p.jid as string))),
      // Flink's JobSubmitHandler (POST /jobs) answers 202 with the job's URL; here the body is JSON (RestJobSubmission).
      route('POST', '/jobs', async (_p, _u, body) => {
        if (g.submitJob === undefined)
          throw new GatewayError(501, 'This server takes no jobs over REST: only `freshet jobmanager` does');
        const b = body as Partial<RestJobSubmission> | undefined;
        const spec = b?.spec as Partial<JobSpec> | undefined;
        if (typeof spec?.builder !== 'string' || typeof spec.name !== 'string')
          throw new GatewayError(400, 'Body must be {"spec": {"name", "builder", "payload", ...}, "collect": boolean}');
        return {
          status: 202,
          body: await g.submitJob({
            spec: spec as JobSpec,
            collect: b?.collect === true,
            ...(typeof b?.jobId === 'string' ? { jobId: b.jobId } : {}),
          }),
        };
      }),
      // Flink: PATCH /jobs/:jobid?mode=cancel answers 202 Accepted with an empty object.
      route('PATCH', '/jobs/:jid', async (p, url) => {
        const mode = url.searchParams.get('mode') ?? 'cancel';
        if (mode !== 'cancel')
          throw new GatewayError(
            400,
            `Unsupported mode '${mode}': only 'cancel' (mode=stop is POST /jobs/:jobid/stop)`,
          );
        void g.cancel(p.jid as string).catch(() => undefined);
        await g.job(p.jid as string);
        return { status: 202, body: {} };
      }),
      // Flink: POST /jobs/:jobid/stop {targetDirectory, drain} (stop-with-savepoint) answers 202 with a request id.
      route('POST', '/jobs/:jid/stop', async (p, _url, body) => {
        const b = (body ?? {}) as { targetDirectory?: unknown; drain?: unknown };
        const savepoint = typeof b.targetDirectory === 'string' ? b.targetDirectory : undefined;
        const res = await g.stop(p.jid as string, {
          ...(savepoint === undefined ? {} : { savepoint }),
          drain: b.drain === true,
        });
        return { status: 202, body: res };
      }),
    ];
    server.on('request', (req, res) => void this.handle(req, res));
  }

  /** Starts listening; rejects when the address is not loopback and there is no token, or the port is taken. */
  static async start(gateway: ClusterGateway, opts: RestServerOptions = {}): Promise<RestServer> {
    const address = opts.address ?? '127.0.0.1';
    if (!isLoopback(address) && (opts.token === undefined || opts.token === '')) {
      throw new Error(
        `rest.address '${address}' is not a loopback address: set 'rest.token' (a shared secret every call must carry)`,
      );
    }
    const server = createServer();
    const rest = new RestServer(server, gateway, address, opts);
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(opts.port ?? DEFAULT_PORT, address, () => {
        server.off('error', rej);
        res();
      });
    });
    // An open dashboard connection must not keep a finished script alive.
    server.unref();
    return rest;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : -1;
  }

  /** The dashboard's URL (the API is under `${url}v1/`). */
  get url(): string {
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    return `http://${host}:${this.port}/`;
  }

  close(): Promise<void> {
    return new Promise((res) => {
      this.server.close(() => res());
      this.server.closeAllConnections();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.tokenDigest === null) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (m === null) return false;
    // Compare digests: equal length, constant time.
    return timingSafeEqual(
      createHash('sha256')
        .update(m[1] as string)
        .digest(),
      this.tokenDigest,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', 'no-store');
      // DNS rebinding: when bound to loopback, only a request addressed to a loopback host is genuine.
      if (isLoopback(this.address) && this.opts.token === undefined) {
        const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
        if (!isLoopback(host))
          return this.send(res, 403, {
            errors: [`Host '${host}' is not allowed: the REST API is bound to ${this.address}`],
          });
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      const isApi = path.startsWith('/v1/') || this.routes.some((r) => r.pattern.test(path));
      if (!isApi) return this.serveStatic(req, res, path);
      if (!this.authorized(req)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="freshet"');
        return this.send(res, 401, {
          errors: ['Unauthorized: this REST API needs "Authorization: Bearer <rest.token>"'],
        });
      }
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'HEAD') {
        const bearer = this.tokenDigest !== null;
        if (!bearer && req.headers[CSRF_HEADER] === undefined) {
          return this.send(res, 403, {
            errors: [`${method} needs the '${CSRF_HEADER}' header (CSRF protection)`],
          });
        }
      }
      const apiPath = path.startsWith('/v1/') ? path.slice(3) : path;
      let methodAllowed = false;
      for (const r of this.routes) {
        const m = r.pattern.exec(apiPath);
        if (m === null) continue;
        if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) {
          methodAllowed = true;
          continue;
        }
        const params: Record<string, string> = {};
        try {
          r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] as string)));
        } catch {
          return this.send(res, 400, { errors: [`Malformed percent-encoding in ${path}`] });
        }
        const body = method === 'POST' || method === 'PATCH' ? await readJson(req) : undefined;
        const out = await r.handler(params, url, body);
        return this.send(res, out.status, out.body);
      }
      if (methodAllowed) return this.send(res, 405, { errors: [`${method} is not allowed on ${path}`] });
      return this.send(res, 404, { errors: [`Not found: ${path}`] });
    } catch (e) {
      if (e instanceof GatewayError) return this.send(res, e.status, { errors: [e.message] });
      if (e instanceof BadRequest) return this.send(res, 400, { errors: [e.message] });
      return this.send(res, 500, { errors: [e instanceof Error ? e.message : String(e)] });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private serveStatic(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return this.send(res, 405, { errors: [`${req.method} is not allowed on ${path}`] });
    const dir = this.dashboardDir;
    if (dir === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The dashboard is not built: run `npm run build` (the REST API is under /v1/).\n');
      return;
    }
    const root = resolve(dir);
    let file = resolve(root, normalize(`.${path === '/' ? '/index.html' : path}`));
    // Never serve outside the dashboard folder; unknown paths are the single-page app's routes.
    if (file !== root && !file.startsWith(root + sep)) file = join(root, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) file = join(root, 'index.html');
    const data = readFileSync(file);
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': data.length,
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }
}

class BadRequest extends Error {}

const MAX_BODY = 1 << 20;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new BadRequest('request body too large');
    chunks.push(c);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('request body is not JSON');
  }
}

const NO_CHECKPOINTS = {
  counts: { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 },
  latest: { completed: null, savepoint: null, failed: null, restored: null },
  history: [],
};

/**
 * Flink's CheckpointConfigInfo (GET /jobs/:jid/checkpoints/config) from the execution.checkpointing.* keys of the
 * configuration the server sees: the session's current one, which is what a job planned in it started with unless a
 * SET changed those keys afterwards (the gateway keeps no per-job copy yet).
 */
export function checkpointConfigInfo(conf: Readonly<Record<string, string>>): Record<string, unknown> {
  const get = (k: string): string | undefined => conf[k];
  const cc = checkpointConfigFrom(get, (v) => parseFlinkDuration('execution.checkpointing.*', v));
  const retention = checkpointRetentionOf(get('execution.checkpointing.externalized-checkpoint-retention'));
  const dir = get('execution.checkpointing.dir') ?? get('state.checkpoints.dir') ?? defaultCheckpointDir();
  return {
    mode: cc.mode === 'EXACTLY_ONCE' ? 'exactly_once' : 'at_least_once',
    interval: cc.intervalMs,
    timeout: cc.timeoutMs,
    min_pause: cc.minPauseMs,
    max_concurrent: cc.maxConcurrent,
    externalization: {
      enabled: retention !== 'NO_EXTERNALIZED_CHECKPOINTS',
      delete_on_cancellation: retention === 'DELETE_ON_CANCELLATION',
    },
    state_backend: 'HashMapStateBackend',
    checkpoint_storage: `FileSystemCheckpointStorage (${dir})`,
    // Freshet aligns barriers in exactly-once mode and has no unaligned checkpoints.
    unaligned_checkpoints: false,
    tolerable_failed_checkpoints: cc.tolerableFailures,
    aligned_checkpoint_timeout: 0,
    // FLIP-147: tasks whose input ended take part in one more checkpoint before they finish (coordinator.ts).
    checkpoints_after_tasks_finish: cc.checkpointsAfterTasksFinish !== false,
    state_changelog_enabled: false,
  };
}
