import type { Logger, MessageSource } from '@broker/core';
import { decodeMessage } from '../consumer/decode-message';
import type { ViewData } from './view-data';

/** Messages taken from the broker and not yet acknowledged; the viewer acknowledges each at once. */
const MAX_IN_FLIGHT = 256;

/** `user:password@` of a URL in a text: the page shows where events come from, never who logs in. */
export function withoutUserInfo(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

function messageOf(error: unknown): string {
  return withoutUserInfo(error instanceof Error ? error.message : String(error));
}

/**
 * The source's logger, watched: a source reports a failed connection attempt or a lost
 * connection as a warn or error record with `err`, and reconnects by itself; the page shows it
 * until the source consumes again (`onConsuming`).
 */
export function watchSourceTrouble(logger: Logger, onTrouble: (message: string) => void): Logger {
  const watched = (level: 'warn' | 'error') =>
    ((first: unknown, second?: string) => {
      const err = typeof first === 'object' && first !== null ? (first as { err?: unknown }).err : undefined;
      if (err !== undefined) onTrouble(messageOf(err));
      (logger[level] as (first: unknown, second?: string) => void)(first, second);
    }) as Logger['warn'];
  return {
    debug: logger.debug.bind(logger),
    info: logger.info.bind(logger),
    warn: watched('warn'),
    error: watched('error'),
    child: (bindings) => watchSourceTrouble(logger.child ? logger.child(bindings) : logger, onTrouble),
    bindings: () => logger.bindings?.() ?? {},
  };
}

/**
 * Feeds the viewer from the broker until `signal` aborts: every message is acknowledged as soon
 * as it is shown (the viewer's own queue or group: nobody else is waiting for it); what is not an
 * event is counted and skipped. Never rejects: a source that gives up is reported on the page.
 */
export async function runLiveFeed(
  source: MessageSource,
  data: ViewData,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  try {
    await source.consume(
      (message) => {
        const decoded = decodeMessage(message);
        if (decoded.ok) {
          data.receive(decoded.event.senderId, decoded.event.event, decoded.event.body);
        } else {
          data.countMalformed();
          logger.warn(
            { position: message.position, kind: decoded.kind },
            `skipped a message that is not an event (${decoded.reason})`,
          );
        }
        void message.settle({ outcome: 'ack' });
      },
      { maxInFlight: MAX_IN_FLIGHT, signal, onConsuming: () => data.setSourceState('live') },
    );
    data.setSourceState('stopped');
  } catch (error) {
    data.setSourceState('failed', messageOf(error));
    logger.error({ err: error }, `stopped reading ${source.description}: ${messageOf(error)}`);
  }
}
