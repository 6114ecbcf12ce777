// A user's ES module program: an in-memory tracker store whose saves stream to RabbitMQ through
// the installed @broker/pika. Usage: node publish-with-pika.mjs '<PikaEventBroker options JSON>' <sender id>
import { readFileSync } from 'node:fs';
import { InMemoryTrackerStore, parseEvent } from '@broker/core';
import { PikaEventBroker } from '@broker/pika';

const options = JSON.parse(process.argv[2]);
const senderId = process.argv[3];
const turns = JSON.parse(readFileSync(new URL('./conversation.json', import.meta.url), 'utf8'));

const broker = new PikaEventBroker(options);
const store = new InMemoryTrackerStore({ eventBroker: broker });
const tracker = await store.getOrCreateTracker(senderId);
for (const turn of turns) tracker.update(parseEvent({ ...turn, timestamp: Date.now() / 1000 }));
await store.save(tracker);
const report = await broker.close();

const events = tracker.events.map((event) => event.event);
process.stdout.write(
  `${JSON.stringify({ senderId, events, confirmed: report.confirmed, undelivered: report.undelivered.length })}\n`,
);
process.exitCode = report.undelivered.length === 0 ? 0 : 1;
