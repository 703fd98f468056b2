// What a Kafka integration test file calls (with top-level await) to get a broker: the run-wide one from the
// globalSetup when the `kafka` vitest project provides it, otherwise a broker of its own, stopped after the file.
// Returns null only when Java or Maven is missing; the skip line has been printed by then.
import { afterAll, inject } from 'vitest';
import { startKafka, type ProvidedKafka } from './kafka-broker.js';

export async function kafkaForTests(): Promise<{ bootstrap: string } | null> {
  // inject() returns undefined when no globalSetup provided the key (a file run outside the `kafka` project).
  const provided = inject('kafka') as ProvidedKafka | undefined;
  if (provided !== undefined) return 'bootstrap' in provided ? { bootstrap: provided.bootstrap } : null;
  const broker = await startKafka();
  if (broker) afterAll(() => broker.stop());
  return broker;
}

/**
 * Base options for @platformatic/kafka clients in tests. The client's default retry delay is 1 s, and a fresh
 * broker answers the first idempotent send, group join and back-to-back transactions with retriable errors
 * (coordinator loading, concurrent transactions): 100 ms like the Java client's retry.backoff.ms saves ~1 s each.
 */
export function clientOptions(
  bootstrap: string,
  clientId: string,
): { clientId: string; bootstrapBrokers: string[]; retries: number; retryDelay: number } {
  return { clientId, bootstrapBrokers: [bootstrap], retries: 50, retryDelay: 100 };
}
