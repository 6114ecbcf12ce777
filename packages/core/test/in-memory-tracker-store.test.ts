import { describe, expect, it } from 'vitest';
import { InMemoryEventBroker, InMemoryTrackerStore, userUttered } from '../src/index';
import { describeTrackerStoreContract } from '../src/testing/index';

describeTrackerStoreContract('InMemoryTrackerStore', {
  create: (eventBroker) => new InMemoryTrackerStore({ eventBroker }),
});

describe('InMemoryTrackerStore', () => {
  it('works without a broker, and keeps its copy apart from the tracker object', async () => {
    const store = new InMemoryTrackerStore();
    const tracker = await store.getOrCreateTracker('u');
    tracker.update(userUttered('not saved yet'));
    expect((await store.retrieve('u'))!.events).toHaveLength(1);
    await store.save(tracker);
    expect((await store.retrieve('u'))!.events).toHaveLength(2);
    expect(await store.exists('nobody')).toBe(false);
  });

  it('streams to the broker it was given, like the Rasa documentation example', async () => {
    const broker = new InMemoryEventBroker();
    const store = new InMemoryTrackerStore({ eventBroker: broker });
    const tracker = await store.getOrCreateTracker('seed');
    tracker.update(userUttered('hello'));
    await store.save(tracker);
    await broker.flush();
    expect(broker.messages.map((m) => m.event.event)).toEqual(['action', 'user']);
  });
});
