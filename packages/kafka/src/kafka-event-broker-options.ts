import type { BufferLimits, OverflowPolicy, StartupMode } from '@broker/core';
import type { PartitionerName } from './partitioning/key-partitioner';
import type { KafkaConnectionOptions } from './settings/connection-options';

/**
 * Options of `new KafkaEventBroker(...)`: Rasa's endpoints.yml keys in camelCase, plus the
 * Python spellings of the connection settings (the Rasa documentation's `KafkaProducer` and
 * Rasa's `KafkaEventBroker` constructor) as aliases (`host`,
 * `sasl_plain_username`, `sasl_plain_password`, `security_protocol`, `sasl_mechanism`,
 * `ssl_cafile`, `ssl_certfile`, `ssl_keyfile`, `ssl_check_hostname`, `client_id`), so the Rasa documentation's
 * `KafkaProducer(...)` calls carry over as they are. One setting under both names is a ConfigError.
 */
export interface KafkaEventBrokerOptions extends KafkaConnectionOptions {
  /** Topic to publish to. YAML `topic` (the Rasa documentation's `KafkaProducer(topic=...)` too). Default `rasa_core_events`. */
  topic?: string;
  /** Key each message with its `sender_id`, so a conversation stays on one partition, in order. YAML `partition_by_sender`. Default false. */
  partitionBySender?: boolean;
  /** How a key picks its partition: `crc32` (librdkafka, Rasa >= 3.4) or `murmur2` (Java, kafka-python, Rasa <= 3.3). YAML `partitioner`. Default `crc32`. */
  partitioner?: PartitionerName;
  /** Acknowledgement required per batch: `all` (-1), 1 or 0. YAML `acks`. Default `all`. */
  acks?: 'all' | -1 | 1 | 0;
  /** Idempotent producer: retries never duplicate or reorder within a partition. Needs `acks: 'all'`. YAML `idempotent`. Default true. */
  idempotent?: boolean;
  /** How long the first event of a batch may wait for more, in ms. YAML `linger_ms`. Default 5. */
  lingerMs?: number;
  /** Most events per send. YAML `batch_max_events`. Default 1000. */
  batchMaxEvents?: number;
  /** Most body bytes per send (a larger single event goes alone). YAML `batch_max_bytes`. Default 524288. */
  batchMaxBytes?: number;
  /** Largest event body `publish` accepts, in bytes; larger ones throw MessageTooLargeError. YAML `max_message_bytes`. Default 1000000. */
  maxMessageBytes?: number;
  /** Most events pending (Rasa's `queue_size`); same as `buffer.maxEvents`. Default 100000. */
  queueSize?: number;
  /** Most UTF-8 bytes pending; same as `buffer.maxBytes`. YAML `buffer_max_bytes`. Default 100 MiB. */
  bufferMaxBytes?: number;
  /** What a full buffer does: `reject` (publish throws BufferOverflowError) or `drop-oldest`. YAML `buffer_overflow`. Default `reject`. */
  bufferOverflow?: OverflowPolicy;
  /** The pending-event bounds as one object (core's `BufferLimits`); the flat options above win. */
  buffer?: BufferLimits;
  /**
   * What `KafkaEventBroker.create` and `fromEndpointConfig` do before returning: `buffer`
   * (default) returns at once, connects in the background and buffers events meanwhile; `wait`
   * connects first and throws ConnectionError if Kafka is not ready within `startupTimeoutMs`.
   * YAML `startup`.
   */
  startup?: StartupMode;
  /** Bound of `startup: 'wait'`, in ms. YAML `startup_timeout_ms`. Default 30000. */
  startupTimeoutMs?: number;
  /** Default timeout of `close()`, in ms. YAML `close_timeout_ms`. Default 10000. */
  closeTimeoutMs?: number;
  /** Value of the `RASA_ENVIRONMENT` header. Default: the `RASA_ENVIRONMENT` environment variable, or `RASA_ENVIRONMENT_NOT_SET` as Rasa sends. */
  rasaEnvironment?: string;
}
