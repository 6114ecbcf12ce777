/**
 * Settings come from endpoints.yml (Rasa's snake_case keys) or from code (camelCase options, and
 * the Rasa documentation's Python spellings as aliases); one reader serves both, and errors name
 * the key as the user wrote it. A setting given under two of its names is a ConfigError.
 */
export type KeyStyle = 'yaml' | 'code';

interface KeySpelling {
  yaml: string;
  code: string;
  /** Other accepted names: the Python spellings of the Rasa documentation and of Rasa's constructor. */
  aliases?: { yaml?: readonly string[]; code?: readonly string[] };
}

export const SETTING_KEYS = {
  url: { yaml: 'url', code: 'url', aliases: { yaml: ['host'], code: ['host'] } },
  clientId: { yaml: 'client_id', code: 'clientId', aliases: { code: ['client_id'] } },
  securityProtocol: {
    yaml: 'security_protocol',
    code: 'securityProtocol',
    aliases: { code: ['security_protocol'] },
  },
  saslMechanism: { yaml: 'sasl_mechanism', code: 'saslMechanism', aliases: { code: ['sasl_mechanism'] } },
  saslUsername: {
    yaml: 'sasl_username',
    code: 'saslUsername',
    aliases: { yaml: ['sasl_plain_username'], code: ['sasl_plain_username'] },
  },
  saslPassword: {
    yaml: 'sasl_password',
    code: 'saslPassword',
    aliases: { yaml: ['sasl_plain_password'], code: ['sasl_plain_password'] },
  },
  sslCafile: { yaml: 'ssl_cafile', code: 'sslCafile', aliases: { code: ['ssl_cafile'] } },
  sslCertfile: { yaml: 'ssl_certfile', code: 'sslCertfile', aliases: { code: ['ssl_certfile'] } },
  sslKeyfile: { yaml: 'ssl_keyfile', code: 'sslKeyfile', aliases: { code: ['ssl_keyfile'] } },
  sslKeyPassword: { yaml: 'ssl_key_password', code: 'sslKeyPassword' },
  sslCheckHostname: {
    yaml: 'ssl_check_hostname',
    code: 'sslCheckHostname',
    aliases: { code: ['ssl_check_hostname'] },
  },
  connectionTimeoutMs: { yaml: 'connection_timeout_ms', code: 'connectionTimeoutMs' },
  requestTimeoutMs: { yaml: 'request_timeout_ms', code: 'requestTimeoutMs' },
  retryBackoffMs: { yaml: 'retry_backoff_ms', code: 'retryBackoffMs' },
  retryBackoffMaxMs: { yaml: 'retry_backoff_max_ms', code: 'retryBackoffMaxMs' },
  clientLogLevel: { yaml: 'client_log_level', code: 'clientLogLevel' },
  // The Rasa documentation's `KafkaProducer(topic=...)` is spelt the same in code and YAML: no alias needed.
  topic: { yaml: 'topic', code: 'topic' },
  partitionBySender: { yaml: 'partition_by_sender', code: 'partitionBySender' },
  partitioner: { yaml: 'partitioner', code: 'partitioner' },
  acks: { yaml: 'acks', code: 'acks' },
  idempotent: { yaml: 'idempotent', code: 'idempotent' },
  lingerMs: { yaml: 'linger_ms', code: 'lingerMs' },
  batchMaxEvents: { yaml: 'batch_max_events', code: 'batchMaxEvents' },
  batchMaxBytes: { yaml: 'batch_max_bytes', code: 'batchMaxBytes' },
  maxMessageBytes: { yaml: 'max_message_bytes', code: 'maxMessageBytes' },
  queueSize: { yaml: 'queue_size', code: 'queueSize' },
  bufferMaxBytes: { yaml: 'buffer_max_bytes', code: 'bufferMaxBytes' },
  bufferOverflow: { yaml: 'buffer_overflow', code: 'bufferOverflow' },
  startup: { yaml: 'startup', code: 'startup' },
  startupTimeoutMs: { yaml: 'startup_timeout_ms', code: 'startupTimeoutMs' },
  closeTimeoutMs: { yaml: 'close_timeout_ms', code: 'closeTimeoutMs' },
  groupId: { yaml: 'group_id', code: 'groupId' },
} satisfies Record<string, KeySpelling>;

export type SettingName = keyof typeof SETTING_KEYS;

/** The key of a setting in the given style, and the other names it may be written as. */
export function settingKey(name: SettingName, style: KeyStyle): { key: string; aliases: readonly string[] } {
  const spelling: KeySpelling = SETTING_KEYS[name];
  return { key: spelling[style], aliases: spelling.aliases?.[style] ?? [] };
}

/** Keys Rasa reads (or once read) that have no effect here; ignored with a specific note instead of "unknown". */
export const RASA_KEYS_WITHOUT_EFFECT: Readonly<Record<string, string>> = {
  loglevel: "Rasa 1.x's Kafka log level; pass a logger and use client_log_level instead",
  convert_intent_id_to_string: 'removed in Rasa 3.0 together with integer intent ids',
};
