import {
  asEndpointConfig,
  BrokerClosedError,
  BrokerError,
  ConfigError,
  type ConsumeOptions,
  childLogger,
  type EndpointConfig,
  type Logger,
  type MessageSource,
  retryDelay,
  SettingsReader,
  type SourceBacklog,
  type SourceMessage,
} from '@broker/core';
import { CancellableDelay } from '../connection/cancellable-delay';
import { classifyAmqpError } from '../connection/classify-amqp-error';
import { PIKA_SETTINGS } from '../pika-settings';
import { ConsumerSession } from './consumer-session';
import { QueueDepthProbe } from './queue-depth-probe';
import { type PikaSourceSettings, readSourceSettings } from './read-source-settings';

/** Options of `new PikaMessageSource(...)`: the broker's connection and topology options, plus what to consume. */
export interface PikaMessageSourceOptions {
  /** RabbitMQ host name, or a full `amqp://` / `amqps://` URL. YAML `url`. */
  host: string;
  username?: string;
  password?: string;
  port?: number;
  sslCafile?: string;
  sslCertfile?: string;
  sslKeyfile?: string;
  sslCheckHostname?: boolean;
  sslServername?: string;
  heartbeat?: number;
  /** Longest reconnect backoff, in seconds. Default 5. */
  retryDelayInSeconds?: number;
  /** The exchange the queue is bound to (declared as the broker declares it). Default `rasa-exchange`. */
  exchangeName?: string;
  /** The broker's queues; the first is consumed unless `queue` says otherwise. Default `['rasa_core_events']`. */
  queues?: string | string[];
  queueArguments?: Record<string, string | number | boolean>;
  passiveQueues?: boolean;
  /** The queue to consume. Default: the first of `queues`. */
  queue?: string;
  /** Queue for dead letters (declared durable, reached through the default exchange). Default `<queue>.dead-letter`. */
  deadLetter?: string;
  /**
   * Consume a queue of our own instead of the broker's: server-named, exclusive and auto-delete,
   * bound to the exchange, so this source gets a copy of every event and takes none from the
   * consumers of `queues` (a viewer, a tap). RabbitMQ deletes it when the connection closes;
   * after a reconnect a new one is bound, and what was published in between is not seen. Nothing
   * is dead-lettered from it: a dead-letter settlement acknowledges. Not with `queue` or `deadLetter`.
   */
  exclusiveQueue?: boolean;
  /** After the consume signal aborts, how long to wait for in-flight messages to be settled, in ms. Default 30 000. */
  stopTimeoutMs?: number;
  logger?: Logger;
}

const SOURCE_ONLY_OPTIONS = ['queue', 'deadLetter', 'exclusiveQueue', 'stopTimeoutMs', 'logger'];
const STABLE_SESSION_MS = 10_000;
const RECONNECT_INITIAL_MS = 100;

/**
 * Consumes one RabbitMQ queue for `@broker/consumers`: manual acks, prefetch = maxInFlight,
 * dead letters copied to a durable queue (confirmed before the original is acked), reconnects
 * with backoff. The body is passed through untouched.
 */
export class PikaMessageSource implements MessageSource {
  readonly name = 'pika';
  readonly description: string;
  private readonly settings: PikaSourceSettings;
  private readonly logger: Logger;
  private readonly stopTimeoutMs: number;
  private readonly closing = new AbortController();
  private readonly delay = new CancellableDelay();
  private running: Promise<void> | undefined;
  private closed = false;
  private depthProbe: QueueDepthProbe | undefined;

  constructor(options: PikaMessageSourceOptions);
  /** @hidden `fromEndpointConfig` hands over the settings it read from the section (not public API). */
  constructor(options: PikaMessageSourceOptions, settings: PikaSourceSettings);
  constructor(options: PikaMessageSourceOptions, read?: PikaSourceSettings) {
    this.logger = childLogger(options.logger, { source: 'pika' });
    this.settings = read ?? readOptions(options, this.logger);
    const settings = this.settings;
    const stopTimeout = options.stopTimeoutMs ?? 30_000;
    if (!Number.isFinite(stopTimeout) || stopTimeout < 0) {
      throw new ConfigError(
        `PikaMessageSource options.stopTimeoutMs must be a number of ms >= 0, got ${stopTimeout}.`,
        {
          key: 'stopTimeoutMs',
        },
      );
    }
    this.stopTimeoutMs = stopTimeout;
    this.description = settings.exclusiveQueue
      ? `an exclusive queue bound to exchange ${settings.topology.exchangeName} on ${settings.connection.endpoint.display}`
      : `queue ${settings.queue} on ${settings.connection.endpoint.display}`;
  }

  /**
   * Reads the same `event_broker` section the broker reads (an EndpointConfig or the section as
   * written); `queue` and `deadLetter` choose what to consume, or `exclusiveQueue` a queue of
   * our own.
   */
  static fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    options: {
      logger?: Logger | undefined;
      queue?: string | undefined;
      deadLetter?: string | undefined;
      exclusiveQueue?: boolean | undefined;
    } = {},
  ): PikaMessageSource {
    const logger = childLogger(options.logger, { source: 'pika' });
    const config = asEndpointConfig(section);
    const reader = SettingsReader.ofSection(PIKA_SETTINGS, config, logger);
    const settings = readSourceSettings(reader, options);
    reader.warnUnknown('The pika message source');
    return new PikaMessageSource(
      { host: settings.connection.endpoint.display, logger: options.logger },
      settings,
    );
  }

  /** The queue being consumed; empty for an exclusive queue (RabbitMQ names it on each connection). */
  get queue(): string {
    return this.settings.queue;
  }

  /** Where dead letters go; undefined for an exclusive queue. */
  get deadLetterQueue(): string | undefined {
    return this.settings.deadLetterQueue;
  }

  consume(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void> {
    if (this.closed) return Promise.reject(new BrokerClosedError('This PikaMessageSource is closed.'));
    if (this.running) {
      return Promise.reject(
        new BrokerError(
          'BROKER_CONSUMER',
          `${this.description} is already being consumed; call consume() once.`,
        ),
      );
    }
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1 || options.maxInFlight > 65535) {
      return Promise.reject(
        new ConfigError(
          `maxInFlight must be an integer from 1 to 65535 (RabbitMQ prefetch), got ${options.maxInFlight}.`,
          {
            key: 'maxInFlight',
          },
        ),
      );
    }
    this.running = this.run(onMessage, options).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The consumed queue's ready messages, by a passive declare on a connection of its own; none for an exclusive queue. */
  async backlog(): Promise<SourceBacklog[]> {
    if (this.settings.exclusiveQueue) return [];
    this.depthProbe ??= new QueueDepthProbe(this.settings.connection);
    const queue = this.settings.queue;
    return [{ destination: queue, messages: await this.depthProbe.depth(queue) }];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.delay.cancel();
    await Promise.all([this.running?.catch(() => undefined), this.depthProbe?.close()]);
  }

  private async run(onMessage: (message: SourceMessage) => void, options: ConsumeOptions): Promise<void> {
    const signal = AbortSignal.any([options.signal, this.closing.signal]);
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const display = this.settings.connection.endpoint.display;
    let attempt = 0;
    while (!signal.aborted) {
      if (attempt > 0) {
        await Promise.race([this.delay.wait(this.backoff(attempt)), aborted]);
        this.delay.cancel();
        if (signal.aborted) return;
      }
      let session: ConsumerSession | undefined;
      try {
        session = await ConsumerSession.open(this.settings, options.maxInFlight);
        options.onConsuming?.();
        await session.start(onMessage);
      } catch (caught) {
        await session?.stop(0);
        const error = classifyAmqpError(caught, { display });
        // Consuming was announced on this connection (onConsuming) before starting failed.
        if (session) options.onConnectionLost?.(error);
        if (!error.canRetry) throw error;
        attempt++;
        this.logger.warn(
          { err: error, attempt, queue: this.settings.queue },
          `cannot consume ${this.description} (attempt ${attempt}): ${error.message}; retrying`,
        );
        continue;
      }
      const openedAt = Date.now();
      this.logger.info({ queue: this.settings.queue, url: display }, `consuming ${this.description}`);
      const lost = await Promise.race([session.ended, aborted.then(() => undefined)]);
      if (lost === undefined) {
        await session.stop(this.stopTimeoutMs);
        return;
      }
      options.onConnectionLost?.(lost);
      if (!lost.canRetry) throw lost;
      attempt = Date.now() - openedAt < STABLE_SESSION_MS ? attempt + 1 : 1;
      this.logger.warn(
        { err: lost, queue: this.settings.queue },
        `lost ${this.description} (${lost.message}); reconnecting, unacknowledged messages will be redelivered`,
      );
    }
  }

  private backoff(attempt: number): number {
    return retryDelay(attempt - 1, {
      initialMs: RECONNECT_INITIAL_MS,
      maxMs: this.settings.maxReconnectDelayMs,
    });
  }
}

/** Settings of `new PikaMessageSource(options)`: the section's settings, and what to consume. */
function readOptions(options: PikaMessageSourceOptions, logger: Logger): PikaSourceSettings {
  const values: Record<string, unknown> = { ...options };
  for (const key of SOURCE_ONLY_OPTIONS) delete values[key];
  const reader = SettingsReader.ofOptions(PIKA_SETTINGS, values, 'PikaMessageSource options', logger);
  const settings = readSourceSettings(reader, options);
  reader.warnUnknown('PikaMessageSource');
  return settings;
}
