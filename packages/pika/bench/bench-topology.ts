import { randomUUID } from 'node:crypto';
import { type ChannelModel, type ConsumeMessage, connect } from 'amqplib';

export interface BenchTopology {
  exchange: string;
  queue: string;
}

/**
 * A fresh fanout exchange and durable queue for one run, declared with Rasa's flags (the
 * exchange `durable: false`, the queue durable), and deleted afterwards with what it holds.
 */
export async function withBenchTopology<T>(
  url: string,
  run: (topology: BenchTopology, admin: ChannelModel) => Promise<T>,
): Promise<T> {
  const id = randomUUID();
  const topology = { exchange: `bench-exchange-${id}`, queue: `bench-queue-${id}` };
  const admin = await connect(url);
  admin.on('error', () => undefined);
  const channel = await admin.createChannel();
  await channel.assertExchange(topology.exchange, 'fanout', { durable: false, autoDelete: false });
  await channel.assertQueue(topology.queue, { durable: true });
  await channel.bindQueue(topology.queue, topology.exchange, '');
  try {
    return await run(topology, admin);
  } finally {
    await channel.deleteQueue(topology.queue).catch(() => undefined);
    await channel.deleteExchange(topology.exchange).catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

/**
 * The end-to-end probe: a plain amqplib consumer (no acks) on the run's queue, the same for
 * both sides, that reports each message body as it arrives.
 */
export async function consumeArrivals(
  admin: ChannelModel,
  queue: string,
  onArrival: (body: string) => void,
): Promise<() => Promise<void>> {
  const channel = await admin.createChannel();
  const { consumerTag } = await channel.consume(
    queue,
    (message: ConsumeMessage | null) => {
      if (message) onArrival(message.content.toString('utf8'));
    },
    { noAck: true },
  );
  return async () => {
    await channel.cancel(consumerTag).catch(() => undefined);
    await channel.close().catch(() => undefined);
  };
}

/** RabbitMQ's product and version, from the connection's server properties. */
export function serverVersion(connection: ChannelModel): string {
  const server = connection.connection.serverProperties as unknown as { product?: string; version?: string };
  return `${server.product ?? 'RabbitMQ'} ${server.version ?? '?'}`;
}
