// Translates the Java-client `properties.*` of a Kafka table (bootstrap servers, security protocol, SASL, SSL,
// timeouts, isolation level) into @platformatic/kafka client options. Java properties without a counterpart in
// this client are accepted and ignored, as the Java client ignores unknown properties (with a warning).
import { readFileSync } from 'node:fs';
import { FetchIsolationLevels, type SASLOptions } from '@platformatic/kafka';

export type IsolationLevel = 'read_committed' | 'read_uncommitted';

export interface ClientProperties {
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string | null;
  readonly isolation: IsolationLevel;
  readonly tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean } | null;
  readonly sasl: SASLOptions | null;
  readonly requestTimeout: number | null;
}

/** Reads `username="…" password="…"` out of a `sasl.jaas.config` line (PlainLoginModule / ScramLoginModule). */
function jaasCredentials(jaas: string): { username: string; password: string } {
  const get = (name: string): string => {
    const m = new RegExp(`${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
    if (m === null) throw new Error(`option 'properties.sasl.jaas.config' has no ${name}="…"`);
    return (m[1] as string).replace(/\\(.)/g, '$1');
  };
  return { username: get('username'), password: get('password') };
}

function pem(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`option '${key}': cannot read '${path}' (${(e as Error).message})`);
  }
}

export function clientProperties(options: Readonly<Record<string, string>>): ClientProperties {
  const p = (k: string): string | undefined => options[`properties.${k}`];
  const servers = (p('bootstrap.servers') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) throw new Error(`option 'properties.bootstrap.servers' names no broker`);
  const bad = servers.find((s) => !/^[^\s:]+:\d+$/.test(s) && !/^\[[^\]]+\]:\d+$/.test(s));
  if (bad !== undefined) throw new Error(`option 'properties.bootstrap.servers': '${bad}' is not host:port`);

  const isolation = p('isolation.level') ?? 'read_uncommitted';
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new Error(`option 'properties.isolation.level' must be 'read_committed' or 'read_uncommitted', got '${isolation}'`);
  }
  const protocol = (p('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
    throw new Error(`option 'properties.security.protocol' must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${protocol}'`);
  }
  let tls: ClientProperties['tls'] = null;
  if (protocol === 'SSL' || protocol === 'SASL_SSL') {
    // The Java client reads JKS/PKCS12 stores; Node reads PEM, so the PEM locations (librdkafka's names) are used.
    const ca = pem(p('ssl.ca.location'), 'properties.ssl.ca.location');
    const cert = pem(p('ssl.certificate.location'), 'properties.ssl.certificate.location');
    const key = pem(p('ssl.key.location'), 'properties.ssl.key.location');
    tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(p('ssl.endpoint.identification.algorithm') === '' ? { rejectUnauthorized: false } : {}),
    };
  }
  let sasl: SASLOptions | null = null;
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = (p('sasl.mechanism') ?? 'GSSAPI').toUpperCase();
    if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
      throw new Error(`option 'properties.sasl.mechanism' must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got '${mechanism}'`);
    }
    const jaas = p('sasl.jaas.config');
    if (jaas === undefined) throw new Error(`option 'properties.sasl.jaas.config' is required with security.protocol ${protocol}`);
    sasl = { mechanism, ...jaasCredentials(jaas) };
  }
  const timeout = p('request.timeout.ms');
  return {
    bootstrapBrokers: servers,
    clientId: p('client.id') ?? null,
    isolation,
    tls,
    sasl,
    requestTimeout: timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) : null,
  };
}

/** Base options for every client of one table. Retries are short and many: a broker that is starting answers
 * the first group and transaction requests with retriable errors, and the Java client retries after 100 ms. */
export function baseClientOptions(
  c: ClientProperties,
  clientId: string,
): {
  clientId: string;
  bootstrapBrokers: string[];
  retries: number;
  retryDelay: number;
  tls?: ClientProperties['tls'] & object;
  sasl?: SASLOptions;
  requestTimeout?: number;
} {
  return {
    clientId: c.clientId ?? clientId,
    bootstrapBrokers: [...c.bootstrapBrokers],
    retries: 30,
    retryDelay: 100,
    ...(c.tls !== null ? { tls: c.tls } : {}),
    ...(c.sasl !== null ? { sasl: c.sasl } : {}),
    ...(c.requestTimeout !== null ? { requestTimeout: c.requestTimeout } : {}),
  };
}

export function isolationLevelValue(i: IsolationLevel): number {
  return i === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED;
}
