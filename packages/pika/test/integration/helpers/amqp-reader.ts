import { randomUUID } from 'node:crypto';
import { type Channel, type ChannelModel, type ConsumeMessage, connect, type GetMessage } from 'amqplib';
import { removeRabbitResources } from 'broker-test-kit';

/** A unique name per test, so tests never share a queue or an exchange. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** A plain amqplib connection the tests use to look at what reached RabbitMQ, independent of the code under test. */
export class AmqpReader {
  private constructor(
    private readonly url: string,
    readonly connection: ChannelModel,
    readonly channel: Channel,
  ) {}

  static async open(url: string): Promise<AmqpReader> {
    const connection = await connect(url);
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return new AmqpReader(url, connection, channel);
  }

  /** Declares the queue as Rasa does (durable) and binds it to a fanout exchange declared with Rasa's flags. */
  async declareBound(queue: string, exchange: string): Promise<void> {
    await this.channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: false });
    await this.channel.assertQueue(queue, { durable: true });
    await this.channel.bindQueue(queue, exchange, '');
  }

  /** Waits for `count` deliveries on `queue` (acknowledging them), in arrival order. */
  async consume(queue: string, count: number, timeoutMs: number): Promise<ConsumeMessage[]> {
    const messages: ConsumeMessage[] = [];
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `received ${messages.length} of ${count} messages on ${queue} within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        if (count === 0) {
          clearTimeout(timer);
          resolve();
          return;
        }
        channel
          .consume(
            queue,
            (message) => {
              if (!message) return;
              channel.ack(message);
              if (messages.length < count) messages.push(message);
              if (messages.length === count) {
                clearTimeout(timer);
                resolve();
              }
            },
            { noAck: false },
          )
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error);
          });
      });
    } finally {
      await channel.close().catch(() => undefined);
    }
    return messages;
  }

  /** Takes every message currently in `queue`, in order (basic.get until empty). */
  async drain(queue: string): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    for (;;) {
      const message = await this.channel.get(queue, { noAck: true });
      if (message === false) return messages;
      messages.push(message);
    }
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /**
   * Deletes queues and exchanges a test created, and the `<queue>.dead-letter` queue a message
   * source declares next to each queue it consumes; missing ones are fine.
   */
  async remove(queues: string[], exchanges: string[] = []): Promise<void> {
    await removeRabbitResources(this.url, { queues, exchanges });
  }

  /**
   * Runs a declaration that may close its channel (a 404/406 is how RabbitMQ answers "no such
   * thing" or "other flags"), on a throwaway channel; resolves with the error, if any.
   */
  async safely(
    run: (channel: Channel) => Promise<unknown>,
  ): Promise<(Error & { code?: number }) | undefined> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await run(channel);
      await channel.close().catch(() => undefined);
      return undefined;
    } catch (error) {
      return error as Error & { code?: number };
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
