import {
  type BrokerError,
  type BrokerState,
  BufferedEventBroker,
  type BufferedEventBrokerOptions,
  type OutboundMessage,
} from '../../src/index';

/**
 * A broker whose transport does nothing by itself: events stay queued until the test moves
 * them (`takeAll`, `confirm`, `failInFlight`) or fails the broker, the way a transport would.
 */
export class ManualBroker extends BufferedEventBroker {
  starts = 0;

  constructor(options: Partial<BufferedEventBrokerOptions> = {}) {
    super({ name: 'manual', ...options });
  }

  takeAll(): OutboundMessage[] {
    return this.queue.take(Number.POSITIVE_INFINITY);
  }

  confirm(messages: OutboundMessage[]): void {
    this.queue.confirm(messages);
  }

  failInFlight(messages: OutboundMessage[], error: BrokerError): void {
    this.failMessages(messages, error);
  }

  failNow(error: BrokerError): void {
    this.fail(error);
  }

  retrying(error: BrokerError): void {
    this.reportRetrying(error, `retrying: ${error.message}`);
  }

  moveTo(state: BrokerState): void {
    this.setState(state);
  }

  protected start(): void {
    this.starts++;
  }

  protected wake(): void {}

  protected async shutdown(): Promise<void> {}
}
