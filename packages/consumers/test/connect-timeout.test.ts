import { toEndpointConfig } from '@broker/core';
import { describe, expect, it } from 'vitest';
import { brokerLocation, withoutStartupWait } from '../src/cli/connect-timeout';

describe('brokerLocation', () => {
  it.each([
    [
      { type: 'pika', url: 'amqp://app:s3cret@rabbit:5672/vhost' },
      'RabbitMQ at amqp://app:***@rabbit:5672/vhost',
    ],
    [{ url: 'rabbit', port: 5673, username: 'app' }, 'RabbitMQ at rabbit:5673'],
    [{ type: 'pika', url: 'amqp://rabbit', port: '5673' }, 'RabbitMQ at amqp://rabbit:5673'],
    [{ type: 'kafka', url: ['k1:9092', 'k2:9092'], topic: 't' }, 'Kafka at k1:9092, k2:9092'],
    [{ type: 'file', path: 'rasa_event.log' }, 'the file broker'],
  ])('%j is %s', (section, location) => {
    expect(brokerLocation(toEndpointConfig(section))).toBe(location);
  });
});

describe('withoutStartupWait', () => {
  it("turns the adapters' startup wait off and leaves other brokers alone", () => {
    const pika = toEndpointConfig({ url: 'rabbit', startup: 'wait', connection_attempts: 3 });
    expect(withoutStartupWait(pika).kwargs).toEqual({ startup: 'buffer', connection_attempts: 3 });
    const custom = toEndpointConfig({ type: './my-broker.js#MyBroker', url: 'x' });
    expect(withoutStartupWait(custom)).toBe(custom);
  });
});
