// Removes what a test or benchmark created on the shared brokers (see services/README.md).
import amqplib from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';

/** A queue and the `<queue>.dead-letter` queue a message source declares beside it. */
const withDeadLetters = (names) => [...new Set(names.flatMap((name) => [name, `${name}.dead-letter`]))];

/**
 * Deletes RabbitMQ queues (each with its `.dead-letter` queue) and exchanges; missing ones are
 * fine. Never rejects (cleanup): resolves with what could not be removed.
 */
export async function removeRabbitResources(url, { queues = [], exchanges = [] }) {
  const problems = [];
  let connection;
  try {
    connection = await amqplib.connect(url);
  } catch (error) {
    return [`RabbitMQ cleanup: ${error.message}`];
  }
  connection.on('error', () => undefined);
  // A refused deletion closes its channel: one channel each keeps the others going.
  const deletions = [
    ...withDeadLetters(queues).map((queue) => ['queue', queue, (channel) => channel.deleteQueue(queue)]),
    ...exchanges.map((exchange) => ['exchange', exchange, (channel) => channel.deleteExchange(exchange)]),
  ];
  try {
    for (const [kind, name, remove] of deletions) {
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        await remove(channel);
        await channel.close().catch(() => undefined);
      } catch (error) {
        problems.push(`RabbitMQ cleanup of ${kind} ${name}: ${error.message}`);
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  return problems;
}

/**
 * Deletes the Kafka topics (each with its `.dead-letter` topic) that exist, and consumer groups.
 * Never rejects (cleanup): resolves with what could not be removed.
 */
export async function removeKafkaResources(brokers, { topics = [], groups = [], timeoutMs = 30_000 }) {
  const admin = new Kafka({ clientId: 'broker-test-kit', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const doomed = withDeadLetters(topics).filter((topic) => existing.has(topic));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: timeoutMs });
    if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
    return [];
  } catch (error) {
    return [`Kafka cleanup: ${error.message}`];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
