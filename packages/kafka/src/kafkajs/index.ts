/**
 * The only entry into kafkajs. Everything else in the package talks to the interfaces in
 * `client/kafka-client.ts`, so another client library can replace this folder.
 */
import type { Logger } from '@broker/core';
import type { ConsumerClient, ProducerClient } from '../client/kafka-client';
import type { ConnectionSettings } from '../settings/read-connection-settings';
import { createKafkajsClient } from './create-kafkajs-client';
import { KafkajsConsumerClient, type KafkajsConsumerOptions } from './kafkajs-consumer-client';
import { KafkajsProducerClient, type KafkajsProducerOptions } from './kafkajs-producer-client';

export { classifyKafkajsError as classifyClientError, type FailureContext } from './classify-kafkajs-error';

export function createProducerClient(
  connection: ConnectionSettings,
  options: Omit<KafkajsProducerOptions, 'retryBackoffMs' | 'retryBackoffMaxMs'>,
  logger: Logger,
): ProducerClient {
  return new KafkajsProducerClient(
    createKafkajsClient(connection, logger),
    {
      ...options,
      retryBackoffMs: connection.retryBackoffMs,
      retryBackoffMaxMs: connection.retryBackoffMaxMs,
    },
    logger,
  );
}

export function createConsumerClient(
  connection: ConnectionSettings,
  options: KafkajsConsumerOptions,
  logger: Logger,
): ConsumerClient {
  return new KafkajsConsumerClient(createKafkajsClient(connection, logger), options, logger);
}
