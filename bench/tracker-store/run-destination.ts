import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { Kafka, logLevel } from 'kafkajs';

export type RunDestination =
  | { kind: 'none' }
  | { kind: 'pika'; exchange: string; queue: string }
  | { kind: 'kafka'; topic: string };

/**
 * A fresh queue (and exchange) or topic for one run, deleted afterwards with what it holds, so
 * runs never read or fill each other's.
 */
export async function withRunDestination<T>(
  kind: RunDestination['kind'],
  services: { rabbitUrl: string; kafkaBrokers: string[] },
  run: (destination: RunDestination) => Promise<T>,
): Promise<T> {
  const id = randomUUID();
  if (kind === 'none') return run({ kind });
  if (kind === 'pika') {
    const destination = { kind, exchange: `bench-tracker-${id}`, queue: `bench-tracker-${id}` } as const;
    try {
      return await run(destination);
    } finally {
      const connection = await connect(services.rabbitUrl);
      const channel = await connection.createChannel();
      await channel.deleteQueue(destination.queue).catch(() => undefined);
      await channel.deleteExchange(destination.exchange).catch(() => undefined);
      await connection.close().catch(() => undefined);
    }
  }
  const admin = new Kafka({
    clientId: 'bench-admin',
    brokers: services.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const topic = `bench-tracker-${id}`;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    return await run({ kind, topic });
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}
