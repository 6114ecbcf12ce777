import { randomUUID } from 'node:crypto';
import {
  asEndpointConfig,
  type BrokerError,
  BufferedEventBroker,
  ConfigReader,
  ConnectionError,
  childLogger,
  type EndpointConfig,
  type Logger,
  type MessagingTarget,
  type OutboundMessage,
  PublishError,
  retryDelay,
} from '@broker/core';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { CancellableDelay } from '../connection/cancellable-delay';
import { classifyAmqpError } from '../connection/classify-amqp-error';
import { closeConnection } from '../connection/close-connection';
import { openConnection } from '../connection/open-connection';
import { declareTopology } from '../topology';
import { ConfirmTracker } from './confirm-tracker';
import type { PikaEventBrokerOptions } from './pika-event-broker-options';
import { type PikaBrokerSettings, readBrokerSettings } from './read-broker-settings';

/** One connection with its confirm channel, topology declared. Replaced as a whole when anything breaks. */
interface PublisherSession {
  readonly connection: ChannelModel;
  channel: ConfirmChannel | undefined;
  readonly tracker: ConfirmTracker;
  readonly openedAt: number;
  /** amqplib's `publish` returned false: wait for `drain`. */
  writable: boolean;
  closed: boolean;
  /** The last error amqplib reported; explains the `close` that follows. */
  lastError: unknown;
  /** Nacked events waiting for the rest of the window to settle before they are re-sent. */
  nacked: OutboundMessage[];
  /** No new publishes: after a nack until the window settled and the retry delay passed. */
  paused: boolean;
  resumeTimer: NodeJS.Timeout | undefined;
}

/** Settings already read from endpoints.yml, handed to the constructor without showing up in its type. */
const resolvedSettings = new WeakMap<object, PikaBrokerSettings>();

/** A nacked event is re-sent this many times before it counts as failed. */
const NACK_RETRIES = 5;
/** Events handed to amqplib per turn; `publish()` returning false stops the next turn. */
const PUBLISH_BATCH = 64;
const RECONNECT_INITIAL_MS = 100;
/** A connection that dies younger than this counts as flapping: the next reconnect backs off further. */
const STABLE_SESSION_MS = 10_000;
/** RabbitMQ 4's default max_message_size; larger bodies are refused by `publish()`. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Rasa's `type: pika` event broker on amqplib: a fanout exchange (`rasa-exchange`) with durable
 * queues bound to it, persistent messages, publisher confirms with a window of many publishes
 * in flight, reconnects with backoff that re-send every unconfirmed event in its original order,
 * and a bounded buffer while RabbitMQ is away.
 */
export class PikaEventBroker extends BufferedEventBroker {
  private readonly settings: PikaBrokerSettings;
  private readonly baseProperties: Options.Publish;
  private readonly instanceId = randomUUID();
  private readonly delay = new CancellableDelay();
  private readonly nacks = new WeakMap<OutboundMessage, number>();
  private session: PublisherSession | undefined;
  private connecting = false;
  private stopped = false;
  private everConnected = false;
  /** Failed attempts (or quick losses) since the last stable connection; drives the backoff. */
  private attempt = 0;
  private pumpQueued = false;

  /** `new PikaEventBroker({ host: 'localhost', username, password, queues: ['rasa_core_events'] })`. */
  constructor(options: PikaEventBrokerOptions) {
    const logger = childLogger(options.logger, { broker: 'pika' });
    let settings = resolvedSettings.get(options);
    if (!settings) {
      const reader = new ConfigReader(options as unknown as Record<string, unknown>, {
        prefix: 'PikaEventBroker options',
        logger,
      });
      reader.raw('logger');
      settings = readBrokerSettings(reader, 'code', logger);
      reader.warnUnknown('PikaEventBroker');
    }
    super({
      name: 'pika',
      logger: options.logger,
      buffer: settings.buffer,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      closeTimeoutMs: settings.closeTimeoutMs,
    });
    this.settings = settings;
    this.baseProperties = {
      persistent: true,
      mandatory: true,
      ...(settings.appId ? { appId: settings.appId } : {}),
      ...(settings.contentType ? { contentType: settings.contentType } : {}),
    };
  }

  /**
   * Builds the broker from an `endpoints.yml` `event_broker` section with Rasa's keys: an
   * EndpointConfig (from `loadEndpoints`) or the section as written (`{ url, queues, ... }`). With
   * `startup: wait` (the default, as Rasa) it resolves once connected and rejects with a
   * ConnectionError after `connection_attempts`; with `startup: buffer` it resolves at once.
   * Non-retryable problems (bad credentials, unknown vhost, certificates) reject at once.
   */
  static async fromEndpointConfig(
    section: EndpointConfig | Record<string, unknown>,
    deps: { logger?: Logger | undefined } = {},
  ): Promise<PikaEventBroker> {
    const logger = childLogger(deps.logger, { broker: 'pika' });
    const config = asEndpointConfig(section);
    const reader = new ConfigReader(
      { url: config.url, ...config.kwargs },
      { prefix: config.section, file: config.file, logger },
    );
    const settings = readBrokerSettings(reader, 'yaml', logger);
    reader.warnUnknown('The pika event broker');
    const options: PikaEventBrokerOptions = {
      host: settings.connection.endpoint.display,
      logger: deps.logger,
    };
    resolvedSettings.set(options, settings);
    const broker = new PikaEventBroker(options);
    if (settings.startup === 'wait') {
      await broker.connect();
    } else {
      // Start connecting now. Retryable failures are logged and retried; a non-retryable one fails the broker.
      broker.connect().catch(() => undefined);
    }
    return broker;
  }

  /** Where this broker publishes, safe to print: `amqp://user@host:5672/vhost`. */
  get url(): string {
    return this.settings.connection.endpoint.display;
  }

  protected override describeTarget(): MessagingTarget {
    const { hostname, port } = this.settings.connection.endpoint;
    return {
      system: 'rabbitmq',
      destination: this.settings.topology.exchangeName,
      serverAddress: hostname,
      serverPort: port,
    };
  }

  protected start(): void {
    // Also after a retryable failure stopped the broker (connection attempts used up): start afresh.
    this.stopped = false;
    this.attempt = 0;
    void this.connectLoop();
  }

  protected wake(): void {
    if (this.session) {
      // After the caller's synchronous burst, in one go.
      this.schedulePump();
    } else if (!this.settings.keepUnpublished) {
      this.failUnsent(
        new ConnectionError(
          `Not connected to RabbitMQ at ${this.url}, and ${this.settings.keys.keepUnpublished} is false: the event was not kept.`,
        ),
      );
    }
  }

  protected async shutdown(): Promise<void> {
    this.stopped = true;
    this.delay.cancel();
    const session = this.session;
    this.session = undefined;
    if (session) await closeSession(session);
  }

  private async connectLoop(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    try {
      while (!this.stopped && !this.session) {
        if (this.attempt > 0) await this.delay.wait(this.nextDelay());
        if (this.stopped) return;
        let session: PublisherSession;
        try {
          session = await this.openSession();
        } catch (caught) {
          if (this.stopped) return;
          this.onConnectFailed(classifyAmqpError(caught, { display: this.url }));
          continue;
        }
        if (this.stopped) {
          await closeSession(session);
          return;
        }
        this.adopt(session);
      }
    } finally {
      this.connecting = false;
    }
  }

  private nextDelay(): number {
    if (!this.everConnected && this.settings.startup === 'wait') return this.settings.retryDelayMs;
    return retryDelay(this.attempt - 1, {
      initialMs: RECONNECT_INITIAL_MS,
      maxMs: Math.max(this.settings.retryDelayMs, 1000),
    });
  }

  private onConnectFailed(error: BrokerError): void {
    if (!error.canRetry) {
      this.fail(error);
      return;
    }
    this.attempt++;
    const { startup, connectionAttempts } = this.settings;
    if (!this.everConnected && startup === 'wait' && this.attempt >= connectionAttempts) {
      this.fail(
        new ConnectionError(
          `Could not connect to RabbitMQ at ${this.url} after ${this.attempt} attempt(s), ` +
            `${this.settings.retryDelayMs / 1000} s apart: ${error.message} ` +
            '(raise connection_attempts / retry_delay_in_seconds, or use startup: buffer to start without the broker).',
          { cause: error },
        ),
      );
      return;
    }
    this.reportRetrying(
      error,
      `cannot connect to RabbitMQ (attempt ${this.attempt}): ${error.message}; retrying`,
      { attempt: this.attempt, url: this.url },
    );
    if (!this.settings.keepUnpublished) this.failUnsent(error);
  }

  private async openSession(): Promise<PublisherSession> {
    const connection = await openConnection(this.settings.connection);
    const session: PublisherSession = {
      connection,
      channel: undefined,
      tracker: new ConfirmTracker(),
      openedAt: Date.now(),
      writable: true,
      closed: false,
      lastError: undefined,
      nacked: [],
      paused: false,
      resumeTimer: undefined,
    };
    // Without an `error` listener an emitted error would crash the process.
    connection.on('error', (error: Error) => {
      session.lastError = error;
    });
    connection.on('close', (error?: Error) => this.onSessionLost(session, error ?? session.lastError));
    try {
      const channel = await connection.createConfirmChannel();
      session.channel = channel;
      channel.on('error', (error: Error) => {
        session.lastError = error;
      });
      await declareTopology(channel, this.settings.topology, this.url);
      return session;
    } catch (error) {
      session.closed = true;
      await closeSession(session);
      throw classifyAmqpError(error, { display: this.url });
    }
  }

  private adopt(session: PublisherSession): void {
    const channel = session.channel!;
    this.session = session;
    this.everConnected = true;
    channel.on('close', () => this.onSessionLost(session, session.lastError));
    channel.on('ack', (fields: { deliveryTag: number; multiple: boolean }) =>
      this.onConfirm(session, fields.deliveryTag, fields.multiple, true),
    );
    channel.on('nack', (fields: { deliveryTag: number; multiple: boolean }) =>
      this.onConfirm(session, fields.deliveryTag, fields.multiple, false),
    );
    channel.on('return', (message: Message) => this.onReturn(session, message));
    channel.on('drain', () => {
      session.writable = true;
      this.pump();
    });
    session.connection.on('blocked', (reason: string) => this.onBlocked(session, reason));
    session.connection.on('unblocked', () => this.onUnblocked(session));
    const { exchangeName, queues } = this.settings.topology;
    this.logger.info(
      { url: this.url, exchange: exchangeName, queues, pending: this.queue.pendingCount },
      `connected to RabbitMQ at ${this.url} (exchange ${exchangeName}, queues ${queues.join(', ')})`,
    );
    if (this.state !== 'closing') this.setState('ready');
    this.pump();
  }

  /**
   * RabbitMQ stopped reading from this connection (a memory or disk alarm, `connection.blocked`):
   * publishes would only pile up in the socket, so the broker is not ready until it is unblocked.
   */
  private onBlocked(session: PublisherSession, reason: string): void {
    if (session !== this.session) return;
    this.logger.warn(
      { reason, url: this.url },
      `RabbitMQ blocked the connection (${reason}); events wait in the buffer until it is unblocked`,
    );
    if (this.state === 'ready') this.setState('blocked');
  }

  private onUnblocked(session: PublisherSession): void {
    if (session !== this.session) return;
    this.logger.info({ url: this.url }, 'RabbitMQ unblocked the connection');
    if (this.state === 'blocked') this.setState('ready');
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => this.pump());
  }

  /** Sends queued events while the confirm window and amqplib's write buffer have room. */
  private pump(): void {
    this.pumpQueued = false;
    const session = this.session;
    const channel = session?.channel;
    if (!session || !channel || !session.writable || session.paused) return;
    const window = this.settings.confirmWindow;
    const exchange = this.settings.topology.exchangeName;
    while (session.writable && session.tracker.size < window) {
      const batch = this.queue.take(Math.min(window - session.tracker.size, PUBLISH_BATCH));
      if (batch.length === 0) return;
      for (let index = 0; index < batch.length; index++) {
        const message = batch[index]!;
        let accepted: boolean;
        try {
          accepted = channel.publish(
            exchange,
            '',
            Buffer.from(message.body, 'utf8'),
            this.propertiesOf(message),
          );
        } catch (error) {
          if (error instanceof RangeError) {
            // amqplib refuses before sending anything (e.g. headers over 64 KiB): this event can never go.
            this.deliveryFailed(
              [message],
              new PublishError(`The event cannot be encoded for AMQP: ${error.message}`),
            );
            // With raise_on_failure that stopped the broker.
            if (this.session !== session) return;
            continue;
          }
          this.queue.requeue(batch.slice(index));
          this.onSessionLost(session, error);
          return;
        }
        session.tracker.add(message);
        // Back-pressure: amqplib buffered it, but wants us to wait for `drain` before the next batch.
        if (!accepted) session.writable = false;
      }
    }
  }

  private propertiesOf(message: OutboundMessage): Options.Publish {
    if (!message.headers && !this.settings.messageId) return this.baseProperties;
    return {
      ...this.baseProperties,
      ...(message.headers ? { headers: message.headers } : {}),
      // Derived from the acceptance order, so a re-sent event keeps its id and consumers can drop the duplicate.
      ...(this.settings.messageId ? { messageId: `${this.instanceId}-${message.seq}` } : {}),
    };
  }

  private onConfirm(session: PublisherSession, deliveryTag: number, multiple: boolean, ack: boolean): void {
    if (session !== this.session) return;
    const settled = session.tracker.settle(deliveryTag, multiple);
    if (settled.length === 0) return;
    if (!ack) {
      this.onNack(session, settled);
      return;
    }
    if (session.paused) this.retryNackedWhenSettled(session);
    let returned: OutboundMessage[] | undefined;
    let reason = '';
    for (const message of settled) {
      const returnReason = session.tracker.takeReturn(message);
      if (!returnReason) continue;
      if (!returned) returned = [];
      returned.push(message);
      reason = `${returnReason.replyCode} ${returnReason.replyText}`;
    }
    this.queue.confirm(returned ? settled.filter((m) => !returned.includes(m)) : settled);
    if (returned) {
      this.deliveryFailed(
        returned,
        new PublishError(
          `RabbitMQ returned ${returned.length} event(s) as unroutable (${reason}): no queue is bound to exchange ` +
            `${this.settings.topology.exchangeName}; were its queues deleted? Restart the broker to declare them again.`,
        ),
      );
    }
    // After every ack of this socket read, so the freed window is refilled in one go.
    this.schedulePump();
  }

  /**
   * A nack (a queue refused the message: full with `x-overflow: reject-publish`, or an internal
   * error). Publishing pauses until every other event in flight is acked or nacked, then the
   * nacked ones go back to the front of the queue and are re-sent after a backoff, up to
   * NACK_RETRIES times. The channel stays open: tearing it down would re-send events RabbitMQ
   * already stored (their acks wait for the disk) as duplicates.
   */
  private onNack(session: PublisherSession, nacked: OutboundMessage[]): void {
    const error = new PublishError(
      `RabbitMQ rejected (nacked) ${nacked.length} event(s) on exchange ${this.settings.topology.exchangeName}; ` +
        'a queue may be full (x-overflow: reject-publish) or unavailable.',
      { canRetry: true },
    );
    if (this.settings.raiseOnFailure) {
      this.deliveryFailed(nacked, error);
      return;
    }
    for (const message of nacked) session.tracker.takeReturn(message);
    if (!session.paused) {
      this.logger.warn({ nacked: nacked.length, url: this.url }, `${error.message} Retrying them.`);
    }
    session.paused = true;
    session.nacked.push(...nacked);
    this.retryNackedWhenSettled(session);
  }

  private retryNackedWhenSettled(session: PublisherSession): void {
    if (session.tracker.size > 0 || session.resumeTimer) return;
    const giveUp: OutboundMessage[] = [];
    const retry: OutboundMessage[] = [];
    let round = 0;
    for (const message of session.nacked) {
      const count = (this.nacks.get(message) ?? 0) + 1;
      this.nacks.set(message, count);
      round = Math.max(round, count);
      (count > NACK_RETRIES ? giveUp : retry).push(message);
    }
    session.nacked = [];
    if (giveUp.length > 0) {
      this.deliveryFailed(
        giveUp,
        new PublishError(
          `RabbitMQ rejected (nacked) ${giveUp.length} event(s) ${NACK_RETRIES + 1} times on exchange ` +
            `${this.settings.topology.exchangeName}; gave up on them. Is a queue full (x-overflow: reject-publish)?`,
        ),
      );
    }
    this.queue.requeue(retry);
    session.resumeTimer = setTimeout(
      () => {
        session.resumeTimer = undefined;
        session.paused = false;
        this.pump();
      },
      retryDelay(round - 1, {
        initialMs: RECONNECT_INITIAL_MS,
        maxMs: Math.max(this.settings.retryDelayMs, 1000),
      }),
    );
  }

  private onReturn(session: PublisherSession, message: Message): void {
    if (session !== this.session) return;
    const { replyCode, replyText } = message.fields as unknown as { replyCode: number; replyText: string };
    if (!session.tracker.markReturned(message.content, { replyCode, replyText })) {
      this.logger.warn(
        { replyCode, replyText },
        'RabbitMQ returned a message that matches no unconfirmed event',
      );
    }
  }

  /** The connection or channel is gone: everything unconfirmed goes back to the front of the queue, then reconnect. */
  private onSessionLost(session: PublisherSession, cause: unknown): void {
    if (session.closed) return;
    session.closed = true;
    if (this.session !== session) return;
    this.session = undefined;
    this.queue.requeue([...session.nacked, ...session.tracker.drain()]);
    void closeSession(session);
    if (this.stopped) return;
    const error = classifyAmqpError(cause ?? new Error('the connection closed'), { display: this.url });
    if (!error.canRetry) {
      this.fail(error);
      return;
    }
    const quickLoss = Date.now() - session.openedAt < STABLE_SESSION_MS;
    this.attempt = quickLoss ? this.attempt + 1 : 1;
    this.reportRetrying(
      error,
      `lost the connection to RabbitMQ at ${this.url} (${error.message}); ${this.queue.pendingCount} pending event(s) will be sent after reconnecting`,
      { url: this.url, pending: this.queue.pendingCount },
    );
    if (!this.settings.keepUnpublished) this.failUnsent(error);
    if (this.state !== 'closing') this.setState('reconnecting');
    void this.connectLoop();
  }

  /** should_keep_unpublished_messages: false — nothing waits for a connection. */
  private failUnsent(cause: BrokerError): void {
    const unsent = this.queue.drainAll('failed');
    if (unsent.length === 0) return;
    this.deliveryFailed(
      unsent,
      new PublishError(
        `${unsent.length} event(s) were not published because RabbitMQ is not connected and ` +
          `${this.settings.keys.keepUnpublished} is false (${cause.message}).`,
        { cause },
      ),
    );
  }

  /** Events that will never be delivered: reported, or fatal with raise_on_failure. */
  private deliveryFailed(messages: OutboundMessage[], error: PublishError): void {
    if (this.settings.raiseOnFailure) {
      this.failMessages(messages, error);
      this.fail(
        new PublishError(
          `${error.message} The broker stopped because ${this.settings.keys.raiseOnFailure} is true.`,
          {
            cause: error,
          },
        ),
      );
      return;
    }
    this.failMessages(messages, error);
  }
}

async function closeSession(session: PublisherSession): Promise<void> {
  session.closed = true;
  clearTimeout(session.resumeTimer);
  await closeConnection(session.connection);
}
