import amqplib from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';

/**
 * What one run created on the shared brokers, so it can be removed afterwards: the machine's
 * RabbitMQ and Kafka outlive the test, and nothing else should see our queues or topics.
 */
export class BrokerResources {
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();

  /** A queue and its exchange; the consumer's dead-letter queue goes with them. */
  rabbit(queue: string, exchange: string): void {
    this.queues.add(queue).add(`${queue}.dead-letter`);
    this.exchanges.add(exchange);
  }

  kafka(topic: string, group: string): void {
    this.topics.add(topic).add(`${topic}.dead-letter`);
    this.groups.add(group);
  }

  /** Deletes everything recorded; what is already gone is skipped. Never throws (cleanup). */
  async remove(rabbitUrl: string, kafkaBrokers: string[]): Promise<string[]> {
    const problems: string[] = [];
    if (this.queues.size > 0) {
      const connection = await amqplib.connect(rabbitUrl).catch((error: Error) => {
        problems.push(`RabbitMQ cleanup: ${error.message}`);
        return undefined;
      });
      if (connection) {
        // A channel dies on the first failed operation; one per deletion keeps the others going.
        for (const queue of this.queues) {
          const channel = await connection.createChannel();
          channel.on('error', () => {});
          await channel.deleteQueue(queue).then(
            () => channel.close(),
            () => undefined,
          );
        }
        for (const exchange of this.exchanges) {
          const channel = await connection.createChannel();
          channel.on('error', () => {});
          await channel.deleteExchange(exchange).then(
            () => channel.close(),
            () => undefined,
          );
        }
        await connection.close().catch(() => undefined);
      }
    }
    if (this.topics.size > 0) {
      const admin = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const topics = [...this.topics].filter((topic) => existing.has(topic));
        if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
        await admin.deleteGroups([...this.groups]).catch(() => undefined);
      } catch (error) {
        problems.push(`Kafka cleanup: ${(error as Error).message}`);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    return problems;
  }
}
