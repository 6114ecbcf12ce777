import { InMemoryEventBroker } from '../broker/in-memory-event-broker';
import type { BrokerError } from '../errors/broker-error';
import { AuthenticationError, ConnectionError } from '../errors/errors';
import { noopLogger } from '../logging/logger';

/**
 * An in-memory broker whose first connection fails: for good (an AuthenticationError, as with
 * bad credentials) or with a retryable ConnectionError, after which it connects and delivers.
 * For the tracker-store contract: a store must keep saving either way.
 */
export class FailingEventBroker extends InMemoryEventBroker {
  /** Resolves with the error once the first connection failed. */
  readonly failedOnce: Promise<BrokerError>;
  private readonly error: BrokerError;
  private starts = 0;
  private onFailed!: (error: BrokerError) => void;

  constructor(options: { retryable: boolean }) {
    super({ logger: noopLogger });
    this.error = options.retryable
      ? new ConnectionError('The test broker is unreachable (connection refused).')
      : new AuthenticationError('The test broker refused the credentials.');
    this.failedOnce = new Promise((resolve) => {
      this.onFailed = resolve;
    });
  }

  protected override start(): void {
    this.starts++;
    if (this.starts > 1) {
      super.start();
      return;
    }
    queueMicrotask(() => {
      this.fail(this.error);
      this.onFailed(this.error);
    });
  }
}
