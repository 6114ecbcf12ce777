import {
  type BrokerError,
  ConnectionError,
  PublishError,
  type Settlement,
  type SourceMessage,
} from '@broker/core';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { classifyAmqpError } from '../connection/classify-amqp-error';
import { closeConnection } from '../connection/close-connection';
import { openConnection } from '../connection/open-connection';
import { declareTopology } from '../topology';
import { AckCoalescer, type AckCoalescerOptions } from './ack-coalescer';
import type { PikaSourceSettings } from './read-source-settings';

/**
 * One connection consuming one queue: a channel with prefetch = maxInFlight and manual acks,
 * plus a confirm channel for dead letters. When anything breaks, the session ends as a whole
 * (`ended` resolves with the reason) and unacknowledged messages go back to RabbitMQ, which
 * redelivers them to the next session; settling a message of an ended session does nothing.
 */
export class ConsumerSession {
  /** Resolves when the connection or a channel is lost, with the (typed) reason. */
  readonly ended: Promise<BrokerError>;
  private live = true;
  private lastError: unknown;
  private consumerTag: string | undefined;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private resolveEnded!: (error: BrokerError) => void;
  private readonly acks: AckCoalescer;

  private constructor(
    private readonly settings: PikaSourceSettings,
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    /** The consumed queue's name (RabbitMQ's, for an exclusive queue). */
    private readonly queue: string,
    /** Undefined for an exclusive queue, which dead-letters nothing. */
    private readonly deadLetters: ConfirmChannel | undefined,
    maxInFlight: number,
  ) {
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    this.acks = new AckCoalescer((deliveryTag, multiple) => {
      try {
        // amqplib only reads the tag from the message it is given.
        channel.ack({ fields: { deliveryTag } } as ConsumeMessage, multiple);
      } catch {
        // The channel closed meanwhile: RabbitMQ redelivers the message to the next session.
      }
    }, ackBatching(maxInFlight));
    const lost = () => this.end(this.lastError);
    const remember = (error: Error) => {
      this.lastError = error;
    };
    connection.on('error', remember);
    channel.on('error', remember);
    deadLetters?.on('error', remember);
    connection.on('close', (error?: Error) => this.end(error ?? this.lastError));
    channel.on('close', lost);
    deadLetters?.on('close', lost);
  }

  /**
   * Connects, declares the exchange, the queue (bound) and the dead-letter queue, or for an
   * exclusive queue the exchange and a queue of our own, and sets the prefetch.
   */
  static async open(settings: PikaSourceSettings, maxInFlight: number): Promise<ConsumerSession> {
    const display = settings.connection.endpoint.display;
    const connection = await openConnection(settings.connection);
    // Until the session owns them, errors only need a listener (an unheard `error` event crashes the
    // process); the failing call itself rejects with the reason.
    const ignore = () => undefined;
    connection.on('error', ignore);
    try {
      const channel = await connection.createChannel();
      channel.on('error', ignore);
      await declareTopology(channel, settings.topology, display);
      const queue = settings.exclusiveQueue
        ? await declareExclusiveQueue(channel, settings.topology.exchangeName, display)
        : settings.queue;
      await channel.prefetch(maxInFlight);
      const deadLetterQueue = settings.deadLetterQueue;
      let deadLetters: ConfirmChannel | undefined;
      if (deadLetterQueue !== undefined) {
        deadLetters = await connection.createConfirmChannel();
        deadLetters.on('error', ignore);
        await deadLetters.assertQueue(deadLetterQueue, { durable: true }).catch((error: unknown) => {
          throw classifyAmqpError(error, { display, topologyKey: `dead-letter queue ${deadLetterQueue}` });
        });
      }
      for (const emitter of [connection, channel, deadLetters]) emitter?.off('error', ignore);
      return new ConsumerSession(settings, connection, channel, queue, deadLetters, maxInFlight);
    } catch (error) {
      await closeConnection(connection);
      throw classifyAmqpError(error, { display });
    }
  }

  /** Starts delivering; each delivery becomes a SourceMessage handed to `onMessage`. */
  async start(onMessage: (message: SourceMessage) => void): Promise<void> {
    const { consumerTag } = await this.channel.consume(
      this.queue,
      (delivery) => {
        // null: RabbitMQ cancelled the consumer (queue deleted); reconnecting declares it again.
        if (delivery === null) this.end(new Error(`RabbitMQ cancelled the consumer of queue ${this.queue}`));
        else this.deliver(delivery, onMessage);
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
  }

  /** Stops deliveries, waits up to `giveUpMs` for in-flight messages to be settled, then closes. */
  async stop(giveUpMs: number): Promise<void> {
    if (this.live && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    if (this.live && this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle.push(resolve);
        timer = setTimeout(resolve, giveUpMs);
      });
      clearTimeout(timer);
    }
    this.acks.flush();
    this.live = false;
    // Closing the channels first makes RabbitMQ process every ack given so far before the connection goes.
    await closeConnection(this.connection, {
      channelsFirst: this.deadLetters ? [this.channel, this.deadLetters] : [this.channel],
    });
  }

  private deliver(delivery: ConsumeMessage, onMessage: (message: SourceMessage) => void): void {
    this.inFlight++;
    const { fields, properties } = delivery;
    this.acks.delivered(fields.deliveryTag);
    const position = `${this.queue}#${fields.deliveryTag}`;
    let state: 'open' | 'settling' | 'done' = 'open';
    let settling: Promise<void> | undefined;
    const settle = (settlement: Settlement): Promise<void> => {
      if (state === 'done') return Promise.resolve();
      if (state === 'settling') return settling!;
      state = 'settling';
      settling = this.settle(delivery, settlement, position).then(
        () => {
          state = 'done';
          this.settled();
        },
        (error: unknown) => {
          // The dead letter was refused while connected: the message stays unacknowledged; settle may be retried.
          state = 'open';
          throw error;
        },
      );
      return settling;
    };
    onMessage({
      body: delivery.content,
      headers: stringHeaders(properties.headers),
      key: undefined,
      redelivered: fields.redelivered,
      // The producer's message_id names the message on every delivery (@broker/pika sets one with `message_id: true`).
      messageId: properties.messageId ? `amqp:${String(properties.messageId)}` : undefined,
      position,
      meta: {
        queue: this.queue,
        deliveryTag: fields.deliveryTag,
        exchange: fields.exchange,
        routingKey: fields.routingKey,
        appId: properties.appId,
        messageId: properties.messageId,
        contentType: properties.contentType,
        deliveryMode: properties.deliveryMode,
      },
      settle,
    });
  }

  private async settle(delivery: ConsumeMessage, settlement: Settlement, position: string): Promise<void> {
    if (!this.live) return;
    // An exclusive queue has no dead-letter queue: giving up on a message only acknowledges it.
    if (settlement.outcome === 'dead-letter' && this.deadLetters) {
      const stored = await this.publishDeadLetter(this.deadLetters, delivery, settlement.reason, position);
      if (!stored || !this.live) return;
    }
    this.acks.ack(delivery.fields.deliveryTag);
  }

  /** Resolves true once RabbitMQ confirmed the copy, false if the session ended first (the original is redelivered). */
  private publishDeadLetter(
    deadLetters: ConfirmChannel,
    delivery: ConsumeMessage,
    reason: string,
    position: string,
  ): Promise<boolean> {
    const deadLetterQueue = this.settings.deadLetterQueue as string;
    const queue = this.queue;
    return new Promise((resolve, reject) => {
      const confirmed = (error: unknown) => {
        if (!error) resolve(true);
        else if (!this.live || (error instanceof Error && error.message === 'channel closed')) resolve(false);
        else {
          reject(
            new PublishError(
              `RabbitMQ did not take the dead letter of ${position} into queue ${deadLetterQueue} (${String((error as Error).message ?? error)}); the message stays unacknowledged.`,
              { cause: error, canRetry: true },
            ),
          );
        }
      };
      try {
        deadLetters.sendToQueue(
          deadLetterQueue,
          delivery.content,
          deadLetterProperties(delivery, { reason, queue, position }),
          confirmed,
        );
      } catch (error) {
        confirmed(this.live ? error : undefined);
      }
    });
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.wakeIdle();
  }

  private wakeIdle(): void {
    const waiting = this.idle;
    this.idle = [];
    for (const wake of waiting) wake();
  }

  private end(cause: unknown): void {
    if (!this.live) return;
    this.live = false;
    this.acks.discard();
    this.wakeIdle();
    void closeConnection(this.connection);
    const display = this.settings.connection.endpoint.display;
    this.resolveEnded(
      cause === undefined
        ? new ConnectionError(`The connection to RabbitMQ at ${display} closed.`)
        : classifyAmqpError(cause, { display, topologyKey: this.settings.topology.keys.queues }),
    );
  }
}

/**
 * A server-named queue of our own, bound to the exchange: exclusive (only this connection may
 * consume it) and auto-delete (RabbitMQ removes it when the connection goes), not durable.
 */
async function declareExclusiveQueue(channel: Channel, exchange: string, display: string): Promise<string> {
  try {
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    await channel.bindQueue(queue, exchange, '');
    return queue;
  } catch (error) {
    throw classifyAmqpError(error, { display, topologyKey: 'exclusiveQueue' });
  }
}

/**
 * Acks wait for a quarter of the prefetch window, or 2 ms: RabbitMQ refills the window in
 * bursts instead of a message per ack, and a settled message is acknowledged soon at any rate.
 */
function ackBatching(maxInFlight: number): AckCoalescerOptions {
  return { batchSize: Math.max(1, Math.floor(maxInFlight / 4)), maxDelayMs: 2 };
}

/**
 * The dead letter: the original properties and headers plus why and where it came from.
 * Always persistent; without `expiration` (a TTL would silently drop the dead letter) and
 * `userId` (RabbitMQ refuses a user id that is not the connection's user).
 */
function deadLetterProperties(
  delivery: ConsumeMessage,
  origin: { reason: string; queue: string; position: string },
): Options.Publish {
  const p = delivery.properties;
  const defined = <T>(name: string, value: T) =>
    value === undefined || value === null ? {} : { [name]: value };
  return {
    ...defined('contentType', p.contentType),
    ...defined('contentEncoding', p.contentEncoding),
    ...defined('priority', p.priority),
    ...defined('correlationId', p.correlationId),
    ...defined('replyTo', p.replyTo),
    ...defined('messageId', p.messageId),
    ...defined('timestamp', p.timestamp),
    ...defined('type', p.type),
    ...defined('appId', p.appId),
    persistent: true,
    headers: {
      ...(p.headers ?? {}),
      'x-death-reason': origin.reason,
      'x-original-queue': origin.queue,
      'x-original-position': origin.position,
    },
  };
}

function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') out[name] = value;
    else if (Buffer.isBuffer(value)) out[name] = value.toString('utf8');
    else if (typeof value === 'object') out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}
