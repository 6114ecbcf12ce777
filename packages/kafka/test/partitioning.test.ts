import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../src/index';
import { murmur2 } from '../src/partitioning/murmur2';
import { runPython } from './python-reference';

/** Sender ids of every shape: empty-ish, ASCII of each length mod 4, UUIDs, non-ASCII, emoji. */
const KEYS = [
  'a',
  'ab',
  'abc',
  'abcd',
  'abcde',
  'default',
  'contract-user',
  '5c1f0e0d6a3b4c2e9f8a7b6c5d4e3f21',
  '+4917612345678',
  'user@example.com',
  'Zoë',
  'Jürgen-Müller',
  '会话-42',
  'emoji-😀',
  ...Array.from({ length: 200 }, (_, i) => `sender-${i * 7919}`),
];
const PARTITION_COUNTS = [1, 2, 3, 6, 12, 50];

describe('partitioners', () => {
  it('murmur2 matches kafka-python (Rasa <= 3.3) for every key and partition count', () => {
    const expected = runPython<number[][]>(
      `
import json, sys
from kafka.partitioner.default import murmur2
keys, counts = json.load(sys.stdin)
print(json.dumps([[(murmur2(k.encode("utf-8")) & 0x7fffffff) % n for n in counts] for k in keys]))
`,
      [KEYS, PARTITION_COUNTS],
    );
    const actual = KEYS.map((key) => PARTITION_COUNTS.map((n) => partitionForKey('murmur2', key, n)));
    expect(actual).toEqual(expected);
  });

  it("crc32 matches zlib.crc32 % partitions, librdkafka's consistent_random (Rasa >= 3.4)", () => {
    const expected = runPython<number[][]>(
      `
import json, sys, zlib
keys, counts = json.load(sys.stdin)
print(json.dumps([[zlib.crc32(k.encode("utf-8")) % n for n in counts] for k in keys]))
`,
      [KEYS, PARTITION_COUNTS],
    );
    const actual = KEYS.map((key) => PARTITION_COUNTS.map((n) => partitionForKey('crc32', key, n)));
    expect(actual).toEqual(expected);
  });

  it("murmur2 puts keys where kafkajs's DefaultPartitioner does", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const key of KEYS) {
      for (const n of PARTITION_COUNTS) {
        const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        }));
        const theirs = kafkajs({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
        expect(partitionForKey('murmur2', key, n)).toBe(theirs);
      }
    }
  });

  it('the two partitioners really differ, which is why the choice is documented', () => {
    const differing = KEYS.filter(
      (key) => partitionForKey('crc32', key, 6) !== partitionForKey('murmur2', key, 6),
    );
    expect(differing.length).toBeGreaterThan(KEYS.length / 2);
    expect(murmur2(Buffer.from('abc'))).toBe(murmur2(new Uint8Array([97, 98, 99])));
  });
});
