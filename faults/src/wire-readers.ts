import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { removeKafkaResources, removeRabbitResources } from 'broker-test-kit';
import { Kafka, logLevel } from 'kafkajs';
import type { EventLedger } from './event-ledger';
import { readNumberedEvent } from './numbered-events';

/**
 * Reads every message in a RabbitMQ queue (duplicates included) into the ledger with plain
 * amqplib, independent of the code under test, and deletes the queue and exchange. The
 * producer has closed, so the queue's message count is the whole stream.
 */
export async function drainQueueIntoLedger(
  url: string,
  queue: string,
  exchange: string,
  ledger: EventLedger,
): Promise<number> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    let received = 0;
    await channel.prefetch(500);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${received} of ${messageCount} messages from ${queue}`)),
        60_000,
      );
      if (messageCount === 0) {
        clearTimeout(timer);
        resolve();
        return;
      }
      channel
        .consume(queue, (message) => {
          if (!message) return;
          ledger.seen(readNumberedEvent(message.content));
          channel.ack(message);
          if (++received === messageCount) {
            clearTimeout(timer);
            resolve();
          }
        })
        .catch(reject);
    });
    return messageCount;
  } finally {
    await connection.close().catch(() => undefined);
    await deleteQueue(url, queue, exchange);
  }
}

/** Deletes a scenario's queue, its dead-letter queue and its exchange. */
export async function deleteQueue(url: string, queue: string, exchange: string): Promise<void> {
  await removeRabbitResources(url, { queues: [queue], exchanges: [exchange] });
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'fault-suite', brokers, logLevel: logLevel.NOTHING });
}

/**
 * Reads every record of a topic (duplicates included) into the ledger with a plain kafkajs
 * consumer from the beginning, and deletes the topic. The producer has closed, so the sum of
 * the partitions' end offsets is the whole stream; each offset is counted once even if the
 * reader's own group rebalances.
 */
export async function readTopicIntoLedger(
  brokers: string[],
  topic: string,
  ledger: EventLedger,
): Promise<number> {
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  const consumer = kafka.consumer({ groupId: `fault-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const counted = new Set<string>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${counted.size} of ${total} records from ${topic}`)),
        60_000,
      );
      if (total === 0) {
        clearTimeout(timer);
        resolve();
        return;
      }
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const key = `${partition}@${message.offset}`;
            if (counted.has(key)) return;
            counted.add(key);
            ledger.seen(readNumberedEvent(message.value ?? Buffer.alloc(0)));
            if (counted.size === total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await admin.disconnect();
    await deleteTopic(brokers, topic);
  }
  return total;
}

/** Deletes a scenario's topic and its dead-letter topic. */
export async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  await removeKafkaResources(brokers, { topics: [topic] });
}
