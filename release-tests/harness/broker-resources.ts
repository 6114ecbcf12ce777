import { removeKafkaResources, removeRabbitResources } from 'broker-test-kit';

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
    this.queues.add(queue);
    this.exchanges.add(exchange);
  }

  /** A topic (its dead-letter topic goes with it) and the consumer group that read it. */
  kafka(topic: string, group: string): void {
    this.topics.add(topic);
    this.groups.add(group);
  }

  /** Deletes everything recorded; what is already gone is skipped. Never throws (cleanup). */
  async remove(rabbitUrl: string, kafkaBrokers: string[]): Promise<string[]> {
    const problems: string[] = [];
    if (this.queues.size > 0) {
      const resources = { queues: [...this.queues], exchanges: [...this.exchanges] };
      problems.push(...(await removeRabbitResources(rabbitUrl, resources)));
    }
    if (this.topics.size > 0) {
      const resources = { topics: [...this.topics], groups: [...this.groups] };
      problems.push(...(await removeKafkaResources(kafkaBrokers, resources)));
    }
    return problems;
  }
}
