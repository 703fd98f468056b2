// The REST server's loopback checks (found in review): a host name that merely starts with "127." is a DNS
// rebinding vector and must be refused like any other foreign host; malformed percent-encoding is a 400.
import { afterEach, describe, expect, it } from 'vitest';
import { RestServer, TableEnvironment, isLoopback } from '../../index.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('REST loopback checks', () => {
  it('treats only loopback literals and localhost as loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(a)).toBe(true);
    for (const a of ['127.0.0.1.rebind.evil.example', '127.evil.example', '0.0.0.0', '10.0.0.1', 'evil.example']) expect(isLoopback(a)).toBe(false);
  });

  it('refuses a rebinding Host header and answers 400 to malformed encoding', async () => {
    const env = TableEnvironment.create();
    const server = await RestServer.start(env.dispatcher, { port: 0, dashboardDir: null });
    cleanups.push(() => server.close());
    const port = new URL(server.url).port;
    const { request } = await import('node:http');
    const status = (host: string, path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status(`127.0.0.1:${port}`, '/v1/overview')).toBe(200);
    expect(await status(`127.0.0.1.rebind.evil.example:${port}`, '/v1/overview')).toBe(403);
    expect(await status(`127.0.0.1:${port}`, '/v1/jobs/%E0%A4%A')).toBe(400);
  });
});
