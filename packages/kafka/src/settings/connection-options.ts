import type { Logger } from '@broker/core';

/** Rasa's `security_protocol` values (case-insensitive). */
export type SecurityProtocol = 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = [
  'PLAINTEXT',
  'SASL_PLAINTEXT',
  'SSL',
  'SASL_SSL',
];

/** Rasa's `sasl_mechanism` values we support (case-insensitive). GSSAPI (Kerberos) is not. */
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export const SASL_MECHANISMS: readonly SaslMechanism[] = [
  'PLAIN',
  'SCRAM-SHA-256',
  'SCRAM-SHA-512',
  'OAUTHBEARER',
];

/** An OAuth 2 bearer token for SASL OAUTHBEARER: the compact JWS (or opaque token) the broker validates. */
export interface OAuthBearerToken {
  value: string;
}

/** Called whenever a connection authenticates; return a fresh token (cache it yourself until it expires). */
export type OAuthBearerProvider = () => Promise<OAuthBearerToken>;

/** How much of the Kafka client's own logging reaches your logger. */
export type ClientLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export const CLIENT_LOG_LEVELS: readonly ClientLogLevel[] = ['nothing', 'error', 'warn', 'info', 'debug'];

/**
 * How to reach and authenticate to Kafka; shared by `KafkaEventBroker` and `KafkaMessageSource`.
 * Names mirror Rasa's endpoints.yml keys in camelCase (`ssl_cafile` → `sslCafile`). The Python
 * spellings of the Rasa documentation (`KafkaProducer(host=..., ssl_cafile=..., security_protocol=...)`)
 * and of Rasa's `KafkaEventBroker(client_id=..., sasl_mechanism=...)` are accepted as aliases, with
 * the same checks; giving one setting under both names is a ConfigError.
 */
export interface KafkaConnectionOptions {
  /** Bootstrap servers: `'host:port'`, `'h1:9092,h2:9092'` or a list; the port defaults to 9092. YAML `url`. */
  url?: string | readonly string[];
  /** The Rasa documentation's spelling of `url` (`KafkaProducer(host=...)`). */
  host?: string | readonly string[];
  /** Client id shown in broker logs and quotas. YAML `client_id`. Default `rasa-broker-kafka`. */
  clientId?: string;
  /** Rasa's Python spelling of `clientId` (`KafkaEventBroker(client_id=...)`). */
  client_id?: string;
  /** YAML `security_protocol`. Default `SASL_PLAINTEXT` when any SASL setting is given, else `PLAINTEXT`. */
  securityProtocol?: SecurityProtocol | Lowercase<SecurityProtocol>;
  /** The Rasa documentation's spelling of `securityProtocol` (`KafkaProducer(security_protocol=...)`). */
  security_protocol?: SecurityProtocol | Lowercase<SecurityProtocol>;
  /** YAML `sasl_mechanism`, case-insensitive. Default `PLAIN`. */
  saslMechanism?: SaslMechanism | Lowercase<SaslMechanism>;
  /** Rasa's Python spelling of `saslMechanism` (`KafkaEventBroker(sasl_mechanism=...)`). */
  sasl_mechanism?: SaslMechanism | Lowercase<SaslMechanism>;
  /** YAML `sasl_username` (PLAIN and SCRAM). */
  saslUsername?: string;
  /** The Rasa documentation's spelling of `saslUsername` (`KafkaProducer(sasl_plain_username=...)`). */
  sasl_plain_username?: string;
  /** YAML `sasl_password` (PLAIN and SCRAM). */
  saslPassword?: string;
  /** The Rasa documentation's spelling of `saslPassword` (`KafkaProducer(sasl_plain_password=...)`). */
  sasl_plain_password?: string;
  /** Token source for `saslMechanism: 'OAUTHBEARER'`. */
  oauthBearerProvider?: OAuthBearerProvider;
  /** PEM file of the CA that signed the brokers' certificates (SSL, SASL_SSL). YAML `ssl_cafile`. Default: Node's CA store. */
  sslCafile?: string;
  /** The Rasa documentation's spelling of `sslCafile` (`KafkaProducer(ssl_cafile=...)`). */
  ssl_cafile?: string;
  /** PEM client certificate, for brokers that require client authentication. YAML `ssl_certfile`. */
  sslCertfile?: string;
  /** The Rasa documentation's spelling of `sslCertfile` (`KafkaProducer(ssl_certfile=...)`). */
  ssl_certfile?: string;
  /** PEM private key of `sslCertfile`. YAML `ssl_keyfile`. */
  sslKeyfile?: string;
  /** The Rasa documentation's spelling of `sslKeyfile` (`KafkaProducer(ssl_keyfile=...)`). */
  ssl_keyfile?: string;
  /** Password of an encrypted `sslKeyfile`. YAML `ssl_key_password`. */
  sslKeyPassword?: string;
  /**
   * Whether the broker's certificate must name the host we connect to (SSL and SASL_SSL alike).
   * The certificate chain is always verified. YAML `ssl_check_hostname`. Default `true`.
   */
  sslCheckHostname?: boolean;
  /** The Rasa documentation's spelling of `sslCheckHostname` (`KafkaProducer(ssl_check_hostname=...)`). */
  ssl_check_hostname?: boolean;
  /** TCP + TLS connect timeout per broker, in ms. YAML `connection_timeout_ms`. Default 5000. */
  connectionTimeoutMs?: number;
  /** How long a request may wait for the broker's answer, in ms. YAML `request_timeout_ms`. Default 30000. */
  requestTimeoutMs?: number;
  /** First delay of the reconnect/resend backoff, in ms. YAML `retry_backoff_ms`. Default 100. */
  retryBackoffMs?: number;
  /** Longest delay of the reconnect/resend backoff, in ms. YAML `retry_backoff_max_ms`. Default 10000. */
  retryBackoffMaxMs?: number;
  /** The Kafka client's own log level, routed into `logger`. YAML `client_log_level`. Default `warn`. */
  clientLogLevel?: ClientLogLevel;
  /** A pino-compatible logger; nothing is logged without one. */
  logger?: Logger;
}
