import {
  BrokerClosedError,
  BrokerError,
  BufferOverflowError,
  DeliveryFailedError,
  type EventBroker,
  type PublishOptions,
  TimeoutError,
  type UndeliveredEvent,
} from '@broker/core';

export interface PublishItem {
  senderId: string;
  body: string;
}

export interface PublishEventsOptions {
  headers?: PublishOptions['headers'];
  /** How long to wait for the broker's confirmations at the end, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Called after each event is accepted by the broker's buffer. */
  onProgress?: (accepted: number) => void;
}

export interface PublishReport {
  /** Accepted by the broker's buffer. */
  published: number;
  /** Confirmed by the broker. */
  confirmed: number;
  /**
   * Accepted and not confirmed: failed, dropped, or still pending when the timeout expired, as
   * the broker's close report lists them (bounded; `undeliveredOmitted` counts the rest).
   */
  undelivered: UndeliveredEvent[];
  undeliveredOmitted: number;
  /** Never handed to the broker because it stopped for good (bad credentials...) first. */
  notPublished: number;
  /** Why some were not confirmed, when the broker said so (e.g. it is unreachable). */
  lastError: BrokerError | undefined;
}

/**
 * Publishes events in order, waits (bounded) until the broker confirmed them, and closes the
 * broker. A full buffer is waited out (flush) rather than failing the run; a broker that stops
 * for good ends the run, and what it never took is counted in `notPublished`.
 */
export async function publishEvents(
  broker: EventBroker,
  items: Iterable<PublishItem>,
  options: PublishEventsOptions = {},
): Promise<PublishReport> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let lastError: BrokerError | undefined;
  const remember = (error: BrokerError) => {
    // The close timeout's own error says less than what kept the events from being confirmed.
    if (!TimeoutError.isInstance(error) || !lastError) lastError = error;
  };
  broker.on('error', remember);
  const before = broker.stats().confirmed;
  const iterator = items[Symbol.iterator]();
  let offered = 0;
  let published = 0;
  let failure: unknown;
  try {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const item = next.value;
      offered++;
      const publishOptions = options.headers ? { headers: options.headers } : {};
      try {
        broker.publish(item.body, publishOptions);
      } catch (error) {
        if (!BufferOverflowError.isInstance(error)) throw error;
        await broker.flush(timeoutMs);
        broker.publish(item.body, publishOptions);
      }
      published++;
      options.onProgress?.(published);
    }
    await broker.flush(timeoutMs);
  } catch (error) {
    failure = error;
  }
  // What was not confirmed in time is reported by close(), not thrown.
  const report = await broker.close({ timeout: 1000 });
  broker.off('error', remember);
  if (BrokerClosedError.isInstance(failure)) {
    // The broker stopped for good: its cause (e.g. rejected credentials) is the reason to report.
    lastError ??= BrokerError.isInstance(failure.cause) ? failure.cause : failure;
    for (let next = iterator.next(); !next.done; next = iterator.next()) offered++;
  } else if (
    failure !== undefined &&
    !TimeoutError.isInstance(failure) &&
    !DeliveryFailedError.isInstance(failure)
  ) {
    throw failure;
  }
  return {
    published,
    confirmed: report.stats.confirmed - before,
    undelivered: report.undelivered,
    undeliveredOmitted: report.undeliveredOmitted,
    notPublished: offered - published,
    lastError,
  };
}
