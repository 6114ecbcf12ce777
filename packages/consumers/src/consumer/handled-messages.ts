import { hash } from 'node:crypto';
import type { ConsumedEvent } from './consumed-event';
import { RecentDeliveries } from './recent-deliveries';

type Delivery = Pick<ConsumedEvent, 'messageId' | 'redelivered' | 'body'>;

/** The wire body carries the sender id, so equal bodies are equal events of one conversation. */
function bodyKey(body: string): string {
  return `body:${hash('sha1', body, 'base64')}`;
}

/**
 * The last N handled messages, to recognise a copy the broker delivers again (after a
 * reconnect or a rebalance, before its acknowledgement arrived) without mistaking an identical
 * event for one. A delivery is a copy only when it provably is one:
 *
 * - it carries a message id (AMQP `message_id`, Kafka offset) and a message with that id was
 *   handled; the body does not matter;
 * - it carries none, the broker flags it as a redelivery (AMQP `redelivered`), and a message
 *   with the same body was handled.
 *
 * Two deliveries that are not redeliveries are two events, even with equal bodies.
 */
export class HandledMessages {
  private readonly recent: RecentDeliveries;

  constructor(capacity: number) {
    this.recent = new RecentDeliveries(capacity);
  }

  isCopy(delivery: Delivery): boolean {
    if (delivery.messageId !== undefined) return this.recent.has(delivery.messageId);
    return delivery.redelivered && this.recent.has(bodyKey(delivery.body));
  }

  remember(delivery: Delivery): void {
    this.recent.add(delivery.messageId ?? bodyKey(delivery.body));
  }
}
