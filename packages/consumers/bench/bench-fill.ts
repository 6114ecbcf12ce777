import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import type { BenchEvent } from 'broker-bench-harness';
import { removeKafkaResources, removeRabbitResources } from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';

/** Puts the bodies on a durable queue (persistent, confirmed) for one consumer run. */
export async function fillQueue(url: string, queue: string, events: readonly BenchEvent[]): Promise<void> {
  const connection = await amqplib.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const event of events) {
      if (!channel.sendToQueue(queue, Buffer.from(event.body), { persistent: true }))
        await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Deletes the run's queue and exchange (and the dead-letter queue our consumer may declare). */
export async function deleteQueue(url: string, queue: string, exchange: string): Promise<void> {
  await removeRabbitResources(url, { queues: [queue], exchanges: [exchange] });
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: 'bench', logLevel: logLevel.NOTHING });
}

/** A fresh topic with 3 partitions holding the bodies, keyed by conversation; every run reads it with a new group. */
export async function fillTopic(brokers: string[], events: readonly BenchEvent[]): Promise<string> {
  const topic = `bench-${randomUUID()}`;
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < events.length; i += 1000) {
    await producer.send({
      topic,
      messages: events.slice(i, i + 1000).map((event) => ({ key: event.senderId, value: event.body })),
    });
  }
  await producer.disconnect();
  return topic;
}

/** Deletes the run's topic and the dead-letter topic our consumer may create. */
export async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  await removeKafkaResources(brokers, { topics: [topic] });
}
