// A user's CommonJS program: the event broker comes from endpoints.yml as Rasa reads it (type
// pika or kafka; @broker/core loads the installed adapter), the tracker store streams to it.
// Usage: node publish-from-endpoints.cjs <endpoints.yml> <sender id>
const { InMemoryTrackerStore, createEventBroker, loadEndpoints, parseEvent } = require('@broker/core');
const turns = require('./conversation.json');

async function main() {
  const [endpointsFile, senderId] = process.argv.slice(2);
  const broker = await createEventBroker(loadEndpoints(endpointsFile).eventBroker);
  const store = new InMemoryTrackerStore({ eventBroker: broker });
  const tracker = await store.getOrCreateTracker(senderId);
  for (const turn of turns) tracker.update(parseEvent({ ...turn, timestamp: Date.now() / 1000 }));
  await store.save(tracker);
  const report = await broker.close();

  const events = tracker.events.map((event) => event.event);
  const summary = { senderId, events, confirmed: report.confirmed, undelivered: report.undelivered.length };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = report.undelivered.length === 0 ? 0 : 1;
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
