// Types for services/endpoints.mjs (the local test services; see services/README.md).

export interface Credentials {
  username: string;
  password: string;
}

export interface MainRabbitMq extends Credentials {
  /** amqp://guest:guest@127.0.0.1:5672 */
  url: string;
  host: string;
  port: number;
  node: string;
}

export interface FaultRabbitMq extends Credentials {
  /** amqp://guest:guest@127.0.0.1:5673 */
  url: string;
  host: string;
  port: number;
  /** broker-fault@localhost */
  node: string;
  /** broker-test (guest has full permissions) */
  vhost: string;
  /** amqp://guest:guest@127.0.0.1:5673/broker-test */
  vhostUrl: string;
  /** limited / limited-secret: exists, no permissions on vhost / */
  limitedUser: Credentials & { url: string; note: string };
  log: string;
}

export interface TlsRabbitMq extends Credentials {
  /** broker-tls@localhost */
  node: string;
  /** amqp://guest:guest@127.0.0.1:5674 (plain AMQP port of the TLS node) */
  amqpUrl: string;
  /** amqps://guest:guest@localhost:5671 (client certificate required) */
  amqpsUrl: string;
  /** localhost: the only name in the server certificate */
  host: string;
  /** 5671 */
  port: number;
  /** 5674 */
  plainPort: number;
  /** 127.0.0.1: not in the certificate, for wrong-host tests */
  wrongHost: string;
  clientCertRequired: true;
  serverCertSubjectAltNames: string[];
  log: string;
}

export interface KafkaSingle {
  version: string;
  /** localhost:9092 */
  plaintext: string;
  /** localhost:9093, SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 / OAUTHBEARER */
  saslPlaintext: string;
  /** localhost:9094, client certificate required */
  ssl: string;
  /** localhost:9095, SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512 / OAUTHBEARER over TLS, no client certificate */
  saslSsl: string;
  controller: string;
  mechanisms: { saslPlaintext: string[]; saslSsl: string[] };
  users: { plain: Credentials; scramSha256: Credentials; scramSha512: Credentials; admin: Credentials };
  oauthbearer: {
    /** The SASL_PLAINTEXT listener (localhost:9093); OAUTHBEARER is on SASL_SSL too, see `listeners`. */
    listener: string;
    /** Every listener that offers OAUTHBEARER: SASL_PLAINTEXT and SASL_SSL. */
    listeners: string[];
    validator: string;
    token: string;
  };
  sslClientAuth: 'required';
  saslSslClientAuth: 'none';
  log: string;
}

export interface KafkaCluster {
  /** ['localhost:19092', 'localhost:19093', 'localhost:19094'] */
  brokers: string[];
  controllers: string[];
  nodeIds: number[];
  replicationFactor: number;
  minInsyncReplicas: number;
  script: string;
  logs: string[];
  note: string;
}

export interface TlsFiles {
  ca: string;
  caKey: string;
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  expiredClientCert: string;
  expiredClientKey: string;
  otherCaClientCert: string;
  otherCaClientKey: string;
  kafkaKeystore: string;
  kafkaTruststore: string;
  keystorePassword: string;
}

export interface Services {
  version: 1;
  stateDir: string;
  generatedAt: string;
  rabbitmq: { main: MainRabbitMq; fault: FaultRabbitMq; tls: TlsRabbitMq };
  kafka: { single: KafkaSingle; cluster: KafkaCluster };
  tls: TlsFiles;
  /** a python3 that imports pika and kafka (Debian packages), or null */
  python: { executable: string | null; note: string };
  scripts: { up: string; down: string; rabbitmqNode: string; kafkaCluster: string };
  logs: string;
  pids: string;
}

export type RabbitNodeName = 'fault' | 'tls';
export type ClusterBrokerId = 1 | 2 | 3;
export interface ScriptResult {
  stdout: string;
  stderr: string;
}

export function servicesStateDir(env?: NodeJS.ProcessEnv): string;
export function loadServices(): Services;
export function requireRabbitMq(which?: 'main', options?: { timeoutMs?: number }): Promise<MainRabbitMq>;
export function requireRabbitMq(which: 'fault', options?: { timeoutMs?: number }): Promise<FaultRabbitMq>;
export function requireRabbitMq(which: 'tls', options?: { timeoutMs?: number }): Promise<TlsRabbitMq>;
export function requireKafka(which?: 'single', options?: { timeoutMs?: number }): Promise<KafkaSingle>;
export function requireKafka(which: 'cluster', options?: { timeoutMs?: number }): Promise<KafkaCluster>;

export function restartRabbitNode(name: RabbitNodeName): Promise<ScriptResult>;
export function stopRabbitNode(name: RabbitNodeName): Promise<ScriptResult>;
export function startRabbitNode(name: RabbitNodeName): Promise<ScriptResult>;
export function killRabbitNode(name: RabbitNodeName): Promise<ScriptResult>;
export function closeRabbitConnections(name: RabbitNodeName): Promise<ScriptResult>;
export function raiseRabbitMemoryAlarm(name: RabbitNodeName): Promise<ScriptResult>;
export function clearRabbitMemoryAlarm(name: RabbitNodeName): Promise<ScriptResult>;
export function clusterUp(): Promise<ScriptResult>;
export function clusterDown(): Promise<ScriptResult>;
export function stopClusterBroker(n: ClusterBrokerId): Promise<ScriptResult>;
export function killClusterBroker(n: ClusterBrokerId): Promise<ScriptResult>;
export function startClusterBroker(n: ClusterBrokerId): Promise<ScriptResult>;

/** A local port nothing listens on (bound, then freed): a connection to it is refused at once. */
export function closedPort(): Promise<number>;
