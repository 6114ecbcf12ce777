import type { Channel, ChannelModel } from 'amqplib';
import { classifyAmqpError } from '../connection/classify-amqp-error';
import { closeConnection } from '../connection/close-connection';
import type { ConnectionSettings } from '../connection/connection-settings';
import { openConnection } from '../connection/open-connection';

/**
 * Asks RabbitMQ how many messages are ready in a queue by a passive declare (`checkQueue`), on
 * a connection and channel of its own: a probe that fails (the queue deleted, the broker gone)
 * closes only its own channel, never the consumer's. The connection is opened on the first
 * call, kept for the next ones, and dropped after a failure to be opened again next time.
 */
export class QueueDepthProbe {
  private opened: Promise<{ connection: ChannelModel; channel: Channel }> | undefined;
  private closed = false;

  constructor(private readonly connection: ConnectionSettings) {}

  async depth(queue: string): Promise<number> {
    if (this.closed) throw new Error('The queue depth probe is closed.');
    this.opened ??= this.open();
    try {
      const { channel } = await this.opened;
      return (await channel.checkQueue(queue)).messageCount;
    } catch (error) {
      await this.drop();
      throw classifyAmqpError(error, { display: this.connection.endpoint.display });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  private async open(): Promise<{ connection: ChannelModel; channel: Channel }> {
    const connection = await openConnection(this.connection);
    // A failed passive declare closes the channel with an error; the rejected call reports it.
    connection.on('error', () => undefined);
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return { connection, channel };
  }

  private async drop(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    const live = await opened?.catch(() => undefined);
    if (live) await closeConnection(live.connection, { waitMs: 1000 });
  }
}
