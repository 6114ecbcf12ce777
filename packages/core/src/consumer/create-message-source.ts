import { dirname } from 'node:path';
import type { CreateEventBrokerOptions } from '../config/create-event-broker';
import { asEndpointConfig, type EndpointConfig } from '../config/endpoint-config';
import { ADAPTER_PACKAGES, importAdapterExport } from '../config/import-adapter';
import { importModule } from '../config/load-module';
import { MissingDependencyError, UnsupportedBrokerTypeError } from '../errors/errors';
import { type Logger, noopLogger } from '../logging/logger';
import { FileMessageSource } from './file-message-source';
import type { MessageSource } from './message-source';

/** What a consumer asks of the source, beyond the endpoints section. */
export interface MessageSourceOptions {
  logger?: Logger;
  /** RabbitMQ: the queue to consume (default: the first of `queues`). */
  queue?: string;
  /** Kafka: the consumer group (default `broker-consumers`). */
  groupId?: string;
  /** Kafka and file: start from the earliest message instead of the latest / from now. */
  fromBeginning?: boolean;
  /** Where dead letters go: a queue (RabbitMQ) or topic (Kafka); default `<queue or topic>.dead-letter`. */
  deadLetter?: string;
  /**
   * RabbitMQ: consume a server-named exclusive, auto-delete queue of our own bound to the
   * exchange, instead of the broker's queues: a copy of every event, taken from no other
   * consumer (a viewer). Kafka gets the same from a group id of its own; the file has no owner.
   */
  exclusiveQueue?: boolean;
}

export interface MessageSourceFactory {
  fromEndpointConfig(
    config: EndpointConfig,
    options: MessageSourceOptions & { logger: Logger },
  ): MessageSource | Promise<MessageSource>;
}

/** The adapter export that consumes what its broker publishes. */
export const SOURCE_EXPORTS = { pika: 'PikaMessageSource', kafka: 'KafkaMessageSource' } as const;

/**
 * The consuming side of `createEventBroker`: reads what the broker an endpoints section
 * describes publishes (the queue or topic Rasa publishes to, or the file broker's file).
 */
export async function createMessageSource(
  config: EndpointConfig | Record<string, unknown>,
  options: MessageSourceOptions & Pick<CreateEventBrokerOptions, 'importModule' | 'baseDir'> = {},
): Promise<MessageSource> {
  const endpoint = asEndpointConfig(config);
  const type = (endpoint.type ?? 'pika').trim().toLowerCase();
  const logger = options.logger ?? noopLogger;
  if (type === 'file') return FileMessageSource.fromEndpointConfig(endpoint, options);
  if (type !== 'pika' && type !== 'kafka') {
    throw new UnsupportedBrokerTypeError(
      endpoint.type ?? '',
      `Cannot consume from event_broker type '${endpoint.type}': consumers read pika (RabbitMQ), kafka and file brokers.`,
      { file: endpoint.file },
    );
  }
  const load = options.importModule ?? importModule;
  const baseDir = options.baseDir ?? (endpoint.file ? dirname(endpoint.file) : process.cwd());
  const factory = (await importAdapterExport(
    type,
    SOURCE_EXPORTS[type],
    load,
    baseDir,
  )) as MessageSourceFactory;
  if (typeof factory.fromEndpointConfig !== 'function') {
    throw new MissingDependencyError(
      ADAPTER_PACKAGES[type].packageName,
      `${ADAPTER_PACKAGES[type].packageName}'s ${SOURCE_EXPORTS[type]} has no fromEndpointConfig(); install a version matching @broker/core.`,
    );
  }
  return factory.fromEndpointConfig(endpoint, { ...options, logger });
}
