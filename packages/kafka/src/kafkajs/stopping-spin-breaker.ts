import { type Logger, noopLogger } from '@broker/core';

/** The debug line kafkajs's consumer runner logs each time a fetcher asks it for data after it stopped. */
const NOT_RUNNING = 'consumer not running, exiting';
/** Far more than a stopping consumer logs in one turn of the event loop (one per fetcher). */
const SPIN_LIMIT = 1000;

/** Thrown out of kafkajs's log call to end a fetcher loop that would never yield again. */
export class FetcherSpinError extends Error {
  constructor() {
    super(
      'kafkajs fetchers kept asking the stopped consumer for data without yielding; ended them so that disconnect can finish',
    );
    this.name = 'FetcherSpinError';
  }
}

/**
 * Works around a kafkajs 2.2.4 hang: when the brokers of the cluster change (one restarted)
 * while a consumer stops, its fetch manager re-creates fetchers after the runner stopped, and
 * they loop forever on the runner's immediate "not running" answer. The loop only awaits
 * settled promises, so no timer or socket ever runs again: the process sits at 100% CPU.
 *
 * Every turn of that loop logs one debug line, the only code of ours it reaches. Once armed
 * (the consumer is stopping or crashed; kafkajs then logs at debug level, see `onArm`),
 * seeing that line many times before the event loop turns once means the loop is spinning,
 * and throwing from the log call ends it: the fetchers fail, kafkajs retries on a timer, sees
 * the runner stopped, and disconnect completes.
 */
export class StoppingSpinBreaker {
  private armed = false;
  private broken = false;
  private seenThisTurn = 0;
  private resetScheduled = false;

  /** `onArm` makes kafkajs deliver debug lines from then on (they are off for speed while consuming). */
  constructor(
    private readonly onArm: () => void,
    private readonly logger: Logger = noopLogger,
  ) {}

  arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.onArm();
  }

  /** Called with every kafkajs log line; throws `FetcherSpinError` once the fetchers spin. */
  observe(message: string): void {
    // kafkajs's consumer logs its crash before it disconnects by itself: the same hang can follow.
    if (message.startsWith('Crash: ')) this.arm();
    if (!this.armed || message !== NOT_RUNNING) return;
    this.seenThisTurn++;
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      setImmediate(() => {
        this.resetScheduled = false;
        this.seenThisTurn = 0;
      });
    }
    if (this.seenThisTurn <= SPIN_LIMIT) return;
    if (!this.broken) {
      this.broken = true;
      this.logger.warn(
        'kafkajs kept fetching for the stopped consumer without yielding (brokers changed while it stopped); ending its fetchers',
      );
    }
    throw new FetcherSpinError();
  }
}
