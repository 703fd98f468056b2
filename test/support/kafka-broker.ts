// Runs a real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for integration tests, from
// the Maven Central jars that scripts/kafka-jars.mjs caches. Skips (returns null, one visible line) only where
// Java or Maven is missing; every other failure throws, so CI cannot go green without exercising Kafka.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Admin } from '@platformatic/kafka';

export interface KafkaBroker {
  /** `127.0.0.1:PORT`, the PLAINTEXT listener. */
  readonly bootstrap: string;
  /** Kills the broker and deletes its data; safe to call twice. */
  stop(): Promise<void>;
}

/** What the vitest globalSetup hands to test files through `provide`/`inject`. */
export type ProvidedKafka = { bootstrap: string } | { skipped: string };

declare module 'vitest' {
  export interface ProvidedContext {
    kafka: ProvidedKafka;
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const jarsScript = join(repoRoot, 'scripts', 'kafka-jars.mjs');
const START_TIMEOUT_MS = 60_000;
/** kafka-jars.mjs exits with this code when it needs Maven to download and Maven is absent. */
const EXIT_NO_MAVEN = 3;

// Startup speed over peak throughput: the test broker lives for seconds and moves little data. C1-only JIT and
// the serial GC cut JVM start noticeably on a 2-core machine; the heap cap keeps two parallel runs affordable.
const JVM_FLAGS = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:-UsePerfData',
  '-Djava.awt.headless=true',
];

/** Prints the single visible skip line and returns the reason. */
function skip(reason: string): { skipped: string } {
  const ci =
    process.env.CI === 'true'
      ? ' (CI=true: Kafka tests are mandatory in CI, but this machine lacks Java or Maven)'
      : '';
  console.log(`[kafka] skipping Kafka integration tests: ${reason}${ci}`);
  return { skipped: reason };
}

/** Major version of the `java` on PATH, or null when there is none. A java that exists but fails throws. */
function javaMajorVersion(): number | null {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  // Only a missing executable is a skip; a broken Java must fail the run, or CI could go green without Kafka.
  if (r.error && 'code' in r.error && r.error.code === 'ENOENT') return null;
  if (r.error || r.status !== 0) {
    throw new Error(
      `[kafka] \`java -version\` failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`,
    );
  }
  // `java -version` writes to stderr, e.g. `openjdk version "17.0.15" 2025-04-15` or `"1.8.0_392"`.
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr);
  if (!m) throw new Error(`[kafka] cannot read the Java version from:\n${r.stderr}`);
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major;
}

/**
 * Runs kafka-jars.mjs (a no-op when the cache is complete) and returns the jar folder, or a skip reason when
 * Maven is missing and the jars are not cached yet. Maven is not required once the cache is filled.
 */
function resolveJars(): { libDir: string } | { skip: string } {
  const r = spawnSync(process.execPath, [jarsScript], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) throw new Error(`[kafka] could not run ${jarsScript}: ${r.error.message}`);
  if (r.status === EXIT_NO_MAVEN)
    return { skip: 'mvn (Maven) not found on PATH and the Kafka jars are not cached' };
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`[kafka] resolving the Kafka jars failed (exit ${r.status}):\n${out}`);
  // Show what the resolution did (download or cache hit) without repeating the machine-readable last line.
  const lines = r.stdout.trim().split('\n');
  const libLine = lines.find((l) => l.startsWith('KAFKA_LIBS='));
  if (!libLine) throw new Error(`[kafka] ${jarsScript} printed no KAFKA_LIBS= line:\n${out}`);
  for (const l of lines) if (l !== libLine && l.includes('resolving')) console.log(l);
  return { libDir: libLine.slice('KAFKA_LIBS='.length) };
}

/**
 * Asks the OS for `count` distinct free ports on loopback, holding all of them open until every one is known so
 * the same port cannot come back twice. Racy against other processes in theory; the broker binds them at once.
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((resolvePort, reject) => {
          server.on('error', reject);
          server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            if (typeof address === 'object' && address !== null) resolvePort(address.port);
            else reject(new Error('no port from the OS'));
          });
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise<void>((r) => server.close(() => r()))));
  return ports;
}

function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  return [
    '# Written by test/support/kafka-broker.ts: a throwaway single-node KRaft cluster.',
    'process.roles=broker,controller',
    'node.id=1',
    // A static voter set works on 3.x and 4.x alike and needs no --standalone/--initial-controllers at format.
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    // Tests create their topics explicitly, so a typo in a topic name fails instead of silently creating one.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The default 50 partitions each for __consumer_offsets and __transaction_state make the first group join
    // and the first transaction wait for 50 partition leaders; a handful is plenty for tests.
    'offsets.topic.num.partitions=3',
    'transaction.state.log.num.partitions=3',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

// Logs go to stdout, which the caller redirects to a file: one file holds both log4j and JVM output.
const LOG4J2_PROPERTIES = [
  'status=warn',
  'appender.out.type=Console',
  'appender.out.name=OUT',
  'appender.out.layout.type=PatternLayout',
  'appender.out.layout.pattern=[%d] %p %m (%c)%n',
  'rootLogger.level=INFO',
  'rootLogger.appenderRef.out.ref=OUT',
  // The request and state-change loggers are very chatty at INFO and never explain a failed start.
  'logger.request.name=kafka.request.logger',
  'logger.request.level=WARN',
  'logger.state.name=state.change.logger',
  'logger.state.level=WARN',
  '',
].join('\n');

function tail(file: string, lines = 60): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True once the broker answers a metadata request listing itself (i.e. it is registered and unfenced). */
async function brokerAnswers(bootstrap: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'freshet-test-readiness',
    bootstrapBrokers: [bootstrap],
    connectTimeout: 1_000,
    requestTimeout: 2_000,
    retries: 0,
  });
  try {
    const metadata = await admin.metadata({ topics: [] });
    return metadata.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/**
 * Starts a fresh broker in a temp folder. Returns null (after printing why) only when Java or Maven is absent;
 * throws with the tail of the broker log when the broker does not come up within 60 s.
 */
export async function startKafka(): Promise<KafkaBroker | null> {
  const result = await startKafkaOrSkip();
  return 'skipped' in result ? null : result;
}

/** Like startKafka, but says why it skipped, so the vitest globalSetup can pass the reason on. */
export async function startKafkaOrSkip(): Promise<KafkaBroker | { skipped: string }> {
  const java = javaMajorVersion();
  if (java === null) return skip('java not found on PATH');
  if (java < 17) {
    throw new Error(`[kafka] Kafka 4.x brokers need Java 17 or newer; the java on PATH is ${java}`);
  }

  const jars = resolveJars();
  if ('skip' in jars) return skip(jars.skip);
  const classpath = join(jars.libDir, '*');

  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'freshet-kafka-'));
  const logFile = join(dir, 'broker.log');
  const [brokerPort, controllerPort] = (await freePorts(2)) as [number, number];
  const propsFile = join(dir, 'server.properties');
  const log4jFile = join(dir, 'log4j2.properties');
  writeFileSync(propsFile, serverProperties(dir, brokerPort, controllerPort));
  writeFileSync(log4jFile, LOG4J2_PROPERTIES);
  const jvm = [...JVM_FLAGS, `-Dlog4j2.configurationFile=${log4jFile}`, '-cp', classpath];

  const fail = (what: string): never => {
    const message = `[kafka] ${what}; last lines of ${logFile}:\n${tail(logFile)}`;
    // Keep the folder only when asked, so a failing CI run does not fill /tmp but a developer can inspect it.
    if (process.env.FRESHET_KAFKA_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    throw new Error(message);
  };

  // A KRaft node refuses to start on unformatted storage; the cluster id is 16 random bytes in base64url,
  // the same shape `kafka-storage random-uuid` prints. Like Kafka's Uuid.randomUuid, an id starting with '-' is
  // drawn again: the storage tool's argument parser would read it as an option and the format would fail.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const logFd = openSync(logFile, 'a');
  const format = spawnSync(
    'java',
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile],
    {
      stdio: ['ignore', logFd, logFd],
      timeout: START_TIMEOUT_MS,
    },
  );
  if (format.status !== 0) {
    closeSync(logFd);
    fail(`formatting the KRaft storage failed (exit ${format.status ?? format.error?.message})`);
  }

  const child = spawn('java', [...jvm, 'kafka.Kafka', propsFile], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // If the test process exits without calling stop() (e.g. vitest interrupted), do not leave a JVM holding ports
  // behind; removing the folder is best effort, since the JVM may still be dying.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    // The data is throwaway, so skip Kafka's controlled shutdown (seconds) and kill outright.
    child.kill('SIGKILL');
    await waitForExit(child);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  const bootstrap = `127.0.0.1:${brokerPort}`;
  const deadline = started + START_TIMEOUT_MS;
  while (!(await brokerAnswers(bootstrap))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', killOnExit);
      fail(
        `the broker exited during startup (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`})`,
      );
    }
    if (Date.now() > deadline) {
      process.removeListener('exit', killOnExit);
      child.kill('SIGKILL');
      await waitForExit(child);
      fail(`the broker did not answer a metadata request within ${START_TIMEOUT_MS / 1000} s`);
    }
    await sleep(200);
  }
  console.log(
    `[kafka] broker up at ${bootstrap} in ${((Date.now() - started) / 1000).toFixed(1)} s (log: ${logFile})`,
  );
  return { bootstrap, stop };
}
