// The browser suite (`npm run test:browser`): headless Chromium against a running Dispatcher. Its own config so
// that `npm test` never starts a browser; the global setup installs Debian's chromium where it is missing and
// builds the dashboard.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/dashboard/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    globalSetup: ['test/dashboard/setup.ts'],
  },
});
