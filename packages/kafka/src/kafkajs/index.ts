/**
 * The only entry into kafkajs. Everything else in the package talks to the interfaces in
 * `client/kafka-client.ts`, so another client library can replace this folder.
 */
import type { Logger } from '@broker/core';
import { logLevel } from 'kafkajs';
import type { AdminClient, ConsumerClient, ProducerClient } from '../client/kafka-client';
import type { ConnectionSettings } from '../settings/read-connection-settings';
import { createKafkajsClient } from './create-kafkajs-client';
import { KafkajsAdminClient } from './kafkajs-admin-client';
import { KafkajsConsumerClient, type KafkajsConsumerOptions } from './kafkajs-consumer-client';
import { KafkajsProducerClient, type KafkajsProducerOptions } from './kafkajs-producer-client';
import { StoppingSpinBreaker } from './stopping-spin-breaker';

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
  const spinBreaker = new StoppingSpinBreaker(() => kafka.logger().setLogLevel(logLevel.DEBUG), logger);
  const kafka = createKafkajsClient(connection, logger, (message) => spinBreaker.observe(message));
  return new KafkajsConsumerClient(kafka, options, logger, spinBreaker);
}

export function createAdminClient(connection: ConnectionSettings, logger: Logger): AdminClient {
  return new KafkajsAdminClient(createKafkajsClient(connection, logger));
}
