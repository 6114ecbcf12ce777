import {
  BrokerError,
  ConfigError,
  type ConsumeContext,
  childLogger,
  createMessageSource,
  type EndpointConfig,
  type Logger,
  loadEndpoints,
  type MessageSource,
  type MessageSourceOptions,
  type Settlement,
  type SourceMessage,
} from '@broker/core';
import { importAdapter } from '../adapter-loader';
import type { EventSink } from '../sinks/event-sink';
import { abortableDelay } from './abortable-delay';
import {
  consumeHandled,
  consumeRetrying,
  consumerStateChanged,
  consumeSettled,
  startConsumeTrace,
} from './consume-trace';
import type { ConsumedEvent, EventHandler } from './consumed-event';
import { decodeMessage, type MalformedKind } from './decode-message';
import { createEventFilter, type EventFilterOptions } from './event-filter';
import { failureKind } from './failure-kind';
import { HandledMessages } from './handled-messages';
import { Outage } from './outage';
import { backoffDelay, type RetryOptions, type RetryPolicy, retryPolicy } from './retry-policy';
import { SenderLanes } from './sender-lanes';

export interface ConsumerOptions {
  /** Where messages come from. Give either `source` or `endpoints`. */
  source?: MessageSource;
  /** An endpoints.yml path or its `event_broker` section: the queue or topic Rasa publishes to. */
  endpoints?: string | EndpointConfig;
  /** Queue, consumer group, start position and dead-letter destination (with `endpoints`). */
  sourceOptions?: Omit<MessageSourceOptions, 'logger'>;
  /**
   * Runs for every event that passes the filter, one at a time per conversation. Throwing an
   * error with `canRetry: true` (e.g. core's `ConnectionError`) says that something it needs is
   * unavailable: consuming pauses until it answers. Any other error is about this event: it is
   * retried, then dead-lettered. See `failureKind`.
   */
  handler?: EventHandler;
  /** Stores every event that passes the filter, after the handler. */
  sink?: EventSink;
  /** Messages in flight (the source's prefetch / window), spread over conversations. Default 32. */
  concurrency?: number;
  /**
   * Backoff and retries for an event the handler or sink fails on, then the dead-letter path;
   * `false` = no retries. The same backoff (`initialDelayMs`, `maxDelayMs`) paces the probes of
   * an outage, which are not limited by `maxRetries`.
   */
  retry?: RetryOptions | false;
  /**
   * How long an outage (the sink or the handler's service unavailable) may last before the
   * consumer stops with reason `outage`, leaving everything unacknowledged with the broker, in
   * ms. Default: wait for ever.
   */
  maxOutageMs?: number;
  /** Which events are handled; the others are acknowledged and counted as filtered. */
  filter?: EventFilterOptions;
  /**
   * How many recently handled messages are remembered to recognise a copy the broker
   * delivers again (same message id, or a redelivery of the same body): acknowledged, not
   * handled twice. Default 10 000; 0 = off.
   */
  redeliveryWindow?: number;
  /**
   * Stop after taking this many messages from the source, whatever became of them (handled,
   * filtered, skipped as copies, dead-lettered as malformed); the rest stay with the broker.
   */
  maxEvents?: number;
  /** Stops the consumer gracefully. */
  signal?: AbortSignal;
  /** How long shutdown waits for in-flight handlers, in ms. Default 30 000. */
  shutdownTimeoutMs?: number;
  logger?: Logger;
}

export interface ConsumerStats {
  /** Messages delivered by the source. */
  received: number;
  /** Handled (handler and sink succeeded) and acknowledged. */
  handled: number;
  /** Retries of an event the handler or sink failed on (outage probes not included). */
  retried: number;
  /** Given up on after the retries: sent to the dead-letter destination. Never because of an outage. */
  deadLettered: number;
  /** Acknowledged without handling: excluded by the filter. */
  filtered: number;
  /** Not an event (not JSON, no sender_id, invalid event): dead-lettered with the reason. */
  malformed: number;
  /** Redelivered copies of messages already handled: acknowledged, not handled again. */
  duplicates: number;
  /** Left unsettled at shutdown; the broker delivers them again. */
  unsettled: number;
  /** Delivered and not yet settled. */
  inFlight: number;
  /** Conversations with events queued or being handled. */
  activeConversations: number;
  /** Outages so far: the handler or sink unavailable, consuming paused. */
  outages: number;
  /** Time spent paused by outages, in ms (the current one included). */
  outageMs: number;
  /** An outage is going on (or was when the consumer stopped): nothing new is handled. */
  paused: boolean;
}

export interface ConsumerReport {
  stats: ConsumerStats;
  /**
   * Why consuming ended: `stopped` (signal or `stop()`), `max-events`, `source-ended`, or
   * `outage` (an outage outlasted `maxOutageMs`; what was in flight is left with the broker).
   */
  reason: 'stopped' | 'max-events' | 'source-ended' | 'outage';
}

interface Delivery {
  message: SourceMessage;
  consumed: ConsumedEvent;
  /** Its `broker:consume` trace, when someone subscribed as it arrived. */
  trace: ConsumeContext | undefined;
}

const DEFAULT_CONCURRENCY = 32;
const UNSETTLED_CLOSE_GRACE_MS = 2000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The production consumer, the same for RabbitMQ, Kafka and the file broker: parses every
 * message, keeps each conversation in order while different conversations run concurrently,
 * acknowledges only after the handler and the sink succeeded, retries failures of an event
 * with backoff and jitter, dead-letters what cannot be handled (with the reason), pauses while
 * the sink or the handler's service is unavailable (never dead-lettering for it), and shuts
 * down gracefully.
 */
export class EventConsumer {
  readonly source: MessageSource;
  private readonly ownsSource: boolean;
  private readonly handler: EventHandler | undefined;
  private readonly sink: EventSink | undefined;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly accepts: (event: ConsumedEvent) => boolean;
  private readonly handledMessages: HandledMessages;
  private readonly outage: Outage;
  private readonly maxEvents: number;
  private readonly shutdownTimeoutMs: number;
  private readonly logger: Logger;
  private readonly lanes: SenderLanes<Delivery>;
  private readonly stopping = new AbortController();
  /** Aborted when shutdown stops waiting: handlers should give up, retries end, nothing new starts. */
  private readonly giveUp = new AbortController();
  /** Ends the wait for an outage to pass: stopping leaves waiting events to the broker. */
  private readonly outageWaitEnds = AbortSignal.any([this.stopping.signal, this.giveUp.signal]);
  private readonly counts = {
    received: 0,
    handled: 0,
    retried: 0,
    deadLettered: 0,
    filtered: 0,
    malformed: 0,
    duplicates: 0,
    unsettled: 0,
    settled: 0,
  };
  /** Settlements made outside the lanes (malformed, filtered); shutdown waits for them too. */
  private readonly sideSettlements = new Set<Promise<void>>();
  private taken = 0;
  private reason: ConsumerReport['reason'] = 'source-ended';
  private running: Promise<ConsumerReport> | undefined;

  constructor(
    source: MessageSource,
    options: Omit<ConsumerOptions, 'source' | 'endpoints'>,
    ownsSource = false,
  ) {
    if (!options.handler && !options.sink) {
      throw new ConfigError('A consumer needs a handler, a sink, or both.', { key: 'handler' });
    }
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConfigError(`concurrency must be a whole number >= 1, got ${String(options.concurrency)}.`, {
        key: 'concurrency',
      });
    }
    if (options.maxEvents !== undefined && (!Number.isInteger(options.maxEvents) || options.maxEvents < 1)) {
      throw new ConfigError(`maxEvents must be a whole number >= 1, got ${String(options.maxEvents)}.`, {
        key: 'maxEvents',
      });
    }
    const maxOutageMs = options.maxOutageMs ?? Number.POSITIVE_INFINITY;
    if (Number.isNaN(maxOutageMs) || maxOutageMs < 0) {
      throw new ConfigError(
        `maxOutageMs must be a number of ms >= 0 (or Infinity to wait for ever), got ${String(options.maxOutageMs)}.`,
        { key: 'maxOutageMs' },
      );
    }
    this.source = source;
    this.ownsSource = ownsSource;
    this.handler = options.handler;
    this.sink = options.sink;
    this.concurrency = concurrency;
    this.retry = retryPolicy(options.retry);
    this.accepts = createEventFilter(options.filter);
    this.handledMessages = new HandledMessages(options.redeliveryWindow ?? 10_000);
    this.maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this.logger = childLogger(options.logger, { component: 'consumer', source: source.name });
    this.outage = new Outage({
      probeDelay: (probe) => backoffDelay(probe, this.retry),
      maxOutageMs,
      onTooLong: (what, elapsedMs) => this.giveUpOnOutage(what, elapsedMs, maxOutageMs),
      logger: this.logger,
      onStateChange: (state, what, error) => consumerStateChanged(source, state, what, error),
    });
    this.lanes = new SenderLanes((delivery) => this.process(delivery));
    if (options.signal) {
      if (options.signal.aborted) this.stopping.abort();
      else options.signal.addEventListener('abort', () => this.stop(), { once: true });
    }
  }

  stats(): ConsumerStats {
    const c = this.counts;
    return {
      received: c.received,
      handled: c.handled,
      retried: c.retried,
      deadLettered: c.deadLettered,
      filtered: c.filtered,
      malformed: c.malformed,
      duplicates: c.duplicates,
      unsettled: c.unsettled,
      inFlight: c.received - c.settled - c.unsettled,
      activeConversations: this.lanes.activeLanes,
      outages: this.outage.outages,
      outageMs: this.outage.totalMs,
      paused: this.outage.active,
    };
  }

  /** Asks the consumer to stop: no new deliveries; in-flight events are finished and settled. */
  stop(reason: ConsumerReport['reason'] = 'stopped'): void {
    if (this.stopping.signal.aborted) return;
    this.reason = reason;
    this.stopping.abort();
  }

  /**
   * Consumes until stopped (signal, `stop()`, `maxEvents`) or until the source ends, then
   * finishes in-flight events and closes the source it opened. Rejects with the source's
   * error when it fails for good (bad credentials, missing queue), after the same cleanup.
   */
  run(): Promise<ConsumerReport> {
    this.running ??= this.consume();
    return this.running;
  }

  private async consume(): Promise<ConsumerReport> {
    // The source says when it actually consumes (and again after each reconnect).
    this.logger.debug(
      { from: this.source.description, concurrency: this.concurrency },
      `starting to consume ${this.source.description} (${this.source.name})`,
    );
    let failure: unknown;
    const consuming = this.source
      .consume((message) => this.onMessage(message), {
        maxInFlight: this.concurrency,
        signal: this.stopping.signal,
      })
      .catch((error: unknown) => {
        failure = error;
        this.stopping.abort();
      });
    const stopped = new Promise<void>((resolve) =>
      this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([consuming, stopped]);
    await this.finishInFlight();
    this.outage.dispose();
    if (this.ownsSource && this.counts.unsettled > 0) {
      // Messages deliberately left unsettled go back to the broker when the connection closes.
      // A source may keep waiting for their settlement before it lets go; do not wait with it.
      const closing = this.closeSource();
      const released = await Promise.race([
        closing.then(() => true),
        delay(UNSETTLED_CLOSE_GRACE_MS).then(() => false),
      ]);
      if (released) await consuming;
      else this.logger.debug(`the ${this.source.name} source is still closing; not waiting for it`);
    } else {
      await consuming;
      if (this.ownsSource) await this.closeSource();
    }
    const stats = this.stats();
    this.logger.info({ ...stats }, 'consumer stopped');
    if (failure !== undefined) throw failure;
    return { stats, reason: this.reason };
  }

  private async finishInFlight(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.shutdownTimeoutMs);
    });
    const idle = async () => {
      await this.lanes.whenIdle();
      while (this.sideSettlements.size > 0) await Promise.all(this.sideSettlements);
      return 'idle' as const;
    };
    const outcome = await Promise.race([idle(), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        { pending: this.lanes.size, timeoutMs: this.shutdownTimeoutMs },
        `shutdown: ${this.lanes.size} event(s) still in flight after ${this.shutdownTimeoutMs} ms; leaving them to the broker to deliver again`,
      );
      this.giveUp.abort();
      // Running handlers were told to stop; queued events are skipped without settling.
      await Promise.race([this.lanes.whenIdle(), delay(1000)]);
    }
  }

  private onMessage(message: SourceMessage): void {
    this.counts.received++;
    const trace = startConsumeTrace(this.source, message);
    if (this.taken >= this.maxEvents) {
      // Past maxEvents: leave it to the broker for the next consumer.
      this.leaveToBroker(trace);
      return;
    }
    // Every message taken counts, malformed and filtered ones too: a queue full of them still ends.
    this.taken++;
    if (this.taken >= this.maxEvents) this.stop('max-events');
    const decoded = decodeMessage(message);
    if (trace && decoded.ok) {
      trace.senderId = decoded.event.senderId;
      trace.eventType = decoded.event.event.event;
    }
    if (!decoded.ok) {
      this.counts.malformed++;
      consumeHandled(trace, 'malformed', decoded.error ?? new Error(decoded.reason));
      this.logger.warn(
        { position: message.position, kind: decoded.kind, reason: decoded.reason },
        `malformed message at ${message.position}: ${decoded.reason}; dead-lettering it`,
      );
      this.settleAside(
        message,
        {
          outcome: 'dead-letter',
          reason: malformedReason(decoded.kind, decoded.reason),
          error: decoded.error,
        },
        trace,
      );
      return;
    }
    if (!this.accepts(decoded.event)) {
      this.counts.filtered++;
      consumeHandled(trace, 'filtered');
      this.settleAside(message, { outcome: 'ack' }, trace);
      return;
    }
    this.lanes.push(decoded.event.senderId, { message, consumed: decoded.event, trace });
  }

  private async process({ message, consumed, trace }: Delivery): Promise<void> {
    if (this.giveUp.signal.aborted) {
      this.leaveToBroker(trace);
      return;
    }
    if (this.handledMessages.isCopy(consumed)) {
      this.counts.duplicates++;
      consumeHandled(trace, 'duplicate');
      await this.settle(message, { outcome: 'ack' }, trace);
      return;
    }
    let handlerDone = this.handler === undefined;
    let handlerCalls = 0;
    let failures = 0;
    for (;;) {
      // During an outage nothing new starts: one probe tries, the others wait for its answer.
      const turn = this.outage.active ? await this.outage.turn(this.outageWaitEnds) : 'go';
      if (turn === 'leave') {
        this.leaveToBroker(trace);
        return;
      }
      try {
        if (!handlerDone) {
          await this.handler?.(consumed, { attempt: ++handlerCalls, signal: this.giveUp.signal });
          handlerDone = true;
        }
        if (this.sink) await this.sink.write(consumed);
        if (turn === 'probe') this.outage.recovered();
        break;
      } catch (error) {
        const stage = handlerDone ? `sink ${this.sink?.name}` : 'handler';
        if (this.giveUp.signal.aborted || this.stopping.signal.aborted) {
          // No retries while stopping, and no dead letter either: the broker delivers it again.
          if (turn === 'probe') this.outage.releaseProbe();
          this.leaveToBroker(trace);
          this.logger.debug(
            { position: consumed.position, err: error },
            `${consumed.position} failed while stopping (${describeError(error)}); leaving it to the broker to deliver again`,
          );
          return;
        }
        if (failureKind(error) === 'infrastructure') {
          this.outage.failed(error, { what: stage, probe: turn === 'probe', position: consumed.position });
          continue;
        }
        // The probe got an answer about its event: whatever it needs is reachable again.
        if (turn === 'probe') this.outage.recovered();
        failures++;
        // A BrokerError that says retrying cannot help (e.g. a row the database refuses) is not retried.
        const permanent = BrokerError.isInstance(error) && !error.canRetry;
        if (failures > this.retry.maxRetries || permanent) {
          this.counts.deadLettered++;
          const reason = `${stage} failed ${failures === 1 ? 'once' : `${failures} times`}: ${describeError(error)}`;
          this.logger.error(
            {
              position: consumed.position,
              senderId: consumed.senderId,
              event: consumed.event.event,
              err: error,
            },
            `giving up on ${consumed.event.event} event of ${consumed.senderId} at ${consumed.position}: ${reason}; dead-lettering it`,
          );
          consumeHandled(trace, 'failed', error);
          await this.settle(message, { outcome: 'dead-letter', reason, error }, trace);
          return;
        }
        this.counts.retried++;
        const wait = backoffDelay(failures, this.retry);
        this.logger.warn(
          {
            position: consumed.position,
            senderId: consumed.senderId,
            attempt: failures,
            delayMs: wait,
            err: error,
          },
          `${stage} failed on ${consumed.event.event} event of ${consumed.senderId} (attempt ${failures}): ${describeError(error)}; retrying in ${wait} ms`,
        );
        consumeRetrying(trace, error, failures, wait);
        await abortableDelay(wait, this.giveUp.signal);
        if (this.giveUp.signal.aborted) {
          this.leaveToBroker(trace);
          return;
        }
      }
    }
    this.handledMessages.remember(consumed);
    this.counts.handled++;
    consumeHandled(trace, 'handled');
    await this.settle(message, { outcome: 'ack' }, trace);
  }

  /** Not settled on purpose: the broker delivers it again. */
  private leaveToBroker(trace: ConsumeContext | undefined): void {
    this.counts.unsettled++;
    consumeHandled(trace, 'left');
    consumeSettled(trace, undefined);
  }

  /**
   * An outage outlasted maxOutageMs: stop without settling anything pending. Waiting events
   * leave at once; the broker keeps them for the next consumer. Nothing is dead-lettered.
   */
  private giveUpOnOutage(what: string, elapsedMs: number, maxOutageMs: number): void {
    const pending = this.counts.received - this.counts.settled - this.counts.unsettled;
    this.logger.error(
      { outageMs: Math.round(elapsedMs), maxOutageMs, pending },
      `${what} has been unavailable for ${(elapsedMs / 1000).toFixed(1)} s, longer than the ${maxOutageMs} ms allowed; stopping and leaving the ${pending} event(s) in flight unacknowledged with the broker (none dead-lettered)`,
    );
    this.stop('outage');
    this.giveUp.abort();
  }

  private settleAside(
    message: SourceMessage,
    settlement: Settlement,
    trace: ConsumeContext | undefined,
  ): void {
    const settling = this.settle(message, settlement, trace).finally(() =>
      this.sideSettlements.delete(settling),
    );
    this.sideSettlements.add(settling);
  }

  private async settle(
    message: SourceMessage,
    settlement: Settlement,
    trace: ConsumeContext | undefined,
  ): Promise<void> {
    try {
      await message.settle(settlement);
      this.counts.settled++;
      consumeSettled(trace, settlement);
    } catch (error) {
      // Not settled: the broker delivers it again (at-least-once).
      this.counts.unsettled++;
      consumeSettled(trace, undefined);
      this.logger.warn(
        { position: message.position, outcome: settlement.outcome, err: error },
        `could not ${settlement.outcome === 'ack' ? 'acknowledge' : 'dead-letter'} ${message.position}: ${describeError(error)}; the broker will deliver it again`,
      );
    }
  }

  private async closeSource(): Promise<void> {
    await this.source.close().catch((error: unknown) => {
      this.logger.warn(
        { err: error },
        `closing the ${this.source.name} source failed: ${describeError(error)}`,
      );
    });
  }
}

function malformedReason(kind: MalformedKind, reason: string): string {
  const label = {
    'not-json': 'not JSON',
    'missing-sender-id': 'no sender_id',
    'invalid-event': 'invalid event',
  }[kind];
  return `malformed (${label}): ${reason}`;
}

/** Builds the message source an endpoints file or section describes. */
export async function openMessageSource(
  endpoints: string | EndpointConfig,
  options: Omit<MessageSourceOptions, 'logger'> & { logger?: Logger } = {},
): Promise<MessageSource> {
  const section = typeof endpoints === 'string' ? loadEndpoints(endpoints).eventBroker : endpoints;
  if (!section) {
    throw new ConfigError(
      `${typeof endpoints === 'string' ? endpoints : 'The endpoints file'} has no event_broker section: there is nothing to consume. Add one (type: pika or kafka, url, queues or topic).`,
      { key: 'event_broker', file: typeof endpoints === 'string' ? endpoints : endpoints.file },
    );
  }
  return createMessageSource(section, { importModule: importAdapter, ...options });
}

/** Creates a consumer from a source, or from the broker an endpoints file describes. */
export async function createConsumer(options: ConsumerOptions): Promise<EventConsumer> {
  const { source, endpoints, sourceOptions, ...rest } = options;
  if (source && endpoints) {
    throw new ConfigError('Give a consumer either `source` or `endpoints`, not both.', { key: 'source' });
  }
  if (source) return new EventConsumer(source, rest);
  if (!endpoints) {
    throw new ConfigError('A consumer needs `source` or `endpoints` (a path to endpoints.yml).', {
      key: 'endpoints',
    });
  }
  const opened = await openMessageSource(endpoints, {
    ...sourceOptions,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return new EventConsumer(opened, rest, true);
}

/** Creates a consumer and runs it until it stops; resolves with its final counters. */
export async function runConsumer(options: ConsumerOptions): Promise<ConsumerReport> {
  return (await createConsumer(options)).run();
}
