import { randomUUID } from 'node:crypto';
import { createEventBroker, loadEndpoints } from '@broker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeKafkaEvents } from '../../src/reference/consume-kafka-events';
import { consumeRabbitMqEvents } from '../../src/reference/consume-rabbitmq-events';
import {
  deleteKafkaTopics,
  deleteRabbit,
  endpointsFile,
  kafkaEndpoint,
  loadServices,
  pikaEndpoint,
  queueDepth,
  rabbitNames,
  requireKafka,
  requireRabbitMq,
} from '../helpers/services';
import { rasaTurnLines } from '../helpers/wire';

const lines = rasaTurnLines();
const expected = lines.map((line) => JSON.parse(line));
let url: string;
const names = rabbitNames();
const topic = `consumers-reference-${randomUUID().slice(0, 8)}`;

async function publishTurn(endpoints: string): Promise<void> {
  const broker = await createEventBroker(loadEndpoints(endpoints).eventBroker);
  for (const line of lines) broker!.publish(line);
  await broker!.flush(30_000);
  await broker!.close();
}

/** Collects `count` values, then aborts the consumer. */
function collect(count: number) {
  const controller = new AbortController();
  const values: unknown[] = [];
  return {
    values,
    signal: controller.signal,
    callback: (value: unknown) => {
      values.push(value);
      if (values.length === count) controller.abort();
    },
  };
}

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  await requireKafka('single');
  await publishTurn(endpointsFile(kafkaEndpoint(topic)));
});

afterAll(async () => {
  await deleteRabbit(url, names);
  await deleteKafkaTopics([topic]);
});

describe('reference consumers (the Rasa documentation examples as library functions)', () => {
  it('consumeRabbitMqEvents: basic_consume with auto ack, json.loads(body) to the callback', async () => {
    const endpoints = endpointsFile(pikaEndpoint(url, names));
    await publishTurn(endpoints);
    const got = collect(8);
    await consumeRabbitMqEvents(
      {
        host: '127.0.0.1',
        username: 'guest',
        password: 'guest',
        queue: names.queue,
        exchangeName: names.exchange,
        signal: got.signal,
      },
      got.callback,
    );
    expect(got.values).toEqual(expected);
    expect(await queueDepth(url, names.queue)).toBe(0);
  });

  it('consumeKafkaEvents: PLAINTEXT, SASL_PLAINTEXT and SSL, as in the Rasa documentation', async () => {
    const kafka = loadServices().kafka.single;
    const tls = loadServices().tls;
    const variants = [
      { bootstrapServers: [kafka.plaintext], securityProtocol: 'PLAINTEXT' as const },
      {
        bootstrapServers: [kafka.saslPlaintext],
        securityProtocol: 'SASL_PLAINTEXT' as const,
        saslMechanism: 'PLAIN',
        saslUsername: kafka.users.plain.username,
        saslPassword: kafka.users.plain.password,
      },
      {
        bootstrapServers: kafka.ssl,
        securityProtocol: 'SSL' as const,
        sslCafile: tls.ca,
        sslCertfile: tls.clientCert,
        sslKeyfile: tls.clientKey,
        sslCheckHostname: true,
      },
    ];
    for (const variant of variants) {
      const got = collect(8);
      await consumeKafkaEvents(
        { ...variant, topic, groupId: `reference-${randomUUID()}`, fromBeginning: true, signal: got.signal },
        got.callback,
      );
      expect({ protocol: variant.securityProtocol, values: got.values }).toEqual({
        protocol: variant.securityProtocol,
        values: expected,
      });
    }
  });
});
