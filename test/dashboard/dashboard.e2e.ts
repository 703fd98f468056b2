// The dashboard in headless Chromium (playwright-core with Debian's chromium as executablePath) against a
// MiniCluster running a windowed job (issue #13's tests): the overview counts (TaskManagers, slots), the job graph
// with one node per vertex of the REST job detail, rates that move between two looks, clicking a node shows its
// subtasks in slot threads, cancel with confirmation; a checkpointed job's checkpoint tab and stop-with-savepoint.
// Screenshots go to test-output/dashboard/ (ignored); docs/dashboard.png is a committed one.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TableEnvironment } from '../../index.js';
import { RestServer, type JobDetail } from '../../executor/index.js';
import { WINDOWED_JOB } from '../cluster/rest-fixtures.js';
import { sqlSessionOf } from '../../repl/shell.js';

const exe = inject('chromium');
const OUT = 'test-output/dashboard';
// Two slots in one TaskManager: the windowed job at parallelism 2 fills both (slot sharing, docs/cluster.md).
process.env['FRESHET_TASK_SLOTS'] = '2';
const CLUSTER = { 'execution.target': 'mini-cluster' };

describe.skipIf(exe === null)('dashboard in Chromium', () => {
  let env: TableEnvironment;
  let server: RestServer;
  let browser: Browser;
  let page: Page;
  let jid: string;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    env = TableEnvironment.create({ parallelism: 2, config: CLUSTER });
    for (const s of WINDOWED_JOB.slice(0, 2)) env.executeSql(s);
    // Warm both slot threads with a bounded job first: a slot started from TypeScript sources compiles the
    // package in its thread (10-15 s, docs/cluster.md), which would otherwise eat into the looks below. It is
    // also the finished job the overview counts.
    env.executeSql(
      "CREATE TABLE warm (user_id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1000', 'fields.user_id.min' = '1', 'fields.user_id.max' = '5')",
    );
    const warm = await env
      .executeSql('SELECT user_id, COUNT(*) AS c FROM warm GROUP BY user_id')
      .materialize();
    expect(warm.length).toBe(5);
    jid = env.executeSql(WINDOWED_JOB[2] as string).jobId as string;
    server = await RestServer.start(env.dispatcher, {
      port: 0,
      dashboardDir: 'dist/dashboard',
      sql: sqlSessionOf(env),
    });
    browser = await chromium.launch({
      executablePath: exe as string,
      args: ['--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => {
      throw e;
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await env?.dispatcher.shutdown();
  });

  it('overview shows the cluster and job counts the REST API reports', async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=jobs-running]');
    const text = async (id: string): Promise<string> => (await page.textContent(`[data-testid=${id}]`)) ?? '';
    await expect.poll(() => text('jobs-running'), { timeout: 20_000 }).toBe('1');
    expect(await text('jobs-finished')).toBe('1');
    // The MiniCluster's TaskManager with its two slots, both taken by the running job's subtasks.
    expect(await text('taskmanagers')).toBe('1');
    expect(await text('slots-total')).toBe('2');
    await expect.poll(() => text('slots-available'), { timeout: 20_000 }).toBe('0');
    expect(await page.locator('[data-testid=jobs-table] tbody tr').count()).toBe(2);
  });

  it('job page draws the job graph, rates move between two looks, a node click shows its subtasks', async () => {
    await page.click(`tr[data-jid="${jid}"]`);
    await page.waitForSelector('[data-testid=dag] .dag-node');
    const detail = (await (await fetch(`${server.url}v1/jobs/${jid}`)).json()) as JobDetail;
    expect(await page.locator('[data-testid=dag] .dag-node').count()).toBe(detail.vertices.length);
    // Edges are the exchanges, labelled with their partitioning (the window aggregate's input is hashed).
    expect(await page.locator('[data-testid=dag] .dag-edge').count()).toBe(
      detail.plan.nodes.reduce((n, x) => n + (x.inputs?.length ?? 0), 0),
    );
    expect(
      await page.locator('[data-testid=dag] .dag-edge text', { hasText: 'HASH' }).count(),
    ).toBeGreaterThan(0);

    const source = page.locator(
      `[data-testid=dag] .dag-node[data-vertex="${detail.vertices[0]?.id}"] [data-metric=records-out]`,
    );
    const count = async (): Promise<number> => {
      const t = (await source.textContent()) ?? '';
      const m = /\(([\d.]+)( K| M)?\)/.exec(t);
      return m === null ? -1 : Number(m[1]) * (m[2] === ' K' ? 1e3 : m[2] === ' M' ? 1e6 : 1);
    };
    // The MiniCluster's counters come with the TaskManager heartbeats (heartbeat.interval, 10 s): two looks
    // one report apart, hence the long polls.
    await expect.poll(count, { timeout: 30_000 }).toBeGreaterThan(0);
    const first = await count();
    await expect.poll(count, { timeout: 30_000 }).toBeGreaterThan(first);
    // The live throughput chart shows a positive rate by now (datagen at 2000 rows/s).
    // Polled from the test, not evaluated in the page: the dashboard's CSP forbids eval, as it should.
    await expect
      .poll(
        async () => Number((await page.getAttribute('[data-testid=throughput-chart]', 'data-last')) ?? '0'),
        { timeout: 30_000 },
      )
      .toBeGreaterThan(100);
    await page.waitForSelector('[data-testid=lag-chart]');
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}/job.png`, fullPage: true });

    const agg =
      detail.vertices.find((v) => v.parallelism === 2) ?? detail.vertices[detail.vertices.length - 1];
    await page.click(`[data-testid=dag] .dag-node[data-vertex="${agg?.id}"]`);
    await page.waitForSelector('[data-testid=subtasks-table] tbody tr');
    expect(await page.locator('[data-testid=subtasks-table] tbody tr').count()).toBe(agg?.parallelism);
    // Each subtask runs in a slot thread of the MiniCluster's TaskManager, not in this thread ("localhost").
    const endpoints = await page
      .locator('[data-testid=subtasks-table] tbody tr td:nth-child(4)')
      .allTextContents();
    expect(new Set(endpoints)).toEqual(new Set(['tm-1/slot-0', 'tm-1/slot-1']));

    await page.click('button[data-tab=sql]');
    await page.waitForSelector('[data-testid=sql]');
    expect(await page.textContent('[data-testid=sql]')).toContain('INSERT INTO counts');
    expect(await page.textContent('[data-testid=explain]')).toContain('== Optimized Physical Plan ==');
  });

  it('stop with savepoint is refused for a job without checkpointing; cancel asks, then cancels', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void (d.type() === 'prompt' ? d.accept('/tmp/sp') : d.accept());
    });
    await page.click('[data-testid=stop]');
    await page.waitForSelector('[data-testid=action-error]');
    expect(await page.textContent('[data-testid=action-error]')).toMatch(/WITH SAVEPOINT/);
    await page.click('[data-testid=cancel]');
    await expect
      .poll(() => page.textContent('.jobhead [data-testid=state]'), { timeout: 10_000 })
      .toBe('CANCELED');
    expect(dialogs.some((d) => d.startsWith('confirm: Cancel job'))).toBe(true);
    expect(env.dispatcher.listJobs().find((j) => j.jid === jid)?.state).toBe('CANCELED');
    expect(await page.isDisabled('[data-testid=cancel]')).toBe(true);
  });

  it('the SQL tab runs a query in the session and shows its live result table; DDL is refused', async () => {
    await page.goto(`${server.url}#/sql`);
    await page.fill('[data-testid=sql-input]', "CREATE TABLE x (a INT) WITH ('connector' = 'blackhole')");
    await page.click('[data-testid=sql-run]');
    await page.waitForSelector('[data-testid=action-error]');
    expect(await page.textContent('[data-testid=action-error]')).toMatch(/runs one query/);
    await page.fill(
      '[data-testid=sql-input]',
      'SELECT x, COUNT(*) AS c FROM (VALUES (1), (1), (2)) AS v(x) GROUP BY x',
    );
    await page.click('[data-testid=sql-run]');
    await expect
      .poll(() => page.textContent('[data-testid=sql-status]'), { timeout: 10_000 })
      .toMatch(/^\s*Finished · 2 rows/);
    const trs = page.locator('[data-testid=sql-result] tbody tr');
    const cells = await Promise.all(
      Array.from({ length: await trs.count() }, (_, k) => trs.nth(k).locator('td').allTextContents()),
    );
    expect(cells.sort()).toEqual([
      ['1', '2'],
      ['2', '1'],
    ]);
    expect(await page.locator('[data-testid=sql-result] th').allTextContents()).toEqual(['x', 'c']);
  });

  it('a checkpointed job shows completed checkpoints increasing, then stops with a savepoint', async () => {
    // On the MiniCluster: its JobManager coordinates the checkpoints, and the Dispatcher serves the job's own
    // statistics and configuration. Nexmark can checkpoint its position (datagen cannot).
    const dir = mkdtempSync(join(tmpdir(), 'freshet-dash-cp-'));
    try {
      const t = TableEnvironment.create({
        dispatcher: env.dispatcher,
        config: {
          ...CLUSTER,
          'execution.checkpointing.interval': '300 ms',
          'execution.checkpointing.dir': join(dir, 'cp'),
        },
      });
      t.executeSql(
        "CREATE TABLE bids (auction BIGINT, price BIGINT) WITH ('connector' = 'nexmark', 'table' = 'bid', 'first-event.rate' = '2000', 'next-event.rate' = '2000', 'max-emit-speed' = 'false')",
      );
      t.executeSql("CREATE TABLE sink (auction BIGINT, price BIGINT) WITH ('connector' = 'blackhole')");
      const cjid = t.executeSql('INSERT INTO sink SELECT auction, price FROM bids').jobId as string;
      await page.goto(`${server.url}#/jobs/${cjid}`);
      await page.click('button[data-tab=checkpoints]');
      await page.waitForSelector('[data-testid=cp-completed]');
      const completed = async (): Promise<number> =>
        Number((await page.textContent('[data-testid=cp-completed]')) ?? '-1');
      await expect.poll(completed, { timeout: 15_000 }).toBeGreaterThan(0);
      const first = await completed();
      await expect.poll(completed, { timeout: 15_000 }).toBeGreaterThan(first);
      expect(await page.locator('[data-testid=cp-history] tbody tr').count()).toBeGreaterThan(0);
      expect(
        await page.locator('[data-testid=cp-history] tbody tr', { hasText: 'COMPLETED' }).count(),
      ).toBeGreaterThan(0);
      expect(await page.textContent('[data-testid=cp-latest]')).toMatch(/^\s*#\d+/);
      expect(await page.textContent('[data-testid=cp-config]')).toContain('Exactly once');
      expect(await page.textContent('[data-testid=cp-config]')).toContain('300 ms');
      // The job's own settings (the JobManager's), not the session's: this session never set checkpointing.
      expect(env.getConfig().get('execution.checkpointing.interval')).toBeUndefined();
      await page.screenshot({ path: `${OUT}/checkpoints.png`, fullPage: true });
      // It runs in a slot thread of the MiniCluster, not in this thread.
      const cdetail = (await (await fetch(`${server.url}v1/jobs/${cjid}`)).json()) as JobDetail;
      const sub = (await (
        await fetch(`${server.url}v1/jobs/${cjid}/vertices/${cdetail.vertices[0]?.id}`)
      ).json()) as { subtasks: { endpoint: string }[] };
      expect(sub.subtasks[0]?.endpoint).toMatch(/^tm-\d+\/slot-\d+$/);

      // Stop with savepoint: a directory prompt, then a confirmation, then the savepoint's path.
      page.removeAllListeners('dialog');
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.type());
        void (d.type() === 'prompt' ? d.accept(join(dir, 'sp')) : d.accept());
      });
      await page.click('[data-testid=stop]');
      await page.waitForSelector('[data-testid=notice]', { timeout: 20_000 });
      expect(await page.textContent('[data-testid=notice]')).toContain(
        `Stopped with savepoint ${join(dir, 'sp')}`,
      );
      expect(dialogs).toEqual(['prompt', 'confirm']);
      await expect
        .poll(() => env.dispatcher.listJobs().find((j) => j.jid === cjid)?.state, { timeout: 10_000 })
        .toMatch(/^(FINISHED|CANCELED)$/);
      expect(existsSync(join(dir, 'sp')) && readdirSync(join(dir, 'sp')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a job without checkpointing says so on its checkpoints tab', async () => {
    await page.goto(`${server.url}#/jobs/${jid}`);
    await page.click('button[data-tab=checkpoints]');
    await page.waitForSelector('[data-testid=no-checkpoints]');
  });

  it('renders user text as text, never as HTML', async () => {
    const t = TableEnvironment.create({
      dispatcher: env.dispatcher,
      config: { 'pipeline.name': '<img src=x onerror="window.__xss=1">' },
    });
    const q = t.executeSql('SELECT 1');
    await q.materialize();
    await page.goto(`${server.url}#/jobs/${q.jobId}`);
    await page.waitForSelector('[data-testid=job-name]');
    expect(await page.textContent('[data-testid=job-name]')).toBe('<img src=x onerror="window.__xss=1">');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
  });
});

if (exe === null) {
  describe('dashboard in Chromium', () => {
    it.skip(`skipped: ${inject('chromiumSkip')}`, () => undefined);
  });
}
