import { crc32 } from 'node:zlib';
import { murmur2 } from './murmur2';

/**
 * How a message key picks its partition.
 * - `crc32`: librdkafka's default `consistent_random` (`crc32(key) % partitions`), which
 *   confluent-kafka, and so Rasa >= 3.4, uses.
 * - `murmur2`: the Java client's default (`(murmur2(key) & 0x7fffffff) % partitions`), also
 *   kafka-python's (Rasa <= 3.3) and kafkajs's.
 */
export type PartitionerName = 'crc32' | 'murmur2';

export const PARTITIONER_NAMES: readonly PartitionerName[] = ['crc32', 'murmur2'];

/** The partition of `key` in a topic of `partitionCount` partitions, as the named client computes it. */
export function partitionForKey(partitioner: PartitionerName, key: string, partitionCount: number): number {
  const bytes = Buffer.from(key, 'utf8');
  if (partitioner === 'crc32') return crc32(bytes) % partitionCount;
  return (murmur2(bytes) & 0x7fffffff) % partitionCount;
}
