import { fileURLToPath } from 'node:url';
import {
  actionExecuted,
  botUttered,
  createEventBroker,
  createMessageSource,
  type EndpointConfig,
  InMemoryTrackerStore,
  loadEndpoints,
  parseEventMessage,
  type SourceMessage,
  serialiseEvent,
  userUttered,
} from '@broker/core';
import { requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmqpReader } from './helpers/amqp-reader';

const FIXTURE = fileURLToPath(
  new URL('../../../core/test/fixtures/rasa/endpoints/rasa-3.x/pika_endpoint.yml', import.meta.url),
);
// The adapter under test, as createEventBroker / createMessageSource would import '@broker/pika'.
const importPika = async () => import('../../src/index');

let reader: AmqpReader;
let config: EndpointConfig;

beforeAll(async () => {
  const main = await requireRabbitMq('main');
  reader = await AmqpReader.open(main.url);
  const fixture = loadEndpoints(FIXTURE).eventBroker!;
  // Only where and as whom to connect change; queues (queue-1) and exchange_name (exchange) are the fixture's.
  config = {
    ...fixture,
    url: main.host,
    kwargs: { ...fixture.kwargs, port: main.port, username: main.username, password: main.password },
  };
  // The fixture's names are fixed: start from a clean slate.
  await reader.remove(['queue-1'], ['exchange']);
});

afterAll(async () => {
  await reader?.remove(['queue-1'], ['exchange']);
  await reader?.close();
});

describe("Rasa 3.x's pika_endpoint.yml drives a round trip", () => {
  it('publishes tracker events through the factory and reads them back with the message source', async () => {
    expect(config.type).toBe('pika');
    expect(config.kwargs).toMatchObject({ queues: ['queue-1'], exchange_name: 'exchange' });
    const broker = await createEventBroker(config, { importModule: importPika });
    const source = await createMessageSource(config, { importModule: importPika });
    expect(source.description).toContain('queue queue-1');
    const store = new InMemoryTrackerStore({ eventBroker: broker! });
    const tracker = await store.getOrCreateTracker('fixture-user');
    tracker
      .update(userUttered('hello', { intent: { name: 'greet', confidence: 1 }, inputChannel: 'rest' }))
      .update(actionExecuted('utter_greet', { policy: 'RulePolicy', confidence: 1 }))
      .update(botUttered('Hey! How are you?'));
    await store.save(tracker);
    await broker!.flush(10_000);
    const sent = tracker.events.map((event) => serialiseEvent('fixture-user', event));

    const received: SourceMessage[] = [];
    const controller = new AbortController();
    const consuming = source.consume(
      (message) => {
        received.push(message);
        void message.settle({ outcome: 'ack' });
        if (received.length === sent.length) controller.abort();
      },
      { maxInFlight: 10, signal: controller.signal },
    );
    await consuming;
    await source.close();
    await broker!.close();

    expect(received.map((m) => m.body.toString('utf8'))).toEqual(sent);
    expect(received.map((m) => parseEventMessage(m.body).senderId)).toEqual(sent.map(() => 'fixture-user'));
    expect(received[0]!.meta).toMatchObject({ queue: 'queue-1', exchange: 'exchange', routingKey: '' });
    expect(await reader.messageCount('queue-1')).toBe(0);
  });
});
