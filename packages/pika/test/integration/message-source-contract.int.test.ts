import { randomUUID } from 'node:crypto';
import { describeMessageSourceContract } from '@broker/core/testing';
import { requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll } from 'vitest';
import { PikaMessageSource } from '../../src/index';
import { AmqpReader, uniqueName } from './helpers/amqp-reader';

let url: string;
let reader: AmqpReader;

beforeAll(async () => {
  url = (await requireRabbitMq('main')).url;
  reader = await AmqpReader.open(url);
});

afterAll(async () => {
  await reader?.close();
});

describeMessageSourceContract('PikaMessageSource on RabbitMQ', {
  redelivers: true,
  async setup() {
    const queue = uniqueName('source-contract');
    const exchange = uniqueName('source-contract-exchange');
    const deadLetter = `${queue}.dead-letter`;
    await reader.declareBound(queue, exchange);
    return {
      open: () =>
        new PikaMessageSource({ host: url, queues: [queue], exchangeName: exchange, stopTimeoutMs: 200 }),
      publish: async (bodies) => {
        for (const body of bodies) {
          reader.channel.sendToQueue(queue, Buffer.from(body, 'utf8'), {
            persistent: true,
            messageId: randomUUID(),
          });
        }
        // A round trip on the same channel: everything sent before it has reached the queue.
        await reader.channel.checkQueue(queue);
      },
      readDeadLetters: async (count, timeoutMs) =>
        (await reader.consume(deadLetter, count, timeoutMs)).map((message) =>
          message.content.toString('utf8'),
        ),
      teardown: () => reader.remove([queue, deadLetter], [exchange]),
    };
  },
});
