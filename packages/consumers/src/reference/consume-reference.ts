import {
  childLogger,
  createMessageSource,
  type Logger,
  type MessageSourceOptions,
  type SourceMessage,
  toEndpointConfig,
} from '@broker/core';
import { importAdapter } from '../adapter-loader';
import { type ReceivedEventCallback, receivedMessage } from './received-event';

export interface ReferenceConsumeOptions {
  /**
   * Acknowledge each message as it arrives, before the callback runs (`auto_ack=True` in the
   * Rasa documentation's pika example; Kafka offsets committed as consumed). Default true. With false, a
   * message is acknowledged only after the callback returned; if it throws, the message is
   * dead-lettered with the error.
   */
  autoAck?: boolean;
  /** Stops consuming; the returned promise resolves once the connection is closed. */
  signal?: AbortSignal;
  /** Messages delivered and not yet acknowledged. Default 10. */
  prefetch?: number;
  logger?: Logger;
}

/**
 * The loop behind `consumeRabbitMqEvents` and `consumeKafkaEvents`: one message at a time, in
 * order, `JSON.parse(body)` handed to the callback, as simple as the Python examples.
 */
export async function consumeReference(
  section: Record<string, unknown>,
  sourceOptions: Omit<MessageSourceOptions, 'logger'>,
  options: ReferenceConsumeOptions,
  callback: ReceivedEventCallback,
): Promise<void> {
  const logger = childLogger(options.logger, { component: 'reference-consumer' });
  const source = await createMessageSource(toEndpointConfig(section), {
    ...sourceOptions,
    logger,
    importModule: importAdapter,
  });
  const autoAck = options.autoAck ?? true;
  const signal = options.signal ?? new AbortController().signal;
  let chain = Promise.resolve();
  const handle = async (message: SourceMessage) => {
    if (autoAck) await message.settle({ outcome: 'ack' });
    let event: unknown;
    try {
      event = JSON.parse(message.body.toString('utf8'));
      await callback(event, receivedMessage(message));
      if (!autoAck) await message.settle({ outcome: 'ack' });
    } catch (error) {
      const reason =
        event === undefined
          ? `not JSON: ${(error as Error).message}`
          : `callback failed: ${(error as Error).message}`;
      logger.error({ position: message.position, err: error }, `${message.position}: ${reason}`);
      if (!autoAck) await message.settle({ outcome: 'dead-letter', reason, error });
    }
  };
  try {
    await source.consume(
      (message) => {
        // One at a time, in delivery order, like pika's start_consuming() and kafka-python's iterator.
        chain = chain.then(() => handle(message));
      },
      { maxInFlight: options.prefetch ?? 10, signal },
    );
    await chain;
  } finally {
    await source.close();
  }
}
