import { performance } from 'node:perf_hooks';
import type { BufferedEventBroker, OutboundMessage, OutboundQueue } from '@broker/core';

/**
 * A measurement probe for any broker built on `BufferedEventBroker`: calls `onConfirm` with the
 * acceptance numbers (`seq`, 1-based, in `publish` order) of the events the transport just
 * confirmed. The public API reports confirmations only in bulk (`flush`, `stats`); per-event
 * publish-to-confirm latency needs this look inside. It wraps the queue's `confirm` and changes
 * nothing else.
 */
export function probeConfirms(
  broker: BufferedEventBroker,
  onConfirm: (seqs: number[], at: number) => void,
): void {
  const queue = (broker as unknown as { queue: OutboundQueue }).queue;
  const confirm = queue.confirm.bind(queue);
  queue.confirm = (messages: Iterable<OutboundMessage>) => {
    const list = Array.isArray(messages) ? (messages as OutboundMessage[]) : [...messages];
    confirm(list);
    onConfirm(
      list.map((message) => message.seq),
      performance.now(),
    );
  };
}
