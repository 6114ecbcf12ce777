import type { Logger, OverflowPolicy, StartupMode } from '@broker/core';

/**
 * Options of `new PikaEventBroker(...)`. Every option is the camelCase form of the
 * endpoints.yml key (`exchange_name` → `exchangeName`), except `url`, which is `host` here as in
 * Rasa's constructor.
 */
export interface PikaEventBrokerOptions {
  /** RabbitMQ host name, or a full `amqp://` / `amqps://` URL (credentials, port, vhost, query). YAML `url`. */
  host: string;
  /** Default `guest` (or the URL's user). */
  username?: string;
  /** Default `guest` (or the URL's password). */
  password?: string;
  /** Default 5672 (5671 with TLS), or the URL's port. */
  port?: number;
  /** Queues bound to the exchange; one name or a list. Default `['rasa_core_events']`. */
  queues?: string | string[];
  /** @deprecated Rasa 1.x's single queue (the Rasa documentation's `queue=`); use `queues`. */
  queue?: string;
  /** The fanout exchange. Default `rasa-exchange`. */
  exchangeName?: string;
  /** `startup: 'wait'`: connection attempts before giving up. Default 20. */
  connectionAttempts?: number;
  /** `startup: 'wait'`: seconds between attempts; also the longest reconnect backoff. Default 5. */
  retryDelayInSeconds?: number;
  /** Keep events while disconnected and send them after the reconnect (default true); false fails them at once. */
  shouldKeepUnpublishedMessages?: boolean;
  /** The first event that cannot be delivered stops the broker (`rasa export` uses this). Default false. */
  raiseOnFailure?: boolean;
  /** CA certificate file (PEM) to verify the broker with. */
  sslCafile?: string;
  /** Client certificate file (PEM). */
  sslCertfile?: string;
  /** Client private key file (PEM). */
  sslKeyfile?: string;
  /** Check that the broker's certificate names the host. Default true. */
  sslCheckHostname?: boolean;
  /** TLS server name (SNI) and the name the certificate must carry, when it differs from the host. */
  sslServername?: string;
  /** Arguments sent with every queue declaration, e.g. `{ 'x-queue-type': 'quorum' }`. */
  queueArguments?: Record<string, string | number | boolean>;
  /** Only check that the queues exist (operators declare them); they are still bound. Default false. */
  passiveQueues?: boolean;
  /** Default `wait`, as Rasa. */
  startup?: StartupMode;
  /** Most events pending (queued + in flight). Default 100 000. */
  bufferMaxEvents?: number;
  /** Most UTF-8 bytes pending. Default 100 MiB. */
  bufferMaxBytes?: number;
  /** What a full buffer does: `reject` the new event (publish throws BufferOverflowError) or `drop-oldest`. Default `reject`. */
  bufferOverflow?: OverflowPolicy;
  /** Most publishes awaiting their confirm. Default 1000. */
  confirmWindow?: number;
  /** AMQP heartbeat in seconds (0 = off). Default 15, or the URL's `?heartbeat=`. */
  heartbeat?: number;
  /** Opt-in `content_type` property, e.g. `application/json` (Rasa sets none). */
  contentType?: string;
  /** Opt-in `message_id` property, stable across re-sends so consumers can drop duplicates. Default false. */
  messageId?: boolean;
  /** `app_id` property. Default `$RASA_ENVIRONMENT` (absent when unset), as Rasa. */
  appId?: string;
  /** Default timeout of `close()`, in ms. Default 10 000. */
  closeTimeoutMs?: number;
  logger?: Logger;
}
