// Vitest globalSetup for the `kafka` project: starts one broker per test run (before any worker exists) and hands
// its address to every Kafka test file via provide/inject, so N test files cost one JVM start, not N.
// Vitest calls a project's globalSetup only when that project has tests queued, so unit-only runs never start it.
import type { TestProject } from 'vitest/node';
import { startKafkaOrSkip } from './kafka-broker.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const result = await startKafkaOrSkip();
  if ('skipped' in result) {
    project.provide('kafka', result);
    return async () => undefined;
  }
  project.provide('kafka', { bootstrap: result.bootstrap });
  return () => result.stop();
}
