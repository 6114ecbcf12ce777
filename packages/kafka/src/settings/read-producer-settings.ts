import { type BufferLimits, DEFAULT_BUFFER_LIMITS, type StartupMode } from '@broker/core';
import type { PartitionerName } from '../partitioning/key-partitioner';
import type { KafkaSettingsReader } from './read-connection-settings';

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
  startup: StartupMode;
  startupTimeoutMs: number;
  closeTimeoutMs: number;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Reads and checks the topic name: Kafka allows ASCII letters, digits, `.`, `_` and `-`, up to 249 characters. */
export function readTopic(settings: KafkaSettingsReader): string {
  const topic = settings.get('topic').trim();
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
  settings: KafkaSettingsReader,
  bufferDefaults: BufferLimits | undefined,
): ProducerSettings {
  const topic = readTopic(settings);
  const acks = readAcks(settings);
  const idempotent = settings.get('idempotent');
  if (idempotent && acks !== -1) {
    throw settings.error(
      'acks',
      `idempotent delivery needs acks: all (got ${acks}); set ${settings.keyName('idempotent')}: false to use acks 1 or 0.`,
    );
  }
  // The flat settings win over the `buffer` object given in code, which wins over the defaults.
  const defaults = { ...DEFAULT_BUFFER_LIMITS, ...stripUndefined(bufferDefaults ?? {}) };
  const buffer: Required<BufferLimits> = {
    maxEvents: settings.has('queueSize') ? settings.get('queueSize') : defaults.maxEvents,
    maxBytes: settings.has('bufferMaxBytes') ? settings.get('bufferMaxBytes') : defaults.maxBytes,
    overflow: settings.has('bufferOverflow') ? settings.get('bufferOverflow') : defaults.overflow,
  };
  return {
    topic,
    partitionBySender: settings.get('partitionBySender'),
    partitioner: settings.get('partitioner'),
    acks,
    idempotent,
    lingerMs: settings.get('lingerMs'),
    batchMaxEvents: settings.get('batchMaxEvents'),
    batchMaxBytes: settings.get('batchMaxBytes'),
    maxMessageBytes: settings.get('maxMessageBytes'),
    buffer,
    startup: settings.get('startup'),
    startupTimeoutMs: settings.get('startupTimeoutMs'),
    closeTimeoutMs: settings.get('closeTimeoutMs'),
  };
}

function readAcks(settings: KafkaSettingsReader): Acks {
  const raw = settings.raw('acks');
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
