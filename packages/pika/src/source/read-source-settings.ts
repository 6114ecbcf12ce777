import { ConfigError } from '@broker/core';
import { type ConnectionSettings, readConnectionSettings } from '../connection/connection-settings';
import type { PikaSettingsReader } from '../pika-settings';
import { readTopologySettings, type TopologySettings } from '../topology';

/** What PikaMessageSource needs: where to connect, what to declare and consume, where dead letters go. */
export interface PikaSourceSettings {
  connection: ConnectionSettings;
  /** The exchange and the one consumed queue, declared as the broker declares them. */
  topology: TopologySettings;
  /** The consumed queue; empty for an exclusive queue, which RabbitMQ names when it is declared. */
  queue: string;
  /** Where dead letters go; undefined for an exclusive queue (nothing is dead-lettered from it). */
  deadLetterQueue: string | undefined;
  /**
   * Consume a server-named, exclusive, auto-delete queue of our own bound to the exchange, instead
   * of the broker's queues: a copy of every event, taken from no other consumer.
   */
  exclusiveQueue: boolean;
  /** Longest reconnect backoff, in ms. */
  maxReconnectDelayMs: number;
}

/** Publishing-only keys of the same endpoints section: accepted silently, they mean nothing to a consumer. */
const PUBLISHER_KEYS = [
  'connectionAttempts',
  'shouldKeepUnpublishedMessages',
  'raiseOnFailure',
  'startup',
  'bufferMaxEvents',
  'bufferMaxBytes',
  'bufferOverflow',
  'confirmWindow',
  'contentType',
  'messageId',
] as const;

/**
 * Reads the same endpoints section (or options) as the broker: the connection, `exchange_name`,
 * `queues`, `queue_arguments`, `passive_queues`. The consumed queue defaults to the first of
 * `queues`; dead letters go to `<queue>.dead-letter` unless `deadLetter` names another queue.
 * With `exclusiveQueue`, only the exchange is declared and the queue is one of our own.
 */
export function readSourceSettings(
  settings: PikaSettingsReader,
  choice: {
    queue?: string | undefined;
    deadLetter?: string | undefined;
    exclusiveQueue?: boolean | undefined;
  },
): PikaSourceSettings {
  const connection = readConnectionSettings(settings, { connectionName: '@broker/pika consumer' });
  const declared = readTopologySettings(settings);
  settings.accept(PUBLISHER_KEYS);
  const maxReconnectDelayMs = Math.max(settings.get('retryDelayInSeconds') * 1000, 1000);
  if (choice.exclusiveQueue) {
    if (choice.queue?.trim() || choice.deadLetter?.trim()) {
      throw new ConfigError(
        'An exclusive queue is named by RabbitMQ and dead-letters nothing: give exclusiveQueue without queue or deadLetter.',
        { key: 'exclusiveQueue' },
      );
    }
    return {
      connection,
      topology: { ...declared, queues: [] },
      queue: '',
      deadLetterQueue: undefined,
      exclusiveQueue: true,
      maxReconnectDelayMs,
    };
  }
  const queue = choice.queue?.trim() || declared.queues[0]!;
  const deadLetterQueue = choice.deadLetter?.trim() || `${queue}.dead-letter`;
  if (deadLetterQueue === queue) {
    throw settings.error('queues', `the dead-letter queue cannot be the consumed queue (${queue}).`);
  }
  return {
    connection,
    topology: { ...declared, queues: [queue] },
    queue,
    deadLetterQueue,
    exclusiveQueue: false,
    maxReconnectDelayMs,
  };
}
