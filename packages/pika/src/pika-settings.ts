import { BUFFER_LIMIT_RANGE, defineSettings, OVERFLOW_POLICIES, type SettingsReader } from '@broker/core';

/**
 * The `type: pika` section: every setting's endpoints.yml key (Rasa's names first, then ours),
 * its `new PikaEventBroker({...})` option (the camelCase key; `url` is `host`, as in Rasa's
 * constructor), type, default, range and meaning. The README's option table is generated from it.
 */
export const PIKA_SETTINGS = defineSettings({
  url: {
    yaml: 'url',
    code: 'host',
    type: 'string',
    nonEmpty: true,
    defaultText: 'required',
    description: 'host name, or `amqp://` / `amqps://` URL (see below)',
  },
  username: {
    yaml: 'username',
    type: 'string',
    defaultText: '`guest`',
    description: 'unless the URL has one',
  },
  password: {
    yaml: 'password',
    type: 'string',
    secret: true,
    defaultText: '`guest`',
    description: 'unless the URL has one; never logged',
  },
  port: {
    yaml: 'port',
    type: 'integer',
    min: 1,
    max: 65535,
    defaultText: '5672 (5671 with TLS)',
    description: 'unless the URL has one; `"5672"` strings are fine',
  },
  queues: {
    yaml: 'queues',
    type: 'list',
    defaultText: '`[rasa_core_events]` (with a warning, as Rasa)',
    description: 'a list or one name',
  },
  queue: {
    yaml: 'queue',
    type: 'string',
    nonEmpty: true,
    description: "Rasa 1.x's key: deprecated, **honoured** with a warning (Rasa 2+ silently ignores it)",
  },
  exchangeName: {
    yaml: 'exchange_name',
    type: 'string',
    nonEmpty: true,
    default: 'rasa-exchange',
    description: 'the fanout exchange',
  },
  connectionAttempts: {
    yaml: 'connection_attempts',
    type: 'integer',
    min: 1,
    default: 20,
    description: '`startup: wait`: attempts before giving up',
  },
  retryDelayInSeconds: {
    yaml: 'retry_delay_in_seconds',
    type: 'number',
    min: 0,
    max: 3600,
    default: 5,
    description: '`startup: wait`: pause between attempts; also the longest reconnect backoff (at least 1 s)',
  },
  shouldKeepUnpublishedMessages: {
    yaml: 'should_keep_unpublished_messages',
    type: 'boolean',
    default: true,
    description:
      'false: events that cannot be sent now fail at once (counted, reported) instead of waiting for a reconnect',
  },
  raiseOnFailure: {
    yaml: 'raise_on_failure',
    type: 'boolean',
    default: false,
    description: 'the first event that cannot be delivered stops the broker (for exports)',
  },
  sslCafile: {
    yaml: 'ssl_cafile',
    type: 'string',
    nonEmpty: true,
    defaultText: 'system CAs',
    description: "PEM CA to verify RabbitMQ's certificate",
  },
  sslCertfile: {
    yaml: 'ssl_certfile',
    type: 'string',
    nonEmpty: true,
    description: 'client certificate (PEM); with `ssl_keyfile`, both or neither',
  },
  sslKeyfile: {
    yaml: 'ssl_keyfile',
    type: 'string',
    nonEmpty: true,
    description: 'private key (PEM) of the client certificate; with `ssl_certfile`, both or neither',
  },
  sslCheckHostname: {
    yaml: 'ssl_check_hostname',
    type: 'boolean',
    default: true,
    description: 'check that the certificate names the host',
  },
  sslServername: {
    yaml: 'ssl_servername',
    type: 'string',
    nonEmpty: true,
    defaultText: 'the host',
    description: 'SNI and the name the certificate must carry',
  },
  queueArguments: {
    yaml: 'queue_arguments',
    type: 'mapping',
    description: 'arguments of every queue declaration, e.g. `x-queue-type: quorum`',
  },
  passiveQueues: {
    yaml: 'passive_queues',
    type: 'boolean',
    default: false,
    description: 'only check that the queues exist (operators declare them); they are still bound',
  },
  startup: {
    yaml: 'startup',
    type: 'choice',
    choices: ['wait', 'buffer'],
    default: 'wait',
    description:
      "`wait` (Rasa's pika broker waits too) or `buffer`: start at once, keep events until RabbitMQ answers",
  },
  bufferMaxEvents: {
    yaml: 'buffer_max_events',
    type: 'integer',
    ...BUFFER_LIMIT_RANGE.maxEvents,
    defaultText: '100 000',
    description:
      "most events pending (waiting + awaiting confirm); 1 to 100 000 000, as Kafka's `queue_size`",
  },
  bufferMaxBytes: {
    yaml: 'buffer_max_bytes',
    type: 'integer',
    ...BUFFER_LIMIT_RANGE.maxBytes,
    defaultText: '100 MiB',
    description: "most bytes pending; at least 1024, as Kafka's `buffer_max_bytes`",
  },
  bufferOverflow: {
    yaml: 'buffer_overflow',
    type: 'choice',
    choices: OVERFLOW_POLICIES,
    defaultText: '`reject`',
    description:
      'full buffer: `reject` the new event (`publish` throws `BufferOverflowError`; counted in `stats().rejected`, logged, emitted as `undelivered`) or `drop-oldest` (dropped events are counted, logged and emitted as `undelivered`)',
  },
  confirmWindow: {
    yaml: 'confirm_window',
    type: 'integer',
    min: 1,
    max: 100_000,
    default: 1000,
    description: "most publishes awaiting RabbitMQ's confirm",
  },
  heartbeat: {
    yaml: 'heartbeat',
    type: 'integer',
    min: 0,
    max: 65535,
    defaultText: '15',
    description: 'AMQP heartbeat in seconds (0 = off); also `?heartbeat=` in the URL (the key wins)',
  },
  contentType: {
    yaml: 'content_type',
    type: 'any',
    description: '`application/json` (or `true`) to set the property',
  },
  messageId: {
    yaml: 'message_id',
    type: 'boolean',
    default: false,
    description: 'set a stable `message_id`',
  },
  appId: {
    yaml: null,
    type: 'string',
    defaultText: '`$RASA_ENVIRONMENT`',
    description: 'the `app_id` property',
  },
  closeTimeoutMs: {
    yaml: null,
    type: 'integer',
    min: 0,
    defaultText: '10 000',
    description: 'default timeout of `close()`',
  },
  logger: {
    yaml: null,
    type: 'any',
    defaultText: 'none',
    description:
      'a pino-compatible logger; without one, failures nothing listens for are written to stderr as process warnings (see [core](../core/README.md#failures-nobody-listens-for))',
  },
});

/** The reader of the `type: pika` section or of the options given in code. */
export type PikaSettingsReader = SettingsReader<typeof PIKA_SETTINGS>;
