// A user's TypeScript against the installed declarations; compiled (not run) by the registry
// test under node16 (as CommonJS .ts and as ESM .mts) and bundler resolution.

import { type ConsumerReport, runConsumer } from '@broker/consumers';
import { type EventBroker, InMemoryTrackerStore, isKnownEvent, userUttered } from '@broker/core';
import { PikaEventBroker, type PikaEventBrokerOptions } from '@broker/pika';

const options: PikaEventBrokerOptions = { host: 'localhost', queues: ['rasa_core_events'] };
const broker: EventBroker = new PikaEventBroker(options);
const store = new InMemoryTrackerStore({ eventBroker: broker });

export async function streamAndRead(): Promise<ConsumerReport> {
  const tracker = await store.getOrCreateTracker('default');
  tracker.update(userUttered('hello'));
  await store.save(tracker);
  const { undelivered } = await broker.close();
  if (undelivered.length > 0) throw new Error(`${undelivered.length} events not delivered`);
  return runConsumer({
    endpoints: 'endpoints.yml',
    maxEvents: 1,
    handler: ({ senderId, event }) => {
      if (isKnownEvent(event) && event.event === 'user') return `${senderId}: ${event.text}`;
      return undefined;
    },
  });
}
