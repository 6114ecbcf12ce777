import type { BrokerError } from '../errors/broker-error';
import { ReportThrottle } from './report-throttle';

/** How often the same kind of failure (same error code) may be written again. */
const REPEAT_INTERVAL_MS = 60_000;

/**
 * Where a failure goes when the user gave no logger and nobody listens for it: a Node.js process
 * warning on stderr (`process.emitWarning`, type `BrokerWarning`, the error's code), at most one
 * per code a minute, counting the ones held back. kafkajs writes its logs to the console by
 * default and amqplib or pg crash the process on an unheard `error`; a process warning is the
 * middle way: one visible line, the same channel as Node's own warnings, `--no-warnings` and
 * `process.on('warning')` work on it.
 */
export class FallbackWarnings {
  private readonly throttles = new Map<string, ReportThrottle>();

  /** `source` names what failed in the warning, e.g. `pika broker`. */
  constructor(private readonly source: string) {}

  /** `event` is the event a listener would have heard it from. */
  warn(error: BrokerError, message: string, event: 'error' | 'undelivered' = 'error'): void {
    let throttle = this.throttles.get(error.code);
    if (!throttle) {
      throttle = new ReportThrottle(REPEAT_INTERVAL_MS);
      this.throttles.set(error.code, throttle);
    }
    const count = throttle.take();
    if (count === 0) return;
    const repeated = count > 1 ? ` (${count} times since the last warning like it)` : '';
    const text = message.startsWith(this.source) ? message : `${this.source}: ${message}`;
    process.emitWarning(`${text}${repeated}`, {
      type: 'BrokerWarning',
      code: error.code,
      detail:
        'Written because no logger was given and nothing listens for this failure: pass a `logger` ' +
        `(noopLogger discards everything) or listen for the '${event}' event to handle it yourself.`,
    });
  }
}
