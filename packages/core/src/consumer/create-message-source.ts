import { dirname } from 'node:path';
import type { CreateEventBrokerOptions } from '../config/create-event-broker';
import { asEndpointConfig, type EndpointConfig } from '../config/endpoint-config';
import { importModule } from '../config/load-module';
import { adapterType, findAdapter, isKnownAdapterType } from '../config/resolve-adapter';
import { UnsupportedBrokerTypeError } from '../errors/errors';
import { type Logger, noopLogger } from '../logging/logger';
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

/**
 * The consuming side of `createEventBroker`: reads what the broker an endpoints section
 * describes publishes (the queue or topic Rasa publishes to, or the file broker's file).
 */
export async function createMessageSource(
  config: EndpointConfig | Record<string, unknown>,
  options: MessageSourceOptions & Pick<CreateEventBrokerOptions, 'importModule' | 'baseDir'> = {},
): Promise<MessageSource> {
  const endpoint = asEndpointConfig(config);
  const type = adapterType(endpoint.type);
  const logger = options.logger ?? noopLogger;
  const load = options.importModule ?? importModule;
  const baseDir = options.baseDir ?? (endpoint.file ? dirname(endpoint.file) : process.cwd());
  const adapter = isKnownAdapterType(type) ? await findAdapter(type, load, baseDir) : undefined;
  if (!adapter?.createSource) {
    throw new UnsupportedBrokerTypeError(
      endpoint.type ?? '',
      `Cannot consume from event_broker type '${endpoint.type}': consumers read pika (RabbitMQ), kafka and file brokers.`,
      { file: endpoint.file },
    );
  }
  return adapter.createSource(endpoint, { ...options, logger });
}
