import type { EventMessage } from '../events/event-types';
import { parseEventMessage } from '../events/parse-event';
import type { Logger } from '../logging/logger';
import type { BufferLimits } from './buffer-limits';
import { BufferedEventBroker } from './buffered-event-broker';

/** What an in-process subscriber receives for each published event. */
export interface InMemoryDelivery extends EventMessage {
  /** The exact JSON text that a real broker would have carried. */
  body: string;
  headers: Record<string, string> | undefined;
}

export type InMemorySubscriber = (delivery: InMemoryDelivery) => void;

export interface InMemoryEventBrokerOptions {
  logger?: Logger;
  buffer?: BufferLimits;
}

/**
 * An in-process broker for tests and demos (`type: memory`): events are delivered, in publish
 * order, to every subscriber on a later tick, and kept in `messages` for inspection.
 */
export class InMemoryEventBroker extends BufferedEventBroker {
  /** Every delivered body, in order. */
  readonly messages: InMemoryDelivery[] = [];
  private readonly subscribers = new Set<InMemorySubscriber>();
  private scheduled = false;

  constructor(options: InMemoryEventBrokerOptions = {}) {
    super({ name: 'memory', logger: options.logger, buffer: options.buffer });
  }

  static fromEndpointConfig(_config: unknown, deps: { logger?: Logger } = {}): InMemoryEventBroker {
    return new InMemoryEventBroker(deps.logger ? { logger: deps.logger } : {});
  }

  /** Calls `subscriber` for every event delivered from now on; returns the unsubscribe function. */
  subscribe(subscriber: InMemorySubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  protected start(): void {
    this.setState('ready');
    this.wake();
  }

  protected wake(): void {
    if (this.scheduled || (this.state !== 'ready' && this.state !== 'closing')) return;
    this.scheduled = true;
    setImmediate(() => this.deliver());
  }

  protected async shutdown(): Promise<void> {
    this.subscribers.clear();
  }

  private deliver(): void {
    this.scheduled = false;
    const batch = this.queue.take(Number.POSITIVE_INFINITY);
    for (const message of batch) {
      const { senderId, event } = parseEventMessage(message.body);
      const delivery: InMemoryDelivery = { senderId, event, body: message.body, headers: message.headers };
      this.messages.push(delivery);
      for (const subscriber of this.subscribers) {
        try {
          subscriber(delivery);
        } catch (error) {
          this.logger.error(
            { err: error },
            'an in-memory subscriber threw; the event still counts as delivered',
          );
        }
      }
    }
    this.queue.confirm(batch);
  }
}
