import { EventEmitter } from 'node:events';
import { BrokerError } from '../errors/broker-error';
import { BrokerClosedError, BufferOverflowError, MessageTooLargeError } from '../errors/errors';
import { childLogger, type Logger } from '../logging/logger';
import { encodeEventBody } from './encode-event-body';
import type {
  BrokerState,
  BrokerStats,
  CloseOptions,
  CloseReport,
  EventBody,
  EventBroker,
  EventBrokerEvents,
  PublishOptions,
} from './event-broker';
import { type BufferLimits, type OutboundMessage, OutboundQueue, toUndelivered } from './outbound-queue';

export interface BufferedEventBrokerOptions {
  /** Shown in logs and errors, e.g. `pika` or `kafka`. */
  name: string;
  logger?: Logger | undefined;
  buffer?: BufferLimits | undefined;
  /** Largest single body the broker accepts, in bytes; bigger ones are rejected by `publish`. */
  maxMessageBytes?: number | undefined;
  /** Default for `close()` when no timeout is given, in ms. */
  closeTimeoutMs?: number | undefined;
}

const DROP_LOG_INTERVAL_MS = 1000;

/**
 * The shared engine behind every broker: validation, the bounded outbound queue, counters,
 * state, `flush` and `close`. A transport subclass only moves events from the queue to the
 * wire (`take` → send → `confirm` / `requeue` / `fail`) and reports its connection state.
 */
export abstract class BufferedEventBroker extends EventEmitter<EventBrokerEvents> implements EventBroker {
  protected readonly logger: Logger;
  protected readonly queue: OutboundQueue;
  protected readonly brokerName: string;
  private currentState: BrokerState = 'idle';
  private readonly maxMessageBytes: number;
  private readonly closeTimeoutMs: number;
  private closing: Promise<CloseReport> | undefined;
  private fatalError: BrokerError | undefined;
  private droppedSinceLog = 0;
  private lastDropLog = 0;

  protected constructor(options: BufferedEventBrokerOptions) {
    super();
    this.brokerName = options.name;
    this.logger = childLogger(options.logger, { broker: options.name });
    this.maxMessageBytes = options.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.queue = new OutboundQueue(options.buffer, (dropped) => this.onDropped(dropped));
  }

  get state(): BrokerState {
    return this.currentState;
  }

  isReady(): boolean {
    return this.currentState === 'ready';
  }

  stats(): BrokerStats {
    return this.queue.stats();
  }

  publish(body: EventBody, options: PublishOptions = {}): void {
    this.assertOpen();
    const encoded = encodeEventBody(body);
    const size = Buffer.byteLength(encoded.body);
    if (size > this.maxMessageBytes) {
      throw new MessageTooLargeError(
        size,
        this.maxMessageBytes,
        `The "${this.brokerName}" broker accepts messages up to ${this.maxMessageBytes} bytes; this event of ` +
          `conversation ${JSON.stringify(encoded.senderId)} is ${size} bytes and was not published.`,
      );
    }
    this.queue.enqueue(encoded.senderId, encoded.body, options.headers);
    if (this.currentState === 'idle') this.begin();
    else this.wake();
  }

  flush(timeoutMs?: number): Promise<void> {
    if (this.currentState === 'idle' && this.queue.pendingCount > 0) this.begin();
    return this.queue.whenSettled(timeoutMs);
  }

  /** Starts connecting now instead of at the first publish; resolves once ready, rejects if that fails for good. */
  connect(): Promise<void> {
    if (this.currentState === 'idle') this.begin();
    return this.whenReady();
  }

  close(options: CloseOptions = {}): Promise<CloseReport> {
    this.closing ??= this.closeOnce(options.timeout ?? this.closeTimeoutMs);
    return this.closing;
  }

  /** Begins connecting; called once, at the first publish, flush or connect. */
  protected abstract start(): void;
  /** New events were queued; send them when the connection allows. */
  protected abstract wake(): void;
  /** Releases the connection and timers; must be idempotent and work when `start` never ran. Pending events were already settled. */
  protected abstract shutdown(): Promise<void>;

  protected setState(next: BrokerState): void {
    const previous = this.currentState;
    if (previous === next || previous === 'closed' || previous === 'failed') return;
    this.currentState = next;
    this.logger.debug({ state: next, previous }, `${this.brokerName} broker is ${next}`);
    this.emit('state', next, previous);
  }

  /** Logs a failure and emits `error` when someone listens (an unheard `error` event would crash the process). */
  protected reportError(error: BrokerError, message?: string): void {
    this.logger.error({ err: error, code: error.code }, message ?? error.message);
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** A non-retryable failure (bad credentials, access refused): every pending event fails and the broker stops. */
  protected fail(error: BrokerError): void {
    if (this.fatalError || this.currentState === 'closed') return;
    this.fatalError = error;
    const failed = this.queue.drainAll('failed');
    this.reportError(error, `${this.brokerName} broker failed and stopped: ${error.message}`);
    if (failed.length > 0) this.emit('undelivered', toUndelivered(failed, 'failed'), error);
    this.currentState = 'failed';
    this.emit('state', 'failed', 'connecting');
    this.shutdown().catch((cause) =>
      this.logger.warn({ err: cause }, 'error while releasing a failed broker'),
    );
  }

  /** Resolves once the state is `ready`; rejects when the broker fails or closes first. */
  protected whenReady(): Promise<void> {
    if (this.currentState === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onState = (state: BrokerState) => {
        if (state === 'ready') {
          this.off('state', onState);
          resolve();
        } else if (state === 'failed' || state === 'closed') {
          this.off('state', onState);
          reject(this.fatalError ?? new BrokerClosedError());
        }
      };
      this.on('state', onState);
    });
  }

  /** Settles in-flight events the transport gave up on for good (e.g. a message the broker refuses). */
  protected failMessages(messages: OutboundMessage[], error: BrokerError): void {
    this.queue.fail(messages);
    this.reportError(error);
    this.emit('undelivered', toUndelivered(messages, 'failed'), error);
  }

  private begin(): void {
    this.setState('connecting');
    this.start();
  }

  private assertOpen(): void {
    if (this.fatalError) {
      throw new BrokerClosedError(
        `The "${this.brokerName}" broker stopped after a non-retryable error (${this.fatalError.message}); fix it and create a new broker.`,
        { cause: this.fatalError },
      );
    }
    if (this.closing || this.currentState === 'closed') {
      throw new BrokerClosedError(
        `The "${this.brokerName}" broker is closed; create a new one to publish again.`,
      );
    }
  }

  private onDropped(dropped: OutboundMessage[]): void {
    this.droppedSinceLog += dropped.length;
    const now = Date.now();
    if (now - this.lastDropLog >= DROP_LOG_INTERVAL_MS) {
      this.logger.warn(
        { dropped: this.droppedSinceLog, totalDropped: this.queue.stats().dropped },
        `${this.brokerName} publish buffer full: dropped the oldest ${this.droppedSinceLog} event(s) (overflow: drop-oldest)`,
      );
      this.droppedSinceLog = 0;
      this.lastDropLog = now;
    }
    // During an outage every publish may drop one event: build the report only for a listener.
    if (this.listenerCount('undelivered') === 0) return;
    this.emit(
      'undelivered',
      toUndelivered(dropped, 'dropped'),
      new BufferOverflowError(
        `Dropped ${dropped.length} event(s): the publish buffer is full (overflow: drop-oldest).`,
      ),
    );
  }

  private async closeOnce(timeoutMs: number): Promise<CloseReport> {
    const wasStarted = this.currentState !== 'idle';
    if (!wasStarted && this.queue.pendingCount > 0) this.begin();
    if (this.currentState !== 'failed') this.setState('closing');
    try {
      await this.queue.whenSettled(timeoutMs);
    } catch (error) {
      if (!BrokerError.isInstance(error) || error.code !== 'BROKER_DELIVERY_FAILED') {
        this.logger.warn({ err: error }, `${this.brokerName} broker: close timed out waiting for confirms`);
      }
    }
    const leftOver = this.queue.drainAll('dropped');
    const undelivered = toUndelivered(leftOver, 'close-timeout');
    if (undelivered.length > 0) {
      this.logger.warn(
        { undelivered: undelivered.length },
        `${this.brokerName} broker closed with ${undelivered.length} undelivered event(s); they are listed in the close report`,
      );
    }
    try {
      await this.shutdown();
    } catch (error) {
      this.logger.warn({ err: error }, `${this.brokerName} broker: error while closing the connection`);
    }
    if (this.currentState !== 'failed') this.setState('closed');
    const stats = this.queue.stats();
    return { confirmed: stats.confirmed, undelivered, stats };
  }
}
