import { describe, expect, it } from 'vitest';
import { InMemoryEventBroker, slotSet } from '../src/index';
import { describeEventBrokerContract } from '../src/testing/index';

describeEventBrokerContract('InMemoryEventBroker', {
  async setup(options) {
    const broker = new InMemoryEventBroker({ ...options });
    const received: string[] = [];
    broker.subscribe((delivery) => received.push(delivery.body));
    return {
      broker,
      read: async (count) => {
        await broker.flush(1000).catch(() => undefined);
        return received.slice(0, count);
      },
      teardown: async () => {},
    };
  },
});

describe('InMemoryEventBroker', () => {
  it('delivers typed events with their sender to subscribers, after publish returns', async () => {
    const broker = new InMemoryEventBroker();
    const seen: string[] = [];
    broker.subscribe(({ senderId, event }) => seen.push(`${senderId}:${event.event}`));
    broker.publish({ sender_id: 'a', ...slotSet('x', 1) });
    expect(seen).toEqual([]);
    await broker.flush();
    expect(seen).toEqual(['a:slot']);
  });

  it('keeps delivering when a subscriber throws', async () => {
    const broker = new InMemoryEventBroker();
    const seen: number[] = [];
    broker.subscribe(() => {
      throw new Error('boom');
    });
    broker.subscribe(() => seen.push(1));
    broker.publish({ sender_id: 'a', ...slotSet('x', 1) });
    await broker.flush();
    expect(seen).toEqual([1]);
    expect(broker.stats().confirmed).toBe(1);
  });
});
