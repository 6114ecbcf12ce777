import { BUFFER_LIMIT_RANGE, DEFAULT_BUFFER_LIMITS, defineSettings, OVERFLOW_POLICIES } from '@broker/core';
import { PARTITIONER_NAMES } from '../partitioning/key-partitioner';
import { CLIENT_LOG_LEVELS, SASL_MECHANISMS, SECURITY_PROTOCOLS } from './connection-options';

/** Aliases in code only: the Rasa documentation's Python spelling of a setting. */
const python = (name: string) => ({ code: [name] });
const ms = (low: number, high: number) => ({ type: 'integer', min: low, max: high }) as const;

/**
 * The `type: kafka` section: every setting's YAML key, camelCase option and aliases (the Python
 * spellings of the Rasa documentation's `KafkaProducer(...)` and of Rasa's `KafkaEventBroker(...)`),
 * type, default, range and meaning. The README's option table is generated from it.
 */
export const KAFKA_SETTINGS = defineSettings({
  url: {
    yaml: 'url',
    code: 'url',
    aliases: { yaml: ['host'], code: ['host'] },
    type: 'any',
    defaultText: 'required',
    description: 'bootstrap servers: `host:port`, a comma list, or a list; port 9092 when omitted',
  },
  topic: {
    yaml: 'topic',
    type: 'string',
    nonEmpty: true,
    default: 'rasa_core_events',
    description: 'topic to publish to',
  },
  clientId: {
    yaml: 'client_id',
    aliases: python('client_id'),
    type: 'string',
    nonEmpty: true,
    default: 'rasa-broker-kafka',
    description: 'client id the brokers log',
  },
  partitionBySender: {
    yaml: 'partition_by_sender',
    type: 'boolean',
    default: false,
    description: 'key messages with `sender_id` (one partition per conversation)',
  },
  partitioner: {
    yaml: 'partitioner',
    type: 'choice',
    choices: PARTITIONER_NAMES,
    default: 'crc32',
    description: '`crc32` (Rasa >= 3.4) or `murmur2` (Rasa <= 3.3, Java); see above',
  },
  securityProtocol: {
    yaml: 'security_protocol',
    aliases: python('security_protocol'),
    type: 'choice',
    choices: SECURITY_PROTOCOLS,
    defaultText: 'see [Security](#security)',
    description: '`PLAINTEXT`, `SASL_PLAINTEXT`, `SSL` or `SASL_SSL`, case-insensitive',
  },
  saslMechanism: {
    yaml: 'sasl_mechanism',
    aliases: python('sasl_mechanism'),
    type: 'choice',
    choices: SASL_MECHANISMS,
    default: 'PLAIN',
    description:
      '`PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` or `OAUTHBEARER`, case-insensitive; `GSSAPI` is refused (no Kerberos in the Node client)',
  },
  saslUsername: {
    yaml: 'sasl_username',
    aliases: { yaml: ['sasl_plain_username'], code: ['sasl_plain_username'] },
    type: 'string',
    nonEmpty: true,
    defaultText: 'required for PLAIN and SCRAM',
    description: 'SASL user',
  },
  saslPassword: {
    yaml: 'sasl_password',
    aliases: { yaml: ['sasl_plain_password'], code: ['sasl_plain_password'] },
    type: 'string',
    nonEmpty: true,
    secret: true,
    defaultText: 'required for PLAIN and SCRAM',
    description: 'SASL password; never logged or put in errors',
  },
  oauthBearerProvider: {
    yaml: null,
    type: 'any',
    defaultText: 'required for OAUTHBEARER',
    description: '`async () => ({ value: token })`, called at each authentication',
  },
  sslCafile: {
    yaml: 'ssl_cafile',
    aliases: python('ssl_cafile'),
    type: 'string',
    nonEmpty: true,
    defaultText: "Node's CA store",
    description: 'PEM file of the CA that signed the broker certificates',
  },
  sslCertfile: {
    yaml: 'ssl_certfile',
    aliases: python('ssl_certfile'),
    type: 'string',
    nonEmpty: true,
    description: 'PEM client certificate (brokers that require client authentication)',
  },
  sslKeyfile: {
    yaml: 'ssl_keyfile',
    aliases: python('ssl_keyfile'),
    type: 'string',
    nonEmpty: true,
    description: 'PEM private key of `ssl_certfile`',
  },
  sslKeyPassword: {
    yaml: 'ssl_key_password',
    type: 'string',
    secret: true,
    description: 'password of an encrypted `ssl_keyfile`',
  },
  sslCheckHostname: {
    yaml: 'ssl_check_hostname',
    aliases: python('ssl_check_hostname'),
    type: 'boolean',
    default: true,
    description: 'the broker certificate must name the host you connect to; see [Security](#security)',
  },
  queueSize: {
    yaml: 'queue_size',
    type: 'integer',
    ...BUFFER_LIMIT_RANGE.maxEvents,
    default: DEFAULT_BUFFER_LIMITS.maxEvents,
    description:
      "most events pending (queued + in flight), as Rasa's `queue_size`; 1 to 100 000 000 (= `buffer.maxEvents`)",
  },
  bufferMaxBytes: {
    yaml: 'buffer_max_bytes',
    type: 'integer',
    ...BUFFER_LIMIT_RANGE.maxBytes,
    default: DEFAULT_BUFFER_LIMITS.maxBytes,
    defaultText: '`104857600` (100 MiB)',
    description: 'most body bytes pending; at least 1024 (= `buffer.maxBytes`)',
  },
  bufferOverflow: {
    yaml: 'buffer_overflow',
    type: 'choice',
    choices: OVERFLOW_POLICIES,
    default: DEFAULT_BUFFER_LIMITS.overflow,
    description:
      'full buffer: `reject` (publish throws `BufferOverflowError`, counted in `stats().rejected`) or `drop-oldest` (logged, counted, reported as `undelivered`) (= `buffer.overflow`)',
  },
  buffer: {
    yaml: null,
    type: 'mapping',
    description: "the three bounds above as one object (core's `BufferLimits`); the flat options win",
  },
  maxMessageBytes: {
    yaml: 'max_message_bytes',
    ...ms(1, 64 * 1024 * 1024),
    default: 1_000_000,
    description:
      'larger event bodies are refused by `publish` with `MessageTooLargeError`, before reaching Kafka',
  },
  lingerMs: {
    yaml: 'linger_ms',
    ...ms(0, 60_000),
    default: 5,
    description: 'how long the first event of a batch waits for more',
  },
  batchMaxEvents: {
    yaml: 'batch_max_events',
    ...ms(1, 1_000_000),
    default: 1000,
    description: 'most events per produce request',
  },
  batchMaxBytes: {
    yaml: 'batch_max_bytes',
    ...ms(1, 64 * 1024 * 1024),
    default: 512 * 1024,
    description: 'most body bytes per produce request (a larger single event goes alone)',
  },
  acks: {
    yaml: 'acks',
    type: 'any',
    defaultText: '`all`',
    description: '`all` (-1), `1` or `0`; anything but `all` needs `idempotent: false`',
  },
  idempotent: {
    yaml: 'idempotent',
    type: 'boolean',
    default: true,
    description: 'idempotent producer: retries never duplicate or reorder within a partition',
  },
  startup: {
    yaml: 'startup',
    type: 'choice',
    choices: ['buffer', 'wait'],
    default: 'buffer',
    description:
      "see [Start-up](#start-up); `buffer`, as Rasa's Kafka producer, which connects in the background",
  },
  startupTimeoutMs: {
    yaml: 'startup_timeout_ms',
    ...ms(1, 3_600_000),
    default: 30_000,
    description: 'bound of `startup: wait`',
  },
  closeTimeoutMs: {
    yaml: 'close_timeout_ms',
    ...ms(0, 3_600_000),
    default: 10_000,
    description: 'default timeout of `close()`',
  },
  connectionTimeoutMs: {
    yaml: 'connection_timeout_ms',
    ...ms(100, 600_000),
    default: 5000,
    description: 'TCP + TLS + SASL connect timeout per broker',
  },
  requestTimeoutMs: {
    yaml: 'request_timeout_ms',
    ...ms(100, 3_600_000),
    default: 30_000,
    description: "how long a request waits for the broker's answer",
  },
  retryBackoffMs: {
    yaml: 'retry_backoff_ms',
    ...ms(1, 60_000),
    default: 100,
    description: 'first delay of the reconnect/resend backoff (doubles, with jitter)',
  },
  retryBackoffMaxMs: {
    yaml: 'retry_backoff_max_ms',
    ...ms(1, 3_600_000),
    default: 10_000,
    description: 'longest delay of that backoff',
  },
  clientLogLevel: {
    yaml: 'client_log_level',
    type: 'choice',
    choices: CLIENT_LOG_LEVELS,
    default: 'warn',
    description:
      "how much of the Kafka client's own logging reaches your logger: `nothing`, `error`, `warn`, `info`, `debug`",
  },
  groupId: {
    yaml: 'group_id',
    type: 'string',
    nonEmpty: true,
    default: 'broker-consumers',
    description: 'consumer group of the message source (`@broker/consumers`); the broker does not use it',
  },
  logger: {
    yaml: null,
    type: 'any',
    defaultText: 'silent',
    description:
      'any pino-compatible logger (`fromEndpointConfig(config, { logger })` from YAML); without one, failures nothing listens for go to stderr as process warnings',
  },
  rasaEnvironment: {
    yaml: null,
    type: 'string',
    defaultText: '`$RASA_ENVIRONMENT` or `RASA_ENVIRONMENT_NOT_SET`',
    description: 'value of the `RASA_ENVIRONMENT` header',
  },
});

/** What `new KafkaMessageSource(...)` takes besides the section's settings. */
export const KAFKA_SOURCE_OPTIONS = defineSettings({
  ...KAFKA_SETTINGS,
  fromBeginning: {
    yaml: null,
    type: 'boolean',
    default: false,
    description: 'a new group starts at the earliest message',
  },
  deadLetterTopic: { yaml: null, type: 'string', nonEmpty: true, description: 'topic of dead letters' },
  sessionTimeoutMs: {
    yaml: null,
    ...ms(6000, 600_000),
    default: 30_000,
    description: 'group session timeout',
  },
  drainTimeoutMs: {
    yaml: null,
    ...ms(0, 3_600_000),
    default: 10_000,
    description: 'wait for in-flight messages',
  },
  commitIntervalMs: { yaml: null, ...ms(0, 60_000), default: 1000, description: 'commit at most this often' },
});

export type KafkaSettingName = keyof typeof KAFKA_SETTINGS;

/** Keys Rasa reads (or once read) that have no effect here; ignored with a specific note instead of "unknown". */
export const RASA_KEYS_WITHOUT_EFFECT: Readonly<Record<string, string>> = {
  loglevel: "Rasa 1.x's Kafka log level; pass a logger and use client_log_level instead",
  convert_intent_id_to_string: 'removed in Rasa 3.0 together with integer intent ids',
};
