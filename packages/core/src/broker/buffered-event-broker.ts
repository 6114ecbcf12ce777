import { EventEmitter } from 'node:events';
import type { BrokerError } from '../errors/broker-error';
import { BrokerClosedError, BufferOverflowError, MessageTooLargeError, TimeoutError } from '../errors/errors';
import { FallbackWarnings } from '../logging/fallback-warnings';
import { childLogger, type Logger } from '../logging/logger';
import { ReportThrottle } from '../logging/report-throttle';
import {
  connectionChannel,
  type DeliverContext,
  type MessagingTarget,
  type PublishContext,
  publishChannel,
} from '../telemetry/channels';
import { DeliveryTracer } from '../telemetry/delivery-tracer';
import { type BufferLimits, checkBufferLimits } from './buffer-limits';
import { type EncodedEventBody, encodeEventBody } from './encode-event-body';
import type {
  BrokerState,
  BrokerStats,
  CloseOptions,
  CloseReport,
  EventBody,
  EventBroker,
  EventBrokerEvents,
  PublishOptions,
  UndeliveredEvent,
} from './event-broker';
import { dropOldestError, type OutboundMessage, OutboundQueue } from './outbound-queue';
import { toUndelivered, UndeliveredLog } from './undelivered-log';

export interface BufferedEventBrokerOptions {
  /** Shown in logs and errors, e.g. `pika` or `kafka`. */
  name: string;
  /**
   * Where logs go. Without one, failures nobody listens for (`error`, and `undelivered` for
   * overflow drops) are written to stderr as rate-limited process warnings.
   */
  logger?: Logger | undefined;
  buffer?: BufferLimits | undefined;
  /** Largest single body the broker accepts, in bytes; bigger ones are rejected by `publish`. */
  maxMessageBytes?: number | undefined;
  /** Default for `close()` when no timeout is given, in ms. */
  closeTimeoutMs?: number | undefined;
}

/** Overflow drops and rejections are logged at most this often, with how many there were. */
const OVERFLOW_LOG_INTERVAL_MS = 1000;

/**
 * The shared engine behind every broker: validation, the bounded outbound queue, counters,
 * state, `flush` and `close`, and the record of what was not delivered. A transport subclass
 * only moves events from the queue to the wire (`take` → send → `confirm` / `requeue` /
 * `failMessages`) and reports its connection state.
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
  private readonly undelivered: UndeliveredLog;
  /** Only without a logger: where failures nobody listens for go. */
  private readonly fallback: FallbackWarnings | undefined;
  private readonly dropLog = new ReportThrottle(OVERFLOW_LOG_INTERVAL_MS);
  private readonly rejectLog = new ReportThrottle(OVERFLOW_LOG_INTERVAL_MS);
  private target: MessagingTarget | undefined;

  protected constructor(options: BufferedEventBrokerOptions) {
    super();
    this.brokerName = options.name;
    this.logger = childLogger(options.logger, { broker: options.name });
    this.fallback = options.logger ? undefined : new FallbackWarnings(`${options.name} broker`);
    this.maxMessageBytes = options.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.queue = new OutboundQueue(
      checkBufferLimits(options.buffer ?? {}),
      (dropped) => this.onDropped(dropped),
      new DeliveryTracer({
        brokerName: this.brokerName,
        target: () => this.messagingTarget(),
        describe: (message, context) => this.describeDelivery(message, context),
      }),
    );
    this.undelivered = UndeliveredLog.within(this.queue.limits);
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
    if (publishChannel.hasSubscribers) this.publishTraced(body, options.headers);
    else this.accept(body, options.headers);
  }

  private publishTraced(body: EventBody, headers: Record<string, string> | undefined): void {
    const target = this.messagingTarget();
    // A literal with every field: spreading the target or adding fields later costs microseconds per event.
    const context: PublishContext = {
      system: target.system,
      destination: target.destination,
      serverAddress: target.serverAddress,
      serverPort: target.serverPort,
      broker: this.brokerName,
      headers,
      senderId: undefined,
      bodySize: undefined,
      error: undefined,
    };
    // A start subscriber may have replaced the headers (trace context propagation).
    publishChannel.traceSync(() => this.accept(body, context.headers, context), context);
  }

  private accept(
    body: EventBody,
    headers: Record<string, string> | undefined,
    traced?: PublishContext,
  ): void {
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
    try {
      const message = this.queue.enqueue(encoded.senderId, encoded.body, headers);
      if (traced) {
        message.publishContext = traced;
        traced.senderId = encoded.senderId;
        traced.bodySize = size;
      }
    } catch (error) {
      if (BufferOverflowError.isInstance(error)) this.onRejected(encoded, error);
      throw error;
    }
    if (this.currentState === 'idle') this.begin();
    else this.wake();
  }

  flush(timeoutMs?: number): Promise<void> {
    if (this.currentState === 'idle' && this.queue.pendingCount > 0) this.begin();
    return this.queue.whenSettled(timeoutMs);
  }

  /** Starts connecting now instead of at the first publish; resolves once ready, rejects if that fails for good. */
  connect(): Promise<void> {
    this.retryIfFailedRetryably();
    if (this.currentState === 'idle') this.begin();
    return this.whenReady();
  }

  close(options: CloseOptions = {}): Promise<CloseReport> {
    this.closing ??= this.closeOnce(options.timeout ?? this.closeTimeoutMs);
    return this.closing;
  }

  /**
   * Begins connecting: at the first publish, flush or connect, and again at the next publish or
   * connect after a retryable failure stopped the broker (`shutdown` has run by then).
   */
  protected abstract start(): void;
  /** New events were queued; send them when the connection allows. */
  protected abstract wake(): void;
  /** Releases the connection and timers; must be idempotent and work when `start` never ran. Pending events were already settled. */
  protected abstract shutdown(): Promise<void>;

  /** Where this broker sends, for the tracing channels; brokers that know more override it. */
  protected describeTarget(): MessagingTarget {
    return { system: this.brokerName, destination: '' };
  }

  /** Adds what the transport knows about one settled event (key, partition) to its `broker:deliver` context. */
  protected describeDelivery(_message: OutboundMessage, _context: DeliverContext): void {}

  protected setState(next: BrokerState): void {
    const previous = this.currentState;
    if (previous === next || previous === 'closed' || previous === 'failed') return;
    this.currentState = next;
    this.logger.debug({ state: next, previous }, `${this.brokerName} broker is ${next}`);
    this.stateChanged(next, previous);
  }

  /** A failure: logged, emitted as `error` when someone listens, else a process warning when there is no logger. */
  protected reportError(error: BrokerError, message?: string): void {
    this.logger.error({ err: error, code: error.code }, message ?? error.message);
    this.tell(error, message ?? error.message);
  }

  /** A connection problem being retried (events wait in the buffer): as `reportError`, logged as a warning. */
  protected reportRetrying(error: BrokerError, message: string, context: Record<string, unknown> = {}): void {
    this.logger.warn({ err: error, code: error.code, ...context }, message);
    this.tell(error, message);
  }

  /**
   * A failure that stops the broker: every pending event fails. A non-retryable one (bad
   * credentials, access refused) is final: `publish` throws BrokerClosedError. After a
   * retryable one (e.g. connection attempts used up) the next publish or connect starts the
   * broker again.
   */
  protected fail(error: BrokerError): void {
    if (this.fatalError || this.currentState === 'closed') return;
    this.fatalError = error;
    const failed = this.queue.drainAll('failed', error);
    const next = error.canRetry ? 'the next publish tries again' : 'create a new broker once it is fixed';
    this.reportError(error, `${this.brokerName} broker failed and stopped (${next}): ${error.message}`);
    if (failed.length > 0) this.recordUndelivered(failed, 'failed', error);
    const previous = this.currentState;
    this.currentState = 'failed';
    this.stateChanged('failed', previous, error);
    this.shutdown().catch((cause) =>
      this.logger.warn({ err: cause }, 'error while releasing a failed broker'),
    );
  }

  /** Resolves once the state is `ready`; rejects when the broker fails or closes first. */
  protected whenReady(): Promise<void> {
    if (this.currentState === 'ready') return Promise.resolve();
    if (this.currentState === 'failed' || this.currentState === 'closed') {
      return Promise.reject(this.fatalError ?? new BrokerClosedError());
    }
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
    this.queue.fail(messages, error);
    this.reportError(error);
    this.recordUndelivered(messages, 'failed', error);
  }

  private messagingTarget(): MessagingTarget {
    this.target ??= this.describeTarget();
    return this.target;
  }

  private stateChanged(next: BrokerState, previous: BrokerState, error?: BrokerError): void {
    this.emit('state', next, previous);
    if (!connectionChannel.hasSubscribers) return;
    const { system } = this.messagingTarget();
    connectionChannel.publish({
      role: 'publisher',
      system,
      name: this.brokerName,
      state: next,
      previous,
      error,
    });
  }

  private tell(error: BrokerError, message: string): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else this.fallback?.warn(error, message);
  }

  /** Every event lost before close goes through here: into the close report, and to an `undelivered` listener. */
  private recordUndelivered(
    messages: OutboundMessage[],
    reason: UndeliveredEvent['reason'],
    error: BrokerError | (() => BrokerError),
  ): void {
    this.undelivered.add(messages, reason);
    this.emitUndelivered(messages, reason, error);
  }

  private emitUndelivered(
    messages: OutboundMessage[],
    reason: UndeliveredEvent['reason'],
    error: BrokerError | (() => BrokerError),
  ): void {
    if (this.listenerCount('undelivered') === 0) return;
    const events = messages.map((message) => toUndelivered(message, reason));
    this.emit('undelivered', events, typeof error === 'function' ? error() : error);
  }

  private begin(): void {
    this.setState('connecting');
    this.start();
  }

  private retryIfFailedRetryably(): void {
    const error = this.fatalError;
    if (!error?.canRetry || this.closing) return;
    this.logger.info(
      { err: error },
      `${this.brokerName} broker: trying again after a retryable failure (${error.message})`,
    );
    this.fatalError = undefined;
    this.currentState = 'idle';
    this.stateChanged('idle', 'failed');
  }

  private assertOpen(): void {
    this.retryIfFailedRetryably();
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
    // During an outage every publish may drop one event: errors are built only for a report.
    const count = this.dropLog.take(dropped.length);
    if (count > 0) {
      this.logger.warn(
        { dropped: count, totalDropped: this.queue.stats().dropped },
        `${this.brokerName} publish buffer full: dropped the oldest ${count} event(s) (overflow: drop-oldest)`,
      );
      if (this.listenerCount('undelivered') === 0) {
        const error = dropOldestError(count);
        this.fallback?.warn(error, error.message, 'undelivered');
      }
    }
    this.recordUndelivered(dropped, 'dropped', () => dropOldestError(dropped.length));
  }

  private onRejected(encoded: EncodedEventBody, error: BufferOverflowError): void {
    const count = this.rejectLog.take();
    if (count > 0) {
      this.logger.warn(
        { rejected: count, totalRejected: this.queue.stats().rejected },
        `${this.brokerName} publish buffer full: refused ${count} event(s) (overflow: reject): ${error.message}`,
      );
    }
    // The caller got the error; a listener also gets the body, as for drops.
    if (this.listenerCount('undelivered') === 0) return;
    this.emit('undelivered', [{ senderId: encoded.senderId, body: encoded.body, reason: 'rejected' }], error);
  }

  private async closeOnce(timeoutMs: number): Promise<CloseReport> {
    const wasStarted = this.currentState !== 'idle';
    if (!wasStarted && this.queue.pendingCount > 0) this.begin();
    if (this.currentState !== 'failed') this.setState('closing');
    // Failures and a timeout are reported below, from what is left and what was recorded.
    await this.queue.whenSettled(timeoutMs).catch(() => undefined);
    const leftCount = this.queue.pendingCount;
    const error = new TimeoutError(
      `${leftCount} event(s) were not confirmed within the close timeout (${timeoutMs} ms); they are listed in the close report.`,
      leftCount,
    );
    const leftOver = this.queue.drainAll('dropped', error);
    if (leftOver.length > 0) {
      // Listed in full: they are in memory anyway, and the caller may want to store them elsewhere.
      this.emitUndelivered(leftOver, 'close-timeout', error);
      this.reportError(error);
    }
    try {
      await this.shutdown();
    } catch (error) {
      this.logger.warn({ err: error }, `${this.brokerName} broker: error while closing the connection`);
    }
    if (this.currentState !== 'failed') this.setState('closed');
    const stats = this.queue.stats();
    const undelivered = [
      ...this.undelivered.events,
      ...leftOver.map((message) => toUndelivered(message, 'close-timeout')),
    ];
    const undeliveredOmitted = this.undelivered.omitted;
    const total = undelivered.length + undeliveredOmitted;
    if (total > 0) {
      this.logger.warn(
        { undelivered: total, failed: stats.failed, dropped: stats.dropped },
        `${this.brokerName} broker closed; ${total} event(s) were not delivered over its lifetime (${stats.failed} failed, ${stats.dropped} dropped); they are listed in the close report`,
      );
    }
    return { confirmed: stats.confirmed, undelivered, undeliveredOmitted, stats };
  }
}
