import {
  asEndpointConfig,
  type BrokerError,
  BufferedEventBroker,
  ConnectionError,
  type DeliverContext,
  type EndpointConfig,
  type Logger,
  type MessagingTarget,
  type OutboundMessage,
  retryDelay,
} from '@broker/core';
import type { ProducerClient, ProducerRecord } from './client/kafka-client';
import type { KafkaEventBrokerOptions } from './kafka-event-broker-options';
import { keyNamesAsGiven } from './kafkajs/classify-kafkajs-error';
import { classifyClientError, createProducerClient, type FailureContext } from './kafkajs/index';
import type { OAuthBearerProvider } from './settings/connection-options';
import { type BrokerSettings, readBrokerEndpoint, readBrokerOptions } from './settings/read-broker-settings';
import { endpointValues } from './settings/read-connection-settings';

/** Dependencies `fromEndpointConfig` accepts besides the endpoints section. */
export interface KafkaEndpointDeps {
  logger?: Logger;
  /** Token source when the section says `sasl_mechanism: OAUTHBEARER` (YAML cannot hold one). */
  oauthBearerProvider?: OAuthBearerProvider;
}

const RESOLVED = Symbol('resolved settings');
/** How failure messages name a setting of the endpoints.yml section the resolved settings came from. */
const KEY_NAMES = Symbol('key names');
/** Failed attempts in a row between two warnings while Kafka stays unreachable (the rest go to debug). */
const WARN_EVERY = 10;

/**
 * Rasa's Kafka event broker (`type: kafka`) on an idempotent kafkajs producer. `publish` only
 * queues; one send loop takes up to `batchMaxEvents` queued events (after at most `lingerMs`),
 * sends them (one request per partition leader), confirms what the broker acknowledged, and
 * only then sends the next batch, so each conversation's events stay in order. What failed goes
 * back to the front of the queue and is sent again, unchanged, with backoff and jitter, so the
 * broker can recognise what it already wrote. Bad credentials, refused access and TLS failures stop the
 * broker with a typed error instead of retrying.
 */
export class KafkaEventBroker extends BufferedEventBroker {
  /** Where this broker publishes. */
  readonly topic: string;
  private readonly settings: BrokerSettings;
  private readonly failureContext: FailureContext;
  private readonly defaultHeaders: Readonly<Record<string, string>>;
  private client: ProducerClient | undefined;
  private stopped = false;
  private lingerDeadline: number | undefined;
  private wakeWaiter: (() => void) | undefined;
  /** The send loop waits for a first event (not for a batch to fill up or linger out). */
  private idle = false;
  private cancelPause: (() => void) | undefined;
  /** Batch size cap after the broker refused a batch: halves until the refused event is alone. */
  private splitLimit = Number.POSITIVE_INFINITY;
  private failedAttempts = 0;
  private lastError: BrokerError | undefined;

  constructor(options: KafkaEventBrokerOptions) {
    const resolved = (options as { [RESOLVED]?: BrokerSettings })[RESOLVED];
    const settings = resolved ?? readBrokerOptions(options);
    super({
      name: 'kafka',
      logger: options.logger,
      buffer: settings.producer.buffer,
      maxMessageBytes: settings.producer.maxMessageBytes,
      closeTimeoutMs: settings.producer.closeTimeoutMs,
    });
    this.settings = settings;
    this.topic = settings.producer.topic;
    this.defaultHeaders = Object.freeze({ RASA_ENVIRONMENT: settings.rasaEnvironment });
    // Failure advice names each setting as the user wrote it: the endpoints.yml key, or the option or alias given in code.
    const keyName =
      (options as { [KEY_NAMES]?: FailureContext['keyName'] })[KEY_NAMES] ??
      keyNamesAsGiven(options as Record<string, unknown>, 'code');
    this.failureContext = { connection: settings.connection, topic: this.topic, keyName };
  }

  /**
   * A broker that follows the `startup` policy: `buffer` (default) returns at once and connects
   * in the background; `wait` resolves once Kafka is ready, or closes the broker and throws
   * (ConnectionError after `startupTimeoutMs`, or the typed error of a non-retryable failure).
   */
  static async create(options: KafkaEventBrokerOptions): Promise<KafkaEventBroker> {
    return KafkaEventBroker.started(new KafkaEventBroker(options));
  }

  /**
   * Builds the broker an endpoints.yml `event_broker` section with `type: kafka` describes: an
   * EndpointConfig (from `loadEndpoints`) or the section as written (`{ url, topic, ... }`).
   */
  static async fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    deps: KafkaEndpointDeps = {},
  ): Promise<KafkaEventBroker> {
    const config = asEndpointConfig(section);
    const settings = readBrokerEndpoint(config, deps);
    const keyName = keyNamesAsGiven(endpointValues(config), 'yaml', config.section);
    const options = {
      [RESOLVED]: settings,
      [KEY_NAMES]: keyName,
      logger: deps.logger,
    } as KafkaEventBrokerOptions;
    return KafkaEventBroker.started(new KafkaEventBroker(options));
  }

  private static async started(broker: KafkaEventBroker): Promise<KafkaEventBroker> {
    const { startup, startupTimeoutMs } = broker.settings.producer;
    if (startup === 'buffer') {
      broker.connect().catch(() => {
        // Already reported by the send loop; publish() throws BrokerClosedError from now on.
      });
      return broker;
    }
    try {
      await broker.connect(startupTimeoutMs);
    } catch (error) {
      await broker.close({ timeout: 0 });
      throw error;
    }
    return broker;
  }

  /**
   * Starts connecting now instead of at the first publish. Resolves once Kafka is ready; rejects
   * when the broker fails for good, or with ConnectionError when `timeoutMs` passes first (the
   * broker keeps trying in the background).
   */
  override connect(timeoutMs?: number): Promise<void> {
    const ready = super.connect();
    if (timeoutMs === undefined) return ready;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const last = this.lastError ? ` Last error: ${this.lastError.message}` : '';
        reject(
          new ConnectionError(
            `Kafka at ${this.settings.connection.brokers.join(',')} was not ready within ${timeoutMs} ms.${last}`,
            { cause: this.lastError, details: { timeoutMs } },
          ),
        );
      }, timeoutMs);
      ready.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  protected override describeTarget(): MessagingTarget {
    return { system: 'kafka', destination: this.topic };
  }

  protected override describeDelivery(message: OutboundMessage, context: DeliverContext): void {
    const record = message.transportRecord as ProducerRecord | undefined;
    if (!record) return;
    if (record.key !== null) context.messageKey = record.key;
    context.partition = record.partition;
  }

  protected start(): void {
    this.stopped = false;
    this.client = createProducerClient(
      this.settings.connection,
      {
        idempotent: this.settings.producer.idempotent,
        acks: this.settings.producer.acks,
        partitioner: this.settings.producer.partitioner,
      },
      this.logger,
    );
    this.run(this.client).catch((error: unknown) => {
      this.logger.error({ err: error }, 'kafka send loop crashed; this is a bug');
    });
  }

  protected wake(): void {
    if (this.lingerDeadline === undefined)
      this.lingerDeadline = performance.now() + this.settings.producer.lingerMs;
    // While lingering, only a full batch cuts the wait short.
    if (this.idle || this.queue.queuedCount >= this.settings.producer.batchMaxEvents) this.wakeWaiter?.();
  }

  protected async shutdown(): Promise<void> {
    this.stopped = true;
    this.wakeWaiter?.();
    this.cancelPause?.();
    await this.client?.disconnect();
  }

  private async run(client: ProducerClient): Promise<void> {
    try {
      if (!(await this.connectClient(client))) return;
      while (!this.stopped) {
        const batch = await this.nextBatch();
        if (batch.length === 0 || !(await this.deliver(client, batch))) return;
      }
    } finally {
      // A send that was still running when the broker closed may have reconnected the client.
      if (this.stopped) await client.disconnect().catch(() => undefined);
    }
  }

  /** Connects, retrying with backoff; false when the broker stopped or failed for good. */
  private async connectClient(client: ProducerClient): Promise<boolean> {
    while (!this.stopped) {
      try {
        await client.connect();
        this.recovered();
        return true;
      } catch (error) {
        if (this.stopped) return false;
        const failure = classifyClientError(error, this.failureContext);
        if (failure.kind === 'fatal') {
          this.fail(failure.error);
          return false;
        }
        await this.backOff(failure.error, 'connect');
      }
    }
    return false;
  }

  /** Waits until a batch is due (full, or its first event waited `lingerMs`, or closing) and takes it. */
  private async nextBatch(): Promise<OutboundMessage[]> {
    const { batchMaxEvents, batchMaxBytes } = this.settings.producer;
    while (!this.stopped) {
      const queued = this.queue.queuedCount;
      if (queued === 0) {
        this.lingerDeadline = undefined;
        this.idle = true;
        await this.waitForWake(undefined);
        this.idle = false;
        continue;
      }
      const now = performance.now();
      const deadline = this.lingerDeadline ?? now;
      const full = queued >= batchMaxEvents || this.queue.stats().pendingBytes >= batchMaxBytes;
      if (full || deadline <= now || this.state === 'closing') {
        const batch = this.queue.take(Math.min(batchMaxEvents, this.splitLimit), batchMaxBytes);
        // What is left has already waited: it goes out as soon as this batch is confirmed.
        this.lingerDeadline = this.queue.queuedCount > 0 ? now : undefined;
        return batch;
      }
      await this.waitForWake(deadline - now);
    }
    return [];
  }

  /**
   * Sends one batch until it is confirmed. Returns false when the broker stopped or failed for
   * good; refused events are settled as failed and the stream goes on. What the broker
   * acknowledged is confirmed at once; only the rest is sent again, unchanged.
   */
  private async deliver(client: ProducerClient, first: OutboundMessage[]): Promise<boolean> {
    let batch = first;
    while (batch.length > 0) {
      const { unacknowledged, error } = await client.send(
        this.topic,
        batch.map((m) => this.recordOf(m)),
      );
      const again = new Set(unacknowledged);
      const rest = again.size === 0 ? [] : batch.filter((m) => again.has(this.recordOf(m)));
      this.queue.confirm(rest.length === 0 ? batch : batch.filter((m) => !again.has(this.recordOf(m))));
      if (error === undefined) {
        if (rest.length === 0) {
          this.recovered();
          this.growSplitLimit();
          return true;
        }
        this.queue.requeue(rest);
        batch = this.queue.take(rest.length);
        continue;
      }
      if (this.stopped) return false;
      const failure = classifyClientError(error, this.failureContext);
      if (failure.kind === 'fatal') {
        this.fail(failure.error);
        return false;
      }
      if (failure.kind === 'message' && rest.length === 1) {
        this.failMessages(rest, failure.error);
        return true;
      }
      this.queue.requeue(rest);
      if (failure.kind === 'message') {
        this.splitLimit = Math.ceil(rest.length / 2);
      } else if (failure.kind === 'reset') {
        this.logger.warn({ err: failure.error }, failure.error.message);
        await client
          .reset()
          .catch((cause: unknown) => this.logger.debug({ err: cause }, 'producer reset failed'));
      } else {
        await this.backOff(failure.error, 'send');
      }
      if (this.stopped) return false;
      // The same events, in the same order: the idempotent broker recognises what it already has.
      batch = this.queue.take(Math.min(rest.length, this.splitLimit));
    }
    return true;
  }

  /** After a refused batch was split, batches grow back to full size as they go through. */
  private growSplitLimit(): void {
    if (this.splitLimit === Number.POSITIVE_INFINITY) return;
    const doubled = this.splitLimit * 2;
    this.splitLimit = doubled >= this.settings.producer.batchMaxEvents ? Number.POSITIVE_INFINITY : doubled;
  }

  /** The record of an event, created once so that a resend reuses its partition. */
  private recordOf(message: OutboundMessage): ProducerRecord {
    let record = message.transportRecord as ProducerRecord | undefined;
    if (!record) {
      record = {
        key: this.settings.producer.partitionBySender ? message.senderId : null,
        value: message.body,
        headers: message.headers ? { ...this.defaultHeaders, ...message.headers } : this.defaultHeaders,
        partition: undefined,
      };
      message.transportRecord = record;
    }
    return record;
  }

  private recovered(): void {
    if (this.failedAttempts > 0) {
      this.logger.info(
        { failedAttempts: this.failedAttempts },
        `Kafka at ${this.settings.connection.brokers.join(',')} is reachable again after ${this.failedAttempts} failed attempt(s)`,
      );
    }
    this.failedAttempts = 0;
    this.lastError = undefined;
    if (this.state !== 'closing') this.setState('ready');
  }

  /** Logs a retryable failure and waits before the next attempt. */
  private async backOff(error: BrokerError, during: 'connect' | 'send'): Promise<void> {
    const attempt = this.failedAttempts++;
    this.lastError = error;
    if (during === 'send' && this.state === 'ready') this.setState('reconnecting');
    const { retryBackoffMs, retryBackoffMaxMs } = this.settings.connection;
    const delayMs = retryDelay(attempt, { initialMs: retryBackoffMs, maxMs: retryBackoffMaxMs });
    const context = {
      err: error,
      attempt: attempt + 1,
      retryInMs: delayMs,
      pending: this.queue.pendingCount,
    };
    const message = `Kafka ${during} failed (attempt ${attempt + 1}); retrying in ${delayMs} ms: ${error.message}`;
    if (attempt % WARN_EVERY === 0) this.reportRetrying(error, message, context);
    else this.logger.debug(context, message);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.cancelPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, delayMs);
      this.cancelPause = done;
    });
  }

  private waitForWake(timeoutMs: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeWaiter = undefined;
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
      this.wakeWaiter = done;
    });
  }
}
