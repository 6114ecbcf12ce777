import { describe, expect, it } from 'vitest';
import { HandledMessages } from '../src/consumer/handled-messages';

const body = '{"sender_id": "alice", "event": "action", "timestamp": 1716801234.5, "name": "action_listen"}';
const delivery = (options: { redelivered?: boolean; messageId?: string; text?: string } = {}) => ({
  body: options.text ?? body,
  redelivered: options.redelivered ?? false,
  messageId: options.messageId,
});

describe('HandledMessages', () => {
  it('takes an identical body that is not a redelivery for a new event', () => {
    const handled = new HandledMessages(100);
    handled.remember(delivery());
    expect(handled.isCopy(delivery())).toBe(false);
  });

  it('takes a redelivery of a handled body for a copy, and of another body for a new event', () => {
    const handled = new HandledMessages(100);
    handled.remember(delivery());
    expect(handled.isCopy(delivery({ redelivered: true }))).toBe(true);
    expect(handled.isCopy(delivery({ redelivered: true, text: body.replace('alice', 'bob') }))).toBe(false);
  });

  it('goes by the message id when there is one, whatever the body and the redelivered flag', () => {
    const handled = new HandledMessages(100);
    handled.remember(delivery({ messageId: 'amqp:m-1' }));
    // A producer's re-send: same id, not flagged redelivered.
    expect(handled.isCopy(delivery({ messageId: 'amqp:m-1' }))).toBe(true);
    // Another message with an equal body, even redelivered (Kafka: an earlier offset not handled yet).
    expect(handled.isCopy(delivery({ messageId: 'amqp:m-2' }))).toBe(false);
    expect(handled.isCopy(delivery({ messageId: 'kafka:t[0]@7/1716801234500', redelivered: true }))).toBe(
      false,
    );
  });

  it('remembers nothing with capacity 0', () => {
    const handled = new HandledMessages(0);
    handled.remember(delivery({ messageId: 'amqp:m-1' }));
    expect(handled.isCopy(delivery({ messageId: 'amqp:m-1', redelivered: true }))).toBe(false);
  });
});
