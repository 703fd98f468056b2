import { configDefaults, defineConfig } from 'vitest/config';

// Kafka integration tests form their own project so that one real broker (a JVM, a few seconds to start) serves
// the whole run through the project's globalSetup; vitest runs a project's globalSetup only when that project has
// tests queued, so `vitest run test/executor` never starts Kafka. See docs/testing-kafka.md.
const kafkaTests = ['test/kafka/**/*.test.ts', 'test/**/*.kafka.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...kafkaTests],
        },
      },
      {
        extends: true,
        test: { name: 'kafka', include: kafkaTests, globalSetup: ['test/support/kafka-global-setup.ts'] },
      },
    ],
  },
});
