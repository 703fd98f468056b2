// The interactive shell starts the REST API and dashboard on its session's Dispatcher and prints one line with the
// URL under the banner; a taken rest.port falls back to a free one (Flink's default port is 8081).
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TableEnvironment } from '../../index.js';
import { History } from '../../repl/history.js';
import { Shell } from '../../repl/shell.js';

describe('shell dashboard line', () => {
  it('prints the dashboard URL and serves the session jobs there; a taken port falls back', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)),
    );
    const env = TableEnvironment.create({ config: { 'rest.port': String(port) } });
    const shell = new Shell({ env, history: History.load(null), exit: () => undefined });
    try {
      await shell.startDashboard();
      const line = shell.log.map((l) => l.text).find((t) => t.startsWith('Dashboard: '));
      expect(line).toMatch(
        /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(REST API under http:\/\/127\.0\.0\.1:\d+\/v1\/\)$/,
      );
      expect(shell.rest?.port).not.toBe(port);
      const jid = env.executeSql('SELECT 1').jobId;
      const body = (await (await fetch(`${shell.rest?.url}v1/jobs/overview`)).json()) as {
        jobs: { jid: string }[];
      };
      expect(body.jobs.map((j) => j.jid)).toEqual([jid]);
    } finally {
      shell.quit();
      blocker.close();
      await env.dispatcher.shutdown();
    }
  });
});
