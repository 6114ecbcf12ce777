import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import {
  closedPort,
  closeRabbitConnections,
  loadServices,
  removeKafkaResources,
  removeRabbitResources,
  requireKafka,
  requireRabbitMq,
  restartRabbitNode,
} from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';

export { closedPort, closeRabbitConnections, loadServices, requireKafka, requireRabbitMq, restartRabbitNode };

const tempDir = mkdtempSync(join(tmpdir(), 'consumers-test-'));

/** A fresh queue and exchange name pair for one test. */
export function rabbitNames(): { queue: string; exchange: string } {
  const id = randomUUID().slice(0, 8);
  return { queue: `consumers-test-${id}`, exchange: `consumers-test-x-${id}` };
}

/** Writes an endpoints.yml with the given event_broker keys; returns its path. */
export function endpointsFile(eventBroker: Record<string, unknown>): string {
  const lines = ['event_broker:'];
  for (const [key, value] of Object.entries(eventBroker)) lines.push(`  ${key}: ${JSON.stringify(value)}`);
  const path = join(tempDir, `endpoints-${randomUUID().slice(0, 8)}.yml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export function pikaEndpoint(
  url: string,
  names: { queue: string; exchange: string },
): Record<string, unknown> {
  // Credentials go in username/password, as in Rasa's endpoints files.
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  return {
    type: 'pika',
    url: bare.toString().replace(/\/$/, ''),
    username: 'guest',
    password: 'guest',
    queues: [names.queue],
    exchange_name: names.exchange,
  };
}

export function kafkaEndpoint(topic: string): Record<string, unknown> {
  return {
    type: 'kafka',
    url: loadServices().kafka.single.plaintext,
    topic,
    security_protocol: 'PLAINTEXT',
    partition_by_sender: true,
  };
}

/** Reads (and acknowledges) every message now in `queue`; for checking dead letters and leftovers. */
export async function drainQueue(
  url: string,
  queue: string,
): Promise<{ body: string; headers: Record<string, unknown> }[]> {
  const connection = await amqplib.connect(url);
  // A missing queue closes the channel with an error; the rejected call reports it.
  connection.on('error', () => {});
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    const out: { body: string; headers: Record<string, unknown> }[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) return out;
      out.push({ body: message.content.toString('utf8'), headers: message.properties.headers ?? {} });
    }
  } finally {
    await connection.close();
  }
}

/** Number of messages ready in `queue`. */
export async function queueDepth(url: string, queue: string): Promise<number> {
  const connection = await amqplib.connect(url);
  // A missing queue closes the channel with an error; the rejected call reports it.
  connection.on('error', () => {});
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    return (await channel.checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

/** Publishes raw bodies to a queue through the default exchange (as a misbehaving producer would). */
export async function publishRaw(url: string, queue: string, bodies: string[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const body of bodies) channel.sendToQueue(queue, Buffer.from(body), { persistent: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Deletes the test's queue (with its dead-letter queue) and exchange. */
export async function deleteRabbit(url: string, names: { queue: string; exchange: string }): Promise<void> {
  await removeRabbitResources(url, { queues: [names.queue], exchanges: [names.exchange] });
}

function kafkaClient(): Kafka {
  return new Kafka({
    brokers: [loadServices().kafka.single.plaintext],
    clientId: 'consumers-test',
    logLevel: logLevel.NOTHING,
  });
}

export interface KafkaRecord {
  key: string | undefined;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Reads `count` messages of `topic` from the beginning with a group of its own, in offset order
 * per partition. Each offset is kept once: the reader's group may rebalance and fetch again.
 */
export async function readKafkaTopic(
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<KafkaRecord[]> {
  const consumer = kafkaClient().consumer({ groupId: `consumers-test-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Map<string, KafkaRecord>();
    let enough!: () => void;
    const done = new Promise<void>((resolve) => (enough = resolve));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        seen.set(`${partition}:${message.offset}`, {
          key: message.key?.toString('utf8'),
          value: message.value?.toString('utf8') ?? '',
          headers,
          partition,
          offset: message.offset,
        });
        if (seen.size >= count) enough();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Timed out after ${timeoutMs} ms reading ${count} messages of ${topic} (got ${seen.size}).`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return [...seen.values()].sort(
      (a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset),
    );
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes the topics that exist among `topics` (with their dead-letter topics). */
export async function deleteKafkaTopics(topics: string[]): Promise<void> {
  await removeKafkaResources([loadServices().kafka.single.plaintext], { topics });
}
