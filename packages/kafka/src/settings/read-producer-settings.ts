import {
  BUFFER_LIMIT_RANGE,
  type BufferLimits,
  DEFAULT_BUFFER_LIMITS,
  OVERFLOW_POLICIES,
} from '@broker/core';
import { PARTITIONER_NAMES, type PartitionerName } from '../partitioning/key-partitioner';
import type { SettingsReader } from './read-connection-settings';

export type StartupPolicy = 'buffer' | 'wait';

/** What `acks` means on the wire: -1 = all in-sync replicas, 1 = the leader only, 0 = no answer. */
export type Acks = -1 | 0 | 1;

/** Producer settings after validation, defaults applied. */
export interface ProducerSettings {
  topic: string;
  partitionBySender: boolean;
  partitioner: PartitionerName;
  acks: Acks;
  idempotent: boolean;
  lingerMs: number;
  batchMaxEvents: number;
  batchMaxBytes: number;
  maxMessageBytes: number;
  buffer: Required<BufferLimits>;
  startup: StartupPolicy;
  startupTimeoutMs: number;
  closeTimeoutMs: number;
}

export const DEFAULT_TOPIC = 'rasa_core_events';
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Reads and checks the topic name: Kafka allows ASCII letters, digits, `.`, `_` and `-`, up to 249 characters. */
export function readTopic(settings: SettingsReader): string {
  const topic = settings.string('topic', DEFAULT_TOPIC)!.trim();
  if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
    throw settings.error(
      'topic',
      `${JSON.stringify(topic)} is not a legal Kafka topic name: use 1 to 249 of a-z, A-Z, 0-9, ".", "_" and "-".`,
    );
  }
  return topic;
}

/** Reads the producer side: topic, partitioning, acks, batching, buffer and lifecycle settings. */
export function readProducerSettings(
  settings: SettingsReader,
  bufferDefaults: BufferLimits | undefined,
): ProducerSettings {
  const topic = readTopic(settings);
  const partitionBySender = settings.boolean('partitionBySender', false);
  const partitioner = settings.choice('partitioner', PARTITIONER_NAMES, 'crc32');
  const acks = readAcks(settings);
  const idempotent = settings.boolean('idempotent', true);
  if (idempotent && acks !== -1) {
    throw settings.error(
      'acks',
      `idempotent delivery needs acks: all (got ${acks}); set ${settings.reader.keyName(settings.key('idempotent'))}: false to use acks 1 or 0.`,
    );
  }
  const defaults = { ...DEFAULT_BUFFER_LIMITS, ...stripUndefined(bufferDefaults ?? {}) };
  const buffer: Required<BufferLimits> = {
    maxEvents: settings.integer(
      'queueSize',
      defaults.maxEvents,
      BUFFER_LIMIT_RANGE.maxEvents.min,
      BUFFER_LIMIT_RANGE.maxEvents.max,
    ),
    maxBytes: settings.integer(
      'bufferMaxBytes',
      defaults.maxBytes,
      BUFFER_LIMIT_RANGE.maxBytes.min,
      BUFFER_LIMIT_RANGE.maxBytes.max,
    ),
    overflow: settings.choice('bufferOverflow', OVERFLOW_POLICIES, defaults.overflow),
  };
  return {
    topic,
    partitionBySender,
    partitioner,
    acks,
    idempotent,
    lingerMs: settings.integer('lingerMs', 5, 0, 60_000),
    batchMaxEvents: settings.integer('batchMaxEvents', 1000, 1, 1_000_000),
    batchMaxBytes: settings.integer('batchMaxBytes', 512 * 1024, 1, 64 * 1024 * 1024),
    maxMessageBytes: settings.integer('maxMessageBytes', 1_000_000, 1, 64 * 1024 * 1024),
    buffer,
    startup: settings.choice<StartupPolicy>('startup', ['buffer', 'wait'], 'buffer'),
    startupTimeoutMs: settings.integer('startupTimeoutMs', 30_000, 1, 3_600_000),
    closeTimeoutMs: settings.integer('closeTimeoutMs', 10_000, 0, 3_600_000),
  };
}

function readAcks(settings: SettingsReader): Acks {
  const raw = settings.reader.raw(settings.key('acks'));
  if (raw === undefined) return -1;
  const text = String(raw).trim().toLowerCase();
  if (text === 'all' || text === '-1') return -1;
  if (text === '1') return 1;
  if (text === '0') return 0;
  throw settings.error('acks', `must be all (or -1), 1 or 0; got ${JSON.stringify(raw)}.`);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
