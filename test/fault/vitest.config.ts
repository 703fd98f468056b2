// The fault-injection suite (`npm run test:fault`): its own config, so `npm test` does not run it (each test runs
// a job for 10-30 s through 10+ restarts). It shares the Kafka project's global setup: one broker for the run.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fault/**/*.fault.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    globalSetup: ['test/support/kafka-global-setup.ts'],
  },
});
