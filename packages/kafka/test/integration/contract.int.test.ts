import { describeEventBrokerContract } from '@broker/core/testing';
import { KafkaEventBroker } from '../../src/index';
import { createTopic, deleteTopics, kafkaSingle, testClient, uniqueTopic } from './kafka-services';

/**
 * The EventBroker contract every broker obeys, against the real Kafka: each test publishes to a
 * fresh single-partition topic and reads it back with a separate kafkajs consumer.
 */
describeEventBrokerContract('KafkaEventBroker (real Kafka, PLAINTEXT)', {
  timeoutMs: 30_000,
  async setup(options = {}) {
    const kafka = await kafkaSingle();
    const brokers = [kafka.plaintext];
    const topic = uniqueTopic('contract');
    await createTopic(brokers, topic);
    const received: string[] = [];
    const arrived = new Set<() => void>();
    const consumer = testClient(brokers).consumer({ groupId: `contract-${topic}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString('utf8') ?? '');
        for (const wake of arrived) wake();
      },
    });
    return {
      broker: new KafkaEventBroker({ url: brokers, topic, ...options }),
      async read(count, timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        while (received.length < count) {
          const left = deadline - Date.now();
          if (left <= 0)
            throw new Error(`read ${received.length} of ${count} messages from ${topic} in ${timeoutMs} ms`);
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              arrived.delete(done);
              resolve();
            };
            const timer = setTimeout(done, left);
            arrived.add(done);
          });
        }
        return received.slice(0, count);
      },
      async teardown() {
        await consumer.disconnect();
        await deleteTopics(brokers, [topic]);
      },
    };
  },
  async setupFailing() {
    // The SASL listener refuses the password before any topic is touched.
    const kafka = await kafkaSingle();
    return {
      broker: new KafkaEventBroker({
        url: kafka.saslPlaintext,
        topic: uniqueTopic('never-created'),
        securityProtocol: 'SASL_PLAINTEXT',
        saslMechanism: 'PLAIN',
        saslUsername: kafka.users.plain.username,
        saslPassword: 'not-the-password',
      }),
      teardown: async () => {},
    };
  },
});
