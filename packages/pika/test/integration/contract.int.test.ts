import { randomUUID } from 'node:crypto';
import { describeEventBrokerContract, describeMessageSourceContract } from '@broker/core/testing';
import { requireRabbitMq } from 'broker-test-kit';
import { afterAll, beforeAll } from 'vitest';
import { PikaEventBroker, PikaMessageSource } from '../../src/index';
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

describeEventBrokerContract('PikaEventBroker on RabbitMQ', {
  async setup(options = {}) {
    const queue = uniqueName('contract');
    const exchange = uniqueName('contract-exchange');
    // The reader's queue exists and is bound before anything is published.
    await reader.declareBound(queue, exchange);
    const { maxEvents, maxBytes, overflow } = options.buffer ?? {};
    return {
      broker: new PikaEventBroker({
        host: url,
        queues: [queue],
        exchangeName: exchange,
        ...(maxEvents === undefined ? {} : { bufferMaxEvents: maxEvents }),
        ...(maxBytes === undefined ? {} : { bufferMaxBytes: maxBytes }),
        ...(overflow === undefined ? {} : { bufferOverflow: overflow }),
      }),
      read: async (count, timeoutMs) =>
        (await reader.consume(queue, count, timeoutMs)).map((message) => message.content.toString('utf8')),
      teardown: () => reader.remove([queue], [exchange]),
    };
  },
  async setupFailing() {
    // RabbitMQ refuses the login before anything is declared.
    const wrongPassword = new URL(url);
    wrongPassword.username = 'guest';
    wrongPassword.password = 'not-the-password';
    return {
      broker: new PikaEventBroker({
        host: wrongPassword.toString(),
        queues: [uniqueName('never-declared')],
        exchangeName: uniqueName('never-declared'),
      }),
      teardown: async () => {},
    };
  },
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
